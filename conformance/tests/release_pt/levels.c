/*
 * Spec 6, release_pt: "Announce that a page-table page is freed. Arguments
 * as alloc_pt"; reloc nop natively: returns 0.
 * Correct: releasing an announced page gives 0; level 7 and a pfn outside
 * RAM give VMI_EINVAL behind a hypervisor.
 * Probe: alloc then release at level 1; then the bad arguments.
 */
#include "test.h"

TEST(release_pt, "an announced page is released; bad arguments refused")
{
	u64 pfn = env__pa(mem__page()) >> 12;
	s64 r;

	vmi_alloc_pt(pfn, 1);
	r = vmi_release_pt(pfn, 1);
	CHECK(r == 0, "result %ld", r);
	if (rom__reloc(VMI_CALL_RELEASE_PT) == VMI_RELOC_NOP)
		SKIP("reloc nop: no refusals to check (returned 0 as it must)");
	CHECK(vmi_release_pt(pfn, 7) == VMI_EINVAL, "level 7 accepted");
	CHECK(vmi_release_pt(1ull << 40, 1) == VMI_EINVAL, "pfn 2^40 accepted");
}
