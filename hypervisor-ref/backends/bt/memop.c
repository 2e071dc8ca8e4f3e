// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Guest memory accesses in translated code (README.md, "Rewritten
 * instructions"): the address into a scratch register, the inline TLB probe,
 * the rewritten instruction on [scratch]; exit stubs; and the out-of-line
 * tails (TLB-miss calls, bounced stores, descriptors) emitted after a block.
 */
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include "tx.h"

ZydisRegister memop__gpr64(int id)
{
	return ZydisRegisterEncode(ZYDIS_REGCLASS_GPR64, id);
}

ZydisRegister memop__gpr32(int id)
{
	return ZydisRegisterEncode(ZYDIS_REGCLASS_GPR32, id);
}

/* GPR index of each Zydis register, or -1 (the translator asks for every
 * operand of every instruction: a table, not three Zydis calls). */
static int8_t gpr_id[ZYDIS_REGISTER_MAX_VALUE + 1];
static pthread_once_t gpr_id_once = PTHREAD_ONCE_INIT;

static void gpr_id_init(void)
{
	for (int r = 0; r <= ZYDIS_REGISTER_MAX_VALUE; r++) {
		ZydisRegister big = r == ZYDIS_REGISTER_NONE ? ZYDIS_REGISTER_NONE :
			ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, (ZydisRegister)r);
		gpr_id[r] = (int8_t)(big != ZYDIS_REGISTER_NONE &&
				     ZydisRegisterGetClass(big) == ZYDIS_REGCLASS_GPR64 ?
				     ZydisRegisterGetId(big) : -1);
	}
}

void memop__init(void)
{
	pthread_once(&gpr_id_once, gpr_id_init);
}

/* GPR index of a Zydis register, or -1 when it is not a GPR. */
int memop__gpr_id(ZydisRegister r)
{
	return (unsigned)r <= ZYDIS_REGISTER_MAX_VALUE ? gpr_id[r] : -1;
}

static bool is_high8(ZydisRegister r)
{
	return r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_BH ||
	       r == ZYDIS_REGISTER_CH || r == ZYDIS_REGISTER_DH;
}

/* Registers the instruction names, explicitly or implicitly. */
unsigned memop__used_regs(const struct tx *t, bool *high8)
{
	return memop__regs_of(&t->in, t->ops, high8);
}

unsigned memop__regs_of(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops,
			bool *high8)
{
	unsigned mask = 1u << R_SP | 1u << R_AX;	/* never scratch */
	*high8 = false;
	for (int i = 0; i < in->operand_count; i++) {
		const ZydisDecodedOperand *o = &ops[i];
		int id;
		if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			if ((id = memop__gpr_id(o->reg.value)) >= 0)
				mask |= 1u << id;
			*high8 |= is_high8(o->reg.value);
		} else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
			if ((id = memop__gpr_id(o->mem.base)) >= 0)
				mask |= 1u << id;
			if ((id = memop__gpr_id(o->mem.index)) >= 0)
				mask |= 1u << id;
		}
	}
	return mask;
}

/* Scratch preference: legacy registers first so high-byte operands still encode. */
static const int scratch_order[] = { R_SI, R_DI, R_BP, R_DX, R_CX, R_BX,
				     R_8, R_9, R_10, R_11, R_12, R_13, R_14, R_15 };

int memop__pick(unsigned *mask, bool legacy_only)
{
	for (unsigned i = 0; i < sizeof(scratch_order) / sizeof(scratch_order[0]); i++) {
		int r = scratch_order[i];
		if (legacy_only && r >= 8)
			break;
		if (!(*mask & (1u << r))) {
			*mask |= 1u << r;
			return r;
		}
	}
	return -1;
}

int memop__encode(struct tx *t, ZydisEncoderRequest *req)
{
	uint8_t buf[ZYDIS_MAX_INSTRUCTION_LENGTH];
	ZyanUSize len = 16;
	req->machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
	if (ZYAN_FAILED(ZydisEncoderEncodeInstruction(req, buf, &len))) {
		t->fail = 1;
		return -1;
	}
	e_bytes(&t->e, buf, len);
	return 0;
}

