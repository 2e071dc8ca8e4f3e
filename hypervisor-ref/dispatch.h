/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The hypercall dispatcher's internals: one handler per call (hc_*.c), the
 * table gen/dispatch.c builds from vmi-spec/calls.toml, and the guest-memory
 * helpers every handler uses so that no pointer argument escapes a check.
 */
#ifndef VMI_DISPATCH_H
#define VMI_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "vmi/abi.h"
#include "vm.h"

struct hc_ctx {
	struct vm *vm;
	struct backend *b;
	const struct backend_ops *ops;
	struct vcpu_regs *regs;		/* rflags may be changed (irq calls) */
	uint64_t a[6];			/* arguments: rdi, rsi, r10, rcx, r8, r9 */
	uint64_t rdx;			/* second result of pair calls */
};

/* Returns rax; pair calls also set c->rdx. */
typedef uint64_t vmi_handler(struct hc_ctx *c);

struct hc_entry {
	const char *name;
	vmi_handler *fn;
	uint8_t nargs;
	uint8_t ret;			/* VMI_RET_* */
	const char *args[6];
};

extern const struct hc_entry dispatch__table[VMI_NUM_CALLS];

/* Guest-virtual memory, translated page by page as a supervisor access.
 * Return 0, or VMI_EFAULT when any byte does not translate into RAM. */
int dispatch__gva_read(struct hc_ctx *c, uint64_t gva, void *dst, uint64_t len);
int dispatch__gva_write(struct hc_ctx *c, uint64_t gva, const void *src, uint64_t len);
/* A host pointer to an 8-byte-aligned u64 in guest RAM, or NULL. */
uint64_t *dispatch__gva_u64(struct hc_ctx *c, uint64_t gva, bool write);
/* The guest's physical-address width (CPUID 0x80000008), 36-52. */
unsigned dispatch__maxphyaddr(struct hc_ctx *c);
/* Physical-address bits a present paging entry must leave clear. */
uint64_t dispatch__pte_reserved(struct hc_ctx *c);

#endif
