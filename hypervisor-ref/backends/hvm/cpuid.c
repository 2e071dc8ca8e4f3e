/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The guest's CPUID: what KVM supports, less what vmi-run does not give a
 * guest (nested virtualization, a PMU, KVM's own paravirt leaves), plus the
 * hypervisor bit and the VMI-x64 signature at 0x40000000 (calls.toml: cpuid).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvm.h"

#define MAX_ENT		512
#define HV_BASE		0x40000000u
#define HV_SIGNATURE	"VMI-X64\0\0\0\0\0"	/* ebx, ecx, edx */

static void filter(struct kvm_cpuid_entry2 *e)
{
	switch (e->function) {
	case 1:
		e->ecx |= 1u << 31;		/* running under a hypervisor */
		e->ecx &= ~(1u << 5);		/* no VMX */
		break;
	case 0xa:				/* no architectural PMU: read_pmc is EIO */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case 0x80000001:
		e->ecx &= ~(1u << 2);		/* no SVM */
		break;
	case HV_BASE:
		e->eax = HV_BASE;		/* the highest hypervisor leaf */
		memcpy(&e->ebx, HV_SIGNATURE, 4);
		memcpy(&e->ecx, HV_SIGNATURE + 4, 4);
		memcpy(&e->edx, HV_SIGNATURE + 8, 4);
		break;
	default:
		break;
	}
}

static struct kvm_cpuid2 *supported(int kvm_fd)
{
	struct kvm_cpuid2 *c;

	for (unsigned n = 64; n <= MAX_ENT; n *= 2) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

int hvm_cpuid__setup(struct hvm *h, char *err, size_t errlen)
{
	struct kvm_cpuid2 *c = supported(h->kvm_fd);
	unsigned out = 0, cap;
	bool have_hv = false;

	if (!c) {
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		return -1;
	}
	cap = c->nent;
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 e = c->entries[i];
		/* KVM's own leaves (kvm-clock, PV EOI...) would bypass VMI. */
		if (e.function > HV_BASE && e.function < HV_BASE + 0x100)
			continue;
		have_hv |= e.function == HV_BASE;
		filter(&e);
		c->entries[out++] = e;
	}
	if (!have_hv && out < c->nent) {
		c->entries[out] = (struct kvm_cpuid_entry2){ .function = HV_BASE };
		filter(&c->entries[out++]);
	}
	c->nent = out;
	h->cpuid = c;
	if (ioctl(h->vcpu_fd, KVM_SET_CPUID2, c) < 0) {
		snprintf(err, errlen, "KVM_SET_CPUID2: %s", strerror(errno));
		return -1;
	}
	/* The cpuid hypercall answers what the vCPU holds after KVM's own
	 * adjustments, so that it agrees with the CPUID instruction. */
	c->nent = cap;
	if (ioctl(h->vcpu_fd, KVM_GET_CPUID2, c) < 0)
		c->nent = out;	/* older KVM: keep what was set */
	return 0;
}

void hvm_cpuid__get(struct backend *b, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	const struct kvm_cpuid2 *c = ((struct hvm *)b)->cpuid;

	out[0] = out[1] = out[2] = out[3] = 0;
	for (unsigned i = 0; c && i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function != leaf)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != subleaf)
			continue;
		out[0] = e->eax;
		out[1] = e->ebx;
		out[2] = e->ecx;
		out[3] = e->edx;
		return;
	}
}
