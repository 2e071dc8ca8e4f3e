// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Slot code checks with Zydis (vmi-spec/spec.md 2.3, 2.4, 3). A slot is
 * decoded once, linearly from its first byte; those instruction starts are
 * the slot's "instruction boundaries". Control flow is then followed from
 * offset 0 and from fixup_off: every path must end in RET (or UD2, the
 * never-called marker), every branch must land on a boundary inside the slot,
 * and the bytes no path reaches must be INT3 padding.
 */
#include <stdio.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include "romslot.h"

#define SLOT	VMI_SLOT_SIZE
#define NOWHERE	0xff		/* at[]: no instruction starts here */

enum kind { K_PLAIN, K_RET, K_UD2, K_INT3, K_JCC, K_JMP };

struct insn {
	uint8_t off, len, kind;
	int64_t target;		/* K_JCC, K_JMP: branch target, slot offset */
	const char *bad;	/* why the instruction may not be in a slot, or NULL */
	uint16_t writes;	/* general-purpose registers written, bit n: rax + n */
	int8_t pushed;		/* PUSH of a 64-bit GPR: its number, else -1 */
	uint8_t vector_write;	/* writes x87, MMX, SSE, AVX or mask registers */
	uint8_t can_gp;		/* may raise #GP at CPL 0 */
	uint8_t rsp_mem;	/* has an explicit memory operand based on rsp */
	uint8_t xor_eax;	/* XOR EAX, EAX */
	int8_t stack;		/* bytes PUSH (+) or POP (-) moves rsp by */
	uint8_t rsp_other;	/* changes rsp some other way (SUB, MOV, LEAVE...) */
};

struct slot {
	const uint8_t *code;
	struct insn insn[SLOT];
	unsigned n;
	uint8_t at[SLOT + 1];	/* index of the instruction starting here, or NOWHERE */
	uint8_t reach[SLOT];	/* per instruction: control can get there */
	int depth[SLOT];	/* per reached instruction: bytes pushed on entry */
	unsigned decoded;	/* bytes decoded (SLOT when the whole slot decodes) */
	const char *decode_error;
};

struct check {
	const struct romslot_where *where;
	romcheck_report_fn *report;
	void *ctx;
	unsigned problems;
	int stop;
	char buf[160];
};

static const char *const gpr_name[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

#define GPR(n)		(1u << (n))
/* Spec 3: what each clobber class may change (rsp: pushes and pops). */
#define MAY_WRITE_RAX	(GPR(0) | GPR(4))
#define MAY_WRITE_STD	(MAY_WRITE_RAX | GPR(1) | GPR(2) | GPR(6) | GPR(7) | GPR(8) | GPR(9) | \
			 GPR(10) | GPR(11))

static int problem(struct check *c, uint32_t off, const char *what, uint64_t value)
{
	c->problems++;
	if (c->report && c->report(c->ctx, off, what, value))
		c->stop = 1;
	return c->stop;
}

static int gpr_index(ZydisRegister reg)
{
	ZydisRegister r64 = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);

	return r64 >= ZYDIS_REGISTER_RAX && r64 <= ZYDIS_REGISTER_R15 ? (int)(r64 - ZYDIS_REGISTER_RAX) : -1;
}

/* Transfers that leave the slot other than by RET (spec 2.3). */
static const char *control_rule(const ZydisDecodedInstruction *in)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
	case ZYDIS_MNEMONIC_UIRET: case ZYDIS_MNEMONIC_SYSENTER: case ZYDIS_MNEMONIC_SYSEXIT:
	case ZYDIS_MNEMONIC_RSM:
		return "control transfer out of the slot";
	default:
		break;
	}
	if (in->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
		return "far transfer";
	/* 66h on a near branch or RET: Intel ignores it, AMD truncates RIP (or pops 2 bytes) */
	if ((in->attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE) &&
	    (in->meta.category == ZYDIS_CATEGORY_COND_BR || in->meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
	     in->meta.category == ZYDIS_CATEGORY_RET))
		return "branch or RET with an operand-size prefix";
	switch (in->meta.category) {
	case ZYDIS_CATEGORY_CALL:
		return "CALL in a slot";
	case ZYDIS_CATEGORY_COND_BR: case ZYDIS_CATEGORY_UNCOND_BR:
		return in->attributes & ZYDIS_ATTRIB_IS_RELATIVE ? NULL : "indirect branch";
	case ZYDIS_CATEGORY_INTERRUPT:
		return in->mnemonic == ZYDIS_MNEMONIC_INT3 ? NULL : "software interrupt";
	case ZYDIS_CATEGORY_SYSCALL: case ZYDIS_CATEGORY_SYSRET:
		return "control transfer out of the slot";
	case ZYDIS_CATEGORY_RET:
		return in->operand_count_visible ? "RET with an immediate" : NULL;
	default:
		return NULL;
	}
}

