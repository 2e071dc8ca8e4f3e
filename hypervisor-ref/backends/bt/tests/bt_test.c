// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Check units for the bt core: the differential suite against Unicorn
 * (random sequences, translated and single-stepped) and directed tests of
 * what Unicorn's flat mode cannot judge: precise page faults with their
 * error codes and CR2, accessed/dirty bits, #DE, privilege changes through
 * IRETQ/INT/SYSCALL/SYSRET, and self-modifying code.
 */
#include <check.h>
#include "vmi/check_tap.h"
#include <stdlib.h>
#include <string.h>
#include "../bt.h"
#include "../bt_internal.h"
#include "../emit.h"
#include "diff.h"

/* ---- the differential suite ---- */

static void run_diff(bool single, uint64_t first, unsigned n, int bits)
{
	struct diff *d = diff__new(single);
	static struct gen_case g;
	char msg[4096];
	for (unsigned i = 0; i < n; i++) {
		gen__case(&g, first + i, 24, bits);
		int bad = diff__run(d, &g, first + i, msg, sizeof(msg));
		ck_assert_msg(!bad, "seed %llu (bt-fuzz --seed %llu --cases 1 --show):\n%s",
			      (unsigned long long)(first + i), (unsigned long long)(first + i), msg);
	}
	diff__free(d);
}

START_TEST(diff_translated) { run_diff(false, 1, 2000, 64); }
END_TEST

START_TEST(diff_single_step) { run_diff(true, 100000, 300, 64); }
END_TEST

/* 32-bit protected-mode code is re-encoded, not copied: its own suite. */
START_TEST(diff_protected_mode) { run_diff(false, 200000, 1000, 32); }
END_TEST

START_TEST(diff_long_blocks)
{
	struct diff *d = diff__new(false);
	static struct gen_case g;
	char msg[4096];
	for (unsigned i = 0; i < 100; i++) {
		gen__case(&g, 500000 + i, 300, 64);
		ck_assert_msg(!diff__run(d, &g, 500000 + i, msg, sizeof(msg)), "seed %u:\n%s",
			      500000 + i, msg);
	}
	diff__free(d);
}
END_TEST

/* Random bytes as CPL0 code: the host survives, and bt never gives up
 * (BT_EXIT_FAULT) on what is only a misbehaving guest. */
START_TEST(garbage_code)
{
	struct diff *d = diff__new(false);
	char msg[256];
	for (unsigned i = 0; i < 3000; i++) {
		int e = diff__garbage(d, 1 + i, msg, sizeof(msg));
		ck_assert_msg(e != BT_EXIT_FAULT, "seed %u: %s", 1 + i, msg);
	}
	diff__free(d);
}
END_TEST

/* ---- the translator's own encoder against Zydis's decoder ---- */

START_TEST(modrm_encodings_decode_back)
{
	/* lea r, [base + index*scale + disp] as memop.c emits it, for every
	 * register pair, scale and displacement class */
	static const int32_t disps[] = { 0, 1, -1, 127, -128, 128, -129, 0x12345678, INT32_MIN };
	ZydisDecoder dec;
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	for (int dst = 0; dst < 16; dst++)
		for (int base = 0; base < 16; base++)
			for (int index = -1; index < 16; index++)
				for (int scale = 1; scale <= 8; scale *= 2)
					for (unsigned k = 0; k < sizeof(disps) / sizeof(disps[0]); k++) {
		if (index == 4 || (index < 0 && scale > 1))
			continue;
		uint8_t buf[16];
		struct emit e = { buf, buf + sizeof(buf), 0, NULL };
		e_op_mem(&e, true, 0x8d, dst, base, index, scale, disps[k]);
		ZydisDecodedInstruction in;
		ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
		ck_assert(ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, buf, (ZyanUSize)(e.p - buf), &in, ops)));
		ck_assert_uint_eq(in.length, e.p - buf);
		ck_assert_int_eq(in.mnemonic, ZYDIS_MNEMONIC_LEA);
		ck_assert_int_eq(ZydisRegisterGetId(ops[0].reg.value), dst);
		ck_assert_int_eq(ZydisRegisterGetId(ops[1].mem.base), base);
		ck_assert_int_eq(ops[1].mem.index == ZYDIS_REGISTER_NONE ? -1 :
				 ZydisRegisterGetId(ops[1].mem.index), index);
		if (index >= 0)
			ck_assert_int_eq(ops[1].mem.scale, scale);
		ck_assert_int_eq(ops[1].mem.disp.value, disps[k]);
	}
}
END_TEST

/* ---- directed tests: a small long-mode machine with 4 KiB pages ---- */

#define RAM	(4u << 20)
#define PT	0x10000u	/* one page table per 2 MiB: 0x10000, 0x11000 */
#define IDT	0x5000u
#define GDT	0x8000u
#define TSS	0x7000u
#define HANDLERS 0x6000u	/* vector v: hlt at HANDLERS + 16 v */
#define CODE	0x100000u
#define UCODE	0x120000u
#define STACK	0x380000u
#define KSTACK	0x3a0000u

static uint8_t *ram;
static struct bt_machine m;
static struct bt_cpu *c;

static void put64(uint64_t a, uint64_t v) { memcpy(ram + a, &v, 8); }
static uint64_t get64(uint64_t a) { uint64_t v; memcpy(&v, ram + a, 8); return v; }

static uint64_t *pte(uint64_t va) { return (uint64_t *)(void *)(ram + PT + (va >> 12) * 8); }

