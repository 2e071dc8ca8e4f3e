/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef BT_TRANSFER_H
#define BT_TRANSFER_H
#include "operand.h"
int transfer__jmp_far(struct hx *h);
int transfer__ret_far(struct hx *h);
int transfer__iret(struct hx *h);
int transfer__syscall(struct hx *h);
int transfer__sysret(struct hx *h);
int transfer__int(struct hx *h);
uint64_t transfer__flat_desc(bool code, bool l, int dpl);
#endif
