/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The i8254 PIT: three counters at 1.193182 MHz (ports 0x40-0x42, control
 * 0x43) and port 0x61 (channel 2 gate, speaker, OUT2, refresh toggle).
 * Counters are computed from the host monotonic clock when read, never
 * ticked. Channel 0 drives IRQ0 through a vm timer: a pulse per period in
 * modes 2 and 3, a level at terminal count in modes 0, 1 and 4. Only a
 * backend without an in-kernel PIT (bt) instantiates it.
 */
#include <stdlib.h>

#include "vm.h"
#include "devices.h"

#define PIT_BASE	0x40
#define PIT_CTRL	0x43
#define PORT_B		0x61
#define PIT_HZ		1193182ull
#define RW_LATCH	0
#define RW_LSB		1
#define RW_MSB		2
#define RW_WORD		3

struct pit_channel {
	uint32_t initial;		/* 1-65536 */
	uint64_t load_ns;		/* when counting began */
	uint8_t mode, rw, bcd;
	bool gate, loaded;
	bool write_msb, read_msb;	/* lo/hi flip-flops */
	uint8_t write_lsb;
	bool latched, status_latched;
	uint16_t latch;
	uint8_t status;
};

struct pit {
	struct vm *vm;
	struct pit_channel ch[3];
	uint8_t port_b;			/* bits 0 (gate 2) and 1 (speaker) */
	bool refresh;
	struct vm_timer timer;
};

static uint64_t ticks(const struct pit_channel *c, uint64_t now)
{
	uint64_t d = now > c->load_ns ? now - c->load_ns : 0;

	/* 128-bit intermediate: d * 1193182 overflows 64 bits after 4.3 hours */
	return (uint64_t)((unsigned __int128)d * PIT_HZ / 1000000000ull);
}

static uint64_t ns_of_ticks(const struct pit_channel *c, uint64_t t)
{
	return c->load_ns + (uint64_t)((unsigned __int128)t * 1000000000ull / PIT_HZ) + 1;
}

uint16_t pit__count(struct pit *p, unsigned n, uint64_t now)
{
	const struct pit_channel *c = &p->ch[n];
	uint64_t t = ticks(c, now);

	if (!c->loaded)
		return 0;
	switch (c->mode) {
	case 2:
		return (uint16_t)(c->initial - t % c->initial);
	case 3:	/* counts down by two, twice per period */
		return (uint16_t)((c->initial - (2 * t) % c->initial) & ~1u);
	default: /* 0, 1, 4, 5: one pass, then wraps through 0xffff */
		return (uint16_t)((c->initial - t) & 0xffff);
	}
}

static bool out(struct pit *p, unsigned n, uint64_t now)
{
	const struct pit_channel *c = &p->ch[n];
	uint64_t t = ticks(c, now);

	if (!c->loaded)
		return c->mode != 0;
	switch (c->mode) {
	case 0: case 1:
		return t >= c->initial;
	case 2:
		return t % c->initial != c->initial - 1;
	case 3:
		return t % c->initial < (c->initial + 1) / 2;
	default: /* 4, 5: a one-tick low strobe at terminal count */
		return t != c->initial;
	}
}

/* Channel 0's next IRQ0 edge after now, or 0 for none. */
static uint64_t next_irq(struct pit *p, uint64_t now)
{
	const struct pit_channel *c = &p->ch[0];
	uint64_t t = ticks(c, now);

	if (!c->loaded)
		return 0;
	if (c->mode == 2 || c->mode == 3)
		return ns_of_ticks(c, (t / c->initial + 1) * c->initial);
	return t < c->initial ? ns_of_ticks(c, c->initial) : 0;
}

static void timer_fire(struct vm *vm, void *opaque)
{
	struct pit *p = opaque;
	uint64_t now = vm__now_ns(), next;

	vm__set_irq(vm, 0, 1);
	/* Periodic modes pulse; one-shot modes hold OUT high until reloaded. */
	if (p->ch[0].mode == 2 || p->ch[0].mode == 3)
		vm__set_irq(vm, 0, 0);
	next = next_irq(p, now);
	if (next)
		vm__timer_arm(vm, &p->timer, next);
}

static void load(struct pit *p, unsigned n, uint32_t v)
{
	struct pit_channel *c = &p->ch[n];

	c->initial = v ? v : 0x10000;
	if (c->mode == 3 && c->initial == 1)
		c->initial = 2;
	c->loaded = true;
	c->load_ns = vm__now_ns();
	if (n == 0) {
		uint64_t next = next_irq(p, c->load_ns);
		vm__set_irq(p->vm, 0, 0);
		if (next)
			vm__timer_arm(p->vm, &p->timer, next);
		else
			vm__timer_cancel(p->vm, &p->timer);
	}
}

