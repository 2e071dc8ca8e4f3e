/*
 * Spec 6, set_pte: "Write a page-table entry", result 0.
 * Correct: the entry holds the value, and once the (never cached) address
 * is used, it reaches the frame named: writes through the virtual address
 * show at the physical one and back.
 * Probe: map a fresh frame at SCRATCH_VA + 0x3000, write through it, read
 * the frame through the identity map, and the other way round.
 */
#include "test.h"

TEST(set_pte, "a page mapped is usable both ways")
{
	u64 *pt = env__scratch(), *frame = mem__page(), va = SCRATCH_VA + 0x3000, v = 0;
	u64 pte = env__pa(frame) | PTE_P | PTE_W;
	s64 r = vmi_set_pte(env__pa(&pt[3]), pte);

	CHECK(r == 0 && pt[3] == pte, "result %ld, entry %#lx, want %#lx", r, pt[3], pte);
	CHECK(env__write64(va + 8, 0xfeedface) < 0, "writing through the new mapping faulted");
	CHECK(frame[1] == 0xfeedface, "the frame holds %#lx", frame[1]);
	frame[2] = 0xc0ffee;
	CHECK(env__read64(va + 16, &v) < 0 && v == 0xc0ffee, "read %#lx through the mapping", v);
}
