// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * IDT and exception dispatch. Order for an exception: a registered handler,
 * then the fixup hook (the ROM's fault_off/fixup_off, spec 2.4), then an
 * active trap__catch_call, else a register dump and exit: a test kernel
 * never continues past a fault it did not expect.
 */
#include "guest.h"

struct idt_gate {
	u64 lo, hi;
};

extern const u64 isr_table[256];
extern u64 catch_rsp;
extern char catch_landing[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static trap_handler_fn *handlers[256];
static trap_fixup_fn *fixup;
u64 trap__last_cr2;
struct trap_frame trap__last;
unsigned trap__exceptions;

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
	"#SS", "#GP", "#PF", "?15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void trap__init(void)
{
	struct desc_ptr d = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	for (unsigned v = 0; v < 256; v++) {
		u64 a = isr_table[v];

		/* present, DPL 0, 64-bit interrupt gate, selector 0x08 */
		idt[v].lo = (a & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((a >> 16 & 0xffff) << 48);
		idt[v].hi = a >> 32;
	}
	__asm__ volatile("lidt %0" :: "m"(d));
}

void trap__set_handler(unsigned vector, trap_handler_fn *fn)
{
	handlers[vector & 255] = fn;
}

void trap__set_fixup(trap_fixup_fn *fn)
{
	fixup = fn;
}

void trap__dump(const struct trap_frame *f)
{
	const char *name = f->vector < 32 && names[f->vector] ? names[f->vector] : "vector";

	printf("# exception %s (%lu) error %#lx at RIP %#lx CS %#lx RFLAGS %#lx\n",
	       name, f->vector, f->error, f->rip, f->cs, f->rflags);
	printf("#  CR2 %#lx CR3 %#lx RSP %#lx\n", trap__last_cr2, READ_CR(3), f->rsp);
	printf("#  RAX %#lx RBX %#lx RCX %#lx RDX %#lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printf("#  RSI %#lx RDI %#lx RBP %#lx R8 %#lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	printf("#  R9 %#lx R10 %#lx R11 %#lx R12 %#lx\n", f->r9, f->r10, f->r11, f->r12);
	printf("#  R13 %#lx R14 %#lx R15 %#lx\n", f->r13, f->r14, f->r15);
}

void trap__dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (v == 14)
		trap__last_cr2 = READ_CR(2);
	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v >= 32) {
		printf("# unexpected interrupt, vector %u\n", v);
		apic__eoi();
		return;
	}
	if (fixup && fixup(f))
		return;
	if (catch_rsp) {
		trap__exceptions++;
		trap__last = *f;
		f->rip = (u64)(uintptr_t)catch_landing;
		f->rsp = catch_rsp;
		f->rax = v;
		/* The catch may end a test's excursion to CPL 3: back to ring 0. */
		f->cs = 0x08;
		f->ss = 0x10;
		f->rflags &= ~0x3000ull;	/* IOPL */
		return;
	}
	trap__dump(f);
	printf("Bail out! unexpected exception %u\n", v);
	guest__exit(4);
}
