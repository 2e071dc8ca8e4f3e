/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Register state: backend.h's structs to and from KVM's, field by field. */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvm.h"

#define FD(b) (((struct hvm *)(b))->vcpu_fd)
#define SYNCED(b) (((struct hvm *)(b))->synced)
#define RUN(b) (((struct hvm *)(b))->run)

struct kvm_run_snapshot {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
};

void hvm_regs__sync_init(struct hvm *h)
{
	int caps = ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	unsigned want = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;

	h->last = calloc(1, sizeof(*h->last));
	h->sync = h->last && caps > 0 && ((unsigned)caps & want) == want;
	if (h->sync)
		h->run->kvm_valid_regs = want;
}

/* What an INIT leaves: CS f000:fff0 with base ffff0000. */
static bool looks_reset(const struct kvm_run *run)
{
	return run->s.regs.regs.rip == 0xfff0 && run->s.regs.sregs.cs.selector == 0xf000;
}

bool hvm_regs__after_run(struct hvm *h, bool shutdown)
{
	struct kvm_run *run = h->run;

	if (!h->sync)
		return false;
	if (shutdown && h->synced && looks_reset(run)) {
		run->s.regs.regs = h->last->regs;
		run->s.regs.sregs = h->last->sregs;
		ioctl(h->vcpu_fd, KVM_SET_SREGS, &h->last->sregs);
		ioctl(h->vcpu_fd, KVM_SET_REGS, &h->last->regs);
		return true;
	}
	h->synced = true;
	h->last->regs = run->s.regs.regs;
	h->last->sregs = run->s.regs.sregs;
	return false;
}

int hvm_regs__get(struct backend *b, struct vcpu_regs *r)
{
	struct kvm_regs k;

	if (SYNCED(b))
		k = RUN(b)->s.regs.regs;
	else if (ioctl(FD(b), KVM_GET_REGS, &k) < 0)
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

	if (SYNCED(b)) {
		/* KVM loads it on the next KVM_RUN, before completing the exit. */
		RUN(b)->s.regs.regs = k;
		RUN(b)->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
		return 0;
	}
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

	if (SYNCED(b))
		k = RUN(b)->s.regs.sregs;
	else if (ioctl(FD(b), KVM_GET_SREGS, &k) < 0)
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

	if (SYNCED(b))
		k = RUN(b)->s.regs.sregs;
	else if (ioctl(FD(b), KVM_GET_SREGS, &k) < 0)
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
	if (ioctl(FD(b), KVM_SET_SREGS, &k) < 0)
		return -1;
	if (SYNCED(b))
		RUN(b)->s.regs.sregs = k;	/* keep the exit's copy current */
	return 0;
}
