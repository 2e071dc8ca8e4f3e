/*
 * Spec 6, write_cr3: "A PML4 address outside guest RAM or reserved bits
 * give EINVAL", "an error with CR3 unchanged".
 * Correct: a PML4 at 2^51 - 4 KiB (beyond any RAM, reserved with most
 * MAXPHYADDRs) is refused with VMI_EINVAL and CR3 stays.
 * Probe: one call, then read CR3. The native ROM relies on the CPU's #GP.
 */
#include "test.h"

TEST(write_cr3, "a PML4 outside RAM gives EINVAL, CR3 unchanged")
{
	u64 cr3 = READ_CR(3);
	s64 r;

	REQUIRE_REFUSING_CPU("reserved CR3 bits");
	r = vmi_write_cr3((1ull << 51) - PAGE_SIZE);
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(READ_CR(3) == cr3, "CR3 %#lx, was %#lx", READ_CR(3), cr3);
}
