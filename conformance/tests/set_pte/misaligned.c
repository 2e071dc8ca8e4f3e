/*
 * Spec 6, set_pte: "the level-1 entry (8-byte aligned)"; VMI_EFAULT: "a
 * pointer argument does not translate to guest RAM, or is misaligned";
 * "an error with the entry unchanged".
 * Correct: an entry pointer 4 bytes into an entry gives VMI_EFAULT behind
 * a hypervisor and neither entry it overlaps changes. The native ROM's
 * MOV stores where it is told (the CPU does not check): skipped.
 * Probe: one call at &pt[8] + 4, then both entries.
 */
#include "test.h"

TEST(set_pte, "a misaligned entry pointer gives EFAULT, nothing written")
{
	u64 *pt = env__scratch();
	s64 r;

	if (env__native())
		SKIP("native ROM: a misaligned store is the CPU's business");
	r = vmi_set_pte(env__pa(&pt[8]) + 4, env__pa(mem__page()) | PTE_P | PTE_W);
	CHECK(r == VMI_EFAULT, "result %ld, want %d", r, VMI_EFAULT);
	CHECK(pt[8] == 0 && pt[9] == 0, "entries now %#lx %#lx", pt[8], pt[9]);
}
