/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Operand access for the C interpreter (helpers*.c). */
#ifndef BT_OPERAND_H
#define BT_OPERAND_H

#include <string.h>
#include "bt_internal.h"

struct hx {
	struct bt_cpu *c;
	/* the decoded instruction: a translation's saved copy, or dec_in/dec_ops */
	const ZydisDecodedInstruction *in;
	const ZydisDecodedOperand *ops;
	uint64_t next;		/* rip of the next instruction */
	bool user;
	ZydisDecodedInstruction dec_in;
	ZydisDecodedOperand dec_ops[ZYDIS_MAX_OPERAND_COUNT];
	uint8_t bytes[16];
};

uint64_t op__reg_get(struct bt_cpu *c, ZydisRegister r);
void op__reg_set(struct bt_cpu *c, ZydisRegister r, uint64_t v);
uint64_t op__addr(struct hx *h, const ZydisDecodedOperand *o);
int op__read(struct hx *h, int i, uint64_t *v);
int op__write(struct hx *h, int i, uint64_t v);
int op__push(struct hx *h, uint64_t v, unsigned size);
int op__pop(struct hx *h, uint64_t *v, unsigned size);
uint64_t op__mask(unsigned bits);
#endif
