/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * 16550A UART on COM1 (0x3f8, IRQ4). Transmission is instant: THR goes
 * straight to the output fd, so THRE and TEMT are always set. Received bytes
 * come from the io thread through uart__receive. Loopback (MCR bit 4) is
 * modelled because Linux's 8250 driver probes the port with it.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "vm.h"
#include "devices.h"

#define COM1_BASE	0x3f8
#define COM1_IRQ	4
#define FIFO_SIZE	16

/* registers (offsets from base) */
#define UART_RBR 0	/* read: receive buffer; write: THR; DLAB: DLL */
#define UART_IER 1	/* DLAB: DLM */
#define UART_IIR 2	/* read: interrupt identification; write: FCR */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NONE	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

struct uart {
	struct vm *vm;
	int out_fd;
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thri_pending;	/* THR-empty interrupt, until IIR read or THR write */
	uint8_t fifo[FIFO_SIZE];
	unsigned head, count;
	int irq_level;
};

static uint8_t iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->count)
		return IIR_RDI | fifo;
	if ((u->ier & IER_THRI) && u->thri_pending)
		return IIR_THRI | fifo;
	return IIR_NONE | fifo;
}

/* On a PC the UART's interrupt reaches the PIC only through OUT2. */
static void update_irq(struct uart *u)
{
	int level = !(iir(u) & IIR_NONE) && (u->mcr & MCR_OUT2);

	if (level != u->irq_level) {
		u->irq_level = level;
		vm__set_irq(u->vm, COM1_IRQ, level);
	}
}

static unsigned capacity(const struct uart *u)
{
	return (u->fcr & FCR_ENABLE) ? FIFO_SIZE : 1;
}

static void push(struct uart *u, uint8_t b)
{
	if (u->count < capacity(u))
		u->fifo[(u->head + u->count++) % FIFO_SIZE] = b;
}

unsigned uart__receive(struct uart *u, const uint8_t *buf, unsigned len)
{
	unsigned n = 0;

	/* In loopback the line is disconnected from the outside world. */
	while (!(u->mcr & MCR_LOOP) && n < len && u->count < capacity(u))
		push(u, buf[n++]);
	if (n)
		update_irq(u);
	return n;
}

/*
 * A write that blocks on a full terminal is cut short by the vCPU's kick
 * signal (installed without SA_RESTART, so that it can end KVM_RUN), and a
 * non-blocking output refuses with EAGAIN: both are retried, or the guest
 * loses a byte of its console. Only a closed output (the bytes go nowhere, as
 * on a cut line) or a VM being stopped gives up.
 */
static void send_out(struct uart *u, uint8_t b)
{
	struct pollfd p = { .fd = u->out_fd, .events = POLLOUT };
	ssize_t n;

	while ((n = write(u->out_fd, &b, 1)) != 1) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return;
		if (u->vm->stop != VM_RUNNING)
			return;
		if (errno == EAGAIN)
			poll(&p, 1, 100);
	}
}

static void transmit(struct uart *u, uint8_t b)
{
	if (u->mcr & MCR_LOOP)
		push(u, b);
	else if (u->out_fd >= 0)
		send_out(u, b);
	u->thri_pending = true;
}

static uint8_t modem_status(const struct uart *u)
{
	if (u->mcr & MCR_LOOP)	/* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
		return (u->mcr & 1) << 5 | (u->mcr & 2) << 3 | (u->mcr & 4) << 4 | (u->mcr & 8) << 4;
	return 0xb0;		/* DCD, DSR, CTS: a terminal is attached */
}

static uint8_t uart_read(struct uart *u, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->count)
			return 0;
		v = u->fifo[u->head];
		u->head = (u->head + 1) % FIFO_SIZE;
		u->count--;
		return v;
	case UART_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRI)
			u->thri_pending = false;
		return v;
	case UART_LCR: return u->lcr;
	case UART_MCR: return u->mcr;
	case UART_LSR: return LSR_THRE | LSR_TEMT | (u->count ? LSR_DR : 0);
	case UART_MSR: return modem_status(u);
	default: return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case UART_RBR:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			transmit(u, v);
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI with THR empty raises it at once (a 16550A does). */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thri_pending = true;
		u->ier = v & 0x0f;
		break;
	case UART_IIR:
		if (v & FCR_CLEAR_RX || !(v & FCR_ENABLE))
			u->head = u->count = 0;
		u->fcr = v & 0xc9;
		break;
	case UART_LCR: u->lcr = v; break;
	case UART_MCR: u->mcr = v & 0x1f; break;
	case UART_SCR: u->scr = v; break;
	default: break;	/* LSR, MSR: read-only */
	}
}

void uart__io(struct vm *vm, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data)
{
	struct uart *u = dev;
	unsigned reg = (port - COM1_BASE) & 7;

	(void)vm;
	(void)size;	/* wider accesses act on the low byte, as on the ISA bus */
	if (write)
		uart_write(u, reg, (uint8_t)*data);
	else
		*data = uart_read(u, reg);
	update_irq(u);
}

struct uart *uart__new(struct vm *vm, int out_fd)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->vm = vm;
	u->out_fd = out_fd;
	return u;
}

static int uart_init(struct vm *vm)
{
	vm->uart = uart__new(vm, STDOUT_FILENO);
	if (!vm->uart || vm__claim_io(vm, COM1_BASE, 8, uart__io, vm->uart) < 0)
		return -1;
	return 0;
}

static void uart_exit(struct vm *vm)
{
	free(vm->uart);
	vm->uart = NULL;
}

static struct vm_device uart_device = {
	.name = "uart", .when = DEV_ALWAYS, .init = uart_init, .exit = uart_exit,
};
vm_device_register(uart_device)
