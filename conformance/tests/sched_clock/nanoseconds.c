/*
 * Spec 6, sched_clock: "nanoseconds since the vCPU was created";
 * timer_frequency: "cycles per second of the VMI cycle counters".
 * Correct: over the same interval, sched_clock advances by the real
 * counter's advance converted to nanoseconds, within 5 % (both measure
 * time, so a wrong unit or frequency shows as a factor).
 * Probe: read both, spin about 20 ms of the real counter, read both again.
 */
#include "test.h"

TEST(sched_clock, "counts nanoseconds of the real counter, within 5 %")
{
	u64 f, r0, r1, n0, n1, want, got;

	REQUIRE_CALL(VMI_CALL_SCHED_CLOCK);
	REQUIRE_CALL(VMI_CALL_TIMER_READ);
	f = vmi_timer_frequency();
	CHECK(f, "timer_frequency is 0");
	n0 = vmi_sched_clock();
	r0 = (u64)vmi_timer_read(VMI_COUNTER_REAL);
	do
		r1 = (u64)vmi_timer_read(VMI_COUNTER_REAL);
	while (r1 - r0 < f / 50);
	n1 = vmi_sched_clock();
	got = n1 - n0;
	/* no 128-bit division here: exact for frequencies below 18 GHz */
	want = (r1 - r0) / f * 1000000000u + (r1 - r0) % f * 1000000000u / f;
	CHECK(got >= want - want / 20 && got <= want + want / 20,
	      "sched_clock advanced %lu ns while the real counter says %lu ns", got, want);
}