static void classify_kind(struct insn *x, const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
	x->kind = K_PLAIN;
	if (x->bad)
		return;
	if (in->meta.category == ZYDIS_CATEGORY_RET)
		x->kind = K_RET;
	else if (in->mnemonic == ZYDIS_MNEMONIC_UD2)
		x->kind = K_UD2;
	else if (in->mnemonic == ZYDIS_MNEMONIC_INT3)
		x->kind = K_INT3;
	else if (in->meta.category == ZYDIS_CATEGORY_COND_BR || in->meta.category == ZYDIS_CATEGORY_UNCOND_BR) {
		x->kind = in->mnemonic == ZYDIS_MNEMONIC_JMP ? K_JMP : K_JCC;
		x->target = (int64_t)x->off + x->len + ops[0].imm.value.s;
	}
}

static void classify_operands(struct insn *x, const ZydisDecodedInstruction *in,
			      const ZydisDecodedOperand *ops)
{
	int seg_write = 0, mem = 0;

	for (unsigned i = 0; i < in->operand_count; i++) {
		const ZydisDecodedOperand *op = &ops[i];

		if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
			if (op->mem.base == ZYDIS_REGISTER_RIP || op->mem.base == ZYDIS_REGISTER_EIP)
				x->bad = "RIP-relative operand";
			if (op->visibility == ZYDIS_OPERAND_VISIBILITY_EXPLICIT &&
			    op->mem.type == ZYDIS_MEMOP_TYPE_MEM) {
				mem = 1;
				x->rsp_mem |= gpr_index(op->mem.base) == 4 || gpr_index(op->mem.index) == 4;
			}
		}
		if (op->type != ZYDIS_OPERAND_TYPE_REGISTER || !(op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
			continue;
		switch (ZydisRegisterGetClass(op->reg.value)) {
		case ZYDIS_REGCLASS_GPR8: case ZYDIS_REGCLASS_GPR16:
		case ZYDIS_REGCLASS_GPR32: case ZYDIS_REGCLASS_GPR64:
			x->writes |= (uint16_t)GPR(gpr_index(op->reg.value));
			break;
		case ZYDIS_REGCLASS_X87: case ZYDIS_REGCLASS_MMX: case ZYDIS_REGCLASS_XMM:
		case ZYDIS_REGCLASS_YMM: case ZYDIS_REGCLASS_ZMM: case ZYDIS_REGCLASS_TMM:
		case ZYDIS_REGCLASS_MASK: case ZYDIS_REGCLASS_BOUND:
			x->vector_write = 1;
			break;
		case ZYDIS_REGCLASS_SEGMENT:
			seg_write = 1;
			break;
		default:
			break;	/* flags, rip, control and table registers: the call's business */
		}
	}
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_PUSH: case ZYDIS_MNEMONIC_PUSHF: case ZYDIS_MNEMONIC_PUSHFQ:
		x->stack = (int8_t)(in->operand_width / 8);
		break;
	case ZYDIS_MNEMONIC_POP: case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFQ:
		x->stack = (int8_t)-(in->operand_width / 8);
		break;
	default:	/* RET moves rsp too, but ends the path */
		x->rsp_other = (x->writes & GPR(4)) && in->meta.category != ZYDIS_CATEGORY_RET;
		break;
	}
	if (in->mnemonic == ZYDIS_MNEMONIC_PUSH && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
	    ZydisRegisterGetClass(ops[0].reg.value) == ZYDIS_REGCLASS_GPR64)
		x->pushed = (int8_t)gpr_index(ops[0].reg.value);
	x->xor_eax = in->mnemonic == ZYDIS_MNEMONIC_XOR && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		     ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ZYDIS_REGISTER_EAX &&
		     ops[1].reg.value == ZYDIS_REGISTER_EAX;
	/* spec 2.4: privileged instructions, MSR/PMC access, segment loads, memory operands */
	x->can_gp = (in->attributes & ZYDIS_ATTRIB_IS_PRIVILEGED) || seg_write || mem ||
		    in->mnemonic == ZYDIS_MNEMONIC_RDMSR || in->mnemonic == ZYDIS_MNEMONIC_WRMSR ||
		    in->mnemonic == ZYDIS_MNEMONIC_RDPMC || in->mnemonic == ZYDIS_MNEMONIC_XSETBV;
}

