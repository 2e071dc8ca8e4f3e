// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The dispatcher: look up (or translate) the block at rip, run it, take
 * interrupts at block boundaries, and run the C interpreter for helper
 * blocks. Translated code finds the vCPU through the host GS base, which is
 * set while bt__run runs (one vCPU per host thread).
 */
#include <asm/prctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "bt_internal.h"

static void set_gs(struct bt_cpu *c)
{
	syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)c);
}

struct bt_cpu *bt__create(struct bt_machine *m, const struct bt_opts *o, char *err, size_t errlen)
{
	/* One mapping: the vCPU record, then the code cache, so translated
	 * code reaches the record's fields RIP-relative (emit.h). */
	size_t cache = cache__size(o);
	if (!cache) {
		snprintf(err, errlen, "code cache size out of range (2M-256M)");
		return NULL;
	}
	size_t rec = (sizeof(struct bt_cpu) + 4095) & ~(size_t)4095;
	void *map = mmap(NULL, rec + cache, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "cannot map %zu KiB for the vCPU and its code cache",
			 (rec + cache) >> 10);
		return NULL;
	}
	if (mprotect((uint8_t *)map + rec, cache, PROT_READ | PROT_WRITE | PROT_EXEC)) {
		munmap(map, rec + cache);
		snprintf(err, errlen, "cannot make the code cache executable");
		return NULL;
	}
	struct bt_cpu *c = map;
	c->map_size = rec + cache;
	c->m = m;
	c->self = (uint64_t)(uintptr_t)c;
	c->exit_req = -1;
	for (int b = 0; b < 256; b++) {
		c->if_byte[0][b] = (uint8_t)(b & ~(RFL_IF >> 8));
		c->if_byte[1][b] = (uint8_t)(b | (RFL_IF >> 8));
	}
	c->sti_budget_at[0] = offsetof(struct bt_cpu, sink);
	c->sti_budget_at[1] = offsetof(struct bt_cpu, budget);
	c->irq_maybe = 1;
	c->trace = getenv("VMI_BT_TRACE") ? atoi(getenv("VMI_BT_TRACE")) : 0;
	if (cache__init(c, o, (uint8_t *)map + rec)) {
		snprintf(err, errlen, "cannot allocate the translation cache");
		bt__destroy(c);
		return NULL;
	}
	cpu__reset(c);
	c->tlb_nused = BT_TLB_USED + 1;	/* the first flush empties every slot */
	mmu__flush(c);
	/* The host's MXCSR_MASK bounds what a guest may load (FXRSTOR, LDMXCSR). */
	uint8_t img[512] __attribute__((aligned(16)));
	__asm__ volatile("fxsave64 %0" : "=m"(img));
	memcpy(&c->mxcsr_mask, img + 28, 4);
	memcpy(c->fx + 28, img + 28, 4);
	return c;
}

void bt__destroy(struct bt_cpu *c)
{
	if (!c)
		return;
	cache__fini(c);
	munmap(c, c->map_size);
}

const char *bt__fault_msg(struct bt_cpu *c)
{
	return c->cache->msg;
}

/* Async-safe: may come from another thread while translated code runs.
 * The budget store can race with a block's own decrement; the flag cannot,
 * so a lost budget store only delays the exit to the end of the slice. */
void bt__kick(struct bt_cpu *c)
{
	__atomic_store_n(&c->irq_maybe, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->kicked, 1, __ATOMIC_RELAXED);
	c->budget = 0;
}

static void state_changed(struct bt_cpu *c, bool keep_global)
{
	c->fatal = c->shutdown = c->in_df = c->halted = false;
	c->pending_exc = 0;
	c->cache->msg[0] = 0;
	cpu__sync_segbase(c);
	if (keep_global)
		mmu__flush_nonglobal(c);
	else
		mmu__flush(c);
	c->last_stub = 0;
}

void bt__state_changed(struct bt_cpu *c)
{
	state_changed(c, false);
}

/* The new state differs from the old at most in CR3 among what paging
 * depends on (CR0, CR4, EFER): a MOV CR3, which keeps global pages. */
void bt__state_changed_cr3(struct bt_cpu *c)
{
	state_changed(c, true);
}

void bt__invalidate_code(struct bt_cpu *c)
{
	cache__flush(c);
	mmu__flush(c);
}

void bt__flush_tlb(struct bt_cpu *c, bool all, uint64_t gva)
{
	if (all)
		mmu__flush(c);
	else
		mmu__flush_page(c, gva);
}

/* For the hypercall handlers' guest pointers (CPL0). A write is about to
 * land: translations on that page die first, as for a store from a block. */
int bt__translate(struct bt_cpu *c, uint64_t gva, bool write, uint64_t *gpa)
{
	uint8_t *h = mmu__host(c, gva, write, false);
	if (h)
		*gpa = (uint64_t)(h - c->m->ram);
	else if (mmu__translate(c, gva, write ? ACC_W : ACC_R, false, gpa, false))
		return -1;
	if (write)
		cache__page_written(c, *gpa);
	return 0;
}

