/*
 * Spec 6, lazy_mmu_enter: "until lazy_mmu_leave or lazy_mmu_flush, the
 * hypervisor may defer making page-table updates visible to the TLB".
 * Correct: updates made in lazy mode are all in effect after leave, in the
 * order made (the last write to an entry wins).
 * Probe: enter, map a page twice (A then B) and another once, leave,
 * flush, read.
 */
#include "test.h"

TEST(lazy_mmu_enter, "updates made in lazy mode are in effect after leave")
{
	u64 *pt = env__scratch(), *a = mem__page(), *b = mem__page(), *c = mem__page(), v1 = 0, v2 = 0;

	b[0] = 0xb;
	c[0] = 0xc;
	vmi_lazy_mmu_enter();
	vmi_set_pte(env__pa(&pt[12]), env__pa(a) | PTE_P | PTE_W);
	vmi_set_pte(env__pa(&pt[12]), env__pa(b) | PTE_P | PTE_W);
	vmi_set_pte(env__pa(&pt[13]), env__pa(c) | PTE_P | PTE_W);
	vmi_lazy_mmu_leave();
	vmi_flush_tlb_user();
	CHECK(env__read64(SCRATCH_VA + 0xc000, &v1) < 0 && env__read64(SCRATCH_VA + 0xd000, &v2) < 0,
	      "a page mapped in lazy mode faulted");
	CHECK(v1 == 0xb && v2 == 0xc, "read %#lx %#lx, want 0xb 0xc", v1, v2);
}