static int decode_one(const ZydisDecoder *d, struct slot *s, unsigned off, struct insn *x)
{
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	uint8_t padded[SLOT + ZYDIS_MAX_INSTRUCTION_LENGTH];

	if (s->code[off] == 0xcc) {	/* the padding, most of a slot: no need for Zydis */
		memset(x, 0, sizeof(*x));
		x->off = (uint8_t)off;
		x->len = 1;
		x->kind = K_INT3;
		x->pushed = -1;
		return 0;
	}
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(d, s->code + off, SLOT - off, &in, ops))) {
		/* would it decode with more bytes? then it crosses the slot's end */
		memset(padded, 0, sizeof(padded));
		memcpy(padded, s->code + off, SLOT - off);
		s->decode_error = ZYAN_SUCCESS(ZydisDecoderDecodeFull(d, padded, sizeof(padded), &in, ops)) ?
			"instruction crosses the end of the slot" : "bytes do not decode as an x86-64 instruction";
		return -1;
	}
	memset(x, 0, sizeof(*x));
	x->off = (uint8_t)off;
	x->len = in.length;
	x->pushed = -1;
	x->bad = control_rule(&in);
	classify_operands(x, &in, ops);
	classify_kind(x, &in, ops);
	return 0;
}

static void decode_slot(struct slot *s, const uint8_t *code)
{
	ZydisDecoder d;
	unsigned off = 0;

	ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	s->code = code;
	s->n = 0;
	s->decode_error = NULL;
	memset(s->at, NOWHERE, sizeof(s->at));
	memset(s->reach, 0, sizeof(s->reach));
	memset(s->depth, 0, sizeof(s->depth));
	while (off < SLOT && decode_one(&d, s, off, &s->insn[s->n]) == 0) {
		s->at[off] = (uint8_t)s->n;
		off += s->insn[s->n++].len;
	}
	s->decoded = off;
	s->at[SLOT] = (uint8_t)s->n;	/* the slot's end is a boundary too */
}

static int boundary(const struct slot *s, int64_t off)
{
	return off >= 0 && off < SLOT && s->at[off] != NOWHERE;
}

struct todo {
	uint8_t insn;
	int depth;		/* bytes pushed since the call */
};

/* One instruction reached with depth bytes pushed; queues its successors. */
static unsigned step(struct slot *s, struct check *c, struct todo t, struct todo *next)
{
	const struct insn *x = &s->insn[t.insn];
	uint32_t at = c->where->slot + x->off;
	int depth = t.depth + x->stack;
	unsigned n = 0;

	if (s->reach[t.insn]) {
		if (s->depth[t.insn] != t.depth)
			problem(c, at, "paths reach this instruction with different stack depths", 0);
		return 0;
	}
	s->reach[t.insn] = 1;
	s->depth[t.insn] = t.depth;
	if (x->bad || x->kind == K_UD2)
		return 0;
	if (x->kind == K_RET) {
		if (t.depth)
			problem(c, at, "RET with bytes still pushed", (uint64_t)t.depth);
		return 0;
	}
	if (x->kind == K_INT3 || x->rsp_other || depth > VMI_MAX_STACK || depth < 0) {
		problem(c, at, x->kind == K_INT3 ? "control reaches INT3 padding" :
			x->rsp_other ? "changes rsp other than by PUSH or POP" :
			depth < 0 ? "pops more than the slot pushed" : "pushes more than 64 bytes", 0);
		return 0;
	}
	if (x->kind == K_JMP || x->kind == K_JCC) {
		if (x->target < 0 || x->target >= SLOT)
			problem(c, at, "branch target is outside the slot", (uint64_t)x->target);
		else if (!boundary(s, x->target))
			problem(c, at, "branch target is inside an instruction", (uint64_t)x->target);
		else
			next[n++] = (struct todo){ s->at[x->target], depth };
		if (x->kind == K_JMP)
			return n;
	}
	if (x->off + x->len == SLOT)
		problem(c, at, "control runs past the end of the slot", 0);
	else if (s->at[x->off + x->len] != NOWHERE)	/* else it did not decode */
		next[n++] = (struct todo){ s->at[x->off + x->len], depth };
	return n;
}

