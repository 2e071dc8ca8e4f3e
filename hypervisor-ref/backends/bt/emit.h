/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A tiny x86-64 assembler for the fixed sequences the translator wraps around
 * guest instructions. Guest instructions themselves go through Zydis.
 */
#ifndef BT_EMIT_H
#define BT_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Bytes kept free past `end`: e8 stops at end, but the position of a rel32
 * it could not finish may still be patched (patch32) before the overflow
 * is seen; those 4 bytes land here, not in what follows. */
#define EMIT_GUARD	16

struct emit {
	uint8_t *p, *end;
	int overflow;
	/* The vCPU record (the host GS base) when it lies within rel32 of the
	 * code, as bt__create places it: fields are then reached RIP-relative,
	 * two bytes shorter than gs:[disp32] (no prefix, no SIB). */
	const uint8_t *cpu;
};

/* rel32 from the end of an instruction whose disp32 is emitted next and
 * followed by `tail` more bytes, to cpu + disp. */
static inline uint32_t e_riprel(const struct emit *e, int32_t disp, int tail)
{
	return (uint32_t)(int32_t)(e->cpu + disp - (e->p + 4 + tail));
}

static inline void e8(struct emit *e, uint8_t b)
{
	if (e->p < e->end)
		*e->p++ = b;
	else
		e->overflow = 1;
}

static inline void e32(struct emit *e, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		e8(e, v >> (8 * i));
}

static inline void e64(struct emit *e, uint64_t v)
{
	e32(e, (uint32_t)v);
	e32(e, v >> 32);
}

static inline void e_bytes(struct emit *e, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		e8(e, ((const uint8_t *)p)[i]);
}

/* op r64, gs:[disp32] (or the store direction, by opcode): the vCPU
 * record's field at disp. */
static inline void e_gs_abs(struct emit *e, uint8_t op, int reg, int32_t disp)
{
	if (e->cpu) {
		e8(e, 0x48 | ((reg & 8) ? 4 : 0));
		e8(e, op);
		e8(e, ((reg & 7) << 3) | 5);	/* [rip + rel32] */
		e32(e, e_riprel(e, disp, 0));
		return;
	}
	e8(e, 0x65);
	e8(e, 0x48 | ((reg & 8) ? 4 : 0));
	e8(e, op);
	e8(e, ((reg & 7) << 3) | 4);
	e8(e, 0x25);
	e32(e, (uint32_t)disp);
}

/* The same in the gs: form whatever e->cpu says: for code that is copied
 * elsewhere to run (memop__bounce_store), so must not be RIP-relative. */
static inline void e_gs_abs_pic(struct emit *e, uint8_t op, int reg, int32_t disp)
{
	const uint8_t *cpu = e->cpu;
	e->cpu = NULL;
	e_gs_abs(e, op, reg, disp);
	e->cpu = cpu;
}

#define OP_STORE 0x89
#define OP_LOAD  0x8b
#define OP_CMP   0x3b
#define OP_ADD   0x03
#define OP_XOR   0x33

/* op r64, gs:[rax + disp32] */
static inline void e_gs_rax(struct emit *e, uint8_t op, int reg, int32_t disp)
{
	e8(e, 0x65);
	e8(e, 0x48 | ((reg & 8) ? 4 : 0));
	e8(e, op);
	e8(e, 0x80 | ((reg & 7) << 3));
	e32(e, (uint32_t)disp);
}

/* op r64, gs:[base + disp32] */
static inline void e_gs_base(struct emit *e, uint8_t op, int reg, int base, int32_t disp)
{
	e8(e, 0x65);
	e8(e, 0x48 | ((reg & 8) ? 4 : 0) | ((base & 8) ? 1 : 0));
	e8(e, op);
	e8(e, 0x80 | ((reg & 7) << 3) | (base & 7));
	if ((base & 7) == 4)
		e8(e, 0x24);	/* SIB: rsp/r12 as base */
	e32(e, (uint32_t)disp);
}

/* REX.B when reg is r8-r15 (for the 32-bit forms below) */
static inline void e_rex_b(struct emit *e, int reg)
{
	if (reg & 8)
		e8(e, 0x41);
}

/* shr r32, imm8 */
static inline void e_shr32(struct emit *e, int reg, uint8_t n)
{
	e_rex_b(e, reg);
	e8(e, 0xc1); e8(e, 0xe8 | (reg & 7)); e8(e, n);
}

/* and r32, imm32 */
static inline void e_and32(struct emit *e, int reg, uint32_t imm)
{
	e_rex_b(e, reg);
	e8(e, 0x81); e8(e, 0xe0 | (reg & 7)); e32(e, imm);
}

/* test r32, imm32 */
static inline void e_test32(struct emit *e, int reg, uint32_t imm)
{
	e_rex_b(e, reg);
	e8(e, 0xf7); e8(e, 0xc0 | (reg & 7)); e32(e, imm);
}

