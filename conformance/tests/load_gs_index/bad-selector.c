/*
 * Spec 6, load_gs_index: "A bad selector gives EINVAL", "an error with the
 * user GS unchanged". Natively MOV GS raises #GP between two SWAPGS; the
 * fixup must swap back (spec 2.4).
 * Correct: selector 0x18 (an empty GDT entry) gives VMI_EINVAL; GS and both
 * GS bases are as before; the interrupt flag is as before.
 * Probe: markers in both bases, interrupts on, one call, compare.
 */
#include "test.h"

#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

TEST(load_gs_index, "an empty descriptor gives EINVAL, both GS bases intact")
{
	u16 gs;
	u64 fl;
	s64 r;

	wrmsr(MSR_GS_BASE, 0xffff888000001000ull);
	wrmsr(MSR_KERNEL_GS_BASE, 0x7f0000002000ull);
	sti();
	r = vmi_load_gs_index(0x18);
	fl = read_flags();
	cli();
	__asm__ volatile("mov %%gs, %0" : "=r"(gs));
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(gs == 0, "GS %#x, was 0", gs);
	CHECK(rdmsr(MSR_GS_BASE) == 0xffff888000001000ull && rdmsr(MSR_KERNEL_GS_BASE) == 0x7f0000002000ull,
	      "GS base %#lx, kernel GS base %#lx: swapped?", rdmsr(MSR_GS_BASE), rdmsr(MSR_KERNEL_GS_BASE));
	CHECK(fl & X86_EFLAGS_IF, "returned with interrupts disabled");
}
