/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * --probe for hvm: is /dev/kvm usable, and how fast is it here. Calibration
 * runs two real-mode loops in a throwaway VM: 100 k instructions of DEC/JNZ
 * (MIPS), then OUTs that each exit to user space (the cost of one exit).
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvm.h"

/* Short enough for --backend auto to afford on every start: 0.1 ms on
 * hardware KVM, 0.1 s on a software one at 1 MIPS. */
#define LOOPS		50000u		/* DEC + JNZ: 2 instructions each */
#define EXITS		100u
#define CODE		0x1000

/* Real mode at CODE: the loop, then an exit, again on each KVM_RUN; at
 * CODE + EXIT_ONLY an exit alone. */
#define EXIT_ONLY	14
static const uint8_t code[] = {
	0x66, 0xb9, LOOPS & 0xff, (LOOPS >> 8) & 0xff, (LOOPS >> 16) & 0xff, LOOPS >> 24,
				/* 0: mov ecx, LOOPS */
	0x66, 0x49,		/* 6: dec ecx */
	0x75, 0xfc,		/* jnz 6 */
	0xe6, 0x80,		/* out 0x80, al */
	0xeb, 0xf2,		/* jmp 0 */
	0xe6, 0x80,		/* 14: out 0x80, al */
	0xeb, 0xfc,		/* jmp 14 */
};

static int run_io(int vcpu_fd, struct kvm_run *run)
{
	return ioctl(vcpu_fd, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_IO ? -1 : 0;
}

static int calibrate(struct hvm *h, struct backend_probe *out)
{
	size_t mem = 0x10000;
	uint8_t *ram = mmap(NULL, mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region slot = { .memory_size = mem };
	struct kvm_sregs s;
	struct kvm_regs r = { .rip = CODE, .rflags = 2 };
	int sz, rc = -1;

	if (ram == MAP_FAILED)
		return -1;
	memcpy(ram + CODE, code, sizeof(code));
	slot.userspace_addr = (uintptr_t)ram;
	sz = ioctl(h->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ioctl(h->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0 ||
	    (h->vcpu_fd = ioctl(h->vm_fd, KVM_CREATE_VCPU, 0)) < 0 || sz <= 0)
		goto out;
	struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, h->vcpu_fd, 0);
	if (run == MAP_FAILED || ioctl(h->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		goto out;
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(h->vcpu_fd, KVM_SET_SREGS, &s) < 0 || ioctl(h->vcpu_fd, KVM_SET_REGS, &r) < 0)
		goto unmap;
	/* The first entry builds KVM's and, nested, the outer hypervisor's
	 * paging state: milliseconds that are no measure of guest speed. */
	if (run_io(h->vcpu_fd, run) < 0)
		goto unmap;
	uint64_t t0 = vm__now_ns();
	if (run_io(h->vcpu_fd, run) < 0)
		goto unmap;
	uint64_t t1 = vm__now_ns();
	r.rip = CODE + EXIT_ONLY;
	if (ioctl(h->vcpu_fd, KVM_SET_REGS, &r) < 0)
		goto unmap;
	for (unsigned i = 0; i < EXITS; i++)
		if (run_io(h->vcpu_fd, run) < 0)
			goto unmap;
	uint64_t t2 = vm__now_ns();
	double exit_ns = (double)(t2 - t1) / EXITS;
	double loop_ns = (double)(t1 - t0) - exit_ns;

	out->exit_us = exit_ns / 1e3;
	out->mips = 2.0 * LOOPS / ((loop_ns > 1 ? loop_ns : 1) / 1e3);
	rc = 0;
unmap:
	munmap(run, (size_t)sz);
out:
	munmap(ram, mem);
	return rc;
}

void hvm_probe__run(struct backend_probe *out)
{
	struct hvm h = { 0 };
	bool quick = out->quick;

	memset(out, 0, sizeof(*out));
	out->quick = quick;
	if (hvm__open(&h, out->why, sizeof(out->why)) < 0) {
		hvm__close(&h);
		return;
	}
	out->available = true;
	if (!quick && calibrate(&h, out) < 0)
		snprintf(out->why, sizeof(out->why), "calibration failed");
	hvm__close(&h);
}
