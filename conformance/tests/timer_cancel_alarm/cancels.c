/*
 * Spec 6, timer_cancel_alarm: "Disarm this vCPU's alarm".
 * Correct: an alarm 50 ms ahead, cancelled at once, never fires (waiting
 * 100 ms of the real counter).
 * Probe: arm, cancel, spin with IF set.
 */
#include "test.h"

TEST(timer_cancel_alarm, "a cancelled alarm never fires")
{
	u64 f, end;

	REQUIRE_CALL(VMI_CALL_TIMER_CANCEL_ALARM);
	f = vmi_timer_frequency();
	vmi_timer_set_alarm((u64)vmi_timer_read(VMI_COUNTER_REAL) + f / 20, TEST_VECTOR);
	vmi_timer_cancel_alarm();
	end = (u64)vmi_timer_read(VMI_COUNTER_REAL) + f / 10;
	sti();
	while ((u64)vmi_timer_read(VMI_COUNTER_REAL) < end && !env__irqs)
		pause();
	cli();
	CHECK(env__irqs == 0, "the cancelled alarm fired");
}
