/*
 * Spec 6, io_out8: "Write a byte to an I/O port (OUTB)". The vendor guide
 * requires a 16550-compatible COM1, whose scratch register (0x3ff) keeps
 * the last byte written.
 * Correct: a byte written by the call is what INB reads; bits of the port
 * argument above 15 are ignored (spec 3: narrower types).
 * Probe: write two bytes, the second with garbage in the port's upper bits.
 */
#include "test.h"

#define COM1_SCR 0x3ff

TEST(io_out8, "the byte written reaches COM1's scratch register")
{
	vmi_io_out8(COM1_SCR, 0xa5);
	CHECK(inb(COM1_SCR) == 0xa5, "INB read %#x after writing 0xa5", inb(COM1_SCR));
	vmi_io_out8(0xdead0000ull | COM1_SCR, 0xff00 | 0x3c);
	CHECK(inb(COM1_SCR) == 0x3c, "INB read %#x after writing 0x3c (upper bits set)", inb(COM1_SCR));
}
