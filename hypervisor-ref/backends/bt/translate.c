// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Guest block -> host code. See README.md for the register and flag model:
 * host GPRs and flags hold the guest's, the vCPU record is at gs:0. This
 * file classifies instructions and builds blocks; memop.c emits the
 * guest-memory path and the exit stubs.
 */
#include <stdio.h>
#include <string.h>
#include "tx.h"

/* Store a computed branch target (in reg) as the guest rip. */
static void emit_set_rip(struct tx *t, int reg)
{
	e_gs_abs(&t->e, OP_STORE, reg, CPU_RIP);
	if (t->bits != 64)
		e_gs_store_imm32(&t->e, CPU_RIP + 4, 0);
}

static uint64_t branch_target(struct tx *t)
{
	ZyanU64 a = 0;
	ZydisCalcAbsoluteAddress(&t->in, &t->ops[0], t->rip, &a);
	if (t->in.operand_width == 16)
		a &= 0xffff;
	else if (t->bits != 64)
		a &= 0xffffffff;
	return a;
}

static void add_stub_item(struct tx *t, uint8_t *jmp_at, uint64_t target)
{
	if (t->nitems >= MAX_ITEMS) {
		t->fail = 1;
		return;
	}
	struct item *it = &t->items[t->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = IT_STUB;
	it->jmp_at = jmp_at;
	it->target = target;
	it->chain = memop__same_page(t, target);
}

static int tx_jcc(struct tx *t)
{
	uint64_t target = branch_target(t);
	ZydisMnemonic mn = t->in.mnemonic;
	bool back = t->pin2 >= 0 && target == t->block_rip && (t->in.opcode & 0xf0) != 0xe0;
	if (!back)
		memop__unborrow(t);	/* tx_insn left them borrowed for a back edge */
	if (mn == ZYDIS_MNEMONIC_JCXZ)
		return -1;
	if (mn == ZYDIS_MNEMONIC_JRCXZ || mn == ZYDIS_MNEMONIC_JECXZ ||
	    mn == ZYDIS_MNEMONIC_LOOP || mn == ZYDIS_MNEMONIC_LOOPE || mn == ZYDIS_MNEMONIC_LOOPNE) {
		if (t->in.address_width == 16)
			return -1;
		if (t->in.address_width == 32)
			e8(&t->e, 0x67);		/* ecx, not rcx */
		e8(&t->e, t->in.opcode);
		e8(&t->e, 5);
		uint8_t *fall = e_jmp32(&t->e, t->e.p);
		uint8_t *taken = e_jmp32(&t->e, t->e.p);
		add_stub_item(t, fall, t->next);
		add_stub_item(t, taken, target);
		return 1;
	}
	if (back) {
		/* back to the top with the scratch registers still borrowed;
		 * the budget is counted in a third one (a decrement in memory
		 * would put a store-to-load round trip on every iteration), and
		 * a kick or an invalidation, which zero it in memory, are seen
		 * with a load. Flags are dead at the top. Leaving, the
		 * registers go back first. */
		int p2 = t->pin2;
		struct emit *e = &t->e;
		/* the loop falls through here, one taken branch per iteration */
		uint8_t *fall = e_jcc32(e, (t->in.opcode & 0xf) ^ 1, e->p);
		e8(e, 0x48 | ((p2 & 8) ? 1 : 0)); e8(e, 0x83); e8(e, 0xe8 | (p2 & 7)); e8(e, 1);
		uint8_t *slice = e_jcc32(e, 0x2, e->p);	/* sub p2, 1; jb: the slice is over */
		e8(e, 0x65); e8(e, 0x48); e8(e, 0x83); e8(e, 0x3c); e8(e, 0x25);
		e32(e, CPU_BUDGET);
		e8(e, 0);				/* cmp qword gs:[budget], 0 */
		e_jcc32(e, 0x5, t->loop_top);		/* jne: not kicked, round again */
		uint8_t *kick = e->p;
		e_gs_abs(e, OP_LOAD, p2, CPU_SAVE_S3);
		t->pin2 = -1;
		memop__stub(t, target, true, true);
		patch32(slice, e->p);
		e_gs_store_imm(e, CPU_BUDGET, 0);
		e_jmp32(e, kick);
		patch32(fall, e->p);
		t->pin2 = p2;
		t->bor0 = t->pin0;
		t->bor1 = t->pin1;
		memop__stub(t, t->next, memop__same_page(t, t->next), true);
		return 1;
	}
	uint8_t *taken = e_jcc32(&t->e, t->in.opcode & 0xf, t->e.p);
	add_stub_item(t, taken, target);
	memop__stub(t, t->next, memop__same_page(t, t->next), true);
	return 1;
}

/* s2 = the stack-width memory operand 0 (an indirect branch's target, a
 * pushed value), through the TLB. */
static int emit_load_op0(struct tx *t, int s2, unsigned busy)
{
	const ZydisDecodedOperand *o = &t->ops[0];
	ZydisEncoderRequest r;
	memset(&r, 0, sizeof(r));
	r.mnemonic = ZYDIS_MNEMONIC_MOV;
	r.operand_count = 2;
	r.operands[0].type = ZYDIS_OPERAND_TYPE_REGISTER;
	r.operands[0].reg.value = t->bits == 64 ? memop__gpr64(s2) : memop__gpr32(s2);
	r.operands[1].type = ZYDIS_OPERAND_TYPE_MEMORY;
	r.operands[1].mem.base = o->mem.base;
	r.operands[1].mem.index = o->mem.index;
	r.operands[1].mem.scale = o->mem.scale;
	r.operands[1].mem.displacement = o->mem.disp.value;
	r.operands[1].mem.size = t->bits == 64 ? 8 : 4;
	int seg = o->mem.segment == ZYDIS_REGISTER_FS ? S_FS : o->mem.segment == ZYDIS_REGISTER_GS ? S_GS : S_DS;
	return memop__emit(t, &r, 1, t->bits == 64 ? 8 : 4, true, false, busy | 1u << s2, false,
			   s2, seg, t->in.address_width == 32);
}

/* Load the r/m target of an indirect jmp/call into the guest rip slot. */
static int emit_indirect_target(struct tx *t, int s2, unsigned busy)
{
	const ZydisDecodedOperand *o = &t->ops[0];
	if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		if (t->bits != 64) {
			e_gs_abs(&t->e, OP_STORE, memop__gpr_id(o->reg.value), CPU_RIP);
			e_gs_store_imm32(&t->e, CPU_RIP + 4, 0);
		} else {
			e_gs_abs(&t->e, OP_STORE, memop__gpr_id(o->reg.value), CPU_RIP);
		}
		return 0;
	}
	if (emit_load_op0(t, s2, busy))
		return -1;
	emit_set_rip(t, s2);
	return 0;
}

static bool near_branch_ok(struct tx *t)
{
	return t->in.meta.branch_type != ZYDIS_BRANCH_TYPE_FAR && t->in.operand_width != 16;
}