/* cmp r64, simm32 */
static inline void e_cmp64_imm(struct emit *e, int reg, int32_t imm)
{
	e8(e, 0x48 | ((reg & 8) ? 1 : 0));
	e8(e, 0x81); e8(e, 0xf8 | (reg & 7)); e32(e, (uint32_t)imm);
}

/* movzx r32, byte gs:[disp32] */
static inline void e_gs_movzx8(struct emit *e, int reg, int32_t disp)
{
	e8(e, 0x65);
	if (reg & 8)
		e8(e, 0x44);
	e8(e, 0x0f); e8(e, 0xb6); e8(e, ((reg & 7) << 3) | 4); e8(e, 0x25);
	e32(e, (uint32_t)disp);
}

/* movzx r32, byte gs:[base + disp32] */
static inline void e_gs_movzx8_base(struct emit *e, int reg, int base, int32_t disp)
{
	e8(e, 0x65);
	if ((reg | base) & 8)
		e8(e, 0x40 | ((reg & 8) ? 4 : 0) | ((base & 8) ? 1 : 0));
	e8(e, 0x0f); e8(e, 0xb6); e8(e, 0x80 | ((reg & 7) << 3) | (base & 7));
	if ((base & 7) == 4)
		e8(e, 0x24);
	e32(e, (uint32_t)disp);
}

/* mov byte gs:[disp32], r8 (the low byte: sil/dil/bpl with a REX) */
static inline void e_gs_store8(struct emit *e, int reg, int32_t disp)
{
	e8(e, 0x65);
	e8(e, 0x40 | ((reg & 8) ? 4 : 0));
	e8(e, 0x88); e8(e, ((reg & 7) << 3) | 4); e8(e, 0x25);
	e32(e, (uint32_t)disp);
}

/* mov byte gs:[disp32], imm8 */
static inline void e_gs_store8_imm(struct emit *e, int32_t disp, uint8_t imm)
{
	e8(e, 0x65); e8(e, 0xc6); e8(e, 0x04); e8(e, 0x25);
	e32(e, (uint32_t)disp);
	e8(e, imm);
}

/* mov r64, gs:[index * 8 + disp32]; index is not rsp */
static inline void e_gs_load_idx8(struct emit *e, int reg, int index, int32_t disp)
{
	e8(e, 0x65);
	e8(e, 0x48 | ((reg & 8) ? 4 : 0) | ((index & 8) ? 2 : 0));
	e8(e, 0x8b); e8(e, ((reg & 7) << 3) | 4); e8(e, 0xc5 | ((index & 7) << 3));
	e32(e, (uint32_t)disp);
}

/* mov qword gs:[base], 0 */
static inline void e_gs_zero_at(struct emit *e, int base)
{
	e8(e, 0x65);
	e8(e, 0x48 | ((base & 8) ? 1 : 0));
	e8(e, 0xc7); e8(e, 0x80 | (base & 7));
	if ((base & 7) == 4)
		e8(e, 0x24);
	e32(e, 0);
	e32(e, 0);
}

/* mov dword gs:[disp32], imm32 */
static inline void e_gs_store_imm32(struct emit *e, int32_t disp, int32_t imm)
{
	if (e->cpu) {
		e8(e, 0xc7); e8(e, 0x05);
		e32(e, e_riprel(e, disp, 4));
		e32(e, (uint32_t)imm);
		return;
	}
	e8(e, 0x65); e8(e, 0xc7); e8(e, 0x04); e8(e, 0x25);
	e32(e, (uint32_t)disp);
	e32(e, (uint32_t)imm);
}

/* and r64, simm32 */
static inline void e_and64(struct emit *e, int reg, int32_t imm)
{
	e8(e, 0x48 | ((reg & 8) ? 1 : 0));
	e8(e, 0x81); e8(e, 0xe0 | (reg & 7)); e32(e, (uint32_t)imm);
}

/* op dst64, src64 for the r/m, reg forms: 0x09 or, 0x21 and, 0x85 test */
#define OP_RR_OR  0x09
#define OP_RR_AND 0x21
#define OP_RR_TEST 0x85
static inline void e_op_rr(struct emit *e, uint8_t op, int dst, int src)
{
	e8(e, 0x48 | ((src & 8) ? 4 : 0) | ((dst & 8) ? 1 : 0));
	e8(e, op);
	e8(e, 0xc0 | ((src & 7) << 3) | (dst & 7));
}

/* mov qword gs:[disp32], simm32 */
static inline void e_gs_store_imm(struct emit *e, int32_t disp, int32_t imm)
{
	if (e->cpu) {
		e8(e, 0x48); e8(e, 0xc7); e8(e, 0x05);
		e32(e, e_riprel(e, disp, 4));
		e32(e, (uint32_t)imm);
		return;
	}
	e8(e, 0x65); e8(e, 0x48); e8(e, 0xc7); e8(e, 0x04); e8(e, 0x25);
	e32(e, (uint32_t)disp);
	e32(e, (uint32_t)imm);
}

