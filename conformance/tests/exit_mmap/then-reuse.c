/*
 * Spec 6, exit_mmap: "Announce that an address space is being torn down".
 * Correct: the announcement changes nothing the guest can see; the current
 * space keeps working and a torn-down space's pages may be reused freely.
 * Probe: announce a copy of the PML4, then overwrite that page and keep
 * running in the boot space.
 */
#include "test.h"

TEST(exit_mmap, "tearing down another space leaves ours intact")
{
	u64 *pml4 = mem__page(), cr3 = READ_CR(3);

	memcpy(pml4, boot_pml4, PAGE_SIZE);
	vmi_activate_mm(env__pa(pml4));
	vmi_exit_mmap(env__pa(pml4));
	memset(pml4, 0xff, PAGE_SIZE);
	CHECK(READ_CR(3) == cr3, "CR3 changed to %#lx", READ_CR(3));
	CHECK(boot_pml4[0] & PTE_P, "the boot map lost its first entry");
}
