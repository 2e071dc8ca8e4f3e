/*
 * Spec 6, write_cr4: "Bits the virtual CPU does not support, and clearing
 * PAE in long mode, give EINVAL", "an error with CR4 unchanged".
 * Correct: bit 31 (reserved) and PAE clear are refused with VMI_EINVAL.
 * Probe: both writes, then CR4 read back. The native ROM relies on the
 * CPU's #GP (QEMU TCG 7.2 hangs instead: skipped there).
 */
#include "test.h"

TEST(write_cr4, "reserved bits and clearing PAE give EINVAL")
{
	u64 cr4 = READ_CR(4);
	s64 r;

	REQUIRE_REFUSING_CPU("reserved CR4 bits");
	r = vmi_write_cr4(cr4 | (1ull << 31));
	CHECK(r == VMI_EINVAL, "bit 31: result %ld, want %d", r, VMI_EINVAL);
	r = vmi_write_cr4(cr4 & ~0x20ull);
	CHECK(r == VMI_EINVAL, "PAE clear: result %ld, want %d", r, VMI_EINVAL);
	CHECK(READ_CR(4) == cr4, "CR4 %#lx, was %#lx", READ_CR(4), cr4);
}
