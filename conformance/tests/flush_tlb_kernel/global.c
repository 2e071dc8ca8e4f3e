/*
 * Spec 6, flush_tlb_kernel: "Flush all of this vCPU's translations, global
 * ones included (native: toggle CR4.PGE)".
 * Correct: with CR4.PGE on, a remapped global page's new mapping is seen
 * after the flush, and CR4 is as before.
 * Probe: set PGE, remap a page with G set without flushing, flush, read.
 */
#include "test.h"
#include "remap.h"

#define CR4_PGE (1ull << 7)

TEST(flush_tlb_kernel, "a global remap is seen after the flush; CR4 kept")
{
	u64 va = SCRATCH_VA + 0xa000, v = 0, cr4;

	env__scratch();
	vmi_write_cr4(READ_CR(4) | CR4_PGE);
	cr4 = READ_CR(4);
	CHECK(!remap_without_flush(va, PTE_G, mem__page(), mem__page()), "the first mapping did not work");
	vmi_flush_tlb_kernel();
	CHECK(READ_CR(4) == cr4, "CR4 %#lx, was %#lx", READ_CR(4), cr4);
	CHECK(env__read64(va, &v) < 0 && v == 0xbbbb, "read %#lx, want the new frame's 0xbbbb", v);
}
