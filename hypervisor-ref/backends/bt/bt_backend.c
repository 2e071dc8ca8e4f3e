// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bt behind backend.h: the core (bt.h) wired to vm.h. Port I/O goes to the
 * devices synchronously, the VMI hypercall port straight to the dispatcher
 * (no exit), interrupts come from the local APIC model and then the PIC.
 * run() returns after a slice of blocks so that vm.c can fire its timers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm.h"
#include "devices/devices.h"
#include "devices/lapic.h"
#include "bt.h"

#define SLICE 20000	/* blocks per run(): ~1 ms of guest time */

struct backend {
	struct vm *vm;
	struct bt_cpu *c;
	struct bt_machine m;
};

static int pio(void *o, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	struct backend *b = o;
	vm__io(b->vm, port, (uint8_t)size, write, val);
	return b->vm->stop != VM_RUNNING;	/* debug exit, reset: leave now */
}

static bool mmio(void *o, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	struct backend *b = o;
	vm__mmio(b->vm, gpa, (uint8_t)size, write, val);
	return true;
}

static void regs_out(const struct bt_cpu *c, struct vcpu_regs *r)
{
	*r = (struct vcpu_regs){
		c->gpr[R_AX], c->gpr[R_BX], c->gpr[R_CX], c->gpr[R_DX], c->gpr[R_SI],
		c->gpr[R_DI], c->gpr[R_SP], c->gpr[R_BP], c->gpr[R_8], c->gpr[R_9],
		c->gpr[R_10], c->gpr[R_11], c->gpr[R_12], c->gpr[R_13], c->gpr[R_14],
		c->gpr[R_15], c->rip, c->rflags,
	};
}

static void regs_in(struct bt_cpu *c, const struct vcpu_regs *r)
{
	const uint64_t v[16] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp, r->rsi,
				 r->rdi, r->r8, r->r9, r->r10, r->r11, r->r12, r->r13,
				 r->r14, r->r15 };
	memcpy(c->gpr, v, sizeof(v));
	c->rip = r->rip;
	c->rflags = r->rflags | 2;
}

/* spec.md 5: dispatched in-process from the translator's OUT helper. */
static void hypercall(void *o, struct bt_cpu *c)
{
	struct backend *b = o;
	struct vcpu_regs r;
	regs_out(c, &r);
	dispatch__hypercall(b->vm, &r, (unsigned)c->cpl);
	c->gpr[R_AX] = r.rax;
	c->gpr[R_DX] = r.rdx;
	/* irq_disable, irq_enable and safe_halt change IF through a ROM that
	 * traps them (not the reference one, which runs CLI/STI itself). */
	c->rflags = (c->rflags & ~0x200ull) | (r.rflags & 0x200ull);
}

static int irq_pending(void *o)
{
	struct backend *b = o;
	int v = b->vm->lapic ? lapic__pending(b->vm->lapic) : -1;
	if (v >= 0)
		return v;
	return b->vm->pic && pic__pending(b->vm->pic) ? 0 : -1;
}

static int irq_ack(void *o)
{
	struct backend *b = o;
	int v = b->vm->lapic ? lapic__ack(b->vm->lapic) : -1;
	if (v >= 0)
		return v;
	if (b->vm->pic && pic__pending(b->vm->pic))
		return pic__ack(b->vm->pic);
	return -1;
}

static void set_cr8(void *o, uint64_t v)
{
	struct backend *b = o;
	if (b->vm->lapic)
		lapic__set_cr8(b->vm->lapic, v);
}

static uint64_t get_cr8(void *o)
{
	struct backend *b = o;
	return b->vm->lapic ? lapic__cr8(b->vm->lapic) : b->c->cr8;
}

