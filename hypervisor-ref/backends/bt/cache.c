// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The translation cache: one executable buffer, a block table, a hash from
 * guest rip, and the per-physical-page "holds translated code" marks that
 * route stores to those pages through the slow path. The buffer is a ring
 * of BT_SEGMENTS segments: when the one being filled is full, the next (the
 * oldest) is emptied and filled, so a full cache drops an eighth of its
 * translations instead of all of them, and hot code that survives is not
 * translated again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bt_internal.h"
#include "emit.h"

static void empty_all(struct bt_cpu *c);

/* jmp [rip+0]; .quad target: reaches host code from anywhere in the cache */
static uint8_t *tramp(uint8_t *p, void *target)
{
	p[0] = 0xff; p[1] = 0x25;
	memset(p + 2, 0, 4);
	uint64_t t = (uint64_t)(uintptr_t)target;
	memcpy(p + 6, &t, 8);
	return p + 16;
}

static void restore_flags_rax_rcx(struct emit *e)
{
	e_gs_abs(e, OP_LOAD, 0, CPU_SAVE_FL);
	e8(e, 0x04); e8(e, 0x7f);		/* add al, 0x7f */
	e8(e, 0x9e);				/* sahf */
	e_gs_abs(e, OP_LOAD, 1, CPU_SAVE_S1);
	e_gs_abs(e, OP_LOAD, 0, CPU_SAVE_RAX);
}

/*
 * An indirect branch of 64-bit code left with its target in gs:[CPU_RIP]:
 * look it up in this CPL class's jump cache and go straight there (the
 * block's prologue still checks the budget), else leave for the dispatcher.
 * rax, rcx and the flags are parked in slots no slow path uses meanwhile.
 */
static uint8_t *jc_probe(struct bt_cache *k, uint8_t *p, int user)
{
	struct emit e = { p, k->buf + k->size, 0, k->cpu };
	int32_t table = CPU_JC + user * BT_JC_ENTRIES * 16;
	e_gs_abs(&e, OP_STORE, 0, CPU_SAVE_RAX);
	e_gs_abs(&e, OP_STORE, 1, CPU_SAVE_S1);
	e8(&e, 0x9f);					/* lahf */
	e8(&e, 0x0f); e8(&e, 0x90); e8(&e, 0xc0);	/* seto al */
	e_gs_abs(&e, OP_STORE, 0, CPU_SAVE_FL);
	e_gs_abs(&e, OP_LOAD, 0, CPU_RIP);
	e_mov_rr(&e, 1, 0);				/* rcx = rip */
	e8(&e, 0x48); e8(&e, 0xc1); e8(&e, 0xe9); e8(&e, 12);	/* shr rcx, 12 */
	e8(&e, 0x48); e8(&e, 0x31); e8(&e, 0xc1);		/* xor rcx, rax */
	e8(&e, 0x81); e8(&e, 0xe1); e32(&e, BT_JC_ENTRIES - 1);	/* and ecx, 511 */
	e8(&e, 0x48); e8(&e, 0xc1); e8(&e, 0xe1); e8(&e, 4);	/* shl rcx, 4 */
	e_gs_base(&e, OP_CMP, 0, 1, table);
	uint8_t *miss = e_jcc32(&e, 0x5, e.p);
	e_gs_base(&e, OP_LOAD, 0, 1, table + 8);
	e_gs_abs(&e, OP_STORE, 0, CPU_RESUME);
	restore_flags_rax_rcx(&e);
	e8(&e, 0x65); e8(&e, 0xff); e8(&e, 0x24); e8(&e, 0x25);	/* jmp gs:[RESUME] */
	e32(&e, CPU_RESUME);
	patch32(miss, e.p);
	restore_flags_rax_rcx(&e);
	e_jmp32(&e, k->t_jc_miss);
	return e.p;
}

