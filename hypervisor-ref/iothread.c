/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <unistd.h>

#include "vm.h"
#include "iothread.h"
#include "devices/devices.h"

#define RING 4096

struct vm_io_thread {
	pthread_t thread;
	int in_fd;		/* -1 once at EOF */
	int timer_fd;
	int stop_fd;		/* eventfd: tells the thread to leave */
	int wake_fd;		/* eventfd: wakes a halted vCPU */
	pthread_mutex_t lock;
	uint8_t ring[RING];
	unsigned head, tail;	/* free-running; tail - head bytes queued */
	bool in_eof;
};

static struct termios saved_tty;
static bool tty_raw;

static void restore_tty(void)
{
	if (tty_raw)
		tcsetattr(0, TCSANOW, &saved_tty);
	tty_raw = false;
}

/* Raw input so a guest shell gets every key; ISIG stays so ^C ends vmi-run. */
static void make_tty_raw(int fd)
{
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, &saved_tty) < 0)
		return;
	t = saved_tty;
	t.c_lflag &= ~(ICANON | ECHO | IEXTEN);
	t.c_iflag &= ~(ICRNL | IXON);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) == 0) {
		tty_raw = true;
		atexit(restore_tty);
	}
}

static void kick(struct vm *vm)
{
	uint64_t one = 1;

	if (vm->be)
		vm->ops->kick(vm->be);
	if (write(vm->iot->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is full: a wake-up is already pending */
	}
}

static void read_input(struct vm *vm, struct vm_io_thread *t)
{
	uint8_t buf[256];
	unsigned room;
	ssize_t n;

	pthread_mutex_lock(&t->lock);
	room = RING - (t->tail - t->head);
	pthread_mutex_unlock(&t->lock);
	if (room == 0)
		return;		/* the guest is not reading; wait for it */
	n = read(t->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		t->in_eof = true;
		return;
	}
	pthread_mutex_lock(&t->lock);
	for (ssize_t i = 0; i < n; i++)
		t->ring[t->tail++ % RING] = buf[i];
	pthread_mutex_unlock(&t->lock);
	kick(vm);
}

static void *io_main(void *arg)
{
	struct vm *vm = arg;
	struct vm_io_thread *t = vm->iot;

	for (;;) {
		bool ring_full;

		pthread_mutex_lock(&t->lock);
		ring_full = t->tail - t->head == RING;
		pthread_mutex_unlock(&t->lock);
		struct pollfd p[3] = {
			{ .fd = t->stop_fd, .events = POLLIN },
			{ .fd = t->timer_fd, .events = POLLIN },
			{ .fd = (t->in_eof || ring_full) ? -1 : t->in_fd, .events = POLLIN },
		};
		/* A full ring is retried every 10 ms rather than spun on; otherwise
		 * the vCPU is kicked once a second so the loop can notice a guest
		 * halted for good (backend_ops.halted_for_good). */
		int n = poll(p, 3, ring_full ? 10 : 1000);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && !ring_full)
			kick(vm);
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			uint64_t n;
			if (read(t->timer_fd, &n, sizeof(n)) > 0)
				kick(vm);
		}
		if (p[2].revents)
			read_input(vm, t);
	}
	return NULL;
}

static void on_kick_signal(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN or a blocking call */
}

/* SIGINT/SIGTERM/SIGHUP: stop after the current exit and report where the
 * guest was, so a hung guest can be looked at (exit status 128 + signal). */
static struct vm *signalled_vm;
static void on_stop_signal(int sig)
{
	struct vm *vm = signalled_vm;

	if (vm && vm->stop == VM_RUNNING) {
		vm->exit_code = 128 + sig;
		vm->stop = VM_STOP_SIGNAL;
		if (vm->be)
			vm->ops->kick(vm->be);
	}
}

int iothread__start(struct vm *vm, int in_fd)
{
	struct vm_io_thread *t = calloc(1, sizeof(*t));
	struct sigaction sa = { .sa_handler = on_kick_signal };
	sigset_t block, old;

	if (!t)
		return -1;
	pthread_mutex_init(&t->lock, NULL);
	t->in_fd = in_fd;
	t->in_eof = in_fd < 0;
	/* Non-blocking: the vCPU may rearm (or disarm) the timer between our
	 * poll and our read, which would then wait for an expiry that never
	 * comes, and iothread__stop would wait for us for ever. */
	t->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	t->stop_fd = eventfd(0, EFD_CLOEXEC);
	t->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->timer_fd < 0 || t->stop_fd < 0 || t->wake_fd < 0)
		return -1;
	vm->iot = t;
	sigaction(SIGUSR1, &sa, NULL);
	signalled_vm = vm;
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (in_fd >= 0)
		make_tty_raw(in_fd);
	/* Only the vCPU thread takes the kick signal. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = pthread_create(&t->thread, NULL, io_main, vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		vm->iot = NULL;
		return -1;
	}
	iothread__rearm(vm);
	return 0;
}

void iothread__stop(struct vm *vm)
{
	struct vm_io_thread *t = vm->iot;
	uint64_t one = 1;

	if (!t)
		return;
	if (write(t->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(t->thread, NULL);
	close(t->timer_fd);
	close(t->stop_fd);
	close(t->wake_fd);
	free(t);
	vm->iot = NULL;
	restore_tty();
}

void iothread__rearm(struct vm *vm)
{
	uint64_t next = vm__next_deadline(vm);
	struct itimerspec its = { 0 };

	if (!vm->iot)
		return;
	if (next) {
		/* 0 would disarm: a deadline in the past still fires at once. */
		its.it_value.tv_sec = next / 1000000000ull;
		its.it_value.tv_nsec = next % 1000000000ull;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(vm->iot->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void iothread__feed_uart(struct vm *vm)
{
	struct vm_io_thread *t = vm->iot;
	uint8_t buf[64];
	unsigned n, took;

	if (!t || !vm->uart)
		return;
	pthread_mutex_lock(&t->lock);
	n = t->tail - t->head;
	if (n > sizeof(buf))
		n = sizeof(buf);
	for (unsigned i = 0; i < n; i++)
		buf[i] = t->ring[(t->head + i) % RING];
	took = n ? uart__receive(vm->uart, buf, n) : 0;
	t->head += took;
	pthread_mutex_unlock(&t->lock);
}

int iothread__wait(struct vm *vm)
{
	struct vm_io_thread *t = vm->iot;
	uint64_t next = vm__next_deadline(vm), now, n;
	int timeout = -1;

	if (!t)
		return -1;
	if (!next && t->in_eof && t->tail == t->head)
		return -1;
	if (next) {
		now = vm__now_ns();
		timeout = next <= now ? 0 : (int)((next - now + 999999) / 1000000);
	}
	struct pollfd p = { .fd = t->wake_fd, .events = POLLIN };
	if (poll(&p, 1, timeout) > 0 && read(t->wake_fd, &n, sizeof(n)) < 0) {
		/* drained by an earlier wait */
	}
	return 0;
}
