/*
 * Spec 6, flush_tlb_one: "Flush this vCPU's translation of one page
 * (INVLPG), global or not".
 * Correct: after remapping a page (set_pte does not flush) and flushing
 * that page, the address reaches the new frame.
 * Probe: remap_without_flush, flush, read. (A CPU may have dropped the old
 * translation anyway; QEMU's TLB keeps it, so a no-op flush is caught.)
 */
#include "test.h"
#include "remap.h"

TEST(flush_tlb_one, "the page's new mapping is seen after the flush")
{
	u64 va = SCRATCH_VA + 0x7000, v = 0;

	env__scratch();
	CHECK(!remap_without_flush(va, 0, mem__page(), mem__page()), "the first mapping did not work");
	vmi_flush_tlb_one(va);
	CHECK(env__read64(va, &v) < 0 && v == 0xbbbb, "read %#lx, want the new frame's 0xbbbb", v);
}
