// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The local APIC timer in xAPIC mode. Natively it is the only interrupt
 * source the tests need (the legacy PIC is masked); a hypervisor's VMI alarm
 * is delivered as a LAPIC interrupt too (spec: timer_set_alarm), so the
 * same EOI applies.
 */
#include "guest.h"

#define APIC_BASE	0xfee00000ull
#define APIC_EOI	0x0b0
#define APIC_SVR	0x0f0
#define APIC_IRR	0x200
#define APIC_LVT_TIMER	0x320
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define MSR_APIC_BASE	0x1b

static volatile u32 *reg(u32 off)
{
	return mmio32(APIC_BASE + off);
}

void apic__init(void)
{
	/* Mask both 8259s: SeaBIOS left them on vectors 8-15, our exceptions. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	wrmsr(MSR_APIC_BASE, APIC_BASE | (1 << 11) | (rdmsr(MSR_APIC_BASE) & (1 << 8)));
	*reg(APIC_SVR) = 0x100 | 0xff;	/* enabled, spurious vector 0xff */
	*reg(APIC_TDCR) = 0xb;		/* divide by 1 */
	*reg(APIC_LVT_TIMER) = LVT_MASKED;
}

void apic__eoi(void)
{
	*reg(APIC_EOI) = 0;
}

void apic__timer_oneshot(u32 vector, u32 count)
{
	*reg(APIC_LVT_TIMER) = vector;
	*reg(APIC_TMICT) = count;
}

void apic__timer_periodic(u32 vector, u32 count)
{
	*reg(APIC_LVT_TIMER) = vector | LVT_PERIODIC;
	*reg(APIC_TMICT) = count;
}

void apic__timer_stop(void)
{
	*reg(APIC_TMICT) = 0;
	*reg(APIC_LVT_TIMER) = LVT_MASKED;
}

u32 apic__timer_current(void)
{
	return *reg(APIC_TMCCT);
}

int apic__irr(unsigned vector)
{
	return (*reg(APIC_IRR + 0x10 * (vector / 32)) >> (vector % 32)) & 1;
}
