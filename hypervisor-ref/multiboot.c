/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Multiboot (version 1) kernels in ELF, read through libelf. ELF32 kernels
 * need the multiboot header and enter in flat 32-bit protected mode with
 * paging off, EAX = 0x2BADB002 and EBX = the multiboot info (Multiboot
 * Specification 0.6.96, 3.2). ELF64 kernels (no multiboot header needed)
 * enter in 64-bit mode on vmi-run's identity map, with the same EAX and EBX.
 * Every PT_LOAD segment must lie inside the file and inside RAM above 1 MiB,
 * must not overlap another, and the entry must be inside an executable one.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

#define MB_MAGIC	0x1badb002u
#define MB_BOOT_MAGIC	0x2badb002u
#define MB_SEARCH	8192
#define MB_INFO_MEM	(1u << 0)
#define MB_INFO_CMDLINE	(1u << 2)
#define MB_INFO_MODS	(1u << 3)
#define MB_INFO_MMAP	(1u << 6)
#define MB_INFO_NAME	(1u << 9)
#define MB_MAX_SEGS	32

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
} __attribute__((packed));

struct seg { uint64_t paddr, vaddr, memsz, filesz, offset; bool exec; };

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* The header: 4-aligned, in the first 8 KiB, magic + flags + checksum == 0. */
static int find_header(const uint8_t *img, size_t len)
{
	size_t end = len < MB_SEARCH ? len : MB_SEARCH;

	for (size_t off = 0; off + 12 <= end; off += 4) {
		uint32_t h[3];
		memcpy(h, img + off, 12);
		if (h[0] == MB_MAGIC && h[0] + h[1] + h[2] == 0)
			return (int)off;
	}
	return -1;
}

static int read_segs(Elf *e, const struct boot_files *f, struct vm *vm, struct seg *s,
		     unsigned *ns, char *err, size_t errlen)
{
	size_t phnum;

	if (elf_getphdrnum(e, &phnum) != 0 || phnum == 0)
		FAIL("no program headers: %s", elf_errmsg(-1));
	*ns = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			FAIL("program header %zu: %s", i, elf_errmsg(-1));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (*ns == MB_MAX_SEGS)
			FAIL("more than %d loadable segments", MB_MAX_SEGS);
		if (ph.p_filesz > ph.p_memsz)
			FAIL("segment %zu: file size %#lx above memory size %#lx", i,
			     (unsigned long)ph.p_filesz, (unsigned long)ph.p_memsz);
		if (ph.p_offset > f->kernel_len || ph.p_filesz > f->kernel_len - ph.p_offset)
			FAIL("segment %zu: bytes %#lx+%#lx lie beyond the file (%zu bytes): truncated?",
			     i, (unsigned long)ph.p_offset, (unsigned long)ph.p_filesz, f->kernel_len);
		if (ph.p_paddr < KERNEL_MIN || !vm__gpa(vm, ph.p_paddr, ph.p_memsz))
			FAIL("segment %zu: load address %#lx+%#lx is outside guest RAM above 1 MiB",
			     i, (unsigned long)ph.p_paddr, (unsigned long)ph.p_memsz);
		s[*ns] = (struct seg){ ph.p_paddr, ph.p_vaddr, ph.p_memsz, ph.p_filesz,
				       ph.p_offset, (ph.p_flags & PF_X) != 0 };
		for (unsigned j = 0; j < *ns; j++)
			if (s[j].paddr < ph.p_paddr + ph.p_memsz && ph.p_paddr < s[j].paddr + s[j].memsz)
				FAIL("segment %zu: overlaps another at %#lx", i, (unsigned long)s[j].paddr);
		(*ns)++;
	}
	if (*ns == 0)
		FAIL("no loadable segments");
	return 0;
}

/* The entry (a virtual address) inside an executable segment, as physical. */
static int entry_phys(const struct seg *s, unsigned ns, uint64_t entry, uint64_t *phys)
{
	for (unsigned i = 0; i < ns; i++)
		if (s[i].exec && entry >= s[i].vaddr && entry - s[i].vaddr < s[i].memsz) {
			*phys = s[i].paddr + (entry - s[i].vaddr);
			return 0;
		}
	return -1;
}

static uint64_t page_up(uint64_t v) { return (v + 4095) & ~4095ull; }

/* Boot information, at BOOT_INFO: info, memory map, loader name; the initrd
 * becomes module 0, placed on the first page after the kernel. */
