/*
 * Spec 6, write_cr8: "Lowering it may deliver a pending interrupt before
 * the call returns".
 * Correct: with CR8 = 15 an interrupt of vector 0x40 (class 4) stays
 * pending although IF is set; write_cr8(0) lets it in.
 * Probe: raise TEST_VECTOR with CR8 at 15 and interrupts on, wait, check
 * nothing arrived; lower CR8 and see the interrupt delivered.
 */
#include "test.h"

TEST(write_cr8, "CR8 15 holds off vector 0x40; lowering it delivers")
{
	s64 r = vmi_write_cr8(15);

	CHECK(r == 0 && READ_CR(8) == 15, "write_cr8(15) %ld, CR8 %lu", r, READ_CR(8));
	sti();
	env__arm_soon();
	env__wait_pending();
	CHECK(env__irqs == 0, "interrupt delivered with CR8 at 15");
	r = vmi_write_cr8(0);
	CHECK(r == 0, "write_cr8(0) %ld", r);
	CHECK(env__wait_irqs(0, 1000000), "no interrupt after lowering CR8");
}
