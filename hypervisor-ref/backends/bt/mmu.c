// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Guest memory: a software page walk (4-level long mode, or paging off)
 * behind the TLB that translated code probes inline. Every host pointer into
 * guest RAM is made here, after a range check.
 */
#include <string.h>
#include "bt_internal.h"

#define PTE_P	0x1ull
#define PTE_W	0x2ull
#define PTE_U	0x4ull
#define PTE_A	0x20ull
#define PTE_D	0x40ull
#define PTE_PS	0x80ull
#define PTE_G	0x100ull
#define PTE_NX	(1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define PF_P	0x1u
#define PF_W	0x2u
#define PF_U	0x4u
#define PF_RSVD	0x8u
#define PF_I	0x10u

uint8_t *mmu__ram(struct bt_cpu *c, uint64_t pa, uint64_t len)
{
	if (pa >= c->m->ram_size || len > c->m->ram_size - pa)
		return NULL;
	return c->m->ram + pa;
}

/* Both TLB flushes also drop the jump cache: its entries skip the
 * rip -> physical check the dispatcher makes. */
static void itlb_flush(struct bt_cpu *c)
{
	for (int u = 0; u < 2; u++)
		for (int i = 0; i < 64; i++)
			c->itlb[u][i].vpage = 1;
}

/*
 * Empty the data TLB's entries, or (keep_global) those not of global pages.
 * Only the slots filled since the last flush are visited (a CR3 write
 * flushes thousands of times a boot and a process fills a few hundred
 * between two); all 4 x BT_TLB_ENTRIES when more were.
 */
static void tlb_flush(struct bt_cpu *c, bool keep_global)
{
	struct bt_tlbe *t = &c->tlb[0][0][0];
	const uint8_t *g = &c->tlb_global[0][0][0];
	unsigned kept = 0;
	if (c->tlb_nused > BT_TLB_USED) {
		for (unsigned k = 0; k < 4 * BT_TLB_ENTRIES; k++)
			if (!keep_global || !g[k])
				t[k].tag = tlb_empty_tag(k % BT_TLB_ENTRIES);
		/* the kept ones are not listed: the next flush goes over all */
		c->tlb_nused = keep_global ? BT_TLB_USED + 1 : 0;
		return;
	}
	for (unsigned n = 0; n < c->tlb_nused; n++) {
		unsigned k = c->tlb_used[n];
		if (keep_global && g[k] && t[k].tag != tlb_empty_tag(k % BT_TLB_ENTRIES)) {
			c->tlb_used[kept++] = (uint16_t)k;
			continue;
		}
		t[k].tag = tlb_empty_tag(k % BT_TLB_ENTRIES);
	}
	c->tlb_nused = kept;
}

void mmu__flush(struct bt_cpu *c)
{
	itlb_flush(c);
	if (c->cache)
		cache__jc_flush(c);
	tlb_flush(c, false);
}

/* MOV CR3 (SDM 4.10.4.1): all but the global pages' entries. */
void mmu__flush_nonglobal(struct bt_cpu *c)
{
	for (int u = 0; u < 2; u++)
		for (int i = 0; i < 64; i++)
			if (!c->itlb_global[u][i])
				c->itlb[u][i].vpage = 1;
	if (c->cache)
		cache__jc_flush_nonglobal(c);
	tlb_flush(c, true);
}

/* Whether the fetch TLB maps va's page as global (the dispatcher has
 * just fetched from it). */
bool mmu__code_global(struct bt_cpu *c, uint64_t va)
{
	unsigned u = c->cpl == 3, i = (unsigned)(va >> 12) & 63;
	return c->itlb[u][i].vpage == (va & PAGE_MASK) && c->itlb_global[u][i];
}

void mmu__flush_page(struct bt_cpu *c, uint64_t va)
{
	for (int u = 0; u < 2; u++)
		c->itlb[u][(va >> 12) & 63].vpage = 1;
	cache__jc_flush_page(c, va);
	unsigned i = (va >> 12) & (BT_TLB_ENTRIES - 1);
	for (int u = 0; u < 2; u++)
		for (int w = 0; w < 2; w++)
			c->tlb[u][w][i].tag = tlb_empty_tag(i);
}

