/*
 * Spec 6, io_in16: "Read a word from an I/O port (INW)"; "the word read,
 * zero-extended".
 * Correct: the call reads what INW reads from the same port, and bits 63:16
 * are 0. COM1's 0x3fe/0x3ff (MSR, scratch) make a word whose high byte the
 * test controls.
 * Probe: scratch = 0x96; compare the call with INW at 0x3fe.
 */
#include "test.h"

TEST(io_in16, "agrees with INW, zero-extended")
{
	u64 v;
	u16 bare;

	outb(0x3ff, 0x96);
	bare = inw(0x3fe);
	v = vmi_io_in16(0x3fe);
	CHECK(v == bare, "read %#lx, INW read %#x", v, bare);
	CHECK(v >> 8 == 0x96, "high byte %#lx, the scratch register holds 0x96", v >> 8);
}
