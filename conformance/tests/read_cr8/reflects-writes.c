/*
 * Spec 6, read_cr8: "CR8, the task-priority class (0-15)".
 * Correct: every class written (by write_cr8 or MOV to CR8) reads back.
 * Probe: all 16 classes through the call, and one through the bare MOV.
 */
#include "test.h"

TEST(read_cr8, "reads back every class written")
{
	for (u64 v = 0; v < 16; v++) {
		vmi_write_cr8(v);
		CHECK(vmi_read_cr8() == v, "wrote %lu, read %lu", v, vmi_read_cr8());
	}
	WRITE_CR(8, 3);
	CHECK(vmi_read_cr8() == 3, "after MOV CR8 3, read %lu", vmi_read_cr8());
	WRITE_CR(8, 0);
}
