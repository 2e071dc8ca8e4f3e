// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What the conformance tests share: the state every test starts from, a
 * scratch page-table window, and an interrupt source. The reset path uses
 * bare instructions, not the ROM, so that one broken call cannot spoil the
 * tests after its own.
 */
#include "test.h"
#include "tss.h"

volatile unsigned env__irqs;
static u64 boot_cr0, boot_cr4;
static u64 boot_gdt[32];
static int tcg;

int env__has(unsigned call)
{
	return rom__slot(call) != NULL;
}

const char *env__why_missing(unsigned call)
{
	return call >= vmi.num_calls ? "beyond num_calls" : "reloc none";
}

int env__native(void)
{
	return (vmi.features & VMI_FEAT_NATIVE) != 0;
}

int env__native_tcg(void)
{
	return env__native() && tcg;
}

static void count_irq(struct trap_frame *f)
{
	(void)f;
	env__irqs++;
	apic__eoi();
}

void env__init(void)
{
	u32 r[4];

	cpuid(0x40000000, 0, r);
	tcg = r[1] == 0x54474354 && r[2] == 0x43544743 && r[3] == 0x47435447;	/* "TCGTCGTCGTCG" */
	boot_cr0 = READ_CR(0);
	boot_cr4 = READ_CR(4);
	memcpy(boot_gdt, gdt, sizeof(boot_gdt));
	apic__init();
	trap__set_handler(TEST_VECTOR, count_irq);
}

void env__reset(void)
{
	struct desc_ptr d = gdt_desc;

	cli();
	env__disarm();
	WRITE_CR(8, 0);
	WRITE_CR(0, boot_cr0);
	WRITE_CR(4, boot_cr4);
	memset(&boot_pml4[1], 0, 511 * sizeof(u64));
	WRITE_CR(3, (u64)(uintptr_t)boot_pml4);
	memcpy(gdt, boot_gdt, sizeof(boot_gdt));
	__asm__ volatile("lgdt %0; lldt %w1" :: "m"(d), "r"(0) : "memory");
	wrmsr(0xc0000101, 0);	/* GS base */
	wrmsr(0xc0000102, 0);	/* kernel GS base */
	__asm__ volatile("mov %w0, %%gs; mov %w0, %%fs" :: "r"(0));
	trap__init();
	for (unsigned v = 32; v < 256; v++)
		trap__set_handler(v, NULL);
	trap__set_handler(TEST_VECTOR, count_irq);
	/* Let an interrupt the last test left pending in and out, uncounted. */
	sti();
	for (unsigned i = 0; i < 20000; i++)
		pause();
	cli();
	env__irqs = 0;
}

u64 env__pa(const volatile void *p)
{
	return (u64)(uintptr_t)p;
}

/* One table level through the ROM, announced first (alloc_pt is reloc nop
 * natively, a shadow-paging hypervisor's cue). */
static u64 *new_table(unsigned level)
{
	u64 *t = mem__page();

	if (env__has(VMI_CALL_ALLOC_PT))
		vmi_alloc_pt(env__pa(t) >> 12, level);
	return t;
}

u64 *env__scratch(void)
{
	u64 *pdpt = new_table(3), *pd = new_table(2), *pt = new_table(1);

	vmi_set_pmd(env__pa(&pd[0]), env__pa(pt) | PTE_P | PTE_W);
	vmi_set_pud(env__pa(&pdpt[0]), env__pa(pd) | PTE_P | PTE_W);
	vmi_set_pgd(env__pa(&boot_pml4[SCRATCH_VA >> 39 & 511]), env__pa(pdpt) | PTE_P | PTE_W);
	vmi_flush_tlb_user();
	return pt;
}

u64 *env__scratch_pte(u64 va)
{
	u64 pmd = boot_pml4[SCRATCH_VA >> 39 & 511];
	u64 *pdpt = (u64 *)(uintptr_t)(pmd & PTE_ADDR);
	u64 *pd = (u64 *)(uintptr_t)(pdpt[0] & PTE_ADDR);
	u64 *pt = (u64 *)(uintptr_t)(pd[0] & PTE_ADDR);

	return &pt[(va >> 12) & 511];
}

static u64 bare_read64(u64 va)
{
	return *(volatile u64 *)(uintptr_t)va;
}

static u64 bare_write64(u64 va, u64 val)
{
	*(volatile u64 *)(uintptr_t)va = val;
	return 0;
}

long env__read64(u64 va, u64 *val)
{
	return trap__catch_call(bare_read64, va, 0, 0, 0, val);
}

long env__write64(u64 va, u64 val)
{
	u64 ignored;

	return trap__catch_call(bare_write64, va, val, 0, 0, &ignored);
}

void env__arm_vector(unsigned vector)
{
	if ((vmi.features & VMI_FEAT_TIMER) && env__has(VMI_CALL_TIMER_SET_ALARM))
		vmi_timer_set_alarm((u64)vmi_timer_read(VMI_COUNTER_REAL), vector);
	else
		apic__timer_oneshot(vector, 1000);
}

void env__arm_soon(void)
{
	env__arm_vector(TEST_VECTOR);
}

void env__arm_periodic(void)
{
	apic__timer_periodic(TEST_VECTOR, 100000);
}

void env__disarm(void)
{
	apic__timer_stop();
	if ((vmi.features & VMI_FEAT_TIMER) && env__has(VMI_CALL_TIMER_CANCEL_ALARM))
		vmi_timer_cancel_alarm();
}

void env__wait_pending(void)
{
	for (unsigned long i = 0; i < 2000000 && !apic__irr(TEST_VECTOR); i++)
		pause();
	/* A hypervisor may raise it a little after IRR shows it; be generous. */
	for (unsigned i = 0; i < 10000; i++)
		pause();
}

int env__wait_irqs(unsigned n, unsigned long bound)
{
	for (unsigned long i = 0; i < bound; i++) {
		if (env__irqs > n)
			return 1;
		pause();
	}
	return env__irqs > n;
}

struct tss64 conf_tss __attribute__((aligned(16)));