/* A physical page became code: no write entry may map it any longer. */
void mmu__drop_write_entries(struct bt_cpu *c, uint64_t pa_page)
{
	uint8_t *h = mmu__ram(c, pa_page, PAGE_SIZE);
	if (!h)
		return;
	for (int u = 0; u < 2; u++)
		for (unsigned i = 0; i < BT_TLB_ENTRIES; i++) {
			struct bt_tlbe *e = &c->tlb[u][1][i];
			if (e->tag != tlb_empty_tag(i) && (uint8_t *)(uintptr_t)e->host == h)
				e->tag = tlb_empty_tag(i);
		}
}

static bool canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static int read_pte(struct bt_cpu *c, uint64_t pa, uint64_t **pte)
{
	*pte = (uint64_t *)(void *)mmu__ram(c, pa, 8);
	return *pte ? 0 : -1;
}

/*
 * Walk the page tables. Returns 0 with *pa, or -1 with the #PF error code.
 * Accessed bits of the upper levels are set as the walk goes (as hardware
 * and QEMU do); the leaf's accessed/dirty bits only when the access is allowed.
 */
static int walk(struct bt_cpu *c, uint64_t va, enum acc a, bool user, uint64_t *pa,
		uint32_t *err, bool *writable)
{
	uint32_t e = (a == ACC_W ? PF_W : 0) | (user ? PF_U : 0);
	bool nxe = c->efer & EFER_NXE;
	if (a == ACC_X && nxe)
		e |= PF_I;
	uint64_t table = c->cr3 & PTE_ADDR, entry = 0, *pte = NULL;
	bool w = true, u = true, nx = false;
	int level;
	for (level = 4; level >= 1; level--) {
		unsigned idx = (va >> (12 + 9 * (level - 1))) & 511;
		if (read_pte(c, table + idx * 8, &pte)) {
			*err = e;
			return -1;
		}
		entry = *pte;
		if (!(entry & PTE_P)) {
			*err = e;
			return -1;
		}
		if ((entry & PTE_NX) && !nxe) {
			*err = e | PF_P | PF_RSVD;
			return -1;
		}
		w &= !!(entry & PTE_W);
		u &= !!(entry & PTE_U);
		nx |= !!(entry & PTE_NX);
		if (level == 1 || ((entry & PTE_PS) && level <= 3))
			break;
		if (!(entry & PTE_A))
			*pte = entry | PTE_A;
		table = entry & PTE_ADDR;
	}
	bool deny = (user && !u) || (a == ACC_X && nx) ||
		    (a == ACC_W && !w && (user || (c->cr0 & CR0_WP)));
	if (deny) {
		*err = e | PF_P;
		return -1;
	}
	uint64_t set = PTE_A | (a == ACC_W ? PTE_D : 0);
	if ((entry & set) != set)
		*pte = entry | set;
	uint64_t span = 1ull << (12 + 9 * (level - 1));
	uint64_t base = entry & PTE_ADDR & ~(span - 1);
	*pa = base | (va & (span - 1));
	c->walk_global = (entry & PTE_G) && (c->cr4 & CR4_PGE);
	/* A read fill may only grant write access once the dirty bit is set. */
	*writable = (w || (!user && !(c->cr0 & CR0_WP))) && (entry & PTE_D || a == ACC_W);
	return 0;
}

/* Translate without side effects on failure: *vec and *err say what to raise. */
static int xlate(struct bt_cpu *c, uint64_t va, enum acc a, bool user, uint64_t *pa,
		 int *vec, uint32_t *err)
{
	bool writable;
	if (!(c->cr0 & CR0_PG)) {
		*pa = (c->efer & EFER_LMA) ? va : (uint32_t)va;
		return 0;
	}
	if (!(c->efer & EFER_LMA)) {
		*vec = -1;	/* 32-bit paging: not supported */
		return -1;
	}
	if (!canonical(va)) {
		*vec = EXC_GP;
		*err = 0;
		return -1;
	}
	*vec = EXC_PF;
	return walk(c, va, a, user, pa, err, &writable);
}

static void raise_xlate(struct bt_cpu *c, uint64_t va, int vec, uint32_t err)
{
	if (vec == EXC_PF)
		except__pf(c, va, err);
	else if (vec >= 0)
		except__raise(c, vec, (int)err);
	else
		except__fatal(c, "32-bit paging is not supported (cr0=%#llx)",
			      (unsigned long long)c->cr0);
}

