/*
 * Spec 6, set_pud: "Write a page-directory-pointer entry, as set_pte".
 * Correct: a new page directory hung under a PDPT entry is walked: its
 * 2 MiB entry translates.
 * Probe: PDPT entry 1 of the scratch window (SCRATCH_VA + 1 GiB) -> a new
 * directory whose entry 0 maps physical 6 MiB.
 */
#include "test.h"

TEST(set_pud, "a directory hung under it is walked")
{
	u64 *pdpt, *pd = mem__page(), v = 0;
	s64 r;

	env__scratch();
	pdpt = (u64 *)(uintptr_t)(boot_pml4[SCRATCH_VA >> 39 & 511] & PTE_ADDR);
	pd[0] = 0x600000 | PTE_P | PTE_W | PTE_PS;
	r = vmi_set_pud(env__pa(&pdpt[1]), env__pa(pd) | PTE_P | PTE_W);
	CHECK(r == 0 && pdpt[1] == (env__pa(pd) | PTE_P | PTE_W), "result %ld, entry %#lx", r, pdpt[1]);
	*(volatile u64 *)0x600040 = 0x4040;
	CHECK(env__read64(SCRATCH_VA + (1ull << 30) + 0x40, &v) < 0 && v == 0x4040, "read %#lx", v);
}
