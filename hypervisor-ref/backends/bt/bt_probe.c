// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * --probe for bt: always available on an x86-64 host with LAHF/SAHF in
 * 64-bit mode. Calibration runs, in a private 64 KiB machine in 32-bit
 * protected mode, 2 M instructions of DEC/JNZ (MIPS) and then OUTs, each of
 * which leaves translated code for the C helper (the bt "exit").
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm.h"
#include "bt.h"

#define LOOPS	1000000u
#define EXITS	20000u

static int nop_io(void *o, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	(void)o; (void)port; (void)size; (void)write; (void)val;
	return 0;
}

static double run_ns(struct bt_cpu *c, const uint8_t *code, size_t len, uint8_t *ram)
{
	memcpy(ram + 0x1000, code, len);
	cpu__reset(c);
	c->rip = 0x1000;
	bt__state_changed(c);
	bt__invalidate_code(c);
	uint64_t t0 = vm__now_ns();
	enum bt_exit e;
	do
		e = bt__run(c, 1u << 30);
	while (e == BT_EXIT_BUDGET);
	return e == BT_EXIT_HLT ? (double)(vm__now_ns() - t0) : -1;
}

static int calibrate(struct backend_probe *out)
{
	static const uint8_t loop[] = {
		0xb9, LOOPS & 0xff, (LOOPS >> 8) & 0xff, (LOOPS >> 16) & 0xff, LOOPS >> 24,
		0x49, 0x75, 0xfd, 0xf4,		/* mov ecx, N; 1: dec ecx; jnz 1b; hlt */
	};
	static const uint8_t outs[] = {
		0xb9, EXITS & 0xff, (EXITS >> 8) & 0xff, 0, 0,
		0xe6, 0x80, 0x49, 0x75, 0xfb, 0xf4,	/* 1: out 0x80, al; dec; jnz 1b; hlt */
	};
	char err[128];
	uint8_t *ram = calloc(1, 0x10000);
	struct bt_machine m = { .ram = ram, .ram_size = 0x10000, .pio = nop_io };
	struct bt_cpu *c = ram ? bt__create(&m, NULL, err, sizeof(err)) : NULL;
	int rc = -1;
	if (c) {
		double t1 = run_ns(c, loop, sizeof(loop), ram);
		double t2 = run_ns(c, outs, sizeof(outs), ram);
		if (t1 > 0 && t2 > 0) {
			out->mips = 2.0 * LOOPS / (t1 / 1e3);
			out->exit_us = t2 / 1e3 / EXITS;
			rc = 0;
		}
	}
	bt__destroy(c);
	free(ram);
	return rc;
}

void bt_probe__run(struct backend_probe *out)
{
	bool quick = out->quick;
	unsigned a, b, cc, d;
	memset(out, 0, sizeof(*out));
	out->quick = quick;
	if (!__get_cpuid(0x80000001, &a, &b, &cc, &d) || !(cc & 1)) {
		snprintf(out->why, sizeof(out->why), "the host CPU lacks LAHF/SAHF in 64-bit mode");
		return;
	}
	out->available = true;
	if (!quick && calibrate(out) < 0)
		snprintf(out->why, sizeof(out->why), "calibration failed");
}
