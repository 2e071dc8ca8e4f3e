/*
 * Spec 6, io_in32: "Read a doubleword from an I/O port (INL)"; "the
 * doubleword read, zero-extended".
 * Correct: the call reads what INL reads from the same port; bits 63:32 of
 * the result are 0. COM1's 0x3fc-0x3ff end in the scratch register.
 * Probe: scratch = 0x69; compare the call with INL at 0x3fc.
 */
#include "test.h"

TEST(io_in32, "agrees with INL, zero-extended")
{
	u64 v;
	u32 bare;

	outb(0x3ff, 0x69);
	bare = inl(0x3fc);
	v = vmi_io_in32(0x3fc);
	CHECK(v == bare, "read %#lx, INL read %#x", v, bare);
}
