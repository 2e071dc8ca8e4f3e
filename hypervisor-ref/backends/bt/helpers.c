// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The C interpreter for what translated code does not run itself: I/O (and
 * the VMI hypercall port), interrupt flag, flags push/pop, division, string
 * operations, bit strings and CPUID/RDTSC. System-register instructions are
 * in sys.c. Each handler leaves rip at the next instruction on success and
 * untouched after raising an exception (precise).
 */
#include <cpuid.h>
#include <x86intrin.h>
#include <vmi/abi.h>
#include "operand.h"
#include "sys.h"

static int gp(struct hx *h)
{
	except__raise(h->c, EXC_GP, 0);
	return -1;
}

static bool io_allowed(struct hx *h)
{
	return h->c->cpl <= (int)((h->c->rflags >> 12) & 3);
}

static int do_io(struct hx *h, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	struct bt_machine *m = h->c->m;
	if (!m->pio) {
		if (!write)
			*val = 0xffffffffu;
		return 0;
	}
	h->c->irq_maybe = 1;	/* a device access may have unmasked an interrupt */
	return m->pio(m->opaque, port, size, write, val);
}

static int h_io(struct hx *h)
{
	struct bt_cpu *c = h->c;
	bool out = h->in->mnemonic == ZYDIS_MNEMONIC_OUT;
	int pi = out ? 0 : 1, di = out ? 1 : 0;
	uint64_t port, v = 0;
	op__read(h, pi, &port);
	unsigned size = h->ops[di].size / 8;
	if (out && port == VMI_HYPERCALL_PORT && size == 4 &&
	    h->in->machine_mode == ZYDIS_MACHINE_MODE_LONG_64 && c->m->hypercall) {
		/* spec.md 5: the hypercall transport, dispatched in-process. */
		if (c->cpl != 0)
			c->gpr[R_AX] = (uint64_t)(int64_t)VMI_EPERM;
		else
			c->m->hypercall(c->m->opaque, c);
		c->irq_maybe = 1;	/* the call may have acked, masked or raised one */
		c->hypercalls++;
		return 0;
	}
	if (!io_allowed(h))
		return gp(h);
	if (out)
		op__read(h, di, &v);
	uint32_t val = (uint32_t)v;
	int r = do_io(h, (uint16_t)port, size, out, &val);
	if (!out)
		op__write(h, di, val);
	return r ? BT_EXIT_IO : 0;
}

static int h_flags(struct hx *h)
{
	struct bt_cpu *c = h->c;
	int iopl = (c->rflags >> 12) & 3;
	switch (h->in->mnemonic) {
	case ZYDIS_MNEMONIC_CLI:
		if (c->cpl > iopl)
			return gp(h);
		c->rflags &= ~RFL_IF;
		return 0;
	case ZYDIS_MNEMONIC_STI:
		if (c->cpl > iopl)
			return gp(h);
		if (!(c->rflags & RFL_IF))
			c->irq_shadow = true;
		c->rflags |= RFL_IF;
		return 0;
	case ZYDIS_MNEMONIC_PUSHF: case ZYDIS_MNEMONIC_PUSHFD: case ZYDIS_MNEMONIC_PUSHFQ:
		return op__push(h, c->rflags & ~(RFL_VM | RFL_RF), h->in->operand_width / 8);
	default: {
		uint64_t v, keep;
		if (op__pop(h, &v, h->in->operand_width / 8))
			return -1;
		uint64_t wr = RFL_ARITH | RFL_TF | RFL_DF | RFL_NT | RFL_AC | RFL_ID;
		if (c->cpl == 0)
			wr |= RFL_IOPL;
		if (c->cpl <= iopl)
			wr |= RFL_IF;
		wr &= op__mask(h->in->operand_width);
		keep = c->rflags & ~wr;
		c->rflags = keep | (v & wr) | 2;
		return 0;
	}
	}
}