static void init_tramps(struct bt_cache *k)
{
	uint8_t *p = k->buf;
	k->t_exit = p;
	p = tramp(p, bt_exit);
	k->t_slow_mem = p;
	p = tramp(p, bt_slow_mem);
	k->t_slow_wb = p;
	p = tramp(p, bt_slow_wb);
	k->t_helper = p;
	p = tramp(p, bt_helper);
	/* a miss: leave unchained (mov qword gs:[LAST_STUB], 0; jmp t_exit) */
	struct emit e = { p, k->buf + k->size, 0, k->cpu };
	k->t_jc_miss = p;
	e_gs_store_imm(&e, CPU_LAST_STUB, 0);
	e_jmp32(&e, k->t_exit);
	p = e.p;
	for (int u = 0; u < 2; u++) {
		k->t_indirect[u] = p;
		p = jc_probe(k, p, u);
	}
	e.p = p;
	k->t_rip_exit = e.p;
	e_gs_abs(&e, OP_STORE, 0, CPU_RIP);
	e_gs_store_imm(&e, CPU_LAST_STUB, 0);
	e_gs_abs(&e, OP_LOAD, 0, CPU_SAVE_RAX);
	e_jmp32(&e, k->t_exit);
	for (int u = 0; u < 2; u++) {
		k->t_rip_indirect[u] = e.p;
		e_gs_abs(&e, OP_STORE, 0, CPU_RIP);
		e_gs_abs(&e, OP_LOAD, 0, CPU_SAVE_RAX);
		e_jmp32(&e, k->t_indirect[u]);
	}
	k->t_chain_exit = e.p;
	e_gs_abs(&e, OP_STORE, 0, CPU_LAST_STUB);
	e8(&e, 0x48); e8(&e, 0x8b); e8(&e, 0x40); e8(&e, STUB_TARGET_OFF);	/* mov rax, [rax + off] */
	e_gs_abs(&e, OP_STORE, 0, CPU_RIP);
	e_gs_abs(&e, OP_LOAD, 0, CPU_SAVE_RAX);
	e_jmp32(&e, k->t_exit);
	k->t_bounce = e.p;
	p = e.p + BT_BOUNCE_CODE;
	p = k->buf + (((size_t)(p - k->buf) + 63) & ~(size_t)63);	/* segments start aligned */
	k->t_base = p;
	k->used = (size_t)(p - k->buf);
}

static unsigned jc_index(uint64_t rip)
{
	return (unsigned)((rip ^ (rip >> 12)) & (BT_JC_ENTRIES - 1));
}

/*
 * Every entry points at the miss path, so a false tag match only exits.
 * Only the entries filled since the last flush are emptied (a CR3 write
 * flushes, thousands of times a boot, and most spans fill a few hundred);
 * the whole table when more were. keep_global: a CR3 write, after which
 * entries on global pages stay (they map the same code in every address
 * space, as the TLB entries they came from do).
 */
static void jc_flush(struct bt_cpu *c, bool keep_global)
{
	uint64_t miss = (uint64_t)(uintptr_t)c->cache->t_jc_miss;
	unsigned kept = 0;
	c->jc_flushes++;
	if (!keep_global)
		memset(c->jc_pages, 0, sizeof(c->jc_pages));
	if (c->jc_nused > BT_JC_USED) {
		for (int u = 0; u < 2; u++)
			for (int i = 0; i < BT_JC_ENTRIES; i++)
				if (!keep_global || !c->jc_global[u][i]) {
					c->jc[u][i].rip = 1;
					c->jc[u][i].code = miss;
				}
		/* the kept ones are not listed: the next flush goes over all */
		c->jc_nused = keep_global ? BT_JC_USED + 1 : 0;
		return;
	}
	for (unsigned k = 0; k < c->jc_nused; k++) {
		unsigned u = c->jc_used[k] / BT_JC_ENTRIES, i = c->jc_used[k] % BT_JC_ENTRIES;
		if (keep_global && c->jc_global[u][i] && c->jc[u][i].rip != 1) {
			c->jc_used[kept++] = c->jc_used[k];
			continue;
		}
		c->jc[u][i].rip = 1;
		c->jc[u][i].code = miss;
	}
	c->jc_nused = kept;
}

void cache__jc_flush(struct bt_cpu *c)
{
	jc_flush(c, false);
}

void cache__jc_flush_nonglobal(struct bt_cpu *c)
{
	jc_flush(c, true);
}

/* The page filter's bit for va: a multiplicative hash of the whole page
 * number. The low bits alone put a kernel's text and a process's first
 * pages on the same bits, and every INVLPG of a user page emptied the
 * jump cache. */
static unsigned jc_page_bit(uint64_t va)
{
	return (unsigned)(((va >> 12) * 0x9e3779b97f4a7c15ull) >> 52);
}

