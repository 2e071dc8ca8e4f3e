/*
 * Spec 6, timer_frequency: "constant for the life of the VM"; "cycles per
 * second of the VMI cycle counters".
 * Correct: nonzero, at least 1 MHz (a useful clocksource), and the same on
 * every read.
 * Probe: read 100 times.
 */
#include "test.h"

TEST(timer_frequency, "nonzero, at least 1 MHz, constant")
{
	u64 f;

	REQUIRE_CALL(VMI_CALL_TIMER_FREQUENCY);
	f = vmi_timer_frequency();
	CHECK(f >= 1000000, "frequency %lu Hz", f);
	for (int i = 0; i < 100; i++)
		CHECK(vmi_timer_frequency() == f, "changed from %lu", f);
}
