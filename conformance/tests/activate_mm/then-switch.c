/*
 * Spec 6, activate_mm: "Announce an address-space switch or a new address
 * space (a shadow-paging hypervisor may pre-build it)".
 * Correct: the announcement changes nothing the guest can see (CR3 stays),
 * and switching to the announced space afterwards works.
 * Probe: build a copy of the boot PML4, announce it, check CR3, switch to
 * it, read kernel memory, switch back.
 */
#include "test.h"

static volatile u64 marker = 0x5eed;

TEST(activate_mm, "announcing a space changes nothing; switching to it works")
{
	u64 *pml4 = mem__page(), cr3 = READ_CR(3);

	memcpy(pml4, boot_pml4, PAGE_SIZE);
	vmi_activate_mm(env__pa(pml4));
	CHECK(READ_CR(3) == cr3, "CR3 changed to %#lx", READ_CR(3));
	CHECK(vmi_write_cr3(env__pa(pml4)) == 0, "switching to the announced space failed");
	CHECK(marker == 0x5eed, "kernel data unreadable in the new space");
	vmi_write_cr3(cr3);
}
