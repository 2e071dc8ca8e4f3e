/*
 * Spec 6, write_cr2: "Write CR2".
 * Correct: the value written is what read_cr2 and MOV from CR2 return.
 * Probe: write two different values, read each back both ways.
 */
#include "test.h"

TEST(write_cr2, "the value written reads back")
{
	static const u64 vals[] = { 0xffff800012345678ull, 0x1000 };

	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
		vmi_write_cr2(vals[i]);
		CHECK(vmi_read_cr2() == vals[i] && READ_CR(2) == vals[i],
		      "wrote %#lx, read_cr2 %#lx, MOV %#lx", vals[i], vmi_read_cr2(), READ_CR(2));
	}
}
