/*
 * Spec 6, write_idt_entry: "Write one 16-byte IDT gate", result 0.
 * Correct: the gate lands in the live IDT and the CPU uses it.
 * Probe: write vector 0x42's gate to point at a stub that bumps a counter,
 * then INT 0x42.
 */
#include "test.h"

extern char conf_int42_stub[];
volatile unsigned conf_int42_hits;
__asm__(".text\nconf_int42_stub: lock incl conf_int42_hits(%rip)\n iretq\n");

TEST(write_idt_entry, "a gate written is used by INT")
{
	struct desc_ptr idt;
	u64 a = (u64)(uintptr_t)conf_int42_stub;
	u64 lo = (a & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((a >> 16 & 0xffff) << 48);
	s64 r;

	__asm__ volatile("sidt %0" : "=m"(idt));
	conf_int42_hits = 0;
	r = vmi_write_idt_entry(idt.base, 0x42, lo, a >> 32);
	CHECK(r == 0, "result %ld", r);
	CHECK(((u64 *)(uintptr_t)idt.base)[0x42 * 2] == lo, "gate not in the IDT");
	__asm__ volatile("int $0x42" ::: "memory");
	CHECK(conf_int42_hits == 1, "INT 0x42 reached the stub %u times", conf_int42_hits);
}
