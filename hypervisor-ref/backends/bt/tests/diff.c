// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The oracle is Unicorn (QEMU's x86 emulator as a library). Both machines
 * get the same 4 MiB of RAM, identity-mapped by 2 MiB pages in bt (long mode
 * needs paging); Unicorn's 64-bit mode runs flat. The page tables' accessed
 * and dirty bits are not compared: only the data and stack regions are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include "../bt.h"
#include "diff.h"

struct diff {
	uc_engine *uc, *uc32;
	unsigned long runs;	/* Unicorn's TB cache crashes after ~10^5 reuses */
	struct bt_machine m;
	struct bt_cpu *c;
	uint8_t *ram, *uram;
};

static const int uc_regs[16] = {
	UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
	UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
	UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi",
	"rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

struct diff *diff__new(bool single_step)
{
	struct diff *d = calloc(1, sizeof(*d));
	char err[128];
	d->ram = calloc(1, GEN_RAM);
	d->uram = calloc(1, GEN_RAM);
	if (uc_open(UC_ARCH_X86, UC_MODE_64, &d->uc) != UC_ERR_OK)
		abort();
	uc_mem_map(d->uc, 0, GEN_RAM, UC_PROT_ALL);
	if (uc_open(UC_ARCH_X86, UC_MODE_32, &d->uc32) != UC_ERR_OK)
		abort();
	uc_mem_map(d->uc32, 0, GEN_RAM, UC_PROT_ALL);
	d->m.ram = d->ram;
	d->m.ram_size = GEN_RAM;
	struct bt_opts o = { .single_step = single_step };
	d->c = bt__create(&d->m, &o, err, sizeof(err));
	if (!d->c) {
		fprintf(stderr, "bt: %s\n", err);
		abort();
	}
	return d;
}

void diff__free(struct diff *d)
{
	bt__destroy(d->c);
	uc_close(d->uc);
	uc_close(d->uc32);
	free(d->ram);
	free(d->uram);
	free(d);
}

/* The guest's xmm registers live in the FXSAVE image from offset 160. */
static void set_xmm(struct bt_cpu *c, const struct gen_case *g)
{
	for (int i = 0; i < 16; i++)
		memcpy(c->fx + 160 + 16 * i, &g->xmm[2 * i], 16);
}

/* Identity map the first 4 MiB with 2 MiB pages; long mode, CPL0. */
static void setup_bt(struct diff *d, const struct gen_case *g)
{
	struct bt_cpu *c = d->c;
	uint64_t pml4 = 0x1003 | 0x4, pdpt = 0x2003 | 0x4;
	memcpy(d->ram + 0x1000, &pdpt, 8);
	(void)pml4;
	uint64_t e = 0x2000 | 0x7;
	memcpy(d->ram + 0x1000, &e, 8);
	e = 0x3000 | 0x7;
	memcpy(d->ram + 0x2000, &e, 8);
	for (uint64_t i = 0; i < 2; i++) {
		e = (i << 21) | 0x87;
		memcpy(d->ram + 0x3000 + 8 * i, &e, 8);
	}
	memcpy(c->gpr, g->regs, sizeof(c->gpr));
	c->rip = GEN_CODE;
	c->rflags = g->rflags;
	c->cr0 = CR0_PE | CR0_PG | CR0_WP | 0x10;
	c->cr3 = 0x1000;
	c->cr4 = CR4_PAE;
	c->efer = EFER_LME | EFER_LMA | EFER_NXE;
	cpu__load_seg_cache(c, S_CS, 0x8, 0x00af9b000000ffffull);
	cpu__load_seg_cache(c, S_SS, 0x10, 0x00cf93000000ffffull);
	c->cpl = 0;
	c->cr4 |= 0x600;	/* OSFXSR, OSXMMEXCPT */
	set_xmm(c, g);
	bt__state_changed(c);
	bt__invalidate_code(c);
}

static const int uc_regs32[8] = {
	UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
	UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI,
};

static uc_engine *engine(struct diff *d, const struct gen_case *g)
{
	return g->bits == 64 ? d->uc : d->uc32;
}

/* Unicorn 2 segfaults in tb_set_jmp_target after ~170,000 emu_start calls on
 * one engine with cache removals in between: start afresh now and then. */
static void renew_engines(struct diff *d)
{
	uc_close(d->uc);
	uc_close(d->uc32);
	if (uc_open(UC_ARCH_X86, UC_MODE_64, &d->uc) != UC_ERR_OK ||
	    uc_open(UC_ARCH_X86, UC_MODE_32, &d->uc32) != UC_ERR_OK)
		abort();
	uc_mem_map(d->uc, 0, GEN_RAM, UC_PROT_ALL);
	uc_mem_map(d->uc32, 0, GEN_RAM, UC_PROT_ALL);
}

static void setup_uc(struct diff *d, const struct gen_case *g)
{
	uc_engine *uc = engine(d, g);
	uc_mem_write(uc, 0, d->uram, GEN_RAM);
	uc_ctl_remove_cache(uc, GEN_CODE, GEN_CODE + sizeof(g->code));
	for (int i = 0; i < (g->bits == 64 ? 16 : 8); i++) {
		if (g->bits == 64) {
			uc_reg_write(uc, uc_regs[i], &g->regs[i]);
		} else {
			uint32_t v = (uint32_t)g->regs[i];
			uc_reg_write(uc, uc_regs32[i], &v);
		}
	}
	uint64_t fl = g->rflags;
	uc_reg_write(uc, UC_X86_REG_EFLAGS, &fl);
	for (int i = 0; i < (g->bits == 64 ? 16 : 8); i++)
		uc_reg_write(uc, UC_X86_REG_XMM0 + i, &g->xmm[2 * i]);
}


/* Flat 32-bit protected mode, paging off: what a multiboot entry sees. */
static void setup_bt32(struct diff *d, const struct gen_case *g)
{
	struct bt_cpu *c = d->c;
	cpu__reset(c);
	for (int i = 0; i < 16; i++)
		c->gpr[i] = i < 8 ? (uint32_t)g->regs[i] : 0;
	c->rip = GEN_CODE;
	c->rflags = g->rflags;
	c->cr4 |= 0x600;
	set_xmm(c, g);
	bt__state_changed(c);
	bt__invalidate_code(c);
}

int diff__run(struct diff *d, const struct gen_case *g, uint64_t seed, char *msg, size_t len)
{
	memset(d->ram, 0, 0x4000);
	gen__fill(d->ram, seed);
	memcpy(d->ram + GEN_CODE, g->code, g->len);
	memcpy(d->uram, d->ram, GEN_RAM);
	if (g->bits == 64)
		setup_bt(d, g);
	else
		setup_bt32(d, g);
	if (++d->runs % 20000 == 0)
		renew_engines(d);
	setup_uc(d, g);
	uc_engine *uc = engine(d, g);

	uc_err ue = uc_emu_start(uc, GEN_CODE, GEN_CODE + g->len - 1, 0, 100000);
	enum bt_exit be = BT_EXIT_BUDGET;
	for (int i = 0; i < 1000 && be == BT_EXIT_BUDGET; i++)
		be = bt__run(d->c, 1000);
	if (ue != UC_ERR_OK) {
		snprintf(msg, len, "unicorn: %s", uc_strerror(ue));
		return 1;
	}
	struct bt_cpu *c = d->c;
	if (be != BT_EXIT_HLT || c->rip != GEN_CODE + g->len) {
		char dump[1024];
		bt__dump(c, dump, sizeof(dump));
		snprintf(msg, len, "bt stopped with exit %d at rip %#llx (%s)\n%s", be,
			 (unsigned long long)c->rip, bt__fault_msg(c), dump);
		return 1;
	}
	size_t o = 0;
	int bad = 0;
	for (int i = 0; i < (g->bits == 64 ? 16 : 8); i++) {
		uint64_t v = 0, mine = c->gpr[i];
		if (g->bits == 64) {
			uc_reg_read(uc, uc_regs[i], &v);
		} else {
			uint32_t v32;
			uc_reg_read(uc, uc_regs32[i], &v32);
			v = v32;
			mine = (uint32_t)mine;
		}
		if (v != mine) {
			o += (size_t)snprintf(msg + o, o < len ? len - o : 0, "%s: bt %#llx unicorn %#llx\n",
				names[i], (unsigned long long)mine, (unsigned long long)v);
			bad = 1;
		}
	}
	for (int i = 0; i < (g->bits == 64 ? 16 : 8); i++) {
		uint64_t v[2], mine[2];
		uc_reg_read(uc, UC_X86_REG_XMM0 + i, v);
		memcpy(mine, c->fx + 160 + 16 * i, 16);
		if (v[0] != mine[0] || v[1] != mine[1]) {
			o += (size_t)snprintf(msg + o, o < len ? len - o : 0,
				"xmm%d: bt %016llx%016llx unicorn %016llx%016llx\n", i,
				(unsigned long long)mine[1], (unsigned long long)mine[0],
				(unsigned long long)v[1], (unsigned long long)v[0]);
			bad = 1;
		}
	}
	uint64_t fl, mask = 0x8d5 & ~g->undef_flags;
	fl = 0;
	uc_reg_read(uc, UC_X86_REG_EFLAGS, &fl);
	if ((fl & mask) != (c->rflags & mask)) {
		o += (size_t)snprintf(msg + o, o < len ? len - o : 0, "rflags: bt %#llx unicorn %#llx (mask %#llx)\n",
			(unsigned long long)c->rflags, (unsigned long long)fl, (unsigned long long)mask);
		bad = 1;
	}
	uc_mem_read(uc, 0, d->uram, GEN_RAM);
	for (uint32_t a = GEN_DATA; a < GEN_DATA + GEN_DATA_SIZE; a++)
		if (d->uram[a] != d->ram[a]) {
			o += (size_t)snprintf(msg + o, o < len ? len - o : 0, "data+%#x: bt %02x unicorn %02x\n",
				a - GEN_DATA, d->ram[a], d->uram[a]);
			bad = 1;
			break;
		}
	for (uint32_t a = GEN_STACK - GEN_STACK_SIZE; a < GEN_STACK; a++)
		if (d->uram[a] != d->ram[a]) {
			o += (size_t)snprintf(msg + o, o < len ? len - o : 0, "stack-%#x: bt %02x unicorn %02x\n",
				GEN_STACK - a, d->ram[a], d->uram[a]);
			bad = 1;
			break;
		}
	return bad;
}

/*
 * Robustness: random bytes as CPL0 long-mode code, with every vector's
 * handler a HLT. Nothing is compared; the host process must survive and bt
 * must come back with an exit. Returns the exit bt gave.
 */
int diff__garbage(struct diff *d, uint64_t seed, char *msg, size_t len)
{
	struct gen_case g;
	uint64_t s = seed * 0x2545f4914f6cdd1dull + 7;
	memset(&g, 0, sizeof(g));
	memset(d->ram, 0, 0x10000);
	gen__fill(d->ram, seed);
	for (size_t i = 0; i < 512; i++) {
		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		d->ram[GEN_CODE + i] = (uint8_t)s;
	}
	for (int i = 0; i < 16; i++) {
		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		g.regs[i] = (i & 1) ? s : s & 0x3fffff;	/* half of them point into RAM */
	}
	g.regs[4] = GEN_STACK;
	g.rflags = 2;
	setup_bt(d, &g);
	struct bt_cpu *c = d->c;
	for (uint64_t v = 0; v < 256; v++) {
		uint64_t h = 0x6000 + 16 * v;
		d->ram[h] = 0xf4;
		uint64_t lo = (h & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((h >> 16) << 48);
		memcpy(d->ram + 0x5000 + 16 * v, &lo, 8);
	}
	uint64_t gdt[3] = { 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };
	memcpy(d->ram + 0x8000, gdt, sizeof(gdt));
	c->idt_base = 0x5000;
	c->idt_limit = 0xfff;
	c->gdt_base = 0x8000;
	c->gdt_limit = 23;
	bt__state_changed(c);
	bt__invalidate_code(c);
	enum bt_exit e = BT_EXIT_BUDGET;
	for (int i = 0; i < 20 && e == BT_EXIT_BUDGET; i++)
		e = bt__run(c, 500);
	snprintf(msg, len, "exit %d at rip %#llx: %s", e, (unsigned long long)c->rip,
		 e == BT_EXIT_FAULT ? bt__fault_msg(c) : "");
	return e;
}
