/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The translator's per-block state, shared by translate.c (instructions,
 * blocks) and memop.c (the guest-memory path, exit stubs, out-of-line code). */
#ifndef BT_TX_H
#define BT_TX_H

#include "bt_internal.h"
#include "emit.h"

#define MAX_ITEMS (BT_MAX_BLOCK_INSNS * 2 + 4)

enum item_kind { IT_MEM, IT_STUB };

/* An instruction of the block being translated, fetched and decoded once
 * (translate.c, tx_peek) for the look-ahead passes and the translation. */
struct tx_insn {
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	uint8_t bytes[16];
	uint64_t rip, pa2;
	int len;		/* -1: fetch fault or #UD (nothing raised) */
};
#define TX_PEEK (BT_MAX_BLOCK_INSNS + 4)

struct item {
	enum item_kind kind;
	uint8_t *jmp_at;	/* rel32 to point at the out-of-line code */
	/* IT_MEM */
	uint8_t *jmp_at2;	/* the alignment check's, or NULL */
	struct bt_memdesc d;	/* hit and after are set from these when it is placed */
	uint8_t *hit, *after;
	/* A store that reuses a store-intent load's pointer: its miss path
	 * computes the address again from this (RIP-relative made absolute). */
	bool va_lea;
	ZydisEncoderOperand lea_m;
	/* IT_STUB */
	uint64_t target;
	bool chain;
};

struct tx {
	struct bt_cpu *c;
	struct emit e;
	int bits;
	bool user;
	uint64_t page;		/* guest-virtual page of the block */
	uint64_t rip, next;	/* current instruction */
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	uint8_t bytes[16];
	/* The memory path's two scratch registers stay borrowed from one
	 * access to the next (their guest values parked in CPU_SAVE_S0/S1)
	 * until an instruction uses them or the block leaves: -1 when not. */
	int bor0, bor1;
	/* A block that loops on itself keeps them borrowed across its back
	 * edge (translate.c, loop_pin): the pair, and where the body starts
	 * with them already parked. Giving them back ends it (pin2 = -1). */
	int pin0, pin1;
	int pin2;		/* the budget counter while the loop runs, or -1 */
	/* A store-intent load (memop.c) awaits its store at fuse_rip, with
	 * the host pointer in bor0 and the slot, or -1 for "probe", in bor1,
	 * while no other access took them (nitems still fuse_items). Any
	 * rip is valid, 0 included: fuse_pending says whether one waits. */
	bool fuse_pending;
	uint64_t fuse_rip;
	int fuse_items;
	unsigned idx;		/* the instruction's index in the block */
	uint8_t *loop_top;
	uint64_t block_rip;
	int nitems;
	int fail;
	uint64_t flags_live;	/* arithmetic flags live into the current insn */
	bool fpu_loaded;	/* the block already made the guest FPU state live */
	uint64_t live_in[BT_MAX_BLOCK_INSNS];
	unsigned nlive;
	unsigned npeek;		/* peek[0..npeek) are this block's (cleared with it) */
	struct item items[MAX_ITEMS];
	struct tx_insn peek[TX_PEEK];
};

ZydisRegister memop__gpr64(int id);
ZydisRegister memop__gpr32(int id);
int memop__gpr_id(ZydisRegister r);
unsigned memop__used_regs(const struct tx *t, bool *high8);
unsigned memop__regs_of(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops,
			bool *high8);
int memop__pick(unsigned *mask, bool legacy_only);
int memop__encode(struct tx *t, ZydisEncoderRequest *req);
int memop__emit(struct tx *t, ZydisEncoderRequest *req, int mi, unsigned size,
		bool rd, bool wr, unsigned busy, bool high8, int s2, int seg, bool addr32);
/* The next memop__emit is a legacy-SSE m128 operand that must be aligned. */
extern __thread bool memop_align16;
/* The next memop__emit is a load whose address a store will write soon:
 * probe the write TLB. */
extern __thread bool memop_store_intent;
int memop__emit_fused_store(struct tx *t, ZydisEncoderRequest *req, int mi, unsigned size,
			    const ZydisDecodedOperand *m);
uint8_t *memop__stub(struct tx *t, uint64_t target, bool chain, bool branch);
void memop__exit_indirect(struct tx *t);
bool memop__same_page(struct tx *t, uint64_t target);
int memop__stack_width(struct tx *t);
int memop__stack_access(struct tx *t, int reg, int32_t off, bool store, unsigned busy, int s2);
void memop__sp_adjust(struct tx *t, int32_t delta);
int memop__pick_s2(struct tx *t, unsigned *busy);
void memop__items(struct tx *t);
void memop__unborrow(struct tx *t);
unsigned memop__borrowed(const struct tx *t);
/* syscall.c */
int syscall__translate(struct tx *t);
int syscall__translate_sysret(struct tx *t);
#endif
