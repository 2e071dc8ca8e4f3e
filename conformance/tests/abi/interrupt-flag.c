/*
 * Spec 3: "A call returns with the interrupt flag it was entered with,
 * except irq_disable (clear), irq_enable and safe_halt (set)."
 * Correct: side-effect-free calls keep IF clear when entered with IF clear,
 * and set when entered with it set.
 * Probe: each call twice, once per IF state.
 */
#include "test.h"

TEST(abi, "calls keep the interrupt flag they were entered with")
{
	static const unsigned calls[] = {
		VMI_CALL_ROM_INFO, VMI_CALL_READ_CR0, VMI_CALL_READ_CR4, VMI_CALL_READ_CR8,
		VMI_CALL_SAVE_FL, VMI_CALL_STORE_TR, VMI_CALL_IO_DELAY, VMI_CALL_FLUSH_TLB_USER,
		VMI_CALL_FLUSH_TLB_KERNEL, VMI_CALL_SCHED_CLOCK,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(calls); i++) {
		u64 off, on;

		if (!env__has(calls[i]))
			continue;
		cli();
		vmi__call(rom__slot(calls[i]), 0, 0, 0, 0, 0);
		off = read_flags();
		sti();
		vmi__call(rom__slot(calls[i]), 0, 0, 0, 0, 0);
		on = read_flags();
		cli();
		CHECK(!(off & X86_EFLAGS_IF) && (on & X86_EFLAGS_IF), "%s: IF %lu (entered 0), %lu (entered 1)",
		      vmi__call_names[calls[i]], off >> 9 & 1, on >> 9 & 1);
	}
}
