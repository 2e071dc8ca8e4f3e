/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The HVM backend's private state, shared by its files. */
#ifndef VMI_HVM_H
#define VMI_HVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "vm.h"

struct kvm_run;
struct kvm_cpuid2;

struct hvm {
	struct vm *vm;
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;		/* the vCPU thread, for kicks */
	struct kvm_cpuid2 *cpuid;	/* what the guest sees (cpuid.c) */
	bool mmio_read;			/* the last exit was an MMIO read */
	struct exit_record *mmio_rec;
	/* KVM_CAP_SYNC_REGS: registers travel in kvm_run with each exit, so a
	 * hypercall costs no register ioctls; valid once KVM_RUN has returned. */
	bool sync, synced;
	struct kvm_run_snapshot *last;	/* state at the previous exit (regs.c) */
};

/* hvm.c */
int hvm__open(struct hvm *h, char *err, size_t errlen);	/* /dev/kvm and a VM */
void hvm__close(struct hvm *h);

/* cpuid.c: KVM's supported CPUID, filtered, with the VMI-x64 leaf. */
int hvm_cpuid__setup(struct hvm *h, char *err, size_t errlen);
void hvm_cpuid__get(struct backend *b, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* regs.c: backend.h's register structs to and from KVM's. */
int hvm_regs__get(struct backend *b, struct vcpu_regs *r);
int hvm_regs__set(struct backend *b, const struct vcpu_regs *r);
int hvm_regs__get_s(struct backend *b, struct vcpu_sregs *s);
int hvm_regs__set_s(struct backend *b, const struct vcpu_sregs *s);

/* Sync-regs bookkeeping (regs.c): enable at create, note each exit. */
void hvm_regs__sync_init(struct hvm *h);
/* Called after every KVM_RUN; returns true when a shutdown wiped the vCPU
 * (AMD: KVM INITs it) and the previous exit's state was put back. */
bool hvm_regs__after_run(struct hvm *h, bool shutdown);

/* probe.c */
void hvm_probe__run(struct backend_probe *out);

#endif
