/*
 * Spec 6, read_cr0: "Read CR0".
 * Correct: the value has PE, PG (long mode) and WP (set at boot) and equals
 * what MOV from CR0 shows the guest.
 * Probe: compare the call with the bare instruction.
 */
#include "test.h"

TEST(read_cr0, "PE, PG, WP set; equals MOV from CR0")
{
	u64 v = vmi_read_cr0();

	CHECK((v & 0x80010001) == 0x80010001, "CR0 %#lx lacks PE, WP or PG", v);
	CHECK(v == READ_CR(0), "call %#lx, MOV %#lx", v, READ_CR(0));
}