static int tx_jmp(struct tx *t)
{
	if (!near_branch_ok(t))
		return -1;
	if (t->ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		uint64_t target = branch_target(t);
		memop__stub(t, target, memop__same_page(t, target), true);
		return 1;
	}
	unsigned busy;
	int s2 = memop__pick_s2(t, &busy);
	e_gs_abs(&t->e, OP_STORE, s2, CPU_SAVE_S2);
	if (emit_indirect_target(t, s2, busy))
		return -1;
	e_gs_abs(&t->e, OP_LOAD, s2, CPU_SAVE_S2);
	memop__exit_indirect(t);
	return 1;
}

static int tx_call(struct tx *t)
{
	if (!near_branch_ok(t))
		return -1;
	unsigned busy;
	int s2 = memop__pick_s2(t, &busy);
	int w = memop__stack_width(t);
	bool direct = t->ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
	e_gs_abs(&t->e, OP_STORE, s2, CPU_SAVE_S2);
	if (!direct && emit_indirect_target(t, s2, busy))
		return -1;
	e_mov_imm(&t->e, s2, t->next);
	if (memop__stack_access(t, s2, -w, true, busy, s2))
		return -1;
	e_gs_abs(&t->e, OP_LOAD, s2, CPU_SAVE_S2);
	memop__sp_adjust(t, -w);
	if (direct) {
		uint64_t target = branch_target(t);
		memop__stub(t, target, memop__same_page(t, target), true);
	} else {
		memop__exit_indirect(t);
	}
	return 1;
}

static int tx_ret(struct tx *t)
{
	if (t->in.mnemonic != ZYDIS_MNEMONIC_RET || !near_branch_ok(t))
		return -1;
	unsigned busy;
	int s2 = memop__pick_s2(t, &busy);
	int w = memop__stack_width(t);
	int32_t pop = 0;
	if (t->in.operand_count_visible > 0 && t->ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
		pop = (int32_t)t->ops[0].imm.value.u;
	e_gs_abs(&t->e, OP_STORE, s2, CPU_SAVE_S2);
	if (memop__stack_access(t, s2, 0, false, busy, s2))
		return -1;
	emit_set_rip(t, s2);
	e_gs_abs(&t->e, OP_LOAD, s2, CPU_SAVE_S2);
	memop__sp_adjust(t, w + pop);
	memop__exit_indirect(t);
	return 1;
}

/*
 * PUSHFQ: the guest's rflags, VM and RF clear: the live bits from the host
 * flags (pushfq on the host stack, masked there and popped back, which
 * restores them), the rest from the vCPU record; then a stack store.
 */
static int tx_pushfq(struct tx *t)
{
	if (t->bits != 64 || t->in.operand_width != 64)
		return -1;
	struct emit *e = &t->e;
	unsigned busy;
	int s2 = memop__pick_s2(t, &busy);
	e_gs_abs(e, OP_STORE, s2, CPU_SAVE_S2);
	e_gs_abs(e, OP_STORE, R_SP, CPU_TMP);
	e_gs_abs(e, OP_LOAD, R_SP, CPU_HOST_RSP);
	e8(e, 0x9c);						/* pushfq */
	e8(e, 0x48); e8(e, 0x81); e8(e, 0x24); e8(e, 0x24);	/* and qword [rsp], LIVE */
	e32(e, (uint32_t)RFL_LIVE);
	e_gs_abs(e, OP_LOAD, s2, CPU_RFLAGS);
	e_and64(e, s2, (int32_t)~(RFL_LIVE | RFL_VM | RFL_RF));
	e8(e, 0x48 | ((s2 & 8) ? 4 : 0)); e8(e, 0x0b);		/* or s2, [rsp] */
	e8(e, ((s2 & 7) << 3) | 4); e8(e, 0x24);
	e8(e, 0x9d);						/* popfq */
	e_gs_abs(e, OP_LOAD, R_SP, CPU_TMP);
	if (memop__stack_access(t, s2, -8, true, busy, s2))
		return -1;
	e_gs_abs(e, OP_LOAD, s2, CPU_SAVE_S2);
	memop__sp_adjust(t, -8);
	return 0;
}

static int tx_push(struct tx *t)
{
	int w = memop__stack_width(t);
	const ZydisDecodedOperand *o = &t->ops[0];
	if (t->in.mnemonic == ZYDIS_MNEMONIC_PUSHFQ)
		return tx_pushfq(t);
	if (t->in.mnemonic != ZYDIS_MNEMONIC_PUSH || t->in.operand_width != w * 8)
		return -1;
	unsigned busy;
	int s2 = memop__pick_s2(t, &busy);
	if (o->type == ZYDIS_OPERAND_TYPE_REGISTER && memop__gpr_id(o->reg.value) >= 0) {
		if (memop__stack_access(t, memop__gpr_id(o->reg.value), -w, true, busy, -1))
			return -1;
	} else if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		e_gs_abs(&t->e, OP_STORE, s2, CPU_SAVE_S2);
		e_mov_imm(&t->e, s2, (uint64_t)o->imm.value.s);
		if (memop__stack_access(t, s2, -w, true, busy, s2))
			return -1;
		e_gs_abs(&t->e, OP_LOAD, s2, CPU_SAVE_S2);
	} else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
		/* the operand's address is taken before rsp moves, and a
		 * faulting store leaves rsp as it was */
		e_gs_abs(&t->e, OP_STORE, s2, CPU_SAVE_S2);
		if (emit_load_op0(t, s2, busy) ||
		    memop__stack_access(t, s2, -w, true, busy, s2))
			return -1;
		e_gs_abs(&t->e, OP_LOAD, s2, CPU_SAVE_S2);
	} else {
		return -1;
	}
	memop__sp_adjust(t, -w);
	return 0;
}

static int tx_pop(struct tx *t)
{
	int w = memop__stack_width(t);
	const ZydisDecodedOperand *o = &t->ops[0];
	if (t->in.mnemonic != ZYDIS_MNEMONIC_POP || t->in.operand_width != w * 8 ||
	    o->type != ZYDIS_OPERAND_TYPE_REGISTER || memop__gpr_id(o->reg.value) < 0)
		return -1;
	int reg = memop__gpr_id(o->reg.value);
	unsigned busy;
	memop__pick_s2(t, &busy);
	if (memop__stack_access(t, reg, 0, false, busy, -1))
		return -1;
	if (reg != R_SP)
		memop__sp_adjust(t, w);
	return 0;
}

static int tx_leave(struct tx *t)
{
	int w = memop__stack_width(t);
	if (t->in.operand_width != w * 8)
		return -1;
	unsigned busy;
	int s2 = memop__pick_s2(t, &busy);
	busy |= 1u << R_BP;
	e_gs_abs(&t->e, OP_STORE, s2, CPU_SAVE_S2);
	e_mov_rr(&t->e, s2, R_BP);
	ZydisEncoderRequest r;
	memset(&r, 0, sizeof(r));
	r.mnemonic = ZYDIS_MNEMONIC_MOV;
	r.operand_count = 2;
	r.operands[0].type = ZYDIS_OPERAND_TYPE_REGISTER;
	r.operands[0].reg.value = w == 8 ? ZYDIS_REGISTER_RBP : ZYDIS_REGISTER_EBP;
	r.operands[1].type = ZYDIS_OPERAND_TYPE_MEMORY;
	r.operands[1].mem.base = w == 8 ? memop__gpr64(s2) : memop__gpr32(s2);
	r.operands[1].mem.size = w;
	if (memop__emit(t, &r, 1, w, true, false, busy, false, s2, S_SS, w == 4))
		return -1;
	e_lea_disp(&t->e, R_SP, s2, w, w == 8);
	e_gs_abs(&t->e, OP_LOAD, s2, CPU_SAVE_S2);
	return 0;
}

