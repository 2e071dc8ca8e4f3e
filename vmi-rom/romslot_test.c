// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * romslot unit tests: hand-made slots, each with its annotation and clobber
 * class; good ones pass, bad ones must be refused for the rule they break,
 * at the offset of the offending byte (slot at 0x1000, annotation at 0x800).
 */
#include <check.h>
#include "vmi/check_tap.h"
#include <stdio.h>
#include <stdlib.h>
#include "romslot.h"
#include "romtest.h"
#include "romvalidate.h"

#define STD VMI_CLOBBERS_STD
#define RAX VMI_CLOBBERS_RAX
#define NF VMI_NO_FAULT
#define CALL VMI_RELOC_CALL
#define S(bytes) (const uint8_t *)bytes, sizeof(bytes) - 1

struct slot_case {
	const char *name;
	const uint8_t *code;
	unsigned len;
	uint8_t reloc, inline_len, fault, fixup;
	int clobbers;
	const char *what;	/* NULL: valid */
	uint32_t off;		/* of the first problem */
};

static const struct slot_case cases[] = {
	/* valid slots, mostly from the native and hypercall ROMs */
	{ "ret", S("\xc3"), CALL, 0, NF, 0, STD, NULL, 0 },
	{ "nop ret", S("\xc3"), VMI_RELOC_NOP, 0, NF, 0, STD, NULL, 0 },
	{ "nop xor ret", S("\x31\xc0\xc3"), VMI_RELOC_NOP, 0, NF, 0, STD, NULL, 0 },
	{ "nop xor ret (33)", S("\x33\xc0\xc3"), VMI_RELOC_NOP, 0, NF, 0, STD, NULL, 0 },
	{ "none ud2", S("\x0f\x0b"), VMI_RELOC_NONE, 0, NF, 0, STD, NULL, 0 },
	{ "read_cr0 inline", S("\x0f\x20\xc0\xc3"), CALL, 3, NF, 0, STD, NULL, 0 },
	{ "write_cr0 fixup", S("\x0f\x22\xc7\x31\xc0\xc3\x6a\xea\x58\xc3"), CALL, 0, 0, 6, STD, NULL, 0 },
	{ "set_pte fault on store", S("\x48\x89\x37\x31\xc0\xc3\x6a\xf2\x58\xc3"), CALL, 0, 0, 6, STD, NULL, 0 },
	{ "rdpmc can fault", S("\x89\xf9\x0f\x33\xc3\x6a\xfb\x58\xc3"), CALL, 0, 2, 5, STD, NULL, 0 },
	{ "mov gs can fault", S("\x8e\xef\x31\xc0\xc3\x6a\xea\x58\xc3"), CALL, 0, 0, 5, STD, NULL, 0 },
	{ "cpuid saves rbx", S("\x53\x89\xf8\x89\xf1\x0f\xa2\x48\xc1\xe3\x20\x48\x09\xd8\x48\xc1\xe2\x20"
			       "\x48\x09\xca\x5b\xc3"), CALL, 0, NF, 0, STD, NULL, 0 },
	{ "save_fl", S("\x9c\x58\xc3"), CALL, 2, NF, 0, RAX, NULL, 0 },
	{ "irq_disable", S("\xfa\xc3"), CALL, 1, NF, 0, RAX, NULL, 0 },
	{ "callee-save push rcx", S("\x51\x31\xc9\x59\xc3"), CALL, 0, NF, 0, RAX, NULL, 0 },
	{ "safe_halt", S("\xfb\xf4\xc3"), CALL, 2, NF, 0, STD, NULL, 0 },
	{ "hypercall", S("\x49\x89\xd2\xb8\x05\x00\x00\x00\xba\x49\x56\x00\x00\xef\xc3"), CALL, 0, NF, 0, STD,
	  NULL, 0 },
	{ "both branch paths", S("\x85\xff\x74\x01\xc3\xc3"), CALL, 0, NF, 0, STD, NULL, 0 },
	{ "loop backwards", S("\xe2\xfe\xc3"), CALL, 0, NF, 0, STD, NULL, 0 },
	{ "batch loop", S("\x48\x81\xfe\x00\x01\x00\x00\x77\x20\x31\xc0\x48\x39\xf0\x73\x18\x48\x8b\x0f"
			  "\xf6\xc1\x07\x75\x11\x48\x8b\x57\x08\x48\x89\x11\x48\x83\xc7\x10\x48\xff\xc0"
			  "\xeb\xe3\xc3\x6a\xea\x58\xc3"), CALL, 0, NF, 0, STD, NULL, 0 },
	{ "unreachable int3 between", S("\xeb\x02\xcc\xcc\x31\xc0\xc3"), CALL, 0, NF, 0, STD, NULL, 0 },
	/* decoding */
	{ "undecodable", S("\x06\xc3"), CALL, 0, NF, 0, STD, "do not decode", 0 },
	{ "lock on a register op", S("\xf0\x31\xc0\xc3"), CALL, 0, NF, 0, STD, "do not decode", 0 },
	/* control transfers */
	{ "branch outside", S("\xeb\x7f"), CALL, 0, NF, 0, STD, "outside the slot", 0 },
	{ "branch backwards outside", S("\x74\xf0\xc3"), CALL, 0, NF, 0, STD, "outside the slot", 0 },
	{ "branch into an instruction", S("\x74\x01\xb8\x01\x00\x00\x00\xc3"), CALL, 0, NF, 0, STD,
	  "inside an instruction", 0 },
	{ "indirect jmp", S("\xff\xe0"), CALL, 0, NF, 0, STD, "indirect branch", 0 },
	{ "call rel", S("\xc3\xe8\x00\x00\x00\x00\xc3"), CALL, 0, NF, 0, STD, "CALL", 1 },
	{ "call indirect", S("\xff\xd0\xc3"), CALL, 0, NF, 0, STD, "CALL", 0 },
	{ "jmp far", S("\xff\x2f"), CALL, 0, NF, 0, STD, "far", 0 },
	{ "retf", S("\xcb"), CALL, 0, NF, 0, STD, "far", 0 },
	{ "iretq", S("\x48\xcf"), CALL, 0, NF, 0, STD, "out of the slot", 0 },
	{ "int 0x80", S("\xcd\x80\xc3"), CALL, 0, NF, 0, STD, "software interrupt", 0 },
	{ "syscall", S("\x0f\x05\xc3"), CALL, 0, NF, 0, STD, "out of the slot", 0 },
	{ "sysenter", S("\x0f\x34\xc3"), CALL, 0, NF, 0, STD, "out of the slot", 0 },
	{ "rip-relative", S("\x48\x8b\x05\x00\x00\x00\x00\xc3"), CALL, 0, NF, 0, STD, "RIP-relative", 0 },
	{ "rip-relative lea", S("\x48\x8d\x05\x00\x00\x00\x00\xc3"), CALL, 0, NF, 0, STD, "RIP-relative", 0 },
	{ "ret imm", S("\xc2\x08\x00"), CALL, 0, NF, 0, STD, "immediate", 0 },
	{ "ret 66h", S("\x66\xc3"), CALL, 0, NF, 0, STD, "operand-size prefix", 0 },
	{ "jmp 66h", S("\x66\xe9\x00\x00\x00\x00\xc3"), CALL, 0, NF, 0, STD, "operand-size prefix", 0 },
	{ "jz 66h", S("\x66\x74\x00\xc3"), CALL, 0, NF, 0, STD, "operand-size prefix", 0 },
	{ "falls into int3", S("\xb8\x01\x00\x00\x00"), CALL, 0, NF, 0, STD, "reaches INT3", 5 },
	{ "junk after ret", S("\xc3\x90"), CALL, 0, NF, 0, STD, "neither reachable", 1 },
	{ "hidden junk", S("\xeb\x01\x90\xc3"), CALL, 0, NF, 0, STD, "neither reachable", 2 },
	/* relocation kinds */
	{ "none without ud2", S("\xc3"), VMI_RELOC_NONE, 0, NF, 0, STD, "does not begin with UD2", 0 },
	{ "nop that does something", S("\xb8\x01\x00\x00\x00\xc3"), VMI_RELOC_NOP, 0, NF, 0, STD,
	  "reloc nop slot", 0 },
	{ "nop xor other reg", S("\x31\xc9\xc3"), VMI_RELOC_NOP, 0, NF, 0, STD, "reloc nop slot", 0 },
	/* inline bytes */
	{ "inline mid-instruction", S("\x0f\x20\xc0\xc3"), CALL, 2, NF, 0, STD, "inline_len does not end", 0x801 },
	{ "inline ret", S("\xc3"), CALL, 1, NF, 0, STD, "inline bytes contain", 0 },
	{ "inline branch", S("\x74\x00\xc3"), CALL, 2, NF, 0, STD, "inline bytes contain", 0 },
	{ "inline rsp", S("\x48\x8b\x04\x24\xc3"), CALL, 4, NF, 0, STD, "through rsp", 0 },
	/* fault fixups */
	{ "fault mid-instruction", S("\x0f\x22\xc7\x31\xc0\xc3\x6a\xea\x58\xc3"), CALL, 0, 1, 6, STD,
	  "fault_off is not on", 0x802 },
	{ "fault unreachable", S("\xc3\x0f\x22\xc7\xc3"), CALL, 0, 1, 4, STD, "unreachable instruction", 0x802 },
	{ "fault cannot #GP", S("\x31\xc0\xc3\x6a\xea\x58\xc3"), CALL, 0, 0, 3, STD, "cannot raise #GP", 0x802 },
	{ "fixup mid-instruction", S("\x0f\x22\xc7\x31\xc0\xc3\x6a\xea\x58\xc3"), CALL, 0, 0, 7, STD,
	  "fixup_off is not on", 0x803 },
	{ "fixup code falls off", S("\x0f\x22\xc7\x31\xc0\xc3\x6a\xea\x58"), CALL, 0, 0, 6, STD,
	  "reaches INT3", 9 },
	/* the stack */
	{ "unbalanced ret", S("\x53\xc3"), CALL, 0, NF, 0, STD, "RET with bytes still pushed", 1 },
	{ "pops the return address", S("\x58\xc3"), CALL, 0, NF, 0, STD, "pops more than", 0 },
	{ "sub rsp", S("\x48\x83\xec\x08\xc3"), CALL, 0, NF, 0, STD, "other than by PUSH", 0 },
	{ "leave", S("\xc9\xc3"), CALL, 0, NF, 0, STD, "other than by PUSH", 0 },
	{ "72 bytes pushed", S("\x50\x50\x50\x50\x50\x50\x50\x50\x50"), CALL, 0, NF, 0, STD,
	  "more than 64 bytes", 8 },
	{ "64 bytes pushed", S("\x50\x50\x50\x50\x50\x50\x50\x50\x58\x58\x58\x58\x58\x58\x58\x58\xc3"),
	  CALL, 0, NF, 0, STD, NULL, 0 },
	{ "paths disagree", S("\x85\xff\x74\x01\x50\x58\xc3"), CALL, 0, NF, 0, STD, "different stack depths",
	  5 },
	{ "fixup keeps the fault's depth", S("\x9c\xfa\x8e\xef\x9d\x31\xc0\xc3\x9d\x6a\xea\x58\xc3"), CALL, 0,
	  2, 8, STD, NULL, 0 },
	{ "inline push", S("\x53\x31\xdb\x5b\xc3"), CALL, 1, NF, 0, STD, "leave rsp changed", 0 },
	{ "inline pushfq; pop rax", S("\x9c\x58\xc3"), CALL, 1, NF, 0, RAX, "leave rsp changed", 0 },
	/* clobbers */
	{ "callee-save writes rcx", S("\x31\xc9\xc3"), CALL, 0, NF, 0, RAX, "writes rcx", 0 },
	{ "callee-save writes rdx via cpuid", S("\x0f\xa2\xc3"), CALL, 0, NF, 0, RAX, "writes rcx", 0 },
	{ "System V writes rbx", S("\x31\xdb\xc3"), CALL, 0, NF, 0, STD, "writes rbx", 0 },
	{ "System V writes r12", S("\x4d\x31\xe4\xc3"), CALL, 0, NF, 0, STD, "writes r12", 0 },
	{ "cpuid without saving rbx", S("\x0f\xa2\xc3"), CALL, 0, NF, 0, STD, "writes rbx", 0 },
	{ "write before push", S("\x31\xdb\x53\x5b\xc3"), CALL, 0, NF, 0, STD, "writes rbx", 0 },
	{ "pop into a register not pushed", S("\x50\x5b\xc3"), CALL, 0, NF, 0, STD, "writes rbx", 1 },
	{ "xmm", S("\x66\x0f\xef\xc0\xc3"), CALL, 0, NF, 0, STD, "SSE", 0 },
	{ "x87", S("\xd9\xe8\xc3"), CALL, 0, NF, 0, STD, "x87", 0 },
};

