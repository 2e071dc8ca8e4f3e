// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Register, memory and immediate operands for the C interpreter. */
#include "operand.h"

uint64_t op__mask(unsigned bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

static bool high8(ZydisRegister r)
{
	return r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_CH ||
	       r == ZYDIS_REGISTER_DH || r == ZYDIS_REGISTER_BH;
}

static int gpr_index(ZydisRegister r)
{
	ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
	if (ZydisRegisterGetClass(big) != ZYDIS_REGCLASS_GPR64)
		return -1;
	return ZydisRegisterGetId(big);
}

uint64_t op__reg_get(struct bt_cpu *c, ZydisRegister r)
{
	if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP)
		return c->rip;
	int i = gpr_index(r);
	if (i < 0)
		return 0;
	uint64_t v = c->gpr[i];
	if (high8(r))
		return (v >> 8) & 0xff;
	return v & op__mask(ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, r));
}

void op__reg_set(struct bt_cpu *c, ZydisRegister r, uint64_t v)
{
	int i = gpr_index(r);
	if (i < 0)
		return;
	unsigned w = ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, r);
	if (high8(r))
		c->gpr[i] = (c->gpr[i] & ~0xff00ull) | ((v & 0xff) << 8);
	else if (w == 32 || w == 64)
		c->gpr[i] = v & op__mask(w);	/* 32-bit writes zero-extend */
	else
		c->gpr[i] = (c->gpr[i] & ~op__mask(w)) | (v & op__mask(w));
}

uint64_t op__addr(struct hx *h, const ZydisDecodedOperand *o)
{
	struct bt_cpu *c = h->c;
	uint64_t a = (uint64_t)o->mem.disp.value;
	if (o->mem.base == ZYDIS_REGISTER_RIP || o->mem.base == ZYDIS_REGISTER_EIP)
		a += h->next;
	else if (o->mem.base != ZYDIS_REGISTER_NONE)
		a += op__reg_get(c, o->mem.base);
	if (o->mem.index != ZYDIS_REGISTER_NONE)
		a += op__reg_get(c, o->mem.index) * o->mem.scale;
	a &= op__mask(h->in->address_width);
	if (o->mem.segment == ZYDIS_REGISTER_FS)
		a += c->seg[S_FS].base;
	else if (o->mem.segment == ZYDIS_REGISTER_GS)
		a += c->seg[S_GS].base;
	if (h->in->machine_mode != ZYDIS_MACHINE_MODE_LONG_64)
		a = (uint32_t)a;
	return a;
}

int op__read(struct hx *h, int i, uint64_t *v)
{
	const ZydisDecodedOperand *o = &h->ops[i];
	switch (o->type) {
	case ZYDIS_OPERAND_TYPE_REGISTER:
		*v = op__reg_get(h->c, o->reg.value);
		return 0;
	case ZYDIS_OPERAND_TYPE_IMMEDIATE:
		*v = o->imm.is_signed ? (uint64_t)o->imm.value.s : o->imm.value.u;
		*v &= op__mask(o->size);
		return 0;
	case ZYDIS_OPERAND_TYPE_MEMORY:
		*v = 0;
		return mmu__read(h->c, op__addr(h, o), v, o->size / 8, h->user);
	default:
		return -1;
	}
}

int op__write(struct hx *h, int i, uint64_t v)
{
	const ZydisDecodedOperand *o = &h->ops[i];
	if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		op__reg_set(h->c, o->reg.value, v);
		return 0;
	}
	if (o->type == ZYDIS_OPERAND_TYPE_MEMORY)
		return mmu__write(h->c, op__addr(h, o), &v, o->size / 8, h->user);
	return -1;
}

static uint64_t sp_mask(struct hx *h)
{
	return h->in->machine_mode == ZYDIS_MACHINE_MODE_LONG_64 ? ~0ull : 0xffffffffull;
}

int op__push(struct hx *h, uint64_t v, unsigned size)
{
	uint64_t sp = (h->c->gpr[R_SP] - size) & sp_mask(h);
	if (mmu__write(h->c, sp, &v, size, h->user))
		return -1;
	h->c->gpr[R_SP] = sp;
	return 0;
}

int op__pop(struct hx *h, uint64_t *v, unsigned size)
{
	*v = 0;
	if (mmu__read(h->c, h->c->gpr[R_SP] & sp_mask(h), v, size, h->user))
		return -1;
	h->c->gpr[R_SP] = (h->c->gpr[R_SP] + size) & sp_mask(h);
	return 0;
}
