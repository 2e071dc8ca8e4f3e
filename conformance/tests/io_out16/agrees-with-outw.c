/*
 * Spec 6, io_out16: "Write a word to an I/O port (OUTW)".
 * Correct: the word reaches the device as OUTW's would: on COM1, a word at
 * 0x3fe puts its high byte in the scratch register (0x3ff).
 * Probe: write 0xc300 | MSR through the call, read the scratch register.
 */
#include "test.h"

TEST(io_out16, "the high byte lands in COM1's scratch register")
{
	u8 msr = inb(0x3fe);

	outb(0x3ff, 0);
	vmi_io_out16(0x3fe, 0xc300 | msr);
	CHECK(inb(0x3ff) == 0xc3, "scratch %#x after writing 0xc3 through 0x3fe", inb(0x3ff));
}
