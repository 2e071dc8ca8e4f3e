/*
 * Spec 6, load_idt: "Load IDTR from the pseudo-descriptor at desc".
 * Correct: SIDT shows the new table, and interrupts are delivered through
 * it.
 * Probe: load a copy of the IDT whose vector 0x41 gate points at a
 * different stub; INT 0x41 must reach that stub (it bumps a counter).
 */
#include "test.h"

struct gate {
	u64 lo, hi;
};

extern char conf_int41_stub[];
volatile unsigned conf_int41_hits;
__asm__(".text\nconf_int41_stub: lock incl conf_int41_hits(%rip)\n iretq\n");

TEST(load_idt, "SIDT shows the table loaded; INT goes through it")
{
	static struct gate copy[256] __attribute__((aligned(16)));
	struct desc_ptr cur, d = { sizeof(copy) - 1, (u64)(uintptr_t)copy }, got;
	u64 a = (u64)(uintptr_t)conf_int41_stub;

	__asm__ volatile("sidt %0" : "=m"(cur));
	memcpy(copy, (void *)(uintptr_t)cur.base, sizeof(copy));
	copy[0x41].lo = (a & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((a >> 16 & 0xffff) << 48);
	copy[0x41].hi = a >> 32;
	conf_int41_hits = 0;
	vmi_load_idt(env__pa(&d));
	__asm__ volatile("sidt %0" : "=m"(got));
	CHECK(got.base == d.base && got.limit == d.limit, "SIDT base %#lx limit %#x, loaded %#lx",
	      got.base, got.limit, d.base);
	__asm__ volatile("int $0x41" ::: "memory");
	vmi_load_idt(env__pa(&cur));
	CHECK(conf_int41_hits == 1, "INT 0x41 reached the new gate %u times", conf_int41_hits);
}
