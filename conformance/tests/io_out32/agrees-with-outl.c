/*
 * Spec 6, io_out32: "Write a doubleword to an I/O port (OUTL)".
 * Correct: the device sees what OUTL would show it: on COM1 a doubleword
 * at 0x3fc puts its top byte in the scratch register where the model splits
 * wide accesses as ISA hardware does (MCR, LSR, MSR are rewritten as read).
 * Probe: as io_out16, with INL at 0x3fc; skipped where nothing shows.
 */
#include "test.h"

TEST(io_out32, "the device sees what OUTL shows it")
{
	u32 val = 0x7e000000u | (inl(0x3fc) & 0x00ffffff), want, none, got;

	outb(0x3ff, 0);
	outl(0x3fc, val);
	want = inl(0x3fc);
	outb(0x3ff, 0);
	none = inl(0x3fc);
	if (want == none)
		SKIP("the device at 0x3fc shows no effect of doubleword writes");
	vmi_io_out32(0x3fc, val);
	got = inl(0x3fc);
	CHECK(got == want, "INL shows %#x after the call, %#x after OUTL", got, want);
}