static struct backend *bt_create(struct vm *vm, char *err, size_t errlen)
{
	struct backend *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->vm = vm;
	b->m = (struct bt_machine){
		.ram = vm->ram, .ram_size = vm->ram_size, .opaque = b, .pio = pio,
		.mmio = mmio, .hypercall = hypercall, .irq_pending = irq_pending,
		.irq_ack = irq_ack, .set_cr8 = set_cr8, .get_cr8 = get_cr8,
	};
	struct bt_opts o = { .single_step = getenv("VMI_BT_SINGLE_STEP") != NULL,
			     .no_chain = getenv("VMI_BT_NO_CHAIN") != NULL,
			     .cache_size = (size_t)vm->bt_cache };
	b->c = bt__create(&b->m, &o, err, errlen);
	if (!b->c) {
		free(b);
		return NULL;
	}
	return b;
}

static void bt_destroy(struct backend *b)
{
	if (!b)
		return;
	if (getenv("VMI_BT_STATS"))
		bt__print_stats(b->c);
	bt__destroy(b->c);
	free(b);
}

static int bt_run(struct backend *b, struct exit_record *e)
{
	switch (bt__run(b->c, SLICE)) {
	case BT_EXIT_HLT:
		e->reason = EXIT_HLT;
		return 0;
	case BT_EXIT_SHUTDOWN:
		e->reason = EXIT_SHUTDOWN;
		return 0;
	case BT_EXIT_FAULT:
		e->reason = EXIT_FAULT;
		snprintf(e->fault.msg, sizeof(e->fault.msg), "bt: %s", bt__fault_msg(b->c));
		return -1;
	default:
		e->reason = EXIT_INTR;	/* I/O already done, or the slice ran out */
		return 0;
	}
}

static int get_regs(struct backend *b, struct vcpu_regs *r)
{
	regs_out(b->c, r);
	return 0;
}

static int set_regs(struct backend *b, const struct vcpu_regs *r)
{
	regs_in(b->c, r);
	return 0;
}


static void seg_out(struct vcpu_seg *d, const struct bt_seg *s)
{
	*d = (struct vcpu_seg){
		.base = s->base, .limit = s->limit, .selector = s->sel, .type = s->type,
		.present = s->p, .dpl = s->dpl, .db = s->db, .s = s->s, .l = s->l, .g = s->g,
		.unusable = !s->p,
	};
}

static void seg_in(struct bt_seg *d, const struct vcpu_seg *s)
{
	*d = (struct bt_seg){
		.base = s->base, .limit = s->limit, .sel = s->selector, .type = s->type,
		.p = s->present && !s->unusable, .dpl = s->dpl, .db = s->db, .s = s->s,
		.l = s->l, .g = s->g,
	};
}

static int get_sregs(struct backend *b, struct vcpu_sregs *s)
{
	struct bt_cpu *c = b->c;
	struct vcpu_seg *out[6] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
	for (int i = 0; i < 6; i++)
		seg_out(out[i], &c->seg[i]);
	seg_out(&s->tr, &c->tr);
	seg_out(&s->ldt, &c->ldt);
	s->ss.dpl = (uint8_t)c->cpl;	/* vm.c reads the CPL there */
	s->gdt = (struct vcpu_dtable){ c->gdt_base, c->gdt_limit };
	s->idt = (struct vcpu_dtable){ c->idt_base, c->idt_limit };
	s->cr0 = c->cr0;
	s->cr2 = c->cr2;
	s->cr3 = c->cr3;
	s->cr4 = c->cr4;
	s->cr8 = get_cr8(b);
	s->efer = c->efer;
	s->apic_base = c->apic_base;
	return 0;
}

static bool seg_eq(const struct bt_seg *a, const struct bt_seg *b)
{
	return a->base == b->base && a->limit == b->limit && a->sel == b->sel &&
	       a->type == b->type && a->p == b->p && a->dpl == b->dpl && a->db == b->db &&
	       a->s == b->s && a->l == b->l && a->g == b->g;
}