/* s0 = the guest-virtual address of memory operand `m` (flag-free). */
static int emit_address(struct tx *t, const ZydisEncoderOperand *m, int s0, bool addr32)
{
	if (m->mem.base == ZYDIS_REGISTER_RIP || m->mem.base == ZYDIS_REGISTER_EIP) {
		uint64_t a = t->next + (uint64_t)m->mem.displacement;
		e_mov_imm(&t->e, s0, addr32 ? (uint32_t)a : a);
		return 0;
	}
	if (m->mem.base == ZYDIS_REGISTER_NONE && m->mem.index == ZYDIS_REGISTER_NONE) {
		uint64_t a = (uint64_t)m->mem.displacement;
		e_mov_imm(&t->e, s0, addr32 ? (uint32_t)a : a);
		return 0;
	}
	int base = memop__gpr_id(m->mem.base), index = memop__gpr_id(m->mem.index);
	if (!addr32 && base >= 0 && ZydisRegisterGetClass(m->mem.base) == ZYDIS_REGCLASS_GPR64 &&
	    (m->mem.index == ZYDIS_REGISTER_NONE ||
	     (index >= 0 && index != R_SP &&
	      ZydisRegisterGetClass(m->mem.index) == ZYDIS_REGCLASS_GPR64)) &&
	    m->mem.displacement >= INT32_MIN && m->mem.displacement <= INT32_MAX) {
		/* lea s0, [base + index*scale + disp], the common case, without
		 * the encoder */
		e_op_mem(&t->e, true, 0x8d, s0, base, index, m->mem.scale,
			 (int32_t)m->mem.displacement);
		return 0;
	}
	ZydisEncoderRequest lea;
	memset(&lea, 0, sizeof(lea));
	lea.mnemonic = ZYDIS_MNEMONIC_LEA;
	lea.operand_count = 2;
	lea.operands[0].type = ZYDIS_OPERAND_TYPE_REGISTER;
	lea.operands[0].reg.value = addr32 ? memop__gpr32(s0) : memop__gpr64(s0);
	lea.operands[1].type = ZYDIS_OPERAND_TYPE_MEMORY;
	lea.operands[1].mem.base = m->mem.base;
	lea.operands[1].mem.index = m->mem.index;
	lea.operands[1].mem.scale = m->mem.index ? m->mem.scale : 0;
	lea.operands[1].mem.displacement = m->mem.displacement;
	lea.operands[1].mem.size = addr32 ? 4 : 8;
	return memop__encode(t, &lea);
}

/* At the hit: the guest's flags and rax back (when the flags were parked).
 * Position-independent: a bounced store runs a copy of it. */
static void emit_flags_restore(struct tx *t, bool park)
{
	struct emit *e = &t->e;
	if (park) {
		e_gs_abs_pic(e, OP_LOAD, R_AX, CPU_SAVE_FL);
		e8(e, 0x04); e8(e, 0x7f);	/* add al, 0x7f: OF back from seto */
		e8(e, 0x9e);			/* sahf */
		e_gs_abs_pic(e, OP_LOAD, R_AX, CPU_SAVE_RAX);
	}
}

unsigned memop__borrowed(const struct tx *t)
{
	return t->bor0 < 0 ? 0 : 1u << t->bor0 | 1u << t->bor1;
}

/* The borrowed scratch registers get their guest values back: before an
 * instruction that uses them, a call to C, or an exit from the block. */
void memop__unborrow(struct tx *t)
{
	if (t->pin2 >= 0) {
		/* the self-loop's budget counter goes back to memory */
		e_gs_abs(&t->e, OP_STORE, t->pin2, CPU_BUDGET);
		e_gs_abs(&t->e, OP_LOAD, t->pin2, CPU_SAVE_S3);
		t->pin2 = -1;
	}
	if (t->bor0 < 0)
		return;
	e_gs_abs(&t->e, OP_LOAD, t->bor0, CPU_SAVE_S0);
	e_gs_abs(&t->e, OP_LOAD, t->bor1, CPU_SAVE_S1);
	t->bor0 = t->bor1 = -1;
}

