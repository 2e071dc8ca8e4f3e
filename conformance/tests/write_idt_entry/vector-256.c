/*
 * Spec 6, write_idt_entry: "A vector above 255 gives EINVAL", "an error
 * with the table unchanged".
 * Correct: index 256 gives VMI_EINVAL and the 16 bytes after a 256-gate
 * table stay as they were.
 * Probe: a 257-gate buffer with a canary in the last gate.
 */
#include "test.h"

TEST(write_idt_entry, "vector 256 gives EINVAL, nothing written")
{
	static u64 table[257 * 2] __attribute__((aligned(16)));
	s64 r;

	table[512] = 0x1111;
	table[513] = 0x2222;
	r = vmi_write_idt_entry(env__pa(table), 256, 0xdead, 0xbeef);
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(table[512] == 0x1111 && table[513] == 0x2222, "the canary after the table changed");
}