int mmu__translate(struct bt_cpu *c, uint64_t va, enum acc a, bool user, uint64_t *pa, bool raise)
{
	int vec;
	uint32_t err;
	if (xlate(c, va, a, user, pa, &vec, &err) == 0)
		return 0;
	if (raise)
		raise_xlate(c, va, vec, err);
	return -1;
}

/* Paging-mode changes (CR0, CR4, EFER) and CR3 writes all flush. */
int mmu__fetch(struct bt_cpu *c, uint64_t va, uint64_t *pa, bool raise)
{
	unsigned u = c->cpl == 3, i = (unsigned)(va >> 12) & 63;
	if (c->itlb[u][i].vpage == (va & PAGE_MASK)) {
		*pa = c->itlb[u][i].ppage | (va & (PAGE_SIZE - 1));
		return 0;
	}
	if (mmu__translate(c, va, ACC_X, u, pa, raise))
		return -1;
	if ((c->cr0 & CR0_PG) || (c->efer & EFER_LMA)) {
		c->itlb[u][i].vpage = va & PAGE_MASK;
		c->itlb[u][i].ppage = *pa & PAGE_MASK;
		c->itlb_global[u][i] = (c->cr0 & CR0_PG) && c->walk_global;
	}
	return 0;
}

/* One TLB slot, listed for the next flush if it was empty. */
static void tlb_set(struct bt_cpu *c, struct bt_tlbe *e, uint64_t va, uint8_t *h, bool global)
{
	unsigned k = (unsigned)(e - &c->tlb[0][0][0]);
	if (e->tag == tlb_empty_tag(k % BT_TLB_ENTRIES) && c->tlb_nused++ < BT_TLB_USED)
		c->tlb_used[c->tlb_nused - 1] = (uint16_t)k;
	e->tag = va & PAGE_MASK;
	e->host = (uint64_t)(uintptr_t)h;
	(&c->tlb_global[0][0][0])[k] = global;
}

/* Fill the inline TLB for the page of va, when it is plain RAM. */
static void tlb_fill(struct bt_cpu *c, uint64_t va, enum acc a, bool user)
{
	uint64_t pa;
	bool writable = false;
	uint32_t err;
	if (!(c->cr0 & CR0_PG)) {
		pa = (c->efer & EFER_LMA) ? va : (uint32_t)va;
		if (pa != va)
			return;
		writable = true;
	} else if (!(c->efer & EFER_LMA) || walk(c, va, a, user, &pa, &err, &writable)) {
		return;
	}
	uint64_t page = pa & PAGE_MASK;
	uint8_t *h = mmu__ram(c, page, PAGE_SIZE);
	if (!h)
		return;
	unsigned i = (va >> 12) & (BT_TLB_ENTRIES - 1);
	bool global = (c->cr0 & CR0_PG) && c->walk_global;
	tlb_set(c, &c->tlb[user][0][i], va, h, global);
	if (writable && page / PAGE_SIZE < c->cache->npages && !c->cache->code_page[page / PAGE_SIZE])
		tlb_set(c, &c->tlb[user][1][i], va, h, global);
}

/* Physical access, RAM or MMIO, of at most 8 bytes within one page. */
static void phys_rw(struct bt_cpu *c, uint64_t pa, void *buf, unsigned len, bool write)
{
	uint8_t *h = mmu__ram(c, pa, len);
	if (h) {
		if (write) {
			memcpy(h, buf, len);
			if (pa / PAGE_SIZE < c->cache->npages && c->cache->code_page[pa / PAGE_SIZE])
				cache__page_written(c, pa & PAGE_MASK);
		} else {
			memcpy(buf, h, len);
		}
		return;
	}
	c->irq_maybe = 1;	/* a device access may have unmasked an interrupt */
	for (unsigned off = 0; off < len;) {
		unsigned n = len - off >= 8 ? 8 : len - off >= 4 ? 4 : len - off >= 2 ? 2 : 1;
		uint64_t v = ~0ull;
		if (write)
			memcpy(&v, (uint8_t *)buf + off, n);
		bool ok = c->m->mmio && c->m->mmio(c->m->opaque, pa + off, n, write, &v);
		if (!write)
			memcpy((uint8_t *)buf + off, &v, n);
		(void)ok;
		off += n;
	}
}

