/*
 * Spec 6, spin_kick: "Wake a vCPU blocked in spin_wait. An unknown vCPU is
 * ignored." reloc nop natively.
 * Correct: kicking vCPU 4095 (unknown) and this vCPU (not waiting) return
 * and change nothing visible: registers callee-saved, IF kept.
 * Probe: the calls, and the register harness.
 */
#include "test.h"

#define CALLEE_SAVED ((1 << 0) | (1 << 5) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13))

TEST(spin_kick, "an unknown or idle vCPU is ignored")
{
	long bad = -1;

	vmi_spin_kick(4095);
	vmi_spin_kick(0);
	CHECK(!(read_flags() & X86_EFLAGS_IF), "IF set by the call");
	CHECK(!vmi__check_preserved(rom__slot_or_die(VMI_CALL_SPIN_KICK), CALLEE_SAVED, &bad),
	      "%s changed", vmi__reg_names[bad]);
}