static int set_sregs(struct backend *b, const struct vcpu_sregs *s)
{
	struct bt_cpu *c = b->c;
	const struct vcpu_seg *in[6] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
	bool cr3_only = c->cr0 == s->cr0 && c->cr4 == s->cr4 && c->efer == s->efer;
	/* Nothing translation or paging depends on changes (a CR8 or CR2
	 * write through the ROM): keep the TLB and the jump cache. */
	bool unchanged = cr3_only && c->cr3 == s->cr3 &&
			 c->gdt_base == s->gdt.base && c->gdt_limit == s->gdt.limit &&
			 c->idt_base == s->idt.base && c->idt_limit == s->idt.limit &&
			 c->cpl == ((s->cr0 & CR0_PE) ? s->ss.dpl : 0);
	/* Only ES, DS, FS or GS changes (load_gs_index on a context switch):
	 * translated code reads their bases at run time, so only those move. */
	bool data_only = unchanged;
	struct bt_seg seg;
	for (int i = 0; i < 6; i++) {
		seg_in(&seg, in[i]);
		bool same = seg_eq(&seg, &c->seg[i]);
		unchanged = unchanged && same;
		if (i == S_CS || i == S_SS)
			data_only = data_only && same;
		c->seg[i] = seg;
	}
	seg_in(&seg, &s->tr);
	unchanged = unchanged && seg_eq(&seg, &c->tr);
	data_only = data_only && seg_eq(&seg, &c->tr);
	c->tr = seg;
	seg_in(&seg, &s->ldt);
	unchanged = unchanged && seg_eq(&seg, &c->ldt);
	data_only = data_only && seg_eq(&seg, &c->ldt);
	c->ldt = seg;
	c->gdt_base = s->gdt.base;
	c->gdt_limit = s->gdt.limit;
	c->idt_base = s->idt.base;
	c->idt_limit = s->idt.limit;
	c->cr0 = s->cr0;
	c->cr2 = s->cr2;
	c->cr3 = s->cr3;
	c->cr4 = s->cr4;
	if (s->cr8 < get_cr8(b)) {
		/* a lower TPR may unmask an interrupt: the block leaves after
		 * the hypercall, as after a MOV CR8 (sys.c) */
		c->irq_maybe = 1;
		c->tpr_lowered++;
	}
	c->cr8 = s->cr8;
	set_cr8(b, s->cr8);
	c->efer = s->efer;
	c->apic_base = s->apic_base;
	c->cpl = (s->cr0 & CR0_PE) ? s->ss.dpl : 0;
	if (unchanged)
		return 0;
	if (data_only) {
		cpu__sync_segbase(c);
		return 0;
	}
	if (cr3_only)
		bt__state_changed_cr3(c);
	else
		bt__state_changed(c);
	return 0;
}

static void set_irq_line(struct backend *b, unsigned int irq, int level)
{
	if (b->vm->pic)
		pic__set_irq(b->vm->pic, irq, level);
	bt__kick(b->c);
}

static void raise_vector(struct backend *b, uint8_t vector)
{
	if (b->vm->lapic)
		lapic__raise(b->vm->lapic, vector);
	bt__kick(b->c);
}

static int translate(struct backend *b, uint64_t gva, bool write, uint64_t *gpa)
{
	return bt__translate(b->c, gva, write, gpa);
}

static void kick(struct backend *b)
{
	bt__kick(b->c);
}

static int get_msr(struct backend *b, uint32_t msr, uint64_t *v)
{
	return bt__get_msr(b->c, msr, v);
}

static int set_msr(struct backend *b, uint32_t msr, uint64_t v)
{
	return bt__set_msr(b->c, msr, v);
}

static void cpuid(struct backend *b, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	bt__cpuid(b->c, leaf, sub, out);
}

static void flush_tlb(struct backend *b, bool all, uint64_t gva)
{
	bt__flush_tlb(b->c, all, gva);
}

void bt_probe__run(struct backend_probe *out);

const struct backend_ops bt_backend_ops = {
	.name = "bt",
	.user_irqchip = true,
	.probe = bt_probe__run,
	.create = bt_create,
	.destroy = bt_destroy,
	.get_regs = get_regs,
	.set_regs = set_regs,
	.get_sregs = get_sregs,
	.set_sregs = set_sregs,
	.run = bt_run,
	.set_irq_line = set_irq_line,
	.raise_vector = raise_vector,
	.translate = translate,
	.kick = kick,
	.get_msr = get_msr,
	.set_msr = set_msr,
	.cpuid = cpuid,
	.flush_tlb = flush_tlb,
};
