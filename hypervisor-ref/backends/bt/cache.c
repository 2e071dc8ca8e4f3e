// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The translation cache: one executable buffer, a block table, a hash from
 * guest rip, and the per-physical-page "holds translated code" marks that
 * route stores to those pages through the slow path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bt_internal.h"
#include "emit.h"

/* jmp [rip+0]; .quad target: reaches host code from anywhere in the cache */
static uint8_t *tramp(uint8_t *p, void *target)
{
	p[0] = 0xff; p[1] = 0x25;
	memset(p + 2, 0, 4);
	uint64_t t = (uint64_t)(uintptr_t)target;
	memcpy(p + 6, &t, 8);
	return p + 16;
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
	k->t_base = p;
	k->used = (size_t)(p - k->buf);
}

int cache__init(struct bt_cpu *c, const struct bt_opts *o)
{
	struct bt_cache *k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	c->cache = k;
	if (o)
		k->opts = *o;
	k->buf = mmap(NULL, BT_CACHE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k->buf == MAP_FAILED) {
		k->buf = NULL;
		return -1;
	}
	k->maxblocks = BT_CACHE_SIZE / 128;
	k->blocks = calloc(k->maxblocks, sizeof(*k->blocks));
	k->npages = (c->m->ram_size + PAGE_SIZE - 1) / PAGE_SIZE;
	k->code_page = calloc(k->npages ? k->npages : 1, 1);
	if (!k->blocks || !k->code_page)
		return -1;
	init_tramps(k);
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
			fwrite(k->buf, 1, k->used, f);
			fclose(f);
			fprintf(stderr, "bt: code cache at %p written to %s\n", (void *)k->buf, dump);
		}
	}
	if (k->buf)
		munmap(k->buf, BT_CACHE_SIZE);
	free(k->blocks);
	free(k->code_page);
	free(k);
	c->cache = NULL;
}

/* Drop every translation. Code already running finishes its block: the
 * buffer is not unmapped, and a zero budget makes the next block leave. */
void cache__flush(struct bt_cpu *c)
{
	struct bt_cache *k = c->cache;
	memset(k->hash, 0, sizeof(k->hash));
	memset(k->code_page, 0, k->npages);
	k->nblocks = 0;
	init_tramps(k);
	k->flushes++;
	c->budget = 0;
	c->last_stub = 0;
}

static unsigned hash(uint64_t rip)
{
	return (unsigned)((rip ^ (rip >> 14) ^ (rip >> 28)) & ((1u << BT_HASH_BITS) - 1));
}

static void mark_code(struct bt_cpu *c, uint64_t pa)
{
	struct bt_cache *k = c->cache;
	uint64_t pg = pa / PAGE_SIZE;
	if (pg < k->npages && !k->code_page[pg]) {
		k->code_page[pg] = 1;
		mmu__drop_write_entries(c, pg * PAGE_SIZE);
	}
}

struct bt_block *cache__lookup(struct bt_cpu *c, uint64_t rip, uint64_t pa, uint32_t mode)
{
	struct bt_cache *k = c->cache;
	unsigned h = hash(rip);
	for (struct bt_block *b = k->hash[h]; b; b = b->next) {
		if (b->rip != rip || b->pa != pa || b->mode != mode)
			continue;
		if (b->pa2 != ~0ull) {
			uint64_t pa2;
			if (mmu__translate(c, (rip | (PAGE_SIZE - 1)) + 1, ACC_X, c->cpl == 3, &pa2, false) ||
			    pa2 != b->pa2)
				continue;
		}
		return b;
	}
	struct bt_block *b = translate__block(c, rip, pa, mode);
	if (!b)
		return NULL;
	c->translations++;
	b->next = k->hash[h];
	k->hash[h] = b;
	mark_code(c, pa);
	if (b->pa2 != ~0ull)
		mark_code(c, b->pa2);
	return b;
}

/* Patch the exit stub that just left to jump straight into `to`. */
void cache__chain(struct bt_cpu *c, struct bt_block *to)
{
	uint8_t *stub = (uint8_t *)(uintptr_t)c->last_stub;
	c->last_stub = 0;
	if (!stub || !to->code || c->cache->opts.no_chain)
		return;
	/* Only the block the stub was leaving for: an interrupt or exception
	 * taken at the boundary moved rip elsewhere. (Stub layout: emit_stub.) */
	uint64_t target;
	memcpy(&target, stub + STUB_TARGET_OFF, 8);
	if (target != to->rip)
		return;
	patch32(stub + 1, to->code);
}

/* A store hit a page holding translations. */
void cache__page_written(struct bt_cpu *c, uint64_t pa)
{
	(void)pa;
	cache__flush(c);
}
