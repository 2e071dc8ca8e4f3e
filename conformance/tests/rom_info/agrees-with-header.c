/*
 * Spec 6, rom_info: "rax: ABI major << 48 | ABI minor << 32 | number of
 * calls; rdx: feature flags". Behind the hypercall ROM the hypervisor answers
 * for itself.
 * Correct: both halves equal the ROM header's fields (spec 2.2), so ROM and
 * hypervisor agree on the ABI and the features.
 * Probe: call it (rax and rdx poisoned first) and compare with the header.
 */
#include "test.h"

TEST(rom_info, "agrees with the ROM header")
{
	struct vmi_pair r = vmi_rom_info();
	u64 want = ((u64)vmi.hdr->abi_major << 48) | ((u64)vmi.hdr->abi_minor << 32) | vmi.num_calls;

	CHECK(r.rax == want, "rax %#lx, header says %#lx", r.rax, want);
	CHECK(r.rdx == vmi.features, "rdx (features) %#lx, header says %#lx", r.rdx, vmi.features);
}
