/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The TLB tests' common step: map va to frame A and use it (so that the
 * translation is cached where the CPU caches), then point the entry at B
 * without a flush. Returns 0, or -1 when the first mapping did not work.
 */
#ifndef CONFORMANCE_REMAP_H
#define CONFORMANCE_REMAP_H

#include "test.h"

static inline int remap_without_flush(u64 va, u64 flags, u64 *a, u64 *b)
{
	u64 *pte = env__scratch_pte(va), v = 0;

	a[0] = 0xaaaa;
	b[0] = 0xbbbb;
	vmi_set_pte(env__pa(pte), env__pa(a) | PTE_P | PTE_W | flags);
	vmi_flush_tlb_one(va);
	if (env__read64(va, &v) >= 0 || v != 0xaaaa)
		return -1;
	vmi_set_pte(env__pa(pte), env__pa(b) | PTE_P | PTE_W | flags);
	return 0;
}

#endif
