// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The local APIC (SDM vol. 3, ch. 11), xAPIC mode, one CPU. Interrupts are
 * kept in IRR/ISR bitmaps; the processor priority is max(TPR, highest ISR
 * class). The timer is computed from the host clock when read and fires
 * through a vm timer. Only a backend without an in-kernel APIC uses it;
 * bt asks it for the pending vector before the PIC (virtual wire).
 */
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "lapic.h"

#define REG_ID		0x02
#define REG_VER		0x03
#define REG_TPR		0x08
#define REG_APR		0x09
#define REG_PPR		0x0a
#define REG_EOI		0x0b
#define REG_LDR		0x0d
#define REG_DFR		0x0e
#define REG_SVR		0x0f
#define REG_ISR		0x10
#define REG_TMR		0x18
#define REG_IRR		0x20
#define REG_ESR		0x28
#define REG_ICR_LO	0x30
#define REG_ICR_HI	0x31
#define REG_LVT0	0x32	/* timer, thermal, perf, lint0, lint1, error */
#define REG_TMICT	0x38
#define REG_TMCCT	0x39
#define REG_TDCR	0x3e

#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define SVR_ENABLE	(1u << 8)
#define NLVT		6

struct lapic {
	struct vm *vm;
	uint32_t tpr, ldr, dfr, svr, esr, icr_lo, icr_hi, tmict, tdcr;
	uint32_t lvt[NLVT];
	uint32_t irr[8], isr[8], tmr[8];
	uint64_t timer_start;		/* ns when TMICT was written (or reloaded) */
	struct vm_timer timer;
};

static int highest(const uint32_t *bits)
{
	for (int i = 7; i >= 0; i--)
		if (bits[i])
			return i * 32 + 31 - __builtin_clz(bits[i]);
	return -1;
}

static uint32_t ppr(const struct lapic *l)
{
	int isr = highest(l->isr);
	uint32_t isrc = isr < 0 ? 0 : (uint32_t)isr & 0xf0;
	return (l->tpr & 0xf0) >= isrc ? l->tpr & 0xff : isrc;
}

static uint64_t divider(const struct lapic *l)
{
	unsigned v = (l->tdcr & 3) | ((l->tdcr >> 1) & 4);
	return v == 7 ? 1 : 2ull << v;
}

/* 128-bit intermediates: tmict * divider * 1e9 passes 2^64 at a count of
 * 0xffffffff divided by 16, and elapsed ns * LAPIC_HZ after 18 s. */
static uint64_t count_to_ns(const struct lapic *l, uint64_t count)
{
	return (uint64_t)((unsigned __int128)count * divider(l) * 1000000000ull / LAPIC_HZ);
}

/* A periodic timer faster than this would only keep a host core busy (KVM
 * clamps the same way, min_timer_period_us). */
#define MIN_PERIOD_NS	50000ull

static uint64_t period_ns(const struct lapic *l)
{
	uint64_t ns = count_to_ns(l, l->tmict);
	return ns < MIN_PERIOD_NS ? MIN_PERIOD_NS : ns;
}

uint32_t lapic__timer_count(const struct lapic *l, uint64_t now)
{
	if (!l->tmict)
		return 0;
	uint64_t elapsed = now > l->timer_start ? now - l->timer_start : 0;
	uint64_t ticks = (uint64_t)((unsigned __int128)elapsed * LAPIC_HZ / 1000000000ull /
				    divider(l));
	if (l->lvt[0] & LVT_PERIODIC)
		return l->tmict - (uint32_t)(ticks % l->tmict);
	return ticks >= l->tmict ? 0 : l->tmict - (uint32_t)ticks;
}

static void timer_arm(struct lapic *l)
{
	if (!l->vm)
		return;
	if (!l->tmict) {
		vm__timer_cancel(l->vm, &l->timer);
		return;
	}
	uint64_t ns = l->lvt[0] & LVT_PERIODIC ? period_ns(l) : count_to_ns(l, l->tmict);
	vm__timer_arm(l->vm, &l->timer, l->timer_start + ns);
}

void lapic__raise(struct lapic *l, uint8_t vector)
{
	if (vector < 16) {
		l->esr |= 1u << 6;	/* illegal vector, received */
		return;
	}
	l->irr[vector / 32] |= 1u << (vector % 32);
}

void lapic__timer_fire(struct vm *vm, void *opaque)
{
	struct lapic *l = opaque;
	if (!l->tmict)
		return;
	if (!(l->lvt[0] & LVT_MASKED) && (l->svr & SVR_ENABLE)) {
		lapic__raise(l, (uint8_t)l->lvt[0]);
		if (vm && vm->be && vm->ops->kick)
			vm->ops->kick(vm->be);
	}
	if (l->lvt[0] & LVT_PERIODIC) {
		/* Reload; periods missed while the host was busy collapse into
		 * the one IRR bit, as on hardware, instead of firing in a burst. */
		uint64_t period = period_ns(l);
		uint64_t now = vm ? vm__now_ns() : l->timer_start + period;
		l->timer_start += period;
		if (period && now > l->timer_start + period)
			l->timer_start += (now - l->timer_start) / period * period;
		timer_arm(l);
	}
}

