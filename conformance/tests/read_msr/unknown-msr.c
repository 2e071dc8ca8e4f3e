/*
 * Spec 6, read_msr: "An MSR the virtual CPU does not have gives EIO, where
 * RDMSR would raise #GP"; rax is 0 on error. Spec 2.4: natively through the
 * #GP fixup.
 * Correct: MSR 0xdeadbeef gives rdx = VMI_EIO, rax = 0. A CPU that does not
 * fault on it (QEMU TCG reads unknown MSRs as 0) must see the native ROM
 * agree with its bare RDMSR instead.
 * Probe: the call, and the bare RDMSR under an exception catcher.
 */
#include "test.h"

#define MSR_BOGUS 0xdeadbeef

static u64 bare_rdmsr(u64 msr)
{
	return rdmsr((u32)msr);
}

TEST(read_msr, "an unknown MSR gives EIO")
{
	struct vmi_pair r = vmi_read_msr(MSR_BOGUS);
	u64 bare;

	if (env__native() && trap__catch_call(bare_rdmsr, MSR_BOGUS, 0, 0, 0, &bare) < 0) {
		CHECK(r.rdx == 0 && r.rax == bare, "rax %#lx rdx %ld; bare RDMSR read %#lx without #GP",
		      r.rax, (s64)r.rdx, bare);
		return;
	}
	CHECK(r.rdx == (u64)VMI_EIO && r.rax == 0, "rax %#lx rdx %ld, want 0 and %d", r.rax,
	      (s64)r.rdx, VMI_EIO);
}