/* Only 64-bit blocks: the probe is emitted for their indirect exits only.
 * Not a block whose first instruction crosses a page: the page filter and
 * the global bit speak for the first page only. */
void cache__jc_fill(struct bt_cpu *c, struct bt_block *b)
{
	if ((b->mode & 0xff) != 64 || b->helper || b->pa2 != ~0ull)
		return;
	unsigned u = (b->mode >> 8) == 3, i = jc_index(b->rip);
	if (c->jc[u][i].rip == 1 && c->jc_nused++ < BT_JC_USED)
		c->jc_used[c->jc_nused - 1] = (uint16_t)(u * BT_JC_ENTRIES + i);
	c->jc_global[u][i] = mmu__code_global(c, b->rip);
	c->jc[u][i].rip = b->rip;
	c->jc[u][i].code = (uint64_t)(uintptr_t)b->code;
	unsigned pg = jc_page_bit(b->rip);
	c->jc_pages[pg / 64] |= 1ull << (pg % 64);
}

/* Empty the jump cache if it may hold an entry on va's page. */
void cache__jc_flush_page(struct bt_cpu *c, uint64_t va)
{
	unsigned pg = jc_page_bit(va);
	if (c->jc_pages[pg / 64] & (1ull << (pg % 64)))
		cache__jc_flush(c);
}

size_t cache__size(const struct bt_opts *o)
{
	size_t size = o && o->cache_size ? o->cache_size : BT_CACHE_DEFAULT;
	return size < (2u << 20) || size > (256u << 20) ? 0 : size;
}

int cache__init(struct bt_cpu *c, const struct bt_opts *o, uint8_t *buf)
{
	memop__init();
	struct bt_cache *k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	c->cache = k;
	if (o)
		k->opts = *o;
	k->size = cache__size(o);
	k->buf = buf;
	k->cpu = (const uint8_t *)c;
	k->npages = (c->m->ram_size + PAGE_SIZE - 1) / PAGE_SIZE;
	k->code_page = calloc(k->npages ? k->npages : 1, 1);
	k->page_head = calloc(k->npages ? k->npages : 1, sizeof(*k->page_head));
	if (!k->code_page || !k->page_head)
		return -1;
	init_tramps(k);
	k->seg_size = ((size_t)(k->buf + k->size - k->t_base) / BT_SEGMENTS) & ~(size_t)63;
	k->seg_blocks = k->seg_size / 128;
	k->blocks = calloc(k->seg_blocks * BT_SEGMENTS, sizeof(*k->blocks));
	if (!k->blocks)
		return -1;
	empty_all(c);
	c->jc_nused = BT_JC_USED + 1;	/* the first flush empties every entry */
	cache__jc_flush(c);
	return 0;
}

void cache__fini(struct bt_cpu *c)
{
	struct bt_cache *k = c->cache;
	if (!k)
		return;
	const char *dump = getenv("VMI_BT_DUMP");
	if (dump && k->buf) {
		/* For objdump -b binary -m i386:x86-64 --adjust-vma=BASE (printed). */
		FILE *f = fopen(dump, "wb");
		if (f) {
			fwrite(k->buf, 1, k->size, f);
			fclose(f);
			fprintf(stderr, "bt: code cache at %p written to %s\n", (void *)k->buf, dump);
		}
	}
	free(k->blocks);
	free(k->code_page);
	free(k->page_head);
	free(k->chained);
	free(k);
	c->cache = NULL;
}

static uint8_t *seg_start(const struct bt_cache *k, unsigned s)
{
	return k->t_base + s * k->seg_size;
}

static bool in_seg(const struct bt_cache *k, const uint8_t *p, unsigned s)
{
	return p >= seg_start(k, s) && p < seg_start(k, s) + k->seg_size;
}

static void start_segment(struct bt_cache *k, unsigned s)
{
	k->seg = s;
	k->used = (size_t)(seg_start(k, s) - k->buf);
	k->dec_low = seg_start(k, s) + k->seg_size;
}

static void empty_all(struct bt_cpu *c)
{
	struct bt_cache *k = c->cache;
	memset(k->hash, 0, sizeof(k->hash));
	memset(k->code_page, 0, k->npages);
	memset(k->page_head, 0, k->npages * sizeof(*k->page_head));
	memset(k->seg_nblocks, 0, sizeof(k->seg_nblocks));
	k->nchained = 0;
	start_segment(k, 0);
}

