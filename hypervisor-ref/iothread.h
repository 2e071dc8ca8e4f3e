/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The io thread: reads stdin into a ring and waits on the timer deadline, and
 * kicks the vCPU thread (backend kick op) when either has something. All
 * device state stays on the vCPU thread: the ring is drained into the UART by
 * vm__poll there.
 */
#ifndef VMI_IOTHREAD_H
#define VMI_IOTHREAD_H

#include <stdint.h>

struct vm;

int iothread__start(struct vm *vm, int in_fd);
void iothread__stop(struct vm *vm);
/* The armed timers changed: re-aim the host timer at the earliest. */
void iothread__rearm(struct vm *vm);
void iothread__feed_uart(struct vm *vm);
/* A halted vCPU waits here until input, a timer, or a stop. Returns -1 when
 * nothing can ever wake it (no timer armed, stdin closed). */
int iothread__wait(struct vm *vm);

#endif
