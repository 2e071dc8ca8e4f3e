// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Discovery, copy and fault fixup of the VMI ROM (spec sections 2 and 4).
 * The structural rules are vmi-rom/romcheck.c's, shared with vmi-romtool
 * and vmi-run; this file adds what a guest decides for itself: an ABI major
 * it knows, the scan, and where the copy lives (in .bss, next to our text,
 * well within the +-2 GiB that rel32 call sites need).
 */
#include "vmi.h"
#include "romcheck.h"

#define ROM_MAX (255 * 512)

struct vmi_rom vmi;
unsigned rom__fixups;
static u8 rom_copy[ROM_MAX] __attribute__((aligned(4096)));

const char *const vmi__call_names[VMI_NUM_CALLS] = {
#define G_NAME(num, name, nargs, ret, clobbers) [num] = #name,
	VMI_CALLS(G_NAME)
#undef G_NAME
};

const char *const vmi__reg_names[14] = {
	"rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static int first_problem(void *ctx, uint32_t offset, const char *what, uint64_t value)
{
	(void)offset;
	(void)value;
	*(const char **)ctx = what;
	return 1;
}

int rom__check(const u8 *img, size_t len, const char **why)
{
	const char *what = "invalid";

	*why = NULL;
	if (len < 2 || img[0] != 0x55 || img[1] != 0xaa) {
		*why = "no 0x55 0xAA signature";
		return -1;
	}
	if (len < VMI_HEADER_OFFSET + VMI_HEADER_SIZE || (size_t)img[2] * 512 > len) {
		*why = "image runs past the end of the space it was found in";
		return -1;
	}
	if (romcheck__image(img, (size_t)img[2] * 512, first_problem, &what)) {
		*why = what;
		return -1;
	}
	/* romcheck checks the header's form; the guest decides what it knows. */
	if (romcheck__header(img)->abi_major != VMI_ABI_MAJOR) {
		*why = "unknown ABI major";
		return -1;
	}
	return 0;
}

int rom__adopt(u8 *img, size_t len, u64 found_at, const char **why)
{
	if (rom__check(img, len, why))
		return -1;
	vmi.image = img;
	vmi.size = (u32)img[2] * 512;
	vmi.found_at = found_at;
	vmi.hdr = romcheck__header(img);
	vmi.num_calls = vmi.hdr->num_calls;
	vmi.features = vmi.hdr->features;
	trap__set_fixup(rom__fixup);
	return 0;
}

int rom__discover(void)
{
	for (u64 pa = VMI_SCAN_START; pa < VMI_SCAN_END; pa += VMI_SCAN_STEP) {
		const u8 *p = (const u8 *)(uintptr_t)pa;
		size_t len = (size_t)p[2] * 512;
		const char *why;

		if (p[0] != 0x55 || p[1] != 0xaa)
			continue;
		/* Other option ROMs (VGA, SeaBIOS's own) are not ours: no noise. */
		if (memcmp(p + VMI_HEADER_OFFSET, VMI_MAGIC, sizeof(VMI_MAGIC)))
			continue;
		if (len == 0 || len > VMI_SCAN_END - pa) {
			printf("# vmi: ROM at %#lx: length %zu runs past %#x\n", pa, len, VMI_SCAN_END);
			continue;
		}
		/* Validate the copy we will run, not the firmware's (which could change). */
		memcpy(rom_copy, p, len);
		if (rom__adopt(rom_copy, len, pa, &why)) {
			printf("# vmi: ROM at %#lx refused: %s\n", pa, why);
			continue;
		}
		return 0;
	}
	return -1;
}

const struct vmi_annotation *rom__annotation(unsigned call)
{
	if (!vmi.image || call >= vmi.num_calls)
		return NULL;
	return romcheck__annotation(vmi.image, call);
}

unsigned rom__reloc(unsigned call)
{
	const struct vmi_annotation *a = rom__annotation(call);

	return a ? a->reloc : VMI_RELOC_NONE;
}

void *rom__slot(unsigned call)
{
	if (rom__reloc(call) == VMI_RELOC_NONE)
		return NULL;
	return (void *)romcheck__slot(vmi.image, call);
}

void *rom__slot_or_die(unsigned call)
{
	void *slot = rom__slot(call);

	if (!slot) {
		printf("Bail out! call %u (%s) used but the ROM lacks it\n", call,
		       call < VMI_NUM_CALLS ? vmi__call_names[call] : "?");
		guest__exit(4);
	}
	return slot;
}

/* Spec 2.4: a #GP at slot + fault_off resumes at slot + fixup_off. */
int rom__fixup(struct trap_frame *f)
{
	u64 base = (u64)(uintptr_t)romcheck__slot(vmi.image, 0);
	u64 off = f->rip - base;
	const struct vmi_annotation *a;

	if (f->vector != 13 || f->rip < base || off >= (u64)vmi.num_calls * VMI_SLOT_SIZE)
		return 0;
	a = romcheck__annotation(vmi.image, (u32)(off / VMI_SLOT_SIZE));
	if (a->fault_off == VMI_NO_FAULT || a->fault_off != off % VMI_SLOT_SIZE)
		return 0;
	f->rip = f->rip - a->fault_off + a->fixup_off;
	rom__fixups++;
	return 1;
}
