// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The generator picks from a table of instruction shapes (mnemonic, operand
 * kinds, flags each leaves undefined). rbx and rbp stay pointers into the
 * data region and rsp into the stack, so every memory operand lands in RAM;
 * displacements are random, so accesses are unaligned and page-crossing.
 * Before an instruction reads a flag some earlier one left undefined, an
 * `add` defines them all again, so only architecturally defined results are
 * compared.
 */
#include <stdbool.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include "gen.h"

enum kind { K_RR, K_RI, K_RM, K_MR, K_MI, K_R, K_M, K_SHIFT_CL, K_SHIFT_I,
	    K_PUSHPOP, K_JCC, K_MOVX, K_LOOP, K_CALLRET, K_SETCC, K_LEA, K_XCHG_M,
	    K_BT_MR, K_DIV, K_STRING, K_RAW, K_SSE, K_SPLIT_RMW };

struct shape {
	ZydisMnemonic mn;
	enum kind kind;
	uint8_t undef;		/* flags (CF=1 PF=4 AF=0x10 ZF=0x40 SF=0x80 OF=0x800 >>?) */
	uint8_t reads_flags;
};

#define U_CF 0x01
#define U_PF 0x02
#define U_AF 0x04
#define U_ZF 0x08
#define U_SF 0x10
#define U_OF 0x20
#define U_ALL 0x3f

static const struct shape shapes[] = {
	{ ZYDIS_MNEMONIC_ADD, K_RR, 0, 0 }, { ZYDIS_MNEMONIC_ADD, K_RI, 0, 0 },
	{ ZYDIS_MNEMONIC_ADD, K_RM, 0, 0 }, { ZYDIS_MNEMONIC_ADD, K_MR, 0, 0 },
	{ ZYDIS_MNEMONIC_ADC, K_RR, 0, 1 }, { ZYDIS_MNEMONIC_ADC, K_MI, 0, 1 },
	{ ZYDIS_MNEMONIC_SUB, K_RR, 0, 0 }, { ZYDIS_MNEMONIC_SUB, K_RM, 0, 0 },
	{ ZYDIS_MNEMONIC_SBB, K_RR, 0, 1 }, { ZYDIS_MNEMONIC_SBB, K_MR, 0, 1 },
	{ ZYDIS_MNEMONIC_AND, K_RR, U_AF, 0 }, { ZYDIS_MNEMONIC_AND, K_MI, U_AF, 0 },
	{ ZYDIS_MNEMONIC_OR, K_RI, U_AF, 0 }, { ZYDIS_MNEMONIC_OR, K_RM, U_AF, 0 },
	{ ZYDIS_MNEMONIC_XOR, K_RR, U_AF, 0 }, { ZYDIS_MNEMONIC_XOR, K_MR, U_AF, 0 },
	{ ZYDIS_MNEMONIC_CMP, K_RR, 0, 0 }, { ZYDIS_MNEMONIC_CMP, K_MI, 0, 0 },
	{ ZYDIS_MNEMONIC_CMP, K_RM, 0, 0 }, { ZYDIS_MNEMONIC_TEST, K_RR, U_AF, 0 },
	{ ZYDIS_MNEMONIC_TEST, K_MR, U_AF, 0 },
	{ ZYDIS_MNEMONIC_MOV, K_RR, 0, 0 }, { ZYDIS_MNEMONIC_MOV, K_RI, 0, 0 },
	{ ZYDIS_MNEMONIC_MOV, K_RM, 0, 0 }, { ZYDIS_MNEMONIC_MOV, K_MR, 0, 0 },
	{ ZYDIS_MNEMONIC_MOV, K_MI, 0, 0 },
	{ ZYDIS_MNEMONIC_INC, K_R, 0, 0 }, { ZYDIS_MNEMONIC_DEC, K_M, 0, 0 },
	{ ZYDIS_MNEMONIC_NEG, K_R, 0, 0 }, { ZYDIS_MNEMONIC_NOT, K_M, 0, 0 },
	{ ZYDIS_MNEMONIC_SHL, K_SHIFT_I, U_OF | U_AF | U_CF, 0 },
	{ ZYDIS_MNEMONIC_SHR, K_SHIFT_CL, U_ALL, 0 },
	{ ZYDIS_MNEMONIC_SAR, K_SHIFT_I, U_OF | U_AF | U_CF, 0 },
	{ ZYDIS_MNEMONIC_ROL, K_SHIFT_I, U_OF | U_CF, 0 },
	{ ZYDIS_MNEMONIC_ROR, K_SHIFT_CL, U_ALL, 0 },
	{ ZYDIS_MNEMONIC_IMUL, K_RR, U_SF | U_ZF | U_AF | U_PF, 0 },
	{ ZYDIS_MNEMONIC_IMUL, K_RM, U_SF | U_ZF | U_AF | U_PF, 0 },
	{ ZYDIS_MNEMONIC_MUL, K_M, U_SF | U_ZF | U_AF | U_PF, 0 },
	{ ZYDIS_MNEMONIC_PUSH, K_PUSHPOP, 0, 0 },
	{ ZYDIS_MNEMONIC_JZ, K_JCC, 0, 1 }, { ZYDIS_MNEMONIC_JB, K_JCC, 0, 1 },
	{ ZYDIS_MNEMONIC_JLE, K_JCC, 0, 1 }, { ZYDIS_MNEMONIC_JNBE, K_JCC, 0, 1 },
	{ ZYDIS_MNEMONIC_MOVZX, K_MOVX, 0, 0 }, { ZYDIS_MNEMONIC_MOVSX, K_MOVX, 0, 0 },
	{ ZYDIS_MNEMONIC_LOOP, K_LOOP, 0, 0 },
	{ ZYDIS_MNEMONIC_CALL, K_CALLRET, 0, 0 },
	{ ZYDIS_MNEMONIC_SETNLE, K_SETCC, 0, 1 }, { ZYDIS_MNEMONIC_SETB, K_SETCC, 0, 1 },
	{ ZYDIS_MNEMONIC_CMOVNZ, K_RM, 0, 1 }, { ZYDIS_MNEMONIC_CMOVL, K_RR, 0, 1 },
	{ ZYDIS_MNEMONIC_LEA, K_LEA, 0, 0 },
	{ ZYDIS_MNEMONIC_XCHG, K_XCHG_M, 0, 0 }, { ZYDIS_MNEMONIC_XADD, K_MR, 0, 0 },
	{ ZYDIS_MNEMONIC_CMPXCHG, K_MR, 0, 0 },
	{ ZYDIS_MNEMONIC_BTS, K_BT_MR, U_OF | U_SF | U_AF | U_PF, 0 },
	{ ZYDIS_MNEMONIC_BSWAP, K_R, 0, 0 },
	{ ZYDIS_MNEMONIC_DIV, K_DIV, U_ALL, 0 }, { ZYDIS_MNEMONIC_IDIV, K_DIV, U_ALL, 0 },
	{ ZYDIS_MNEMONIC_MOVSB, K_STRING, 0, 0 }, { ZYDIS_MNEMONIC_CMPSB, K_STRING, 0, 0 },
	{ ZYDIS_MNEMONIC_LAHF, K_RAW, 0, 0 },
	{ ZYDIS_MNEMONIC_PADDD, K_SSE, 0, 0 }, { ZYDIS_MNEMONIC_MOVDQU, K_SSE, 0, 0 },
	{ ZYDIS_MNEMONIC_MOVQ, K_SSE, 0, 0 },
	{ ZYDIS_MNEMONIC_MOV, K_SPLIT_RMW, 0, 0 },
};

