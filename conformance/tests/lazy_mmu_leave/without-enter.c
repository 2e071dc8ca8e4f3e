/*
 * Spec 6, lazy_mmu_leave: "Leave lazy MMU mode; every deferred update is in
 * effect when the call returns".
 * Correct: an update made in lazy mode is readable right after leave (plus
 * the flush set_pte leaves to the guest), and a second leave is harmless.
 * Probe: enter, set, leave, leave again, flush, read.
 */
#include "test.h"

TEST(lazy_mmu_leave, "a deferred update is in effect; a second leave is harmless")
{
	u64 *pt = env__scratch(), *a = mem__page(), v = 0;

	a[0] = 0xa11;
	vmi_lazy_mmu_enter();
	vmi_set_pte(env__pa(&pt[14]), env__pa(a) | PTE_P | PTE_W);
	vmi_lazy_mmu_leave();
	vmi_lazy_mmu_leave();
	vmi_flush_tlb_one(SCRATCH_VA + 0xe000);
	CHECK(env__read64(SCRATCH_VA + 0xe000, &v) < 0 && v == 0xa11, "read %#lx, want 0xa11", v);
}
