/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Handlers for the mmu group. vmi-run runs the guest on hardware (or
 * translated) paging over guest RAM, so a page-table write is a checked store
 * into RAM and the announcements (alloc_pt, lazy mode) need no work; the TLB
 * calls go to the backend.
 */
#include "dispatch.h"

#define E(x) ((uint64_t)(int64_t)(x))
#define PTE_P 1ull

/* One checked store: aligned, translates to RAM, and a present entry keeps
 * the physical-address bits above MAXPHYADDR clear. */
static int64_t store_entry(struct hc_ctx *c, uint64_t gva, uint64_t value)
{
	uint64_t *p = dispatch__gva_u64(c, gva, true);

	if (!p)
		return VMI_EFAULT;
	if ((value & PTE_P) && (value & dispatch__pte_reserved(c)))
		return VMI_EINVAL;
	/* A whole-entry store, as the hardware walker must never see half. */
	__atomic_store_n(p, value, __ATOMIC_RELEASE);
	return 0;
}

static uint64_t set_entry(struct hc_ctx *c)
{
	return E(store_entry(c, c->a[0], c->a[1]));
}

uint64_t hc_set_pte(struct hc_ctx *c) { return set_entry(c); }
uint64_t hc_set_pmd(struct hc_ctx *c) { return set_entry(c); }
uint64_t hc_set_pud(struct hc_ctx *c) { return set_entry(c); }
uint64_t hc_set_p4d(struct hc_ctx *c) { return set_entry(c); }
uint64_t hc_set_pgd(struct hc_ctx *c) { return set_entry(c); }
uint64_t hc_ptep_modify_prot_commit(struct hc_ctx *c) { return set_entry(c); }

uint64_t hc_ptep_modify_prot_start(struct hc_ctx *c)
{
	uint64_t *p = dispatch__gva_u64(c, c->a[0], true);

	return p ? __atomic_exchange_n(p, 0, __ATOMIC_ACQ_REL) : 0;
}

static uint64_t pt_announce(struct hc_ctx *c)
{
	uint64_t pfn = c->a[0], level = c->a[1];

	if (level < 1 || level > 5 || pfn >= c->vm->ram_size >> 12)
		return E(VMI_EINVAL);
	return 0;
}

uint64_t hc_alloc_pt(struct hc_ctx *c) { return pt_announce(c); }
uint64_t hc_release_pt(struct hc_ctx *c) { return pt_announce(c); }

uint64_t hc_flush_tlb_user(struct hc_ctx *c)
{
	c->ops->flush_tlb(c->b, true, 0);	/* global entries too: a superset */
	return 0;
}

uint64_t hc_flush_tlb_kernel(struct hc_ctx *c)
{
	c->ops->flush_tlb(c->b, true, 0);
	return 0;
}

uint64_t hc_flush_tlb_one(struct hc_ctx *c)
{
	c->ops->flush_tlb(c->b, false, c->a[0]);
	return 0;
}

uint64_t hc_flush_tlb_multi(struct hc_ctx *c)
{
	uint64_t ncpus = c->a[1];
	uint8_t first;

	if (ncpus > 4096)
		return E(VMI_EINVAL);
	if (ncpus == 0)
		return 0;
	/* vmi-run has one vCPU (number 0): only its bit matters, but the whole
	 * mask must be readable, as it would be to an SMP hypervisor. */
	for (uint64_t off = 0; off < (ncpus + 7) / 8; off += 64) {
		uint8_t chunk[64];
		uint64_t n = (ncpus + 7) / 8 - off;
		if (dispatch__gva_read(c, c->a[0] + off, chunk, n < 64 ? n : 64))
			return E(VMI_EFAULT);
		if (off == 0)
			first = chunk[0];
	}
	if (first & 1)
		c->ops->flush_tlb(c->b, true, 0);
	return 0;
}

uint64_t hc_activate_mm(struct hc_ctx *c) { (void)c; return 0; }
uint64_t hc_exit_mmap(struct hc_ctx *c) { (void)c; return 0; }
uint64_t hc_lazy_mmu_enter(struct hc_ctx *c) { (void)c; return 0; }
uint64_t hc_lazy_mmu_leave(struct hc_ctx *c) { (void)c; return 0; }
uint64_t hc_lazy_mmu_flush(struct hc_ctx *c) { (void)c; return 0; }

uint64_t hc_mmu_batch_flush(struct hc_ctx *c)
{
	struct vmi_mmu_update u[VMI_MAX_BATCH];
	uint64_t batch = c->a[0], count = c->a[1];

	if (count > VMI_MAX_BATCH || (batch & 4095) + count * sizeof(u[0]) > 4096)
		return E(VMI_EINVAL);
	if (count == 0)
		return 0;
	if (dispatch__gva_read(c, batch, u, count * sizeof(u[0])))
		return E(VMI_EFAULT);
	for (uint64_t i = 0; i < count; i++) {
		int64_t rc;
		if ((u[i].entry & VMI_BATCH_OP_MASK) != VMI_BATCH_OP_STORE)
			return E(VMI_EINVAL);
		rc = store_entry(c, u[i].entry & ~VMI_BATCH_OP_MASK, u[i].value);
		if (rc)
			return E(rc);
	}
	return count;
}