static void make_slot(uint8_t slot[VMI_SLOT_SIZE], const struct slot_case *c)
{
	memset(slot, 0xcc, VMI_SLOT_SIZE);
	memcpy(slot, c->code, c->len);
}

START_TEST(test_case)
{
	const struct slot_case *c = &cases[_i];
	uint8_t slot[VMI_SLOT_SIZE];
	struct vmi_annotation a = { c->reloc, c->inline_len, c->fault, c->fixup, { 0 } };
	struct romslot_where where = { 0x1000, 0x800 };
	struct rt_problems p = { 0 };
	unsigned n;

	make_slot(slot, c);
	n = romslot__check(slot, &a, c->clobbers, &where, rt_collect, &p);
	if (!c->what) {
		ck_assert_msg(n == 0, "%s: refused: 0x%x %s", c->name, p.first_off, p.first);
		return;
	}
	ck_assert_msg(n > 0, "%s: accepted", c->name);
	ck_assert_msg(strstr(p.first, c->what) && p.first_off == (c->off >= 0x800 ? c->off : 0x1000 + c->off),
		      "%s: got 0x%x '%s', want 0x%x '%s'", c->name, p.first_off, p.first, c->off, c->what);
}
END_TEST

START_TEST(test_crosses_end)
{
	uint8_t slot[VMI_SLOT_SIZE];
	struct vmi_annotation a = { CALL, 0, NF, 0, { 0 } };
	struct romslot_where where = { 0x1000, 0x800 };
	struct rt_problems p = { 0 };

	memset(slot, 0xcc, sizeof(slot));
	slot[0] = 0xc3;
	slot[60] = 0x48, slot[61] = 0xb8;	/* mov rax, imm64: 10 bytes */
	ck_assert_uint_eq(romslot__check(slot, &a, STD, &where, rt_collect, &p), 1);
	ck_assert_str_eq(p.first, "instruction crosses the end of the slot");
	ck_assert_uint_eq(p.first_off, 0x1000 + 60);
	memset(slot, 0x90, sizeof(slot));	/* 64 NOPs: control runs off the end */
	memset(&p, 0, sizeof(p));
	ck_assert_uint_eq(romslot__check(slot, &a, STD, &where, rt_collect, &p), 1);
	ck_assert_str_eq(p.first, "control runs past the end of the slot");
	ck_assert_uint_eq(p.first_off, 0x1000 + 63);
}
END_TEST