static void setup_opts(const struct bt_opts *o)
{
	char err[128];
	ram = calloc(1, RAM);
	m = (struct bt_machine){ .ram = ram, .ram_size = RAM };
	c = bt__create(&m, o, err, sizeof(err));
	ck_assert_ptr_nonnull(c);
	put64(0x1000, 0x2000 | 7);
	put64(0x2000, 0x3000 | 7);
	put64(0x3000, PT | 7);
	put64(0x3008, (PT + 0x1000) | 7);
	for (uint64_t p = 0; p < 1024; p++)	/* supervisor, writable, not accessed */
		put64(PT + 8 * p, (p << 12) | 3);
	for (uint64_t p = UCODE >> 12; p < (UCODE >> 12) + 16; p++)
		*pte(p << 12) |= 4;
	for (int v = 0; v < 256; v++) {
		uint64_t h = HANDLERS + 16 * (uint64_t)v;
		ram[h] = 0xf4;
		uint64_t lo = (h & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((h >> 16) << 48);
		if (v == 0x80)
			lo |= 3ull << 45;	/* DPL 3: int 0x80 from user */
		put64(IDT + 16 * (uint64_t)v, lo);
		put64(IDT + 16 * (uint64_t)v + 8, 0);
	}
	put64(GDT + 0x08, 0x00af9b000000ffffull);
	put64(GDT + 0x10, 0x00cf93000000ffffull);
	put64(GDT + 0x18, 0x00cffb000000ffffull);	/* user code 32 (SYSRET base) */
	put64(GDT + 0x20, 0x00cff3000000ffffull);	/* user data */
	put64(GDT + 0x28, 0x00affb000000ffffull);	/* user code 64 */
	put64(TSS + 4, KSTACK);
	c->cr0 = 0x80010011;
	c->cr3 = 0x1000;
	c->cr4 = 0x20;
	c->efer = 0xd01;
	c->gdt_base = GDT;
	c->gdt_limit = 0x3f;
	c->idt_base = IDT;
	c->idt_limit = 0xfff;
	c->tr.base = TSS;
	cpu__load_seg_cache(c, S_CS, 0x08, 0x00af9b000000ffffull);
	cpu__load_seg_cache(c, S_SS, 0x10, 0x00cf93000000ffffull);
	c->gpr[R_SP] = STACK;
	c->rip = CODE;
	c->rflags = 2;
	c->star = (0x18ull << 48) | (0x08ull << 32);
	c->lstar = HANDLERS + 16 * 0xfe;
	c->fmask = 0x200;
	bt__state_changed(c);
	bt__invalidate_code(c);
}

static void setup(void)
{
	setup_opts(NULL);
}

static void teardown(void)
{
	bt__destroy(c);
	free(ram);
}

static void code(uint64_t at, const char *bytes, size_t n)
{
	memcpy(ram + at, bytes, n);
	bt__invalidate_code(c);
}

/* Run to the first hlt; returns the vector whose handler halted, or -1. */
static int run_to_hlt(void)
{
	enum bt_exit e = BT_EXIT_BUDGET;
	for (int i = 0; i < 100 && e == BT_EXIT_BUDGET; i++)
		e = bt__run(c, 1000);
	ck_assert_int_eq(e, BT_EXIT_HLT);
	if (c->rip > HANDLERS && c->rip <= HANDLERS + 16 * 256)
		return (int)((c->rip - 1 - HANDLERS) / 16);
	return -1;
}

START_TEST(pf_not_present_is_precise)
{
	/* mov rbx, 0x2fff00; add rax, 1; mov rcx, [rbx+0x100]; hlt */
	static const char p[] = "\x48\xc7\xc3\x00\xff\x2f\x00\x48\x83\xc0\x01"
				"\x48\x8b\x8b\x00\x01\x00\x00\xf4";
	code(CODE, p, sizeof(p) - 1);
	*pte(0x300000) = 0;
	c->gpr[R_CX] = 0x1234;
	c->gpr[R_AX] = ~0ull;		/* add sets CF ZF AF PF: they must reach the frame */
	ck_assert_int_eq(run_to_hlt(), 14);
	ck_assert_uint_eq(c->cr2, 0x300000);
	ck_assert_uint_eq(get64(c->gpr[R_SP]), 0);		/* error code: read, not present */
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 8), CODE + 11);	/* rip of the mov */
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 24) & 0x8d5, 0x55);
	ck_assert_uint_eq(c->gpr[R_CX], 0x1234);
	ck_assert_uint_eq(c->gpr[R_AX], 0);
	ck_assert_uint_eq(c->gpr[R_BX], 0x2fff00);
}
END_TEST

START_TEST(pf_write_protect_and_dirty)
{
	/* mov [rbx], eax; hlt -- first to a writable page (dirty bit), then read-only */
	static const char p[] = "\x89\x03\xf4";
	code(CODE, p, sizeof(p) - 1);
	c->gpr[R_BX] = 0x200010;
	run_to_hlt();
	ck_assert_uint_eq(*pte(0x200000) & 0x60, 0x60);		/* accessed and dirty */
	ck_assert_uint_eq(*pte(0x201000) & 0x60, 0);
	c->rip = CODE;
	c->gpr[R_BX] = 0x201ffe;			/* page-crossing into a read-only page */
	*pte(0x202000) &= ~2ull;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 14);
	ck_assert_uint_eq(c->cr2, 0x202000);
	ck_assert_uint_eq(get64(c->gpr[R_SP]), 3);		/* write, protection */
	ck_assert_uint_eq(get64(0x201ffe) & 0xffff, 0);	/* nothing half-written */
}
END_TEST

