/*
 * Spec 6, irq_enable: "Set the interrupt flag; a pending interrupt may be
 * delivered before the call returns". Clobbers: all but rax preserved.
 * Correct: an interrupt held pending by IF = 0 is delivered once the call
 * has run (at the latest a few instructions after it returns); IF reads 1.
 * Probe: CLI, raise TEST_VECTOR, wait until pending, call, look.
 */
#include "test.h"

#define ALL_BUT_RAX 0x3fff

TEST(irq_enable, "delivers a pending interrupt; only rax changes")
{
	long bad = -1;

	cli();
	env__arm_soon();
	env__wait_pending();
	CHECK(env__irqs == 0, "delivered with IF clear (environment problem)");
	vmi_irq_enable();
	CHECK(read_flags() & X86_EFLAGS_IF, "IF clear after irq_enable");
	CHECK(env__wait_irqs(0, 1000), "the pending interrupt was not delivered");
	cli();
	CHECK(!vmi__check_preserved(rom__slot_or_die(VMI_CALL_IRQ_ENABLE), ALL_BUT_RAX, &bad),
	      "%s changed", vmi__reg_names[bad]);
}
