/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one interface between vmi-run and a CPU backend. backends/hvm runs the
 * guest on /dev/kvm, backends/bt translates it. Both fill the same exit record
 * and one shared exit loop (vm.c) consumes it; nothing outside backends/ knows
 * which backend runs.
 */
#ifndef VMI_BACKEND_H
#define VMI_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct backend;

struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};

struct vcpu_seg {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable;
};

struct vcpu_dtable {
	uint64_t base;
	uint16_t limit;
};

struct vcpu_sregs {
	struct vcpu_seg cs, ds, es, fs, gs, ss, tr, ldt;
	struct vcpu_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
};

enum exit_reason {
	EXIT_IO,	/* port I/O the devices (or the hypercall port) handle */
	EXIT_MMIO,	/* a guest-physical access outside RAM */
	EXIT_HLT,	/* the vCPU halted with nothing pending */
	EXIT_SHUTDOWN,	/* triple fault */
	EXIT_FAULT,	/* the backend cannot go on: message in fault.msg */
	EXIT_INTR,	/* run() returned early at the host's request (signal, timer) */
	EXIT_REASONS
};

struct exit_record {
	enum exit_reason reason;
	union {
		struct {
			uint16_t port;
			uint8_t size;		/* 1, 2 or 4 */
			bool write;
			uint32_t count;		/* > 1 for string I/O */
			uint8_t *data;		/* count * size bytes, owned by the backend */
		} io;
		struct {
			uint64_t gpa;
			uint8_t size;		/* 1, 2, 4 or 8 */
			bool write;
			uint8_t data[8];
		} mmio;
		struct {
			char msg[128];
		} fault;		/* EXIT_FAULT; EXIT_SHUTDOWN may add a note */
	};
};

struct backend_probe {
	bool quick;		/* in: availability only, skip the calibration */
	bool available;
	char why[128];		/* when not available: one line */
	double mips;		/* calibration loop, guest instructions per us */
	double exit_us;		/* cost of one exit to user space */
};

struct backend_ops {
	const char *name;
	/* true: the backend has no interrupt controller or timer of its own, and
	 * vm.c instantiates the user-space PIC and PIT (devices/) for it. */
	bool user_irqchip;
	void (*probe)(struct backend_probe *out);
	struct backend *(*create)(struct vm *vm, char *err, size_t errlen);
	void (*destroy)(struct backend *b);

	int (*get_regs)(struct backend *b, struct vcpu_regs *r);
	int (*set_regs)(struct backend *b, const struct vcpu_regs *r);
	int (*get_sregs)(struct backend *b, struct vcpu_sregs *s);
	int (*set_sregs)(struct backend *b, const struct vcpu_sregs *s);

	/* Run until an exit vm.c must handle. Returns 0, or -1 with the record
	 * set to EXIT_FAULT. */
	int (*run)(struct backend *b, struct exit_record *exit);

	/* An ISA IRQ line (0-15) changed level; the backend's interrupt
	 * controller (in-kernel or the shared user-space models) takes it. */
	void (*set_irq_line)(struct backend *b, unsigned int irq, int level);
	/* Raise a fixed, edge-triggered local-APIC interrupt (the VMI alarm). */
	void (*raise_vector)(struct backend *b, uint8_t vector);
	/* Guest-virtual to guest-physical through the current page tables, as a
	 * supervisor access. Returns 0, or -1 when it does not translate. */
	int (*translate)(struct backend *b, uint64_t gva, bool write, uint64_t *gpa);

	/* Added for the dispatcher (all required). */
	/* Make run() return EXIT_INTR soon. Async-signal-safe: called from a
	 * signal handler or another thread (stdin input, a timer came due). */
	void (*kick)(struct backend *b);
	/* MSR access as the guest's RDMSR/WRMSR; -1 where those would #GP. */
	int (*get_msr)(struct backend *b, uint32_t msr, uint64_t *value);
	int (*set_msr)(struct backend *b, uint32_t msr, uint64_t value);
	/* CPUID as the guest sees it (filtered, with the VMI-x64 leaf 0x40000000):
	 * out = eax, ebx, ecx, edx. */
	void (*cpuid)(struct backend *b, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
	/* Flush this vCPU's translations: one page (global or not) when all is
	 * false, else everything, global entries included. */
	void (*flush_tlb)(struct backend *b, bool all, uint64_t gva);
	/* Optional (may be NULL): after EXIT_INTR, whether the vCPU sits in HLT
	 * with interrupts disabled, which only an NMI could end. vmi-run then
	 * stops as if powered off (Linux's `poweroff` without ACPI ends so). */
	bool (*halted_for_good)(struct backend *b);
};

/* Every backend, in --backend auto's order of preference. bt's is weak so
 * that vmi-run links without backends/bt (then it is simply not listed). */
extern const struct backend_ops hvm_backend_ops;
extern const struct backend_ops bt_backend_ops __attribute__((weak));

#endif
