/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The bt vCPU record. Translated code reaches it through the host GS base,
 * so the first part has a fixed layout that entry.S and the code generator
 * address by the CPU_* offsets below (checked by static asserts in cpu.c).
 */
#ifndef BT_CPU_H
#define BT_CPU_H

#define CPU_GPR		0	/* 16 guest GPRs, Intel order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15) */
#define CPU_RIP		128
#define CPU_RFLAGS	136
#define CPU_HOST_RSP	144	/* host stack while translated code runs */
#define CPU_SAVE_RAX	152	/* scratch-register parking for the memory path */
#define CPU_SAVE_S0	160
#define CPU_SAVE_S1	168
#define CPU_SAVE_FL	176	/* lahf/seto image of the guest's flags */
#define CPU_SAVE_S2	184
#define CPU_BUDGET	192	/* blocks left before returning to the dispatcher */
#define CPU_RESUME	200	/* where a slow-path stub continues */
#define CPU_LAST_STUB	208	/* the chainable exit stub that left, or 0 */
#define CPU_TMP		216
#define CPU_SELF	224
#define CPU_HOST_FL	232
#define CPU_ENTRY_FL	240	/* rflags image popfq'd on entry (arith flags + DF) */
#define CPU_EXIT_FL	248
#define CPU_RAW		256	/* 16 raw host registers captured by a slow stub */
#define CPU_SEGBASE	384	/* es cs ss ds fs gs bases, for segment overrides */
#define CPU_FPU_LIVE	448	/* 1: the host FPU holds the guest's state (lazy) */
#define CPU_SAVE_S3	456	/* a self-loop's budget register (translate.c) */
#define CPU_TLB		512	/* [user][write][256] of {tag, addend} */

#define BT_TLB_ENTRIES	1024
#define BT_TLB_TABLE	(BT_TLB_ENTRIES * 16)
#define BT_TLB_USED	1024	/* filled slots a flush empties one by one */
/* Jump cache for indirect branches of 64-bit code: [user][BT_JC_ENTRIES] of
 * {guest rip, host code}, probed by the t_indirect trampolines. */
#define BT_JC_ENTRIES	2048
#define BT_JC_USED	1024	/* filled entries a flush empties one by one */
#define BT_JC_PAGE_BITS	4096
#define CPU_JC		(CPU_TLB + 4 * BT_TLB_TABLE)
/* The guest's x87/MMX/SSE state (FXSAVE image) while translated code is
 * not running; while it runs, the state is in the host FPU. */
#define CPU_FX		(CPU_JC + 2 * BT_JC_ENTRIES * 16)
#define CPU_HOST_MXCSR	(CPU_FX + 512)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI,
       R_8, R_9, R_10, R_11, R_12, R_13, R_14, R_15 };
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NONE = 7 };

/*
 * Translated code tests an entry with `va ^ tag`: below PAGE_SIZE - size on
 * a hit, and then it adds `host`. An empty slot's tag is a non-canonical page
 * of another slot's index (tlb_empty_tag), so no address hits it.
 */
struct bt_tlbe {
	uint64_t tag;		/* guest-virtual page, or tlb_empty_tag(slot) */
	uint64_t host;		/* host address of the page */
};

static inline uint64_t tlb_empty_tag(unsigned slot)
{
	return 1ull << 63 | (uint64_t)((slot + 1) % BT_TLB_ENTRIES) << 12;
}

struct bt_seg {
	uint64_t base;
	uint32_t limit;
	uint16_t sel;
	uint8_t type, s, dpl, p, db, l, g;
};

struct bt_machine;
struct bt_cache;

#define BT_CPUID_MEMO 64
struct bt_cpuid_memo {
	uint32_t leaf, sub, out[4];
	bool valid;
};

struct bt_cpu {
	/* --- fixed layout (CPU_* offsets) --- */
	uint64_t gpr[16];
	uint64_t rip, rflags;
	uint64_t host_rsp, save_rax, save_s0, save_s1, save_fl, save_s2;
	uint64_t budget, resume, last_stub, tmp, self, host_fl, entry_fl, exit_fl;
	uint64_t raw[16];
	uint64_t segbase[8];
	uint64_t fpu_live;
	uint64_t save_s3;
	uint64_t pad[6];
	struct bt_tlbe tlb[2][2][BT_TLB_ENTRIES];
	struct { uint64_t rip; uint64_t code; } jc[2][BT_JC_ENTRIES];
	uint8_t fx[512] __attribute__((aligned(16)));
	uint32_t host_mxcsr, mxcsr_mask;

