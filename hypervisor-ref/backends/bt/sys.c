// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * System instructions in the C interpreter: control registers, MSRs,
 * descriptor tables, segment loads, far transfers, IRET, SYSCALL/SYSRET,
 * SWAPGS, INT n, HLT, INVLPG. Privilege checks as in the SDM.
 */
#include <cpuid.h>
#include <stdio.h>
#include "sys.h"
#include "transfer.h"

#define MSR_TSC		0x10
#define MSR_APIC_BASE	0x1b
#define MSR_SYSENTER_CS	0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_PAT		0x277
#define MSR_EFER	0xc0000080
#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_CSTAR	0xc0000083
#define MSR_FMASK	0xc0000084
#define MSR_FS_BASE	0xc0000100
#define MSR_GS_BASE	0xc0000101
#define MSR_KGS_BASE	0xc0000102
#define MSR_TSC_AUX	0xc0000103
#define MSR_AMD_HWCR	0xc0010015	/* Linux reads it on AMD hosts' vendor id */

static int fault(struct hx *h, int vec, int err)
{
	except__raise(h->c, vec, err);
	return -1;
}

static bool cpl0(struct hx *h)
{
	return h->c->cpl == 0;
}

#define HV_SIGNATURE	"VMI-X64\0\0\0\0\0"	/* as backends/hvm: calls.toml cpuid */

/* Host CPUID traps when this host is itself a guest (microseconds), and
 * Linux uses CPUID to serialize: answers are memoized per vCPU. */
void bt__cpuid(struct bt_cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	unsigned slot = (leaf * 7 + sub) % BT_CPUID_MEMO;
	struct bt_cpuid_memo *m = &c->cpuid_memo[slot];
	if (m->valid && m->leaf == leaf && m->sub == sub) {
		memcpy(out, m->out, sizeof(m->out));
		return;
	}
	unsigned a = 0, b = 0, cc = 0, d = 0;
	if (leaf == 0x40000000) {
		a = 0x40000000;
		memcpy(&b, HV_SIGNATURE, 4);
		memcpy(&cc, HV_SIGNATURE + 4, 4);
		memcpy(&d, HV_SIGNATURE + 8, 4);
	} else if (leaf < 0x40000000 || leaf >= 0x80000000) {
		__cpuid_count(leaf, sub, a, b, cc, d);
		sys__filter_cpuid(c, leaf, sub, &a, &b, &cc, &d);
	}
	out[0] = a;
	out[1] = b;
	out[2] = cc;
	out[3] = d;
	*m = (struct bt_cpuid_memo){ .leaf = leaf, .sub = sub, .valid = true };
	memcpy(m->out, out, sizeof(m->out));
}

/* The TSC, VMX/SVM, x2APIC, XSAVE/AVX, PCID, monitor and the rest that the
 * translator or the devices do not provide are hidden. */
void sys__filter_cpuid(struct bt_cpu *c, uint32_t leaf, uint32_t sub,
		       unsigned *a, unsigned *b, unsigned *cc, unsigned *d)
{
	(void)c;
	(void)sub;
	switch (leaf) {
	case 1:
		*b &= 0x0000ffff;			/* APIC id 0, one logical CPU */
		*b |= 1u << 16;
		*cc &= (1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 23);
		*cc |= 1u << 31;			/* hypervisor present */
		*d &= ~((1u << 21) | (1u << 22) | (1u << 28) | (1u << 29));	/* DS ACPI HTT TM */
		break;
	case 7:
		*b &= (1u << 3) | (1u << 8);		/* BMI1, BMI2 */
		*cc = *d = 0;
		break;
	case 0xd:
		*a = *b = *cc = *d = 0;
		break;
	case 0x80000001:
		*cc &= (1u << 0) | (1u << 5);		/* LAHF in 64-bit, LZCNT */
		*d &= (1u << 11) | (1u << 20) | (1u << 27) | (1u << 29) | 0x0183f3ff;
		break;
	default:
		break;
	}
}

