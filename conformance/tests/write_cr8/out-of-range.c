/*
 * Spec 6, write_cr8: "Values above 15 give EINVAL", "an error with CR8
 * unchanged".
 * Correct: write_cr8(16) returns VMI_EINVAL and CR8 keeps its class.
 * Probe: set 7, try 16, read back. Natively the refusal is the CPU's #GP.
 */
#include "test.h"

static u64 bare_write_cr8(u64 v)
{
	WRITE_CR(8, v);
	return 0;
}

TEST(write_cr8, "16 gives EINVAL, CR8 unchanged")
{
	u64 ignored;
	s64 r;

	if (env__native() && trap__catch_call(bare_write_cr8, 16, 0, 0, 0, &ignored) < 0)
		SKIP("native ROM: this CPU accepts MOV CR8 16");
	vmi_write_cr8(7);
	r = vmi_write_cr8(16);
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(vmi_read_cr8() == 7, "CR8 %lu, was 7", vmi_read_cr8());
}
