/*
 * Spec 6, timer_set_alarm: "A vector below 32 or above 255 gives EINVAL",
 * "an error with no alarm armed".
 * Correct: vectors 31 and 256 give VMI_EINVAL and nothing fires afterwards.
 * Probe: both calls with a past deadline, then wait with IF set.
 */
#include "test.h"

TEST(timer_set_alarm, "vectors 31 and 256 give EINVAL, nothing armed")
{
	s64 r1, r2;

	REQUIRE_CALL(VMI_CALL_TIMER_SET_ALARM);
	vmi_timer_cancel_alarm();
	r1 = vmi_timer_set_alarm(0, 31);
	r2 = vmi_timer_set_alarm(0, 256);
	CHECK(r1 == VMI_EINVAL && r2 == VMI_EINVAL, "results %ld %ld, want %d", r1, r2, VMI_EINVAL);
	sti();
	env__wait_irqs(0, 200000);
	cli();
	CHECK(env__irqs == 0, "an interrupt arrived");
}