/* Guest-virtual copy: every page is translated before any byte moves, so a
 * fault leaves memory untouched. Raises the fault and returns -1. */
static int virt_rw(struct bt_cpu *c, uint64_t va, void *buf, unsigned len, bool user, bool write)
{
	uint64_t pa[4];
	uint8_t *host[4];
	unsigned n[4], k = 0;
	if (len > 2 * PAGE_SIZE)
		return -1;
	for (uint64_t v = va, left = len; left; k++) {
		n[k] = (unsigned)(PAGE_SIZE - (v & (PAGE_SIZE - 1)));
		if (n[k] > left)
			n[k] = (unsigned)left;
		/* the inline TLB first: it only holds plain RAM, and never write
		 * access to a page with translations */
		struct bt_tlbe *e = &c->tlb[user][write][(v >> 12) & (BT_TLB_ENTRIES - 1)];
		host[k] = NULL;
		if (e->tag == (v & PAGE_MASK)) {
			host[k] = (uint8_t *)(uintptr_t)e->host + (v & (PAGE_SIZE - 1));
		} else {
			if (mmu__translate(c, v, write ? ACC_W : ACC_R, user, &pa[k], true))
				return -1;
			tlb_fill(c, v, write ? ACC_W : ACC_R, user);
		}
		v += n[k];
		left -= n[k];
	}
	uint8_t *p = buf;
	for (unsigned i = 0; i < k; p += n[i], i++) {
		if (host[i])
			memcpy(write ? host[i] : p, write ? p : host[i], n[i]);
		else
			phys_rw(c, pa[i], p, n[i], write);
	}
	return 0;
}

/* The host address of va when the inline TLB already maps its page for this
 * access (plain RAM; never a write to a page with translations), else NULL. */
uint8_t *mmu__host(struct bt_cpu *c, uint64_t va, bool write, bool user)
{
	struct bt_tlbe *e = &c->tlb[user][write][(va >> 12) & (BT_TLB_ENTRIES - 1)];
	if (e->tag != (va & PAGE_MASK))
		return NULL;
	return (uint8_t *)(uintptr_t)e->host + (va & (PAGE_SIZE - 1));
}

int mmu__read(struct bt_cpu *c, uint64_t va, void *buf, unsigned len, bool user)
{
	return virt_rw(c, va, buf, len, user, false);
}

int mmu__write(struct bt_cpu *c, uint64_t va, const void *buf, unsigned len, bool user)
{
	return virt_rw(c, va, (void *)buf, len, user, true);
}

/* Guest flags from the slow path's parked lahf/seto image and the live DF. */
static uint64_t parked_flags(struct bt_cpu *c, const struct bt_memdesc *d)
{
	if (!d->parked)	/* dead here: nothing later reads them; keep the old image */
		return (c->rflags & RFL_ARITH) | (c->host_fl & RFL_DF);
	uint64_t ah = (c->save_fl >> 8) & 0xff;
	uint64_t fl = ah & (RFL_CF | RFL_PF | RFL_AF | RFL_ZF | RFL_SF);
	if (c->save_fl & 1)
		fl |= RFL_OF;
	return fl | (c->host_fl & RFL_DF);
}

/* Undo the memory path's register borrowing: the precise state before d's insn. */
static void rebuild(struct bt_cpu *c, const struct bt_memdesc *d)
{
	memcpy(c->gpr, c->raw, sizeof(c->gpr));
	c->gpr[d->s0] = c->save_s0;
	c->gpr[d->s1] = c->save_s1;
	c->gpr[R_AX] = c->save_rax;
	if (d->s2 != 0xff)
		c->gpr[d->s2] = c->save_s2;
	if (d->s3 != 0xff)
		c->gpr[d->s3] = c->save_s3;
	c->rflags = (c->rflags & ~RFL_LIVE) | parked_flags(c, d);
	c->rip = d->guest_rip;
	c->in_c = true;
}