static int rdmsr(struct bt_cpu *c, uint32_t msr, uint64_t *v)
{
	switch (msr) {
	case MSR_TSC: *v = __builtin_ia32_rdtsc() + c->tsc_offset; return 0;
	case MSR_APIC_BASE: *v = c->apic_base; return 0;
	case MSR_SYSENTER_CS: *v = c->sysenter_cs; return 0;
	case MSR_SYSENTER_ESP: *v = c->sysenter_esp; return 0;
	case MSR_SYSENTER_EIP: *v = c->sysenter_eip; return 0;
	case MSR_PAT: *v = c->pat; return 0;
	case MSR_EFER: *v = c->efer; return 0;
	case MSR_STAR: *v = c->star; return 0;
	case MSR_LSTAR: *v = c->lstar; return 0;
	case MSR_CSTAR: *v = c->cstar; return 0;
	case MSR_FMASK: *v = c->fmask; return 0;
	case MSR_FS_BASE: *v = c->seg[S_FS].base; return 0;
	case MSR_GS_BASE: *v = c->seg[S_GS].base; return 0;
	case MSR_KGS_BASE: *v = c->kernel_gs_base; return 0;
	case MSR_TSC_AUX: *v = 0; return 0;
	case MSR_AMD_HWCR: *v = 1ull << 24; return 0;	/* TscFreqSel: TSC at P0 rate */
	default: return -1;
	}
}

static bool canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* Translated SYSCALL/SYSRET bake these MSRs in (syscall.c). */
static void syscall_msr_changed(struct bt_cpu *c)
{
	if (c->cache)
		cache__flush(c);
}

static int wrmsr(struct bt_cpu *c, uint32_t msr, uint64_t v)
{
	switch (msr) {
	case MSR_TSC: c->tsc_offset = v - __builtin_ia32_rdtsc(); return 0;
	case MSR_APIC_BASE: c->apic_base = v; return 0;
	case MSR_SYSENTER_CS: c->sysenter_cs = v; return 0;
	case MSR_SYSENTER_ESP: c->sysenter_esp = v; return 0;
	case MSR_SYSENTER_EIP: c->sysenter_eip = v; return 0;
	case MSR_PAT: c->pat = v; return 0;
	case MSR_EFER:
		if (v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return -1;
		if ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME))
			return -1;
		if ((v ^ c->efer) & EFER_SCE)
			syscall_msr_changed(c);
		c->efer = (v & ~EFER_LMA) | (c->efer & EFER_LMA);
		mmu__flush(c);
		return 0;
	case MSR_STAR:
		if (v != c->star)
			syscall_msr_changed(c);
		c->star = v;
		return 0;
	case MSR_LSTAR:
		if (!canonical(v))
			return -1;
		if (v != c->lstar)
			syscall_msr_changed(c);
		c->lstar = v;
		return 0;
	case MSR_CSTAR: if (!canonical(v)) return -1; c->cstar = v; return 0;
	case MSR_FMASK:
		if ((uint32_t)v != c->fmask)
			syscall_msr_changed(c);
		c->fmask = (uint32_t)v;
		return 0;
	case MSR_FS_BASE: if (!canonical(v)) return -1; c->seg[S_FS].base = v; break;
	case MSR_GS_BASE: if (!canonical(v)) return -1; c->seg[S_GS].base = v; break;
	case MSR_KGS_BASE: if (!canonical(v)) return -1; c->kernel_gs_base = v; return 0;
	case MSR_TSC_AUX: return 0;
	default: return -1;
	}
	cpu__sync_segbase(c);
	return 0;
}

int bt__get_msr(struct bt_cpu *c, uint32_t msr, uint64_t *v)
{
	return rdmsr(c, msr, v);
}

int bt__set_msr(struct bt_cpu *c, uint32_t msr, uint64_t v)
{
	return wrmsr(c, msr, v);
}

static int h_msr(struct hx *h)
{
	struct bt_cpu *c = h->c;
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	uint32_t msr = (uint32_t)c->gpr[R_CX];
	if (h->in->mnemonic == ZYDIS_MNEMONIC_RDMSR) {
		uint64_t v;
		if (rdmsr(c, msr, &v))
			return fault(h, EXC_GP, 0);
		c->gpr[R_AX] = (uint32_t)v;
		c->gpr[R_DX] = v >> 32;
		return 0;
	}
	uint64_t v = (uint32_t)c->gpr[R_AX] | (c->gpr[R_DX] << 32);
	c->irq_maybe = 1;	/* an interrupt controller's MSR, perhaps */
	if (wrmsr(c, msr, v))
		return fault(h, EXC_GP, 0);
	return 0;
}

