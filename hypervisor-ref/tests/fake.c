/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#include <stdlib.h>
#include <string.h>

#include "fake.h"

struct fake fake;

static int get_regs(struct backend *b, struct vcpu_regs *r) { (void)b; *r = fake.regs; return 0; }
static int set_regs(struct backend *b, const struct vcpu_regs *r) { (void)b; fake.regs = *r; return 0; }
static int get_sregs(struct backend *b, struct vcpu_sregs *s) { (void)b; *s = fake.sregs; return 0; }
static int set_sregs(struct backend *b, const struct vcpu_sregs *s) { (void)b; fake.sregs = *s; return 0; }

static void set_irq_line(struct backend *b, unsigned irq, int level)
{
	(void)b;
	if (level && !fake.irq[irq])
		fake.irq_edges[irq]++;
	fake.irq[irq] = level;
}

static void raise_vector(struct backend *b, uint8_t v)
{
	(void)b;
	fake.vectors++;
	fake.last_vector = v;
}

static int translate(struct backend *b, uint64_t gva, bool write, uint64_t *gpa)
{
	(void)b;
	if (gva >= fake.nomap_lo && gva < fake.nomap_hi)
		return -1;
	if (write && gva >= fake.ro_lo && gva < fake.ro_hi)
		return -1;
	*gpa = gva;
	return 0;
}

static void kick(struct backend *b) { (void)b; fake.kicks++; }

static int get_msr(struct backend *b, uint32_t msr, uint64_t *v)
{
	(void)b;
	if (msr == 0xc0000080) { *v = fake.efer_msr; return 0; }
	if (msr == 0xc0000102) { *v = fake.kgs_base; return 0; }
	return -1;
}

static int set_msr(struct backend *b, uint32_t msr, uint64_t v)
{
	(void)b;
	if (msr == 0xc0000102) { fake.kgs_base = v; return 0; }
	return -1;
}

/* Leaf n answers n, n+1, n+2, n+3, except the ones the handlers consult. */
static void cpuid(struct backend *b, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	(void)b;
	switch (leaf) {
	case 0: out[0] = 7; out[1] = out[2] = out[3] = 0; return;
	case 1: out[0] = out[1] = out[3] = 0; out[2] = 1u << 17; return;	/* PCID */
	case 7: out[0] = out[2] = out[3] = 0; out[1] = 1u << 7; return;		/* SMEP */
	case 0x80000000: out[0] = 0x80000008; out[1] = out[2] = out[3] = 0; return;
	case 0x80000008: out[0] = 40; out[1] = out[2] = out[3] = 0; return;
	default:
		for (int i = 0; i < 4; i++)
			out[i] = leaf + sub + (uint32_t)i;
	}
}

static void flush_tlb(struct backend *b, bool all, uint64_t gva)
{
	(void)b;
	fake.flushes++;
	fake.flush_all = all;
	fake.flush_gva = gva;
}

const struct backend_ops fake_ops = {
	.name = "fake", .user_irqchip = true,
	.get_regs = get_regs, .set_regs = set_regs, .get_sregs = get_sregs, .set_sregs = set_sregs,
	.set_irq_line = set_irq_line, .raise_vector = raise_vector, .translate = translate,
	.kick = kick, .get_msr = get_msr, .set_msr = set_msr, .cpuid = cpuid, .flush_tlb = flush_tlb,
};

void fake__vm(struct vm *vm, uint64_t size)
{
	memset(vm, 0, sizeof(*vm));
	memset(&fake, 0, sizeof(fake));
	vm->ram = calloc(1, size);
	vm->ram_size = size;
	vm->ops = &fake_ops;
	vm->be = (struct backend *)&fake;
	vm->start_ns = vm__now_ns();
}

void fake__vm_free(struct vm *vm)
{
	free(vm->ram);
	vm->ram = NULL;
}