START_TEST(pf_user_and_nx)
{
	/* user code at UCODE reads a supervisor page: #PF err 5 */
	static const char p[] = "\x8b\x03\xf4";
	code(UCODE, p, sizeof(p) - 1);
	cpu__load_seg_cache(c, S_CS, 0x2b, 0x00affb000000ffffull);
	cpu__load_seg_cache(c, S_SS, 0x23, 0x00cff3000000ffffull);
	c->cpl = 3;
	c->rip = UCODE;
	c->gpr[R_BX] = 0x200000;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 14);
	ck_assert_uint_eq(get64(c->gpr[R_SP]), 5);
	ck_assert_int_eq(c->cpl, 0);
	ck_assert_uint_eq(c->gpr[R_SP], KSTACK - 48);		/* TSS.RSP0, 5 words + error */
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 16), 0x2b);	/* user cs in the frame */
	/* a fetch from an NX page */
	*pte(0x140000) |= 1ull << 63;
	code(CODE, "\xe9\xfb\xff\x03\x00", 5);			/* jmp 0x140000 */
	c->rip = CODE;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 14);
	ck_assert_uint_eq(get64(c->gpr[R_SP]), 0x11);		/* fetch, protection */
	ck_assert_uint_eq(c->cr2, 0x140000);
}
END_TEST

START_TEST(divide_error)
{
	/* xor edx, edx; div ecx with ecx = 0 */
	code(CODE, "\x31\xd2\xf7\xf1\xf4", 5);
	c->gpr[R_CX] = 0;
	ck_assert_int_eq(run_to_hlt(), 0);
	ck_assert_uint_eq(get64(c->gpr[R_SP]), CODE + 2);
}
END_TEST

/* Kernel code at CODE that iretq's to UCODE at CPL 3 (IF set, user stack
 * below 0x130000, both pages user-accessible); the caller writes UCODE. */
static void iretq_to_user(void)
{
	uint64_t frame = STACK - 40;
	put64(frame, UCODE);
	put64(frame + 8, 0x2b);
	put64(frame + 16, 0x202);
	put64(frame + 24, 0x130000);
	put64(frame + 32, 0x23);
	for (uint64_t p = 0x12f000; p < 0x131000; p += 0x1000)
		*pte(p) |= 4;
	code(CODE, "\x48\xcf", 2);				/* iretq */
	c->rip = CODE;
	c->gpr[R_SP] = frame;
}

START_TEST(user_round_trip)
{
	/* kernel: iretq to user; user: syscall; kernel at LSTAR halts */
	iretq_to_user();
	code(UCODE, "\x48\x83\xc0\x05\x0f\x05", 6);		/* add rax, 5; syscall */
	ck_assert_int_eq(run_to_hlt(), 0xfe);
	ck_assert_int_eq(c->cpl, 0);
	ck_assert_uint_eq(c->gpr[R_CX], UCODE + 6);
	ck_assert_uint_eq(c->gpr[R_11] & 0x200, 0x200);
	ck_assert_uint_eq(c->rflags & 0x200, 0);		/* FMASK cleared IF */
	ck_assert_uint_eq(c->gpr[R_AX], 5);
	/* sysretq back, then int 0x80 from user */
	code(HANDLERS + 16 * 0xfe + 1, "\x48\x0f\x07", 3);
	code(UCODE + 6, "\xcd\x80", 2);
	c->rip = HANDLERS + 16 * 0xfe + 1;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 0x80);
	ck_assert_uint_eq(get64(c->gpr[R_SP]), UCODE + 8);
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 8), 0x2b);
}
END_TEST

START_TEST(swapgs_translated)
{
	/* swapgs; mov rax, gs:[8]; swapgs; mov rbx, gs:[8]; hlt, in one block,
	 * with live flags across it (stc before, setc after) */
	code(CODE, "\xf9\x0f\x01\xf8\x65\x48\x8b\x04\x25\x08\x00\x00\x00"
		   "\x0f\x01\xf8\x65\x48\x8b\x1c\x25\x08\x00\x00\x00\x0f\x92\xc1\xf4", 29);
	put64(0x200008, 0x1111);
	put64(0x300008, 0x2222);
	c->seg[S_GS].base = 0x300000;
	c->kernel_gs_base = 0x200000;
	c->gpr[R_CX] = 0;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->gpr[R_AX], 0x1111);
	ck_assert_uint_eq(c->gpr[R_BX], 0x2222);
	ck_assert_uint_eq(c->gpr[R_CX] & 0xff, 1);
	ck_assert_uint_eq(c->seg[S_GS].base, 0x300000);
	ck_assert_uint_eq(c->kernel_gs_base, 0x200000);
	/* one swapgs left: the C side sees the exchange too */
	code(CODE, "\x0f\x01\xf8\xf4", 4);
	c->rip = CODE;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->seg[S_GS].base, 0x200000);
	ck_assert_uint_eq(c->kernel_gs_base, 0x300000);
	/* from user mode it is #GP(0) */
	iretq_to_user();
	code(UCODE, "\x0f\x01\xf8", 3);
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 13);
	ck_assert_uint_eq(c->seg[S_GS].base, 0x200000);
}
END_TEST

