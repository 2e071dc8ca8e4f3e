/*
 * Spec 6, write_ldt_entry: "Write one LDT descriptor", result 0.
 * Correct: the 8 bytes land at table + index * 8, neighbours untouched.
 * Probe: write entries 1 and 3 of a zeroed table and compare all four.
 */
#include "test.h"

TEST(write_ldt_entry, "the descriptor lands at its index")
{
	static u64 ldt[4] __attribute__((aligned(16)));
	s64 r1 = vmi_write_ldt_entry(env__pa(ldt), 1, 0x00cf92000000ffffull);
	s64 r2 = vmi_write_ldt_entry(env__pa(ldt), 3, 0x00cffa000000ffffull);

	CHECK(r1 == 0 && r2 == 0, "results %ld %ld", r1, r2);
	CHECK(ldt[0] == 0 && ldt[1] == 0x00cf92000000ffffull && ldt[2] == 0 &&
	      ldt[3] == 0x00cffa000000ffffull, "table %#lx %#lx %#lx %#lx", ldt[0], ldt[1], ldt[2], ldt[3]);
}