/* Integer SSE only: Unicorn's soft-float need not match the host bit for
 * bit on NaN payloads and denormals. Memory operands are unaligned-safe. */
static const ZydisMnemonic sse_rr[] = {
	ZYDIS_MNEMONIC_PADDD, ZYDIS_MNEMONIC_PSUBQ, ZYDIS_MNEMONIC_PXOR, ZYDIS_MNEMONIC_PAND,
	ZYDIS_MNEMONIC_POR, ZYDIS_MNEMONIC_PCMPEQB, ZYDIS_MNEMONIC_PUNPCKLBW,
	ZYDIS_MNEMONIC_PMULLW, ZYDIS_MNEMONIC_PSADBW, ZYDIS_MNEMONIC_PMAXUB,
	ZYDIS_MNEMONIC_MOVDQA, ZYDIS_MNEMONIC_PADDUSB,
};

/* Short fixed encodings: flag ops, conversions, xlat (helper-run), lahf/sahf. */
static const struct { uint8_t len, b[3]; uint8_t defines, reads; } raws[] = {
	{ 1, { 0x9f }, 0, 0x1f },		/* lahf */
	{ 1, { 0x9e }, 0x1f, 0 },		/* sahf */
	{ 1, { 0xf5 }, 0x01, 0x01 },		/* cmc */
	{ 1, { 0xf9 }, 0x01, 0 },		/* stc */
	{ 1, { 0xf8 }, 0x01, 0 },		/* clc */
	{ 2, { 0x66, 0x98 }, 0, 0 },		/* cbw */
	{ 1, { 0x98 }, 0, 0 },			/* cwde */
	{ 2, { 0x48, 0x98 }, 0, 0 },		/* cdqe */
	{ 2, { 0x66, 0x99 }, 0, 0 },		/* cwd */
	{ 1, { 0x99 }, 0, 0 },			/* cdq */
	{ 2, { 0x48, 0x99 }, 0, 0 },		/* cqo */
	{ 1, { 0xd7 }, 0, 0 },			/* xlat: [rbx + al] */
	{ 2, { 0x9c, 0x58 }, 0, U_ALL },	/* pushf; pop rax/eax: the flags as data */
};

