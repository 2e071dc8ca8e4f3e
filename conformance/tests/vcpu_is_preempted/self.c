/*
 * Spec 6, vcpu_is_preempted: "1 when that vCPU is not running on a physical
 * CPU now, else 0. 0 on bare metal or for an unknown vCPU."
 * Correct: the calling vCPU (0) is running, so 0; vCPU 4095 (unknown) 0.
 * Probe: two calls with rax poisoned.
 */
#include "test.h"

TEST(vcpu_is_preempted, "0 for the running vCPU and for an unknown one")
{
	u64 self = vmi_vcpu_is_preempted(0), other = vmi_vcpu_is_preempted(4095);

	CHECK(self == 0, "vCPU 0 (the caller): %lu", self);
	CHECK(other == 0, "vCPU 4095 (unknown): %lu", other);
}
