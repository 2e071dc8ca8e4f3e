/*
 * Spec 6, cpuid: "A hypervisor reports its own leaves at 0x40000000
 * (signature "VMI-X64\0\0\0\0\0")".
 * Correct: behind a hypervisor ROM, leaf 0x40000000 through the ROM names
 * VMI-X64 in ebx, ecx, edx. The native ROM has no hypervisor to ask.
 * Probe: one call, compare the 12 signature bytes.
 */
#include "test.h"

TEST(cpuid, "leaf 0x40000000 carries the VMI-X64 signature")
{
	struct vmi_pair r;
	char sig[12];

	if (env__native())
		SKIP("native ROM: no hypervisor leaves");
	r = vmi_cpuid(0x40000000, 0);
	memcpy(sig, (char *)&r.rax + 4, 4);		/* ebx */
	memcpy(sig + 4, &r.rdx, 4);			/* ecx */
	memcpy(sig + 8, (char *)&r.rdx + 4, 4);	/* edx */
	CHECK(!memcmp(sig, "VMI-X64\0\0\0\0\0", 12), "signature %.12s (ebx:ecx:edx)", sig);
}
