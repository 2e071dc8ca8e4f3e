// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Privilege and mode changing control transfers in the C interpreter: far
 * JMP and RET, IRET, SYSCALL/SYSRET, INT n (SDM vol. 2 and vol. 3 ch. 5-6).
 * Only the flat-segment cases a long-mode OS uses: no call gates, no task
 * switches, no LDT.
 */
#include <stdio.h>
#include "sys.h"
#include "transfer.h"

static int fault(struct hx *h, int vec, int err)
{
	except__raise(h->c, vec, err);
	return -1;
}

static int code_desc(struct hx *h, uint16_t sel, uint64_t *d)
{
	struct bt_cpu *c = h->c;
	if (!(sel & ~3u) || (sel & ~7u) + 7u > c->gdt_limit || (sel & 4))
		return fault(h, EXC_GP, sel & ~3u);
	if (mmu__read(c, c->gdt_base + (sel & ~7u), d, 8, false))
		return -1;
	if (!((*d >> 44) & 1) || !((*d >> 43) & 1))	/* S=1 and code */
		return fault(h, EXC_GP, sel & ~3u);
	if (!((*d >> 47) & 1))
		return fault(h, EXC_NP, sel & ~3u);
	return 0;
}

static int far_to(struct hx *h, uint16_t sel, uint64_t off)
{
	struct bt_cpu *c = h->c;
	uint64_t d;
	if (code_desc(h, sel, &d))
		return -1;
	if (((d >> 45) & 3) != (unsigned)c->cpl && !((d >> 42) & 1))
		return fault(h, EXC_GP, sel & ~3u);
	cpu__load_seg_cache(c, S_CS, (uint16_t)((sel & ~3u) | (unsigned)c->cpl), d);
	c->rip = cpu__long64(c) ? off : (uint32_t)off;
	return 0;
}

int transfer__jmp_far(struct hx *h)
{
	const ZydisDecodedOperand *o = &h->ops[0];
	if (o->type == ZYDIS_OPERAND_TYPE_POINTER)
		return far_to(h, o->ptr.segment, o->ptr.offset);
	unsigned w = h->in->operand_width / 8;
	uint8_t buf[10];
	if (mmu__read(h->c, op__addr(h, o), buf, w + 2, h->user))
		return -1;
	uint64_t off = 0;
	uint16_t sel;
	memcpy(&off, buf, w);
	memcpy(&sel, buf + w, 2);
	return far_to(h, sel, off);
}