static bool take_interrupt(struct bt_cpu *c)
{
	struct bt_machine *m = c->m;
	if (!(c->rflags & RFL_IF) || c->irq_shadow)
		return false;
	/* Cleared before the look, so that a kick after it sets it again. */
	__atomic_store_n(&c->irq_maybe, 0, __ATOMIC_SEQ_CST);
	if (!m->irq_pending || m->irq_pending(m->opaque) < 0)
		return false;
	int vec = m->irq_ack(m->opaque);
	if (vec < 0)
		return false;
	c->halted = false;
	c->last_stub = 0;	/* rip moves: the stub that left is not chained here */
	if (c->trace)
		fprintf(stderr, "irq %d at rip %llx rsp %llx fl %llx\n", vec, (unsigned long long)c->rip,
			(unsigned long long)c->gpr[R_SP], (unsigned long long)c->rflags);
	except__deliver(c, vec, -1, false, c->rip);
	return true;
}

/* What an instruction run in C may change that the rest of its block was
 * translated for, or that the dispatcher must see at once. */
struct helper_snap {
	uint64_t cr0, cr3, cr4, efer, flushes, invalidations, tpr_lowered;
	int cpl, bits;
};

static void helper_snap(struct bt_cpu *c, struct helper_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->cr0 = c->cr0;
	s->cr3 = c->cr3;
	s->cr4 = c->cr4;
	s->efer = c->efer;
	s->flushes = c->cache->flushes;
	s->invalidations = c->cache->invalidations;
	s->tpr_lowered = c->tpr_lowered;
	s->cpl = c->cpl;
	s->bits = cpu__code_bits(c);
}

/*
 * After a transfer of control run in C from inside a block (SYSCALL, SYSRET,
 * IRET, INT n, or the exception one of them raised): straight on into the
 * target's block, which is what the dispatcher would run next, unless the
 * dispatcher has something to do first (an interrupt may be due, a kick, a
 * halt or stop). Returns 1 to resume at CPU_RESUME, 0 to leave.
 */
static int transfer_onward(struct bt_cpu *c)
{
	uint64_t pa;
	if (c->fatal || c->shutdown || c->halted || c->irq_shadow ||
	    __atomic_load_n(&c->kicked, __ATOMIC_RELAXED) ||
	    ((c->rflags & RFL_IF) && __atomic_load_n(&c->irq_maybe, __ATOMIC_SEQ_CST)) ||
	    mmu__fetch(c, c->rip, &pa, false))
		return 0;
	uint32_t mode = (uint32_t)cpu__code_bits(c) | (uint32_t)c->cpl << 8;
	struct bt_block *b = cache__lookup(c, c->rip, pa, mode);
	if (!b || b->helper) {
		if (!b && c->cache->msg[0])
			c->fatal = true;
		return 0;
	}
	cache__jc_fill(c, b);
	c->blocks++;
	c->in_c = false;
	c->entry_fl = (c->rflags & RFL_LIVE) | 2;
	c->resume = (uint64_t)(uintptr_t)b->code;
	return 1;
}

/*
 * An instruction for the C interpreter, called from inside its block
 * (entry.S bt_helper) instead of ending the block and coming back through
 * the dispatcher twice. Returns 1 to go on with the block, 0 to leave it:
 * the instruction raised an exception or moved rip, changed the mode, the
 * address space or the code, set IF while an interrupt may be waiting
 * (irq_maybe) or lowered the TPR (a MOV CR8 or a write_cr8 hypercall), set
 * the interrupt shadow, halted, or asked to leave bt__run (c->exit_req).
 */
int bt_helper_call(struct bt_cpu *c, struct bt_decoded *d)
{
	c->rflags = (c->rflags & ~RFL_LIVE) | (c->exit_fl & RFL_LIVE);
	c->rip = d->rip;
	c->in_c = true;
	c->last_stub = 0;
	uint64_t if_before = c->rflags & RFL_IF;
	struct helper_snap before, after;
	bool shadow = c->irq_shadow;
	if (!d->transfer)
		helper_snap(c, &before);
	int r = helpers__exec(c, d);
	if (r >= 0) {
		c->exit_req = r;
		return 0;
	}
	if (d->transfer) {
		if (shadow)	/* it covered this instruction, now done */
			c->irq_shadow = false;
		return transfer_onward(c);
	}
	helper_snap(c, &after);
	if (c->rip != d->next || c->fatal || c->shutdown || c->halted || c->irq_shadow ||
	    (!if_before && (c->rflags & RFL_IF) && __atomic_load_n(&c->irq_maybe, __ATOMIC_SEQ_CST)) ||
	    memcmp(&before, &after, sizeof(before)))
		return 0;
	c->in_c = false;
	c->entry_fl = (c->rflags & RFL_LIVE) | 2;
	c->resume = (uint64_t)(uintptr_t)d->resume;
	return 1;
}

