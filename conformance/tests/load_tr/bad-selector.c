/*
 * Spec 6, load_tr: "A selector that does not name an available TSS gives
 * EINVAL", "an error with TR unchanged". Natively LTR raises #GP and the
 * fixup (spec 2.4) returns the error.
 * Correct: the data selector 0x10 gives VMI_EINVAL; STR is unchanged.
 * Probe: one call, STR before and after.
 */
#include "test.h"

TEST(load_tr, "a data selector gives EINVAL, TR unchanged")
{
	u16 before, after;
	s64 r;

	__asm__ volatile("str %0" : "=r"(before));
	r = vmi_load_tr(0x10);
	__asm__ volatile("str %0" : "=r"(after));
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(before == after, "TR %#x, was %#x", after, before);
}