static int irq_vector = -1;
static int test_irq_pending(void *o) { (void)o; return irq_vector; }
static int test_irq_ack(void *o)
{
	int v = irq_vector;
	(void)o;
	irq_vector = -1;
	return v;
}

START_TEST(sti_hlt_wakes_on_pending_irq)
{
	/* An interrupt already pending at `sti; hlt` is taken right after the
	 * hlt (the STI shadow only covers the hlt itself): nothing else will
	 * come to wake the vCPU. Both translated (in a block) and alone. */
	static const char *const seqs[] = { "\xfa\x90\xfb\xf4", "\xfb\xf4" };
	for (int i = 0; i < 2; i++) {
		code(CODE, seqs[i], strlen(seqs[i]));
		c->rip = CODE;
		c->rflags = 2;
		c->gpr[R_SP] = STACK;
		m.irq_pending = test_irq_pending;
		m.irq_ack = test_irq_ack;
		irq_vector = 0x30;
		bt__state_changed(c);
		bt__kick(c);
		ck_assert_int_eq(run_to_hlt(), 0x30);
		ck_assert_uint_eq(get64(c->gpr[R_SP]), CODE + strlen(seqs[i]));
		m.irq_pending = NULL;
		m.irq_ack = NULL;
	}
}
END_TEST

/* A TPR the test's interrupt source honours, as the local APIC does. */
static uint64_t test_tpr;
static void test_set_cr8(void *o, uint64_t v) { (void)o; test_tpr = v; }
static uint64_t test_get_cr8(void *o) { (void)o; return test_tpr; }
static int test_tpr_pending(void *o)
{
	(void)o;
	return irq_vector >= 0 && (uint64_t)(irq_vector >> 4) > test_tpr ? irq_vector : -1;
}

START_TEST(cr8_lowered_takes_waiting_irq)
{
	/* mov cr8, rax; inc rbx; inc rbx; hlt with IF set and vector 0x30
	 * held back by TPR 15: lowering the TPR to 0 lets it in before the
	 * next instruction. Raising it again (rax = 15) lets nothing in. */
	code(CODE, "\x44\x0f\x22\xc0\x48\xff\xc3\x48\xff\xc3\xf4", 11);
	for (int lower = 0; lower < 2; lower++) {
		c->rip = CODE;
		c->rflags = 0x202;
		c->gpr[R_SP] = STACK;
		c->gpr[R_AX] = lower ? 0 : 15;
		c->gpr[R_BX] = 0;
		m.irq_pending = test_tpr_pending;
		m.irq_ack = test_irq_ack;
		m.set_cr8 = test_set_cr8;
		m.get_cr8 = test_get_cr8;
		test_tpr = 15;
		irq_vector = 0x30;
		bt__state_changed(c);
		if (lower) {
			ck_assert_int_eq(run_to_hlt(), 0x30);
			ck_assert_uint_eq(c->gpr[R_BX], 0);
			ck_assert_uint_eq(get64(c->gpr[R_SP]), CODE + 4);
		} else {
			ck_assert_int_eq(run_to_hlt(), -1);
			ck_assert_uint_eq(c->gpr[R_BX], 2);
		}
		m.irq_pending = NULL;
		m.irq_ack = NULL;
		m.set_cr8 = NULL;
		m.get_cr8 = NULL;
		irq_vector = -1;
	}
}
END_TEST

START_TEST(sysret_takes_waiting_irq_first)
{
	/* sysretq to user code with IF set in r11 while an interrupt waits: it
	 * is taken before the first user instruction (rax counts them), not
	 * after the transfer ran on into the user block. */
	for (int waiting = 0; waiting < 2; waiting++) {
		code(CODE, "\x48\x0f\x07", 3);			/* sysretq */
		code(UCODE, "\x48\xff\xc0\xf4", 4);		/* inc rax; hlt (#GP) */
		c->rip = CODE;
		c->rflags = 2;
		c->gpr[R_AX] = 0;
		c->gpr[R_CX] = UCODE;
		c->gpr[R_11] = 0x202;
		c->gpr[R_SP] = STACK;
		m.irq_pending = test_irq_pending;
		m.irq_ack = test_irq_ack;
		irq_vector = waiting ? 0x30 : -1;
		bt__state_changed(c);
		bt__kick(c);
		ck_assert_int_eq(run_to_hlt(), (waiting ? 0x30 : 13));
		ck_assert_uint_eq(c->gpr[R_AX], (waiting ? 0 : 1));
		m.irq_pending = NULL;
		m.irq_ack = NULL;
	}
}
END_TEST