static bool copyable_category(const ZydisDecodedInstruction *in)
{
	switch (in->meta.category) {
	case ZYDIS_CATEGORY_BINARY:
	case ZYDIS_CATEGORY_LOGICAL:
	case ZYDIS_CATEGORY_SHIFT:
	case ZYDIS_CATEGORY_ROTATE:
	case ZYDIS_CATEGORY_BITBYTE:
	case ZYDIS_CATEGORY_DATAXFER:
	case ZYDIS_CATEGORY_CMOV:
	case ZYDIS_CATEGORY_SETCC:
	case ZYDIS_CATEGORY_CONVERT:
	case ZYDIS_CATEGORY_SEMAPHORE:
	case ZYDIS_CATEGORY_BMI1:
	case ZYDIS_CATEGORY_BMI2:
	case ZYDIS_CATEGORY_LZCNT:
	/* x87, MMX and SSE run on the host FPU, which holds the guest's state
	 * while translated code runs (entry.S). */
	case ZYDIS_CATEGORY_X87_ALU:
	case ZYDIS_CATEGORY_FCMOV:
	case ZYDIS_CATEGORY_MMX:
	case ZYDIS_CATEGORY_SSE:
	case ZYDIS_CATEGORY_LOGICAL_FP:
	case ZYDIS_CATEGORY_STTNI:
		return true;
	case ZYDIS_CATEGORY_FLAGOP:
		switch (in->mnemonic) {
		case ZYDIS_MNEMONIC_CLC: case ZYDIS_MNEMONIC_STC: case ZYDIS_MNEMONIC_CMC:
		case ZYDIS_MNEMONIC_CLD: case ZYDIS_MNEMONIC_STD:
		case ZYDIS_MNEMONIC_LAHF: case ZYDIS_MNEMONIC_SAHF:
			return true;
		default:
			return false;
		}
	default:
		return in->mnemonic == ZYDIS_MNEMONIC_LEA || in->mnemonic == ZYDIS_MNEMONIC_PAUSE;
	}
}

/* Index of the one explicit memory operand, -1 for none, -2 for "not copyable". */
static int mem_operand(struct tx *t)
{
	int mi = -1;
	for (int i = 0; i < t->in.operand_count; i++) {
		const ZydisDecodedOperand *o = &t->ops[i];
		if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			ZydisRegister r = o->reg.value;
			ZydisRegisterClass k = ZydisRegisterGetClass(r);
			if (k != ZYDIS_REGCLASS_GPR8 && k != ZYDIS_REGCLASS_GPR16 &&
			    k != ZYDIS_REGCLASS_GPR32 && k != ZYDIS_REGCLASS_GPR64 &&
			    k != ZYDIS_REGCLASS_FLAGS && k != ZYDIS_REGCLASS_X87 &&
			    k != ZYDIS_REGCLASS_MMX && k != ZYDIS_REGCLASS_XMM &&
			    r != ZYDIS_REGISTER_MXCSR && r != ZYDIS_REGISTER_X87CONTROL &&
			    r != ZYDIS_REGISTER_X87STATUS && r != ZYDIS_REGISTER_X87TAG)
				return -2;
		}
		if (o->type != ZYDIS_OPERAND_TYPE_MEMORY || o->mem.type == ZYDIS_MEMOP_TYPE_AGEN)
			continue;
		if (mi >= 0 || o->visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT)
			return -2;
		mi = i;
	}
	return mi;
}

static bool bit_string_op(struct tx *t, int mi)
{
	switch (t->in.mnemonic) {
	case ZYDIS_MNEMONIC_BT: case ZYDIS_MNEMONIC_BTS:
	case ZYDIS_MNEMONIC_BTR: case ZYDIS_MNEMONIC_BTC:
		return mi >= 0 && t->ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER;
	default:
		return false;
	}
}

static int tx_lea(struct tx *t)
{
	const ZydisDecodedOperand *m = &t->ops[1];
	if (m->mem.base == ZYDIS_REGISTER_RIP || m->mem.base == ZYDIS_REGISTER_EIP) {
		uint64_t a = t->next + (uint64_t)m->mem.disp.value;
		int r = memop__gpr_id(t->ops[0].reg.value);
		if (t->in.operand_width != 64) {
			if (t->in.operand_width == 16)
				return -1;
			a = (uint32_t)a;
		}
		e_mov_imm(&t->e, r, a);
		return 0;
	}
	return 1;	/* plain copy */
}

/* FPU state loads the C interpreter checks (a bad MXCSR would fault in the
 * host; unmasked exceptions would reach the host as SIGFPE), and the
 * whole-state saves that exceed the bounce buffer. */
static bool fpu_state_op(ZydisMnemonic m)
{
	switch (m) {
	case ZYDIS_MNEMONIC_LDMXCSR: case ZYDIS_MNEMONIC_FLDCW: case ZYDIS_MNEMONIC_FLDENV:
	case ZYDIS_MNEMONIC_FRSTOR: case ZYDIS_MNEMONIC_FNSAVE: case ZYDIS_MNEMONIC_FNSTENV:
	case ZYDIS_MNEMONIC_FXRSTOR: case ZYDIS_MNEMONIC_FXRSTOR64:
	case ZYDIS_MNEMONIC_FXSAVE: case ZYDIS_MNEMONIC_FXSAVE64:
		return true;
	default:
		return false;
	}
}

/* Legacy SSE faults (#GP) on a misaligned m128 unless the instruction is
 * one of the explicitly unaligned ones (SDM vol. 1, 14.9 / 15.7). */
static bool needs_align16(struct tx *t, const ZydisDecodedOperand *m)
{
	if (m->size != 128 || (t->in.meta.category != ZYDIS_CATEGORY_SSE &&
			       t->in.meta.category != ZYDIS_CATEGORY_LOGICAL_FP &&
			       t->in.meta.category != ZYDIS_CATEGORY_STTNI))
		return false;
	switch (t->in.mnemonic) {
	case ZYDIS_MNEMONIC_MOVUPS: case ZYDIS_MNEMONIC_MOVUPD: case ZYDIS_MNEMONIC_MOVDQU:
	case ZYDIS_MNEMONIC_LDDQU: case ZYDIS_MNEMONIC_PCMPESTRI: case ZYDIS_MNEMONIC_PCMPESTRM:
	case ZYDIS_MNEMONIC_PCMPISTRI: case ZYDIS_MNEMONIC_PCMPISTRM:
		return false;
	default:
		return true;
	}
}

