/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Random x86-64 instruction sequences for differential testing. */
#ifndef BT_GEN_H
#define BT_GEN_H
#include <stddef.h>
#include <stdint.h>

#define GEN_RAM		(4u << 20)
#define GEN_CODE	0x100000u
#define GEN_DATA	0x200000u	/* rbx points here, rbp at +0x8000 */
#define GEN_DATA_SIZE	0x10000u
#define GEN_STACK	0x300000u	/* initial rsp; the stack grows below */
#define GEN_STACK_SIZE	0x1000u

struct gen_case {
	uint8_t code[8192];
	size_t len;		/* ends with hlt at code[len - 1] */
	uint64_t regs[16];
	uint64_t xmm[32];	/* xmm0-15, low qword first */
	uint64_t rflags;
	uint64_t undef_flags;	/* flags left undefined at the end */
	unsigned ninsn;
	int bits;		/* 64: long mode; 32: flat protected mode, paging off */
};

/* Deterministic for a seed. */
void gen__case(struct gen_case *g, uint64_t seed, unsigned ninsn, int bits);
/* Initial data for the data and stack regions. */
void gen__fill(uint8_t *ram, uint64_t seed);
#endif