START_TEST(syscall_sysret_flags)
{
	/* user: stc; std; syscall -> r11 holds CF and DF, FMASK clears DF and
	 * IF in the kernel; kernel: sysretq with r11 = ZF|SF|CF|IF -> user
	 * sees exactly those (pushfq; pop rbx; hlt for a #GP to stop on) */
	iretq_to_user();
	c->fmask = 0x600;
	code(UCODE, "\xf9\xfd\x0f\x05\x9c\x5b\xf4", 7);
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 0xfe);
	ck_assert_uint_eq(c->gpr[R_11] & 0x601, 0x601);		/* IF, DF, CF */
	ck_assert_uint_eq(c->rflags & 0x600, 0);
	ck_assert_uint_eq(c->rflags & 1, 1);			/* CF survives SYSCALL */
	ck_assert_uint_eq(c->gpr[R_CX], UCODE + 4);
	code(HANDLERS + 16 * 0xfe + 1, "\x48\x0f\x07", 3);	/* sysretq */
	c->rip = HANDLERS + 16 * 0xfe + 1;
	c->gpr[R_11] = 0x2c3;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 13);
	ck_assert_int_eq(c->cpl, 0);
	ck_assert_uint_eq(c->gpr[R_BX] & 0xfd7, 0x2c3);
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 8), UCODE + 6);	/* #GP at the hlt */
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 16), 0x2b);	/* from CS 0x2b */
	/* a non-canonical rcx: #GP(0) in the kernel, at the sysretq */
	c->rip = HANDLERS + 16 * 0xfe + 1;
	c->gpr[R_CX] = 0x0000800000000000ull;
	c->gpr[R_SP] = STACK;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 13);
	ck_assert_int_eq(c->cpl, 0);
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 8), HANDLERS + 16 * 0xfe + 1);
}
END_TEST

START_TEST(cr3_write_keeps_only_global_pages)
{
	/* Two pages read through the TLB, one global; then both PTEs move to
	 * other frames behind the TLB's back, and MOV CR3 (same value): the
	 * non-global page must be walked again, the global one stays cached
	 * (SDM 4.10.4.1; keeping it is this TLB's choice, and what makes a
	 * context switch cheap). */
	code(CODE, "\x48\x8b\x04\x25\x00\x00\x20\x00"	/* mov rax, [0x200000] */
		   "\x48\x8b\x1c\x25\x00\x10\x20\x00\xf4"	/* mov rbx, [0x201000]; hlt */
		   "\x0f\x22\xd9"				/* mov cr3, rcx */
		   "\x48\x8b\x04\x25\x00\x00\x20\x00"
		   "\x48\x8b\x1c\x25\x00\x10\x20\x00\xf4", 37);
	put64(0x200000, 0x1111);
	put64(0x201000, 0x2222);
	put64(0x210000, 0xaaaa);
	put64(0x211000, 0xbbbb);
	c->cr4 |= CR4_PGE;
	*pte(0x200000) |= 0x100;
	c->gpr[R_CX] = c->cr3;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->gpr[R_AX], 0x1111);
	ck_assert_uint_eq(c->gpr[R_BX], 0x2222);
	*pte(0x200000) = 0x210000 | 0x100 | 3;
	*pte(0x201000) = 0x211000 | 3;
	c->rip = CODE + 17;
	c->halted = false;
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->gpr[R_BX], 0xbbbb);
	ck_assert_uint_eq(c->gpr[R_AX], 0x1111);
}
END_TEST

/* loop: add rbx, [rsi]; add rsi, 8; dec rcx; jnz loop; hlt -- a block
 * that jumps back to itself, so its scratch registers (rdi and rbp here)
 * stay borrowed across the back edge */
static const char sum_loop[] = "\x48\x03\x1e\x48\x83\xc6\x08\x48\xff\xc9\x75\xf4\xf4";

static void sum_loop_setup(uint64_t buf, uint64_t n)
{
	code(CODE, sum_loop, sizeof(sum_loop) - 1);
	c->rip = CODE;
	c->gpr[R_SI] = buf;
	c->gpr[R_CX] = n;
	c->gpr[R_BX] = 0;
	c->gpr[R_DI] = 0x1111;
	c->gpr[R_BP] = 0x2222;
	c->gpr[R_AX] = 0x3333;
	c->gpr[R_DX] = 0x4444;
	bt__state_changed(c);
}

START_TEST(self_loop_fault_is_precise)
{
	/* 4 qwords before an unmapped page, 8 iterations: #PF at the 5th */
	for (int i = 0; i < 4; i++)
		put64(0x200fe0 + 8 * (uint64_t)i, (uint64_t)i + 1);
	*pte(0x201000) = 0;
	sum_loop_setup(0x200fe0, 8);
	ck_assert_int_eq(run_to_hlt(), 14);
	ck_assert_uint_eq(c->cr2, 0x201000);
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 8), CODE);	/* the add, restarted */
	ck_assert_uint_eq(c->gpr[R_BX], 10);
	ck_assert_uint_eq(c->gpr[R_SI], 0x201000);
	ck_assert_uint_eq(c->gpr[R_CX], 4);
	ck_assert_uint_eq(c->gpr[R_DX], 0x4444);
	ck_assert_uint_eq(c->gpr[R_DI], 0x1111);
	ck_assert_uint_eq(c->gpr[R_BP], 0x2222);
}
END_TEST