/* Drop every translation. Code already running finishes its block: the
 * buffer is not unmapped, and a zero budget makes the next block leave. */
void cache__flush(struct bt_cpu *c)
{
	struct bt_cache *k = c->cache;
	init_tramps(k);
	empty_all(c);
	cache__jc_flush(c);
	k->flushes++;
	k->gen++;
	c->budget = 0;
	c->last_stub = 0;
}

size_t cache__nblocks(const struct bt_cache *k)
{
	size_t n = 0;
	for (unsigned s = 0; s < BT_SEGMENTS; s++)
		n += k->seg_nblocks[s];
	return n;
}

static unsigned hash(uint64_t rip)
{
	return (unsigned)((rip ^ (rip >> 14) ^ (rip >> 28)) & ((1u << BT_HASH_BITS) - 1));
}

static void mark_code(struct bt_cpu *c, struct bt_block *b, uint64_t pa, int slot)
{
	struct bt_cache *k = c->cache;
	uint64_t pg = pa / PAGE_SIZE;
	if (pg >= k->npages)
		return;
	b->pnext[slot] = k->page_head[pg];
	k->page_head[pg] = (uint32_t)(b - k->blocks) + 1;
	if (!k->code_page[pg]) {
		k->code_page[pg] = 1;
		mmu__drop_write_entries(c, pg * PAGE_SIZE);
	}
}

static void unhash(struct bt_cache *k, struct bt_block *b)
{
	for (struct bt_block **p = &k->hash[hash(b->rip)]; *p; p = &(*p)->next)
		if (*p == b) {
			*p = b->next;
			return;
		}
}

/* jmp rel32 at `at` to `to`: a dead block's entry points leave through
 * its own exit stub (rip = the block's), so chains into it stay safe. */
static void redirect(uint8_t *at, uint8_t *to)
{
	at[0] = 0xe9;
	patch32(at + 1, to);
}

/* Drop the translations on one guest-physical page; the code stays in the
 * buffer (until the next flush) with its entries redirected. */
static void invalidate_page(struct bt_cpu *c, uint64_t pg)
{
	struct bt_cache *k = c->cache;
	for (uint32_t i = k->page_head[pg], next; i; i = next) {
		struct bt_block *b = &k->blocks[i - 1];
		next = b->pa / PAGE_SIZE == pg ? b->pnext[0] : b->pnext[1];
		if (b->dead)
			continue;
		b->dead = true;
		unhash(k, b);
		if (!b->helper) {
			redirect(block_body(b), block_exit(b));
			redirect(b->code, block_exit(b));
		}
	}
	k->page_head[pg] = 0;
	k->code_page[pg] = 0;
	k->invalidations++;
	cache__jc_flush(c);
	c->budget = 0;
	c->last_stub = 0;
}

/* Take segment s's blocks (block indexes + 1 in [lo, hi)) off page pg's list. */
static void unlist(struct bt_cache *k, uint64_t pg, uint32_t lo, uint32_t hi)
{
	if (pg >= k->npages)
		return;
	uint32_t *link = &k->page_head[pg];
	while (*link) {
		struct bt_block *b = &k->blocks[*link - 1];
		uint32_t *next = b->pa / PAGE_SIZE == pg ? &b->pnext[0] : &b->pnext[1];
		if (*link >= lo && *link < hi)
			*link = *next;
		else
			link = next;
	}
	if (!k->page_head[pg])
		k->code_page[pg] = 0;
}

/*
 * Empty segment s for reuse: its blocks leave the hash and the page lists,
 * stubs elsewhere chained into it jump to their exit path again, and the
 * jump cache (which may point into it) is emptied. Only between blocks: the
 * dispatcher translating, or a transfer helper about to leave its block.
 */