struct rng { uint64_t s; };

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static unsigned below(struct rng *r, unsigned n)
{
	return (unsigned)(rnd(r) % n);
}

/* Registers a random instruction may write: not rsp, rbx, rbp. */
static const int wregs[] = { 0, 1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

/* The case being generated is 64-bit code, or 32-bit protected-mode code
 * (no REX: eax..edi only, 8- to 32-bit operands, ebx/ebp as bases). */
static int g_bits = 64;

static unsigned nwregs(void)
{
	return g_bits == 64 ? 13 : 5;
}

static unsigned full(void)
{
	return (unsigned)g_bits;
}

static ZydisRegister reg_of(int id, unsigned w)
{
	if (w == 8 && id >= 4)
		id += 4;	/* Zydis numbers ah..bh 4-7, spl..dil 8-11 */
	return ZydisRegisterEncode(w == 8 ? ZYDIS_REGCLASS_GPR8 : w == 16 ? ZYDIS_REGCLASS_GPR16 :
				   w == 32 ? ZYDIS_REGCLASS_GPR32 : ZYDIS_REGCLASS_GPR64, (ZyanU8)id);
}

static ZydisRegister wreg(struct rng *r, unsigned w)
{
	/* high-byte registers now and then: they constrain the scratch choice */
	if (w == 8 && below(r, 6) == 0)
		return below(r, 2) ? ZYDIS_REGISTER_AH : ZYDIS_REGISTER_DH;
	return reg_of(wregs[below(r, nwregs())], w);
}

static ZydisRegister anyreg(struct rng *r, unsigned w)
{
	if (below(r, 8) == 0)
		return reg_of(below(r, 2) ? 3 : 5, w);	/* rbx/rbp as sources */
	return wreg(r, w);
}

static unsigned width(struct rng *r)
{
	static const unsigned w[] = { 8, 16, 32, 64, 64, 32 };
	return g_bits == 64 ? w[below(r, 6)] : w[below(r, 3) == 0 ? 0 : below(r, 3) == 0 ? 1 : 2];
}

static void mem(struct rng *r, ZydisEncoderOperand *o, unsigned w)
{
	o->type = ZYDIS_OPERAND_TYPE_MEMORY;
	o->mem.base = below(r, 2) ? (g_bits == 64 ? ZYDIS_REGISTER_RBX : ZYDIS_REGISTER_EBX)
				  : (g_bits == 64 ? ZYDIS_REGISTER_RBP : ZYDIS_REGISTER_EBP);
	/* Near page boundaries often: the data pages start at rbx + 0x1000k. */
	int32_t d = below(r, 3) == 0 ? (int32_t)(0x1000 * below(r, 7) + 0xff8 + below(r, 8))
				     : (int32_t)below(r, 0x7000);
	o->mem.displacement = d;
	o->mem.size = (ZyanU16)(w / 8);
}

static void reg(ZydisEncoderOperand *o, ZydisRegister rg)
{
	o->type = ZYDIS_OPERAND_TYPE_REGISTER;
	o->reg.value = rg;
}

static void imm(struct rng *r, ZydisEncoderOperand *o, unsigned w)
{
	o->type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
	int64_t v = (int64_t)rnd(r);
	if (w == 8)
		v = (int8_t)v;
	else if (w == 16)
		v = (int16_t)v;
	else
		v = (int32_t)v;
	o->imm.s = v;
}

static size_t put(uint8_t *at, ZydisEncoderRequest *q)
{
	ZyanUSize len = ZYDIS_MAX_INSTRUCTION_LENGTH;
	q->machine_mode = g_bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64 : ZYDIS_MACHINE_MODE_LEGACY_32;
	if (ZYAN_FAILED(ZydisEncoderEncodeInstruction(q, at, &len)))
		return 0;
	return len;
}

/* One instruction (or a small idiom) at `at`; returns its length, 0 when
 * this shape did not encode (the caller tries another). */

static size_t emit_simple(struct rng *r, const struct shape *s, uint8_t *at)
{
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.mnemonic = s->mn;
	unsigned w = width(r);
	/* Unicorn (QEMU) clears RAX[63:32] after a successful 32-bit cmpxchg;
	 * hardware, and so bt, leaves RAX alone. Keep to widths they agree on. */
	if (s->mn == ZYDIS_MNEMONIC_CMPXCHG && w == 32)
		w = 64;
	switch (s->kind) {
	case K_RR: q.operand_count = 2; reg(&q.operands[0], wreg(r, w)); reg(&q.operands[1], anyreg(r, w)); break;
	case K_RI: q.operand_count = 2; reg(&q.operands[0], wreg(r, w)); imm(r, &q.operands[1], w); break;
	case K_RM: q.operand_count = 2; reg(&q.operands[0], wreg(r, w)); mem(r, &q.operands[1], w); break;
	case K_MR: q.operand_count = 2; mem(r, &q.operands[0], w);
		reg(&q.operands[1], s->mn == ZYDIS_MNEMONIC_XADD ? wreg(r, w) : anyreg(r, w)); break;
	case K_MI: q.operand_count = 2; mem(r, &q.operands[0], w); imm(r, &q.operands[1], w); break;
	case K_R: q.operand_count = 1; reg(&q.operands[0], wreg(r, s->mn == ZYDIS_MNEMONIC_BSWAP ? (below(r, 2) ? 32 : full()) : w)); break;
	case K_M: q.operand_count = 1; mem(r, &q.operands[0], w); break;
	case K_SHIFT_I:
		q.operand_count = 2;
		if (below(r, 2)) reg(&q.operands[0], wreg(r, w)); else mem(r, &q.operands[0], w);
		q.operands[1].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
		q.operands[1].imm.u = below(r, w == 64 ? 64 : 32);
		break;
	case K_SHIFT_CL:
		q.operand_count = 2;
		if (below(r, 2)) reg(&q.operands[0], wreg(r, w)); else mem(r, &q.operands[0], w);
		reg(&q.operands[1], ZYDIS_REGISTER_CL);
		break;
	case K_MOVX: {
		unsigned sw = below(r, 2) ? 8 : 16, dw = sw == 8 ? (below(r, 2) ? 16 : 32) : 32;
		if (below(r, 2)) dw = full();
		q.operand_count = 2;
		reg(&q.operands[0], reg_of(wregs[below(r, nwregs())], dw));
		if (below(r, 2)) mem(r, &q.operands[1], sw); else reg(&q.operands[1], reg_of(wregs[below(r, nwregs())], sw));
		break;
	}
	case K_SETCC: q.operand_count = 1; if (below(r, 2)) reg(&q.operands[0], wreg(r, 8)); else mem(r, &q.operands[0], 8); break;
	case K_LEA:
		q.operand_count = 2;
		reg(&q.operands[0], wreg(r, below(r, 2) ? 32 : full()));
		mem(r, &q.operands[1], 8);
		q.operands[1].mem.index = reg_of(wregs[below(r, nwregs())], full());
		q.operands[1].mem.scale = (ZyanU8)(1u << below(r, 4));
		if (g_bits == 64 && below(r, 4) == 0) { q.operands[1].mem.base = ZYDIS_REGISTER_RIP; q.operands[1].mem.index = ZYDIS_REGISTER_NONE; q.operands[1].mem.scale = 0; }
		break;
	case K_XCHG_M: q.operand_count = 2; mem(r, &q.operands[0], w); reg(&q.operands[1], wreg(r, w)); break;
	case K_BT_MR:
		if (w == 8) w = 32;
		q.operand_count = 2; mem(r, &q.operands[0], w); reg(&q.operands[1], wreg(r, w));
		break;
	default: return 0;
	}
	return put(at, &q);
}

/* Flags an instruction of this shape is sure to define. */
static unsigned defines(const struct shape *s)
{
	switch (s->mn) {
	case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_ADC: case ZYDIS_MNEMONIC_SUB:
	case ZYDIS_MNEMONIC_SBB: case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR:
	case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_CMP: case ZYDIS_MNEMONIC_TEST:
	case ZYDIS_MNEMONIC_NEG: case ZYDIS_MNEMONIC_IMUL: case ZYDIS_MNEMONIC_MUL:
	case ZYDIS_MNEMONIC_CMPXCHG: case ZYDIS_MNEMONIC_XADD:
		return U_ALL;
	case ZYDIS_MNEMONIC_INC: case ZYDIS_MNEMONIC_DEC:
		return U_ALL & ~U_CF;
	case ZYDIS_MNEMONIC_BTS:
		return U_CF;
	case ZYDIS_MNEMONIC_CMPSB:
		return 0;	/* rep with a zero count leaves the flags alone */
	default:
		return 0;
	}
}

struct st {
	struct rng *r;
	struct gen_case *g;
	unsigned undef, pushes;
};

static size_t fix_flags(struct st *s, uint8_t *at)
{
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.mnemonic = ZYDIS_MNEMONIC_ADD;
	q.operand_count = 2;
	reg(&q.operands[0], wreg(s->r, full()));
	reg(&q.operands[1], anyreg(s->r, full()));
	s->undef = 0;
	return put(at, &q);
}

static size_t emit_one(struct st *s, uint8_t *at, int depth);

static size_t emit_jcc(struct st *s, const struct shape *sh, uint8_t *at, int depth)
{
	size_t n = 0;
	if (s->undef)
		n += fix_flags(s, at);
	uint8_t body[256];
	size_t blen = 0;
	unsigned k = 1 + below(s->r, 3);
	for (unsigned i = 0; i < k; i++)
		blen += emit_one(s, body + blen, depth + 1);
	/* both paths join with possibly different undefined flags */
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.mnemonic = sh->mn;
	q.operand_count = 1;
	q.operands[0].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
	q.operands[0].imm.s = (int64_t)blen;
	q.branch_type = ZYDIS_BRANCH_TYPE_SHORT;
	q.branch_width = ZYDIS_BRANCH_WIDTH_8;
	size_t jl = put(at + n, &q);
	if (!jl || blen > 127)
		return 0;
	memcpy(at + n + jl, body, blen);
	return n + jl + blen;
}

static const uint8_t *const_mov_ecx(uint8_t *at, unsigned v, size_t *len)
{
	at[0] = 0xb9;
	memcpy(at + 1, &v, 4);
	*len = 5;
	return at;
}

static size_t emit_loop(struct st *s, uint8_t *at)
{
	size_t n;
	const_mov_ecx(at, 1 + below(s->r, 4), &n);
	/* body: add r, imm with r not rcx; then loop back */
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.mnemonic = ZYDIS_MNEMONIC_ADD;
	q.operand_count = 2;
	int id = wregs[below(s->r, nwregs())];
	if (id == 1)
		id = 0;
	reg(&q.operands[0], reg_of(id, full()));
	imm(s->r, &q.operands[1], 32);
	size_t bl = put(at + n, &q);
	at[n + bl] = 0xe2;
	at[n + bl + 1] = (uint8_t)(int8_t)-(int)(bl + 2);
	s->undef = 0;
	return n + bl + 2;
}

static size_t emit_callret(struct st *s, uint8_t *at, int depth)
{
	uint8_t body[128];
	size_t bl = emit_one(s, body, depth + 1);
	if (bl > 100)
		return 0;
	/* call L1; jmp L2; L1: body; ret; L2: */
	at[0] = 0xe8;
	int32_t rel = 2;
	memcpy(at + 1, &rel, 4);
	at[5] = 0xeb;
	at[6] = (uint8_t)(bl + 1);
	memcpy(at + 7, body, bl);
	at[7 + bl] = 0xc3;
	return 8 + bl;
}

static size_t emit_pushpop(struct st *s, uint8_t *at)
{
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.operand_count = 1;
	if (s->pushes > 0 && below(s->r, 2)) {
		q.mnemonic = ZYDIS_MNEMONIC_POP;
		reg(&q.operands[0], wreg(s->r, full()));
		if (q.operands[0].reg.value == ZYDIS_REGISTER_AH ||
		    q.operands[0].reg.value == ZYDIS_REGISTER_DH)
			return 0;
		s->pushes--;
	} else {
		if (s->pushes > 64)
			return 0;
		q.mnemonic = ZYDIS_MNEMONIC_PUSH;
		unsigned k = below(s->r, 5);
		if (k < 3)
			reg(&q.operands[0], anyreg(s->r, full()));
		else if (k == 3)
			imm(s->r, &q.operands[0], 32);
		else
			mem(s->r, &q.operands[0], g_bits);
		if (q.operands[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    ZydisRegisterGetClass(q.operands[0].reg.value) !=
		    (g_bits == 64 ? ZYDIS_REGCLASS_GPR64 : ZYDIS_REGCLASS_GPR32))
			return 0;
		s->pushes++;
	}
	return put(at, &q);
}

static size_t emit_bt(struct st *s, uint8_t *at)
{
	/* mov r32, small; bts [mem], r: the bit offset must stay inside the data */
	int id = wregs[below(s->r, nwregs())];
	uint32_t off = below(s->r, 0x4000);
	size_t n = 0;
	if (id >= 8)
		at[n++] = 0x41;
	at[n++] = (uint8_t)(0xb8 + (id & 7));
	memcpy(at + n, &off, 4);
	n += 4;
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.mnemonic = ZYDIS_MNEMONIC_BTS;
	q.operand_count = 2;
	unsigned w = below(s->r, 2) ? 32 : full();
	mem(s->r, &q.operands[0], w);
	q.operands[0].mem.displacement &= 0xfff;
	reg(&q.operands[1], reg_of(id, w));
	size_t l = put(at + n, &q);
	return l ? n + l : 0;
}

/*
 * A read-modify-write split in three, as compilers write it when the
 * operation has no memory form: mov r, [m]; op r, r2; mov [m], r; then an
 * add that defines the flags (the store is fused with the load only where
 * the flags are dead). Four instructions.
 */
static size_t emit_split_rmw(struct st *s, uint8_t *at)
{
	static const ZydisMnemonic ops[] = { ZYDIS_MNEMONIC_ADD, ZYDIS_MNEMONIC_XOR,
					     ZYDIS_MNEMONIC_IMUL, ZYDIS_MNEMONIC_SHL };
	unsigned w = below(s->r, 2) ? 32 : full();
	ZydisRegister r = reg_of(wregs[below(s->r, nwregs())], w);
	ZydisEncoderRequest q[4];
	memset(q, 0, sizeof(q));
	q[0].mnemonic = ZYDIS_MNEMONIC_MOV;
	q[0].operand_count = 2;
	reg(&q[0].operands[0], r);
	mem(s->r, &q[0].operands[1], w);
	q[1].mnemonic = ops[below(s->r, 4)];
	q[1].operand_count = 2;
	reg(&q[1].operands[0], r);
	if (q[1].mnemonic == ZYDIS_MNEMONIC_SHL) {
		q[1].operands[1].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
		q[1].operands[1].imm.u = 1 + below(s->r, 7);
	} else {
		reg(&q[1].operands[1], anyreg(s->r, w));
	}
	q[2].mnemonic = ZYDIS_MNEMONIC_MOV;
	q[2].operand_count = 2;
	q[2].operands[0] = q[0].operands[1];
	reg(&q[2].operands[1], r);
	q[3].mnemonic = ZYDIS_MNEMONIC_ADD;
	q[3].operand_count = 2;
	reg(&q[3].operands[0], reg_of(wregs[below(s->r, nwregs())], full()));
	imm(s->r, &q[3].operands[1], 32);
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		size_t l = put(at + n, &q[i]);
		if (!l)
			return 0;
		n += l;
	}
	s->undef = 0;
	s->g->ninsn += 3;	/* the caller counts one */
	return n;
}

/* div/idiv r: a dividend and a divisor in 1..127 that cannot overflow */
static size_t emit_div(struct st *s, const struct shape *sh, uint8_t *at)
{
	static const int dregs[] = { 1, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	int d = dregs[below(s->r, g_bits == 64 ? 11 : 3)];
	unsigned w = width(s->r);
	bool sign = sh->mn == ZYDIS_MNEMONIC_IDIV;
	size_t n = 0;
	/* the dividend's high half: ah via movzx/movsx ax, al; else rdx */
	if (w == 8) {
		memcpy(at + n, sign ? "\x66\x98" : "\x66\x0f\xb6\xc0", sign ? 2 : 4);
		n += sign ? 2 : 4;
	} else if (sign) {
		if (w == 16) at[n++] = 0x66;
		if (w == 64) at[n++] = 0x48;
		at[n++] = 0x99;				/* cwd/cdq/cqo */
	} else {
		memcpy(at + n, "\x31\xd2", 2);		/* xor edx, edx */
		n += 2;
	}
	uint8_t rex = 0x40 | ((d & 8) ? 1 : 0);
	/* and d32, 0x7f; or d32, 1 */
	if (rex != 0x40) at[n++] = rex;
	at[n++] = 0x83; at[n++] = 0xe0 | (d & 7); at[n++] = 0x7f;
	if (rex != 0x40) at[n++] = rex;
	at[n++] = 0x83; at[n++] = 0xc8 | (d & 7); at[n++] = 0x01;
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.mnemonic = sh->mn;
	q.operand_count = 1;
	reg(&q.operands[0], reg_of(d, w));
	size_t l = put(at + n, &q);
	return l ? n + l : 0;
}

/* lea rsi/rdi into the data; mov ecx, count; [std]; rep op; cld */
static size_t emit_string(struct st *s, const struct shape *sh, uint8_t *at)
{
	static const uint8_t ops[] = { 0xa4, 0xa5, 0xaa, 0xab, 0xac, 0xa6, 0xae };
	uint8_t op = sh->mn == ZYDIS_MNEMONIC_CMPSB ? (below(s->r, 2) ? 0xa6 : 0xae)
						       : ops[below(s->r, 5)];
	bool back = below(s->r, 3) == 0;
	size_t n = 0;
	uint32_t so = 0x400 + below(s->r, 0x3000), dof = 0x400 + below(s->r, 0x3000);
	if (g_bits == 64) at[n++] = 0x48;
	memcpy(at + n, "\x8d\xb3", 2); memcpy(at + n + 2, &so, 4); n += 6;	/* lea rsi,[rbx+so] */
	if (g_bits == 64) at[n++] = 0x48;
	memcpy(at + n, "\x8d\xbd", 2); memcpy(at + n + 2, &dof, 4); n += 6;	/* lea rdi,[rbp+dof] */
	/* Unicorn returns garbage flags after a REPE/REPNE CMPS/SCAS with a zero
	 * count (hardware leaves them alone): counts start at 1. */
	uint32_t cnt = 1 + below(s->r, 40);
	at[n++] = 0xb9; memcpy(at + n, &cnt, 4); n += 4;
	if (back) at[n++] = 0xfd;
	unsigned pick = below(s->r, 4);
	if (op == 0xa6 || op == 0xae)
		at[n++] = below(s->r, 2) ? 0xf3 : 0xf2;	/* repe / repne */
	else if (op != 0xac)
		at[n++] = 0xf3;
	if (op == 0xa5 || op == 0xab) {			/* REX must come last */
		if (pick == 1) at[n++] = 0x66;
		if (pick == 2 && g_bits == 64) at[n++] = 0x48;
	}
	at[n++] = op;
	at[n++] = 0xfc;				/* cld */
	return n;
}

static ZydisRegister xmm(struct rng *r)
{
	return (ZydisRegister)(ZYDIS_REGISTER_XMM0 + below(r, g_bits == 64 ? 16 : 8));
}

/* SSE: xmm,xmm ALU; movdqu/movq/movd between xmm and memory or a GPR;
 * pshufd/psrlq with an immediate. */
static size_t emit_sse(struct st *s, uint8_t *at)
{
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.operand_count = 2;
	switch (below(s->r, 6)) {
	case 0: case 1:
		q.mnemonic = sse_rr[below(s->r, sizeof(sse_rr) / sizeof(sse_rr[0]))];
		reg(&q.operands[0], xmm(s->r));
		reg(&q.operands[1], xmm(s->r));
		break;
	case 2:
		q.mnemonic = ZYDIS_MNEMONIC_MOVDQU;
		if (below(s->r, 2)) {
			reg(&q.operands[0], xmm(s->r));
			mem(s->r, &q.operands[1], 128);
		} else {
			mem(s->r, &q.operands[0], 128);
			reg(&q.operands[1], xmm(s->r));
		}
		break;
	case 3:
		q.mnemonic = below(s->r, 2) ? ZYDIS_MNEMONIC_MOVQ : ZYDIS_MNEMONIC_MOVD;
		if (below(s->r, 2)) {
			reg(&q.operands[0], xmm(s->r));
			mem(s->r, &q.operands[1], q.mnemonic == ZYDIS_MNEMONIC_MOVQ ? 64 : 32);
		} else {
			mem(s->r, &q.operands[0], q.mnemonic == ZYDIS_MNEMONIC_MOVQ ? 64 : 32);
			reg(&q.operands[1], xmm(s->r));
		}
		break;
	case 4: {
		bool q64 = g_bits == 64 && below(s->r, 2);
		q.mnemonic = q64 ? ZYDIS_MNEMONIC_MOVQ : ZYDIS_MNEMONIC_MOVD;
		if (below(s->r, 2)) {
			reg(&q.operands[0], xmm(s->r));
			reg(&q.operands[1], anyreg(s->r, q64 ? 64 : 32));
		} else {
			reg(&q.operands[0], wreg(s->r, q64 ? 64 : 32));
			reg(&q.operands[1], xmm(s->r));
		}
		break;
	}
	default:
		q.mnemonic = below(s->r, 2) ? ZYDIS_MNEMONIC_PSHUFD : ZYDIS_MNEMONIC_PSRLQ;
		reg(&q.operands[0], xmm(s->r));
		if (q.mnemonic == ZYDIS_MNEMONIC_PSHUFD) {
			q.operand_count = 3;
			reg(&q.operands[1], xmm(s->r));
			q.operands[2].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
			q.operands[2].imm.u = below(s->r, 256);
		} else {
			q.operands[1].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
			q.operands[1].imm.u = below(s->r, 70);
		}
		break;
	}
	if (q.operands[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
	    (q.operands[0].reg.value == ZYDIS_REGISTER_AH || q.operands[0].reg.value == ZYDIS_REGISTER_DH))
		return 0;
	return put(at, &q);
}

static size_t emit_one(struct st *s, uint8_t *at, int depth)
{
	for (;;) {
		const struct shape *sh = &shapes[below(s->r, sizeof(shapes) / sizeof(shapes[0]))];
		if (depth > 0 && (sh->kind == K_JCC || sh->kind == K_CALLRET ||
				  sh->kind == K_LOOP || sh->kind == K_PUSHPOP))
			continue;
		size_t n = 0;
		unsigned undef = s->undef;
		if (sh->reads_flags && s->undef && sh->kind != K_JCC)
			n = fix_flags(s, at);
		size_t l;
		switch (sh->kind) {
		case K_JCC: l = emit_jcc(s, sh, at + n, depth); break;
		case K_LOOP: l = emit_loop(s, at + n); break;
		case K_CALLRET: l = emit_callret(s, at + n, depth); break;
		case K_PUSHPOP: l = emit_pushpop(s, at + n); break;
		case K_BT_MR: l = emit_bt(s, at + n); break;
		case K_DIV: l = emit_div(s, sh, at + n); break;
		case K_SSE: l = emit_sse(s, at + n); break;
		case K_SPLIT_RMW: l = emit_split_rmw(s, at + n); break;
		case K_STRING: l = emit_string(s, sh, at + n); break;
		case K_RAW: {
			unsigned k = below(s->r, sizeof(raws) / sizeof(raws[0]));
			if (g_bits != 64 && raws[k].b[0] == 0x48)
				continue;
			if (raws[k].reads && s->undef) {
				/* the fix must precede this very instruction */
				n += fix_flags(s, at + n);
			}
			memcpy(at + n, raws[k].b, raws[k].len);
			l = raws[k].len;
			s->undef &= ~(unsigned)raws[k].defines;
			s->g->ninsn++;
			return n + l;
		}
		default: l = emit_simple(s->r, sh, at + n); break;
		}
		if (!l) {
			s->undef = undef;
			continue;
		}
		if (sh->kind != K_JCC && sh->kind != K_LOOP)
			s->undef = (s->undef & ~defines(sh)) | sh->undef;
		s->g->ninsn++;
		return n + l;
	}
}

void gen__case(struct gen_case *g, uint64_t seed, unsigned ninsn, int bits)
{
	struct rng r = { seed * 0x9e3779b97f4a7c15ull + 1 };
	struct st s = { .r = &r, .g = g };
	g_bits = bits;
	memset(g, 0, sizeof(*g));
	g->bits = bits;
	for (int i = 0; i < 16; i++) {
		g->regs[i] = below(&r, 4) ? rnd(&r) : below(&r, 3) ? rnd(&r) & 0xff : (uint64_t)-1;
		if (bits == 32)
			g->regs[i] = (uint32_t)g->regs[i];
	}
	for (int i = 0; i < 32; i++)
		g->xmm[i] = rnd(&r);
	g->regs[3] = GEN_DATA;
	g->regs[5] = GEN_DATA + 0x8000;
	g->regs[4] = GEN_STACK;
	g->rflags = 0x2 | (rnd(&r) & 0x8d5);
	while (g->ninsn < ninsn && g->len < sizeof(g->code) - 512)
		g->len += emit_one(&s, g->code + g->len, 0);
	g->code[g->len++] = 0xf4;	/* hlt */
	uint64_t u = 0;
	if (s.undef & U_CF) u |= 0x1;
	if (s.undef & U_PF) u |= 0x4;
	if (s.undef & U_AF) u |= 0x10;
	if (s.undef & U_ZF) u |= 0x40;
	if (s.undef & U_SF) u |= 0x80;
	if (s.undef & U_OF) u |= 0x800;
	g->undef_flags = u;
}

void gen__fill(uint8_t *ram, uint64_t seed)
{
	struct rng r = { seed ^ 0x5851f42d4c957f2dull };
	for (uint32_t i = 0; i < GEN_DATA_SIZE; i += 8) {
		uint64_t v = rnd(&r);
		memcpy(ram + GEN_DATA + i, &v, 8);
	}
	memset(ram + GEN_STACK - GEN_STACK_SIZE, 0, GEN_STACK_SIZE);
}
