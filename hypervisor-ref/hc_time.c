/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Handlers for the time and lock groups. One VMI cycle is one nanosecond
 * (VM_TIMER_HZ); the real counter counts from VM creation. Stolen time is the
 * vCPU thread's run-queue wait from /proc/thread-self/schedstat (field 2):
 * time it was runnable while the host ran something else. vmi-run has one
 * vCPU, which is running whenever it can make a call, so the lock calls are
 * trivial: spin_wait returns at once (a permitted spurious wake-up).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "dispatch.h"

#define E(x) ((uint64_t)(int64_t)(x))

static uint64_t real_ns(struct vm *vm)
{
	return vm__now_ns() - vm->start_ns;
}

static uint64_t run_delay_ns(void)
{
	static int fd = -2;
	static uint64_t last;
	char buf[96];
	ssize_t n;

	if (fd == -2)
		fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && (n = pread(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		char *p;
		buf[n] = 0;
		strtoull(buf, &p, 10);
		uint64_t wait = strtoull(p, NULL, 10);
		if (wait > last)
			last = wait;
	}
	return last;
}

/*
 * Stolen time as reported: the run-queue wait, clipped so that stolen and
 * available (real - stolen) both never run backwards. schedstat charges a
 * wait when the thread is scheduled back in, which is not when real was
 * read, so the raw figure can run ahead of real for a moment.
 */
static uint64_t stolen_ns(struct vm *vm, uint64_t real)
{
	static uint64_t stolen, avail;
	uint64_t raw = run_delay_ns(), cap = real > avail ? real - avail : 0;

	(void)vm;
	if (raw > cap)
		raw = cap;
	if (raw > stolen)
		stolen = raw;
	if (real - stolen > avail)
		avail = real - stolen;
	return stolen;
}

uint64_t hc_sched_clock(struct hc_ctx *c)
{
	return real_ns(c->vm);
}

uint64_t hc_steal_clock(struct hc_ctx *c)
{
	return c->a[0] == 0 ? stolen_ns(c->vm, real_ns(c->vm)) : 0;
}

uint64_t hc_timer_frequency(struct hc_ctx *c)
{
	(void)c;
	return VM_TIMER_HZ;
}

uint64_t hc_timer_read(struct hc_ctx *c)
{
	uint64_t real = real_ns(c->vm);

	switch (c->a[0]) {
	case VMI_COUNTER_REAL:
		return real;
	case VMI_COUNTER_AVAILABLE:
		return real - stolen_ns(c->vm, real);
	case VMI_COUNTER_STOLEN:
		return stolen_ns(c->vm, real);
	default:
		return E(VMI_EINVAL);
	}
}

static void alarm_fire(struct vm *vm, void *opaque)
{
	(void)opaque;
	if (vm->be)
		vm->ops->raise_vector(vm->be, vm->alarm_vector);
}

/* Called once per VM by vm.c's setup (dispatch__init). */
int hc_time__init(struct vm *vm)
{
	vm->alarm.fire = alarm_fire;
	return vm__timer_register(vm, &vm->alarm);
}

uint64_t hc_timer_set_alarm(struct hc_ctx *c)
{
	struct vm *vm = c->vm;
	uint64_t deadline = c->a[0], host;

	if (c->a[1] < 32 || c->a[1] > 255) {
		vm__timer_cancel(vm, &vm->alarm);
		return E(VMI_EINVAL);
	}
	vm->alarm_vector = (uint8_t)c->a[1];
	/* A deadline beyond the host clock's range never fires. */
	host = deadline > UINT64_MAX - vm->start_ns ? UINT64_MAX : vm->start_ns + deadline;
	vm__timer_arm(vm, &vm->alarm, host);
	return 0;
}

uint64_t hc_timer_cancel_alarm(struct hc_ctx *c)
{
	vm__timer_cancel(c->vm, &c->vm->alarm);
	return 0;
}

uint64_t hc_vcpu_is_preempted(struct hc_ctx *c)
{
	(void)c;
	return 0;
}

uint64_t hc_spin_wait(struct hc_ctx *c)
{
	uint8_t b;

	/* Read it anyway so a bad pointer is noticed in --trace as EFAULT. */
	return E(dispatch__gva_read(c, c->a[0], &b, 1));
}

uint64_t hc_spin_kick(struct hc_ctx *c)
{
	(void)c;
	return 0;
}
