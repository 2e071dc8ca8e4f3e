/*
 * Spec 6, set_pte: "A present entry with reserved physical-address bits set
 * gives EINVAL", "an error with the entry unchanged".
 * Correct: a present entry with bit 51 set (reserved under any MAXPHYADDR
 * below 52) is refused and the old entry stays.
 * Probe: one call, read the entry. The native ROM stores what it is given
 * (the CPU faults on use), so this is a hypervisor-side check.
 */
#include "test.h"

TEST(set_pte, "reserved address bits give EINVAL, entry unchanged")
{
	u64 *pt = env__scratch(), *frame = mem__page();
	u32 r4[4];
	s64 r;

	if (env__native())
		SKIP("native ROM: the refusal is the CPU's #PF on use");
	cpuid(0x80000008, 0, r4);
	if ((r4[0] & 0xff) >= 52)
		SKIP("MAXPHYADDR 52: no reserved address bit");
	pt[5] = 0;
	r = vmi_set_pte(env__pa(&pt[5]), env__pa(frame) | (1ull << 51) | PTE_P | PTE_W);
	CHECK(r == VMI_EINVAL, "result %ld, want %d", r, VMI_EINVAL);
	CHECK(pt[5] == 0, "entry %#lx, was 0", pt[5]);
}