static int h_div(struct hx *h)
{
	struct bt_cpu *c = h->c;
	unsigned w = h->ops[0].size;
	uint64_t d;
	if (op__read(h, 0, &d))
		return -1;
	bool sign = h->in->mnemonic == ZYDIS_MNEMONIC_IDIV;
	if (d == 0) {
		except__raise(c, EXC_DE, -1);
		return -1;
	}
	uint64_t m = op__mask(w);
	unsigned __int128 lo = w == 8 ? (c->gpr[R_AX] & 0xffff) :
			       ((unsigned __int128)(c->gpr[R_DX] & m) << w) | (c->gpr[R_AX] & m);
	unsigned __int128 q, r;
	if (!sign) {
		q = lo / d;
		r = lo % d;
		if (q > m) {
			except__raise(c, EXC_DE, -1);
			return -1;
		}
	} else {
		__int128 n = (__int128)(lo << (128 - 2 * w)) >> (128 - 2 * w);
		__int128 dv = (__int128)((int64_t)(d << (64 - w)) >> (64 - w));
		if (n == (__int128)((unsigned __int128)1 << (2 * w - 1)) && dv == -1) {
			except__raise(c, EXC_DE, -1);
			return -1;
		}
		__int128 sq = n / dv, sr = n % dv;
		__int128 lim = (__int128)((unsigned __int128)1 << (w - 1));
		if (sq >= lim || sq < -lim) {
			except__raise(c, EXC_DE, -1);
			return -1;
		}
		q = (unsigned __int128)sq;
		r = (unsigned __int128)sr;
	}
	if (w == 8) {
		c->gpr[R_AX] = (c->gpr[R_AX] & ~0xffffull) | ((uint64_t)q & 0xff) | (((uint64_t)r & 0xff) << 8);
	} else {
		op__reg_set(c, ZydisRegisterEncode(w == 16 ? ZYDIS_REGCLASS_GPR16 : w == 32 ?
			    ZYDIS_REGCLASS_GPR32 : ZYDIS_REGCLASS_GPR64, R_AX), (uint64_t)q);
		op__reg_set(c, ZydisRegisterEncode(w == 16 ? ZYDIS_REGCLASS_GPR16 : w == 32 ?
			    ZYDIS_REGCLASS_GPR32 : ZYDIS_REGCLASS_GPR64, R_DX), (uint64_t)r);
	}
	return 0;
}

static int h_cpuid(struct hx *h)
{
	struct bt_cpu *c = h->c;
	uint32_t out[4];
	bt__cpuid(c, (uint32_t)c->gpr[R_AX], (uint32_t)c->gpr[R_CX], out);
	c->gpr[R_AX] = out[0];
	c->gpr[R_BX] = out[1];
	c->gpr[R_CX] = out[2];
	c->gpr[R_DX] = out[3];
	return 0;
}

static int h_rdtsc(struct hx *h)
{
	struct bt_cpu *c = h->c;
	if ((c->cr4 & 0x4) && c->cpl > 0)	/* CR4.TSD */
		return gp(h);
	uint64_t t = __rdtsc() + c->tsc_offset;
	c->gpr[R_AX] = (uint32_t)t;
	c->gpr[R_DX] = t >> 32;
	if (h->in->mnemonic == ZYDIS_MNEMONIC_RDTSCP)
		c->gpr[R_CX] = 0;
	return 0;
}

/* bt/bts/btr/btc with a register bit offset into memory: a bit string. */
static int h_bitstring(struct hx *h)
{
	struct bt_cpu *c = h->c;
	unsigned w = h->ops[0].size;
	uint64_t off;
	op__read(h, 1, &off);
	int64_t soff = (int64_t)(off << (64 - w)) >> (64 - w);
	uint64_t va = op__addr(h, &h->ops[0]) + (uint64_t)((soff >> 3) & ~(int64_t)(w / 8 - 1));
	if (h->in->machine_mode != ZYDIS_MACHINE_MODE_LONG_64)
		va = (uint32_t)va;
	uint64_t v = 0;
	unsigned bit = (unsigned)(soff & (w - 1));
	if (mmu__read(c, va, &v, w / 8, h->user))
		return -1;
	bool old = (v >> bit) & 1;
	uint64_t nv = v;
	switch (h->in->mnemonic) {
	case ZYDIS_MNEMONIC_BTS: nv |= 1ull << bit; break;
	case ZYDIS_MNEMONIC_BTR: nv &= ~(1ull << bit); break;
	case ZYDIS_MNEMONIC_BTC: nv ^= 1ull << bit; break;
	default: break;
	}
	if (nv != v && mmu__write(c, va, &nv, w / 8, h->user))
		return -1;
	c->rflags = (c->rflags & ~RFL_CF) | (old ? RFL_CF : 0);
	return 0;
}

