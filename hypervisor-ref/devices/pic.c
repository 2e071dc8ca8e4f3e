/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The i8259A pair: master at 0x20/0x21, slave at 0xa0/0xa1 cascaded on
 * master IRQ2, and the edge/level control registers (ELCR) at 0x4d0/0x4d1.
 * Priority, rotation, auto-EOI, special fully nested mode and poll follow
 * the 8259A datasheet (and QEMU's hw/intc/i8259.c, which Linux is known to
 * run on). Only a backend without an in-kernel PIC (bt) instantiates it; the
 * CPU side is pic__pending and pic__ack (devices.h).
 */
#include <stdlib.h>

#include "vm.h"
#include "devices.h"

#define PIC_MASTER	0x20
#define PIC_SLAVE	0xa0
#define PIC_ELCR	0x4d0
#define ICW1_INIT	0x10
#define ICW1_IC4	0x01
#define ICW1_SNGL	0x02
#define OCW3_SEL	0x08
#define OCW3_POLL	0x04
#define OCW3_RR		0x02
#define OCW3_SMM	0x40

struct i8259 {
	uint8_t irr, imr, isr, elcr, elcr_mask, last_irr;
	uint8_t base;			/* vector of IR0 (ICW2) */
	uint8_t priority_add;		/* rotation: the IR with the lowest priority + 1 */
	uint8_t init_state;		/* 0 ready, 1-3 waiting for ICW2-ICW4 */
	bool init4, single, auto_eoi, rotate_on_aeoi, sfnm, special_mask;
	bool poll, read_isr;
};

struct pic {
	struct i8259 chip[2];		/* 0 master, 1 slave */
};

/* 8: nothing in mask; else the priority (0 highest) of its best IR. */
static int priority(const struct i8259 *c, uint8_t mask)
{
	int p = 0;

	if (!mask)
		return 8;
	while (!(mask & (1 << ((p + c->priority_add) & 7))))
		p++;
	return p;
}

/* The IR this chip would raise now, or -1. */
static int chip_irq(const struct i8259 *c, bool master)
{
	uint8_t isr = c->isr;
	int p = priority(c, c->irr & ~c->imr), cur;

	if (p == 8)
		return -1;
	if (c->special_mask)
		isr &= ~c->imr;
	if (master && c->sfnm)
		isr &= ~(1 << 2);	/* the slave may nest in fully nested mode */
	cur = priority(c, isr);
	return p < cur ? (p + c->priority_add) & 7 : -1;
}

static void chip_set(struct i8259 *c, unsigned ir, int level)
{
	uint8_t m = 1 << ir;

	if (c->elcr & m) {
		c->irr = level ? c->irr | m : c->irr & ~m;
	} else if (level && !(c->last_irr & m)) {
		/* A rising edge latches the request until INTA, so a pulse
		 * (raise then lower at once) is not lost. */
		c->irr |= m;
	}
	c->last_irr = level ? c->last_irr | m : c->last_irr & ~m;
}

/* The slave's INT output is the master's IR2. */
static void cascade(struct pic *p)
{
	chip_set(&p->chip[0], 2, chip_irq(&p->chip[1], false) >= 0);
}

void pic__set_irq(struct pic *p, unsigned irq, int level)
{
	if (irq >= 16 || irq == 2)
		return;		/* IR2 is the cascade; ISA IRQ2 is IRQ9 */
	chip_set(&p->chip[irq >> 3], irq & 7, level);
	cascade(p);
}

bool pic__pending(const struct pic *p)
{
	return chip_irq(&p->chip[0], true) >= 0;
}

static void intack(struct i8259 *c, int ir)
{
	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->priority_add = (ir + 1) & 7;
	} else {
		c->isr |= 1 << ir;
	}
	if (!(c->elcr & (1 << ir)))
		c->irr &= ~(1 << ir);
}

uint8_t pic__ack(struct pic *p)
{
	struct i8259 *m = &p->chip[0], *s = &p->chip[1];
	int ir = chip_irq(m, true), sir;
	uint8_t vec;

	if (ir < 0)
		return m->base + 7;	/* spurious: IR7, with no ISR bit set */
	if (ir == 2) {
		sir = chip_irq(s, false);
		if (sir >= 0)
			intack(s, sir);
		else
			sir = 7;
		vec = s->base + sir;
	} else {
		vec = m->base + ir;
	}
	intack(m, ir);
	cascade(p);
	return vec;
}

