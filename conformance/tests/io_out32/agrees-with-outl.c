/*
 * Spec 6, io_out32: "Write a doubleword to an I/O port (OUTL)".
 * Correct: the doubleword reaches the device as OUTL's would: on COM1, a
 * doubleword at 0x3fc puts its top byte in the scratch register (0x3ff).
 * Probe: write MCR, LSR, MSR as they are and 0x7e on top; read the scratch.
 */
#include "test.h"

TEST(io_out32, "the top byte lands in COM1's scratch register")
{
	u32 keep = inl(0x3fc) & 0x00ffffff;

	outb(0x3ff, 0);
	vmi_io_out32(0x3fc, 0x7e000000u | keep);
	CHECK(inb(0x3ff) == 0x7e, "scratch %#x after writing 0x7e through 0x3fc", inb(0x3ff));
	CHECK(inb(0x3fc) == (keep & 0xff), "MCR %#x, was %#x", inb(0x3fc), keep & 0xff);
}
