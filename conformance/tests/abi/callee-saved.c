/*
 * Spec 3: "Calls marked System V may change rax, rcx, rdx, rsi, rdi,
 * r8-r11 and the arithmetic flags, and preserve every other register."
 * Correct: rbx, rbp, r12-r15 survive every call that can be made without
 * arguments here.
 * Probe: fill every register with a pattern, call, compare (call.S). Calls
 * that take pointers or change machine state are checked elsewhere.
 */
#include "test.h"

#define CALLEE_SAVED ((1 << 0) | (1 << 5) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13))

TEST(abi, "callee-saved registers survive argument-less calls")
{
	static const unsigned calls[] = {
		VMI_CALL_ROM_INFO, VMI_CALL_READ_CR0, VMI_CALL_READ_CR2, VMI_CALL_READ_CR3,
		VMI_CALL_READ_CR4, VMI_CALL_READ_CR8, VMI_CALL_STORE_TR, VMI_CALL_WBINVD,
		VMI_CALL_IO_DELAY, VMI_CALL_SAVE_FL, VMI_CALL_FLUSH_TLB_USER, VMI_CALL_FLUSH_TLB_KERNEL,
		VMI_CALL_LAZY_MMU_ENTER, VMI_CALL_LAZY_MMU_FLUSH, VMI_CALL_LAZY_MMU_LEAVE,
		VMI_CALL_SCHED_CLOCK, VMI_CALL_TIMER_FREQUENCY, VMI_CALL_TIMER_CANCEL_ALARM,
	};
	unsigned tested = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(calls); i++) {
		long bad = -1;

		if (!env__has(calls[i]))
			continue;
		tested++;
		CHECK(!vmi__check_preserved(rom__slot(calls[i]), CALLEE_SAVED, &bad), "%s changed %s",
		      vmi__call_names[calls[i]], vmi__reg_names[bad]);
	}
	test__note("%u calls checked", tested);
}
