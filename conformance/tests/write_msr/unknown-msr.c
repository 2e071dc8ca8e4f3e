/*
 * Spec 6, write_msr: "An MSR the virtual CPU does not have, or a value it
 * refuses, gives EIO, where WRMSR would raise #GP".
 * Correct: writing MSR 0xdeadbeef gives VMI_EIO. Natively the ROM must
 * agree with the bare WRMSR (QEMU TCG ignores unknown MSRs: then 0).
 * Probe: the call, and the bare WRMSR under an exception catcher.
 */
#include "test.h"

#define MSR_BOGUS 0xdeadbeef

static u64 bare_wrmsr(u64 msr, u64 v)
{
	wrmsr((u32)msr, v);
	return 0;
}

TEST(write_msr, "an unknown MSR gives EIO")
{
	s64 r = vmi_write_msr(MSR_BOGUS, 1);
	u64 ignored;

	if (env__native() && trap__catch_call(bare_wrmsr, MSR_BOGUS, 1, 0, 0, &ignored) < 0) {
		CHECK(r == 0, "result %ld; bare WRMSR did not fault", r);
		return;
	}
	CHECK(r == VMI_EIO, "result %ld, want %d", r, VMI_EIO);
}
