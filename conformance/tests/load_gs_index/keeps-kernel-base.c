/*
 * Spec 6, load_gs_index: "Load the user GS selector, leaving the kernel GS
 * base in place (SWAPGS; MOV GS; SWAPGS with interrupts off)".
 * Correct: afterwards GS holds the selector, the active GS base is still
 * the kernel's, and the inactive (user) base is the descriptor's, 0.
 * Probe: set both bases to markers, load selector 0x10, read GS and MSRs.
 */
#include "test.h"

#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

TEST(load_gs_index, "loads the user GS; the kernel GS base stays")
{
	u16 gs;
	s64 r;

	wrmsr(MSR_GS_BASE, 0xffff888000001000ull);
	wrmsr(MSR_KERNEL_GS_BASE, 0x7f0000002000ull);
	r = vmi_load_gs_index(0x10);
	__asm__ volatile("mov %%gs, %0" : "=r"(gs));
	CHECK(r == 0, "result %ld", r);
	CHECK(gs == 0x10, "GS %#x, want 0x10", gs);
	CHECK(rdmsr(MSR_GS_BASE) == 0xffff888000001000ull, "kernel GS base now %#lx", rdmsr(MSR_GS_BASE));
	CHECK(rdmsr(MSR_KERNEL_GS_BASE) == 0, "user GS base %#lx, want the descriptor's 0",
	      rdmsr(MSR_KERNEL_GS_BASE));
	CHECK(!(read_flags() & X86_EFLAGS_IF), "returned with interrupts enabled");
}
