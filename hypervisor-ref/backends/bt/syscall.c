// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * SYSCALL from user mode and SYSRETQ from the kernel, translated inline
 * instead of run in the C interpreter (transfer.c has the reference
 * semantics). Both are on every system call's path; in C each costs a full
 * register save and restore around the interpreter.
 *
 * The code bakes in what the MSRs said at translation (LSTAR, FMASK, the
 * selectors in STAR, EFER.SCE): wrmsr empties the cache when one of them
 * changes (sys.c). RCX and R11 are free: both instructions overwrite them
 * (SYSCALL) or only read them (SYSRET reads them first). The guest's flags
 * are taken and set with pushfq/popfq on the host stack, since rsp holds the
 * guest's stack pointer.
 */
#include "tx.h"
#include "transfer.h"

static const int32_t seg_at[2] = {
	(int32_t)(offsetof(struct bt_cpu, seg) + S_CS * sizeof(struct bt_seg)),
	(int32_t)(offsetof(struct bt_cpu, seg) + S_SS * sizeof(struct bt_seg)),
};

/* The CS and SS caches, their bases in segbase, and the CPL; through reg. */
static void emit_segs(struct emit *e, int reg, uint16_t cs, uint16_t ss, bool cs64, int dpl)
{
	struct bt_seg img[2];
	cpu__seg_decode(&img[0], cs, transfer__flat_desc(true, cs64, dpl));
	cpu__seg_decode(&img[1], ss, transfer__flat_desc(false, false, dpl));
	for (int i = 0; i < 2; i++) {
		uint64_t q[(sizeof(struct bt_seg) + 7) / 8] = { 0 };
		memcpy(q, &img[i], sizeof(img[i]));
		for (unsigned k = 0; k < sizeof(q) / 8; k++) {
			e_mov_imm(e, reg, q[k]);
			e_gs_abs(e, OP_STORE, reg, seg_at[i] + (int32_t)(8 * k));
		}
	}
	e_gs_store_imm(e, CPU_SEGBASE + 8 * S_CS, 0);
	e_gs_store_imm(e, CPU_SEGBASE + 8 * S_SS, 0);
	e_gs_store_imm32(e, (int32_t)offsetof(struct bt_cpu, cpl), dpl);
}

/* Host flags = reg's live bits (arithmetic and DF); clobbers reg. */
static void emit_set_live_flags(struct emit *e, int reg)
{
	e_and32(e, reg, RFL_LIVE);
	e_gs_abs(e, OP_STORE, R_SP, CPU_TMP);
	e_gs_abs(e, OP_LOAD, R_SP, CPU_HOST_RSP);
	e8(e, 0x50 | (reg & 7));	/* push reg (rcx or rax) */
	e8(e, 0x9d);			/* popfq */
	e_gs_abs(e, OP_LOAD, R_SP, CPU_TMP);
}

/* SYSCALL at CPL 3 in 64-bit code: 0, or -1 for the interpreter. */
int syscall__translate(struct tx *t)
{
	struct bt_cpu *c = t->c;
	if (t->bits != 64 || c->cpl != 3 || !(c->efer & EFER_SCE))
		return -1;
	struct emit *e = &t->e;
	/* r11 = the guest's rflags, RF clear: live bits from the host flags,
	 * the rest from the vCPU record */
	e_mov_rr(e, R_11, R_SP);
	e_gs_abs(e, OP_LOAD, R_SP, CPU_HOST_RSP);
	e8(e, 0x9c);			/* pushfq */
	e8(e, 0x59);			/* pop rcx */
	e_mov_rr(e, R_SP, R_11);
	e_and32(e, R_CX, RFL_LIVE);
	e_gs_abs(e, OP_LOAD, R_11, CPU_RFLAGS);
	e_and64(e, R_11, (int32_t)~(RFL_LIVE | RFL_RF));
	e_op_rr(e, OP_RR_OR, R_11, R_CX);
	/* rflags = r11 & ~FMASK */
	e_mov_imm(e, R_CX, ~(c->fmask | RFL_RF));
	e_op_rr(e, OP_RR_AND, R_CX, R_11);
	e8(e, 0x48); e8(e, 0x83); e8(e, 0xc9); e8(e, 2);	/* or rcx, 2 */
	e_gs_abs(e, OP_STORE, R_CX, CPU_RFLAGS);
	emit_set_live_flags(e, R_CX);
	uint16_t sel = (uint16_t)(c->star >> 32) & ~3u;
	emit_segs(e, R_CX, sel, (uint16_t)(sel + 8), true, 0);
	e_mov_imm(e, R_CX, t->next);
	/* on to LSTAR through the kernel's jump cache */
	e_gs_abs(e, OP_STORE, R_AX, CPU_SAVE_RAX);
	e_mov_imm(e, R_AX, c->lstar);
	e_jmp32(e, c->cache->t_rip_indirect[0]);
	return 1;
}

