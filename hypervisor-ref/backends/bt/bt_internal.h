/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared between the parts of the bt core; nothing outside backends/bt. */
#ifndef BT_INTERNAL_H
#define BT_INTERNAL_H

#include <Zydis/Zydis.h>
#include "bt.h"

#define BT_MAX_BLOCK_INSNS 64
#define BT_CACHE_DEFAULT	(5u << 20)	/* vmi-run --bt-cache changes it */
#define BT_HASH_BITS	14
#define BT_BOUNCE	64
#define BT_BOUNCE_CODE	64	/* bytes at t_bounce */
#define PAGE_SIZE	4096ull
#define PAGE_MASK	(~(PAGE_SIZE - 1))

enum acc { ACC_R, ACC_W, ACC_X };

/* A guest memory access in translated code (lives in the code cache, after
 * its block's out-of-line code: 24 bytes, one per access, so kept small). */
struct bt_memdesc {
	uint64_t guest_rip;	/* the instruction, for precise faults */
	int32_t hit;		/* resume here with the host pointer in s0 (offset from the descriptor) */
	int32_t after;		/* resume here after a bounced store's write-back (likewise) */
	uint8_t s0, s1, s2;	/* s2 = 0xff when the sequence borrowed no third register */
	uint8_t s3;		/* a self-loop's budget register (guest value in save_s3), or 0xff */
	uint8_t size;
	uint8_t read : 1, write : 1, parked : 1, align : 1;
	uint8_t store_intent : 1;	/* a load probing the write TLB for a store after it */
	uint8_t va_xor : 1;	/* s0 holds va ^ the slot's tag, s1 the slot's offset */
};

static inline uint8_t *memdesc_code(const struct bt_memdesc *d, int32_t off)
{
	return (uint8_t *)d + off;
}

/* An instruction for the C interpreter, decoded once (helpers__exec): a
 * helper block's, or one called from inside a translated block (bt_helper),
 * which resumes at `resume` when it ran to `next` and changed no mode. */
struct bt_decoded {
	uint64_t rip, next;
	uint8_t *resume;
	bool transfer;		/* a transfer of control: resume in the target's block */
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[];	/* in.operand_count of them, at least BT_DEC_MIN_OPS */
};
#define BT_DEC_MIN_OPS	3	/* the interpreter reads ops[0..2] without a count check */

struct bt_block {
	uint64_t rip, pa, pa2;	/* pa2: second page of a page-crossing insn, or ~0 */
	union {
		uint8_t *code;	/* translated: the budget check, then the body */
		struct bt_decoded *dec;	/* helper: the decoded instruction, or NULL */
	};
	struct bt_block *next;
	uint32_t pnext[2];	/* per-page lists (pa's page, pa2's page); index + 1 */
	uint32_t mode;		/* code bits | cpl<<8 */
	uint16_t ninsn;
	uint8_t body_off;	/* the body (past the budget check) at code + body_off */
	uint8_t exit_off;	/* the exit stub (leaves with rip = this block's) at code - exit_off */
	bool helper;		/* the first instruction runs in the C interpreter */
	bool dead;		/* invalidated by a store; its entries jump to exit */
	uint8_t seg;		/* the cache segment holding its code */
};

static inline uint8_t *block_body(const struct bt_block *b)
{
	return b->code + b->body_off;
}

static inline uint8_t *block_exit(const struct bt_block *b)
{
	return b->code - b->exit_off;
}

/* The code cache is a ring of segments filled in turn: when the one being
 * filled is full, the oldest one is emptied for reuse (cache.c). */
#define BT_SEGMENTS	8

struct bt_cache {
	const uint8_t *cpu;	/* the vCPU record, just below buf (RIP-relative reach) */
	uint8_t *buf;
	size_t used, size;	/* bytes filled, mapped */
	uint8_t *t_exit, *t_slow_mem, *t_slow_wb, *t_helper, *t_base;	/* trampolines */
	uint8_t *t_bounce;	/* a bounced store runs here (memop__bounce_store) */
	uint8_t *t_indirect[2], *t_jc_miss;	/* jump-cache probe per CPL class */
	/* exits with the guest rip in rax (guest rax in CPU_SAVE_RAX): plain,
	 * through the jump cache, and from a chainable stub (rax = the stub) */
	uint8_t *t_rip_exit, *t_rip_indirect[2], *t_chain_exit;
	/* Segment s holds code from seg_start(s) up, decoded instructions from
	 * its end down, and blocks[s * seg_blocks ...][seg_nblocks[s]]. */
	unsigned seg;		/* the segment being filled */
	size_t seg_size, seg_blocks, seg_nblocks[BT_SEGMENTS];
	uint8_t *dec_low;	/* the lowest decoded instruction in the current segment */
	struct bt_block *blocks;
	struct bt_block *hash[1u << BT_HASH_BITS];
	uint8_t *code_page;	/* one byte per guest-physical page */
	uint32_t *page_head;	/* blocks on each guest-physical page; index + 1 */
	uint8_t **chained;	/* exit stubs patched to jump into a block */
	size_t nchained, maxchained;
	uint64_t npages, flushes, evictions, invalidations, ndec;
	uint64_t gen;		/* counts flushes and evictions: code may have gone */
	uint64_t emitted;	/* bytes of code and descriptors translated, all flushes counted */
	struct bt_opts opts;
	char msg[160];
	/* bounce buffer for page-crossing and MMIO accesses */
	uint8_t bounce[BT_BOUNCE] __attribute__((aligned(64)));
	uint64_t bounce_va, bounce_pa[2];
	unsigned bounce_size, bounce_n0;
};

