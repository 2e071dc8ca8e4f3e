/*
 * Spec 6, safe_halt: "Enable interrupts and halt until the next interrupt,
 * with no window between the two (STI; HLT). Returns with interrupts
 * enabled."
 * Correct: entered with IF clear and an interrupt about to arrive, it
 * returns only after that interrupt was handled, with IF set.
 * Probe: CLI, start a periodic LAPIC timer, call, check the handler count
 * and IF. (A no-op would return at once with the count unchanged.)
 */
#include "test.h"

TEST(safe_halt, "returns after an interrupt, with IF set")
{
	unsigned before;

	for (int i = 0; i < 3; i++) {
		cli();
		env__arm_periodic();
		before = env__irqs;
		vmi_safe_halt();
		CHECK(read_flags() & X86_EFLAGS_IF, "returned with IF clear");
		CHECK(env__irqs > before, "returned before any interrupt (round %d)", i);
		env__disarm();
	}
}