struct listing {
	unsigned n, end;
	char last[64];
};

static void collect_insn(void *ctx, unsigned off, const uint8_t *bytes, unsigned len, const char *text)
{
	struct listing *l = ctx;

	(void)bytes;
	l->n++;
	l->end = off + len;
	snprintf(l->last, sizeof(l->last), "%s", text);
}

START_TEST(test_disasm)
{
	uint8_t slot[VMI_SLOT_SIZE];
	struct vmi_annotation a = { CALL, 0, 0, 6, { 0 } };
	struct listing l = { 0 };

	make_slot(slot, &cases[6]);	/* write_cr0: up to the end of the fixup, not the padding */
	romslot__disasm(slot, &a, collect_insn, &l);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_uint_eq(l.end, 10);
	ck_assert_str_eq(l.last, "ret");
	memset(&l, 0, sizeof(l));
	a = (struct vmi_annotation){ VMI_RELOC_NONE, 0, NF, 0, { 0 } };
	make_slot(slot, &cases[4]);
	romslot__disasm(slot, &a, collect_insn, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.last, "ud2");
	memset(&l, 0, sizeof(l));
	slot[2] = 0x06;		/* bytes that do not decode: the listing says so */
	a.reloc = CALL;
	slot[0] = 0x90, slot[1] = 0x90;
	romslot__disasm(slot, &a, collect_insn, &l);
	ck_assert_str_eq(l.last, "(bad)");
	ck_assert_uint_eq(l.end, VMI_SLOT_SIZE);
}
END_TEST

