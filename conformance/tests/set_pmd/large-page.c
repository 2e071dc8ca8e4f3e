/*
 * Spec 6, set_pmd: "Write a page-directory entry, as set_pte".
 * Correct: a 2 MiB entry (PS) maps the whole region: two addresses 1 MiB
 * apart read the frames 1 MiB apart.
 * Probe: map SCRATCH_VA + 2 MiB to physical 4 MiB with one set_pmd and
 * compare reads with the identity map.
 */
#include "test.h"

TEST(set_pmd, "a 2 MiB entry maps the region")
{
	u64 *pd, va = SCRATCH_VA + 0x200000, v1 = 0, v2 = 0;
	s64 r;

	env__scratch();
	pd = (u64 *)(uintptr_t)(((u64 *)(uintptr_t)(boot_pml4[SCRATCH_VA >> 39 & 511] & PTE_ADDR))[0] & PTE_ADDR);
	r = vmi_set_pmd(env__pa(&pd[1]), 0x400000 | PTE_P | PTE_W | PTE_PS);
	CHECK(r == 0 && pd[1] == (0x400000 | PTE_P | PTE_W | PTE_PS), "result %ld, entry %#lx", r, pd[1]);
	*(volatile u64 *)0x400010 = 0x1010;
	*(volatile u64 *)0x500020 = 0x2020;
	CHECK(env__read64(va + 0x10, &v1) < 0 && env__read64(va + 0x100020, &v2) < 0,
	      "reading through the 2 MiB page faulted");
	CHECK(v1 == 0x1010 && v2 == 0x2020, "read %#lx %#lx, want 0x1010 0x2020", v1, v2);
}
