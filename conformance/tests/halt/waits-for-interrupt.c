/*
 * Spec 6, halt: "Halt until the next interrupt (or NMI), leaving the
 * interrupt flag as it is".
 * Correct: with IF set and a periodic timer, the call returns only after an
 * interrupt was handled, and IF is still set.
 * Probe: three rounds (a no-op slot would return before any interrupt).
 */
#include "test.h"

TEST(halt, "returns after an interrupt; IF unchanged")
{
	env__arm_periodic();
	sti();
	for (int i = 0; i < 3; i++) {
		unsigned before = env__irqs;

		vmi_halt();
		CHECK(env__irqs > before, "returned before any interrupt (round %d)", i);
		CHECK(read_flags() & X86_EFLAGS_IF, "IF changed");
	}
	cli();
}
