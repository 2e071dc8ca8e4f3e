/*
 * Spec 6, read_pmc: "A counter the virtual CPU does not have gives EIO";
 * rax 0 on error.
 * Correct: counter 0x7fff gives rdx = VMI_EIO; counter 0 gives either a
 * value with rdx 0 or EIO (a virtual CPU need not have counters).
 * Probe: both calls. Where the bare RDPMC raises #UD (QEMU TCG), the native
 * ROM, which runs that instruction, must raise the same #UD instead (no
 * fixup covers it): the call is made under an exception catcher.
 */
#include "test.h"

static u64 bare_rdpmc(u64 c)
{
	u32 lo, hi;

	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"((u32)c));
	return ((u64)hi << 32) | lo;
}

TEST(read_pmc, "a counter the CPU lacks gives EIO")
{
	struct vmi_pair r;
	u64 ignored;

	if (env__native() && trap__catch_call(bare_rdpmc, 0, 0, 0, 0, &ignored) == 6) {
		long vec = trap__catch_call(rom__slot_or_die(VMI_CALL_READ_PMC), 0, 0, 0, 0, &ignored);

		CHECK(vec == 6, "the bare RDPMC raises #UD here; the native ROM gave exception %ld", vec);
		return;
	}
	r = vmi_read_pmc(0x7fff);
	CHECK(r.rdx == (u64)VMI_EIO && r.rax == 0, "counter 0x7fff: rax %#lx rdx %ld", r.rax, (s64)r.rdx);
	r = vmi_read_pmc(0);
	CHECK(r.rdx == 0 || (r.rdx == (u64)VMI_EIO && r.rax == 0), "counter 0: rax %#lx rdx %ld",
	      r.rax, (s64)r.rdx);
}