static int h_xlat(struct hx *h)
{
	struct bt_cpu *c = h->c;
	uint64_t va = (c->gpr[R_BX] + (c->gpr[R_AX] & 0xff)) & op__mask(h->in->address_width);
	uint8_t v;
	if (mmu__read(c, va, &v, 1, h->user))
		return -1;
	c->gpr[R_AX] = (c->gpr[R_AX] & ~0xffull) | v;
	return 0;
}

static int h_pushpop(struct hx *h)
{
	unsigned size = h->in->operand_width / 8;
	uint64_t v;
	if (h->in->mnemonic == ZYDIS_MNEMONIC_PUSH) {
		if (h->ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    ZydisRegisterGetClass(h->ops[0].reg.value) == ZYDIS_REGCLASS_SEGMENT) {
			v = h->c->seg[ZydisRegisterGetId(h->ops[0].reg.value)].sel;
		} else if (op__read(h, 0, &v)) {
			return -1;
		}
		return op__push(h, v, size);
	}
	uint64_t sp = h->c->gpr[R_SP];
	if (op__pop(h, &v, size))
		return -1;
	if (h->ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
	    ZydisRegisterGetClass(h->ops[0].reg.value) == ZYDIS_REGCLASS_SEGMENT) {
		if (sys__load_sreg(h, ZydisRegisterGetId(h->ops[0].reg.value), (uint16_t)v)) {
			h->c->gpr[R_SP] = sp;
			return -1;
		}
		return 0;
	}
	if (op__write(h, 0, v)) {
		h->c->gpr[R_SP] = sp;
		return -1;
	}
	return 0;
}

/* FXSAVE/FXRSTOR and the control-word loads, on the FXSAVE image in the vCPU
 * record (current whenever the C interpreter runs). Exceptions stay masked:
 * an unmasked one would be the host's SIGFPE (README, Not supported). */
static int h_fpu(struct hx *h)
{
	struct bt_cpu *c = h->c;
	uint64_t va = op__addr(h, &h->ops[0]);
	uint32_t mask = c->mxcsr_mask ? c->mxcsr_mask : 0xffbf;
	switch (h->in->mnemonic) {
	case ZYDIS_MNEMONIC_FXSAVE: case ZYDIS_MNEMONIC_FXSAVE64:
		if (va & 15)
			return gp(h);
		return mmu__write(c, va, c->fx, 512, h->user);
	case ZYDIS_MNEMONIC_FXRSTOR: case ZYDIS_MNEMONIC_FXRSTOR64: {
		uint8_t img[512];
		uint32_t mx;
		if (va & 15)
			return gp(h);
		if (mmu__read(c, va, img, 512, h->user))
			return -1;
		memcpy(&mx, img + 24, 4);
		if (mx & ~mask)
			return gp(h);
		mx |= 0x1f80;
		memcpy(img + 24, &mx, 4);
		img[0] |= 0x3f;
		memcpy(img + 28, c->fx + 28, 4);	/* MXCSR_MASK is the CPU's */
		memcpy(c->fx, img, 512);
		return 0;
	}
	case ZYDIS_MNEMONIC_LDMXCSR: {
		uint32_t mx;
		if (mmu__read(c, va, &mx, 4, h->user))
			return -1;
		if (mx & ~mask)
			return gp(h);
		mx |= 0x1f80;
		memcpy(c->fx + 24, &mx, 4);
		return 0;
	}
	case ZYDIS_MNEMONIC_FLDCW: {
		uint16_t cw;
		if (mmu__read(c, va, &cw, 2, h->user))
			return -1;
		cw |= 0x3f;
		memcpy(c->fx, &cw, 2);
		return 0;
	}
	default:
		except__raise(c, EXC_UD, -1);	/* FLDENV, FRSTOR, FNSAVE, FNSTENV */
		return -1;
	}
}