static int write_cr(struct hx *h, int n, uint64_t v)
{
	struct bt_cpu *c = h->c;
	switch (n) {
	case 0:
		if ((v & CR0_PG) && !(v & CR0_PE))
			return fault(h, EXC_GP, 0);
		if ((v & CR0_PG) && !(c->cr0 & CR0_PG) && (c->efer & EFER_LME)) {
			if (!(c->cr4 & CR4_PAE))
				return fault(h, EXC_GP, 0);
			c->efer |= EFER_LMA;
		}
		if (!(v & CR0_PG))
			c->efer &= ~EFER_LMA;
		c->cr0 = v | 0x10;
		break;
	case 2: c->cr2 = v; return 0;
	case 3:
		c->cr3 = v;
		mmu__flush_nonglobal(c);
		return 0;
	case 4: c->cr4 = v; break;
	case 8:
		if (v & ~0xfull)
			return fault(h, EXC_GP, 0);
		uint64_t old = c->m->get_cr8 ? c->m->get_cr8(c->m->opaque) : c->cr8;
		c->cr8 = v;
		if (c->m->set_cr8)
			c->m->set_cr8(c->m->opaque, v);
		if (v < old) {
			/* a lower TPR may unmask an interrupt: leave the block */
			c->irq_maybe = 1;
			c->tpr_lowered++;
		}
		return 0;
	default: return fault(h, EXC_UD, -1);
	}
	mmu__flush(c);
	return 0;
}

static int h_movcr(struct hx *h)
{
	struct bt_cpu *c = h->c;
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	bool to_cr = ZydisRegisterGetClass(h->ops[0].reg.value) == ZYDIS_REGCLASS_CONTROL;
	int n = ZydisRegisterGetId(h->ops[to_cr ? 0 : 1].reg.value);
	if (to_cr)
		return write_cr(h, n, op__reg_get(c, h->ops[1].reg.value));
	uint64_t v;
	switch (n) {
	case 0: v = c->cr0; break;
	case 2: v = c->cr2; break;
	case 3: v = c->cr3; break;
	case 4: v = c->cr4; break;
	case 8: v = c->m->get_cr8 ? c->m->get_cr8(c->m->opaque) : c->cr8; break;
	default: return fault(h, EXC_UD, -1);
	}
	op__reg_set(c, h->ops[0].reg.value, v);
	return 0;
}

static int read_desc(struct bt_cpu *c, uint16_t sel, uint64_t *d)
{
	if ((sel & ~7u) + 7u > c->gdt_limit)
		return -1;
	return mmu__read(c, c->gdt_base + (sel & ~7u), d, 8, false) ? -2 : 0;
}

/* MOV/POP to a data segment register (SDM 3.4.3); 64-bit mode keeps the
 * FS/GS bases from the descriptor until an MSR write replaces them. */
int sys__load_sreg(struct hx *h, int sreg, uint16_t sel)
{
	struct bt_cpu *c = h->c;
	uint64_t d = 0;
	if (sreg == S_CS)
		return fault(h, EXC_UD, -1);
	if ((sel & ~3u) == 0) {
		if (sreg == S_SS && !(cpu__long64(c) && c->cpl < 3))
			return fault(h, EXC_GP, 0);
		cpu__load_seg_cache(c, sreg, sel, 0);
		return 0;
	}
	int r = read_desc(c, sel, &d);
	if (r == -2)
		return -1;
	if (r || !((d >> 44) & 1))
		return fault(h, EXC_GP, sel & ~3u);
	if (!((d >> 47) & 1))
		return fault(h, sreg == S_SS ? EXC_SS : EXC_NP, sel & ~3u);
	cpu__load_seg_cache(c, sreg, sel, d);
	if (sreg == S_SS)
		c->irq_shadow = true;
	return 0;
}

