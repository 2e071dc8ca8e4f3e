/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Register behaviour of the user-space device models: the 16550A UART, the
 * i8259 pair and the i8254 PIT, driven through their I/O handlers as a guest
 * would, with IRQ lines observed on the fake backend.
 */
#include <check.h>
#include "vmi/check_tap.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#include "devices/devices.h"
#include "fake.h"

static struct vm vm;

static void setup(void) { fake__vm(&vm, 1 << 20); }
static void teardown(void) { fake__vm_free(&vm); }

static void out8(vm_io_fn *fn, void *dev, uint16_t port, uint8_t v)
{
	uint32_t d = v;
	fn(&vm, dev, port, 1, true, &d);
}

static uint8_t in8(vm_io_fn *fn, void *dev, uint16_t port)
{
	uint32_t d = 0;
	fn(&vm, dev, port, 1, false, &d);
	return (uint8_t)d;
}

/* UART */
#define U(reg) (0x3f8 + (reg))

START_TEST(uart_transmit)
{
	int p[2];
	char buf[8] = { 0 };

	ck_assert_int_eq(pipe(p), 0);
	struct uart *u = uart__new(&vm, p[1]);
	ck_assert_uint_eq(in8(uart__io, u, U(5)) & 0x60, 0x60);	/* THRE, TEMT */
	out8(uart__io, u, U(0), 'h');
	out8(uart__io, u, U(0), 'i');
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "hi");
	/* DLAB: the divisor latch, not THR */
	out8(uart__io, u, U(3), 0x83);
	out8(uart__io, u, U(0), 0x01);
	out8(uart__io, u, U(1), 0x00);
	ck_assert_uint_eq(in8(uart__io, u, U(0)), 1);
	out8(uart__io, u, U(3), 0x03);
	ck_assert_uint_eq(in8(uart__io, u, U(3)), 3);
	out8(uart__io, u, U(7), 0x5a);
	ck_assert_uint_eq(in8(uart__io, u, U(7)), 0x5a);
	close(p[0]);
	close(p[1]);
	free(u);
}
END_TEST

/*
 * A full output must slow the guest down, never lose its bytes: the vCPU's
 * kick signal (no SA_RESTART) cuts a blocked write short, and a non-blocking
 * output answers EAGAIN. A reader drains the pipe while a thread kicks the
 * writer with signals; every byte must arrive, in order.
 */
#define FLOOD (128 << 10)

struct drain {
	int fd;
	pthread_t writer;
	volatile int done;
	size_t got;
	int in_order;
};

static void on_kick(int sig) { (void)sig; }