static void eoi(struct i8259 *c, uint8_t v)
{
	unsigned cmd = v >> 5;
	int ir, pr;

	switch (cmd) {
	case 0: case 4:			/* rotate in auto-EOI mode, clear/set */
		c->rotate_on_aeoi = cmd == 4;
		break;
	case 1: case 5:			/* non-specific EOI (and rotate) */
		pr = priority(c, c->isr);
		if (pr == 8)
			break;
		ir = (pr + c->priority_add) & 7;
		c->isr &= ~(1 << ir);
		if (cmd == 5)
			c->priority_add = (ir + 1) & 7;
		break;
	case 3:				/* specific EOI */
		c->isr &= ~(1 << (v & 7));
		break;
	case 6:				/* set priority */
		c->priority_add = (v + 1) & 7;
		break;
	case 7:				/* specific EOI and rotate */
		c->isr &= ~(1 << (v & 7));
		c->priority_add = ((v & 7) + 1) & 7;
		break;
	default:
		break;
	}
}

static void write_cmd(struct i8259 *c, uint8_t v)
{
	if (v & ICW1_INIT) {
		uint8_t elcr = c->elcr, mask = c->elcr_mask;
		*c = (struct i8259){ .elcr = elcr, .elcr_mask = mask, .init_state = 1 };
		c->init4 = v & ICW1_IC4;
		c->single = v & ICW1_SNGL;
	} else if (v & OCW3_SEL) {
		if (v & OCW3_POLL)
			c->poll = true;
		if (v & OCW3_RR)
			c->read_isr = v & 1;
		if (v & OCW3_SMM)
			c->special_mask = (v >> 5) & 1;
	} else {
		eoi(c, v);
	}
}

static void write_data(struct i8259 *c, uint8_t v)
{
	switch (c->init_state) {
	case 0:
		c->imr = v;
		break;
	case 1:
		c->base = v & 0xf8;
		c->init_state = c->single ? (c->init4 ? 3 : 0) : 2;
		break;
	case 2:
		c->init_state = c->init4 ? 3 : 0;
		break;
	default:
		c->sfnm = (v >> 4) & 1;
		c->auto_eoi = (v >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

/* OCW3 poll: the next read is an acknowledge without the INTA cycles. */
static uint8_t poll_read(struct pic *p, unsigned which)
{
	struct i8259 *c = &p->chip[which];
	int ir = chip_irq(c, which == 0);

	c->poll = false;
	if (ir < 0)
		return 0;
	intack(c, ir);
	if (which == 1)
		p->chip[0].isr &= ~(1 << 2);	/* polling the slave: no cascade cycle */
	cascade(p);
	return 0x80 | ir;
}

void pic__io(struct vm *vm, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data)
{
	struct pic *p = dev;
	unsigned which;
	struct i8259 *c;

	(void)vm;
	(void)size;
	if (port == PIC_ELCR || port == PIC_ELCR + 1) {
		c = &p->chip[port - PIC_ELCR];
		if (write)
			c->elcr = *data & c->elcr_mask;
		else
			*data = c->elcr;
		return;
	}
	which = port >= PIC_SLAVE;
	c = &p->chip[which];
	if (write) {
		if (port & 1)
			write_data(c, (uint8_t)*data);
		else
			write_cmd(c, (uint8_t)*data);
		cascade(p);
	} else if (c->poll) {
		*data = poll_read(p, which);
	} else {
		*data = (port & 1) ? c->imr : c->read_isr ? c->isr : c->irr;
	}
}

struct pic *pic__new(struct vm *vm)
{
	struct pic *p = calloc(1, sizeof(*p));

	(void)vm;
	if (!p)
		return NULL;
	/* IR0-2 (timer, keyboard, cascade) and IR8/IR13 are edge only. */
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
	return p;
}

static int pic_init(struct vm *vm)
{
	vm->pic = pic__new(vm);
	if (!vm->pic ||
	    vm__claim_io(vm, PIC_MASTER, 2, pic__io, vm->pic) < 0 ||
	    vm__claim_io(vm, PIC_SLAVE, 2, pic__io, vm->pic) < 0 ||
	    vm__claim_io(vm, PIC_ELCR, 2, pic__io, vm->pic) < 0)
		return -1;
	return 0;
}

static void pic_exit(struct vm *vm)
{
	free(vm->pic);
	vm->pic = NULL;
}

static struct vm_device pic_device = {
	.name = "pic", .when = DEV_USER_IRQCHIP, .init = pic_init, .exit = pic_exit,
};
vm_device_register(pic_device)
