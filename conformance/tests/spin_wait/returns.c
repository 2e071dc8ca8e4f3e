/*
 * Spec 6, spin_wait: "Wait until *byte != value or a spin_kick for this
 * vCPU; may return early (spuriously) at any time. Interrupts keep the
 * state the caller had."
 * Correct: with *byte != value it returns; with *byte == value and an
 * interrupt handler that changes the byte, a waiter loop ends; IF kept.
 * Probe: the first call directly; then a bounded loop with a periodic timer
 * whose handler clears the byte.
 */
#include "test.h"

static volatile u8 lock_byte;

static void clear_byte(struct trap_frame *f)
{
	(void)f;
	lock_byte = 0;
	env__irqs++;
	apic__eoi();
}

TEST(spin_wait, "returns when the byte differs; interrupts may end a wait")
{
	int i;

	lock_byte = 0;
	vmi_spin_wait(env__pa(&lock_byte), 1);
	CHECK(!(read_flags() & X86_EFLAGS_IF), "IF set by the call");
	lock_byte = 1;
	trap__set_handler(TEST_VECTOR, clear_byte);
	env__arm_periodic();
	sti();
	for (i = 0; i < 10000000 && lock_byte == 1; i++)
		vmi_spin_wait(env__pa(&lock_byte), 1);
	CHECK(read_flags() & X86_EFLAGS_IF, "IF cleared by the call");
	cli();
	CHECK(lock_byte == 0, "the byte never changed (no interrupt?)");
}
