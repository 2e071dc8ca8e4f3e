/*
 * Spec 6, mmu_batch_flush: "count above 256 gives EINVAL with nothing
 * applied".
 * Correct: count 257 returns VMI_EINVAL and the first entry's target is
 * untouched.
 * Probe: a valid first entry, count 257 (the array itself stays inside two
 * pages, so only the count is wrong).
 */
#include "test.h"

TEST(mmu_batch_flush, "count 257 gives EINVAL, nothing applied")
{
	u64 *pt = env__scratch(), *a = mem__page();
	struct vmi_mmu_update *batch = mem__page();
	s64 r;

	REQUIRE_FEAT(VMI_FEAT_MMU_BATCH);
	mem__page();	/* the batch may be read past its page: keep it RAM */
	batch[0] = (struct vmi_mmu_update){ env__pa(&pt[18]), env__pa(a) | PTE_P | PTE_W };
	r = vmi_mmu_batch_flush(env__pa(batch), 257);
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(pt[18] == 0, "entry %#lx: applied although refused", pt[18]);
}
