/*
 * Spec 6, timer_read: "Available plus stolen never exceeds real; none runs
 * backwards. Another counter gives EINVAL."
 * Correct: over 1000 rounds each counter is monotonic and available +
 * stolen <= real (read last); counter 3 gives VMI_EINVAL.
 * Probe: read the three counters in order stolen, available, real.
 */
#include "test.h"

TEST(timer_read, "counters monotonic, available + stolen <= real, 3 refused")
{
	s64 real = 0, avail = 0, stolen = 0;

	REQUIRE_CALL(VMI_CALL_TIMER_READ);
	for (int i = 0; i < 1000; i++) {
		s64 s = vmi_timer_read(VMI_COUNTER_STOLEN);
		s64 a = vmi_timer_read(VMI_COUNTER_AVAILABLE);
		s64 r = vmi_timer_read(VMI_COUNTER_REAL);

		CHECK(s >= stolen && a >= avail && r >= real, "a counter went back: %ld %ld %ld -> %ld %ld %ld",
		      real, avail, stolen, r, a, s);
		CHECK(a + s <= r, "available %ld + stolen %ld > real %ld", a, s, r);
		real = r;
		avail = a;
		stolen = s;
	}
	CHECK(vmi_timer_read(3) == VMI_EINVAL, "counter 3 accepted");
}