int lapic__pending(const struct lapic *l)
{
	if (!(l->svr & SVR_ENABLE))
		return -1;
	int v = highest(l->irr);
	if (v < 0 || ((uint32_t)v & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return v;
}

int lapic__ack(struct lapic *l)
{
	int v = lapic__pending(l);
	if (v < 0)
		return -1;
	l->irr[v / 32] &= ~(1u << (v % 32));
	l->isr[v / 32] |= 1u << (v % 32);
	return v;
}

static void eoi(struct lapic *l)
{
	int v = highest(l->isr);
	if (v >= 0)
		l->isr[v / 32] &= ~(1u << (v % 32));
}

void lapic__set_cr8(struct lapic *l, uint64_t cr8)
{
	l->tpr = (uint32_t)(cr8 & 0xf) << 4;
}

uint64_t lapic__cr8(const struct lapic *l)
{
	return l->tpr >> 4;
}

/* Interrupt command: one CPU, so only fixed IPIs to itself do anything. */
static void icr_write(struct lapic *l, uint32_t v)
{
	unsigned shorthand = (v >> 18) & 3, mode = (v >> 8) & 7;
	bool self = shorthand == 1 || shorthand == 2 ||
		    (shorthand == 0 && (l->icr_hi >> 24) == 0);
	l->icr_lo = v & ~(1u << 12);	/* delivery status: idle at once */
	if (mode == 0 && self)
		lapic__raise(l, (uint8_t)v);
}

static uint32_t reg_read(struct lapic *l, unsigned r)
{
	switch (r) {
	case REG_ID: return 0;
	case REG_VER: return 0x14 | ((NLVT - 1) << 16);
	case REG_TPR: return l->tpr;
	case REG_APR: return 0;
	case REG_PPR: return ppr(l);
	case REG_LDR: return l->ldr;
	case REG_DFR: return l->dfr;
	case REG_SVR: return l->svr;
	case REG_ESR: return l->esr;
	case REG_ICR_LO: return l->icr_lo;
	case REG_ICR_HI: return l->icr_hi;
	case REG_TMICT: return l->tmict;
	case REG_TMCCT: return lapic__timer_count(l, vm__now_ns());
	case REG_TDCR: return l->tdcr;
	default:
		if (r >= REG_ISR && r < REG_ISR + 8)
			return l->isr[r - REG_ISR];
		if (r >= REG_TMR && r < REG_TMR + 8)
			return l->tmr[r - REG_TMR];
		if (r >= REG_IRR && r < REG_IRR + 8)
			return l->irr[r - REG_IRR];
		if (r >= REG_LVT0 && r < REG_LVT0 + NLVT)
			return l->lvt[r - REG_LVT0];
		return 0;
	}
}

static void reg_write(struct lapic *l, unsigned r, uint32_t v)
{
	switch (r) {
	case REG_TPR: l->tpr = v & 0xff; break;
	case REG_EOI: eoi(l); break;
	case REG_LDR: l->ldr = v & 0xff000000u; break;
	case REG_DFR: l->dfr = v | 0x0fffffffu; break;
	case REG_SVR:
		l->svr = v & 0x3ff;
		if (!(v & SVR_ENABLE))
			for (int i = 0; i < NLVT; i++)
				l->lvt[i] |= LVT_MASKED;
		break;
	case REG_ESR: l->esr = 0; break;
	case REG_ICR_HI: l->icr_hi = v & 0xff000000u; break;
	case REG_ICR_LO: icr_write(l, v); break;
	case REG_TMICT:
		l->tmict = v;
		l->timer_start = vm__now_ns();
		timer_arm(l);
		break;
	case REG_TDCR: l->tdcr = v & 0xb; break;
	default:
		if (r >= REG_LVT0 && r < REG_LVT0 + NLVT) {
			if (!(l->svr & SVR_ENABLE))
				v |= LVT_MASKED;
			l->lvt[r - REG_LVT0] = v & (r == REG_LVT0 ? 0x300ff : 0x1f7ff);
		}
		break;
	}
}

/* Registers are 32 bits at 16-byte strides; other sizes read as zero. */
void lapic__mmio(struct vm *vm, void *dev, uint64_t gpa, uint8_t size, bool write, uint64_t *data)
{
	struct lapic *l = dev;
	unsigned off = (unsigned)(gpa & 0xfff);
	(void)vm;
	if (size != 4 || (off & 0xf)) {
		if (!write)
			*data = 0;
		return;
	}
	if (write)
		reg_write(l, off >> 4, (uint32_t)*data);
	else
		*data = reg_read(l, off >> 4);
}

struct lapic *lapic__new(struct vm *vm)
{
	struct lapic *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->vm = vm;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	for (int i = 0; i < NLVT; i++)
		l->lvt[i] = LVT_MASKED;
	l->timer.fire = lapic__timer_fire;
	l->timer.opaque = l;
	return l;
}

void lapic__free(struct lapic *l)
{
	free(l);
}

static int lapic_init(struct vm *vm)
{
	vm->lapic = lapic__new(vm);
	if (!vm->lapic || vm__timer_register(vm, &vm->lapic->timer) < 0 ||
	    vm__claim_mmio(vm, LAPIC_BASE, 0x1000, lapic__mmio, vm->lapic) < 0)
		return -1;
	return 0;
}

static void lapic_exit(struct vm *vm)
{
	lapic__free(vm->lapic);
	vm->lapic = NULL;
}

static struct vm_device lapic_device = {
	.name = "lapic", .when = DEV_USER_IRQCHIP, .init = lapic_init, .exit = lapic_exit,
};
vm_device_register(lapic_device)
