/*
 * Spec 6, io_in8: "Read a byte from an I/O port (INB). Bits 63:16 of port
 * are ignored"; "the byte read, zero-extended".
 * Correct: it reads the byte OUTB left in COM1's scratch register, and
 * bits 63:8 of the result are 0.
 * Probe: two values, the second read with garbage in the port's upper bits.
 */
#include "test.h"

#define COM1_SCR 0x3ff

TEST(io_in8, "reads COM1's scratch register, zero-extended")
{
	u64 v;

	outb(COM1_SCR, 0x5a);
	v = vmi_io_in8(COM1_SCR);
	CHECK(v == 0x5a, "read %#lx, want 0x5a", v);
	outb(COM1_SCR, 0xc3);
	v = vmi_io_in8(0xbeef0000ull | COM1_SCR);
	CHECK(v == 0xc3, "read %#lx with upper port bits set, want 0xc3", v);
}
