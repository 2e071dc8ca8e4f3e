/*
 * Spec 6, io_delay: "Wait about one ISA bus cycle (native: a write to port
 * 0x80). A hypervisor may return at once."
 * Correct: the call returns, keeps callee-saved registers (System V) and
 * leaves interrupts as they were; 1000 calls finish (no trap storm hang).
 * Probe: the register check harness, then a loop.
 */
#include "test.h"

#define CALLEE_SAVED ((1 << 0) | (1 << 5) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13))

TEST(io_delay, "returns, callee-saved registers intact")
{
	long bad = -1;

	CHECK(!vmi__check_preserved(rom__slot_or_die(VMI_CALL_IO_DELAY), CALLEE_SAVED, &bad),
	      "%s changed", vmi__reg_names[bad]);
	for (unsigned i = 0; i < 1000; i++)
		vmi_io_delay();
	CHECK(!(read_flags() & X86_EFLAGS_IF), "returned with interrupts enabled");
}
