/*
 * Spec 6, read_cr2: "CR2, the last page-fault linear address".
 * Correct: after a #PF the call returns the faulting address.
 * Probe: read an unmapped address in the scratch window (caught), then
 * compare read_cr2 with that address.
 */
#include "test.h"

TEST(read_cr2, "returns the address of the last page fault")
{
	u64 va = SCRATCH_VA + 0x5008, v;
	long vec;

	env__scratch();
	vec = env__read64(va, &v);
	CHECK(vec == 14, "reading an unmapped page gave exception %ld, want #PF", vec);
	v = vmi_read_cr2();
	CHECK(v == va, "read_cr2 %#lx, fault was at %#lx", v, va);
}