static bool uses_fpu(const struct tx *t)
{
	switch (t->in.meta.category) {
	case ZYDIS_CATEGORY_X87_ALU: case ZYDIS_CATEGORY_FCMOV: case ZYDIS_CATEGORY_MMX:
	case ZYDIS_CATEGORY_SSE: case ZYDIS_CATEGORY_LOGICAL_FP: case ZYDIS_CATEGORY_STTNI:
		return true;
	default:
		break;
	}
	for (int i = 0; i < t->in.operand_count; i++) {
		if (t->ops[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
			continue;
		ZydisRegister r = t->ops[i].reg.value;
		ZydisRegisterClass k = ZydisRegisterGetClass(r);
		if (k == ZYDIS_REGCLASS_X87 || k == ZYDIS_REGCLASS_MMX || k == ZYDIS_REGCLASS_XMM ||
		    r == ZYDIS_REGISTER_MXCSR || r == ZYDIS_REGISTER_X87CONTROL ||
		    r == ZYDIS_REGISTER_X87STATUS || r == ZYDIS_REGISTER_X87TAG)
			return true;
	}
	return false;
}

/* Before a block's first x87/MMX/SSE instruction: load the guest's FPU state
 * unless it is live already (flag-free: jrcxz). */
static void emit_fpu_load(struct tx *t)
{
	struct emit *e = &t->e;
	e_gs_abs(e, OP_STORE, R_CX, CPU_TMP);
	e_gs_abs(e, OP_LOAD, R_CX, CPU_FPU_LIVE);
	e8(e, 0xe3); e8(e, 2);				/* jrcxz load */
	e8(e, 0xeb); e8(e, 0);				/* jmp done */
	uint8_t *load = e->p;
	e8(e, 0x65); e8(e, 0x48); e8(e, 0x0f); e8(e, 0xae); e8(e, 0x0c); e8(e, 0x25);
	e32(e, CPU_FX);					/* load: fxrstor64 gs:[CPU_FX] */
	e_gs_store_imm(e, CPU_FPU_LIVE, 1);
	if (!e->overflow)
		load[-1] = (uint8_t)(e->p - load);
	e_gs_abs(e, OP_LOAD, R_CX, CPU_TMP);		/* done: */
	t->fpu_loaded = true;
}

/* Whether the decoded instruction writes the GPR with id `reg`. */
static bool writes_gpr(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops, int reg)
{
	for (int i = 0; i < in->operand_count; i++)
		if (ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    (ops[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) &&
		    memop__gpr_id(ops[i].reg.value) == reg && reg >= 0)
			return true;
	return false;
}

/* Register to register (or immediate) arithmetic the generic path copies
 * as it is: no memory, no branch, nothing for the C interpreter. */
static bool plain_alu(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
	switch (in->meta.category) {
	case ZYDIS_CATEGORY_BINARY: case ZYDIS_CATEGORY_LOGICAL: case ZYDIS_CATEGORY_SHIFT:
	case ZYDIS_CATEGORY_ROTATE: case ZYDIS_CATEGORY_DATAXFER: case ZYDIS_CATEGORY_CMOV:
	case ZYDIS_CATEGORY_SETCC: case ZYDIS_CATEGORY_CONVERT:
		break;
	default:
		return false;
	}
	if (in->encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY ||
	    (in->attributes & ZYDIS_ATTRIB_IS_PRIVILEGED) ||
	    in->mnemonic == ZYDIS_MNEMONIC_DIV || in->mnemonic == ZYDIS_MNEMONIC_IDIV)
		return false;
	for (int i = 0; i < in->operand_count; i++) {
		if (ops[i].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
			continue;
		if (ops[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
			return false;
		ZydisRegisterClass k = ZydisRegisterGetClass(ops[i].reg.value);
		if (k != ZYDIS_REGCLASS_GPR8 && k != ZYDIS_REGCLASS_GPR16 &&
		    k != ZYDIS_REGCLASS_GPR32 && k != ZYDIS_REGCLASS_GPR64 &&
		    k != ZYDIS_REGCLASS_FLAGS)
			return false;
	}
	return true;
}

static bool same_address(const ZydisDecodedOperand *a, uint64_t a_next,
			 const ZydisDecodedOperand *b, uint64_t b_next)
{
	if (a->mem.base != b->mem.base || a->mem.index != b->mem.index ||
	    a->mem.segment != b->mem.segment || (a->mem.index && a->mem.scale != b->mem.scale))
		return false;
	if (a->mem.base == ZYDIS_REGISTER_RIP)
		return a_next + (uint64_t)a->mem.disp.value == b_next + (uint64_t)b->mem.disp.value;
	return a->mem.disp.value == b->mem.disp.value;
}

/* The block's instruction number idx, at cur: decoded on first use, then
 * kept until the next block (the look-ahead passes and the translation
 * all read the same instructions). NULL where it cannot be fetched or
 * decoded (nothing raised) or lies beyond the look-ahead. */
static const struct tx_insn *tx_peek(struct tx *t, unsigned idx, uint64_t cur)
{
	if (idx >= TX_PEEK || idx > t->npeek)
		return NULL;
	struct tx_insn *p = &t->peek[idx];
	if (idx == t->npeek || p->rip != cur) {
		p->rip = cur;
		p->len = translate__decode(t->c, cur, &p->in, p->ops, &p->pa2, p->bytes, false);
		t->npeek = idx + 1;
	}
	return p->len < 0 ? NULL : p;
}

/* Make peeked instruction idx the current one (t->in, t->ops, t->bytes).
 * All the operands: those past the count are the decoder's zeros, which
 * the interpreter may read (BT_DEC_MIN_OPS). */
static void tx_take(struct tx *t, const struct tx_insn *p)
{
	t->in = p->in;
	memcpy(t->ops, p->ops, sizeof(t->ops));
	memcpy(t->bytes, p->bytes, sizeof(t->bytes));
}

/*
 * A load whose address a `mov` stores to a few instructions later, as in
 * `mov rax, [m]; add rax, rbx; mov [m], rax`, with only register
 * arithmetic between that leaves m's registers alone, and dead flags at
 * the store: the load then probes the write TLB and the store reuses its
 * host pointer (memop__emit_fused_store). Returns the store's address, or
 * 0; *regs gets the registers of the instructions up to it, which the
 * scratch registers must avoid.
 */
static uint64_t store_after_load(struct tx *t, const ZydisDecodedOperand *m, unsigned *regs)
{
	uint64_t cur = t->next;
	int base = m->mem.base == ZYDIS_REGISTER_RIP ? -1 : memop__gpr_id(m->mem.base);
	int index = memop__gpr_id(m->mem.index);
	if (t->bits != 64 || t->in.address_width != 64 || t->c->cache->opts.single_step ||
	    (m->mem.segment != ZYDIS_REGISTER_DS && m->mem.segment != ZYDIS_REGISTER_SS) ||
	    writes_gpr(&t->in, t->ops, base) || writes_gpr(&t->in, t->ops, index))
		return 0;
	for (unsigned k = 1; k <= 4 && t->idx + k < t->nlive; k++) {
		bool high8;
		const struct tx_insn *p;
		if ((cur & PAGE_MASK) != t->page || !(p = tx_peek(t, t->idx + k, cur)) ||
		    p->pa2 != ~0ull)
			return 0;
		const ZydisDecodedInstruction *in = &p->in;
		const ZydisDecodedOperand *ops = p->ops;
		*regs |= memop__regs_of(in, ops, &high8);
		if (in->mnemonic == ZYDIS_MNEMONIC_MOV && ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY) {
			if (!high8 && in->address_width == 64 && ops[0].size == m->size &&
			    same_address(m, t->next, &ops[0], cur + in->length) &&
			    !(t->live_in[t->idx + k] & RFL_ARITH))
				return cur;
			return 0;
		}
		if (!plain_alu(in, ops) || writes_gpr(in, ops, base) || writes_gpr(in, ops, index))
			return 0;
		cur += in->length;
	}
	return 0;
}

static int tx_generic(struct tx *t)
{
	if (!copyable_category(&t->in) || (t->in.attributes & ZYDIS_ATTRIB_IS_PRIVILEGED))
		return -1;
	if (t->in.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY || fpu_state_op(t->in.mnemonic))
		return -1;	/* VEX/EVEX/XOP/3DNow!: not offered (CPUID) */
	if (!t->fpu_loaded && uses_fpu(t))
		emit_fpu_load(t);
	if (t->in.mnemonic == ZYDIS_MNEMONIC_DIV || t->in.mnemonic == ZYDIS_MNEMONIC_IDIV ||
	    t->in.mnemonic == ZYDIS_MNEMONIC_XLAT)
		return -1;
	int mi = mem_operand(t);
	if (mi == -2 || bit_string_op(t, mi) || t->in.address_width == 16)
		return -1;
	bool high8;
	unsigned busy = memop__used_regs(t, &high8);
	if (busy & memop__borrowed(t))
		memop__unborrow(t);
	if (t->in.mnemonic == ZYDIS_MNEMONIC_LEA && tx_lea(t) == 0)
		return 0;
	ZydisEncoderRequest req;
	if (mi < 0) {
		if (t->bits == 64) {
			e_bytes(&t->e, t->bytes, t->in.length);
			return 0;
		}
		if (ZYAN_FAILED(ZydisEncoderDecodedInstructionToEncoderRequest(&t->in, t->ops,
				t->in.operand_count_visible, &req)))
			return -1;
		return memop__encode(t, &req) ? -1 : 0;
	}
	if (mi >= t->in.operand_count_visible)
		return -1;
	if (ZYAN_FAILED(ZydisEncoderDecodedInstructionToEncoderRequest(&t->in, t->ops,
			t->in.operand_count_visible, &req)))
		return -1;
	const ZydisDecodedOperand *m = &t->ops[mi];
	int seg = m->mem.segment == ZYDIS_REGISTER_FS ? S_FS :
		  m->mem.segment == ZYDIS_REGISTER_GS ? S_GS : S_DS;
	bool rd = m->actions & ZYDIS_OPERAND_ACTION_MASK_READ;
	bool wr = m->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE;
	memop_align16 = needs_align16(t, m);
	if (wr && !rd) {
		int r = memop__emit_fused_store(t, &req, mi, m->size / 8, m);
		if (r <= 0)
			return r;
	}
	uint64_t store = 0;
	if (rd && !wr && !memop_align16 && !high8) {
		unsigned regs = 0;
		store = store_after_load(t, m, &regs);
		if (store) {
			busy |= regs;
			memop_store_intent = true;
		}
	}
	if (memop__emit(t, &req, mi, m->size / 8, rd, wr, busy, high8, -1, seg,
		     t->in.address_width == 32))
		return -1;
	if (store) {
		t->fuse_pending = true;
		t->fuse_rip = store;
		t->fuse_items = t->nitems;
	}
	return 0;
}

/* Transfers of control the C interpreter runs from inside a block, ending
 * it: bt_helper_call goes on straight into the target's block. */
static bool helper_transfer(const struct tx *t)
{
	switch (t->in.mnemonic) {
	case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSRET:
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
	case ZYDIS_MNEMONIC_INT: case ZYDIS_MNEMONIC_INT3: case ZYDIS_MNEMONIC_INTO:
	case ZYDIS_MNEMONIC_INT1:
		return true;
	default:
		return false;
	}
}

/* What the C interpreter may run from inside a block (bt_helper): all but
 * the other control transfers and HLT, which end their block anyway. */
static bool helper_inline_ok(const struct tx *t)
{
	if (helper_transfer(t))
		return true;
	switch (t->in.meta.category) {
	case ZYDIS_CATEGORY_COND_BR: case ZYDIS_CATEGORY_UNCOND_BR: case ZYDIS_CATEGORY_CALL:
	case ZYDIS_CATEGORY_RET: case ZYDIS_CATEGORY_INTERRUPT: case ZYDIS_CATEGORY_SYSCALL:
	case ZYDIS_CATEGORY_SYSRET:
		return false;
	default:
		break;
	}
	switch (t->in.mnemonic) {
	case ZYDIS_MNEMONIC_HLT: case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD:
	case ZYDIS_MNEMONIC_IRETQ: case ZYDIS_MNEMONIC_JMP: case ZYDIS_MNEMONIC_CALL:
	case ZYDIS_MNEMONIC_RET:
		return false;
	default:
		return true;
	}
}

/* The instruction, decoded, for the C interpreter: kept at the top of the
 * current segment, below the ones before it, with the operands it has. */
static struct bt_decoded *save_decoded(struct tx *t)
{
	struct bt_cache *k = t->c->cache;
	unsigned nops = t->in.operand_count > BT_DEC_MIN_OPS ? t->in.operand_count : BT_DEC_MIN_OPS;
	size_t sz = (sizeof(struct bt_decoded) + nops * sizeof(ZydisDecodedOperand) + 15) & ~(size_t)15;
	if ((size_t)(k->dec_low - t->e.p) < sz + 256) {
		t->e.overflow = 1;
		return NULL;
	}
	k->dec_low -= sz;
	t->e.end = k->dec_low - EMIT_GUARD;
	struct bt_decoded *d = (struct bt_decoded *)k->dec_low;
	memset(d, 0, sizeof(*d));
	d->in = t->in;
	memcpy(d->ops, t->ops, nops * sizeof(ZydisDecodedOperand));
	d->rip = t->rip;
	d->next = t->next;
	k->ndec++;
	return d;
}

/* Call the C interpreter for this instruction and go on with the block if it
 * changed nothing the translation depends on (run.c, bt_helper_call).
 * Returns 0, 1 when the call ends the block (a transfer of control), or -1
 * when the instruction must end the block instead. */
static int emit_helper_call(struct tx *t)
{
	struct bt_cache *k = t->c->cache;
	struct bt_decoded *d = helper_inline_ok(t) ? save_decoded(t) : NULL;
	if (!d)
		return -1;
	memop__unborrow(t);
	e_gs_abs(&t->e, OP_STORE, R_AX, CPU_SAVE_RAX);
	e_mov_imm(&t->e, R_AX, (uint64_t)(uintptr_t)d);
	e_jmp32(&t->e, k->t_helper);
	d->transfer = helper_transfer(t);
	d->resume = d->transfer ? NULL : t->e.p;
	return d->transfer ? 1 : 0;
}

/* SWAPGS at CPL 0 in 64-bit code (the block's mode fixes both): exchange
 * the GS base, in both its copies, with KERNEL_GS_BASE; no flags touched.
 * Elsewhere it faults, in the interpreter. */
static int tx_swapgs(struct tx *t)
{
	if (t->bits != 64 || t->c->cpl != 0)
		return -1;
	struct emit *e = &t->e;
	const int32_t kgs = (int32_t)offsetof(struct bt_cpu, kernel_gs_base);
	const int32_t gs_seg = (int32_t)(offsetof(struct bt_cpu, seg) + S_GS * sizeof(struct bt_seg) +
					 offsetof(struct bt_seg, base));
	unsigned mask = 1u << R_AX | 1u << R_SP;
	int a = memop__pick(&mask, false), b = memop__pick(&mask, false);
	e_gs_abs(e, OP_STORE, a, CPU_SAVE_S0);
	e_gs_abs(e, OP_STORE, b, CPU_SAVE_S1);
	e_gs_abs(e, OP_LOAD, a, CPU_SEGBASE + 8 * S_GS);
	e_gs_abs(e, OP_LOAD, b, kgs);
	e_gs_abs(e, OP_STORE, a, kgs);
	e_gs_abs(e, OP_STORE, b, CPU_SEGBASE + 8 * S_GS);
	e_gs_abs(e, OP_STORE, b, gs_seg);
	e_gs_abs(e, OP_LOAD, a, CPU_SAVE_S0);
	e_gs_abs(e, OP_LOAD, b, CPU_SAVE_S1);
	return 0;
}

/*
 * CLI and STI at CPL 0, without touching the guest's flags: IF through the
 * if_byte tables. STI also sets the interrupt shadow (the dispatcher then
 * runs one more block before it delivers: the instruction after STI is never
 * interrupted, as with `sti; hlt`), and zeroes the budget when a kick may
 * have left an interrupt waiting, so that it is taken at the next block
 * boundary. Elsewhere (IOPL checks) they go to the interpreter.
 */
static int tx_cli_sti(struct tx *t)
{
	if (t->c->cpl != 0)
		return -1;
	bool sti = t->in.mnemonic == ZYDIS_MNEMONIC_STI;
	struct emit *e = &t->e;
	unsigned mask = 1u << R_AX | 1u << R_SP;
	int s = memop__pick(&mask, false);
	e_gs_abs(e, OP_STORE, s, CPU_SAVE_S0);
	e_gs_movzx8(e, s, CPU_RFLAGS + 1);
	e_gs_movzx8_base(e, s, s, (int32_t)offsetof(struct bt_cpu, if_byte[sti]));
	e_gs_store8(e, s, CPU_RFLAGS + 1);
	if (sti) {
		e_gs_store8_imm(e, (int32_t)offsetof(struct bt_cpu, irq_shadow), 1);
		e_gs_movzx8(e, s, (int32_t)offsetof(struct bt_cpu, irq_maybe));
		e_gs_load_idx8(e, s, s, (int32_t)offsetof(struct bt_cpu, sti_budget_at));
		e_gs_zero_at(e, s);
	}
	e_gs_abs(e, OP_LOAD, s, CPU_SAVE_S0);
	return 0;
}

/* Whether tx_insn hands the instruction to tx_generic. */
static bool generic_route(const struct tx *t)
{
	switch (t->in.meta.category) {
	case ZYDIS_CATEGORY_COND_BR: case ZYDIS_CATEGORY_UNCOND_BR: case ZYDIS_CATEGORY_CALL:
	case ZYDIS_CATEGORY_RET: case ZYDIS_CATEGORY_PUSH: case ZYDIS_CATEGORY_POP:
		return false;
	default:
		break;
	}
	switch (t->in.mnemonic) {
	case ZYDIS_MNEMONIC_LEAVE: case ZYDIS_MNEMONIC_SWAPGS: case ZYDIS_MNEMONIC_CLI:
	case ZYDIS_MNEMONIC_STI: case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSRET:
		return false;
	default:
		return true;
	}
}

/* 0: continue the block, 1: the block ended, -1: needs the C interpreter. */
static int tx_insn(struct tx *t)
{
	/* Only tx_generic keeps the memory path's scratch registers borrowed
	 * (when the instruction does not name them); everything else may
	 * leave the block, call C, or use CPU_SAVE_S0/S1 itself. */
	if (!generic_route(t) && !(t->pin2 >= 0 && t->in.meta.category == ZYDIS_CATEGORY_COND_BR))
		memop__unborrow(t);
	switch (t->in.meta.category) {
	case ZYDIS_CATEGORY_COND_BR:	return tx_jcc(t);
	case ZYDIS_CATEGORY_UNCOND_BR:	return tx_jmp(t);
	case ZYDIS_CATEGORY_CALL:	return tx_call(t);
	case ZYDIS_CATEGORY_RET:	return tx_ret(t);
	case ZYDIS_CATEGORY_PUSH:	return tx_push(t);
	case ZYDIS_CATEGORY_POP:	return tx_pop(t);
	case ZYDIS_CATEGORY_NOP:
	case ZYDIS_CATEGORY_WIDENOP:
	case ZYDIS_CATEGORY_PREFETCH:
		return 0;	/* no architectural effect worth keeping */
	default:
		break;
	}
	if (t->in.mnemonic == ZYDIS_MNEMONIC_LEAVE)
		return tx_leave(t);
	if (t->in.mnemonic == ZYDIS_MNEMONIC_SWAPGS)
		return tx_swapgs(t);
	if (t->in.mnemonic == ZYDIS_MNEMONIC_CLI || t->in.mnemonic == ZYDIS_MNEMONIC_STI)
		return tx_cli_sti(t);
	if (t->in.mnemonic == ZYDIS_MNEMONIC_SYSCALL)
		return syscall__translate(t);
	if (t->in.mnemonic == ZYDIS_MNEMONIC_SYSRET) {
		/* the fast path, then the interpreter for a non-canonical rcx */
		if (syscall__translate_sysret(t) < 0)
			return -1;
		if (emit_helper_call(t) < 0)
			t->fail = 1;
		return 1;
	}
	if (t->in.mnemonic == ZYDIS_MNEMONIC_ENDBR64 || t->in.mnemonic == ZYDIS_MNEMONIC_ENDBR32)
		return 0;
	return tx_generic(t);
}

/* Fetch and decode the instruction at rip. Returns its length, or -1 after
 * raising the fetch fault (#PF) or #UD. */
int translate__decode(struct bt_cpu *c, uint64_t rip, ZydisDecodedInstruction *in,
		      ZydisDecodedOperand *ops, uint64_t *pa2, uint8_t *buf, bool raise)
{
	uint64_t pa;
	unsigned first = (unsigned)(PAGE_SIZE - (rip & (PAGE_SIZE - 1)));
	if (first > 16)
		first = 16;
	if (mmu__fetch(c, rip, &pa, raise))
		return -1;
	uint8_t *h = mmu__ram(c, pa, first);
	if (!h) {
		if (raise)
			except__fatal(c, "fetch from %#llx: not RAM", (unsigned long long)pa);
		return -1;
	}
	memcpy(buf, h, first);
	unsigned avail = first;
	*pa2 = ~0ull;
	ZydisDecoder dec;
	int bits = cpu__code_bits(c);
	ZydisDecoderInit(&dec, bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64 :
			 bits == 32 ? ZYDIS_MACHINE_MODE_LEGACY_32 : ZYDIS_MACHINE_MODE_LEGACY_16,
			 bits == 64 ? ZYDIS_STACK_WIDTH_64 : bits == 32 ? ZYDIS_STACK_WIDTH_32 :
			 ZYDIS_STACK_WIDTH_16);
	ZyanStatus st = ZydisDecoderDecodeFull(&dec, buf, avail, in, ops);
	if (st == ZYDIS_STATUS_NO_MORE_DATA && avail < 16) {
		/* The instruction continues on the next page. */
		uint64_t pb;
		if (mmu__fetch(c, rip + first, &pb, raise))
			return -1;
		uint8_t *h2 = mmu__ram(c, pb, 16 - first);
		if (!h2) {
			if (raise)
				except__fatal(c, "fetch from %#llx: not RAM", (unsigned long long)pb);
			return -1;
		}
		memcpy(buf + first, h2, 16 - first);
		*pa2 = pb;
		st = ZydisDecoderDecodeFull(&dec, buf, 16, in, ops);
	}
	if (ZYAN_FAILED(st)) {
		if (raise)
			except__raise(c, EXC_UD, -1);
		return -1;
	}
	if (*pa2 != ~0ull && in->length <= first)
		*pa2 = ~0ull;
	return in->length;
}

/* Flags an instruction surely writes (so earlier values are dead). Shifts
 * and rotates by CL, or by an immediate that masks to 0, write none. */
static uint64_t flags_written(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
	if (!in->cpu_flags)
		return 0;
	switch (in->meta.category) {
	case ZYDIS_CATEGORY_SHIFT:
	case ZYDIS_CATEGORY_ROTATE:
		for (int i = 0; i < in->operand_count_visible; i++)
			if (ops[i].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
			    (ops[i].imm.value.u & (in->operand_width == 64 ? 63 : 31)))
				goto all;
		return 0;
	default:
		break;
	}
all:
	return in->cpu_flags->modified | in->cpu_flags->set_0 | in->cpu_flags->set_1 |
	       in->cpu_flags->undefined;
}

/*
 * Backward liveness of the arithmetic flags over the block's straight-line
 * instructions (the same stop rules as translation; anything after the
 * scanned part, and every exit, counts as reading all flags).
 */
static void flags_liveness(struct tx *t, uint64_t rip, unsigned max)
{
	uint64_t written[BT_MAX_BLOCK_INSNS], tested[BT_MAX_BLOCK_INSNS];
	uint64_t cur = rip;
	unsigned n = 0;
	const struct tx_insn *p;
	while (n < max && (cur & PAGE_MASK) == t->page) {
		if (!(p = tx_peek(t, n, cur)) || p->pa2 != ~0ull)
			break;
		written[n] = flags_written(&p->in, p->ops) & RFL_ARITH;
		tested[n] = p->in.cpu_flags ? p->in.cpu_flags->tested & RFL_ARITH : RFL_ARITH;
		cur += p->in.length;
		n++;
		ZydisInstructionCategory k = p->in.meta.category;
		if (k == ZYDIS_CATEGORY_COND_BR || k == ZYDIS_CATEGORY_UNCOND_BR ||
		    k == ZYDIS_CATEGORY_CALL || k == ZYDIS_CATEGORY_RET ||
		    k == ZYDIS_CATEGORY_SYSTEM || k == ZYDIS_CATEGORY_INTERRUPT ||
		    k == ZYDIS_CATEGORY_SYSCALL || k == ZYDIS_CATEGORY_SYSRET)
			break;
	}
	uint64_t live = RFL_ARITH;
	for (unsigned i = n; i-- > 0;) {
		live = tested[i] | (live & ~written[i]);
		t->live_in[i] = live;
	}
	t->nlive = n;
}

/*
 * A block of 64-bit code that ends in a jcc back to its own first
 * instruction, with nothing between that leaves or calls C: two scratch
 * registers none of its instructions names, to stay borrowed across the
 * back edge (tx_jcc). False when it is not such a loop.
 */
static bool loop_pin(struct tx *t, uint64_t rip, unsigned max, int *p0, int *p1, int *p2)
{
	uint64_t cur = rip;
	unsigned used = 0;
	bool anyhigh8 = false;
	for (unsigned n = 0; n < max && (cur & PAGE_MASK) == t->page; n++) {
		bool high8;
		const struct tx_insn *p = tx_peek(t, n, cur);
		if (!p || p->pa2 != ~0ull)
			return false;
		const ZydisDecodedInstruction *in = &p->in;
		used |= memop__regs_of(in, p->ops, &high8);
		anyhigh8 |= high8;
		ZydisInstructionCategory k = in->meta.category;
		if (k == ZYDIS_CATEGORY_COND_BR) {
			ZyanU64 target = 0;
			if ((in->opcode & 0xf0) == 0xe0 ||
			    ZYAN_FAILED(ZydisCalcAbsoluteAddress(in, &p->ops[0], cur, &target)) ||
			    target != rip)
				return false;
			*p0 = memop__pick(&used, anyhigh8);
			*p1 = memop__pick(&used, false);
			*p2 = memop__pick(&used, false);
			return *p0 >= 0 && *p1 >= 0 && *p2 >= 0;
		}
		if (k == ZYDIS_CATEGORY_UNCOND_BR || k == ZYDIS_CATEGORY_CALL || k == ZYDIS_CATEGORY_RET ||
		    k == ZYDIS_CATEGORY_SYSTEM || k == ZYDIS_CATEGORY_INTERRUPT ||
		    k == ZYDIS_CATEGORY_SYSCALL || k == ZYDIS_CATEGORY_SYSRET)
			return false;
		cur += in->length;
	}
	return false;
}

/*
 * The budget check at a block's entry. Where the block overwrites the
 * arithmetic flags before it reads any, a `sub` on the budget in memory
 * does it in two instructions (jb: it was 0); else a flag-free jrcxz with
 * rcx parked. (The first leaves its own flags in the RFLAGS image of an
 * interrupt taken right there: dead flags, see README "Not supported".)
 */
static void emit_prologue(struct tx *t, struct bt_block *b)
{
	struct emit *e = &t->e;
	bool flags_dead = t->nlive && !(t->live_in[0] & RFL_ARITH);
	uint8_t *exit = e->p;
	if (!flags_dead)
		e_gs_abs(e, OP_LOAD, R_CX, CPU_TMP);	/* jrcxz comes here */
	uint8_t *stub = e->p;
	memop__stub(t, b->rip, false, false);
	b->code = e->p;
	b->exit_off = (uint8_t)(b->code - stub);
	if (flags_dead) {
		e8(e, 0x48); e8(e, 0x83); e8(e, 0x2d);
		e32(e, e_riprel(e, CPU_BUDGET, 1));
		e8(e, 1);			/* sub qword [budget], 1 */
		e8(e, 0x72);			/* jb exit (rel8: the stub is just above) */
		e8(e, (uint8_t)(int8_t)(stub - (e->p + 1)));
	} else {
		e_gs_abs(e, OP_STORE, R_CX, CPU_TMP);
		e_gs_abs(e, OP_LOAD, R_CX, CPU_BUDGET);
		e8(e, 0xe3);			/* jrcxz exit: flag-free budget check */
		e8(e, (uint8_t)(int8_t)(exit - (e->p + 1)));
		e_lea_disp(e, R_CX, R_CX, -1, 1);
		e_gs_abs(e, OP_STORE, R_CX, CPU_BUDGET);
		e_gs_abs(e, OP_LOAD, R_CX, CPU_TMP);
	}
	b->body_off = (uint8_t)(e->p - b->code);
}

/* Room a block of 64 instructions rarely exceeds; one that does is
 * translated again in an empty segment (translate__block). */
#define BLOCK_RESERVE	(16u << 10)

static struct bt_block *new_block(struct bt_cpu *c, uint64_t rip, uint64_t pa, uint32_t mode)
{
	struct bt_cache *k = c->cache;
	cache__reserve(c, BLOCK_RESERVE);
	struct bt_block *b = &k->blocks[k->seg * k->seg_blocks + k->seg_nblocks[k->seg]++];
	memset(b, 0, sizeof(*b));
	b->rip = rip;
	b->pa = pa;
	b->pa2 = ~0ull;
	b->mode = mode;
	b->seg = (uint8_t)k->seg;
	return b;
}

/* One try at translating the block at rip; *again is set where it ran out
 * of room in the current segment (nothing of it is kept). */
static struct bt_block *translate_once(struct bt_cpu *c, uint64_t rip, uint64_t pa, uint32_t mode,
				       bool *again)
{
	struct bt_cache *k = c->cache;
	static __thread struct tx t;
	memset(&t, 0, offsetof(struct tx, items));
	t.bor0 = t.bor1 = t.pin2 = -1;
	t.fpu_loaded = false;
	t.nitems = 0;
	t.c = c;
	t.bits = cpu__code_bits(c);
	t.user = c->cpl == 3;
	t.page = rip & PAGE_MASK;
	/* Decode the first instruction before allocating: a fetch fault
	 * allocates nothing. */
	struct tx_insn *first = &t.peek[0];
	first->rip = rip;
	first->len = translate__decode(c, rip, &first->in, first->ops, &first->pa2, first->bytes, true);
	if (first->len < 0)
		return NULL;
	t.npeek = 1;
	struct bt_block *b = new_block(c, rip, pa, mode);
	uint8_t *dec_low = k->dec_low;
	t.e.p = k->buf + k->used;
	t.e.end = k->dec_low - EMIT_GUARD;
	t.e.cpu = k->cpu;
	uint8_t *start = t.e.p;
	unsigned max = k->opts.single_step ? 1 : BT_MAX_BLOCK_INSNS;
	flags_liveness(&t, rip, max);
	emit_prologue(&t, b);
	t.block_rip = rip;
	int p0, p1, p2;
	if (t.bits == 64 && t.nlive && !(t.live_in[0] & RFL_ARITH) && !k->opts.no_chain &&
	    loop_pin(&t, rip, max, &p0, &p1, &p2)) {
		e_gs_abs(&t.e, OP_STORE, p0, CPU_SAVE_S0);
		e_gs_abs(&t.e, OP_STORE, p1, CPU_SAVE_S1);
		e_gs_abs(&t.e, OP_STORE, p2, CPU_SAVE_S3);
		e_gs_abs(&t.e, OP_LOAD, p2, CPU_BUDGET);
		t.bor0 = t.pin0 = p0;
		t.bor1 = t.pin1 = p1;
		t.pin2 = p2;
		t.loop_top = t.e.p;
	}
	uint64_t cur = rip;
	for (unsigned n = 0;; n++) {
		const struct tx_insn *p = NULL;
		if (n > 0) {
			if (n == max || (cur & PAGE_MASK) != t.page || !(p = tx_peek(&t, n, cur)) ||
			    p->pa2 != ~0ull) {
				memop__unborrow(&t);
				memop__stub(&t, cur, (cur & PAGE_MASK) == t.page, true);
				break;
			}
		} else {
			p = first;
			b->pa2 = first->pa2;
		}
		tx_take(&t, p);
		t.rip = cur;
		t.next = cur + t.in.length;
		t.flags_live = n < t.nlive ? t.live_in[n] : RFL_ARITH;
		if (t.bits != 64)
			t.next = (uint32_t)t.next;
		uint8_t *mark = t.e.p;
		int saved_items = t.nitems;
		bool fpu_loaded = t.fpu_loaded;
		int bor0 = t.bor0, bor1 = t.bor1, pin2 = t.pin2;
		t.idx = n;
		int r = tx_insn(&t);
		if (r < 0 || t.fail) {
			t.fuse_pending = false;
			t.e.p = mark;
			t.nitems = saved_items;
			t.fpu_loaded = fpu_loaded;
			t.bor0 = bor0;
			t.bor1 = bor1;
			t.pin2 = pin2;
			t.fail = 0;
			r = emit_helper_call(&t);
		}
		if (r < 0) {
			if (n == 0) {
				/* The C interpreter runs it; no code for this block. */
				b->helper = true;
				b->ninsn = 1;
				b->dec = save_decoded(&t);
				if (t.e.overflow)
					goto again;
				k->used = (size_t)(start - k->buf);
				return b;
			}
			memop__unborrow(&t);
			memop__stub(&t, cur, false, false);
			break;
		}
		b->ninsn = n + 1;
		cur = t.next;
		if (r == 1)
			break;
	}
	memop__items(&t);
	if (t.e.overflow && !t.fail)
		goto again;
	if (t.e.overflow || t.fail) {
		cache__flush(c);
		snprintf(k->msg, sizeof(k->msg), "translation of %#llx failed",
			 (unsigned long long)rip);
		return NULL;
	}
	k->emitted += (uint64_t)(t.e.p - start);
	k->used = (size_t)(t.e.p - k->buf);
	k->used = (k->used + 15) & ~(size_t)15;
	return b;
again:
	k->seg_nblocks[k->seg]--;
	k->dec_low = dec_low;
	*again = true;
	return NULL;
}

struct bt_block *translate__block(struct bt_cpu *c, uint64_t rip, uint64_t pa, uint32_t mode)
{
	bool again = false;
	struct bt_block *b = translate_once(c, rip, pa, mode, &again);
	if (!again)
		return b;
	/* it did not fit in what was left of the segment: an empty one */
	cache__next_segment(c);
	again = false;
	b = translate_once(c, rip, pa, mode, &again);
	if (again) {
		cache__flush(c);
		snprintf(c->cache->msg, sizeof(c->cache->msg),
			 "translation of %#llx does not fit a code cache segment",
			 (unsigned long long)rip);
		return NULL;
	}
	return b;
}