static void *kicker(void *arg)
{
	struct drain *d = arg;
	struct timespec ms = { 0, 1000000 };

	while (!d->done) {
		pthread_kill(d->writer, SIGUSR1);
		nanosleep(&ms, NULL);
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct drain *d = arg;
	struct timespec ms = { 0, 1000000 };
	unsigned char buf[1024];
	ssize_t n;

	d->in_order = 1;
	while (d->got < FLOOD && (n = read(d->fd, buf, sizeof(buf))) != 0) {
		if (n < 0)
			continue;
		for (ssize_t i = 0; i < n; i++)
			d->in_order &= buf[i] == (unsigned char)(d->got + i);
		d->got += (size_t)n;
		nanosleep(&ms, NULL);	/* slower than the guest */
	}
	return NULL;
}

static void flood(int nonblock)
{
	struct sigaction sa = { .sa_handler = on_kick }, old;
	struct drain d = { .writer = pthread_self() };
	pthread_t r, k;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	if (nonblock)
		ck_assert_int_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	d.fd = p[0];
	sigaction(SIGUSR1, &sa, &old);
	struct uart *u = uart__new(&vm, p[1]);
	pthread_create(&r, NULL, reader, &d);
	pthread_create(&k, NULL, kicker, &d);
	for (size_t i = 0; i < FLOOD; i++)
		out8(uart__io, u, U(0), (uint8_t)i);
	d.done = 1;
	pthread_join(k, NULL);
	close(p[1]);		/* the reader sees the end, lost bytes or not */
	pthread_join(r, NULL);
	sigaction(SIGUSR1, &old, NULL);
	ck_assert_uint_eq(d.got, FLOOD);
	ck_assert(d.in_order);
	close(p[0]);
	free(u);
}

START_TEST(uart_full_output_blocking) { flood(0); }
END_TEST

START_TEST(uart_full_output_nonblocking) { flood(1); }
END_TEST

START_TEST(uart_receive_irq)
{
	struct uart *u = uart__new(&vm, -1);
	const uint8_t in[20] = "0123456789abcdefghi";

	ck_assert_uint_eq(in8(uart__io, u, U(2)) & 0x0f, 1);	/* no interrupt */
	ck_assert_uint_eq(uart__receive(u, in, 3), 1);		/* no FIFO: one byte */
	out8(uart__io, u, U(2), 0x07);				/* FIFO on, cleared */
	ck_assert_uint_eq(in8(uart__io, u, U(5)) & 1, 0);
	ck_assert_uint_eq(uart__receive(u, in, 20), 16);	/* a 16-byte FIFO */
	ck_assert_uint_eq(in8(uart__io, u, U(5)) & 1, 1);	/* data ready */
	ck_assert_int_eq(fake.irq[4], 0);			/* IER off */
	out8(uart__io, u, U(1), 0x01);
	ck_assert_int_eq(fake.irq[4], 0);			/* OUT2 off: no IRQ on a PC */
	out8(uart__io, u, U(4), 0x08);
	ck_assert_int_eq(fake.irq[4], 1);
	ck_assert_uint_eq(in8(uart__io, u, U(2)), 0xc4);	/* FIFO, RX data */
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(in8(uart__io, u, U(0)), in[i]);
	ck_assert_int_eq(fake.irq[4], 0);
	ck_assert_uint_eq(in8(uart__io, u, U(0)), 0);		/* empty reads 0 */
	/* THRE interrupt: raised when enabled, cleared by reading IIR */
	out8(uart__io, u, U(1), 0x02);
	ck_assert_int_eq(fake.irq[4], 1);
	ck_assert_uint_eq(in8(uart__io, u, U(2)) & 0x0f, 2);
	ck_assert_int_eq(fake.irq[4], 0);
	ck_assert_uint_eq(in8(uart__io, u, U(2)) & 0x0f, 1);
	free(u);
}
END_TEST

START_TEST(uart_loopback)
{
	struct uart *u = uart__new(&vm, -1);

	out8(uart__io, u, U(4), 0x10 | 0x0a);			/* loop, RTS, OUT2 */
	ck_assert_uint_eq(in8(uart__io, u, U(6)) & 0xf0, 0x90);	/* CTS, DCD */
	out8(uart__io, u, U(0), 0x42);
	ck_assert_uint_eq(in8(uart__io, u, U(5)) & 1, 1);
	ck_assert_uint_eq(in8(uart__io, u, U(0)), 0x42);
	ck_assert_uint_eq(uart__receive(u, (const uint8_t *)"x", 1), 0);	/* line cut */
	out8(uart__io, u, U(4), 0);
	ck_assert_uint_eq(in8(uart__io, u, U(6)), 0xb0);
	free(u);
}
END_TEST

/* PIC: master 0x20, slave 0xa0, the usual Linux initialization. */
static struct pic *pic_init(bool auto_eoi)
{
	struct pic *p = pic__new(&vm);

	out8(pic__io, p, 0x20, 0x11);
	out8(pic__io, p, 0x21, 0x30);		/* vectors 0x30-0x37 */
	out8(pic__io, p, 0x21, 0x04);		/* slave on IR2 */
	out8(pic__io, p, 0x21, auto_eoi ? 0x03 : 0x01);
	out8(pic__io, p, 0xa0, 0x11);
	out8(pic__io, p, 0xa1, 0x38);
	out8(pic__io, p, 0xa1, 0x02);
	out8(pic__io, p, 0xa1, 0x01);
	out8(pic__io, p, 0x21, 0x00);
	out8(pic__io, p, 0xa1, 0x00);
	return p;
}

START_TEST(pic_basic)
{
	struct pic *p = pic_init(false);

	ck_assert(!pic__pending(p));
	ck_assert_uint_eq(pic__ack(p), 0x37);			/* spurious IR7 */
	pic__set_irq(p, 3, 1);
	ck_assert(pic__pending(p));
	ck_assert_uint_eq(in8(pic__io, p, 0x20), 0x08);		/* IRR */
	ck_assert_uint_eq(pic__ack(p), 0x33);
	out8(pic__io, p, 0x20, 0x0b);				/* OCW3: read ISR */
	ck_assert_uint_eq(in8(pic__io, p, 0x20), 0x08);
	ck_assert(!pic__pending(p));
	pic__set_irq(p, 3, 0);
	pic__set_irq(p, 3, 1);					/* a new edge while in service */
	ck_assert(!pic__pending(p));				/* same priority waits */
	out8(pic__io, p, 0x20, 0x20);				/* EOI */
	ck_assert(pic__pending(p));
	ck_assert_uint_eq(pic__ack(p), 0x33);
	out8(pic__io, p, 0x20, 0x63);				/* specific EOI, IR3 */
	ck_assert_uint_eq(in8(pic__io, p, 0x20), 0);
	/* masks */
	out8(pic__io, p, 0x21, 0x02);
	ck_assert_uint_eq(in8(pic__io, p, 0x21), 0x02);
	pic__set_irq(p, 1, 1);
	ck_assert(!pic__pending(p));
	out8(pic__io, p, 0x21, 0x00);
	ck_assert(pic__pending(p));
	free(p);
}
END_TEST

START_TEST(pic_priority_cascade)
{
	struct pic *p = pic_init(false);

	pic__set_irq(p, 5, 1);
	pic__set_irq(p, 1, 1);
	pic__set_irq(p, 10, 1);					/* slave IR2, via master IR2 */
	ck_assert_uint_eq(pic__ack(p), 0x31);
	out8(pic__io, p, 0x20, 0x20);
	ck_assert_uint_eq(pic__ack(p), 0x3a);
	out8(pic__io, p, 0xa0, 0x20);
	out8(pic__io, p, 0x20, 0x20);
	ck_assert_uint_eq(pic__ack(p), 0x35);
	out8(pic__io, p, 0x20, 0x20);
	ck_assert(!pic__pending(p));
	pic__set_irq(p, 2, 1);					/* IRQ2 is the cascade: ignored */
	ck_assert(!pic__pending(p));
	free(p);
}
END_TEST

START_TEST(pic_level_auto_eoi_poll)
{
	struct pic *p = pic_init(true);

	out8(pic__io, p, 0x4d1, 0x08);				/* IRQ11 level-triggered */
	ck_assert_uint_eq(in8(pic__io, p, 0x4d1), 0x08);
	pic__set_irq(p, 11, 1);
	ck_assert_uint_eq(pic__ack(p), 0x3b);
	out8(pic__io, p, 0xa0, 0x20);				/* the slave is not auto-EOI */
	ck_assert_uint_eq(pic__ack(p), 0x3b);			/* level: still asserted */
	out8(pic__io, p, 0xa0, 0x20);
	pic__set_irq(p, 11, 0);
	/* The master latched the cascade edge; with the request gone the slave
	 * answers its spurious IR7, as an 8259A does. */
	ck_assert_uint_eq(pic__ack(p), 0x3f);
	ck_assert(!pic__pending(p));
	out8(pic__io, p, 0x4d0, 0xff);				/* IR0-2 cannot be level */
	ck_assert_uint_eq(in8(pic__io, p, 0x4d0), 0xf8);
	pic__set_irq(p, 6, 1);
	out8(pic__io, p, 0x20, 0x0c);				/* OCW3 poll */
	ck_assert_uint_eq(in8(pic__io, p, 0x20), 0x86);
	free(p);
}
END_TEST

/* PIT */
static uint64_t now(void) { return vm__now_ns(); }

START_TEST(pit_channel0_periodic)
{
	struct pit *p = pit__new(&vm);
	uint8_t lo, hi;

	out8(pit__io, p, 0x43, 0x34);				/* ch0, lo/hi, mode 2 */
	out8(pit__io, p, 0x40, 0xa9);
	out8(pit__io, p, 0x40, 0x04);				/* 1193: ~1 ms */
	ck_assert_uint_le(pit__count(p, 0, now()), 1193);
	ck_assert(vm.ntimers == 1 && vm.timers[0]->armed);
	uint64_t dl = vm.timers[0]->deadline, n = now();
	ck_assert(dl > n && dl - n <= 1100000);
	out8(pit__io, p, 0x43, 0x00);				/* latch ch0 */
	lo = in8(pit__io, p, 0x40);
	hi = in8(pit__io, p, 0x40);
	ck_assert_uint_le((unsigned)(hi << 8 | lo), 1193);
	/* read-back status of ch0: mode 2, lo/hi, OUT high */
	out8(pit__io, p, 0x43, 0xe2);
	ck_assert_uint_eq(in8(pit__io, p, 0x40) & 0x3f, 0x34);
	struct timespec ts = { 0, 3000000 };
	nanosleep(&ts, NULL);
	vm__poll(&vm);
	ck_assert_uint_eq(fake.irq_edges[0], 1);		/* one pulse, not a backlog */
	ck_assert_int_eq(fake.irq[0], 0);
	ck_assert(vm.timers[0]->armed);
	out8(pit__io, p, 0x43, 0x30);				/* reprogram: timer stops */
	ck_assert(!vm.timers[0]->armed);
	free(p);
}
END_TEST

START_TEST(pit_channel2_gate)
{
	struct pit *p = pit__new(&vm);

	out8(pit__io, p, 0x61, 0x01);				/* gate 2 up, speaker off */
	out8(pit__io, p, 0x43, 0xb0);				/* ch2, lo/hi, mode 0 */
	out8(pit__io, p, 0x42, 0x0c);
	out8(pit__io, p, 0x42, 0x00);				/* 12 ticks: ~10 us */
	ck_assert_uint_eq(in8(pit__io, p, 0x61) & 0x20, 0);	/* OUT2 low while counting */
	struct timespec ts = { 0, 100000 };
	nanosleep(&ts, NULL);
	ck_assert_uint_eq(in8(pit__io, p, 0x61) & 0x21, 0x21);	/* terminal count */
	uint8_t a = in8(pit__io, p, 0x61), b = in8(pit__io, p, 0x61);
	ck_assert_uint_ne(a & 0x10, b & 0x10);			/* refresh toggles */
	ck_assert_uint_eq(fake.irq_edges[0], 0);		/* channel 2 has no IRQ */
	free(p);
}
END_TEST

START_TEST(rtc)
{
	struct rtc *r = rtc__new(&vm);
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	out8(rtc__io, r, 0x70, 0x0b);
	ck_assert_uint_eq(in8(rtc__io, r, 0x71), 0x02);		/* BCD, 24-hour */
	out8(rtc__io, r, 0x70, 0x80 | 0x09);			/* NMI mask bit ignored */
	unsigned y = in8(rtc__io, r, 0x71);
	ck_assert_uint_eq((y >> 4) * 10 + (y & 15), (unsigned)tm.tm_year % 100);
	out8(rtc__io, r, 0x70, 0x0b);
	out8(rtc__io, r, 0x71, 0x06);				/* binary, 24-hour */
	out8(rtc__io, r, 0x70, 0x08);
	ck_assert_uint_eq(in8(rtc__io, r, 0x71), (unsigned)tm.tm_mon + 1);
	out8(rtc__io, r, 0x70, 0x0a);
	ck_assert_uint_eq(in8(rtc__io, r, 0x71) & 0x80, 0);	/* no update in progress */
	out8(rtc__io, r, 0x70, 0x0d);
	ck_assert_uint_eq(in8(rtc__io, r, 0x71), 0x80);
	out8(rtc__io, r, 0x70, 0x15);
	ck_assert_uint_eq(in8(rtc__io, r, 0x71), 640 & 0xff);	/* base memory */
	out8(rtc__io, r, 0x70, 0x20);
	out8(rtc__io, r, 0x71, 0x5a);				/* plain CMOS bytes keep */
	ck_assert_uint_eq(in8(rtc__io, r, 0x71), 0x5a);
	free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("devices");
	TCase *t = tcase_create("devices");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, uart_transmit);
	tcase_add_test(t, uart_full_output_blocking);
	tcase_add_test(t, uart_full_output_nonblocking);
	tcase_add_test(t, uart_receive_irq);
	tcase_add_test(t, uart_loopback);
	tcase_add_test(t, pic_basic);
	tcase_add_test(t, pic_priority_cascade);
	tcase_add_test(t, pic_level_auto_eoi_poll);
	tcase_add_test(t, pit_channel0_periodic);
	tcase_add_test(t, pit_channel2_gate);
	tcase_add_test(t, rtc);
	suite_add_tcase(s, t);
	return check_tap__run(s, CK_NOFORK);
}
