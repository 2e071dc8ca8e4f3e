/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Linux bzImage by the x86 boot protocol (Documentation/x86/boot.rst),
 * 64-bit entry: the protected-mode kernel is loaded at pref_address,
 * entered at its startup_64 (load address + 0x200) in long mode on the
 * identity map, with RSI = boot_params. Needs protocol 2.12+ with
 * XLF_KERNEL_64. The real-mode setup code is never run.
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"

/* setup_header offsets, from the start of the image (boot.rst) */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END			0x268	/* the fields above, through init_size */

#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			4096

#define LOADED_HIGH		0x01
#define KEEP_SEGMENTS		0x40
#define XLF_KERNEL_64		0x01
#define MIN_VERSION		0x020c
#define STARTUP_64		0x200

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static uint32_t rd(const uint8_t *p, unsigned off, unsigned size)
{
	uint32_t v = 0;

	memcpy(&v, p + off, size);
	return v;
}

static uint64_t rd64(const uint8_t *p, unsigned off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

bool bzimage__is(const uint8_t *img, size_t len)
{
	return len >= HDR_MAGIC + 4 && !memcmp(img + HDR_MAGIC, "HdrS", 4);
}

struct bz {
	uint64_t setup_len, kernel_len, load, init_size, initrd_max;
	uint32_t cmdline_size;
};

static int check_header(const struct vm *vm, const uint8_t *img, size_t len, struct bz *bz,
			char *err, size_t errlen)
{
	uint32_t sects, version, align;

	if (len < HDR_END)
		FAIL("bzImage: %zu bytes, shorter than its own header", len);
	if (rd(img, HDR_BOOT_FLAG, 2) != 0xaa55)
		FAIL("bzImage: boot_flag %#x, want 0xaa55", rd(img, HDR_BOOT_FLAG, 2));
	version = rd(img, HDR_VERSION, 2);
	if (version < MIN_VERSION)
		FAIL("bzImage: boot protocol %u.%02u, vmi-run needs 2.12 or later",
		     version >> 8, version & 0xff);
	if (!(rd(img, HDR_XLOADFLAGS, 2) & XLF_KERNEL_64))
		FAIL("bzImage: xloadflags lacks XLF_KERNEL_64: no 64-bit entry");
	if (!(rd(img, HDR_LOADFLAGS, 1) & LOADED_HIGH))
		FAIL("bzImage: loadflags lacks LOADED_HIGH: a zImage, not a bzImage");
	sects = rd(img, HDR_SETUP_SECTS, 1);
	bz->setup_len = ((uint64_t)(sects ? sects : 4) + 1) * 512;
	if (bz->setup_len >= len)
		FAIL("bzImage: setup_sects %u puts the kernel beyond the file's %zu bytes", sects, len);
	bz->kernel_len = (uint64_t)rd(img, HDR_SYSSIZE, 4) * 16;
	if (bz->kernel_len == 0 || bz->kernel_len > len - bz->setup_len)
		FAIL("bzImage: syssize says %#lx bytes of kernel, the file has %#lx: truncated?",
		     (unsigned long)bz->kernel_len, (unsigned long)(len - bz->setup_len));
	align = rd(img, HDR_KERNEL_ALIGNMENT, 4);
	bz->load = rd64(img, HDR_PREF_ADDRESS);
	if (align == 0 || (align & (align - 1)) || bz->load % align)
		FAIL("bzImage: pref_address %#lx not aligned to kernel_alignment %#x",
		     (unsigned long)bz->load, align);
	bz->init_size = rd(img, HDR_INIT_SIZE, 4);
	if (bz->init_size < bz->kernel_len)
		FAIL("bzImage: init_size %#lx is smaller than the kernel", (unsigned long)bz->init_size);
	if (bz->load < KERNEL_MIN || !vm__gpa((struct vm *)vm, bz->load, bz->init_size))
		FAIL("bzImage: the kernel needs %#lx-%#lx, outside guest RAM (--mem more?)",
		     (unsigned long)bz->load, (unsigned long)(bz->load + bz->init_size));
	bz->cmdline_size = rd(img, HDR_CMDLINE_SIZE, 4);
	if (bz->cmdline_size == 0)
		FAIL("bzImage: cmdline_size is 0");
	bz->initrd_max = rd(img, HDR_INITRD_ADDR_MAX, 4);
	return 0;
}

/* The initrd goes as high as both RAM and initrd_addr_max allow, page-aligned,
 * above the kernel's init_size (boot.rst, "initrd"). */
static int place_initrd(struct vm *vm, const struct boot_files *f, const struct bz *bz,
			uint8_t *bp, char *err, size_t errlen)
{
	uint64_t top = bz->initrd_max + 1, lowest = bz->load + bz->init_size, at;

	if (!f->initrd)
		return 0;
	if (top > vm->ram_size)
		top = vm->ram_size;
	if (f->initrd_len > top || ((top - f->initrd_len) & ~4095ull) < lowest)
		FAIL("--initrd: %zu bytes do not fit between the kernel and %#lx (--mem more?)",
		     f->initrd_len, (unsigned long)top);
	at = (top - f->initrd_len) & ~4095ull;
	vm__write(vm, at, f->initrd, f->initrd_len);
	memcpy(bp + HDR_RAMDISK_IMAGE, &(uint32_t){ (uint32_t)at }, 4);
	memcpy(bp + HDR_RAMDISK_SIZE, &(uint32_t){ (uint32_t)f->initrd_len }, 4);
	return 0;
}

int bzimage__load(struct vm *vm, const struct boot_files *f, struct boot_state *bs,
		  char *err, size_t errlen)
{
	const uint8_t *img = f->kernel;
	struct e820_entry e[BP_E820_MAX];
	uint8_t bp[BP_SIZE] = { 0 };
	unsigned hdr_end, n;
	struct bz bz;

	if (check_header(vm, img, f->kernel_len, &bz, err, errlen) < 0)
		return -1;
	/* The header runs from 0x1f1 to the end the jump at 0x200 names. */
	hdr_end = HDR_JUMP + 2 + rd(img, HDR_JUMP + 1, 1);
	if (hdr_end < HDR_END || hdr_end > bz.setup_len || hdr_end > BP_E820_TABLE)
		FAIL("bzImage: setup header ends at %#x, outside %#x-%#lx", hdr_end,
		     HDR_END, (unsigned long)bz.setup_len);
	memcpy(bp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
	vm__write(vm, bz.load, img + bz.setup_len, bz.kernel_len);
	if (boot__cmdline(vm, f->cmdline, bz.cmdline_size, err, errlen) < 0 ||
	    place_initrd(vm, f, &bz, bp, err, errlen) < 0)
		return -1;
	bp[HDR_TYPE_OF_LOADER] = 0xff;		/* undefined loader */
	bp[HDR_LOADFLAGS] |= KEEP_SEGMENTS;
	memcpy(bp + HDR_CMD_LINE_PTR, &(uint32_t){ BOOT_CMDLINE }, 4);
	n = e820__build(vm, e, BP_E820_MAX);
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(bp + BP_E820_TABLE, e, n * sizeof(e[0]));
	vm__write(vm, BOOT_INFO, bp, sizeof(bp));
	boot__gdt(vm);
	boot__identity_map(vm);
	boot__long_mode(bs, bz.load + STARTUP_64);
	bs->regs.rsi = BOOT_INFO;
	return 0;
}