static void walk(struct slot *s, struct check *c, struct todo start)
{
	struct todo todo[2 * SLOT + 2];
	unsigned n = 0;

	todo[n++] = start;
	while (n && !c->stop) {
		struct todo t = todo[--n];

		n += step(s, c, t, todo + n);
	}
}

/*
 * Marks what control reaches, from offset 0 and then from fixup_off, which
 * the #GP handler enters with rsp as it was at fault_off; reports where
 * control escapes and where the stack goes wrong.
 */
static void follow(struct slot *s, struct check *c, const struct vmi_annotation *a)
{
	walk(s, c, (struct todo){ 0, 0 });
	if (a->fault_off != VMI_NO_FAULT && boundary(s, a->fixup_off) && !c->stop) {
		int depth = boundary(s, a->fault_off) && s->reach[s->at[a->fault_off]] ?
			s->depth[s->at[a->fault_off]] : 0;

		walk(s, c, (struct todo){ s->at[a->fixup_off], depth });
	}
}

static void check_unreached(const struct slot *s, struct check *c)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct insn *x = &s->insn[i];

		for (unsigned b = 0; !s->reach[i] && b < x->len; b++)
			if (s->code[x->off + b] != 0xcc) {
				problem(c, c->where->slot + x->off + b,
					"byte is neither reachable code nor INT3 padding", s->code[x->off + b]);
				return;
			}
	}
}

static void check_reloc(const struct slot *s, struct check *c, const struct vmi_annotation *a)
{
	const struct insn *x = s->insn;

	if (a->reloc == VMI_RELOC_NONE && x[0].kind != K_UD2)
		problem(c, c->where->slot, "reloc none slot does not begin with UD2", 0);
	if (a->reloc == VMI_RELOC_NOP && x[0].kind != K_RET && !(x[0].xor_eax && s->n > 1 && x[1].kind == K_RET))
		problem(c, c->where->slot, "reloc nop slot is not RET or XOR EAX,EAX; RET", 0);
}

static void check_inline(const struct slot *s, struct check *c, const struct vmi_annotation *a)
{
	if (!a->inline_len)
		return;
	if (a->inline_len > SLOT || s->at[a->inline_len] == NOWHERE) {
		problem(c, c->where->annot + 1, "inline_len does not end on an instruction boundary",
			a->inline_len);
		return;
	}
	for (unsigned i = 0; i < s->n && s->insn[i].off < a->inline_len && !c->stop; i++) {
		const struct insn *x = &s->insn[i];

		if (x->kind != K_PLAIN)
			problem(c, c->where->slot + x->off, "inline bytes contain a branch, RET, UD2 or INT3", 0);
		else if (x->rsp_mem)
			problem(c, c->where->slot + x->off, "inline bytes address memory through rsp", 0);
		else if (x->rsp_other || (x->off + x->len == a->inline_len && s->depth[i] + x->stack))
			problem(c, c->where->slot + x->off, "inline bytes leave rsp changed", 0);
	}
}

static void check_fault(const struct slot *s, struct check *c, const struct vmi_annotation *a)
{
	if (a->fault_off == VMI_NO_FAULT)
		return;
	if (!boundary(s, a->fault_off))
		problem(c, c->where->annot + 2, "fault_off is not on an instruction boundary", a->fault_off);
	else if (!s->reach[s->at[a->fault_off]])
		problem(c, c->where->annot + 2, "fault_off names an unreachable instruction", a->fault_off);
	else if (!s->insn[s->at[a->fault_off]].can_gp)
		problem(c, c->where->annot + 2, "fault_off names an instruction that cannot raise #GP",
			a->fault_off);
	if (!c->stop && !boundary(s, a->fixup_off))
		problem(c, c->where->annot + 3, "fixup_off is not on an instruction boundary", a->fixup_off);
}

