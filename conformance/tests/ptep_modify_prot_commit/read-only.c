/*
 * Spec 6, ptep_modify_prot_commit: "Finish a protection change started by
 * ptep_modify_prot_start, as set_pte".
 * Correct: committing the entry without W makes the page read-only: reads
 * work, writes fault (CR0.WP is set).
 * Probe: start, commit old & ~W, flush the page, read, write.
 */
#include "test.h"

TEST(ptep_modify_prot_commit, "committing without W makes the page read-only")
{
	u64 *pt = env__scratch(), *frame = mem__page(), v = 0;
	u64 va = SCRATCH_VA + 0x6000, old;
	s64 r;

	frame[0] = 0x600d;
	vmi_set_pte(env__pa(&pt[6]), env__pa(frame) | PTE_P | PTE_W);
	old = vmi_ptep_modify_prot_start(env__pa(&pt[6]));
	r = vmi_ptep_modify_prot_commit(env__pa(&pt[6]), old & ~PTE_W);
	CHECK(r == 0 && pt[6] == (old & ~PTE_W), "result %ld, entry %#lx", r, pt[6]);
	vmi_flush_tlb_one(va);
	CHECK(env__read64(va, &v) < 0 && v == 0x600d, "read %#lx", v);
	CHECK(env__write64(va, 1) == 14, "writing the read-only page did not fault");
}
