/*
 * Spec 6, mmu_batch_flush: "Bits 2:0 of entry are the operation; 0 (store)
 * is the only one in ABI 1.0, others give EINVAL and stop there".
 * Correct: with entries [store, op 1, store] the first is applied, the
 * call returns VMI_EINVAL, and the third is not applied.
 * Probe: that batch; look at the three targets.
 */
#include "test.h"

TEST(mmu_batch_flush, "an unknown operation gives EINVAL and stops there")
{
	u64 *pt = env__scratch(), *a = mem__page();
	struct vmi_mmu_update *batch = mem__page();
	u64 pte = env__pa(a) | PTE_P | PTE_W;
	s64 r;

	REQUIRE_FEAT(VMI_FEAT_MMU_BATCH);
	batch[0] = (struct vmi_mmu_update){ env__pa(&pt[20]), pte };
	batch[1] = (struct vmi_mmu_update){ env__pa(&pt[21]) | 1, pte };
	batch[2] = (struct vmi_mmu_update){ env__pa(&pt[22]), pte };
	r = vmi_mmu_batch_flush(env__pa(batch), 3);
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(pt[20] == pte, "the entry before the bad one was not applied (%#lx)", pt[20]);
	CHECK(pt[21] == 0 && pt[22] == 0, "entries at and after the bad one applied: %#lx %#lx", pt[21], pt[22]);
}