int helpers__dispatch(struct hx *h)
{
	if (h->in->meta.category == ZYDIS_CATEGORY_STRINGOP ||
	    h->in->meta.category == ZYDIS_CATEGORY_IOSTRINGOP)
		return string__exec(h);
	switch (h->in->mnemonic) {
	case ZYDIS_MNEMONIC_IN: case ZYDIS_MNEMONIC_OUT:
		return h_io(h);
	case ZYDIS_MNEMONIC_CLI: case ZYDIS_MNEMONIC_STI:
	case ZYDIS_MNEMONIC_PUSHF: case ZYDIS_MNEMONIC_PUSHFD: case ZYDIS_MNEMONIC_PUSHFQ:
	case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFD: case ZYDIS_MNEMONIC_POPFQ:
		return h_flags(h);
	case ZYDIS_MNEMONIC_DIV: case ZYDIS_MNEMONIC_IDIV:
		return h_div(h);
	case ZYDIS_MNEMONIC_CPUID:
		return h_cpuid(h);
	case ZYDIS_MNEMONIC_RDTSC: case ZYDIS_MNEMONIC_RDTSCP:
		return h_rdtsc(h);
	case ZYDIS_MNEMONIC_BT: case ZYDIS_MNEMONIC_BTS:
	case ZYDIS_MNEMONIC_BTR: case ZYDIS_MNEMONIC_BTC:
		return h_bitstring(h);
	case ZYDIS_MNEMONIC_XLAT:
		return h_xlat(h);
	case ZYDIS_MNEMONIC_LDMXCSR: case ZYDIS_MNEMONIC_FLDCW: case ZYDIS_MNEMONIC_FLDENV:
	case ZYDIS_MNEMONIC_FRSTOR: case ZYDIS_MNEMONIC_FNSAVE: case ZYDIS_MNEMONIC_FNSTENV:
	case ZYDIS_MNEMONIC_FXRSTOR: case ZYDIS_MNEMONIC_FXRSTOR64:
	case ZYDIS_MNEMONIC_FXSAVE: case ZYDIS_MNEMONIC_FXSAVE64:
		return h_fpu(h);
	case ZYDIS_MNEMONIC_PUSH: case ZYDIS_MNEMONIC_POP:
		return h_pushpop(h);
	default:
		return sys__exec(h);
	}
}

/* Execute the instruction at rip. Returns a bt_exit to leave bt__run, or -1. */
int helpers__exec(struct bt_cpu *c, const struct bt_decoded *dec)
{
	static __thread struct hx h;
	uint64_t pa2;
	h.c = c;
	h.user = c->cpl == 3;
	c->helpers++;
	if (dec) {
		/* the block was looked up by (rip, physical page, mode) and dies
		 * with a store to its page: the bytes are the ones decoded */
		h.in = &dec->in;
		h.ops = dec->ops;
	} else if (translate__decode(c, c->rip, &h.dec_in, h.dec_ops, &pa2, h.bytes, true) < 0) {
		return -1;
	} else {
		h.in = &h.dec_in;
		h.ops = h.dec_ops;
	}
	h.next = c->rip + h.in->length;
	if (h.in->machine_mode != ZYDIS_MACHINE_MODE_LONG_64)
		h.next = (uint32_t)h.next;
	uint64_t rip = c->rip;
	bool shadow = c->irq_shadow;
	int r = helpers__dispatch(&h);
	if (r == -1 || c->rip != rip || c->fatal || c->shutdown)
		return -1;	/* raised, or the handler moved rip itself */
	c->rip = h.next;
	if (shadow)
		c->irq_shadow = false;
	return r == 0 ? -1 : r;
}
