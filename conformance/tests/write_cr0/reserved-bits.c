/*
 * Spec 6, write_cr0: "Reserved bits (63:32, and the combinations the SDM
 * makes #GP) give EINVAL", "an error with CR0 unchanged".
 * Correct: bit 63 set, and NW without CD, are refused with VMI_EINVAL and
 * CR0 keeps its value.
 * Probe: both writes, then read CR0 back. The native ROM refuses through
 * the CPU's #GP and the fixup (spec 2.4), so it needs a CPU that raises it.
 */
#include "test.h"

TEST(write_cr0, "reserved bits give EINVAL, CR0 unchanged")
{
	u64 cr0 = vmi_read_cr0();
	s64 r;

	REQUIRE_REFUSING_CPU("reserved CR0 bits");
	r = vmi_write_cr0(cr0 | (1ull << 63));
	CHECK(r == VMI_EINVAL, "bit 63: result %ld, want %d", r, VMI_EINVAL);
	r = vmi_write_cr0((cr0 | (1ull << 29)) & ~(1ull << 30));
	CHECK(r == VMI_EINVAL, "NW without CD: result %ld, want %d", r, VMI_EINVAL);
	CHECK(READ_CR(0) == cr0, "CR0 %#lx, was %#lx", READ_CR(0), cr0);
}