/* mov r64, imm64 */
/* reg = v in the shortest flag-free form: mov r32, imm32 (zero-extends),
 * mov r64, simm32 (sign-extends: kernel addresses), or mov r64, imm64. */
static inline void e_mov_imm(struct emit *e, int reg, uint64_t v)
{
	if (v <= 0xffffffffull) {
		if (reg & 8)
			e8(e, 0x41);
		e8(e, 0xb8 + (reg & 7));
		e32(e, (uint32_t)v);
	} else if ((uint64_t)(int64_t)(int32_t)v == v) {
		e8(e, 0x48 | ((reg & 8) ? 1 : 0));
		e8(e, 0xc7);
		e8(e, 0xc0 | (reg & 7));
		e32(e, (uint32_t)v);
	} else {
		e8(e, 0x48 | ((reg & 8) ? 1 : 0));
		e8(e, 0xb8 + (reg & 7));
		e64(e, v);
	}
}

/* mov dst64, src64 */
static inline void e_mov_rr(struct emit *e, int dst, int src)
{
	e8(e, 0x48 | ((src & 8) ? 4 : 0) | ((dst & 8) ? 1 : 0));
	e8(e, 0x89);
	e8(e, 0xc0 | ((src & 7) << 3) | (dst & 7));
}

/* mov dst32, src32 (zero-extends; flag-free) */
static inline void e_mov_rr32(struct emit *e, int dst, int src)
{
	if ((src | dst) & 8)
		e8(e, 0x40 | ((src & 8) ? 4 : 0) | ((dst & 8) ? 1 : 0));
	e8(e, 0x89);
	e8(e, 0xc0 | ((src & 7) << 3) | (dst & 7));
}

/* lea dst, [base + disp32]; w64 selects the 64- or 32-bit destination */
static inline void e_lea_disp(struct emit *e, int dst, int base, int32_t disp, int w64)
{
	uint8_t rex = 0x40 | (w64 ? 8 : 0) | ((dst & 8) ? 4 : 0) | ((base & 8) ? 1 : 0);
	if (rex != 0x40)
		e8(e, rex);
	e8(e, 0x8d);
	e8(e, 0x80 | ((dst & 7) << 3) | (base & 7));
	if ((base & 7) == 4)
		e8(e, 0x24);
	e32(e, (uint32_t)disp);
}

/* ModRM (with SIB and the shortest displacement) for [base + index*scale +
 * disp]; index < 0: none (index 4, rsp, cannot be one). `reg` fills the
 * reg field. The REX bits are the caller's. */
static inline void e_modrm_mem(struct emit *e, int reg, int base, int index, int scale, int32_t disp)
{
	int mod = disp == 0 && (base & 7) != 5 ? 0 : disp >= -128 && disp <= 127 ? 1 : 2;
	if (index < 0 && (base & 7) != 4) {
		e8(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	} else {
		int ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
		e8(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
		e8(e, (uint8_t)(ss << 6 | (index < 0 ? 4 : index & 7) << 3 | (base & 7)));
	}
	if (mod == 1)
		e8(e, (uint8_t)(int8_t)disp);
	else if (mod == 2)
		e32(e, (uint32_t)disp);
}

/* [REX] op modrm..: a one-byte-opcode instruction on GPR `reg` and the
 * memory operand [base + index*scale + disp] (index < 0: none). */
static inline void e_op_mem(struct emit *e, bool w64, uint8_t op, int reg, int base, int index,
			    int scale, int32_t disp)
{
	uint8_t rex = (uint8_t)(0x40 | (w64 ? 8 : 0) | ((reg & 8) ? 4 : 0) |
				(index >= 0 && (index & 8) ? 2 : 0) | ((base & 8) ? 1 : 0));
	if (rex != 0x40)
		e8(e, rex);
	e8(e, op);
	e_modrm_mem(e, reg, base, index, scale, disp);
}

/* lea rax, [rip + target]; returns where its rel32 is, for patch32 when
 * the target comes later. */
static inline uint8_t *e_lea_rax_rip(struct emit *e, const uint8_t *target)
{
	e8(e, 0x48); e8(e, 0x8d); e8(e, 0x05);
	uint8_t *at = e->p;
	e32(e, (uint32_t)(target - (e->p + 4)));
	return at;
}

static inline uint8_t *e_jmp32(struct emit *e, uint8_t *target)
{
	e8(e, 0xe9);
	uint8_t *at = e->p;
	e32(e, (uint32_t)(target - (e->p + 4)));
	return at;
}

static inline uint8_t *e_jcc32(struct emit *e, int cc, uint8_t *target)
{
	e8(e, 0x0f);
	e8(e, 0x80 | cc);
	uint8_t *at = e->p;
	e32(e, (uint32_t)(target - (e->p + 4)));
	return at;
}

static inline void patch32(uint8_t *at, uint8_t *target)
{
	int32_t rel = (int32_t)(target - (at + 4));
	memcpy(at, &rel, 4);
}
#endif
