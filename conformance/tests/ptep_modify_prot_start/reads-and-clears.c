/*
 * Spec 6, ptep_modify_prot_start: "Atomically read and clear a PTE";
 * "the entry's old value; the entry is left 0 (not present)".
 * Correct: it returns the entry, the entry becomes 0, and once flushed the
 * page is gone (#PF).
 * Probe: map a page, use it, start the change, check value, entry, fault.
 */
#include "test.h"

TEST(ptep_modify_prot_start, "returns the entry and leaves it 0")
{
	u64 *pt = env__scratch(), *frame = mem__page(), v;
	u64 pte = env__pa(frame) | PTE_P | PTE_W;
	u64 old;

	vmi_set_pte(env__pa(&pt[4]), pte);
	CHECK(env__read64(SCRATCH_VA + 0x4000, &v) < 0, "the mapped page faulted");
	old = vmi_ptep_modify_prot_start(env__pa(&pt[4]));
	CHECK((old & ~(PTE_A | PTE_D)) == pte, "returned %#lx, entry was %#lx", old, pte);
	CHECK(pt[4] == 0, "entry %#lx, want 0", pt[4]);
	vmi_flush_tlb_one(SCRATCH_VA + 0x4000);
	CHECK(env__read64(SCRATCH_VA + 0x4000, &v) == 14, "the cleared page did not fault");
}
