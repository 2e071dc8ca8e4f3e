/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Handlers for the rom, cpu and io groups (vmi-spec/calls.toml): control
 * registers, MSRs, CPUID and port I/O. Each refuses with the spec's error
 * what the native instruction would #GP on, and changes nothing then.
 */
#include "dispatch.h"

#define E(x) ((uint64_t)(int64_t)(x))

#define CR0_PE (1ull << 0)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_PCIDE (1ull << 17)
#define EFER_LMA (1ull << 10)

/* The hypercall ROM's features: vmi-run provides all of them. */
#define HV_FEATURES (VMI_FEAT_TIMER | VMI_FEAT_STEAL | VMI_FEAT_MMU_BATCH | VMI_FEAT_PV_LOCKS)

static int sregs(struct hc_ctx *c, struct vcpu_sregs *s)
{
	return c->ops->get_sregs(c->b, s);
}

uint64_t hc_rom_info(struct hc_ctx *c)
{
	c->rdx = HV_FEATURES;
	return (uint64_t)VMI_ABI_MAJOR << 48 | (uint64_t)VMI_ABI_MINOR << 32 | VMI_NUM_CALLS;
}

uint64_t hc_cpuid(struct hc_ctx *c)
{
	uint32_t r[4];

	c->ops->cpuid(c->b, (uint32_t)c->a[0], (uint32_t)c->a[1], r);
	c->rdx = (uint64_t)r[3] << 32 | r[2];
	return (uint64_t)r[1] << 32 | r[0];
}

#define READ_CR(n)						\
uint64_t hc_read_##n(struct hc_ctx *c)				\
{								\
	struct vcpu_sregs s;					\
	return sregs(c, &s) < 0 ? 0 : s.n;			\
}
READ_CR(cr0)
READ_CR(cr2)
READ_CR(cr3)
READ_CR(cr4)
READ_CR(cr8)

/* SDM "MOV to CR0": the combinations that #GP. */
static bool cr0_ok(uint64_t v, const struct vcpu_sregs *s)
{
	if (v >> 32)
		return false;
	if ((v & CR0_PG) && !(v & CR0_PE))
		return false;
	if ((v & CR0_NW) && !(v & CR0_CD))
		return false;
	/* Long mode cannot be left by clearing PG (or PE) from 64-bit code. */
	if ((s->efer & EFER_LMA) && (!(v & CR0_PG) || !(v & CR0_PE)))
		return false;
	return true;
}

uint64_t hc_write_cr0(struct hc_ctx *c)
{
	struct vcpu_sregs s;

	if (sregs(c, &s) < 0 || !cr0_ok(c->a[0], &s))
		return E(VMI_EINVAL);
	s.cr0 = c->a[0];
	return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
}

uint64_t hc_write_cr2(struct hc_ctx *c)
{
	struct vcpu_sregs s;

	if (sregs(c, &s) == 0) {
		s.cr2 = c->a[0];
		c->ops->set_sregs(c->b, &s);
	}
	return 0;
}

uint64_t hc_write_cr3(struct hc_ctx *c)
{
	struct vcpu_sregs s;
	uint64_t v = c->a[0], noflush = v >> 63, base;

	if (sregs(c, &s) < 0)
		return E(VMI_EINVAL);
	if (noflush && !(s.cr4 & CR4_PCIDE))
		return E(VMI_EINVAL);
	v &= ~(1ull << 63);
	if (v & dispatch__pte_reserved(c))
		return E(VMI_EINVAL);
	base = v & 0x000ffffffffff000ull;
	if (!vm__gpa(c->vm, base, 4096))
		return E(VMI_EINVAL);
	if (s.cr3 == v && !noflush) {
		/* Same address space: MOV CR3 still flushes non-global entries. */
		c->ops->flush_tlb(c->b, true, 0);
		return 0;
	}
	s.cr3 = v;
	return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
}

/* CR4 bits the virtual CPU has, from its own CPUID (SDM 2.5). */
static uint64_t cr4_supported(struct hc_ctx *c)
{
	uint32_t l1[4], l7[4] = { 0 }, max[4];
	uint64_t ok = 0x7ff;	/* VME .. OSXMMEXCPT: every x86-64 CPU */

	c->ops->cpuid(c->b, 0, 0, max);
	c->ops->cpuid(c->b, 1, 0, l1);
	if (max[0] >= 7)
		c->ops->cpuid(c->b, 7, 0, l7);
	ok |= (l7[2] & (1u << 2)) ? 1ull << 11 : 0;	/* UMIP */
	ok |= (l7[1] & (1u << 0)) ? 1ull << 16 : 0;	/* FSGSBASE */
	ok |= (l1[2] & (1u << 17)) ? 1ull << 17 : 0;	/* PCIDE */
	ok |= (l1[2] & (1u << 26)) ? 1ull << 18 : 0;	/* OSXSAVE */
	ok |= (l7[1] & (1u << 7)) ? 1ull << 20 : 0;	/* SMEP */
	ok |= (l7[1] & (1u << 20)) ? 1ull << 21 : 0;	/* SMAP */
	ok |= (l7[2] & (1u << 3)) ? 1ull << 22 : 0;	/* PKE */
	return ok;
}