/* Spec 3: a call changes only the registers its class may clobber, or ones it pushed first. */
static void check_clobbers(const struct slot *s, struct check *c, int clobbers)
{
	unsigned may = clobbers == VMI_CLOBBERS_RAX ? MAY_WRITE_RAX : MAY_WRITE_STD;
	const char *class = clobbers == VMI_CLOBBERS_RAX ? "an all-but-rax-preserved" : "a System V";

	for (unsigned i = 0; i < s->n && !c->stop; i++) {
		const struct insn *x = &s->insn[i];
		unsigned bad = x->writes & ~may;

		if (!s->reach[i])
			continue;
		if (bad) {
			snprintf(c->buf, sizeof(c->buf), "writes %s, which %s call preserves, without pushing it first",
				 gpr_name[__builtin_ctz(bad)], class);
			problem(c, c->where->slot + x->off, c->buf, 0);
		} else if (x->vector_write) {
			problem(c, c->where->slot + x->off, "changes x87, SSE or AVX registers, which every call preserves", 0);
		}
		if (x->pushed >= 0)
			may |= GPR(x->pushed);
	}
}

unsigned romslot__check(const uint8_t *slot, const struct vmi_annotation *a, int clobbers,
			const struct romslot_where *where, romcheck_report_fn *report, void *ctx)
{
	struct slot s;
	struct check c = { .where = where, .report = report, .ctx = ctx };

	decode_slot(&s, slot);
	if (s.decode_error) {
		problem(&c, where->slot + s.decoded, s.decode_error, slot[s.decoded]);
		return c.problems;
	}
	for (unsigned i = 0; i < s.n && !c.stop; i++)
		if (s.insn[i].bad)
			problem(&c, where->slot + s.insn[i].off, s.insn[i].bad, 0);
	if (c.problems)
		return c.problems;
	follow(&s, &c, a);
	void (*const rules[])(const struct slot *, struct check *, const struct vmi_annotation *) = {
		check_reloc, check_inline, check_fault,
	};
	for (unsigned i = 0; i < sizeof(rules) / sizeof(rules[0]) && !c.stop; i++)
		rules[i](&s, &c, a);
	if (!c.stop)
		check_unreached(&s, &c);
	if (!c.stop)
		check_clobbers(&s, &c, clobbers);
	return c.problems;
}

void romslot__disasm(const uint8_t *slot, const struct vmi_annotation *a, romslot_emit_fn *emit, void *ctx)
{
	static const struct romslot_where nowhere;
	struct check quiet = { .where = &nowhere };
	ZydisDecoder d;
	ZydisFormatter f;
	struct slot s;
	unsigned end = 0;
	char text[96];

	decode_slot(&s, slot);
	follow(&s, &quiet, a);
	for (unsigned i = 0; i < s.n; i++)
		if (s.reach[i] && s.insn[i].off + s.insn[i].len > end)
			end = s.insn[i].off + s.insn[i].len;
	if (s.decode_error || !end)
		end = SLOT;
	ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL);
	ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
	ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE, ZYDIS_PADDING_DISABLED);
	ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_IMM_SIGNEDNESS, ZYDIS_SIGNEDNESS_SIGNED);
	for (unsigned i = 0; i < s.n && s.insn[i].off < end; i++) {
		ZydisDecodedInstruction in;
		ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
		const struct insn *x = &s.insn[i];

		ZydisDecoderDecodeFull(&d, slot + x->off, x->len, &in, ops);
		ZydisFormatterFormatInstruction(&f, &in, ops, in.operand_count_visible, text, sizeof(text),
						x->off, NULL);
		emit(ctx, x->off, slot + x->off, x->len, text);
	}
	if (s.decode_error && s.decoded < end)
		emit(ctx, s.decoded, slot + s.decoded, end - s.decoded, "(bad)");
}
