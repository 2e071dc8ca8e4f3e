/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include "guest.h"

enum tap_result { TAP_PASS, TAP_FAIL, TAP_SKIP };

/* Numbering starts at first (1 unless the harness resumes after a hang). */
void tap__start(unsigned first);
void tap__result(enum tap_result r, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tap__vresult(enum tap_result r, const char *reason, const char *fmt, va_list ap);
/* A pass when cond holds; returns cond. */
int tap__check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Plan, summary line, debug-exit. */
__attribute__((noreturn)) void tap__finish(void);

#endif
