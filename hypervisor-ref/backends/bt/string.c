// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * String instructions, with REP/REPE/REPNE. Each element updates rsi/rdi/rcx
 * before the next, so a fault mid-way leaves a restartable state (as
 * hardware does). Long repeats stop after a slice and re-execute, so that
 * interrupts are not held off.
 */
#include "operand.h"
#include "sys.h"

#define SLICE 65536

/* Arithmetic flags of `a - b` at `bits`, as cmp computes them. */
static uint64_t cmp_flags(uint64_t a, uint64_t b, unsigned bits)
{
	uint64_t f;
	switch (bits) {
	case 8:  __asm__("cmpb %b2, %b1; pushfq; popq %0" : "=r"(f) : "q"(a), "q"(b) : "cc"); break;
	case 16: __asm__("cmpw %w2, %w1; pushfq; popq %0" : "=r"(f) : "r"(a), "r"(b) : "cc"); break;
	case 32: __asm__("cmpl %k2, %k1; pushfq; popq %0" : "=r"(f) : "r"(a), "r"(b) : "cc"); break;
	default: __asm__("cmpq %2, %1; pushfq; popq %0" : "=r"(f) : "r"(a), "r"(b) : "cc"); break;
	}
	return f & RFL_ARITH;
}

/*
 * REP MOVS/STOS forward over RAM the TLB already maps: whole page runs with
 * memmove/stores instead of one checked access per element. Returns the
 * elements done (0: take the per-element path, which also fills the TLB).
 */
static uint64_t bulk(struct hx *h, bool movs, unsigned w, uint64_t am, uint64_t srcbase)
{
	struct bt_cpu *c = h->c;
	uint64_t cnt = c->gpr[R_CX] & am;
	uint64_t si = (c->gpr[R_SI] & am) + srcbase, di = c->gpr[R_DI] & am;
	if (h->in->machine_mode != ZYDIS_MACHINE_MODE_LONG_64) {
		si = (uint32_t)si;
		di = (uint32_t)di;
	}
	uint64_t room = (PAGE_SIZE - (di & (PAGE_SIZE - 1))) / w;
	if (movs && (PAGE_SIZE - (si & (PAGE_SIZE - 1))) / w < room)
		room = (PAGE_SIZE - (si & (PAGE_SIZE - 1))) / w;
	if (room > cnt)
		room = cnt;
	if (!room)
		return 0;
	uint8_t *d = mmu__host(c, di, true, h->user);
	uint8_t *s = movs ? mmu__host(c, si, false, h->user) : NULL;
	if (!d || (movs && !s))
		return 0;
	if (movs && d > s && d < s + room * w) {
		/* overlapping forward copy: element by element, as the CPU does */
		for (uint64_t i = 0; i < room; i++)
			memmove(d + i * w, s + i * w, w);
	} else if (movs) {
		memmove(d, s, room * w);
	} else {
		for (uint64_t i = 0; i < room; i++)
			memcpy(d + i * w, &c->gpr[R_AX], w);
	}
	if (movs)
		c->gpr[R_SI] = (c->gpr[R_SI] & ~am) | ((c->gpr[R_SI] + room * w) & am);
	c->gpr[R_DI] = (c->gpr[R_DI] & ~am) | ((c->gpr[R_DI] + room * w) & am);
	c->gpr[R_CX] = (c->gpr[R_CX] & ~am) | ((c->gpr[R_CX] - room) & am);
	return room;
}

