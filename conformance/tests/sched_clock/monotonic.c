/*
 * Spec 6, sched_clock: "A fast, monotonic nanosecond clock"; "nanoseconds
 * since the vCPU was created, monotonic". Feature TIMER.
 * Correct: 1000 reads never go backwards, and the clock advances by at
 * least 1 us across a 1 ms LAPIC-timed wait... measured coarsely: it moves.
 * Probe: read in a loop; compare first and last.
 */
#include "test.h"

TEST(sched_clock, "never runs backwards, advances")
{
	u64 prev, first, now;

	REQUIRE_CALL(VMI_CALL_SCHED_CLOCK);
	first = prev = vmi_sched_clock();
	for (int i = 0; i < 1000; i++) {
		now = vmi_sched_clock();
		CHECK(now >= prev, "went back from %lu to %lu", prev, now);
		prev = now;
	}
	for (int i = 0; i < 100000; i++)
		pause();
	now = vmi_sched_clock();
	CHECK(now > first, "did not advance: %lu then %lu", first, now);
}