static int h_movsreg(struct hx *h)
{
	struct bt_cpu *c = h->c;
	if (ZydisRegisterGetClass(h->ops[0].reg.value) == ZYDIS_REGCLASS_SEGMENT) {
		uint64_t v;
		if (op__read(h, 1, &v))
			return -1;
		return sys__load_sreg(h, ZydisRegisterGetId(h->ops[0].reg.value), (uint16_t)v);
	}
	uint16_t sel = c->seg[ZydisRegisterGetId(h->ops[1].reg.value)].sel;
	if (h->ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY)
		return mmu__write(c, op__addr(h, &h->ops[0]), &sel, 2, h->user);
	return op__write(h, 0, sel);
}

static int h_dtable(struct hx *h)
{
	struct bt_cpu *c = h->c;
	ZydisMnemonic mn = h->in->mnemonic;
	bool load = mn == ZYDIS_MNEMONIC_LGDT || mn == ZYDIS_MNEMONIC_LIDT;
	bool gdt = mn == ZYDIS_MNEMONIC_LGDT || mn == ZYDIS_MNEMONIC_SGDT;
	unsigned blen = h->in->machine_mode == ZYDIS_MACHINE_MODE_LONG_64 ? 8 : 4;
	uint64_t va = op__addr(h, &h->ops[0]);
	uint8_t buf[10] = { 0 };
	if (!load) {
		uint16_t lim = gdt ? c->gdt_limit : c->idt_limit;
		uint64_t base = gdt ? c->gdt_base : c->idt_base;
		memcpy(buf, &lim, 2);
		memcpy(buf + 2, &base, blen);
		return mmu__write(c, va, buf, 2 + blen, h->user);
	}
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	if (mmu__read(c, va, buf, 2 + blen, false))
		return -1;
	uint16_t lim;
	uint64_t base = 0;
	memcpy(&lim, buf, 2);
	memcpy(&base, buf + 2, blen);
	if (gdt) {
		c->gdt_base = base;
		c->gdt_limit = lim;
	} else {
		c->idt_base = base;
		c->idt_limit = lim;
	}
	return 0;
}

static int h_ltr(struct hx *h)
{
	struct bt_cpu *c = h->c;
	uint64_t sel, d[2] = { 0, 0 };
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	if (op__read(h, 0, &sel))
		return -1;
	if (h->in->mnemonic == ZYDIS_MNEMONIC_LLDT) {
		c->ldt.sel = (uint16_t)sel;
		return 0;
	}
	unsigned n = (c->efer & EFER_LMA) ? 16 : 8;
	if ((sel & ~7u) + n - 1 > c->gdt_limit || !(sel & ~7u))
		return fault(h, EXC_GP, (int)(sel & ~3u));
	if (mmu__read(c, c->gdt_base + (sel & ~7u), d, n, false))
		return -1;
	unsigned type = (d[0] >> 40) & 0xf;
	if (type != 9 && type != 1)
		return fault(h, EXC_GP, (int)(sel & ~3u));
	struct bt_seg save[6];
	memcpy(save, c->seg, sizeof(save));
	cpu__load_seg_cache(c, 0, (uint16_t)sel, d[0]);
	c->tr = c->seg[0];
	memcpy(c->seg, save, sizeof(save));
	cpu__sync_segbase(c);
	c->tr.base |= d[1] << 32;
	d[0] |= 2ull << 40;	/* busy */
	return mmu__write(c, c->gdt_base + (sel & ~7u) + 5, (uint8_t *)d + 5, 1, false);
}

static int h_swapgs(struct hx *h)
{
	struct bt_cpu *c = h->c;
	if (!cpu__long64(c))
		return fault(h, EXC_UD, -1);
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	uint64_t t = c->seg[S_GS].base;
	c->seg[S_GS].base = c->kernel_gs_base;
	c->kernel_gs_base = t;
	cpu__sync_segbase(c);
	return 0;
}

static int h_priv_nop(struct hx *h)
{
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	return 0;
}

static int h_hlt(struct hx *h)
{
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	h->c->halted = true;
	return 0;
}

static int h_invlpg(struct hx *h)
{
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	mmu__flush_page(h->c, op__addr(h, &h->ops[0]));
	return 0;
}