/* Run one translated block (and whatever it chains to). */
static void run_block(struct bt_cpu *c, struct bt_block *b, uint64_t slice)
{
	c->entry_fl = (c->rflags & RFL_LIVE) | 2;
	c->in_c = false;
	c->budget = slice;
	uint64_t gen = c->cache->gen;
	bt_enter(b->code);
	/* A flush or an eviction during the run (a store to a code page, a
	 * transfer helper translating) may have freed the stub that left: it
	 * must not be patched into whatever is translated there next. */
	if (c->cache->gen != gen)
		c->last_stub = 0;
	if (!c->in_c)
		c->rflags = (c->rflags & ~RFL_LIVE) | (c->exit_fl & RFL_LIVE);
	c->blocks++;
}

enum bt_exit bt__run(struct bt_cpu *c, uint64_t slice)
{
	set_gs(c);
	for (uint64_t n = 0; n < slice; n++) {
		if (__atomic_exchange_n(&c->kicked, 0, __ATOMIC_RELAXED))
			return BT_EXIT_BUDGET;
		if (c->fatal)
			return BT_EXIT_FAULT;
		if (c->shutdown)
			return BT_EXIT_SHUTDOWN;
		take_interrupt(c);
		if (c->halted)
			return BT_EXIT_HLT;	/* until an interrupt is delivered */
		bool shadow = c->irq_shadow;
		uint64_t pa;
		if (mmu__fetch(c, c->rip, &pa, true))
			continue;
		uint32_t mode = (uint32_t)cpu__code_bits(c) | (uint32_t)c->cpl << 8;
		struct bt_block *b = cache__lookup(c, c->rip, pa, mode);
		if (!b) {
			/* The fetch or decode raised an exception (possibly a triple
			 * fault), or translation failed with a message. */
			if (c->cache->msg[0])
				c->fatal = true;
			continue;
		}
		if (c->trace > 1)
			fprintf(stderr, "blk %llx rsp %llx%s\n", (unsigned long long)c->rip,
				(unsigned long long)c->gpr[R_SP], b->helper ? " helper" : "");
		if (b->helper) {
			c->last_stub = 0;
			int r = helpers__exec(c, b->dec);
			if (shadow)
				c->irq_shadow = false;
			if (r >= 0)
				return (enum bt_exit)r;
			continue;
		}
		if (c->last_stub)
			cache__chain(c, b);
		cache__jc_fill(c, b);
		/* The shadow held off take_interrupt() above; the block runs alone
		 * (budget 1), and an STI inside it sets a new one. */
		c->irq_shadow = false;
		run_block(c, b, shadow ? 1 : slice - n);
		if (c->exit_req >= 0) {
			enum bt_exit r = (enum bt_exit)c->exit_req;
			c->exit_req = -1;
			return r;
		}
	}
	return c->fatal ? BT_EXIT_FAULT : c->shutdown ? BT_EXIT_SHUTDOWN : BT_EXIT_BUDGET;
}

void bt__print_stats(struct bt_cpu *c)
{
	fprintf(stderr, "bt: blocks=%llu translations=%llu flushes=%llu invalidations=%llu "
		"slow_mem=%llu helpers=%llu exceptions=%llu hypercalls=%llu jc_flushes=%llu\n",
		(unsigned long long)c->blocks, (unsigned long long)c->translations,
		(unsigned long long)c->cache->flushes,
		(unsigned long long)c->cache->invalidations, (unsigned long long)c->slow_mem,
		(unsigned long long)c->helpers, (unsigned long long)c->exceptions,
		(unsigned long long)c->hypercalls, (unsigned long long)c->jc_flushes);
	fprintf(stderr, "bt: cache %zu KiB in %d segments, %zu blocks (%zu B each) in it; "
		"%llu KiB translated in all, %llu segments emptied for reuse, %llu decoded for the interpreter\n",
		c->cache->size >> 10, BT_SEGMENTS, cache__nblocks(c->cache), sizeof(struct bt_block),
		(unsigned long long)(c->cache->emitted >> 10),
		(unsigned long long)c->cache->evictions, (unsigned long long)c->cache->ndec);
}

void bt__dump(struct bt_cpu *c, char *buf, size_t len)
{
	static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi",
		"rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	size_t o = 0;
	for (int i = 0; i < 16 && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s=%016llx%s", names[i],
				      (unsigned long long)c->gpr[i], i % 4 == 3 ? "\n" : " ");
	if (o < len)
		snprintf(buf + o, len - o,
			 "rip=%016llx rflags=%08llx cpl=%d cs=%04x ss=%04x\n"
			 "cr0=%08llx cr2=%016llx cr3=%016llx cr4=%08llx efer=%llx\n",
			 (unsigned long long)c->rip, (unsigned long long)c->rflags, c->cpl,
			 c->seg[S_CS].sel, c->seg[S_SS].sel, (unsigned long long)c->cr0,
			 (unsigned long long)c->cr2, (unsigned long long)c->cr3,
			 (unsigned long long)c->cr4, (unsigned long long)c->efer);
}
