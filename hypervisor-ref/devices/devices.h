/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the device models export beyond their I/O handlers: the calls a
 * backend's interrupt delivery needs (bt's local APIC asks the PIC for the
 * pending vector), and the model constructors the unit tests use.
 */
#ifndef VMI_DEVICES_H
#define VMI_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct pic;
struct pit;
struct uart;

/* i8259 pair (devices/pic.c): master 0x20/0x21, slave 0xa0/0xa1, cascade on
 * master IRQ2; edge or level per ICW1.LTIM. */
void pic__set_irq(struct pic *p, unsigned irq, int level);
/* The INTR line: an unmasked request beats the one in service. */
bool pic__pending(const struct pic *p);
/* Interrupt acknowledge (the two INTA cycles): returns the vector the CPU
 * takes, or the spurious vector (IRQ7/IRQ15's) when nothing is pending. */
uint8_t pic__ack(struct pic *p);
struct pic *pic__new(struct vm *vm);
void pic__io(struct vm *vm, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data);

/* i8254 (devices/pit.c): channel 0 drives IRQ0, channel 2 the speaker gate
 * at port 0x61. Counts at 1.193182 MHz from the host monotonic clock. */
struct pit *pit__new(struct vm *vm);
void pit__io(struct vm *vm, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data);
/* Read channel c's counter at time now (ns), as a latch would. */
uint16_t pit__count(struct pit *p, unsigned c, uint64_t now);

/* 16550A on COM1 (devices/uart.c): output to the fd given, input pushed. */
struct uart *uart__new(struct vm *vm, int out_fd);
void uart__io(struct vm *vm, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data);
/* Queue received bytes; returns how many fit in the receive FIFO. */
unsigned uart__receive(struct uart *u, const uint8_t *buf, unsigned len);

/* MC146818 CMOS RTC (devices/rtc.c) at 0x70/0x71. */
struct rtc;
struct rtc *rtc__new(struct vm *vm);
void rtc__io(struct vm *vm, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data);

#endif