static int h_msw(struct hx *h)
{
	struct bt_cpu *c = h->c;
	if (h->in->mnemonic == ZYDIS_MNEMONIC_SMSW)
		return op__write(h, 0, c->cr0 & 0xffff);
	if (!cpl0(h))
		return fault(h, EXC_GP, 0);
	if (h->in->mnemonic == ZYDIS_MNEMONIC_CLTS) {
		c->cr0 &= ~CR0_TS;
		return 0;
	}
	uint64_t v;
	if (op__read(h, 0, &v))
		return -1;
	c->cr0 = (c->cr0 & ~0xeull) | (v & 0xf) | (c->cr0 & CR0_PE);
	return 0;
}

int sys__exec(struct hx *h)
{
	struct bt_cpu *c = h->c;
	switch (h->in->mnemonic) {
	case ZYDIS_MNEMONIC_HLT: return h_hlt(h);
	case ZYDIS_MNEMONIC_RDMSR: case ZYDIS_MNEMONIC_WRMSR: return h_msr(h);
	case ZYDIS_MNEMONIC_LGDT: case ZYDIS_MNEMONIC_LIDT:
	case ZYDIS_MNEMONIC_SGDT: case ZYDIS_MNEMONIC_SIDT: return h_dtable(h);
	case ZYDIS_MNEMONIC_LTR: case ZYDIS_MNEMONIC_LLDT: return h_ltr(h);
	case ZYDIS_MNEMONIC_STR: return op__write(h, 0, c->tr.sel);
	case ZYDIS_MNEMONIC_SLDT: return op__write(h, 0, c->ldt.sel);
	case ZYDIS_MNEMONIC_SWAPGS: return h_swapgs(h);
	case ZYDIS_MNEMONIC_INVLPG: return h_invlpg(h);
	case ZYDIS_MNEMONIC_SMSW: case ZYDIS_MNEMONIC_LMSW: case ZYDIS_MNEMONIC_CLTS:
		return h_msw(h);
	case ZYDIS_MNEMONIC_WBINVD: case ZYDIS_MNEMONIC_INVD: return h_priv_nop(h);
	case ZYDIS_MNEMONIC_LFENCE: case ZYDIS_MNEMONIC_MFENCE: case ZYDIS_MNEMONIC_SFENCE:
	case ZYDIS_MNEMONIC_CLFLUSH: case ZYDIS_MNEMONIC_CLFLUSHOPT:
		return 0;
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
		return transfer__iret(h);
	case ZYDIS_MNEMONIC_SYSCALL: return transfer__syscall(h);
	case ZYDIS_MNEMONIC_SYSRET: return transfer__sysret(h);
	case ZYDIS_MNEMONIC_INT: case ZYDIS_MNEMONIC_INT3:
	case ZYDIS_MNEMONIC_INT1: case ZYDIS_MNEMONIC_INTO:
		return transfer__int(h);
	case ZYDIS_MNEMONIC_JMP:
		if (h->in->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
			return transfer__jmp_far(h);
		break;
	case ZYDIS_MNEMONIC_RET:
		if (h->in->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
			return transfer__ret_far(h);
		break;
	case ZYDIS_MNEMONIC_MOV:
		if (h->ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    ZydisRegisterGetClass(h->ops[0].reg.value) == ZYDIS_REGCLASS_CONTROL)
			return h_movcr(h);
		if (h->ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    ZydisRegisterGetClass(h->ops[1].reg.value) == ZYDIS_REGCLASS_CONTROL)
			return h_movcr(h);
		if ((h->ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		     ZydisRegisterGetClass(h->ops[0].reg.value) == ZYDIS_REGCLASS_DEBUG) ||
		    (h->ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		     ZydisRegisterGetClass(h->ops[1].reg.value) == ZYDIS_REGCLASS_DEBUG)) {
			if (!cpl0(h))
				return fault(h, EXC_GP, 0);
			if (ZydisRegisterGetClass(h->ops[0].reg.value) != ZYDIS_REGCLASS_DEBUG)
				op__write(h, 0, 0);
			return 0;
		}
		return h_movsreg(h);
	default:
		break;
	}
	return fault(h, EXC_UD, -1);
}