/*
 * SYSRETQ at CPL 0 in 64-bit code: 0, or -1 for the interpreter. A
 * non-canonical RCX goes to the interpreter's path, which raises the #GP
 * with the flags as they were.
 */
int syscall__translate_sysret(struct tx *t)
{
	struct bt_cpu *c = t->c;
	if (t->bits != 64 || c->cpl != 0 || !(c->efer & EFER_SCE) || t->in.operand_width != 64)
		return -1;
	struct emit *e = &t->e;
	/* the flags, parked on the host stack while rax tests rcx */
	e_gs_abs(e, OP_STORE, R_SP, CPU_TMP);
	e_gs_abs(e, OP_LOAD, R_SP, CPU_HOST_RSP);
	e8(e, 0x9c);			/* pushfq */
	e_gs_abs(e, OP_STORE, R_AX, CPU_SAVE_RAX);
	e_mov_rr(e, R_AX, R_CX);
	e8(e, 0x48); e8(e, 0xc1); e8(e, 0xf8); e8(e, 47);	/* sar rax, 47 */
	e8(e, 0x48); e8(e, 0xff); e8(e, 0xc0);			/* inc rax: 0 or 1 if canonical */
	e8(e, 0x48); e8(e, 0x83); e8(e, 0xf8); e8(e, 1);	/* cmp rax, 1 */
	uint8_t *bad = e_jcc32(e, 0x7, e->p);			/* ja: not canonical */
	/* rflags = (r11 & 0x3c7fd7) | 2, the live part into the host flags */
	e_mov_rr(e, R_AX, R_11);
	e_and64(e, R_AX, 0x3c7fd7);
	e8(e, 0x48); e8(e, 0x83); e8(e, 0xc8); e8(e, 2);	/* or rax, 2 */
	e_gs_abs(e, OP_STORE, R_AX, CPU_RFLAGS);
	e_and32(e, R_AX, RFL_LIVE);
	e8(e, 0x48); e8(e, 0x89); e8(e, 0x04); e8(e, 0x24);	/* mov [rsp], rax */
	e8(e, 0x9d);						/* popfq */
	e_gs_abs(e, OP_LOAD, R_SP, CPU_TMP);
	uint16_t base = (uint16_t)(c->star >> 48);
	emit_segs(e, R_AX, (uint16_t)((base + 16) | 3), (uint16_t)((base + 8) | 3), true, 3);
	/* IF may now be set: a waiting interrupt is taken at the next block
	 * boundary (see tx_cli_sti) */
	e_gs_movzx8(e, R_AX, (int32_t)offsetof(struct bt_cpu, irq_maybe));
	e_gs_load_idx8(e, R_AX, R_AX, (int32_t)offsetof(struct bt_cpu, sti_budget_at));
	e_gs_zero_at(e, R_AX);
	/* on to rcx through the user jump cache (guest rax parked) */
	e_mov_rr(e, R_AX, R_CX);
	e_jmp32(e, c->cache->t_rip_indirect[1]);
	/* not canonical: flags and rsp back, then the interpreter */
	patch32(bad, e->p);
	e8(e, 0x9d);			/* popfq */
	e_gs_abs(e, OP_LOAD, R_SP, CPU_TMP);
	e_gs_abs(e, OP_LOAD, R_AX, CPU_SAVE_RAX);
	return 0;	/* the caller appends the interpreter call */
}
