/*
 * Spec 6, read_msr: "rax: the MSR's value; rdx: 0 or an error".
 * Correct: EFER (0xC0000080) reads with LME and LMA set (long mode) and
 * rdx 0; it equals RDMSR's value.
 * Probe: one call, compared with the bare instruction.
 */
#include "test.h"

#define MSR_EFER 0xc0000080
#define EFER_LME_LMA 0x500ull

TEST(read_msr, "EFER reads with LME and LMA, rdx 0")
{
	struct vmi_pair r = vmi_read_msr(MSR_EFER);

	CHECK(r.rdx == 0, "rdx %ld, want 0", (s64)r.rdx);
	CHECK((r.rax & EFER_LME_LMA) == EFER_LME_LMA, "EFER %#lx lacks LME or LMA", r.rax);
	CHECK(r.rax == rdmsr(MSR_EFER), "call %#lx, RDMSR %#lx", r.rax, rdmsr(MSR_EFER));
}
