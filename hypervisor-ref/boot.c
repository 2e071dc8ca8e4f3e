/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What every loader shares: the boot GDT, the identity map, the initial
 * vCPU state for 32-bit and 64-bit entries, the command line and the e820 map.
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"

#define CR0_PE (1ull << 0)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

void boot__gdt(struct vm *vm)
{
	static const uint64_t gdt[] = {
		0,
		0x00cf9b000000ffffull,	/* 0x08: code32, flat */
		0x00af9b000000ffffull,	/* 0x10: code64 */
		0x00cf93000000ffffull,	/* 0x18: data, flat */
	};

	vm__write(vm, BOOT_GDT, gdt, sizeof(gdt));
}

void boot__identity_map(struct vm *vm)
{
	uint64_t pml4e = BOOT_PDPT | 3, pdpte, pde;

	vm__write(vm, BOOT_PML4, &pml4e, 8);
	for (uint64_t i = 0; i < 4; i++) {
		pdpte = (BOOT_PD + i * 0x1000) | 3;
		vm__write(vm, BOOT_PDPT + i * 8, &pdpte, 8);
		for (uint64_t j = 0; j < 512; j++) {
			pde = ((i * 512 + j) << 21) | 0x83;	/* P, RW, PS */
			vm__write(vm, BOOT_PD + i * 0x1000 + j * 8, &pde, 8);
		}
	}
}

static struct vcpu_seg seg(uint16_t sel, uint8_t type, bool l, bool db)
{
	return (struct vcpu_seg){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = db, .s = 1, .l = l, .g = 1,
	};
}

static void common(struct boot_state *bs, uint64_t entry)
{
	struct vcpu_sregs *s = &bs->sregs;

	memset(bs, 0, sizeof(*bs));
	bs->regs.rip = entry;
	bs->regs.rflags = 2;		/* reserved bit 1; IF clear */
	s->ds = s->es = s->fs = s->gs = s->ss = seg(SEL_DATA, 3, false, true);
	/* A busy TSS and an unusable LDT: what VM entry demands of TR/LDTR. */
	s->tr = (struct vcpu_seg){ .limit = 0x67, .type = 11, .present = 1 };
	s->ldt = (struct vcpu_seg){ .limit = 0xffff, .type = 2, .present = 1 };
	s->gdt = (struct vcpu_dtable){ .base = BOOT_GDT, .limit = 4 * 8 - 1 };
	s->idt = (struct vcpu_dtable){ .base = 0, .limit = 0 };
	s->apic_base = 0xfee00000ull | (1ull << 11) | (1ull << 8);	/* enabled, BSP */
}

void boot__protected_mode(struct boot_state *bs, uint64_t entry)
{
	common(bs, entry);
	bs->sregs.cs = seg(SEL_CODE32, 11, false, true);
	bs->sregs.cr0 = CR0_PE | CR0_ET | CR0_NE;
}

void boot__long_mode(struct boot_state *bs, uint64_t entry)
{
	common(bs, entry);
	bs->sregs.cs = seg(SEL_CODE64, 11, true, false);
	bs->sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	bs->sregs.cr3 = BOOT_PML4;
	bs->sregs.cr4 = CR4_PAE;
	bs->sregs.efer = EFER_LME | EFER_LMA;
	bs->regs.rsp = BOOT_STACK;
}

int boot__cmdline(struct vm *vm, const char *cmdline, size_t max, char *err, size_t errlen)
{
	size_t n = strlen(cmdline);

	if (max > BOOT_CMDLINE_MAX)
		max = BOOT_CMDLINE_MAX;
	if (n + 1 > max) {
		snprintf(err, errlen, "--append: %zu bytes, the kernel takes at most %zu", n, max - 1);
		return -1;
	}
	return vm__write(vm, BOOT_CMDLINE, cmdline, n + 1);
}

unsigned e820__build(const struct vm *vm, struct e820_entry *out, unsigned max)
{
	const struct e820_entry map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x400, E820_RESERVED },		/* EBDA */
		{ 0xa0000, VM_HOLE_END - 0xa0000, E820_RESERVED },	/* VGA, ROMs, BIOS */
		{ VM_HOLE_END, vm->ram_size - VM_HOLE_END, E820_RAM },
	};
	unsigned n = sizeof(map) / sizeof(map[0]);

	if (n > max)
		n = max;
	memcpy(out, map, n * sizeof(map[0]));
	return n;
}
