/*
 * Spec 6, read_cr4: "Read CR4".
 * Correct: PAE is set (long mode) and the value equals MOV from CR4.
 * Probe: compare with the bare instruction.
 */
#include "test.h"

TEST(read_cr4, "PAE set; equals MOV from CR4")
{
	u64 v = vmi_read_cr4();

	CHECK(v & 0x20, "CR4 %#lx lacks PAE", v);
	CHECK(v == READ_CR(4), "call %#lx, MOV %#lx", v, READ_CR(4));
}
