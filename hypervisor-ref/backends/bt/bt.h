/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The bt core: a vCPU, a translation cache and the machine it runs in. This
 * is the interface the backend glue (bt_backend.c) and the tests use; the
 * machine is a small callback table so that the core runs standalone.
 */
#ifndef BT_H
#define BT_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "cpu.h"

struct bt_machine {
	uint8_t *ram;
	uint64_t ram_size;
	void *opaque;
	/* Port I/O, synchronous. Returns 0, or 1 to leave bt__run with BT_EXIT_IO
	 * after the instruction completed. May be NULL (reads give all ones). */
	int (*pio)(void *opaque, uint16_t port, unsigned size, bool write, uint32_t *val);
	/* Access outside RAM. Returns false when nothing answers (reads give
	 * all ones, writes are dropped). May be NULL. */
	bool (*mmio)(void *opaque, uint64_t gpa, unsigned size, bool write, uint64_t *val);
	/* `out dx, eax` to the VMI port at CPL0 in 64-bit mode: the call
	 * number is in eax, arguments in the vCPU registers (spec.md 5). */
	void (*hypercall)(void *opaque, struct bt_cpu *c);
	/* Interrupt controller: the highest pending vector, or -1; acknowledge
	 * takes it. May be NULL. */
	int (*irq_pending)(void *opaque);
	int (*irq_ack)(void *opaque);
	/* CR8 is the local APIC's TPR when there is one. May be NULL. */
	void (*set_cr8)(void *opaque, uint64_t v);
	uint64_t (*get_cr8)(void *opaque);
};

enum bt_exit {
	BT_EXIT_BUDGET,		/* ran its slice; call again */
	BT_EXIT_HLT,		/* halted with interrupts off or nothing pending */
	BT_EXIT_IO,		/* pio() asked to leave */
	BT_EXIT_SHUTDOWN,	/* triple fault */
	BT_EXIT_FAULT,		/* the translator cannot go on: see bt_cpu_msg */
};

struct bt_opts {
	bool single_step;	/* one guest instruction per block (bisecting) */
	bool no_chain;		/* never patch exit stubs into direct jumps */
	size_t cache_size;	/* code cache bytes, 2-256 MiB; 0: BT_CACHE_DEFAULT */
};

struct bt_cpu *bt__create(struct bt_machine *m, const struct bt_opts *o, char *err, size_t errlen);
void bt__destroy(struct bt_cpu *c);
/* Run for about `slice` blocks, or until an exit. */
enum bt_exit bt__run(struct bt_cpu *c, uint64_t slice);
/* Why the last BT_EXIT_FAULT happened. */
const char *bt__fault_msg(struct bt_cpu *c);
/* Make the running loop leave at the next block boundary (interrupts). */
void bt__kick(struct bt_cpu *c);
/* The guest changed state behind the core's back (set_regs/set_sregs). */
void bt__state_changed(struct bt_cpu *c);
/* The same, where of the paging controls only CR3 may have changed: TLB
 * entries of global pages stay, as on a MOV CR3. */
void bt__state_changed_cr3(struct bt_cpu *c);
/* Guest memory holding code changed behind the core's back (loaders). */
void bt__invalidate_code(struct bt_cpu *c);
/* The guest's view of CPUID, RDMSR/WRMSR (-1 where they would #GP), the
 * TLB, and its page tables (supervisor access; -1 when it does not map). */
void bt__cpuid(struct bt_cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4]);
int bt__get_msr(struct bt_cpu *c, uint32_t msr, uint64_t *v);
int bt__set_msr(struct bt_cpu *c, uint32_t msr, uint64_t v);
void bt__flush_tlb(struct bt_cpu *c, bool all, uint64_t gva);
int bt__translate(struct bt_cpu *c, uint64_t gva, bool write, uint64_t *gpa);
/* Counters on stderr (blocks, translations, flushes, slow paths...). */
void bt__print_stats(struct bt_cpu *c);
/* One line per vCPU field group, for fault reports. */
void bt__dump(struct bt_cpu *c, char *buf, size_t len);
#endif