/* Called from translated code on a TLB miss; see entry.S. */
int bt_mem_slow(struct bt_cpu *c, struct bt_memdesc *d)
{
	struct bt_cache *k = c->cache;
	bool user = c->cpl == 3;
	if (d->va_xor) {
		/* the probe left va ^ tag in s0 and the slot's offset in s1
		 * (memop__emit); the block's CPL is the vCPU's */
		unsigned slot = (unsigned)(c->raw[d->s1] >> 4) & (BT_TLB_ENTRIES - 1);
		c->raw[d->s0] ^= c->tlb[user][d->write || d->store_intent][slot].tag;
	}
	uint64_t va = c->raw[d->s0];
	enum acc a = d->write ? ACC_W : ACC_R;
	unsigned first = (unsigned)(PAGE_SIZE - (va & (PAGE_SIZE - 1)));
	unsigned n0 = d->size < first ? d->size : first;
	uint64_t pa[2];
	int vec;
	uint32_t err;
	c->slow_mem++;
	if (d->align && (va & 15)) {
		rebuild(c, d);
		except__raise(c, EXC_GP, 0);
		return 0;
	}
	if (d->store_intent) {
		/* A load whose store follows (memop__emit_fused_store): where
		 * the store would succeed through the TLB, take the page for
		 * writing now (the dirty bit set a few instructions early);
		 * else the load goes on as a plain read and -1 in s1 sends the
		 * store down its own miss path. */
		uint64_t pw;
		uint8_t *hw;
		if (n0 == d->size && !xlate(c, va, ACC_W, user, &pw, &vec, &err) &&
		    (hw = mmu__ram(c, pw, d->size)) &&
		    !(pw / PAGE_SIZE < k->npages && k->code_page[pw / PAGE_SIZE])) {
			tlb_fill(c, va, ACC_W, user);
			c->raw[d->s0] = (uint64_t)(uintptr_t)hw;
			if (!d->parked)
				c->raw[R_AX] = c->save_rax;
			c->resume = (uint64_t)(uintptr_t)memdesc_code(d, d->hit);
			return 1;
		}
		c->raw[d->s1] = ~0ull;
	}
	for (int i = 0; i < 2; i++) {
		uint64_t v = i ? va + n0 : va;
		if (i && n0 == d->size)
			break;
		if (xlate(c, v, a, user, &pa[i], &vec, &err)) {
			rebuild(c, d);
			raise_xlate(c, v, vec, err);
			return 0;
		}
	}
	uint8_t *h = n0 == d->size ? mmu__ram(c, pa[0], d->size) : NULL;
	if (h) {
		uint64_t pg = pa[0] / PAGE_SIZE;
		if (d->write && pg < k->npages && k->code_page[pg])
			cache__page_written(c, pa[0] & PAGE_MASK);
		tlb_fill(c, va, a, user);
		c->raw[d->s0] = (uint64_t)(uintptr_t)h;
		if (!d->parked)	/* the miss path borrowed rax for the descriptor */
			c->raw[R_AX] = c->save_rax;
		c->resume = (uint64_t)(uintptr_t)memdesc_code(d, d->hit);
		return 1;
	}
	/* Page-crossing or MMIO: through the bounce buffer. */
	k->bounce_va = va;
	k->bounce_size = d->size;
	k->bounce_pa[0] = pa[0];
	k->bounce_pa[1] = n0 < d->size ? pa[1] : 0;
	k->bounce_n0 = n0;
	memset(k->bounce, 0, sizeof(k->bounce));
	if (d->read) {
		phys_rw(c, pa[0], k->bounce, n0, false);
		if (n0 < d->size)
			phys_rw(c, pa[1], k->bounce + n0, d->size - n0, false);
	}
	c->raw[d->s0] = (uint64_t)(uintptr_t)k->bounce;
	if (!d->parked)
		c->raw[R_AX] = c->save_rax;
	c->resume = (uint64_t)(uintptr_t)(d->write ? memop__bounce_store(k, d) :
					  memdesc_code(d, d->hit));
	return 1;
}

/* The bounced instruction ran; store its result to guest memory. */
int bt_mem_writeback(struct bt_cpu *c, struct bt_memdesc *d)
{
	struct bt_cache *k = c->cache;
	unsigned n0 = k->bounce_n0;
	phys_rw(c, k->bounce_pa[0], k->bounce, n0, true);
	if (n0 < d->size)
		phys_rw(c, k->bounce_pa[1], k->bounce + n0, d->size - n0, true);
	c->resume = (uint64_t)(uintptr_t)memdesc_code(d, d->after);
	return 1;
}
