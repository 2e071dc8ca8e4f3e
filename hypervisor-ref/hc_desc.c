/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Handlers for descriptor tables: GDTR/IDTR, TR, LDTR, user GS and the
 * descriptor writes. Selectors are checked the way LTR, LLDT and MOV GS check
 * them (SDM vol. 3, 3.4 and 7.2); a refusal changes nothing.
 */
#include "dispatch.h"

#define E(x) ((uint64_t)(int64_t)(x))
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define GDT_MAX_BYTES 0x10000ull	/* a 16-bit limit */

static uint64_t load_dtable(struct hc_ctx *c, bool idt)
{
	struct vcpu_sregs s;
	uint8_t d[10];
	struct vcpu_dtable *t = idt ? &s.idt : &s.gdt;

	if (dispatch__gva_read(c, c->a[0], d, sizeof(d)))
		return E(VMI_EFAULT);
	if (c->ops->get_sregs(c->b, &s) < 0)
		return E(VMI_EINVAL);
	t->limit = (uint16_t)(d[0] | d[1] << 8);
	t->base = 0;
	for (int i = 9; i >= 2; i--)
		t->base = t->base << 8 | d[i];
	return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
}

uint64_t hc_load_gdt(struct hc_ctx *c) { return load_dtable(c, false); }
uint64_t hc_load_idt(struct hc_ctx *c) { return load_dtable(c, true); }

uint64_t hc_store_tr(struct hc_ctx *c)
{
	struct vcpu_sregs s;

	return c->ops->get_sregs(c->b, &s) < 0 ? 0 : s.tr.selector;
}

static void seg_from_desc(struct vcpu_seg *g, uint16_t sel, uint64_t lo, uint64_t hi, bool sys16)
{
	g->selector = sel;
	g->base = ((lo >> 16) & 0xffffff) | ((lo >> 56) & 0xff) << 24;
	if (sys16)
		g->base |= (hi & 0xffffffffull) << 32;
	g->limit = (uint32_t)((lo & 0xffff) | ((lo >> 48) & 0xf) << 16);
	g->type = (lo >> 40) & 0xf;
	g->s = (lo >> 44) & 1;
	g->dpl = (lo >> 45) & 3;
	g->present = (lo >> 47) & 1;
	g->avl = (lo >> 52) & 1;
	g->l = (lo >> 53) & 1;
	g->db = (lo >> 54) & 1;
	g->g = (lo >> 55) & 1;
	if (g->g)
		g->limit = g->limit << 12 | 0xfff;
	g->unusable = 0;
}

/* Read the descriptor sel names, 8 or 16 bytes, from the GDT (or the LDT
 * when TI is set and ldt_ok). Returns its address in *at, or -1. */
static int read_desc(struct hc_ctx *c, const struct vcpu_sregs *s, uint16_t sel,
		     unsigned size, bool ldt_ok, uint64_t d[2], uint64_t *at)
{
	uint64_t base = s->gdt.base, limit = s->gdt.limit, off = sel & ~7u;

	if (sel & 4) {
		if (!ldt_ok || s->ldt.unusable || !s->ldt.present)
			return -1;
		base = s->ldt.base;
		limit = s->ldt.limit;
	}
	if (off == 0 && !(sel & 4))
		return -1;
	if (off + size - 1 > limit)
		return -1;
	d[1] = 0;
	if (dispatch__gva_read(c, base + off, d, size))
		return -1;
	*at = base + off;
	return 0;
}

uint64_t hc_load_tr(struct hc_ctx *c)
{
	struct vcpu_sregs s;
	uint16_t sel = (uint16_t)c->a[0];
	uint64_t d[2], at;

	if (c->ops->get_sregs(c->b, &s) < 0 || read_desc(c, &s, sel, 16, false, d, &at))
		return E(VMI_EINVAL);
	/* An available 64-bit TSS (type 9), present, a system descriptor. */
	if (((d[0] >> 40) & 0x1f) != 0x09 || !((d[0] >> 47) & 1))
		return E(VMI_EINVAL);
	d[0] |= 2ull << 40;	/* LTR marks it busy, in the table too */
	if (dispatch__gva_write(c, at, &d[0], 8))
		return E(VMI_EINVAL);
	seg_from_desc(&s.tr, sel, d[0], d[1], true);
	return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
}

