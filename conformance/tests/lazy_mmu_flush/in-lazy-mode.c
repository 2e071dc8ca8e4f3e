/*
 * Spec 6, lazy_mmu_flush: "Put every deferred update in effect, staying in
 * lazy MMU mode".
 * Correct: an update made in lazy mode is readable after lazy_mmu_flush,
 * before leave.
 * Probe: enter, set, flush (lazy), flush the TLB entry, read, leave.
 */
#include "test.h"

TEST(lazy_mmu_flush, "a deferred update is in effect while still lazy")
{
	u64 *pt = env__scratch(), *a = mem__page(), v = 0;
	long vec;

	a[0] = 0xf1;
	vmi_lazy_mmu_enter();
	vmi_set_pte(env__pa(&pt[15]), env__pa(a) | PTE_P | PTE_W);
	vmi_lazy_mmu_flush();
	vmi_flush_tlb_one(SCRATCH_VA + 0xf000);
	vec = env__read64(SCRATCH_VA + 0xf000, &v);
	vmi_lazy_mmu_leave();
	CHECK(vec < 0 && v == 0xf1, "exception %ld, read %#lx, want 0xf1", vec, v);
}