/* A chainable exit stub: jmp rel32 (the chain), mov gs:[SAVE_RAX], rax,
 * lea rax, [the stub], jmp t_chain_exit, then data: a byte, 1 = forward
 * edge, and the guest target (memop__stub, cache__chain). */
#define STUB_FLAG_OFF	24
#define STUB_TARGET_OFF	25
#define STUB_SIZE	33

/* entry.S */
void bt_enter(void *code);
extern char bt_exit[], bt_exit_nosave[], bt_slow_mem[], bt_slow_wb[], bt_helper[];

/* cache.c */
/* The code cache's size for these options, or 0 when out of range. */
size_t cache__size(const struct bt_opts *o);
/* buf: `cache__size` bytes, executable, within rel32 of c (bt__create). */
int cache__init(struct bt_cpu *c, const struct bt_opts *o, uint8_t *buf);
void cache__fini(struct bt_cpu *c);
void cache__flush(struct bt_cpu *c);
/* Code space for a new block: the current segment, or the next one,
 * emptied, when less than `need` bytes are left. */
void cache__reserve(struct bt_cpu *c, size_t need);
void cache__next_segment(struct bt_cpu *c);
size_t cache__nblocks(const struct bt_cache *k);
struct bt_block *cache__lookup(struct bt_cpu *c, uint64_t rip, uint64_t pa, uint32_t mode);
void cache__chain(struct bt_cpu *c, struct bt_block *to);
void cache__page_written(struct bt_cpu *c, uint64_t pa);
void cache__jc_flush(struct bt_cpu *c);
void cache__jc_flush_page(struct bt_cpu *c, uint64_t va);
void cache__jc_fill(struct bt_cpu *c, struct bt_block *b);
void cache__jc_flush_nonglobal(struct bt_cpu *c);

/* translate.c */
struct bt_block *translate__block(struct bt_cpu *c, uint64_t rip, uint64_t pa, uint32_t mode);
int translate__decode(struct bt_cpu *c, uint64_t rip, ZydisDecodedInstruction *in,
		      ZydisDecodedOperand *ops, uint64_t *pa2, uint8_t *bytes, bool raise);

/* memop.c: the translator's tables, once per process (cache__init) */
void memop__init(void);
/* memop.c: where a store whose data went to the bounce buffer runs (the
 * code at its hit, then the write-back). */
uint8_t *memop__bounce_store(struct bt_cache *k, const struct bt_memdesc *d);

/* mmu.c */
void mmu__flush(struct bt_cpu *c);
void mmu__flush_nonglobal(struct bt_cpu *c);
bool mmu__code_global(struct bt_cpu *c, uint64_t va);
void mmu__flush_page(struct bt_cpu *c, uint64_t va);
/* Translate and check; on a fault raises #PF/#GP and returns -1. */
int mmu__translate(struct bt_cpu *c, uint64_t va, enum acc a, bool user, uint64_t *pa, bool raise);
uint8_t *mmu__ram(struct bt_cpu *c, uint64_t pa, uint64_t len);
int mmu__read(struct bt_cpu *c, uint64_t va, void *buf, unsigned len, bool user);
uint8_t *mmu__host(struct bt_cpu *c, uint64_t va, bool write, bool user);
int mmu__write(struct bt_cpu *c, uint64_t va, const void *buf, unsigned len, bool user);
int mmu__fetch(struct bt_cpu *c, uint64_t va, uint64_t *pa, bool raise);
void mmu__drop_write_entries(struct bt_cpu *c, uint64_t pa_page);
int bt_mem_slow(struct bt_cpu *c, struct bt_memdesc *d);
int bt_mem_writeback(struct bt_cpu *c, struct bt_memdesc *d);

/* except.c */
void except__raise(struct bt_cpu *c, int vec, int err);	/* err < 0: none */
void except__pf(struct bt_cpu *c, uint64_t va, uint32_t err);
int except__deliver(struct bt_cpu *c, int vec, int err, bool soft, uint64_t ret_rip);
bool except__triple(struct bt_cpu *c);
void except__fatal(struct bt_cpu *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* helpers.c */
/* Execute the instruction at rip in C; returns a bt_exit to leave, or -1 to go on. */
int helpers__exec(struct bt_cpu *c, const struct bt_decoded *dec);
uint64_t helpers__read_flags(struct bt_cpu *c);

/* run.c */
void run__sync_entry_flags(struct bt_cpu *c);
int bt_helper_call(struct bt_cpu *c, struct bt_decoded *d);
#endif