START_TEST(self_loop_leaves_on_budget)
{
	/* one block per run: the loop leaves at its back edge each time, with
	 * its borrowed registers given back, and goes on where it left */
	for (int i = 0; i < 100; i++)
		put64(0x210000 + 8 * (uint64_t)i, (uint64_t)i);
	sum_loop_setup(0x210000, 100);
	int runs = 0;
	enum bt_exit e;
	while ((e = bt__run(c, 1)) == BT_EXIT_BUDGET && runs < 1000) {
		ck_assert_uint_eq(c->gpr[R_DI], 0x1111);
		ck_assert_uint_eq(c->gpr[R_BP], 0x2222);
		ck_assert_uint_eq(c->gpr[R_AX], 0x3333);
		ck_assert_uint_eq(c->gpr[R_DX], 0x4444);	/* the budget register */
		runs++;
	}
	ck_assert_int_eq(e, BT_EXIT_HLT);
	ck_assert_int_ge(runs, 50);
	ck_assert_uint_eq(c->gpr[R_BX], 4950);
	ck_assert_uint_eq(c->gpr[R_CX], 0);
	ck_assert_uint_eq(c->gpr[R_DI], 0x1111);
	ck_assert_uint_eq(c->gpr[R_BP], 0x2222);
	/* a loop that would not end for years: bt__run still returns after
	 * about its slice, counted in a register across the back edge */
	sum_loop_setup(0x210000, ~0ull);
	*pte(0x211000) = 0x210000 | 3;		/* the buffer repeats page after page */
	for (uint64_t p = 0x212000; p < 0x400000; p += 0x1000)
		*pte(p) = 0x210000 | 3;
	bt__state_changed(c);
	ck_assert_int_eq(bt__run(c, 100), BT_EXIT_BUDGET);
	/* each of up to 100 dispatcher rounds runs what is left of the slice */
	ck_assert_uint_gt(c->gpr[R_SI], 0x210000);
	ck_assert_uint_le(c->gpr[R_SI], 0x210000 + 8 * (100 * 101 / 2 + 100));
	ck_assert_uint_eq(c->gpr[R_DI], 0x1111);
	ck_assert_uint_eq(c->gpr[R_BP], 0x2222);
	/* and at full speed, kicked in the middle: the same sum */
	sum_loop_setup(0x210000, 100);
	bt__kick(c);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->gpr[R_BX], 4950);
	ck_assert_uint_eq(c->gpr[R_DI], 0x1111);
}
END_TEST

/* mov rax, [rbx+8]; add rax, rcx; mov [rbx+8], rax; xor edx, edx; hlt:
 * the store reuses the load's probe of the write TLB (dead flags at it) */
static const char split_rmw[] = "\x48\x8b\x43\x08\x48\x01\xc8\x48\x89\x43\x08\x31\xd2\xf4";

static void split_rmw_run(uint64_t rbx)
{
	code(CODE, split_rmw, sizeof(split_rmw) - 1);
	c->rip = CODE;
	c->gpr[R_BX] = rbx;
	c->gpr[R_CX] = 3;
	c->gpr[R_AX] = 0x5555;
	c->gpr[R_DX] = 0x4444;
	bt__state_changed(c);
}

START_TEST(split_rmw_store_reuses_load)
{
	/* a clean writable page: one TLB miss in all (the load takes the page
	 * for writing and sets the dirty bit), and the sum stored */
	put64(0x200008, 5);
	split_rmw_run(0x200000);
	uint64_t misses = c->slow_mem;
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(get64(0x200008), 8);
	ck_assert_uint_eq(c->slow_mem - misses, 1);
	ck_assert_uint_eq(*pte(0x200000) & 0x60, 0x60);
	ck_assert_uint_eq(c->gpr[R_DX], 0);
	/* a read-only page: the load reads, the add runs, and the store
	 * faults precisely (write, protection), the page left clean */
	*pte(0x201000) &= ~2ull;
	put64(0x201008, 7);
	split_rmw_run(0x201000);
	ck_assert_int_eq(run_to_hlt(), 14);
	ck_assert_uint_eq(c->cr2, 0x201008);
	ck_assert_uint_eq(get64(c->gpr[R_SP]), 3);
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 8), CODE + 7);	/* the store */
	ck_assert_uint_eq(c->gpr[R_AX], 10);
	ck_assert_uint_eq(c->gpr[R_DX], 0x4444);
	ck_assert_uint_eq(get64(0x201008), 7);
	ck_assert_uint_eq(*pte(0x201000) & 0x40, 0);
	/* page-crossing: the load through the bounce buffer, the store
	 * through its own miss path, both halves written */
	put64(0x202ffc, 0x1111111122222222ull);
	split_rmw_run(0x202ff4);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(get64(0x202ffc), 0x1111111122222225ull);
	/* a page of translated code: the store must see it (the block
	 * storing into itself is sent round again) */
	put64(CODE + 0x808, 40);
	split_rmw_run(CODE + 0x800);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(get64(CODE + 0x808), 43);
}
END_TEST

START_TEST(split_rmw_rip_relative)
{
	/* mov eax, [rip+a]; xor eax, ecx; mov [rip+a'], eax; add edx, 1; hlt,
	 * a and a' naming the same dword on the next page */
	static const char p[] = "\x8b\x05\xfa\x0f\x00\x00\x31\xc8\x89\x05\xf2\x0f\x00\x00"
				"\x83\xc2\x01\xf4";
	code(CODE, p, sizeof(p) - 1);
	put64(CODE + 0x1000, 0xf0f0);
	c->rip = CODE;
	c->gpr[R_CX] = 0xff;
	c->gpr[R_DX] = 1;
	bt__state_changed(c);
	uint64_t misses = c->slow_mem;
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(get64(CODE + 0x1000), 0xf00f);
	ck_assert_uint_eq(c->gpr[R_AX], 0xf00f);
	ck_assert_uint_eq(c->gpr[R_DX], 2);
	ck_assert_uint_eq(c->slow_mem - misses, 1);
}
END_TEST

static uint64_t mmio_last;
static int mmio_reads, mmio_writes;

/* A device that reads 100 everywhere and records the last write. */
static bool test_mmio(void *o, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	(void)o; (void)gpa; (void)size;
	if (write) {
		mmio_writes++;
		mmio_last = *val;
	} else {
		mmio_reads++;
		*val = 100;
	}
	return true;
}