int string__exec(struct hx *h)
{
	struct bt_cpu *c = h->c;
	ZydisMnemonic mn = h->in->mnemonic;
	unsigned w = h->in->operand_width / 8;
	uint64_t am = op__mask(h->in->address_width);
	bool rep = h->in->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
				       ZYDIS_ATTRIB_HAS_REPNE);
	bool repne = h->in->attributes & ZYDIS_ATTRIB_HAS_REPNE;
	int64_t step = (c->rflags & RFL_DF) ? -(int64_t)w : (int64_t)w;
	bool cmps = mn >= ZYDIS_MNEMONIC_CMPSB && mn <= ZYDIS_MNEMONIC_CMPSW;
	bool scas = mn >= ZYDIS_MNEMONIC_SCASB && mn <= ZYDIS_MNEMONIC_SCASW;
	bool io = mn == ZYDIS_MNEMONIC_INSB || mn == ZYDIS_MNEMONIC_INSW || mn == ZYDIS_MNEMONIC_INSD ||
		  mn == ZYDIS_MNEMONIC_OUTSB || mn == ZYDIS_MNEMONIC_OUTSW || mn == ZYDIS_MNEMONIC_OUTSD;
	if (io && w > 4)
		w = 4;		/* INS/OUTS ignore REX.W: at most a doubleword */
	if (io && c->cpl > (int)((c->rflags >> 12) & 3)) {
		except__raise(c, EXC_GP, 0);
		return -1;
	}
	uint64_t srcbase = h->in->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_FS ? c->seg[S_FS].base :
			   h->in->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_GS ? c->seg[S_GS].base : 0;
	bool movs = mn >= ZYDIS_MNEMONIC_MOVSB && mn <= ZYDIS_MNEMONIC_MOVSW && mn != ZYDIS_MNEMONIC_MOVSX &&
		    mn != ZYDIS_MNEMONIC_MOVSXD;
	bool stos = mn >= ZYDIS_MNEMONIC_STOSB && mn <= ZYDIS_MNEMONIC_STOSW;
	bool fast = rep && !io && (movs || stos) && !(c->rflags & RFL_DF);
	for (unsigned n = 0;; n++) {
		if (rep && (c->gpr[R_CX] & am) == 0)
			return 0;
		if (n >= SLICE)
			return -1;	/* rip unchanged: resumes after pending interrupts */
		if (fast) {
			uint64_t done = bulk(h, movs, w, am, srcbase);
			if (done) {
				n += (unsigned)(done < SLICE ? done : SLICE) - 1;
				continue;
			}
		}
		uint64_t si = (c->gpr[R_SI] & am) + srcbase, di = c->gpr[R_DI] & am;
		uint64_t a = 0, b = 0;
		uint32_t io_v = 0;
		int r = 0;
		switch (mn) {
		case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW:
		case ZYDIS_MNEMONIC_MOVSD: case ZYDIS_MNEMONIC_MOVSQ:
			r = mmu__read(c, si, &a, w, h->user) || mmu__write(c, di, &a, w, h->user);
			break;
		case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW:
		case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ:
			r = mmu__write(c, di, &c->gpr[R_AX], w, h->user);
			break;
		case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW:
		case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_LODSQ:
			r = mmu__read(c, si, &a, w, h->user);
			if (!r)
				op__reg_set(c, ZydisRegisterEncode(w == 1 ? ZYDIS_REGCLASS_GPR8 :
					    w == 2 ? ZYDIS_REGCLASS_GPR16 : w == 4 ? ZYDIS_REGCLASS_GPR32 :
					    ZYDIS_REGCLASS_GPR64, R_AX), a);
			break;
		case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
			c->irq_maybe = 1;
			if (c->m->pio)
				c->m->pio(c->m->opaque, (uint16_t)c->gpr[R_DX], w, false, &io_v);
			r = mmu__write(c, di, &io_v, w, h->user);
			break;
		case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
			r = mmu__read(c, si, &io_v, w, h->user);
			c->irq_maybe = 1;
			if (!r && c->m->pio)
				c->m->pio(c->m->opaque, (uint16_t)c->gpr[R_DX], w, true, &io_v);
			break;
		default:
			if (cmps) {
				r = mmu__read(c, si, &a, w, h->user) || mmu__read(c, di, &b, w, h->user);
			} else {
				a = c->gpr[R_AX] & op__mask(w * 8);
				r = mmu__read(c, di, &b, w, h->user);
			}
			if (!r)
				c->rflags = (c->rflags & ~RFL_ARITH) | cmp_flags(a, b, w * 8);
			break;
		}
		if (r)
			return -1;
		bool uses_si = !scas && mn != ZYDIS_MNEMONIC_STOSB && mn != ZYDIS_MNEMONIC_STOSW &&
			       mn != ZYDIS_MNEMONIC_STOSD && mn != ZYDIS_MNEMONIC_STOSQ &&
			       mn != ZYDIS_MNEMONIC_INSB && mn != ZYDIS_MNEMONIC_INSW &&
			       mn != ZYDIS_MNEMONIC_INSD;
		bool uses_di = mn < ZYDIS_MNEMONIC_LODSB || mn > ZYDIS_MNEMONIC_LODSW;
		if (io && mn >= ZYDIS_MNEMONIC_OUTSB && mn <= ZYDIS_MNEMONIC_OUTSW)
			uses_di = false;
		if (uses_si)
			c->gpr[R_SI] = (c->gpr[R_SI] & ~am) | ((c->gpr[R_SI] + (uint64_t)step) & am);
		if (uses_di)
			c->gpr[R_DI] = (c->gpr[R_DI] & ~am) | ((c->gpr[R_DI] + (uint64_t)step) & am);
		if (!rep)
			return 0;
		c->gpr[R_CX] = (c->gpr[R_CX] & ~am) | ((c->gpr[R_CX] - 1) & am);
		if ((cmps || scas) && (!!(c->rflags & RFL_ZF) == repne))
			return 0;
	}
}