/* Emit `req` with its memory operand `mi` rewritten to [s0], the host
 * address (no segment: s0 already holds any FS/GS base). */
static int emit_at_host(struct tx *t, ZydisEncoderRequest *req, int mi, int s0)
{
	req->operands[mi].mem.base = memop__gpr64(s0);
	req->operands[mi].mem.index = ZYDIS_REGISTER_NONE;
	req->operands[mi].mem.scale = 0;
	req->operands[mi].mem.displacement = 0;
	req->prefixes &= ~(ZydisInstructionAttributes)(ZYDIS_ATTRIB_HAS_SEGMENT_FS |
		ZYDIS_ATTRIB_HAS_SEGMENT_GS | ZYDIS_ATTRIB_HAS_SEGMENT_CS |
		ZYDIS_ATTRIB_HAS_SEGMENT_DS | ZYDIS_ATTRIB_HAS_SEGMENT_ES |
		ZYDIS_ATTRIB_HAS_SEGMENT_SS | ZYDIS_ATTRIB_HAS_SEGMENT);
	req->address_size_hint = ZYDIS_ADDRESS_SIZE_HINT_NONE;
	int r = mi == 0 ? 1 : 0;
	ZydisRegisterClass rc = req->operand_count == 2 && req->operands[r].type == ZYDIS_OPERAND_TYPE_REGISTER ?
		ZydisRegisterGetClass(req->operands[r].reg.value) : ZYDIS_REGCLASS_INVALID;
	if (req->mnemonic == ZYDIS_MNEMONIC_MOV && !req->prefixes &&
	    (rc == ZYDIS_REGCLASS_GPR64 || rc == ZYDIS_REGCLASS_GPR32)) {
		/* mov [s0], reg or mov reg, [s0], the common case, without the
		 * encoder */
		e_op_mem(&t->e, rc == ZYDIS_REGCLASS_GPR64, mi == 0 ? 0x89 : 0x8b,
			 ZydisRegisterGetId(req->operands[r].reg.value), s0, -1, 0, 0);
		return 0;
	}
	return memop__encode(t, req);
}

/* The write-back memop__bounce_store appends to a copy of [hit, after). */
#define BOUNCE_TAIL	(7 + 7 + 5)

static int bounce_fits(struct tx *t, const uint8_t *hit)
{
	if (t->e.p - hit > BT_BOUNCE_CODE - BOUNCE_TAIL) {
		t->fail = 1;
		return -1;
	}
	return 0;
}

/*
 * A store that went to the bounce buffer (page-crossing or MMIO) runs its
 * hit code again here, then hands the buffer to bt_mem_writeback: one copy
 * per vCPU instead of one per store in every block. The hit code is the
 * flags' restore and the instruction on [s0], both position-independent.
 */
uint8_t *memop__bounce_store(struct bt_cache *k, const struct bt_memdesc *d)
{
	const uint8_t *hit = memdesc_code(d, d->hit);
	size_t n = (size_t)(d->after - d->hit);
	memcpy(k->t_bounce, hit, n);
	struct emit e = { k->t_bounce + n, k->t_bounce + BT_BOUNCE_CODE, 0, k->cpu };
	e_gs_abs(&e, OP_STORE, R_AX, CPU_SAVE_RAX);
	e_lea_rax_rip(&e, (const uint8_t *)d);
	e_jmp32(&e, k->t_slow_wb);
	return k->t_bounce;
}