static void latch_count(struct pit *p, unsigned n)
{
	struct pit_channel *c = &p->ch[n];

	if (!c->latched) {
		c->latch = pit__count(p, n, vm__now_ns());
		c->latched = true;
	}
}

static void control(struct pit *p, uint8_t v)
{
	unsigned n = v >> 6;
	struct pit_channel *c;

	if (n == 3) {	/* read-back: bit 5 clear latches counts, bit 4 clear statuses */
		for (unsigned i = 0; i < 3; i++) {
			if (!(v & (2 << i)))
				continue;
			if (!(v & 0x20))
				latch_count(p, i);
			if (!(v & 0x10) && !p->ch[i].status_latched) {
				c = &p->ch[i];
				c->status = (uint8_t)(out(p, i, vm__now_ns()) << 7 | !c->loaded << 6 |
						      c->rw << 4 | c->mode << 1 | c->bcd);
				c->status_latched = true;
			}
		}
		return;
	}
	c = &p->ch[n];
	if (((v >> 4) & 3) == RW_LATCH) {
		latch_count(p, n);
		return;
	}
	c->rw = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 are aliases of 2 and 3 */
	c->bcd = v & 1;
	c->write_msb = c->read_msb = false;
	c->latched = c->status_latched = false;
	c->loaded = false;
	if (n == 0) {
		/* IRQ0 is modelled as pulses, so the line rests low whatever the
		 * mode: a rising OUT here would be a spurious edge at the PIC. */
		vm__timer_cancel(p->vm, &p->timer);
		vm__set_irq(p->vm, 0, 0);
	}
}

static void write_counter(struct pit *p, unsigned n, uint8_t v)
{
	struct pit_channel *c = &p->ch[n];

	switch (c->rw) {
	case RW_LSB: load(p, n, v); break;
	case RW_MSB: load(p, n, (uint32_t)v << 8); break;
	case RW_WORD:
		if (!c->write_msb)
			c->write_lsb = v;
		else
			load(p, n, c->write_lsb | (uint32_t)v << 8);
		c->write_msb = !c->write_msb;
		break;
	default: break;
	}
}

static uint8_t read_counter(struct pit *p, unsigned n)
{
	struct pit_channel *c = &p->ch[n];
	uint16_t v;
	uint8_t r;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->latched ? c->latch : pit__count(p, n, vm__now_ns());
	switch (c->rw) {
	case RW_LSB: r = v & 0xff; c->latched = false; break;
	case RW_MSB: r = v >> 8; c->latched = false; break;
	default:
		r = c->read_msb ? v >> 8 : v & 0xff;
		if (c->read_msb)
			c->latched = false;
		c->read_msb = !c->read_msb;
		break;
	}
	return r;
}

static void set_gate2(struct pit *p, bool gate)
{
	struct pit_channel *c = &p->ch[2];

	/* A rising gate restarts the count (modes 1, 2, 3, 5 retrigger; for
	 * mode 0 this is how Linux's calibration uses it: gate up, then load). */
	if (gate && !c->gate && c->loaded)
		c->load_ns = vm__now_ns();
	c->gate = gate;
}

void pit__io(struct vm *vm, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data)
{
	struct pit *p = dev;

	(void)vm;
	(void)size;
	if (port == PORT_B) {
		if (write) {
			p->port_b = *data & 3;
			set_gate2(p, *data & 1);
			return;
		}
		p->refresh = !p->refresh;	/* bit 4 toggles, like DRAM refresh */
		*data = p->port_b | p->refresh << 4 | out(p, 2, vm__now_ns()) << 5;
		return;
	}
	if (port == PIT_CTRL) {
		if (write)
			control(p, (uint8_t)*data);
		else
			*data = 0xff;	/* the control word is write-only */
		return;
	}
	if (write)
		write_counter(p, port - PIT_BASE, (uint8_t)*data);
	else
		*data = read_counter(p, port - PIT_BASE);
}

struct pit *pit__new(struct vm *vm)
{
	struct pit *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->vm = vm;
	p->ch[0].gate = p->ch[1].gate = true;	/* wired high on a PC */
	p->timer.fire = timer_fire;
	p->timer.opaque = p;
	if (vm__timer_register(vm, &p->timer) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

static int pit_init(struct vm *vm)
{
	vm->pit = pit__new(vm);
	if (!vm->pit ||
	    vm__claim_io(vm, PIT_BASE, 4, pit__io, vm->pit) < 0 ||
	    vm__claim_io(vm, PORT_B, 1, pit__io, vm->pit) < 0)
		return -1;
	return 0;
}

static void pit_exit(struct vm *vm)
{
	free(vm->pit);
	vm->pit = NULL;
}

static struct vm_device pit_device = {
	.name = "pit", .when = DEV_USER_IRQCHIP, .init = pit_init, .exit = pit_exit,
};
vm_device_register(pit_device)
