// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Exception and interrupt delivery through the IDT (SDM vol. 3, 6.12 and
 * 6.14): 64-bit gates with IST and TSS.RSP0 on a privilege change, and
 * same-privilege 32-bit gates for the protected-mode entry stubs.
 * A fault while delivering becomes #DF; a fault delivering #DF is a triple
 * fault, which ends the run with BT_EXIT_SHUTDOWN.
 */
#include <stdarg.h>
#include <stdio.h>
#include "bt_internal.h"

void except__fatal(struct bt_cpu *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->cache->msg, sizeof(c->cache->msg), fmt, ap);
	va_end(ap);
	c->fatal = true;
}

static int read_desc(struct bt_cpu *c, uint16_t sel, uint64_t *d)
{
	if ((sel & ~7u) + 7u > c->gdt_limit)
		return -1;
	return mmu__read(c, c->gdt_base + (sel & ~7u), d, 8, false);
}

static int deliver64(struct bt_cpu *c, int vec, int err, bool soft, uint64_t ret_rip)
{
	uint64_t g[2];
	if ((unsigned)vec * 16 + 15 > c->idt_limit)
		return except__raise(c, EXC_GP, vec * 8 + 2), -1;
	if (mmu__read(c, c->idt_base + (uint64_t)vec * 16, g, 16, false))
		return -1;
	unsigned type = (g[0] >> 40) & 0xf, dpl = (g[0] >> 45) & 3, ist = (g[0] >> 32) & 7;
	if (soft && (int)dpl < c->cpl)
		return except__raise(c, EXC_GP, vec * 8 + 2), -1;
	if (!((g[0] >> 47) & 1) || (type != 0xe && type != 0xf))
		return except__raise(c, EXC_NP, vec * 8 + 2), -1;
	uint16_t sel = (uint16_t)(g[0] >> 16);
	uint64_t target = (g[0] & 0xffff) | ((g[0] >> 32) & 0xffff0000ull) | (g[1] << 32);
	uint64_t cd;
	if (read_desc(c, sel, &cd))
		return except__raise(c, EXC_GP, sel & ~3), -1;
	int ncpl = (cd >> 45) & 3;
	uint64_t rsp = c->gpr[R_SP];
	if (ist || ncpl < c->cpl) {
		uint64_t off = ist ? 36 + 8 * (ist - 1) : 4 + 8 * (uint64_t)ncpl;
		if (mmu__read(c, c->tr.base + off, &rsp, 8, false))
			return -1;
	}
	rsp &= ~15ull;
	uint64_t frame[6];
	int n = 0;
	if (err >= 0)
		frame[n++] = (uint64_t)(uint32_t)err;
	frame[n++] = ret_rip;
	frame[n++] = c->seg[S_CS].sel;
	frame[n++] = c->rflags;
	frame[n++] = c->gpr[R_SP];
	frame[n++] = c->seg[S_SS].sel;
	rsp -= 8 * (uint64_t)n;
	if (mmu__write(c, rsp, frame, 8 * n, false))
		return -1;
	if (ncpl != c->cpl)
		cpu__load_seg_cache(c, S_SS, (uint16_t)ncpl, 0);
	cpu__load_seg_cache(c, S_CS, sel, cd);
	c->cpl = ncpl;
	c->gpr[R_SP] = rsp;
	c->rflags &= ~(RFL_TF | RFL_NT | RFL_RF | RFL_VM);
	if (type == 0xe)
		c->rflags &= ~RFL_IF;
	c->rip = target;
	return 0;
}

static int deliver32(struct bt_cpu *c, int vec, int err, bool soft, uint64_t ret_rip)
{
	uint64_t g;
	if ((unsigned)vec * 8 + 7 > c->idt_limit)
		return except__raise(c, EXC_GP, vec * 8 + 2), -1;
	if (mmu__read(c, c->idt_base + (uint64_t)vec * 8, &g, 8, false))
		return -1;
	unsigned type = (g >> 40) & 0xf, dpl = (g >> 45) & 3;
	if (soft && (int)dpl < c->cpl)
		return except__raise(c, EXC_GP, vec * 8 + 2), -1;
	if (!((g >> 47) & 1) || (type != 0xe && type != 0xf))
		return except__raise(c, EXC_NP, vec * 8 + 2), -1;
	uint16_t sel = (uint16_t)(g >> 16);
	uint64_t cd;
	if (read_desc(c, sel, &cd))
		return except__raise(c, EXC_GP, sel & ~3), -1;
	if (((cd >> 45) & 3) != (unsigned)c->cpl) {
		except__fatal(c, "32-bit interrupt with a privilege change is not supported");
		return -1;
	}
	uint32_t frame[4];
	int n = 0;
	if (err >= 0)
		frame[n++] = (uint32_t)err;
	frame[n++] = (uint32_t)ret_rip;
	frame[n++] = c->seg[S_CS].sel;
	frame[n++] = (uint32_t)c->rflags;
	uint32_t esp = (uint32_t)c->gpr[R_SP] - 4u * n;
	if (mmu__write(c, esp, frame, 4 * n, false))
		return -1;
	cpu__load_seg_cache(c, S_CS, sel, cd);
	c->gpr[R_SP] = esp;
	c->rflags &= ~(RFL_TF | RFL_NT | RFL_RF | RFL_VM);
	if (type == 0xe)
		c->rflags &= ~RFL_IF;
	c->rip = (uint32_t)((g & 0xffff) | ((g >> 32) & 0xffff0000ull));
	return 0;
}

int except__deliver(struct bt_cpu *c, int vec, int err, bool soft, uint64_t ret_rip)
{
	if (c->fatal || c->shutdown)
		return -1;
	if (!(c->cr0 & CR0_PE)) {
		except__fatal(c, "exception %d in real mode is not supported", vec);
		return -1;
	}
	c->pending_exc++;
	int r = (c->efer & EFER_LMA) ? deliver64(c, vec, err, soft, ret_rip)
				     : deliver32(c, vec, err, soft, ret_rip);
	c->pending_exc--;
	c->halted = false;
	return r;
}

/* Error codes only for the vectors that push one (SDM table 6-1). */
static bool has_error_code(int vec)
{
	return vec == EXC_DF || (vec >= EXC_TS && vec <= EXC_PF) || vec == 17;
}

void except__raise(struct bt_cpu *c, int vec, int err)
{
	if (c->shutdown || c->fatal)
		return;
	if (c->pending_exc >= 2 || (c->pending_exc && c->in_df)) {
		c->shutdown = true;
		return;
	}
	if (c->pending_exc) {
		vec = EXC_DF;
		err = 0;
		c->in_df = true;
	}
	if (!has_error_code(vec))
		err = -1;
	else if (err < 0)
		err = 0;
	c->exceptions++;
	if (c->trace)
		fprintf(stderr, "exception %d err %d at rip %llx rsp %llx cr2 %llx\n", vec, err,
			(unsigned long long)c->rip, (unsigned long long)c->gpr[R_SP],
			(unsigned long long)c->cr2);
	except__deliver(c, vec, err, false, c->rip);
	if (vec == EXC_DF)
		c->in_df = false;
}

void except__pf(struct bt_cpu *c, uint64_t va, uint32_t err)
{
	c->cr2 = va;
	except__raise(c, EXC_PF, (int)err);
}
