/*
 * Spec 6, write_msr: "Write an MSR", result 0.
 * Correct: a value written to IA32_KERNEL_GS_BASE (0xC0000102) is what
 * read_msr and RDMSR return afterwards; the upper half travels too.
 * Probe: write two values differing in both halves, read back both ways.
 */
#include "test.h"

#define MSR_KERNEL_GS_BASE 0xc0000102

TEST(write_msr, "KERNEL_GS_BASE written reads back, both halves")
{
	static const u64 vals[] = { 0xffff888012345678ull, 0x00007fff00001000ull };

	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
		s64 r = vmi_write_msr(MSR_KERNEL_GS_BASE, vals[i]);
		struct vmi_pair back = vmi_read_msr(MSR_KERNEL_GS_BASE);

		CHECK(r == 0, "write returned %ld", r);
		CHECK(back.rax == vals[i] && back.rdx == 0 && rdmsr(MSR_KERNEL_GS_BASE) == vals[i],
		      "wrote %#lx, read_msr %#lx, RDMSR %#lx", vals[i], back.rax, rdmsr(MSR_KERNEL_GS_BASE));
	}
}