uint64_t hc_load_ldt(struct hc_ctx *c)
{
	struct vcpu_sregs s;
	uint16_t sel = (uint16_t)c->a[0];
	uint64_t d[2], at;

	if (c->ops->get_sregs(c->b, &s) < 0)
		return E(VMI_EINVAL);
	if ((sel & ~3u) == 0) {
		/* A null selector leaves LDTR unusable, as LLDT does. */
		s.ldt = (struct vcpu_seg){ .unusable = 1 };
	} else {
		if (read_desc(c, &s, sel, 16, false, d, &at))
			return E(VMI_EINVAL);
		if (((d[0] >> 40) & 0x1f) != 0x02 || !((d[0] >> 47) & 1))
			return E(VMI_EINVAL);
		seg_from_desc(&s.ldt, sel, d[0], d[1], true);
	}
	return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
}

uint64_t hc_load_gs_index(struct hc_ctx *c)
{
	struct vcpu_sregs s;
	uint16_t sel = (uint16_t)c->a[0];
	uint64_t d[2], at;
	struct vcpu_seg g;

	if (c->ops->get_sregs(c->b, &s) < 0)
		return E(VMI_EINVAL);
	if ((sel & ~3u) == 0 && !(sel & 4)) {
		/* A null selector: the base stays (Intel's behaviour). */
		s.gs.selector = sel;
		return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
	}
	if (read_desc(c, &s, sel, 8, true, d, &at))
		return E(VMI_EINVAL);
	seg_from_desc(&g, sel, d[0], 0, false);
	/* MOV GS takes a data or readable code segment, present, RPL/CPL <= DPL
	 * unless conforming code (SDM MOV, "IF DS, ES, FS, or GS"). */
	if (!g.s || !g.present || ((g.type & 8) && !(g.type & 2)))
		return E(VMI_EINVAL);
	if (!((g.type & 0xc) == 0xc) && ((sel & 3) > g.dpl))
		return E(VMI_EINVAL);
	/* The user GS sits in KERNEL_GS_BASE between the two SWAPGS. */
	if (c->ops->set_msr(c->b, MSR_KERNEL_GS_BASE, g.base) < 0)
		return E(VMI_EINVAL);
	g.base = s.gs.base;
	s.gs = g;
	return c->ops->set_sregs(c->b, &s) < 0 ? E(VMI_EINVAL) : 0;
}

uint64_t hc_write_gdt_entry(struct hc_ctx *c)
{
	uint64_t idx = c->a[1], size = c->a[4], d[2] = { c->a[2], c->a[3] };

	if ((size != 8 && size != 16) || idx >= GDT_MAX_BYTES / 8 ||
	    idx * 8 + size > GDT_MAX_BYTES)
		return E(VMI_EINVAL);
	return E(dispatch__gva_write(c, c->a[0] + idx * 8, d, size));
}

uint64_t hc_write_ldt_entry(struct hc_ctx *c)
{
	uint64_t idx = c->a[1];

	if (idx >= GDT_MAX_BYTES / 8)
		return E(VMI_EFAULT);	/* beyond any LDT: the write would fault */
	return E(dispatch__gva_write(c, c->a[0] + idx * 8, &c->a[2], 8));
}

uint64_t hc_write_idt_entry(struct hc_ctx *c)
{
	uint64_t d[2] = { c->a[2], c->a[3] };

	if (c->a[1] > 255)
		return E(VMI_EINVAL);
	return E(dispatch__gva_write(c, c->a[0] + c->a[1] * 16, d, 16));
}
