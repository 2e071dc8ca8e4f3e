/*
 * Spec 6, write_idt_entry: "Write one 16-byte IDT gate", result 0.
 * Correct: the gate lands in the live IDT and the CPU uses it.
 * Probe: write vector 0x42's gate to point at a stub that bumps a counter,
 * then raise 0x42 as a timer interrupt.
 */
#include "test.h"

extern char conf_stub_b[];
extern volatile unsigned conf_stub_b_hits;

TEST(write_idt_entry, "a gate written is used")
{
	struct desc_ptr idt;
	u64 a = (u64)(uintptr_t)conf_stub_b;
	u64 lo = (a & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((a >> 16 & 0xffff) << 48);
	s64 r;

	__asm__ volatile("sidt %0" : "=m"(idt));
	conf_stub_b_hits = 0;
	r = vmi_write_idt_entry(idt.base, 0x42, lo, a >> 32);
	CHECK(r == 0, "result %ld", r);
	CHECK(((u64 *)(uintptr_t)idt.base)[0x42 * 2] == lo, "gate not in the IDT");
	env__arm_vector(0x42);
	sti();
	for (unsigned i = 0; i < 1000000 && !conf_stub_b_hits; i++)
		pause();
	cli();
	CHECK(conf_stub_b_hits == 1, "vector 0x42 reached the stub %u times", conf_stub_b_hits);
}