START_TEST(split_rmw_more)
{
	/* A store at rip 0 opening a self-loop, its scratch registers pinned
	 * (and holding guest values) from the block's entry: it must probe,
	 * not take them for a fused pointer (found in review: it wrote
	 * through the guest's rsi). mov [rbx], rax; sub rcx, 1; jnz 0; hlt */
	static const char at0[] = "\x48\x89\x03\x48\x83\xe9\x01\x75\xf7\xf4";
	static uint64_t host_word = 0x1234;
	code(0, at0, sizeof(at0) - 1);
	c->rip = 0;
	c->gpr[R_BX] = 0x200000;
	c->gpr[R_AX] = 0x4141;
	c->gpr[R_CX] = 3;
	c->gpr[R_SI] = (uint64_t)(uintptr_t)&host_word;
	c->gpr[R_DI] = 0;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(host_word, 0x1234);
	ck_assert_uint_eq(get64(0x200000), 0x4141);

	/* A self-loop of fused pairs walking into a read-only page: #PF at the
	 * store with the add done and every pinned register intact.
	 * 0: mov rax,[rbx]; add rax,rdx; mov [rbx],rax; add rbx,8; sub rcx,1; jnz 0; hlt */
	static const char walk[] = "\x48\x8b\x03\x48\x01\xd0\x48\x89\x03\x48\x83\xc3\x08"
				   "\x48\x83\xe9\x01\x75\xed\xf4";
	code(CODE, walk, sizeof(walk) - 1);
	for (int i = 0; i < 8; i++)
		put64(0x200fe0 + 8 * (uint64_t)i, 10 * (uint64_t)i);
	*pte(0x201000) &= ~2ull;
	c->rip = CODE;
	c->gpr[R_SP] = STACK;
	c->gpr[R_BX] = 0x200fe0;
	c->gpr[R_CX] = 8;
	c->gpr[R_DX] = 1;
	c->gpr[R_SI] = 0x5151;
	c->gpr[R_DI] = 0x5252;
	c->gpr[R_BP] = 0x5353;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), 14);
	ck_assert_uint_eq(c->cr2, 0x201000);
	ck_assert_uint_eq(get64(c->gpr[R_SP]), 3);
	ck_assert_uint_eq(get64(c->gpr[R_SP] + 8), CODE + 6);
	ck_assert_uint_eq(c->gpr[R_AX], 41);
	ck_assert_uint_eq(c->gpr[R_CX], 4);
	ck_assert_uint_eq(c->gpr[R_SI], 0x5151);
	ck_assert_uint_eq(c->gpr[R_DI], 0x5252);
	ck_assert_uint_eq(c->gpr[R_BP], 0x5353);
	ck_assert_uint_eq(get64(0x200ff8), 31);
	*pte(0x201000) |= 2;

	/* CF live across the pair: stc; mov rax,[rbx]; adc rax,rcx; mov [rbx],rax;
	 * add edx,1; hlt */
	static const char cf[] = "\xf9\x48\x8b\x03\x48\x11\xc8\x48\x89\x03\x83\xc2\x01\xf4";
	code(CODE, cf, sizeof(cf) - 1);
	put64(0x202000, 5);
	c->rip = CODE;
	c->gpr[R_SP] = STACK;
	c->gpr[R_BX] = 0x202000;
	c->gpr[R_CX] = 3;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(get64(0x202000), 9);

	/* an immediate store: mov eax,[rbx]; not eax; mov dword [rbx],0x55;
	 * add edx,1; hlt */
	static const char imm[] = "\x8b\x03\xf7\xd0\xc7\x03\x55\x00\x00\x00\x83\xc2\x01\xf4";
	code(CODE, imm, sizeof(imm) - 1);
	put64(0x203000, 5);
	c->rip = CODE;
	c->gpr[R_BX] = 0x203000;
	bt__state_changed(c);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(get64(0x203000), 0x55);
	ck_assert_uint_eq(c->gpr[R_AX], 0xfffffffa);

	/* MMIO: one read, one write, the sum written */
	m.mmio = test_mmio;
	*pte(0x204000) = 0x500000 | 3;
	split_rmw_run(0x204000 - 8);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_int_eq(mmio_reads, 1);
	ck_assert_int_eq(mmio_writes, 1);
	ck_assert_uint_eq(mmio_last, 103);
	m.mmio = NULL;
}
END_TEST

START_TEST(self_modifying_code)
{
	/* The second pass must run the hlt the first pass stored over the nop. */
	static const char p[] =
		"\xb8\x00\x00\x00\x00"			/* 0: mov eax, 0 */
		"\xeb\x00"				/* 5: jmp 7 (a block boundary) */
		"\x90"					/* 7: nop, then hlt */
		"\xff\xc0"				/* 8: inc eax */
		"\xc6\x05\xf6\xff\xff\xff\xf4"		/* 10: mov byte [rip-10], 0xf4 */
		"\xeb\xf2";				/* 17: jmp 5 */
	code(CODE, p, sizeof(p) - 1);
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->rip, CODE + 8);
	ck_assert_uint_eq(c->gpr[R_AX], 1);
}
END_TEST

