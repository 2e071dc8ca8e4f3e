/*
 * Spec 6, alloc_pt: "Announce that a page becomes a page-table page of the
 * given level"; "A pfn outside guest RAM or a level outside 1-5 gives
 * EINVAL". reloc nop (native ROM): "calling it anyway returns 0 in rax".
 * Correct: a RAM page at levels 1-4 gives 0; level 0 and 6, and a pfn at
 * 2^40, give VMI_EINVAL (behind a hypervisor); the native ROM returns 0.
 * Probe: the calls, with rax poisoned before each.
 */
#include "test.h"

TEST(alloc_pt, "RAM pages accepted; bad level or pfn refused")
{
	u64 pfn = env__pa(mem__page()) >> 12;
	s64 r;

	for (u64 level = 1; level <= 4; level++) {
		r = vmi_alloc_pt(pfn, level);
		CHECK(r == 0, "level %lu: result %ld", level, r);
		vmi_release_pt(pfn, level);
	}
	if (rom__reloc(VMI_CALL_ALLOC_PT) == VMI_RELOC_NOP)
		SKIP("reloc nop: no refusals to check (returned 0 as it must)");
	CHECK(vmi_alloc_pt(pfn, 0) == VMI_EINVAL, "level 0 accepted");
	CHECK(vmi_alloc_pt(pfn, 6) == VMI_EINVAL, "level 6 accepted");
	CHECK(vmi_alloc_pt(1ull << 40, 1) == VMI_EINVAL, "pfn 2^40 accepted");
}