uint64_t hc_write_cr4(struct hc_ctx *c)
{
	struct vcpu_sregs s;
	uint64_t v = c->a[0];

	if (sregs(c, &s) < 0 || (v & ~cr4_supported(c)))
		return E(VMI_EINVAL);
	if ((s.efer & EFER_LMA) && !(v & CR4_PAE))
		return E(VMI_EINVAL);
	if ((v & CR4_PCIDE) && !(s.cr4 & CR4_PCIDE) &&
	    ((s.cr3 & 0xfff) || !(s.efer & EFER_LMA)))
		return E(VMI_EINVAL);
	s.cr4 = v;
	return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
}

uint64_t hc_write_cr8(struct hc_ctx *c)
{
	struct vcpu_sregs s;

	if (c->a[0] > 15 || sregs(c, &s) < 0)
		return E(VMI_EINVAL);
	s.cr8 = c->a[0];
	return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
}

uint64_t hc_read_msr(struct hc_ctx *c)
{
	uint64_t v;

	if (c->ops->get_msr(c->b, (uint32_t)c->a[0], &v) < 0) {
		c->rdx = E(VMI_EIO);
		return 0;
	}
	c->rdx = 0;
	return v;
}

uint64_t hc_write_msr(struct hc_ctx *c)
{
	return c->ops->set_msr(c->b, (uint32_t)c->a[0], c->a[1]) < 0 ? E(VMI_EIO) : 0;
}

/* The virtual CPU has no performance counters (CPUID leaf 0xa is zero). */
uint64_t hc_read_pmc(struct hc_ctx *c)
{
	c->rdx = E(VMI_EIO);
	return 0;
}

uint64_t hc_wbinvd(struct hc_ctx *c)
{
	(void)c;	/* guest RAM is ordinary cached host memory */
	return 0;
}

uint64_t hc_io_delay(struct hc_ctx *c)
{
	(void)c;
	return 0;
}

static uint64_t io_in(struct hc_ctx *c, uint8_t size)
{
	uint32_t v = 0;

	vm__io(c->vm, (uint16_t)c->a[0], size, false, &v);
	return size == 4 ? v : v & ((1u << (size * 8)) - 1);
}

static uint64_t io_out(struct hc_ctx *c, uint8_t size)
{
	uint32_t v = (uint32_t)c->a[1];

	if (size < 4)
		v &= (1u << (size * 8)) - 1;
	vm__io(c->vm, (uint16_t)c->a[0], size, true, &v);
	return 0;
}

uint64_t hc_io_in8(struct hc_ctx *c) { return io_in(c, 1); }
uint64_t hc_io_in16(struct hc_ctx *c) { return io_in(c, 2); }
uint64_t hc_io_in32(struct hc_ctx *c) { return io_in(c, 4); }
uint64_t hc_io_out8(struct hc_ctx *c) { return io_out(c, 1); }
uint64_t hc_io_out16(struct hc_ctx *c) { return io_out(c, 2); }
uint64_t hc_io_out32(struct hc_ctx *c) { return io_out(c, 4); }

/* The interrupt-flag calls run natively in the hypercall ROM; through a
 * hypercall they act on the caller's saved RFLAGS. halt and safe_halt return
 * at once, which the spec allows as a spurious wake-up. */
#define RFLAGS_IF (1ull << 9)
uint64_t hc_save_fl(struct hc_ctx *c) { return c->regs->rflags; }
uint64_t hc_irq_disable(struct hc_ctx *c) { c->regs->rflags &= ~RFLAGS_IF; return 0; }
uint64_t hc_irq_enable(struct hc_ctx *c) { c->regs->rflags |= RFLAGS_IF; return 0; }
uint64_t hc_safe_halt(struct hc_ctx *c) { c->regs->rflags |= RFLAGS_IF; return 0; }
uint64_t hc_halt(struct hc_ctx *c) { (void)c; return 0; }

uint64_t hc_load_sp0(struct hc_ctx *c)
{
	return E(dispatch__gva_write(c, c->a[0], &c->a[1], 8));
}
