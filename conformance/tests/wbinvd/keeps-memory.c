/*
 * Spec 6, wbinvd: "Write back and invalidate caches".
 * Correct: memory written before the call reads the same after it (write
 * back, not just invalidate), and the call returns with IF as it was.
 * Probe: fill a page with a pattern, call, compare.
 */
#include "test.h"

TEST(wbinvd, "memory written before it survives")
{
	u64 *p = mem__page();

	for (unsigned i = 0; i < 512; i++)
		p[i] = 0x0123456789abcdefull ^ i;
	vmi_wbinvd();
	for (unsigned i = 0; i < 512; i++)
		CHECK(p[i] == (0x0123456789abcdefull ^ i), "word %u is %#lx", i, p[i]);
	CHECK(!(read_flags() & X86_EFLAGS_IF), "returned with interrupts enabled");
}
