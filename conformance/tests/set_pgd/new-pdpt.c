/*
 * Spec 6, set_pgd: "Write a top-level entry (the PML4 under 4-level
 * paging), as set_pte".
 * Correct: a new PDPT hung under the top-level entry is walked.
 * Probe: PML4 entry 3 -> PDPT -> directory with one 2 MiB page at 10 MiB.
 */
#include "test.h"

TEST(set_pgd, "a PDPT hung under it is walked")
{
	u64 *pdpt = mem__page(), *pd = mem__page(), v = 0, va = 3ull << 39;
	s64 r;

	pd[0] = 0xa00000 | PTE_P | PTE_W | PTE_PS;
	pdpt[0] = env__pa(pd) | PTE_P | PTE_W;
	r = vmi_set_pgd(env__pa(&boot_pml4[3]), env__pa(pdpt) | PTE_P | PTE_W);
	CHECK(r == 0 && boot_pml4[3] == (env__pa(pdpt) | PTE_P | PTE_W), "result %ld, entry %#lx", r, boot_pml4[3]);
	*(volatile u64 *)0xa000c0 = 0xa0a0;
	CHECK(env__read64(va + 0xc0, &v) < 0 && v == 0xa0a0, "read %#lx", v);
}
