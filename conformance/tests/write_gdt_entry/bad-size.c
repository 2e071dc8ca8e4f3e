/*
 * Spec 6, write_gdt_entry: "Other sizes give EINVAL", "an error with the
 * table unchanged".
 * Correct: size 12 (and 0) give VMI_EINVAL and no byte of the table changes.
 * Probe: snapshot the GDT, make both calls, compare.
 */
#include "test.h"

TEST(write_gdt_entry, "sizes other than 8 and 16 give EINVAL")
{
	u64 before[32];
	s64 r1, r2;

	memcpy(before, gdt, sizeof(before));
	r1 = vmi_write_gdt_entry(env__pa(gdt), 10, 0x00cf92000000ffffull, 0x1234, 12);
	r2 = vmi_write_gdt_entry(env__pa(gdt), 10, 0x00cf92000000ffffull, 0x1234, 0);
	CHECK(r1 == VMI_EINVAL && r2 == VMI_EINVAL, "size 12: %ld, size 0: %ld, want %d", r1, r2, VMI_EINVAL);
	CHECK(!memcmp(before, gdt, sizeof(before)), "the GDT changed");
}