/*
 * Emit `req`, whose operand `mi` is a guest memory operand of `size` bytes,
 * through the TLB. `busy` are registers that must not serve as scratch (the
 * instruction's own, and s2 of a synthetic sequence).
 *
 * s0 takes the guest-virtual address, s1 the TLB slot; s0 ^ slot.tag is the
 * offset in the page on a hit, which must leave room for `size` bytes (a
 * page-crossing access misses), and s0 + slot.host is then the host address.
 * rax is only borrowed to park live flags (lahf/seto); the miss path parks
 * it itself before it carries the descriptor.
 */
__thread bool memop_align16;
__thread bool memop_store_intent;

int memop__emit(struct tx *t, ZydisEncoderRequest *req, int mi, unsigned size,
		    bool rd, bool wr, unsigned busy, bool high8, int s2, int seg, bool addr32)
{
	bool align = memop_align16;
	bool intent = memop_store_intent && rd && !wr;
	memop_align16 = memop_store_intent = false;
	struct emit *e = &t->e;
	int s0 = t->bor0, s1 = t->bor1;
	bool reuse = s0 >= 0 && !(busy & memop__borrowed(t)) && (!high8 || s0 < 8);
	if (!reuse) {
		memop__unborrow(t);
		unsigned mask = busy | 1u << R_AX | 1u << R_SP;
		s0 = memop__pick(&mask, high8);
		s1 = memop__pick(&mask, false);
	}
	if (s0 < 0 || s1 < 0 || t->nitems >= MAX_ITEMS || size == 0 || size > BT_BOUNCE) {
		t->fail = 1;
		return -1;
	}
	struct item *it = &t->items[t->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = IT_MEM;

	ZydisEncoderOperand m = req->operands[mi];
	if (!reuse) {
		e_gs_abs(e, OP_STORE, s0, CPU_SAVE_S0);
		e_gs_abs(e, OP_STORE, s1, CPU_SAVE_S1);
		t->bor0 = s0;
		t->bor1 = s1;
	}
	if (emit_address(t, &m, s0, addr32))
		return -1;
	/* Park the flags only where a later instruction of the block (or the
	 * next block) can read them. */
	bool park = (t->flags_live & RFL_ARITH) != 0;
	if (park) {
		e_gs_abs(e, OP_STORE, R_AX, CPU_SAVE_RAX);
		e8(e, 0x9f);				/* lahf */
		e8(e, 0x0f); e8(e, 0x90); e8(e, 0xc0);	/* seto al */
		e_gs_abs(e, OP_STORE, R_AX, CPU_SAVE_FL);
	}
	if (seg == S_FS || seg == S_GS) {
		e_gs_abs(e, OP_ADD, s0, CPU_SEGBASE + 8 * seg);
		if (addr32)
			e_mov_rr32(e, s0, s0);
	}
	int32_t tlb = CPU_TLB + ((t->user ? 2 : 0) + (wr || intent ? 1 : 0)) * BT_TLB_TABLE;
	e_mov_rr32(e, s1, s0);
	e_shr32(e, s1, 8);
	e_and32(e, s1, (BT_TLB_ENTRIES - 1) << 4);	/* slot * 16 */
	e_gs_base(e, OP_XOR, s0, s1, tlb);
	e_cmp64_imm(e, s0, (int32_t)(PAGE_SIZE - size));
	it->jmp_at = e_jcc32(e, 0x7, e->p);		/* ja miss (patched) */
	if (align) {
		/* a misaligned va misses, and the slow path raises the #GP
		 * the hardware would */
		e_test32(e, s0, 15);
		it->jmp_at2 = e_jcc32(e, 0x5, e->p);	/* jnz miss */
	}
	e_gs_base(e, OP_ADD, s0, s1, tlb + 8);
	uint8_t *hit = e->p;
	emit_flags_restore(t, park);

	if (emit_at_host(t, req, mi, s0) || bounce_fits(t, hit))
		return -1;
	it->hit = hit;
	it->after = e->p;
	it->d = (struct bt_memdesc){ .guest_rip = t->rip,
		.s0 = s0, .s1 = s1, .s2 = s2 < 0 ? 0xff : s2, .s3 = t->pin2 < 0 ? 0xff : t->pin2,
		.size = size, .parked = park, .align = align, .store_intent = intent,
		.read = rd, .write = wr, .va_xor = 1 };
	return 0;
}

/*
 * The store a store-intent load announced (translate.c, store_after_load):
 * same address and size, nothing between that touched memory or the
 * scratch registers, dead flags. The load's probe of the write TLB left
 * the host pointer in s0 and the slot offset in s1, or -1 in s1 when the
 * page was not writable through the TLB (bt_mem_slow): then this store
 * takes its own miss path, computing the address again. Returns 1 when
 * the conditions do not hold (the caller probes as usual).
 */
int memop__emit_fused_store(struct tx *t, ZydisEncoderRequest *req, int mi, unsigned size,
			    const ZydisDecodedOperand *m)
{
	struct emit *e = &t->e;
	int s0 = t->bor0, s1 = t->bor1;
	if (!t->fuse_pending || t->fuse_rip != t->rip || s0 < 0 || t->nitems != t->fuse_items ||
	    (t->flags_live & RFL_ARITH) || t->nitems >= MAX_ITEMS)
		return 1;
	t->fuse_pending = false;
	struct item *it = &t->items[t->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = IT_MEM;
	it->va_lea = true;
	it->lea_m = req->operands[mi];
	if (m->mem.base == ZYDIS_REGISTER_RIP) {
		it->lea_m.mem.base = ZYDIS_REGISTER_NONE;
		it->lea_m.mem.displacement = (int64_t)(t->next + (uint64_t)m->mem.disp.value);
	}
	e_op_rr(e, OP_RR_TEST, s1, s1);
	it->jmp_at = e_jcc32(e, 0x8, e->p);		/* js miss (patched) */
	uint8_t *hit = e->p;
	if (emit_at_host(t, req, mi, s0) || bounce_fits(t, hit))
		return -1;
	it->hit = hit;
	it->after = e->p;
	it->d = (struct bt_memdesc){ .guest_rip = t->rip,
		.s0 = s0, .s1 = s1, .s2 = 0xff, .s3 = t->pin2 < 0 ? 0xff : t->pin2,
		.size = size, .write = 1 };
	return 0;
}

/* Out-of-line exit stub: leave for `target`, chainable when in the same page.
 * A forward target (beyond the branch) is chained past its budget check: a
 * run of forward edges ends within the page, and every loop has a backward
 * edge, which goes through the check. A branch of 64-bit code to another page
 * goes through the jump cache like an indirect one (its entries die with
 * every TLB flush, so the page's mapping is the one they were made under). */
uint8_t *memop__stub(struct tx *t, uint64_t target, bool chain, bool branch)
{
	bool forward = target > t->rip;
	struct emit *e = &t->e;
	memop__unborrow(t);
	uint8_t *stub = e->p;
	struct bt_cache *k = t->c->cache;
	if (chain && !k->opts.no_chain) {
		e8(e, 0xe9); e32(e, 0);		/* the chaining jump, initially to the next insn */
		e_gs_abs(e, OP_STORE, R_AX, CPU_SAVE_RAX);
		e_lea_rax_rip(e, stub);
		e_jmp32(e, k->t_chain_exit);
		if (e->p != stub + STUB_FLAG_OFF && !e->overflow)
			t->fail = 1;	/* the layout cache__chain relies on changed */
		e8(e, forward);		/* data, read by cache__chain and t_chain_exit */
		e64(e, target);
		return stub;
	}
	e_gs_abs(e, OP_STORE, R_AX, CPU_SAVE_RAX);
	e_mov_imm(e, R_AX, target);
	if (branch && t->bits == 64 && !k->opts.no_chain)
		e_jmp32(e, k->t_rip_indirect[t->user]);
	else
		e_jmp32(e, k->t_rip_exit);
	return stub;
}

void memop__exit_indirect(struct tx *t)
{
	memop__unborrow(t);
	if (t->bits == 64 && !t->c->cache->opts.no_chain) {
		e_jmp32(&t->e, t->c->cache->t_indirect[t->user]);
		return;
	}
	e_gs_store_imm(&t->e, CPU_LAST_STUB, 0);
	e_jmp32(&t->e, t->c->cache->t_exit);
}

bool memop__same_page(struct tx *t, uint64_t target)
{
	return (target & PAGE_MASK) == t->page;
}

int memop__stack_width(struct tx *t)
{
	return t->bits == 64 ? 8 : 4;
}

/* A synthetic "mov [sp + off], reg" or "mov reg, [sp + off]" through the TLB. */
int memop__stack_access(struct tx *t, int reg, int32_t off, bool store, unsigned busy, int s2)
{
	int w = memop__stack_width(t);
	ZydisEncoderRequest r;
	memset(&r, 0, sizeof(r));
	r.mnemonic = ZYDIS_MNEMONIC_MOV;
	r.operand_count = 2;
	int mi = store ? 0 : 1;
	r.operands[mi].type = ZYDIS_OPERAND_TYPE_MEMORY;
	r.operands[mi].mem.base = w == 8 ? ZYDIS_REGISTER_RSP : ZYDIS_REGISTER_ESP;
	r.operands[mi].mem.displacement = off;
	r.operands[mi].mem.size = w;
	r.operands[1 - mi].type = ZYDIS_OPERAND_TYPE_REGISTER;
	r.operands[1 - mi].reg.value = w == 8 ? memop__gpr64(reg) : memop__gpr32(reg);
	return memop__emit(t, &r, mi, w, !store, store, busy | 1u << reg, false, s2, S_SS, w == 4);
}

void memop__sp_adjust(struct tx *t, int32_t delta)
{
	e_lea_disp(&t->e, R_SP, R_SP, delta, t->bits == 64);
}

/* The free register for synthetic sequences. */
int memop__pick_s2(struct tx *t, unsigned *busy)
{
	bool h;
	*busy = memop__used_regs(t, &h);
	return memop__pick(busy, false);
}



/* The out-of-line tails: TLB-miss calls and branch stubs, then the
 * descriptors. */
void memop__items(struct tx *t)
{
	struct emit *e = &t->e;
	struct bt_cache *k = t->c->cache;
	uint8_t *lea_at[MAX_ITEMS] = { 0 };
	/* a branch's stub starts where the branch was, with nothing borrowed */
	t->bor0 = t->bor1 = t->pin2 = -1;
	for (int i = 0; i < t->nitems; i++) {
		struct item *it = &t->items[i];
		if (it->kind == IT_STUB) {
			patch32(it->jmp_at, memop__stub(t, it->target, it->chain, true));
			continue;
		}
		patch32(it->jmp_at, e->p);
		if (it->jmp_at2)
			patch32(it->jmp_at2, e->p);
		/* s0 holds va ^ tag (bt_mem_slow takes the va back), except for
		 * a fused store, whose s0 is the load's host pointer */
		if (it->va_lea && emit_address(t, &it->lea_m, it->d.s0, false))
			return;
		if (!it->d.parked)
			e_gs_abs(e, OP_STORE, R_AX, CPU_SAVE_RAX);
		lea_at[i] = e_lea_rax_rip(e, e->p);	/* the descriptor's, patched below */
		e_jmp32(e, k->t_slow_mem);
	}
	while ((uintptr_t)e->p & 7)
		e8(e, 0xcc);
	for (int i = 0; i < t->nitems; i++) {
		struct item *it = &t->items[i];
		if (it->kind != IT_MEM)
			continue;
		if (e->p + sizeof(struct bt_memdesc) > e->end) {
			e->overflow = 1;
			return;
		}
		struct bt_memdesc *d = (struct bt_memdesc *)e->p;
		*d = it->d;
		d->hit = (int32_t)(it->hit - e->p);
		d->after = (int32_t)(it->after - e->p);
		e->p += sizeof(*d);
		patch32(lea_at[i], (uint8_t *)d);
	}
}

