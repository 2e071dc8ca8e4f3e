/*
 * Spec 6, save_fl: "RFLAGS; only IF (bit 9) is meaningful". Clobbers: all
 * but rax preserved.
 * Correct: IF in the result follows CLI and STI, and the call changes no
 * register but rax.
 * Probe: read with IF clear and set; the register check harness.
 */
#include "test.h"

#define ALL_BUT_RAX 0x3fff

TEST(save_fl, "IF follows CLI/STI; only rax changes")
{
	long bad = -1;
	u64 off, on;

	cli();
	off = vmi_save_fl();
	sti();
	on = vmi_save_fl();
	cli();
	CHECK(!(off & X86_EFLAGS_IF) && (on & X86_EFLAGS_IF), "IF %lu with CLI, %lu with STI",
	      off >> 9 & 1, on >> 9 & 1);
	CHECK(!vmi__check_preserved(rom__slot_or_die(VMI_CALL_SAVE_FL), ALL_BUT_RAX, &bad),
	      "%s changed", vmi__reg_names[bad]);
}