/* romvalidate: the whole image, slot problems named by call. */
START_TEST(test_validate_image)
{
	uint8_t img[RT_LEN];
	struct rt_problems p = { 0 };

	rt_make(img);
	ck_assert_uint_eq(romvalidate__image(img, sizeof(img), rt_collect, &p), 0);
	img[RT_SLOTS + VMI_SLOT_SIZE] = 0x90;	/* call 1 cpuid falls into INT3 */
	rt_seal(img, RT_LEN);
	ck_assert_uint_eq(romvalidate__image(img, sizeof(img), rt_collect, &p), 1);
	ck_assert_str_eq(p.first, "call 1 cpuid: control reaches INT3 padding");
	ck_assert_uint_eq(p.first_off, RT_SLOTS + VMI_SLOT_SIZE + 1);
	/* a bad checksum alone does not keep the slots from being checked */
	img[RT_LEN - 1]++;
	memset(&p, 0, sizeof(p));
	ck_assert_uint_eq(romvalidate__image(img, sizeof(img), rt_collect, &p), 2);
	/* stop after the first problem when report asks */
	memset(&p, 0, sizeof(p));
	p.stop_after_first = 1;
	ck_assert_uint_eq(romvalidate__image(img, sizeof(img), rt_collect, &p), 1);
	ck_assert_str_eq(p.first, "checksum is not zero");
	ck_assert_str_eq(romvalidate__call_name(VMI_CALL_SAVE_FL), "save_fl");
	ck_assert_ptr_null(romvalidate__call_name(VMI_NUM_CALLS));
	ck_assert_int_eq(romvalidate__clobbers(VMI_CALL_IRQ_ENABLE), RAX);
	ck_assert_int_eq(romvalidate__clobbers(100000), STD);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("romslot");
	TCase *tc = tcase_create("rules");

	tcase_add_loop_test(tc, test_case, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_crosses_end);
	tcase_add_test(tc, test_disasm);
	tcase_add_test(tc, test_validate_image);
	suite_add_tcase(s, tc);
	return check_tap__run(s, CK_FORK);
}