static void evict(struct bt_cpu *c, unsigned s)
{
	struct bt_cache *k = c->cache;
	size_t n = k->seg_nblocks[s];
	if (!n)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < k->nchained; i++) {
		uint8_t *stub = k->chained[i];
		if (in_seg(k, stub, s))
			continue;
		int32_t rel;
		memcpy(&rel, stub + 1, 4);
		if (in_seg(k, stub + 5 + rel, s)) {
			patch32(stub + 1, stub + 5);	/* back to the exit path */
			continue;
		}
		k->chained[kept++] = stub;
	}
	k->nchained = kept;
	struct bt_block *first = &k->blocks[s * k->seg_blocks];
	uint32_t lo = (uint32_t)(s * k->seg_blocks) + 1, hi = lo + (uint32_t)n;
	uint64_t last_pg = ~0ull;
	for (size_t i = 0; i < n; i++) {
		struct bt_block *b = &first[i];
		if (!b->dead)
			unhash(k, b);
		if (b->pa / PAGE_SIZE != last_pg)
			unlist(k, b->pa / PAGE_SIZE, lo, hi);
		last_pg = b->pa / PAGE_SIZE;
		if (b->pa2 != ~0ull)
			unlist(k, b->pa2 / PAGE_SIZE, lo, hi);
	}
	k->seg_nblocks[s] = 0;
	k->evictions++;
	k->gen++;
	cache__jc_flush(c);
	c->last_stub = 0;
}

void cache__next_segment(struct bt_cpu *c)
{
	struct bt_cache *k = c->cache;
	unsigned s = (k->seg + 1) % BT_SEGMENTS;
	evict(c, s);
	start_segment(k, s);
}

void cache__reserve(struct bt_cpu *c, size_t need)
{
	struct bt_cache *k = c->cache;
	if ((size_t)(k->dec_low - (k->buf + k->used)) < need ||
	    k->seg_nblocks[k->seg] == k->seg_blocks)
		cache__next_segment(c);
}

struct bt_block *cache__lookup(struct bt_cpu *c, uint64_t rip, uint64_t pa, uint32_t mode)
{
	struct bt_cache *k = c->cache;
	unsigned h = hash(rip);
	for (struct bt_block **p = &k->hash[h], *b; (b = *p); p = &b->next) {
		if (b->rip != rip || b->pa != pa || b->mode != mode)
			continue;
		if (b->pa2 != ~0ull) {
			uint64_t pa2;
			if (mmu__translate(c, (rip | (PAGE_SIZE - 1)) + 1, ACC_X, c->cpl == 3, &pa2, false) ||
			    pa2 != b->pa2)
				continue;
		}
		/* to the front: the same rip in other address spaces (old
		 * processes) would otherwise be walked on every lookup */
		*p = b->next;
		b->next = k->hash[h];
		k->hash[h] = b;
		return b;
	}
	struct bt_block *b = translate__block(c, rip, pa, mode);
	if (!b)
		return NULL;
	c->translations++;
	b->next = k->hash[h];
	k->hash[h] = b;
	mark_code(c, b, pa, 0);
	if (b->pa2 != ~0ull)
		mark_code(c, b, b->pa2, 1);
	return b;
}

/* Patch the exit stub that just left to jump straight into `to`. */
void cache__chain(struct bt_cpu *c, struct bt_block *to)
{
	uint8_t *stub = (uint8_t *)(uintptr_t)c->last_stub;
	c->last_stub = 0;
	if (!stub || to->helper || c->cache->opts.no_chain)
		return;
	/* Only the block the stub was leaving for: an interrupt or exception
	 * taken at the boundary moved rip elsewhere. (Stub layout: emit_stub.) */
	uint64_t target;
	memcpy(&target, stub + STUB_TARGET_OFF, 8);
	if (target != to->rip)
		return;
	struct bt_cache *k = c->cache;
	if (k->nchained == k->maxchained) {
		size_t m = k->maxchained ? 2 * k->maxchained : 4096;
		uint8_t **p = realloc(k->chained, m * sizeof(*p));
		if (!p)
			return;	/* left unchained: slower, still right */
		k->chained = p;
		k->maxchained = m;
	}
	k->chained[k->nchained++] = stub;
	patch32(stub + 1, stub[STUB_FLAG_OFF] == 1 ? block_body(to) : to->code);
}

/* A store hit a page holding translations. */
void cache__page_written(struct bt_cpu *c, uint64_t pa)
{
	uint64_t pg = pa / PAGE_SIZE;
	if (pg < c->cache->npages && c->cache->code_page[pg])
		invalidate_page(c, pg);
}
