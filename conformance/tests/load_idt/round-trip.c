/*
 * Spec 6, load_idt: "Load IDTR from the pseudo-descriptor at desc".
 * Correct: SIDT shows the new table, and interrupts are delivered through
 * it.
 * Probe: load a copy of the IDT whose vector 0x41 gate points at a
 * different stub; a timer interrupt on 0x41 must reach that stub (it bumps
 * a counter).
 */
#include "test.h"

struct gate {
	u64 lo, hi;
};

extern char conf_stub_a[];
extern volatile unsigned conf_stub_a_hits;

TEST(load_idt, "SIDT shows the table loaded; interrupts go through it")
{
	static struct gate copy[256] __attribute__((aligned(16)));
	struct desc_ptr cur, d = { sizeof(copy) - 1, (u64)(uintptr_t)copy }, got;
	u64 a = (u64)(uintptr_t)conf_stub_a;

	__asm__ volatile("sidt %0" : "=m"(cur));
	memcpy(copy, (void *)(uintptr_t)cur.base, sizeof(copy));
	copy[0x41].lo = (a & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((a >> 16 & 0xffff) << 48);
	copy[0x41].hi = a >> 32;
	conf_stub_a_hits = 0;
	vmi_load_idt(env__pa(&d));
	__asm__ volatile("sidt %0" : "=m"(got));
	CHECK(got.base == d.base && got.limit == d.limit, "SIDT base %#lx limit %#x, loaded %#lx",
	      got.base, got.limit, d.base);
	env__arm_vector(0x41);
	sti();
	for (unsigned i = 0; i < 1000000 && !conf_stub_a_hits; i++)
		pause();
	cli();
	vmi_load_idt(env__pa(&cur));
	CHECK(conf_stub_a_hits == 1, "vector 0x41 reached the new gate %u times", conf_stub_a_hits);
}