int transfer__ret_far(struct hx *h)
{
	struct bt_cpu *c = h->c;
	unsigned w = h->in->operand_width / 8;
	uint64_t off, sel, sp = c->gpr[R_SP];
	if (op__pop(h, &off, w) || op__pop(h, &sel, w)) {
		c->gpr[R_SP] = sp;
		return -1;
	}
	if ((sel & 3) != (unsigned)c->cpl) {
		c->gpr[R_SP] = sp;
		return fault(h, EXC_GP, (int)(sel & ~3u));
	}
	if (h->in->operand_count_visible && h->ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
		c->gpr[R_SP] += h->ops[0].imm.value.u;
	if (far_to(h, (uint16_t)sel, off)) {
		c->gpr[R_SP] = sp;
		return -1;
	}
	return 0;
}

/* Flags IRET/POPF may change at the current privilege level. */
static uint64_t merge_flags(struct bt_cpu *c, uint64_t v, int cpl)
{
	uint64_t wr = RFL_ARITH | RFL_TF | RFL_DF | RFL_NT | RFL_AC | RFL_ID | RFL_RF;
	if (cpl == 0)
		wr |= RFL_IOPL;
	if (cpl <= (int)((c->rflags >> 12) & 3))
		wr |= RFL_IF;
	return (c->rflags & ~wr) | (v & wr) | 2;
}

int transfer__iret(struct hx *h)
{
	struct bt_cpu *c = h->c;
	unsigned w = h->in->operand_width / 8;
	uint64_t v[5] = { 0 }, d, sd = 0;
	bool lm = cpu__long64(c);
	unsigned n = lm ? 5 : 3;
	uint64_t sp = lm ? c->gpr[R_SP] : (uint32_t)c->gpr[R_SP];
	for (unsigned i = 0; i < n; i++)
		if (mmu__read(c, sp + i * w, &v[i], w, h->user))
			return -1;
	uint16_t cs = (uint16_t)v[1];
	int ncpl = cs & 3;
	if (ncpl < c->cpl)
		return fault(h, EXC_GP, cs & ~3u);
	if (!lm && ncpl != c->cpl)
		return fault(h, EXC_GP, cs & ~3u);	/* 32-bit outward IRET: unsupported */
	if (code_desc(h, cs, &d))
		return -1;
	uint16_t ss = (uint16_t)v[4];
	if (lm && (ss & ~3u)) {
		if ((ss & ~7u) + 7u > c->gdt_limit)
			return fault(h, EXC_GP, ss & ~3u);
		if (mmu__read(c, c->gdt_base + (ss & ~7u), &sd, 8, false))
			return -1;
	}
	if (c->trace)
		fprintf(stderr, "iret at %llx rsp %llx -> rip %llx rsp %llx fl %llx\n",
			(unsigned long long)c->rip, (unsigned long long)sp, (unsigned long long)v[0],
			(unsigned long long)v[3], (unsigned long long)v[2]);
	c->rflags = merge_flags(c, v[2], c->cpl);
	cpu__load_seg_cache(c, S_CS, cs, d);
	c->cpl = ncpl;
	c->rip = v[0];
	if (lm) {
		cpu__load_seg_cache(c, S_SS, ss, sd);
		c->gpr[R_SP] = v[3];
	} else {
		c->gpr[R_SP] = (uint32_t)(sp + 3 * w);
		c->rip = (uint32_t)c->rip;
	}
	if (ncpl == 3) {
		/* Data segments above the new CPL are nulled (SDM IRET). */
		for (int s = S_ES; s <= S_GS; s++)
			if (s != S_CS && s != S_SS && s != S_FS && s != S_GS &&
			    c->seg[s].dpl < 3 && (c->seg[s].sel & ~3u))
				cpu__load_seg_cache(c, s, 0, 0);
	}
	return 0;
}

/* The fixed flat descriptor SYSCALL and SYSRET load (SDM vol. 2, SYSCALL). */
uint64_t transfer__flat_desc(bool code, bool l, int dpl)
{
	uint64_t d = 0x00cf93000000ffffull | ((uint64_t)dpl << 45);
	if (code)
		d = (l ? 0x00af9b000000ffffull : 0x00cf9b000000ffffull) | ((uint64_t)dpl << 45);
	return d;
}

static void flat_seg(struct bt_cpu *c, int sreg, uint16_t sel, bool code, bool l, int dpl)
{
	cpu__load_seg_cache(c, sreg, sel, transfer__flat_desc(code, l, dpl));
}

int transfer__syscall(struct hx *h)
{
	struct bt_cpu *c = h->c;
	if (!(c->efer & EFER_SCE) || !cpu__long64(c))
		return fault(h, EXC_UD, -1);
	c->gpr[R_CX] = h->next;
	c->gpr[R_11] = c->rflags & ~RFL_RF;
	c->rflags &= ~(c->fmask | RFL_RF);
	c->rflags |= 2;
	uint16_t sel = (uint16_t)(c->star >> 32) & ~3u;
	flat_seg(c, S_CS, sel, true, true, 0);
	flat_seg(c, S_SS, sel + 8, false, false, 0);
	c->cpl = 0;
	c->rip = c->lstar;
	return 0;
}

int transfer__sysret(struct hx *h)
{
	struct bt_cpu *c = h->c;
	if (!(c->efer & EFER_SCE) || !cpu__long64(c))
		return fault(h, EXC_UD, -1);
	if (c->cpl != 0)
		return fault(h, EXC_GP, 0);
	bool to64 = h->in->operand_width == 64;
	uint64_t rip = to64 ? c->gpr[R_CX] : (uint32_t)c->gpr[R_CX];
	if (to64 && (uint64_t)((int64_t)(rip << 16) >> 16) != rip)
		return fault(h, EXC_GP, 0);
	uint16_t base = (uint16_t)(c->star >> 48);
	flat_seg(c, S_CS, (uint16_t)((to64 ? base + 16 : base) | 3), true, to64, 3);
	flat_seg(c, S_SS, (uint16_t)((base + 8) | 3), false, false, 3);
	c->rflags = (c->gpr[R_11] & 0x3c7fd7) | 2;
	c->cpl = 3;
	c->rip = rip;
	return 0;
}

int transfer__int(struct hx *h)
{
	struct bt_cpu *c = h->c;
	int vec;
	switch (h->in->mnemonic) {
	case ZYDIS_MNEMONIC_INT3: vec = EXC_BP; break;
	case ZYDIS_MNEMONIC_INT1: vec = EXC_DB; break;
	case ZYDIS_MNEMONIC_INTO:
		if (!(c->rflags & RFL_OF))
			return 0;
		vec = 4;
		break;
	default: vec = (int)(h->ops[0].imm.value.u & 0xff); break;
	}
	uint64_t rip = c->rip;
	except__deliver(c, vec, -1, h->in->mnemonic != ZYDIS_MNEMONIC_INT1, h->next);
	if (c->rip == rip && !c->fatal && !c->shutdown)
		return -1;	/* delivery raised something at this rip */
	return 0;
}
