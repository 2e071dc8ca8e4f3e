/*
 * Spec 6, irq_disable: "Clear the interrupt flag". Spec 3: "returns with
 * the interrupt flag ... clear".
 * Correct: after the call an interrupt that becomes pending is not
 * delivered; IF reads 0; no register but rax changes.
 * Probe: STI, call, raise TEST_VECTOR (VMI alarm or LAPIC timer), wait until
 * it is pending, check the handler has not run.
 */
#include "test.h"

#define ALL_BUT_RAX 0x3fff

TEST(irq_disable, "holds off a pending interrupt; only rax changes")
{
	long bad = -1;

	sti();
	vmi_irq_disable();
	CHECK(!(read_flags() & X86_EFLAGS_IF), "IF still set");
	env__arm_soon();
	env__wait_pending();
	CHECK(env__irqs == 0, "an interrupt was delivered after irq_disable");
	sti();
	CHECK(env__wait_irqs(0, 1000000), "the interrupt never came (environment problem)");
	CHECK(!vmi__check_preserved(rom__slot_or_die(VMI_CALL_IRQ_DISABLE), ALL_BUT_RAX, &bad),
	      "%s changed", vmi__reg_names[bad]);
}
