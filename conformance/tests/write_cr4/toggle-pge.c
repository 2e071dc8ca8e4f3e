/*
 * Spec 6, write_cr4: "Write CR4", result 0.
 * Correct: setting and clearing PGE (bit 7) reads back through read_cr4
 * and MOV from CR4.
 * Probe: write cr4 | PGE, read; write cr4 & ~PGE, read.
 */
#include "test.h"

#define CR4_PGE (1ull << 7)

TEST(write_cr4, "PGE written reads back")
{
	u64 cr4 = vmi_read_cr4();
	s64 r;

	r = vmi_write_cr4(cr4 | CR4_PGE);
	CHECK(r == 0, "setting PGE returned %ld", r);
	CHECK(vmi_read_cr4() == (cr4 | CR4_PGE) && READ_CR(4) == (cr4 | CR4_PGE),
	      "after setting PGE: read_cr4 %#lx, MOV %#lx", vmi_read_cr4(), READ_CR(4));
	r = vmi_write_cr4(cr4 & ~CR4_PGE);
	CHECK(r == 0, "clearing PGE returned %ld", r);
	CHECK(READ_CR(4) == (cr4 & ~CR4_PGE), "after clearing PGE: CR4 %#lx", READ_CR(4));
}
