/*
 * Spec 6, write_cr0: "Write CR0", result 0.
 * Correct: clearing and setting WP (bit 16) reads back and takes effect:
 * with WP clear, supervisor writes to a read-only page succeed.
 * Probe: map a read-only page in the scratch window; clear WP through the
 * call, write to it (no fault), set WP again, write again (#PF).
 */
#include "test.h"

#define CR0_WP (1ull << 16)

TEST(write_cr0, "clearing WP allows supervisor writes to read-only pages")
{
	u64 *pt = env__scratch(), *page = mem__page();
	u64 cr0 = vmi_read_cr0();
	long vec;
	s64 r;

	vmi_set_pte(env__pa(&pt[0]), env__pa(page) | PTE_P);
	vmi_flush_tlb_one(SCRATCH_VA);
	r = vmi_write_cr0(cr0 & ~CR0_WP);
	CHECK(r == 0, "write_cr0(WP clear) returned %ld", r);
	CHECK(READ_CR(0) == (cr0 & ~CR0_WP), "CR0 %#lx after clearing WP", READ_CR(0));
	vec = env__write64(SCRATCH_VA, 0x1234);
	CHECK(vec < 0 && page[0] == 0x1234, "write with WP clear: exception %ld", vec);
	r = vmi_write_cr0(cr0);
	CHECK(r == 0 && READ_CR(0) == cr0, "write_cr0(WP set) returned %ld, CR0 %#lx", r, READ_CR(0));
	vec = env__write64(SCRATCH_VA, 0x5678);
	CHECK(vec == 14, "write with WP set: exception %ld, want #PF", vec);
}
