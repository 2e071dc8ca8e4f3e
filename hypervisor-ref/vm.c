/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The machine: guest RAM, device registry, port/MMIO dispatch, timers, and
 * the one exit loop both backends feed (backend.h). The io thread and the
 * vCPU kick live in iothread.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "vm.h"
#include "iothread.h"

static struct vm_device *devices;

void vm__register_device(struct vm_device *dev)
{
	dev->next = devices;
	devices = dev;
}

uint64_t vm__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int vm__create(struct vm *vm, uint64_t ram_size, const struct backend_ops *ops)
{
	memset(vm, 0, sizeof(*vm));
	vm->ops = ops;
	vm->ram_size = ram_size;
	/* NORESERVE: untouched guest RAM costs the host nothing. */
	vm->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		fprintf(stderr, "vmi-run: guest RAM: %s\n", strerror(errno));
		vm->ram = NULL;
		return -1;
	}
	madvise(vm->ram, ram_size, MADV_MERGEABLE);
	vm->start_ns = vm__now_ns();
	for (struct vm_device *d = devices; d; d = d->next) {
		if (d->when == DEV_USER_IRQCHIP && !(ops && ops->user_irqchip))
			continue;
		if (d->init(vm) < 0)
			return -1;
	}
	return hc_time__init(vm);
}

void vm__destroy(struct vm *vm)
{
	iothread__stop(vm);
	if (vm->be && vm->ops)
		vm->ops->destroy(vm->be);
	vm->be = NULL;
	for (struct vm_device *d = devices; d; d = d->next)
		if (d->exit)
			d->exit(vm);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
}

void *vm__gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		len = 1;
	/* Written so that no sum can wrap. */
	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return vm->ram + gpa;
}

int vm__read(struct vm *vm, uint64_t gpa, void *dst, uint64_t len)
{
	void *p = vm__gpa(vm, gpa, len);

	if (!p)
		return -1;
	memcpy(dst, p, len);
	return 0;
}

int vm__write(struct vm *vm, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = vm__gpa(vm, gpa, len);

	if (!p)
		return -1;
	memcpy(p, src, len);
	return 0;
}

int vm__claim_io(struct vm *vm, uint16_t base, uint16_t len, vm_io_fn *fn, void *dev)
{
	if (vm->nio == VM_MAX_IO || len == 0 || (uint32_t)base + len > 0x10000)
		return -1;
	for (unsigned i = 0; i < vm->nio; i++) {
		const struct vm_io_range *r = &vm->io[i];
		if (base < r->base + r->len && r->base < base + len)
			return -1;
	}
	vm->io[vm->nio++] = (struct vm_io_range){ base, len, fn, dev };
	return 0;
}

int vm__claim_mmio(struct vm *vm, uint64_t base, uint64_t len, vm_mmio_fn *fn, void *dev)
{
	if (vm->nmmio == VM_MAX_MMIO || len == 0 || base + len < base)
		return -1;
	vm->mmio[vm->nmmio++] = (struct vm_mmio_range){ base, len, fn, dev };
	return 0;
}

void vm__io(struct vm *vm, uint16_t port, uint8_t size, bool write, uint32_t *data)
{
	for (unsigned i = 0; i < vm->nio; i++) {
		const struct vm_io_range *r = &vm->io[i];
		if (port >= r->base && port - r->base < r->len) {
			r->fn(vm, r->dev, port, size, write, data);
			return;
		}
	}
	if (!write)
		*data = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

void vm__mmio(struct vm *vm, uint64_t gpa, uint8_t size, bool write, uint64_t *data)
{
	for (unsigned i = 0; i < vm->nmmio; i++) {
		const struct vm_mmio_range *r = &vm->mmio[i];
		if (gpa >= r->base && gpa - r->base < r->len) {
			r->fn(vm, r->dev, gpa, size, write, data);
			return;
		}
	}
	if (!write)
		*data = ~0ull;
}

void vm__set_irq(struct vm *vm, unsigned irq, int level)
{
	if (irq < 16 && vm->be)
		vm->ops->set_irq_line(vm->be, irq, level);
}

int vm__timer_register(struct vm *vm, struct vm_timer *t)
{
	if (vm->ntimers == VM_MAX_TIMERS)
		return -1;
	vm->timers[vm->ntimers++] = t;
	return 0;
}

void vm__timer_arm(struct vm *vm, struct vm_timer *t, uint64_t deadline_ns)
{
	t->deadline = deadline_ns;
	t->armed = true;
	iothread__rearm(vm);
}

void vm__timer_cancel(struct vm *vm, struct vm_timer *t)
{
	t->armed = false;
	iothread__rearm(vm);
}

/* The earliest armed deadline, or 0 when none is armed. */
uint64_t vm__next_deadline(struct vm *vm)
{
	uint64_t next = 0;

	for (unsigned i = 0; i < vm->ntimers; i++) {
		const struct vm_timer *t = vm->timers[i];
		if (t->armed && (!next || t->deadline < next))
			next = t->deadline;
	}
	return next;
}

void vm__poll(struct vm *vm)
{
	uint64_t now = vm__now_ns();
	bool fired = false;

	for (unsigned i = 0; i < vm->ntimers; i++) {
		struct vm_timer *t = vm->timers[i];
		if (t->armed && t->deadline <= now) {
			t->armed = false;
			t->fire(vm, t->opaque);
			fired = true;
		}
	}
	if (fired)
		iothread__rearm(vm);
	iothread__feed_uart(vm);
}

void vm__request_stop(struct vm *vm, enum vm_stop why, int code)
{
	if (vm->stop != VM_RUNNING)
		return;
	vm->exit_code = code;
	vm->stop = why;
	if (vm->be)
		vm->ops->kick(vm->be);
}
