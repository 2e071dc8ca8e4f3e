/*
 * Spec 6, io_in16: "Read a word from an I/O port (INW). Bits 63:16 of port
 * are ignored"; "the word read, zero-extended".
 * Correct: the call reads what INW reads from the same port, with bits
 * 63:16 of the result 0. COM1's 0x3fe/0x3ff (MSR, scratch) give a word
 * whose high byte the test controls where the device model splits word
 * accesses as ISA hardware does.
 * Probe: scratch = 0x96; compare the call with INW at 0x3fe, also with
 * garbage in the port argument's upper bits.
 */
#include "test.h"

TEST(io_in16, "agrees with INW, zero-extended")
{
	u64 v, w;
	u16 bare;

	outb(0x3ff, 0x96);
	bare = inw(0x3fe);
	v = vmi_io_in16(0x3fe);
	w = vmi_io_in16(0xabcd0000ull | 0x3fe);
	CHECK(v == bare, "read %#lx, INW read %#x", v, bare);
	CHECK(w == bare, "read %#lx with upper port bits set, INW read %#x", w, bare);
}
