// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TAP on COM1: `ok N - what`, `not ok N - what`, `ok N - what # SKIP why`,
 * then the plan and the summary line `P passed, F failed, S skipped`, and the
 * debug-exit (0 when nothing failed, else 4: vmi-run keeps 1-3 for itself).
 */
#include "tap.h"

static unsigned n, passed, failed, skipped;

void tap__start(unsigned first)
{
	n = first ? first - 1 : 0;
	printf("TAP version 13\n");
}

void tap__vresult(enum tap_result r, const char *reason, const char *fmt, va_list ap)
{
	char what[256];

	vsnprintf(what, sizeof(what), fmt, ap);
	n++;
	switch (r) {
	case TAP_PASS:
		passed++;
		printf("ok %u - %s\n", n, what);
		break;
	case TAP_FAIL:
		failed++;
		printf("not ok %u - %s\n", n, what);
		if (reason)
			printf("#   %s\n", reason);
		break;
	case TAP_SKIP:
		skipped++;
		printf("ok %u - %s # SKIP %s\n", n, what, reason ? reason : "");
		break;
	}
}

void tap__result(enum tap_result r, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap__vresult(r, reason, fmt, ap);
	va_end(ap);
}

int tap__check(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap__vresult(cond ? TAP_PASS : TAP_FAIL, NULL, fmt, ap);
	va_end(ap);
	return cond;
}

void tap__finish(void)
{
	printf("1..%u\n", n);
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	guest__exit(failed ? 4 : 0);
}
