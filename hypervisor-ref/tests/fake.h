/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A fake backend for the unit tests: guest RAM is a calloc'd buffer, the
 * translation is the identity except in a window that "does not map", and
 * every op records what it was asked.
 */
#ifndef VMI_TEST_FAKE_H
#define VMI_TEST_FAKE_H

#include "vm.h"

struct fake {
	struct vcpu_regs regs;
	struct vcpu_sregs sregs;
	uint64_t efer_msr, kgs_base;
	uint64_t nomap_lo, nomap_hi;	/* translate fails in [lo, hi) */
	uint64_t ro_lo, ro_hi;		/* writes fail in [lo, hi) */
	unsigned flushes, kicks, vectors;
	bool flush_all;
	uint64_t flush_gva;
	uint8_t last_vector;
	int irq[16];
	unsigned irq_edges[16];		/* rising edges seen per line */
};

extern struct fake fake;
extern const struct backend_ops fake_ops;

/* A vm over size bytes of zeroed RAM, backed by the fake; no devices. */
void fake__vm(struct vm *vm, uint64_t size);
void fake__vm_free(struct vm *vm);

#endif
