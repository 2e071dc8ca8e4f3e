/*
 * Spec 6, load_ldt: "A selector that does not name an LDT descriptor gives
 * EINVAL", "an error with LDTR unchanged". Natively LLDT raises #GP and the
 * fixup (spec 2.4) returns the error.
 * Correct: the data selector 0x10 gives VMI_EINVAL; SLDT is unchanged.
 * Probe: one call, SLDT before and after.
 */
#include "test.h"

TEST(load_ldt, "a data selector gives EINVAL, LDTR unchanged")
{
	u16 before, after;
	s64 r;

	__asm__ volatile("sldt %0" : "=r"(before));
	r = vmi_load_ldt(0x10);
	__asm__ volatile("sldt %0" : "=r"(after));
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(before == after, "LDTR %#x, was %#x", after, before);
}