	/* --- C only --- */
	struct bt_seg seg[6], ldt, tr;
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t star, lstar, cstar, fmask, kernel_gs_base, apic_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip, tsc_offset, pat;
	int cpl;
	bool halted;
	bool irq_shadow;	/* STI / MOV SS: no interrupt before the next insn */
	int pending_exc;	/* nested-delivery tracking for #DF / triple fault */
	bool in_c, in_df;
	int kicked;		/* bt__kick() from another thread */
	int trace;		/* VMI_BT_TRACE=1: interrupts, IRETs; 2: blocks too */		/* a slow path already wrote the full state back */
	bool fatal, shutdown;	/* leave bt__run with BT_EXIT_FAULT / _SHUTDOWN */
	int exit_req;		/* a helper called from a block asked to leave bt__run with this */
	uint64_t tpr_lowered;	/* counts CR8 writes that lowered the TPR: the block leaves */
	uint64_t insns, blocks, slow_mem, helpers, exceptions, translations, hypercalls; /* stats */
	uint64_t jc_flushes;
	struct bt_cpuid_memo cpuid_memo[BT_CPUID_MEMO];
	/* instruction-fetch translations for the dispatcher: [user][page hash] */
	struct { uint64_t vpage, ppage; } itlb[2][64];
	/* Which TLB, fetch-TLB and jump-cache entries map global pages
	 * (PTE.G with CR4.PGE): a CR3 write keeps them (mmu__flush_nonglobal). */
	uint8_t tlb_global[2][2][BT_TLB_ENTRIES], itlb_global[2][64];
	uint16_t tlb_used[BT_TLB_USED];	/* slots filled since the last flush */
	unsigned tlb_nused;		/* > BT_TLB_USED: flush them all */
	uint8_t jc_global[2][BT_JC_ENTRIES];
	bool walk_global;	/* the last successful page walk's leaf was global */
	/* guest-virtual pages (hashed) with jump-cache entries since its last
	 * flush: an INVLPG of any other page leaves the jump cache alone */
	uint64_t jc_pages[BT_JC_PAGE_BITS / 64];
	uint16_t jc_used[BT_JC_USED];	/* [user] * BT_JC_ENTRIES + index */
	unsigned jc_nused;		/* > BT_JC_USED: empty them all */
	/* Translated CLI/STI (translate.c, tx_cli_sti) change IF without
	 * touching the guest's flags, through tables: byte 1 of rflags with
	 * IF cleared ([0]) or set ([1]), and where an STI stores a zero
	 * budget: a sink, or the budget when an interrupt may be waiting. */
	uint8_t if_byte[2][256];
	uint64_t sti_budget_at[2];
	uint64_t sink;
	uint8_t irq_maybe;	/* a kick since the dispatcher last found no interrupt pending */
	struct bt_machine *m;
	struct bt_cache *cache;
	size_t map_size;	/* this record and the code cache after it (bt__create) */
};

#define RFL_CF	0x1ull
#define RFL_PF	0x4ull
#define RFL_AF	0x10ull
#define RFL_ZF	0x40ull
#define RFL_SF	0x80ull
#define RFL_TF	0x100ull
#define RFL_IF	0x200ull
#define RFL_DF	0x400ull
#define RFL_OF	0x800ull
#define RFL_IOPL 0x3000ull
#define RFL_NT	0x4000ull
#define RFL_RF	0x10000ull
#define RFL_VM	0x20000ull
#define RFL_AC	0x40000ull
#define RFL_ID	0x200000ull
#define RFL_ARITH (RFL_CF | RFL_PF | RFL_AF | RFL_ZF | RFL_SF | RFL_OF)
/* Flags that live in the host's rflags while translated code runs. */
#define RFL_LIVE  (RFL_ARITH | RFL_DF)

#define CR0_PE	0x1ull
#define CR0_TS	0x8ull
#define CR0_WP	0x10000ull
#define CR0_PG	0x80000000ull
#define CR4_PSE	0x10ull
#define CR4_PAE	0x20ull
#define CR4_PGE	0x80ull
#define EFER_SCE 0x1ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull

/* Exception vectors. */
enum { EXC_DE = 0, EXC_DB = 1, EXC_BP = 3, EXC_UD = 6, EXC_NM = 7, EXC_DF = 8,
       EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14 };

/* Code mode of the current CS. */
static inline bool cpu__long64(const struct bt_cpu *c)
{
	return (c->efer & EFER_LMA) && c->seg[S_CS].l;
}

static inline int cpu__code_bits(const struct bt_cpu *c)
{
	if (cpu__long64(c))
		return 64;
	if (!(c->cr0 & CR0_PE))
		return 16;
	return c->seg[S_CS].db ? 32 : 16;
}

void cpu__reset(struct bt_cpu *c);
void cpu__load_seg_cache(struct bt_cpu *c, int sreg, uint16_t sel, uint64_t desc);
void cpu__seg_decode(struct bt_seg *s, uint16_t sel, uint64_t desc);
void cpu__sync_segbase(struct bt_cpu *c);
#endif
#endif
