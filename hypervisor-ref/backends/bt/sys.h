/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef BT_SYS_H
#define BT_SYS_H
#include "operand.h"

int sys__exec(struct hx *h);
int sys__load_sreg(struct hx *h, int sreg, uint16_t sel);
void sys__filter_cpuid(struct bt_cpu *c, uint32_t leaf, uint32_t sub,
		       unsigned *a, unsigned *b, unsigned *cc, unsigned *d);
int string__exec(struct hx *h);
int helpers__dispatch(struct hx *h);
#endif