START_TEST(sse_loads_guest_fpu_state)
{
	/* The first SSE instruction of a block loads the guest FPU state
	 * unless a block before it in the same run did (a flag-free check with
	 * rcx parked). Three rounds through two chained blocks take both ways;
	 * rcx and every copy survive.
	 * 0: movaps xmm0, [rbx]; jmp 5; 5: movaps [rbx+16], xmm0;
	 * add rbx, 32; dec edx; jnz 0; hlt */
	code(CODE, "\x0f\x28\x03\xeb\x00\x0f\x29\x43\x10\x48\x83\xc3\x20"
		   "\xff\xca\x75\xef\xf4", 18);
	c->cr4 |= 0x200;	/* OSFXSR */
	bt__state_changed(c);
	for (int i = 0; i < 96; i++)
		ram[0x200000 + i] = (uint8_t)(0xa0 + i);
	c->gpr[R_BX] = 0x200000;
	c->gpr[R_CX] = 0x1234567890ull;
	c->gpr[R_DX] = 3;
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->gpr[R_CX], 0x1234567890ull);
	ck_assert_uint_eq(c->gpr[R_BX], 0x200060);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(memcmp(ram + 0x200000 + 32 * i, ram + 0x200010 + 32 * i, 16), 0);
}
END_TEST

/* Blocks of 32 push rax/pop rax pairs (one page of them translates to
 * more than a segment of the smallest cache), each ending in jmp to the
 * next; returns the address after them. */
static uint64_t push_pop_blocks(uint64_t at, unsigned nblocks)
{
	for (unsigned b = 0; b < nblocks; b++) {
		for (int i = 0; i < 32; i++) {
			ram[at++] = 0x50;
			ram[at++] = 0x58;
		}
		ram[at++] = 0xeb;
		ram[at++] = 0x00;
	}
	return at;
}

START_TEST(cache_segments_wrap)
{
	/* Smallest cache (8 segments of 256 KiB). Page P: F (inc eax), ~60
	 * push/pop blocks, L (dec ecx; jnz F; hlt), run twice so that L's stub
	 * is chained back to F, which lies two segments below L. Then fresh
	 * code runs until the ring comes round and empties F's segment, not
	 * L's. Entered at L again, the chain into F's old place (now other
	 * code) must have been undone: F runs once more and L halts. */
	struct bt_opts o = { .cache_size = 2u << 20 };
	teardown();
	setup_opts(&o);
	const uint64_t f = 0x140000;
	ram[f] = 0xff; ram[f + 1] = 0xc0;	/* inc eax */
	ram[f + 2] = 0xeb; ram[f + 3] = 0x00;	/* jmp next */
	uint64_t l = push_pop_blocks(f + 4, 60);
	ck_assert_uint_lt(l + 16, f + 4096);
	uint8_t tail[] = { 0xff, 0xc9, 0x0f, 0x85, 0, 0, 0, 0, 0xf4 };	/* dec ecx; jnz F; hlt */
	int32_t back = (int32_t)(f - (l + 8));
	memcpy(tail + 4, &back, 4);
	memcpy(ram + l, tail, sizeof(tail));
	push_pop_blocks(0x160000, 16 * 60);	/* fresh code, 16 pages */
	bt__invalidate_code(c);
	c->rip = f;
	c->gpr[R_CX] = 2;
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->gpr[R_AX], 2);
	ck_assert_uint_eq(c->cache->evictions, 0);
	/* one block at a time until F's segment (the first) is emptied */
	c->halted = false;
	c->rip = 0x160000;
	for (int i = 0; i < 100000 && c->cache->evictions == 0; i++)
		ck_assert_int_eq(bt__run(c, 1), BT_EXIT_BUDGET);
	ck_assert_uint_eq(c->cache->evictions, 1);
	c->halted = false;
	c->rip = l;
	c->gpr[R_CX] = 2;
	ck_assert_int_eq(run_to_hlt(), -1);
	ck_assert_uint_eq(c->rip, l + 9);
	ck_assert_uint_eq(c->gpr[R_AX], 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bt");
	TCase *t = tcase_create("diff");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, diff_translated);
	tcase_add_test(t, diff_single_step);
	tcase_add_test(t, diff_protected_mode);
	tcase_add_test(t, diff_long_blocks);
	tcase_add_test(t, garbage_code);
	tcase_add_test(t, modrm_encodings_decode_back);
	suite_add_tcase(s, t);
	t = tcase_create("directed");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, pf_not_present_is_precise);
	tcase_add_test(t, pf_write_protect_and_dirty);
	tcase_add_test(t, pf_user_and_nx);
	tcase_add_test(t, divide_error);
	tcase_add_test(t, user_round_trip);
	tcase_add_test(t, swapgs_translated);
	tcase_add_test(t, sti_hlt_wakes_on_pending_irq);
	tcase_add_test(t, sysret_takes_waiting_irq_first);
	tcase_add_test(t, cr8_lowered_takes_waiting_irq);
	tcase_add_test(t, syscall_sysret_flags);
	tcase_add_test(t, cr3_write_keeps_only_global_pages);
	tcase_add_test(t, self_loop_fault_is_precise);
	tcase_add_test(t, self_modifying_code);
	tcase_add_test(t, split_rmw_store_reuses_load);
	tcase_add_test(t, split_rmw_rip_relative);
	tcase_add_test(t, split_rmw_more);
	tcase_add_test(t, self_loop_leaves_on_budget);
	tcase_add_test(t, sse_loads_guest_fpu_state);
	tcase_add_test(t, cache_segments_wrap);
	suite_add_tcase(s, t);
	return check_tap__run(s, CK_NOFORK);
}
