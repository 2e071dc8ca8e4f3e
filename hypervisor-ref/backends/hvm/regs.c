/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Register state: backend.h's structs to and from KVM's, field by field. */
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvm.h"

#define FD(b) (((struct hvm *)(b))->vcpu_fd)

int hvm_regs__get(struct backend *b, struct vcpu_regs *r)
{
	struct kvm_regs k;

	if (ioctl(FD(b), KVM_GET_REGS, &k) < 0)
		return -1;
	*r = (struct vcpu_regs){
		k.rax, k.rbx, k.rcx, k.rdx, k.rsi, k.rdi, k.rsp, k.rbp,
		k.r8, k.r9, k.r10, k.r11, k.r12, k.r13, k.r14, k.r15, k.rip, k.rflags,
	};
	return 0;
}

int hvm_regs__set(struct backend *b, const struct vcpu_regs *r)
{
	struct kvm_regs k = {
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rsp, r->rbp,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rip, r->rflags,
	};

	return ioctl(FD(b), KVM_SET_REGS, &k) < 0 ? -1 : 0;
}

static void seg_in(struct vcpu_seg *d, const struct kvm_segment *s)
{
	*d = (struct vcpu_seg){
		.base = s->base, .limit = s->limit, .selector = s->selector, .type = s->type,
		.present = s->present, .dpl = s->dpl, .db = s->db, .s = s->s, .l = s->l,
		.g = s->g, .avl = s->avl, .unusable = s->unusable,
	};
}

static void seg_out(struct kvm_segment *d, const struct vcpu_seg *s)
{
	*d = (struct kvm_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector, .type = s->type,
		.present = s->present, .dpl = s->dpl, .db = s->db, .s = s->s, .l = s->l,
		.g = s->g, .avl = s->avl, .unusable = s->unusable,
	};
}

int hvm_regs__get_s(struct backend *b, struct vcpu_sregs *s)
{
	struct kvm_sregs k;

	if (ioctl(FD(b), KVM_GET_SREGS, &k) < 0)
		return -1;
	seg_in(&s->cs, &k.cs); seg_in(&s->ds, &k.ds); seg_in(&s->es, &k.es);
	seg_in(&s->fs, &k.fs); seg_in(&s->gs, &k.gs); seg_in(&s->ss, &k.ss);
	seg_in(&s->tr, &k.tr); seg_in(&s->ldt, &k.ldt);
	s->gdt = (struct vcpu_dtable){ k.gdt.base, k.gdt.limit };
	s->idt = (struct vcpu_dtable){ k.idt.base, k.idt.limit };
	s->cr0 = k.cr0; s->cr2 = k.cr2; s->cr3 = k.cr3; s->cr4 = k.cr4; s->cr8 = k.cr8;
	s->efer = k.efer;
	s->apic_base = k.apic_base;
	return 0;
}

/* Read-modify-write, so KVM's interrupt bitmap (pending external
 * interrupts, which vcpu_sregs does not carry) survives. */
int hvm_regs__set_s(struct backend *b, const struct vcpu_sregs *s)
{
	struct kvm_sregs k;

	if (ioctl(FD(b), KVM_GET_SREGS, &k) < 0)
		return -1;
	seg_out(&k.cs, &s->cs); seg_out(&k.ds, &s->ds); seg_out(&k.es, &s->es);
	seg_out(&k.fs, &s->fs); seg_out(&k.gs, &s->gs); seg_out(&k.ss, &s->ss);
	seg_out(&k.tr, &s->tr); seg_out(&k.ldt, &s->ldt);
	k.gdt.base = s->gdt.base; k.gdt.limit = s->gdt.limit;
	k.idt.base = s->idt.base; k.idt.limit = s->idt.limit;
	k.cr0 = s->cr0; k.cr2 = s->cr2; k.cr3 = s->cr3; k.cr4 = s->cr4; k.cr8 = s->cr8;
	k.efer = s->efer;
	if (s->apic_base)
		k.apic_base = s->apic_base;
	return ioctl(FD(b), KVM_SET_SREGS, &k) < 0 ? -1 : 0;
}