static int write_info(struct vm *vm, const struct boot_files *f, uint64_t kernel_end,
		      char *err, size_t errlen)
{
	struct e820_entry e[8];
	unsigned n = e820__build(vm, e, 8);
	struct mb_info mi = { 0 };
	struct mb_mmap mm[8];
	uint64_t at = BOOT_INFO + sizeof(mi);
	static const char name[] = "vmi-run";

	mi.flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP | MB_INFO_NAME;
	mi.mem_lower = 639;
	mi.mem_upper = (uint32_t)((vm->ram_size - VM_HOLE_END) >> 10);
	mi.cmdline = BOOT_CMDLINE;
	for (unsigned i = 0; i < n; i++)
		mm[i] = (struct mb_mmap){ 20, e[i].addr, e[i].size, e[i].type };
	mi.mmap_addr = (uint32_t)at;
	mi.mmap_length = n * sizeof(mm[0]);
	vm__write(vm, at, mm, mi.mmap_length);
	at += mi.mmap_length;
	mi.boot_loader_name = (uint32_t)at;
	vm__write(vm, at, name, sizeof(name));
	at += sizeof(name);
	if (f->initrd) {
		uint64_t start = page_up(kernel_end);
		struct mb_module mod = { (uint32_t)start, 0, 0, 0 };
		if (start > 0xffffffffull || !vm__gpa(vm, start, f->initrd_len) ||
		    start + f->initrd_len > 0xffffffffull)
			FAIL("--initrd: %zu bytes do not fit in guest RAM after the kernel",
			     f->initrd_len);
		vm__write(vm, start, f->initrd, f->initrd_len);
		mod.end = (uint32_t)(start + f->initrd_len);
		mod.string = (uint32_t)(at - sizeof(name));	/* "vmi-run" names it */
		at = (at + 15) & ~15ull;
		vm__write(vm, at, &mod, sizeof(mod));
		mi.flags |= MB_INFO_MODS;
		mi.mods_count = 1;
		mi.mods_addr = (uint32_t)at;
	}
	vm__write(vm, BOOT_INFO, &mi, sizeof(mi));
	return 0;
}

static int load_elf(struct vm *vm, Elf *e, const struct boot_files *f, struct boot_state *bs,
		    char *err, size_t errlen)
{
	struct seg s[MB_MAX_SEGS];
	unsigned ns;
	GElf_Ehdr eh;
	int cls = gelf_getclass(e);
	uint64_t entry, end = 0;

	if (!gelf_getehdr(e, &eh))
		FAIL("ELF header: %s", elf_errmsg(-1));
	if (eh.e_type != ET_EXEC)
		FAIL("ELF type %u: not an executable", eh.e_type);
	if ((cls == ELFCLASS32 && eh.e_machine != EM_386) ||
	    (cls == ELFCLASS64 && eh.e_machine != EM_X86_64))
		FAIL("ELF machine %u: not x86", eh.e_machine);
	if (cls == ELFCLASS32 && find_header(f->kernel, f->kernel_len) < 0)
		FAIL("no multiboot header in the first 8 KiB");
	if (read_segs(e, f, vm, s, &ns, err, errlen) < 0)
		return -1;
	if (entry_phys(s, ns, eh.e_entry, &entry) < 0)
		FAIL("entry point %#lx is outside every executable segment",
		     (unsigned long)eh.e_entry);
	for (unsigned i = 0; i < ns; i++) {
		uint8_t *dst = vm__gpa(vm, s[i].paddr, s[i].memsz);
		memcpy(dst, f->kernel + s[i].offset, s[i].filesz);
		memset(dst + s[i].filesz, 0, s[i].memsz - s[i].filesz);
		if (s[i].paddr + s[i].memsz > end)
			end = s[i].paddr + s[i].memsz;
	}
	if (boot__cmdline(vm, f->cmdline, BOOT_CMDLINE_MAX, err, errlen) < 0 ||
	    write_info(vm, f, end, err, errlen) < 0)
		return -1;
	boot__gdt(vm);
	if (cls == ELFCLASS64) {
		boot__identity_map(vm);
		boot__long_mode(bs, entry);
	} else {
		boot__protected_mode(bs, entry);
	}
	bs->regs.rax = MB_BOOT_MAGIC;
	bs->regs.rbx = BOOT_INFO;
	return 0;
}

int multiboot__load(struct vm *vm, const struct boot_files *f, struct boot_state *bs,
		    char *err, size_t errlen)
{
	Elf *e;
	int rc;

	if (elf_version(EV_CURRENT) == EV_NONE)
		FAIL("libelf: %s", elf_errmsg(-1));
	/* libelf only reads: the cast drops const for its API. */
	e = elf_memory((char *)f->kernel, f->kernel_len);
	if (!e)
		FAIL("%s", elf_errmsg(-1));
	if (elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		FAIL("not an ELF file or a bzImage");
	}
	rc = load_elf(vm, e, f, bs, err, errlen);
	elf_end(e);
	return rc;
}

int loader__load(struct vm *vm, const struct boot_files *f, struct boot_state *bs,
		 char *err, size_t errlen)
{
	if (f->kernel_len == 0)
		FAIL("empty file");
	if (bzimage__is(f->kernel, f->kernel_len))
		return bzimage__load(vm, f, bs, err, errlen);
	if (f->kernel_len >= 4 && !memcmp(f->kernel, ELFMAG, SELFMAG))
		return multiboot__load(vm, f, bs, err, errlen);
	FAIL("not an ELF file or a bzImage");
}
