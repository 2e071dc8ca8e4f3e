/*
 * Spec 6, cpuid: "Execute CPUID as the guest's virtual CPU sees it";
 * rax = ebx << 32 | eax, rdx = edx << 32 | ecx.
 * Correct: for the standard leaves the call and the CPUID instruction
 * describe the same virtual CPU (the hypervisor answers both); the subleaf
 * reaches ecx.
 * Probe: leaves 0, 7.0 and 0xd.0/0xd.1 (which differ by subleaf) through
 * the ROM and through CPUID. Leaf 1's EBX (APIC ID, CLFLUSH) and the
 * hypervisor bit may legitimately differ and are not compared.
 */
#include "test.h"

static int same(u32 leaf, u32 sub, u32 *got, u32 *want)
{
	struct vmi_pair r = vmi_cpuid(leaf, sub);

	cpuid(leaf, sub, want);
	got[0] = (u32)r.rax;
	got[1] = (u32)(r.rax >> 32);
	got[2] = (u32)r.rdx;
	got[3] = (u32)(r.rdx >> 32);
	return !memcmp(got, want, 16);
}

TEST(cpuid, "agrees with the CPUID instruction, subleaf included")
{
	static const u32 leaves[][2] = { { 0, 0 }, { 7, 0 }, { 0xd, 0 }, { 0xd, 1 } };
	u32 got[4], want[4], max[4];

	cpuid(0, 0, max);
	for (unsigned i = 0; i < ARRAY_SIZE(leaves); i++) {
		if (leaves[i][0] > max[0])
			continue;
		CHECK(same(leaves[i][0], leaves[i][1], got, want),
		      "leaf %#x.%u: call %x %x %x %x, CPUID %x %x %x %x", leaves[i][0], leaves[i][1],
		      got[0], got[1], got[2], got[3], want[0], want[1], want[2], want[3]);
	}
	same(1, 0, got, want);
	CHECK(got[0] == want[0] && got[3] == want[3], "leaf 1: eax/edx %x/%x, CPUID %x/%x",
	      got[0], got[3], want[0], want[3]);
}
