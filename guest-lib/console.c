// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * COM1 (a 16550A at 0x3f8) output and a small printf. Polling only: the
 * test kernels print TAP here and nothing reads it back.
 */
#include "guest.h"

#define COM1 0x3f8
#define UART_LSR_THRE 0x20

void console__init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB: divisor 1, 115200 baud */
	outb(COM1 + 0, 0x01);
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1 */
	outb(COM1 + 2, 0x07);	/* FIFO on, cleared */
	outb(COM1 + 4, 0x03);	/* DTR, RTS */
}

void console__putc(char c)
{
	/* Bounded wait: a device model that never sets THRE must not hang us. */
	for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & UART_LSR_THRE); i++)
		pause();
	outb(COM1, (u8)c);
}

void console__puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			console__putc('\r');
		console__putc(*s);
	}
}

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, u64 v, unsigned base, int neg, int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (; width > n; width--)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0, alt = 0;
		char pad = ' ';
		u64 v;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '#') {
			alt = 1;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				put(&o, *s);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			s64 sv = lng ? va_arg(ap, s64) : va_arg(ap, int);

			put_num(&o, sv < 0 ? -(u64)sv : (u64)sv, 10, sv < 0, width, pad);
			break;
		}
		case 'u':
			v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
			put_num(&o, v, 10, 0, width, pad);
			break;
		case 'p':
			alt = 1;
			lng = 1;
			/* fall through */
		case 'x':
			v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
			if (alt) {
				put(&o, '0');
				put(&o, 'x');
			}
			put_num(&o, v, 16, 0, width, pad);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '?');
			break;
		}
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console__puts(buf);
}
