/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The HVM backend: one KVM VM with one memory slot over guest RAM, the
 * in-kernel PIC, IOAPIC, local APIC and PIT (KVM_CREATE_IRQCHIP,
 * KVM_CREATE_PIT2), filtered CPUID (cpuid.c), and KVM_RUN exits turned into
 * backend.h exit records. Everything else is vm.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvm.h"
#include "walk.h"

#define TSS_ADDR	0xfffbd000ull	/* 3 pages Intel's real-mode emulation needs */
#define MSI_ADDR	0xfee00000u	/* fixed delivery, physical, APIC ID 0 */

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

static int setup_vm(struct hvm *h, struct vm *vm, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	struct kvm_pit_config pit = { .flags = 0 };

	if (ioctl(h->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
		return fail(err, errlen, "KVM_SET_TSS_ADDR");
	if (ioctl(h->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION");
	if (ioctl(h->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail(err, errlen, "KVM_CREATE_IRQCHIP");
	if (ioctl(h->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return fail(err, errlen, "KVM_CREATE_PIT2");
	return 0;
}

static int setup_vcpu(struct hvm *h, char *err, size_t errlen)
{
	int sz = ioctl(h->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (sz < (int)sizeof(struct kvm_run))
		return fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
	h->vcpu_fd = ioctl(h->vm_fd, KVM_CREATE_VCPU, 0);
	if (h->vcpu_fd < 0)
		return fail(err, errlen, "KVM_CREATE_VCPU");
	h->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, h->vcpu_fd, 0);
	if (h->run == MAP_FAILED) {
		h->run = NULL;
		return fail(err, errlen, "mmap kvm_run");
	}
	h->run_size = (size_t)sz;
	hvm_regs__sync_init(h);
	return hvm_cpuid__setup(h, err, errlen);
}

int hvm__open(struct hvm *h, char *err, size_t errlen)
{
	int v;

	h->kvm_fd = h->vm_fd = h->vcpu_fd = -1;
	h->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (h->kvm_fd < 0)
		return fail(err, errlen, "/dev/kvm");
	v = ioctl(h->kvm_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm: API version %d, want %d", v, KVM_API_VERSION);
		return -1;
	}
	if (ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		snprintf(err, errlen, "/dev/kvm: no KVM_CAP_IMMEDIATE_EXIT (Linux 4.11+)");
		return -1;
	}
	h->vm_fd = ioctl(h->kvm_fd, KVM_CREATE_VM, 0);
	if (h->vm_fd < 0)
		return fail(err, errlen, "KVM_CREATE_VM");
	return 0;
}

void hvm__close(struct hvm *h)
{
	if (h->run)
		munmap(h->run, h->run_size);
	free(h->cpuid);
	free(h->last);
	if (h->vcpu_fd >= 0)
		close(h->vcpu_fd);
	if (h->vm_fd >= 0)
		close(h->vm_fd);
	if (h->kvm_fd >= 0)
		close(h->kvm_fd);
}

static struct backend *hvm_create(struct vm *vm, char *err, size_t errlen)
{
	struct hvm *h = calloc(1, sizeof(*h));

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->vm = vm;
	h->thread = pthread_self();
	if (hvm__open(h, err, errlen) < 0 || setup_vm(h, vm, err, errlen) < 0 ||
	    setup_vcpu(h, err, errlen) < 0) {
		hvm__close(h);
		free(h);
		return NULL;
	}
	return (struct backend *)h;
}

static void hvm_destroy(struct backend *b)
{
	hvm__close((struct hvm *)b);
	free(b);
}

static void exit_io(struct hvm *h, struct exit_record *e)
{
	struct kvm_run *r = h->run;

	e->reason = EXIT_IO;
	e->io.port = r->io.port;
	e->io.size = r->io.size;
	e->io.write = r->io.direction == KVM_EXIT_IO_OUT;
	e->io.count = r->io.count;
	/* data_offset comes from the kernel, but check it lies inside kvm_run. */
	if (r->io.data_offset + (uint64_t)r->io.size * r->io.count > h->run_size) {
		e->io.count = 0;
		return;
	}
	e->io.data = (uint8_t *)r + r->io.data_offset;
}

static int fault(struct exit_record *e, const char *fmt, unsigned long long v)
{
	e->reason = EXIT_FAULT;
	snprintf(e->fault.msg, sizeof(e->fault.msg), fmt, v);
	return -1;
}

static int hvm_run(struct backend *b, struct exit_record *e)
{
	struct hvm *h = (struct hvm *)b;
	struct kvm_run *r = h->run;

	/* The last exit was an MMIO read: its answer goes back before re-entry. */
	if (h->mmio_read) {
		memcpy(r->mmio.data, h->mmio_rec->mmio.data, 8);
		h->mmio_read = false;
	}
	int rc = ioctl(h->vcpu_fd, KVM_RUN, 0);
	r->immediate_exit = 0;
	if (hvm_regs__after_run(h, rc == 0 && r->exit_reason == KVM_EXIT_SHUTDOWN)) {
		e->reason = EXIT_SHUTDOWN;
		snprintf(e->fault.msg, sizeof(e->fault.msg), "triple fault (KVM reset the vCPU: "
			 "registers as of the exit before it)");
		return 0;
	}
	if (rc < 0) {
		if (errno == EINTR || errno == EAGAIN) {
			e->reason = EXIT_INTR;
			return 0;
		}
		return fault(e, "KVM_RUN: errno %llu", (unsigned long long)errno);
	}
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		exit_io(h, e);
		return 0;
	case KVM_EXIT_MMIO:
		e->reason = EXIT_MMIO;
		e->mmio.gpa = r->mmio.phys_addr;
		e->mmio.size = r->mmio.len > 8 ? 8 : (uint8_t)r->mmio.len;
		e->mmio.write = r->mmio.is_write;
		memcpy(e->mmio.data, r->mmio.data, 8);
		h->mmio_read = !r->mmio.is_write;
		h->mmio_rec = e;
		return 0;
	case KVM_EXIT_HLT:
		e->reason = EXIT_HLT;
		return 0;
	case KVM_EXIT_SHUTDOWN:
		e->reason = EXIT_SHUTDOWN;
		return 0;
	case KVM_EXIT_INTR:
		e->reason = EXIT_INTR;
		return 0;
	case KVM_EXIT_FAIL_ENTRY:
		return fault(e, "VM entry failed: hardware reason %#llx",
			     r->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		return fault(e, "KVM internal error %llu (emulation failed?)", r->internal.suberror);
	case KVM_EXIT_SYSTEM_EVENT:
		e->reason = EXIT_SHUTDOWN;
		return 0;
	default:
		return fault(e, "unexpected KVM exit %llu", r->exit_reason);
	}
}

static void hvm_kick(struct backend *b)
{
	struct hvm *h = (struct hvm *)b;

	/* immediate_exit covers a kick that lands just before KVM_RUN; the
	 * signal one that lands inside it. */
	h->run->immediate_exit = 1;
	pthread_kill(h->thread, SIGUSR1);
}

static void hvm_set_irq_line(struct backend *b, unsigned int irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	ioctl(((struct hvm *)b)->vm_fd, KVM_IRQ_LINE, &l);
}

static void hvm_raise_vector(struct backend *b, uint8_t vector)
{
	struct kvm_msi msi = { .address_lo = MSI_ADDR, .data = vector };

	ioctl(((struct hvm *)b)->vm_fd, KVM_SIGNAL_MSI, &msi);
}

/* The software walk: KVM_TRANSLATE reports every page writable, and the
 * walk needs no ioctl when the registers came with the exit. KVM_TRANSLATE
 * stays for paging modes other than long mode. */
static int hvm_translate(struct backend *b, uint64_t gva, bool write, uint64_t *gpa)
{
	struct hvm *h = (struct hvm *)b;
	struct kvm_translation t = { .linear_address = gva };
	struct vcpu_sregs s;
	int rc;

	if (hvm_regs__get_s(b, &s) < 0)
		return -1;
	rc = walk__translate(h->vm, &s, gva, write, gpa);
	if (rc != WALK_MODE)
		return rc == WALK_OK ? 0 : -1;
	if (ioctl(h->vcpu_fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
		return -1;
	*gpa = t.physical_address;
	return 0;
}

static int hvm_get_msr(struct backend *b, uint32_t idx, uint64_t *value)
{
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = idx,
	};

	if (ioctl(((struct hvm *)b)->vcpu_fd, KVM_GET_MSRS, &m) != 1)
		return -1;
	*value = m.e.data;
	return 0;
}

static int hvm_set_msr(struct backend *b, uint32_t idx, uint64_t value)
{
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = idx, .e.data = value,
	};

	return ioctl(((struct hvm *)b)->vcpu_fd, KVM_SET_MSRS, &m) == 1 ? 0 : -1;
}

/* KVM flushes the guest's TLB when it reloads its MMU, which a change of
 * CR4.PGE through KVM_SET_SREGS forces: toggling it twice flushes
 * everything, global entries included (SDM 4.10.4.1, as the native ROM). */
static void hvm_flush_tlb(struct backend *b, bool all, uint64_t gva)
{
	struct kvm_sregs s;
	int fd = ((struct hvm *)b)->vcpu_fd;

	(void)all;
	(void)gva;
	if (ioctl(fd, KVM_GET_SREGS, &s) < 0)
		return;
	s.cr4 ^= 1ull << 7;
	ioctl(fd, KVM_SET_SREGS, &s);
	s.cr4 ^= 1ull << 7;
	ioctl(fd, KVM_SET_SREGS, &s);
	if (((struct hvm *)b)->synced)
		((struct hvm *)b)->run->s.regs.sregs = s;
}

static bool hvm_halted_for_good(struct backend *b)
{
	struct hvm *h = (struct hvm *)b;
	struct kvm_mp_state mp;
	struct vcpu_regs r;

	if (ioctl(h->vcpu_fd, KVM_GET_MP_STATE, &mp) < 0 || mp.mp_state != KVM_MP_STATE_HALTED)
		return false;
	return hvm_regs__get(b, &r) == 0 && !(r.rflags & (1u << 9));
}

const struct backend_ops hvm_backend_ops = {
	.name = "hvm",
	.user_irqchip = false,
	.probe = hvm_probe__run,
	.create = hvm_create,
	.destroy = hvm_destroy,
	.get_regs = hvm_regs__get,
	.set_regs = hvm_regs__set,
	.get_sregs = hvm_regs__get_s,
	.set_sregs = hvm_regs__set_s,
	.run = hvm_run,
	.set_irq_line = hvm_set_irq_line,
	.raise_vector = hvm_raise_vector,
	.translate = hvm_translate,
	.kick = hvm_kick,
	.get_msr = hvm_get_msr,
	.set_msr = hvm_set_msr,
	.cpuid = hvm_cpuid__get,
	.flush_tlb = hvm_flush_tlb,
	.halted_for_good = hvm_halted_for_good,
};
