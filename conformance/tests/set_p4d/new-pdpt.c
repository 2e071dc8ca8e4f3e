/*
 * Spec 6, set_p4d: "Write a PML4 entry (4-level paging), as set_pte".
 * Correct: a new PDPT hung under a PML4 entry is walked.
 * Probe: PML4 entry 2 (512 GiB * 2) -> PDPT -> 1 GiB... via a directory with
 * one 2 MiB page at physical 8 MiB.
 */
#include "test.h"

TEST(set_p4d, "a PDPT hung under it is walked")
{
	u64 *pdpt = mem__page(), *pd = mem__page(), v = 0, va = 2ull << 39;
	s64 r;

	pd[0] = 0x800000 | PTE_P | PTE_W | PTE_PS;
	pdpt[0] = env__pa(pd) | PTE_P | PTE_W;
	r = vmi_set_p4d(env__pa(&boot_pml4[2]), env__pa(pdpt) | PTE_P | PTE_W);
	CHECK(r == 0 && boot_pml4[2] == (env__pa(pdpt) | PTE_P | PTE_W), "result %ld, entry %#lx", r, boot_pml4[2]);
	*(volatile u64 *)0x800080 = 0x8080;
	CHECK(env__read64(va + 0x80, &v) < 0 && v == 0x8080, "read %#lx", v);
}
