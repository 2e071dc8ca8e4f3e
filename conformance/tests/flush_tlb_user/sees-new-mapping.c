/*
 * Spec 6, flush_tlb_user: "Flush this vCPU's non-global translations of
 * the current address space".
 * Correct: after remapping two pages without flushing, one flush_tlb_user
 * makes both new mappings visible.
 * Probe: remap_without_flush twice, flush, read both.
 */
#include "test.h"
#include "remap.h"

TEST(flush_tlb_user, "non-global remaps are seen after the flush")
{
	u64 va1 = SCRATCH_VA + 0x8000, va2 = SCRATCH_VA + 0x9000, v1 = 0, v2 = 0;

	env__scratch();
	CHECK(!remap_without_flush(va1, 0, mem__page(), mem__page()), "the first mapping did not work");
	CHECK(!remap_without_flush(va2, 0, mem__page(), mem__page()), "the second mapping did not work");
	vmi_flush_tlb_user();
	CHECK(env__read64(va1, &v1) < 0 && env__read64(va2, &v2) < 0 && v1 == 0xbbbb && v2 == 0xbbbb,
	      "read %#lx %#lx, want 0xbbbb twice", v1, v2);
}
