/*
 * Spec 6, steal_clock: "nanoseconds that vCPU was runnable but not running,
 * monotonic; 0 on bare metal or for an unknown vCPU".
 * Correct: this vCPU's stolen time never runs backwards (0 under the native
 * ROM); vCPU 4095 (unknown here) reads 0.
 * Probe: 1000 reads of vCPU 0, one of vCPU 4095.
 */
#include "test.h"

TEST(steal_clock, "never runs backwards; 0 natively and for unknown vCPUs")
{
	u64 prev = vmi_steal_clock(0), now;

	for (int i = 0; i < 1000; i++) {
		now = vmi_steal_clock(0);
		CHECK(now >= prev, "went back from %lu to %lu", prev, now);
		prev = now;
	}
	if (env__native())
		CHECK(prev == 0, "native ROM: %lu, want 0", prev);
	now = vmi_steal_clock(4095);
	CHECK(now == 0, "unknown vCPU 4095: %lu, want 0", now);
}
