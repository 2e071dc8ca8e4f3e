// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The bare-metal probe (issue 3, item 5): boots under QEMU TCG with the
 * native ROM placed by SeaBIOS (-option-rom), finds and validates the ROM,
 * copies it, makes a handful of calls in long mode and reports TAP on COM1.
 * It shows that firmware accepts and places our ROM and that its slots run
 * as the spec says. Without a ROM it says "vmi: ROM absent" and exits 0.
 * The full per-call suite is conformance/.
 */
#include "tap.h"
#include "vmi.h"

#define MB_BOOT_MAGIC 0x2badb002
#define MSR_EFER 0xc0000080
#define MSR_BOGUS 0xdeadbeef
#define EFER_LMA (1ull << 10)

static void probe_rom_info(void)
{
	struct vmi_pair r = vmi_rom_info();
	u64 want = ((u64)vmi.hdr->abi_major << 48) | ((u64)vmi.hdr->abi_minor << 32) | vmi.num_calls;

	tap__check(r.rax == want && r.rdx == vmi.features,
		   "rom_info: ABI %lu.%lu, %lu calls, features %#lx (header: %#lx, %#lx)",
		   r.rax >> 48, r.rax >> 32 & 0xffff, r.rax & 0xffffffff, r.rdx, want, vmi.features);
}

static void probe_cpuid(void)
{
	struct vmi_pair r = vmi_cpuid(0, 0);
	u32 hw[4];
	char vendor[13];

	cpuid(0, 0, hw);
	memcpy(vendor, (char *)&r.rax + 4, 4);	/* ebx */
	memcpy(vendor + 4, (char *)&r.rdx + 4, 4);	/* edx */
	memcpy(vendor + 8, &r.rdx, 4);		/* ecx */
	vendor[12] = 0;
	tap__check((u32)r.rax == hw[0] && r.rax >> 32 == hw[1] && (u32)r.rdx == hw[2] && r.rdx >> 32 == hw[3],
		   "cpuid: leaf 0, max leaf %#lx, vendor \"%s\"", r.rax & 0xffffffff, vendor);
}

static void probe_crs(void)
{
	u64 cr0 = vmi_read_cr0(), cr4 = vmi_read_cr4();

	tap__check(cr0 == READ_CR(0) && (cr0 & 0x80000001) == 0x80000001,
		   "read_cr0: %#lx (PE, PG set)", cr0);
	tap__check(cr4 == READ_CR(4) && (cr4 & 0x20), "read_cr4: %#lx (PAE set)", cr4);
}

static void probe_irq_flag(void)
{
	u64 off, on;

	vmi_irq_disable();
	off = vmi_save_fl();
	vmi_irq_enable();
	on = vmi_save_fl();
	vmi_irq_disable();
	tap__check(!(off & X86_EFLAGS_IF) && (on & X86_EFLAGS_IF) && !(read_flags() & X86_EFLAGS_IF),
		   "save_fl, irq_disable, irq_enable: IF %lu after disable, %lu after enable",
		   off >> 9 & 1, on >> 9 & 1);
}

static u64 bare_rdmsr(u64 msr)
{
	return rdmsr((u32)msr);
}

/*
 * A bogus MSR gives EIO: natively through the #GP fixup (spec 2.4). Some
 * CPUs do not fault on it (QEMU TCG 7.2 reads unknown MSRs as 0); then the
 * native ROM must agree with the bare instruction instead.
 */
static void probe_msrs(void)
{
	struct vmi_pair efer = vmi_read_msr(MSR_EFER);
	unsigned fixups = rom__fixups;
	struct vmi_pair bogus = vmi_read_msr(MSR_BOGUS);
	u64 bare;
	long vec = trap__catch_call(bare_rdmsr, MSR_BOGUS, 0, 0, 0, &bare);

	tap__check(efer.rdx == 0 && (efer.rax & EFER_LMA) && efer.rax == rdmsr(MSR_EFER),
		   "read_msr: EFER %#lx (LMA set)", efer.rax);
	if (vec >= 0 || !(vmi.features & VMI_FEAT_NATIVE))
		tap__check(bogus.rdx == (u64)VMI_EIO && bogus.rax == 0,
			   "read_msr: MSR %#x gives EIO (rdx %ld, %u #GP fixed up)",
			   MSR_BOGUS, (s64)bogus.rdx, rom__fixups - fixups);
	else
		tap__check(bogus.rdx == 0 && bogus.rax == bare,
			   "read_msr: MSR %#x reads %#lx as the bare RDMSR does (no #GP on this CPU)",
			   MSR_BOGUS, bogus.rax);
}

/* A data-segment selector makes LLDT raise #GP natively: the fixup path. */
static void probe_fixup(void)
{
	unsigned fixups = rom__fixups;
	s64 r = vmi_load_ldt(0x10);

	tap__check(r == VMI_EINVAL, "load_ldt: data selector 0x10 gives EINVAL (%ld, %u #GP fixed up)",
		   r, rom__fixups - fixups);
}

void guest_main(u32 mb_magic, u32 mb_info)
{
	(void)mb_info;
	console__init();
	trap__init();
	printf("# VMI-x64 probe\n");
	tap__start(1);
	tap__check(mb_magic == MB_BOOT_MAGIC && (rdmsr(MSR_EFER) & EFER_LMA),
		   "boot: multiboot magic %#x, long mode", mb_magic);
	if (rom__discover()) {
		printf("# vmi: ROM absent: no valid VMI ROM in %#x-%#x\n", VMI_SCAN_START, VMI_SCAN_END - 1);
		tap__result(TAP_SKIP, "ROM absent", "discovery: scan %#x-%#x", VMI_SCAN_START, VMI_SCAN_END - 1);
		tap__finish();
	}
	tap__check(1, "discovery: ROM at %#lx, %u bytes, ABI %u.%u, %u calls, \"%s\", copied to %p",
		   vmi.found_at, vmi.size, vmi.hdr->abi_major, vmi.hdr->abi_minor, vmi.num_calls,
		   (const char *)vmi.image + vmi.hdr->vendor_offset, vmi.image);
	probe_rom_info();
	probe_cpuid();
	probe_crs();
	probe_irq_flag();
	probe_msrs();
	probe_fixup();
	tap__finish();
}
