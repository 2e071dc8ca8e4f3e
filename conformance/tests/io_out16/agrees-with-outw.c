/*
 * Spec 6, io_out16: "Write a word to an I/O port (OUTW)".
 * Correct: the device sees what OUTW would show it: on COM1 a word at 0x3fe
 * puts its high byte in the scratch register where the model splits word
 * accesses as ISA hardware does.
 * Probe: note what INW shows after a bare OUTW, and after nothing; if they
 * differ, the call's write must show the same as the bare one. A device
 * model that ignores word writes there leaves nothing to observe: skipped.
 */
#include "test.h"

TEST(io_out16, "the device sees what OUTW shows it")
{
	u16 val = 0xc300 | inb(0x3fe), want, none, got;

	outb(0x3ff, 0);
	outw(0x3fe, val);
	want = inw(0x3fe);
	outb(0x3ff, 0);
	none = inw(0x3fe);
	if (want == none)
		SKIP("the device at 0x3fe shows no effect of word writes");
	vmi_io_out16(0x3fe, val);
	got = inw(0x3fe);
	CHECK(got == want, "INW shows %#x after the call, %#x after OUTW", got, want);
}
