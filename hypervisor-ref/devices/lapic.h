/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The local APIC model for backends without an in-kernel one (bt): xAPIC
 * MMIO at 0xfee00000, fixed interrupts, TPR (also CR8), EOI, self-IPIs, and
 * the timer (one-shot and periodic; 1 GHz input clock before the divider).
 */
#ifndef VMI_LAPIC_H
#define VMI_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct lapic;

#define LAPIC_BASE	0xfee00000ull
#define LAPIC_HZ	1000000000ull

struct lapic *lapic__new(struct vm *vm);
void lapic__free(struct lapic *l);
void lapic__mmio(struct vm *vm, void *dev, uint64_t gpa, uint8_t size, bool write, uint64_t *data);
/* A fixed, edge-triggered interrupt (the VMI alarm, a self-IPI, the timer). */
void lapic__raise(struct lapic *l, uint8_t vector);
/* The vector the CPU would take now (above the processor priority), or -1. */
int lapic__pending(const struct lapic *l);
/* Interrupt acknowledge: IRR -> ISR. Returns the vector, or -1. */
int lapic__ack(struct lapic *l);
/* CR8 is TPR[7:4]. */
void lapic__set_cr8(struct lapic *l, uint64_t cr8);
uint64_t lapic__cr8(const struct lapic *l);
/* The timer fired (vm timer callback; exported for tests). */
void lapic__timer_fire(struct vm *vm, void *opaque);
/* Current count of the timer at `now` ns. */
uint32_t lapic__timer_count(const struct lapic *l, uint64_t now);
#endif
