// SPDX-License-Identifier: GPL-2.0 OR MIT
/* vCPU record: reset state, segment caches, layout checks for entry.S. */
#include <string.h>
#include "bt_internal.h"

_Static_assert(offsetof(struct bt_cpu, gpr) == CPU_GPR, "CPU_GPR");
_Static_assert(offsetof(struct bt_cpu, rip) == CPU_RIP, "CPU_RIP");
_Static_assert(offsetof(struct bt_cpu, rflags) == CPU_RFLAGS, "CPU_RFLAGS");
_Static_assert(offsetof(struct bt_cpu, host_rsp) == CPU_HOST_RSP, "CPU_HOST_RSP");
_Static_assert(offsetof(struct bt_cpu, save_rax) == CPU_SAVE_RAX, "CPU_SAVE_RAX");
_Static_assert(offsetof(struct bt_cpu, save_s0) == CPU_SAVE_S0, "CPU_SAVE_S0");
_Static_assert(offsetof(struct bt_cpu, save_s1) == CPU_SAVE_S1, "CPU_SAVE_S1");
_Static_assert(offsetof(struct bt_cpu, save_fl) == CPU_SAVE_FL, "CPU_SAVE_FL");
_Static_assert(offsetof(struct bt_cpu, save_s2) == CPU_SAVE_S2, "CPU_SAVE_S2");
_Static_assert(offsetof(struct bt_cpu, budget) == CPU_BUDGET, "CPU_BUDGET");
_Static_assert(offsetof(struct bt_cpu, resume) == CPU_RESUME, "CPU_RESUME");
_Static_assert(offsetof(struct bt_cpu, last_stub) == CPU_LAST_STUB, "CPU_LAST_STUB");
_Static_assert(offsetof(struct bt_cpu, tmp) == CPU_TMP, "CPU_TMP");
_Static_assert(offsetof(struct bt_cpu, self) == CPU_SELF, "CPU_SELF");
_Static_assert(offsetof(struct bt_cpu, host_fl) == CPU_HOST_FL, "CPU_HOST_FL");
_Static_assert(offsetof(struct bt_cpu, entry_fl) == CPU_ENTRY_FL, "CPU_ENTRY_FL");
_Static_assert(offsetof(struct bt_cpu, exit_fl) == CPU_EXIT_FL, "CPU_EXIT_FL");
_Static_assert(offsetof(struct bt_cpu, raw) == CPU_RAW, "CPU_RAW");
_Static_assert(offsetof(struct bt_cpu, segbase) == CPU_SEGBASE, "CPU_SEGBASE");
_Static_assert(offsetof(struct bt_cpu, tlb) == CPU_TLB, "CPU_TLB");
_Static_assert(offsetof(struct bt_cpu, fpu_live) == CPU_FPU_LIVE, "CPU_FPU_LIVE");
_Static_assert(offsetof(struct bt_cpu, save_s3) == CPU_SAVE_S3, "CPU_SAVE_S3");
_Static_assert(sizeof(struct bt_tlbe) == 16, "TLB entry");
_Static_assert(offsetof(struct bt_cpu, jc) == CPU_JC, "CPU_JC");
_Static_assert(offsetof(struct bt_cpu, fx) == CPU_FX, "CPU_FX");
_Static_assert(offsetof(struct bt_cpu, host_mxcsr) == CPU_HOST_MXCSR, "CPU_HOST_MXCSR");

/* Decode an 8-byte segment descriptor into the hidden cache. */
void cpu__load_seg_cache(struct bt_cpu *c, int sreg, uint16_t sel, uint64_t d)
{
	cpu__seg_decode(&c->seg[sreg], sel, d);
	cpu__sync_segbase(c);
}

void cpu__seg_decode(struct bt_seg *s, uint16_t sel, uint64_t d)
{
	memset(s, 0, sizeof(*s));
	s->sel = sel;
	s->base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
	s->limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	s->g = (d >> 55) & 1;
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
	s->type = (d >> 40) & 0xf;
	s->s = (d >> 44) & 1;
	s->dpl = (d >> 45) & 3;
	s->p = (d >> 47) & 1;
	s->l = (d >> 53) & 1;
	s->db = (d >> 54) & 1;
}

void cpu__sync_segbase(struct bt_cpu *c)
{
	for (int i = 0; i < 6; i++)
		c->segbase[i] = c->seg[i].base;
}

/* Power-on state, except that we start in flat 32-bit protected mode: the
 * loaders hand over to multiboot entries there (set_sregs overrides it). */
void cpu__reset(struct bt_cpu *c)
{
	memset(c->gpr, 0, sizeof(c->gpr));
	c->rflags = 0x2;
	c->cr0 = CR0_PE | 0x10;
	c->cr2 = c->cr3 = c->cr4 = c->cr8 = c->efer = 0;
	c->apic_base = 0xfee00000 | 0x800 | 0x100;
	c->pat = 0x0007040600070406ull;
	for (int i = 0; i < 6; i++)
		cpu__load_seg_cache(c, i, i == S_CS ? 0x8 : 0x10,
				    i == S_CS ? 0x00cf9b000000ffffull : 0x00cf93000000ffffull);
	c->tr = (struct bt_seg){ .type = 11, .p = 1, .limit = 0xffff };
	c->ldt = (struct bt_seg){ .type = 2, .p = 1, .limit = 0xffff };
	c->gdt_base = c->idt_base = 0;
	c->gdt_limit = c->idt_limit = 0xffff;
	/* FNINIT state: x87 control 0x37f, MXCSR 0x1f80, all exceptions masked */
	memset(c->fx, 0, sizeof(c->fx));
	c->fx[0] = 0x7f;
	c->fx[1] = 0x03;
	uint32_t mxcsr = 0x1f80;
	memcpy(c->fx + 24, &mxcsr, 4);
	c->host_mxcsr = 0x1f80;
	c->cpl = 0;
	c->halted = false;
	c->irq_shadow = false;
	c->pending_exc = 0;
}
