/*
 * Spec 6, mmu_batch_flush: "Apply queued page-table writes in order";
 * "the number of entries applied (count on success)".
 * Correct: three updates, two to the same entry: the later one wins; the
 * result is 3; the mappings work after a flush.
 * Probe: a batch in its own page, then read through both addresses.
 */
#include "test.h"

TEST(mmu_batch_flush, "applies updates in order, returns the count")
{
	u64 *pt = env__scratch(), *a = mem__page(), *b = mem__page(), *c = mem__page(), v1 = 0, v2 = 0;
	struct vmi_mmu_update *batch = mem__page();
	s64 r;

	REQUIRE_FEAT(VMI_FEAT_MMU_BATCH);
	b[0] = 0xb0;
	c[0] = 0xc0;
	batch[0] = (struct vmi_mmu_update){ env__pa(&pt[16]), env__pa(a) | PTE_P | PTE_W };
	batch[1] = (struct vmi_mmu_update){ env__pa(&pt[17]), env__pa(c) | PTE_P | PTE_W };
	batch[2] = (struct vmi_mmu_update){ env__pa(&pt[16]), env__pa(b) | PTE_P | PTE_W };
	r = vmi_mmu_batch_flush(env__pa(batch), 3);
	CHECK(r == 3, "result %ld, want 3", r);
	CHECK(pt[16] == (env__pa(b) | PTE_P | PTE_W), "entry 16 %#lx: not the last update", pt[16]);
	vmi_flush_tlb_user();
	CHECK(env__read64(SCRATCH_VA + 0x10000, &v1) < 0 && env__read64(SCRATCH_VA + 0x11000, &v2) < 0,
	      "a batched mapping faulted");
	CHECK(v1 == 0xb0 && v2 == 0xc0, "read %#lx %#lx, want 0xb0 0xc0", v1, v2);
}
