/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Every dispatcher handler, with valid and hostile arguments, on the fake
 * backend (identity translation over 16 MiB of RAM; a window that does not
 * map; a read-only window). The transport rules (spec.md section 5) first:
 * unknown numbers, CPL > 0, registers preserved.
 */
#include <check.h>
#include "vmi/check_tap.h"
#include <string.h>

#include "dispatch.h"
#include "fake.h"

#define RAM	(16ull << 20)
#define NOMAP	0x800000ull	/* [8 MiB, 8 MiB + 64 KiB) does not translate */
#define RO	0x900000ull	/* [9 MiB, 9 MiB + 4 KiB) is read-only */
#define LMA	(1ull << 10)

static struct vm vm;
static uint64_t rdx;

static void setup(void)
{
	fake__vm(&vm, RAM);
	fake.nomap_lo = NOMAP;
	fake.nomap_hi = NOMAP + 0x10000;
	fake.ro_lo = RO;
	fake.ro_hi = RO + 0x1000;
	fake.sregs.cr0 = 0x80000011;
	fake.sregs.cr3 = 0x1000;
	fake.sregs.cr4 = 0x20;
	fake.sregs.efer = 0x500;
	fake.sregs.gdt.limit = 0xffff;
	fake.sregs.gdt.base = 0x10000;
	fake.regs.rflags = 0x202;
	hc_time__init(&vm);
}

static void teardown(void)
{
	fake__vm_free(&vm);
}

static int64_t call_cpl(uint64_t num, unsigned cpl, uint64_t a0, uint64_t a1, uint64_t a2,
			uint64_t a3, uint64_t a4)
{
	struct vcpu_regs r = fake.regs;

	r.rax = num;
	r.rdi = a0; r.rsi = a1; r.r10 = a2; r.rcx = a3; r.r8 = a4; r.r9 = 0;
	r.rdx = 0x5649;
	dispatch__hypercall(&vm, &r, cpl);
	rdx = r.rdx;
	fake.regs.rflags = r.rflags;
	return (int64_t)r.rax;
}

#define CALL(n, ...) call_cpl(VMI_CALL_##n, 0, __VA_ARGS__)
#define CALL0(n) CALL(n, 0, 0, 0, 0, 0)
#define CALL1(n, a) CALL(n, a, 0, 0, 0, 0)
#define CALL2(n, a, b) CALL(n, a, b, 0, 0, 0)

static uint64_t *u64(uint64_t gpa) { return (uint64_t *)vm__gpa(&vm, gpa, 8); }

START_TEST(transport)
{
	struct vcpu_regs r = { .rax = VMI_NUM_CALLS, .rbx = 1, .rdx = 2, .r11 = 3, .r12 = 4, .rsp = 5 };

	dispatch__hypercall(&vm, &r, 0);
	ck_assert_int_eq((int64_t)r.rax, VMI_ENOSYS);
	ck_assert(r.rbx == 1 && r.rdx == 2 && r.r11 == 3 && r.r12 == 4 && r.rsp == 5);
	r.rax = 0xffffffffu;
	dispatch__hypercall(&vm, &r, 0);
	ck_assert_int_eq((int64_t)r.rax, VMI_ENOSYS);
	/* Only eax is the number: high bits of rax are ignored. */
	ck_assert_int_eq(call_cpl(VMI_CALL_TIMER_FREQUENCY | (1ull << 40), 0, 0, 0, 0, 0, 0), 1000000000);
	ck_assert_int_eq(call_cpl(VMI_CALL_WRITE_CR3, 3, 0x2000, 0, 0, 0, 0), VMI_EPERM);
	ck_assert_uint_eq(fake.sregs.cr3, 0x1000);	/* refused: nothing done */
	ck_assert_uint_eq(vm.stats.bad_calls, 3);
}
END_TEST

START_TEST(rom_cpuid)
{
	uint64_t rax = (uint64_t)CALL0(ROM_INFO);

	ck_assert_uint_eq(rax >> 48, VMI_ABI_MAJOR);
	ck_assert_uint_eq(rax & 0xffffffff, VMI_NUM_CALLS);
	ck_assert_uint_eq(rdx, VMI_FEAT_TIMER | VMI_FEAT_STEAL | VMI_FEAT_MMU_BATCH | VMI_FEAT_PV_LOCKS);
	rax = (uint64_t)CALL2(CPUID, 0x40000000 | (1ull << 32), 1);
	/* leaf 0x40000000 subleaf 1 in the fake answers base+1, +2, +3, +4 */
	ck_assert_uint_eq(rax, (uint64_t)0x40000002 << 32 | 0x40000001);
	ck_assert_uint_eq(rdx, (uint64_t)0x40000004 << 32 | 0x40000003);
	ck_assert_uint_eq(vm.stats.calls[VMI_CALL_CPUID], 1);
}
END_TEST

START_TEST(control_registers)
{
	fake.sregs.cr2 = 0x1234;
	fake.sregs.cr8 = 3;
	ck_assert_uint_eq(CALL0(READ_CR0), 0x80000011);
	ck_assert_uint_eq(CALL0(READ_CR2), 0x1234);
	ck_assert_uint_eq(CALL0(READ_CR3), 0x1000);
	ck_assert_uint_eq(CALL0(READ_CR4), 0x20);
	ck_assert_uint_eq(CALL0(READ_CR8), 3);
	ck_assert_int_eq(CALL1(WRITE_CR0, 0x80000011 | (1ull << 16)), 0);
	ck_assert_uint_eq(fake.sregs.cr0, 0x80010011);
	ck_assert_int_eq(CALL1(WRITE_CR0, 1ull << 32 | 0x80000011), VMI_EINVAL);
	ck_assert_int_eq(CALL1(WRITE_CR0, 0x80000010), VMI_EINVAL);	/* PG without PE */
	ck_assert_int_eq(CALL1(WRITE_CR0, 0xa0000011), VMI_EINVAL);	/* NW without CD */
	ck_assert_int_eq(CALL1(WRITE_CR0, 0x11), VMI_EINVAL);		/* PG off in long mode */
	ck_assert_uint_eq(fake.sregs.cr0, 0x80010011);
	CALL1(WRITE_CR2, 0xdead);
	ck_assert_uint_eq(fake.sregs.cr2, 0xdead);
	ck_assert_int_eq(CALL1(WRITE_CR8, 16), VMI_EINVAL);
	ck_assert_int_eq(CALL1(WRITE_CR8, 15), 0);
	ck_assert_uint_eq(fake.sregs.cr8, 15);
}
END_TEST

START_TEST(cr3_cr4)
{
	ck_assert_int_eq(CALL1(WRITE_CR3, 0x5000), 0);
	ck_assert_uint_eq(fake.sregs.cr3, 0x5000);
	ck_assert_int_eq(CALL1(WRITE_CR3, 0x5000), 0);		/* same: a flush */
	ck_assert_uint_eq(fake.flushes, 1);
	ck_assert_int_eq(CALL1(WRITE_CR3, RAM), VMI_EINVAL);		/* PML4 outside RAM */
	ck_assert_int_eq(CALL1(WRITE_CR3, RAM - 0x1000 + 0x800), 0);	/* PCD/PWT and below */
	ck_assert_int_eq(CALL1(WRITE_CR3, 1ull << 45 | 0x2000), VMI_EINVAL);	/* above MAXPHYADDR */
	ck_assert_int_eq(CALL1(WRITE_CR3, 1ull << 63 | 0x2000), VMI_EINVAL);	/* no-flush, no PCIDE */
	ck_assert_int_eq(CALL1(WRITE_CR4, 0x20 | (1ull << 20)), 0);		/* SMEP: supported */
	ck_assert_int_eq(CALL1(WRITE_CR4, 0x20 | (1ull << 21)), VMI_EINVAL);	/* SMAP: not */
	ck_assert_int_eq(CALL1(WRITE_CR4, 0x20 | (1ull << 40)), VMI_EINVAL);
	ck_assert_int_eq(CALL1(WRITE_CR4, 0), VMI_EINVAL);				/* PAE off in long mode */
	ck_assert_int_eq(CALL1(WRITE_CR4, 0x20 | (1ull << 17)), VMI_EINVAL);	/* PCIDE, cr3[11:0] != 0 */
	ck_assert_int_eq(CALL1(WRITE_CR3, 0x2000), 0);
	ck_assert_int_eq(CALL1(WRITE_CR4, 0x20 | (1ull << 17)), 0);
	ck_assert_int_eq(CALL1(WRITE_CR3, 1ull << 63 | 0x3000), 0);
	ck_assert_uint_eq(fake.sregs.cr3, 0x3000);
}
END_TEST

START_TEST(msrs_pmc)
{
	fake.efer_msr = 0xd01;
	ck_assert_uint_eq(CALL1(READ_MSR, 0xc0000080), 0xd01);
	ck_assert_uint_eq(rdx, 0);
	ck_assert_uint_eq(CALL1(READ_MSR, 0xdeadbeef), 0);
	ck_assert_int_eq((int64_t)rdx, VMI_EIO);
	ck_assert_int_eq(CALL2(WRITE_MSR, 0xc0000102, 77), 0);
	ck_assert_uint_eq(fake.kgs_base, 77);
	ck_assert_int_eq(CALL2(WRITE_MSR, 0x10, 1), VMI_EIO);
	ck_assert_uint_eq(CALL1(READ_PMC, 0), 0);
	ck_assert_int_eq((int64_t)rdx, VMI_EIO);
}
END_TEST

START_TEST(dtables)
{
	uint8_t d[10] = { 0xff, 0x0f, 0x00, 0x20, 0, 0, 0, 0x80, 0xff, 0xff };

	vm__write(&vm, 0x3000, d, sizeof(d));
	CALL1(LOAD_GDT, 0x3000);
	ck_assert_uint_eq(fake.sregs.gdt.limit, 0xfff);
	ck_assert_uint_eq(fake.sregs.gdt.base, 0xffff800000002000ull);
	CALL1(LOAD_IDT, 0x3000);
	ck_assert_uint_eq(fake.sregs.idt.base, 0xffff800000002000ull);
	ck_assert_int_eq(CALL1(LOAD_IDT, NOMAP - 4), VMI_EFAULT);	/* straddles into no-map */
	ck_assert_int_eq(CALL1(LOAD_IDT, RAM - 4), VMI_EFAULT);	/* beyond RAM */
	ck_assert_int_eq(CALL1(LOAD_IDT, ~0ull - 3), VMI_EFAULT);	/* wraps */
	ck_assert_uint_eq(fake.sregs.idt.base, 0xffff800000002000ull);
}
END_TEST

/* GDT at 0x10000: 1 code64, 2 data, 3 non-readable code, 4-5 a TSS, 6-7 an LDT. */
static void gdt(void)
{
	uint64_t g[8] = {
		0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0x00af99000000ffffull,
		0x0000890010000067ull | 0x12ull << 56, 0xffff8000ull,
		0x0000820020000fffull, 0,
	};
	vm__write(&vm, 0x10000, g, sizeof(g));
}

START_TEST(task_register_ldt)
{
	uint64_t desc;

	gdt();
	ck_assert_int_eq(CALL1(LOAD_TR, 4 << 3), 0);
	ck_assert_uint_eq(fake.sregs.tr.selector, 0x20);
	ck_assert_uint_eq(fake.sregs.tr.base, 0xffff800012001000ull);
	ck_assert_uint_eq(fake.sregs.tr.type, 11);		/* busy */
	vm__read(&vm, 0x10020, &desc, 8);
	ck_assert_uint_eq((desc >> 40) & 0xf, 11);		/* marked busy in the GDT too */
	ck_assert_uint_eq(CALL0(STORE_TR), 0x20);
	ck_assert_int_eq(CALL1(LOAD_TR, 4 << 3), VMI_EINVAL);	/* busy now */
	ck_assert_int_eq(CALL1(LOAD_TR, 2 << 3), VMI_EINVAL);	/* data segment */
	ck_assert_int_eq(CALL1(LOAD_TR, 0), VMI_EINVAL);	/* null */
	ck_assert_int_eq(CALL1(LOAD_TR, 4 << 3 | 4), VMI_EINVAL);	/* TI: LDT */
	fake.sregs.gdt.limit = 0x27;
	ck_assert_int_eq(CALL1(LOAD_TR, 4 << 3), VMI_EINVAL);	/* beyond the limit */
	fake.sregs.gdt.limit = 0xffff;
	ck_assert_int_eq(CALL1(LOAD_LDT, 6 << 3), 0);
	ck_assert_uint_eq(fake.sregs.ldt.base, 0x2000);
	ck_assert_int_eq(CALL1(LOAD_LDT, 2 << 3), VMI_EINVAL);
	ck_assert_int_eq(CALL1(LOAD_LDT, 0), 0);
	ck_assert(fake.sregs.ldt.unusable);
	fake.sregs.gdt.base = NOMAP;
	ck_assert_int_eq(CALL1(LOAD_LDT, 6 << 3), VMI_EINVAL);	/* GDT unreadable */
}
END_TEST

START_TEST(gs_index)
{
	gdt();
	fake.sregs.gs.base = 0xffff888000000000ull;
	ck_assert_int_eq(CALL1(LOAD_GS_INDEX, 2 << 3 | 3), VMI_EINVAL);	/* RPL 3 > DPL 0 */
	ck_assert_int_eq(CALL1(LOAD_GS_INDEX, 2 << 3), 0);
	ck_assert_uint_eq(fake.sregs.gs.selector, 0x10);
	ck_assert_uint_eq(fake.sregs.gs.base, 0xffff888000000000ull);	/* kernel GS kept */
	ck_assert_uint_eq(fake.kgs_base, 0);
	ck_assert_int_eq(CALL1(LOAD_GS_INDEX, 3 << 3), VMI_EINVAL);	/* execute-only code */
	ck_assert_int_eq(CALL1(LOAD_GS_INDEX, 0xfff8), VMI_EINVAL);	/* not present */
	ck_assert_int_eq(CALL1(LOAD_GS_INDEX, 0), 0);
	ck_assert_uint_eq(fake.sregs.gs.selector, 0);
}
END_TEST

START_TEST(descriptor_writes)
{
	uint64_t d[2];

	ck_assert_int_eq(CALL(WRITE_GDT_ENTRY, 0x30000, 3, 0x1111, 0x2222, 8), 0);
	ck_assert_uint_eq(*u64(0x30018), 0x1111);
	ck_assert_uint_eq(*u64(0x30020), 0);
	ck_assert_int_eq(CALL(WRITE_GDT_ENTRY, 0x30000, 5, 0x3333, 0x4444, 16), 0);
	vm__read(&vm, 0x30028, d, 16);
	ck_assert(d[0] == 0x3333 && d[1] == 0x4444);
	ck_assert_int_eq(CALL(WRITE_GDT_ENTRY, 0x30000, 3, 1, 2, 4), VMI_EINVAL);
	ck_assert_int_eq(CALL(WRITE_GDT_ENTRY, 0x30000, 8192, 1, 2, 8), VMI_EINVAL);
	ck_assert_int_eq(CALL(WRITE_GDT_ENTRY, 0x30000, 8191, 1, 2, 16), VMI_EINVAL);
	ck_assert_int_eq(CALL(WRITE_GDT_ENTRY, 0x30000, ~0ull / 8, 1, 2, 8), VMI_EINVAL);
	/* A 16-byte write whose second half is read-only: all or nothing. */
	ck_assert_int_eq(CALL(WRITE_GDT_ENTRY, RO - 8, 0, 5, 6, 16), VMI_EFAULT);
	ck_assert_uint_eq(*u64(RO - 8), 0);
	ck_assert_int_eq(CALL(WRITE_LDT_ENTRY, 0x40000, 2, 0x5555, 0, 0), 0);
	ck_assert_uint_eq(*u64(0x40010), 0x5555);
	ck_assert_int_eq(CALL(WRITE_LDT_ENTRY, NOMAP, 0, 1, 0, 0), VMI_EFAULT);
	ck_assert_int_eq(CALL(WRITE_LDT_ENTRY, 0x40000, 1ull << 62, 1, 0, 0), VMI_EFAULT);
	ck_assert_int_eq(CALL(WRITE_IDT_ENTRY, 0x50000, 255, 7, 8, 0), 0);
	ck_assert_uint_eq(*u64(0x50000 + 255 * 16 + 8), 8);
	ck_assert_int_eq(CALL(WRITE_IDT_ENTRY, 0x50000, 256, 7, 8, 0), VMI_EINVAL);
	ck_assert_int_eq(CALL(WRITE_IDT_ENTRY, RAM - 16, 1, 7, 8, 0), VMI_EFAULT);
	CALL2(LOAD_SP0, 0x60008, 0xffffc90000004000ull);
	ck_assert_uint_eq(*u64(0x60008), 0xffffc90000004000ull);
	ck_assert_int_eq(CALL2(LOAD_SP0, RO, 1), VMI_EFAULT);
}
END_TEST

static uint32_t last_port_value;
static void io_dev(struct vm *v, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data)
{
	(void)v; (void)dev;
	if (write)
		last_port_value = *data | (uint32_t)size << 28;
	else
		*data = port == 0x300 ? 0xabcdef12u : 0;
}

START_TEST(port_io)
{
	ck_assert_int_eq(vm__claim_io(&vm, 0x300, 4, io_dev, NULL), 0);
	ck_assert_int_eq(vm__claim_io(&vm, 0x302, 4, io_dev, NULL), -1);	/* overlaps */
	ck_assert_uint_eq(CALL1(IO_IN8, 0x300), 0x12);
	ck_assert_uint_eq(CALL1(IO_IN16, 0x300), 0xef12);
	ck_assert_uint_eq(CALL1(IO_IN32, 0xffff0300), 0xabcdef12u);	/* bits 63:16 ignored */
	ck_assert_uint_eq(CALL1(IO_IN8, 0x1234), 0xff);			/* nothing there */
	ck_assert_uint_eq(CALL1(IO_IN32, 0x1234), 0xffffffffu);
	CALL2(IO_OUT8, 0x301, 0x1ff);
	ck_assert_uint_eq(last_port_value, 0x100000ffu);
	CALL2(IO_OUT16, 0x301, 0x12345);
	ck_assert_uint_eq(last_port_value, 0x20002345u);
	CALL2(IO_OUT32, 0x301, 0x1ffffffffull);
	ck_assert_uint_eq(last_port_value, 0xffffffffu);
	ck_assert_int_eq(CALL0(WBINVD), 0);
	ck_assert_int_eq(CALL0(IO_DELAY), 0);
}
END_TEST

START_TEST(interrupt_flag)
{
	ck_assert_uint_eq(CALL0(SAVE_FL) & 0x200, 0x200);
	CALL0(IRQ_DISABLE);
	ck_assert_uint_eq(fake.regs.rflags & 0x200, 0);
	ck_assert_uint_eq(CALL0(SAVE_FL) & 0x200, 0);
	CALL0(IRQ_ENABLE);
	ck_assert_uint_eq(fake.regs.rflags & 0x200, 0x200);
	CALL0(IRQ_DISABLE);
	CALL0(SAFE_HALT);
	ck_assert_uint_eq(fake.regs.rflags & 0x200, 0x200);
	CALL0(HALT);
	ck_assert_uint_eq(fake.regs.rflags, 0x202);
}
END_TEST

START_TEST(page_table_writes)
{
	static const int calls[] = { VMI_CALL_SET_PTE, VMI_CALL_SET_PMD, VMI_CALL_SET_PUD,
				     VMI_CALL_SET_P4D, VMI_CALL_SET_PGD, VMI_CALL_PTEP_MODIFY_PROT_COMMIT };
	for (unsigned i = 0; i < 6; i++) {
		uint64_t at = 0x70000 + i * 8;
		ck_assert_int_eq(call_cpl(calls[i], 0, at, 0x8000000000abc063ull, 0, 0, 0), 0);
		ck_assert_uint_eq(*u64(at), 0x8000000000abc063ull);
		ck_assert_int_eq(call_cpl(calls[i], 0, at + 1, 1, 0, 0, 0), VMI_EFAULT);	/* misaligned */
		ck_assert_int_eq(call_cpl(calls[i], 0, RAM, 1, 0, 0, 0), VMI_EFAULT);
		ck_assert_int_eq(call_cpl(calls[i], 0, NOMAP, 1, 0, 0, 0), VMI_EFAULT);
		ck_assert_int_eq(call_cpl(calls[i], 0, RO, 1, 0, 0, 0), VMI_EFAULT);
		/* bit 45 is above the fake's 40-bit MAXPHYADDR: reserved when present */
		ck_assert_int_eq(call_cpl(calls[i], 0, at, 1ull << 45 | 1, 0, 0, 0), VMI_EINVAL);
		ck_assert_uint_eq(*u64(at), 0x8000000000abc063ull);
		ck_assert_int_eq(call_cpl(calls[i], 0, at, 1ull << 45, 0, 0, 0), 0);	/* not present */
	}
	*u64(0x71000) = 0x1234067;
	ck_assert_uint_eq(CALL1(PTEP_MODIFY_PROT_START, 0x71000), 0x1234067);
	ck_assert_uint_eq(*u64(0x71000), 0);
	ck_assert_uint_eq(CALL1(PTEP_MODIFY_PROT_START, NOMAP), 0);
	ck_assert_uint_eq(CALL1(PTEP_MODIFY_PROT_START, 0x71004), 0);
}
END_TEST

START_TEST(pt_announcements)
{
	ck_assert_int_eq(CALL2(ALLOC_PT, 0x100, 1), 0);
	ck_assert_int_eq(CALL2(RELEASE_PT, 0x100, 5), 0);
	ck_assert_int_eq(CALL2(ALLOC_PT, 0x100, 0), VMI_EINVAL);
	ck_assert_int_eq(CALL2(ALLOC_PT, 0x100, 6), VMI_EINVAL);
	ck_assert_int_eq(CALL2(ALLOC_PT, RAM >> 12, 1), VMI_EINVAL);
	ck_assert_int_eq(CALL2(RELEASE_PT, ~0ull, 1), VMI_EINVAL);
	CALL1(ACTIVATE_MM, 0x1000);
	CALL1(EXIT_MMAP, 0x1000);
	CALL0(LAZY_MMU_ENTER);
	CALL0(LAZY_MMU_FLUSH);
	CALL0(LAZY_MMU_LEAVE);
	ck_assert_uint_eq(fake.flushes, 0);
}
END_TEST

START_TEST(tlb_flushes)
{
	uint8_t mask[512] = { 0 };

	CALL0(FLUSH_TLB_USER);
	ck_assert(fake.flushes == 1 && fake.flush_all);
	CALL0(FLUSH_TLB_KERNEL);
	ck_assert(fake.flushes == 2 && fake.flush_all);
	CALL1(FLUSH_TLB_ONE, 0xffff888000001000ull);
	ck_assert(fake.flushes == 3 && !fake.flush_all && fake.flush_gva == 0xffff888000001000ull);
	mask[0] = 1;
	vm__write(&vm, 0x80000, mask, sizeof(mask));
	ck_assert_int_eq(CALL(FLUSH_TLB_MULTI, 0x80000, 4096, 0, ~0ull, 0), 0);
	ck_assert_uint_eq(fake.flushes, 4);
	ck_assert_int_eq(CALL(FLUSH_TLB_MULTI, 0x80000, 4097, 0, ~0ull, 0), VMI_EINVAL);
	ck_assert_int_eq(CALL(FLUSH_TLB_MULTI, NOMAP - 8, 4096, 0, ~0ull, 0), VMI_EFAULT);
	ck_assert_int_eq(CALL(FLUSH_TLB_MULTI, NOMAP, 0, 0, ~0ull, 0), 0);	/* empty mask */
	mask[0] = 2;	/* only vCPU 1: nothing here to flush */
	vm__write(&vm, 0x80000, mask, 1);
	ck_assert_int_eq(CALL(FLUSH_TLB_MULTI, 0x80000, 2, 0, ~0ull, 0), 0);
	ck_assert_uint_eq(fake.flushes, 4);
}
END_TEST

START_TEST(batch)
{
	struct vmi_mmu_update u[4] = {
		{ 0x90000, 0x1003 }, { 0x90008, 0x2003 }, { 0x90010 | 1, 0x3003 }, { 0x90018, 0x4003 },
	};

	vm__write(&vm, 0xa0000, u, sizeof(u));
	ck_assert_int_eq(CALL2(MMU_BATCH_FLUSH, 0xa0000, 2), 2);
	ck_assert(*u64(0x90000) == 0x1003 && *u64(0x90008) == 0x2003);
	/* entry 2 has operation 1: EINVAL, with entries 0 and 1 applied */
	*u64(0x90000) = 0;
	ck_assert_int_eq(CALL2(MMU_BATCH_FLUSH, 0xa0000, 4), VMI_EINVAL);
	ck_assert_uint_eq(*u64(0x90000), 0x1003);
	ck_assert_uint_eq(*u64(0x90018), 0);
	u[2].entry = RO;
	vm__write(&vm, 0xa0000, u, sizeof(u));
	ck_assert_int_eq(CALL2(MMU_BATCH_FLUSH, 0xa0000, 4), VMI_EFAULT);
	ck_assert_uint_eq(*u64(0x90018), 0);
	ck_assert_int_eq(CALL2(MMU_BATCH_FLUSH, 0xa0000, 257), VMI_EINVAL);
	ck_assert_int_eq(CALL2(MMU_BATCH_FLUSH, 0xa0ff0, 2), VMI_EINVAL);	/* crosses a page */
	ck_assert_int_eq(CALL2(MMU_BATCH_FLUSH, NOMAP, 1), VMI_EFAULT);
	ck_assert_int_eq(CALL2(MMU_BATCH_FLUSH, NOMAP, 0), 0);
}
END_TEST

START_TEST(time)
{
	int64_t a = CALL0(SCHED_CLOCK), b = CALL0(SCHED_CLOCK);

	ck_assert(a >= 0 && b >= a);
	ck_assert_int_eq(CALL0(TIMER_FREQUENCY), 1000000000);
	int64_t real = CALL1(TIMER_READ, VMI_COUNTER_REAL);
	int64_t stolen = CALL1(TIMER_READ, VMI_COUNTER_STOLEN);
	int64_t avail = CALL1(TIMER_READ, VMI_COUNTER_AVAILABLE);
	int64_t real2 = CALL1(TIMER_READ, VMI_COUNTER_REAL);
	ck_assert(real >= b && stolen >= 0 && avail >= 0 && avail + stolen <= real2);
	ck_assert_int_eq(CALL1(TIMER_READ, 3), VMI_EINVAL);
	ck_assert_int_eq(CALL1(TIMER_READ, ~0ull), VMI_EINVAL);
	ck_assert(CALL1(STEAL_CLOCK, 0) >= 0);
	ck_assert_int_eq(CALL1(STEAL_CLOCK, 1), 0);
	ck_assert_int_eq(CALL1(STEAL_CLOCK, ~0ull), 0);
}
END_TEST

START_TEST(alarm)
{
	ck_assert_int_eq(CALL2(TIMER_SET_ALARM, ~0ull, 40), 0);
	ck_assert(vm.alarm.armed);
	ck_assert_int_eq(CALL2(TIMER_SET_ALARM, 0, 31), VMI_EINVAL);
	ck_assert(!vm.alarm.armed);			/* refused: no alarm armed */
	ck_assert_int_eq(CALL2(TIMER_SET_ALARM, 0, 256), VMI_EINVAL);
	ck_assert_int_eq(CALL2(TIMER_SET_ALARM, 0, 0xef), 0);	/* in the past: fires at once */
	vm__poll(&vm);
	ck_assert_uint_eq(fake.vectors, 1);
	ck_assert_uint_eq(fake.last_vector, 0xef);
	ck_assert_int_eq(CALL2(TIMER_SET_ALARM, 0, 0x40), 0);
	CALL0(TIMER_CANCEL_ALARM);
	vm__poll(&vm);
	ck_assert_uint_eq(fake.vectors, 1);
}
END_TEST

START_TEST(locks)
{
	ck_assert_int_eq(CALL1(VCPU_IS_PREEMPTED, 0), 0);
	ck_assert_int_eq(CALL1(VCPU_IS_PREEMPTED, 12345), 0);
	ck_assert_int_eq(CALL2(SPIN_WAIT, 0x1000, 1), 0);
	ck_assert_int_eq(CALL2(SPIN_WAIT, NOMAP, 1), VMI_EFAULT);
	ck_assert_int_eq(CALL1(SPIN_KICK, 7), 0);
}
END_TEST

/* Hostile arguments in bulk: random numbers and arguments, half of them
 * near RAM's edges or the no-map window. Nothing may crash (the sanitizers
 * watch), rax must be an s64 error or a value, and the transport keeps every
 * register but rax and rdx. */
START_TEST(random_calls)
{
	static const uint64_t edges[] = { 0, RAM - 8, RAM - 1, RAM, NOMAP - 4, NOMAP, RO,
					  ~0ull, ~0ull - 7, 1ull << 63, 0xfff, 0x1000 };
	uint64_t x = 0x2545f4914f6cdd1dull;

	gdt();
	for (unsigned i = 0; i < 20000; i++) {
		struct vcpu_regs r = fake.regs, before;
		uint64_t *a[6] = { &r.rdi, &r.rsi, &r.r10, &r.rcx, &r.r8, &r.r9 };

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		r.rax = x % (VMI_NUM_CALLS + 2);
		/* keep the vCPU state sane: the fake applies what it is told */
		if (r.rax == VMI_CALL_WRITE_CR0 || r.rax == VMI_CALL_WRITE_CR4 ||
		    r.rax == VMI_CALL_WRITE_CR3 || r.rax == VMI_CALL_LOAD_GDT)
			continue;
		for (int j = 0; j < 6; j++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			*a[j] = (x & 3) ? edges[(x >> 8) % 12] + ((x >> 20) & 15) : x;
		}
		r.rbx = x; r.r12 = ~x; r.rbp = x >> 3;
		before = r;
		dispatch__hypercall(&vm, &r, (x >> 60) == 0 ? 3 : 0);
		ck_assert(r.rbx == before.rbx && r.r12 == before.r12 && r.rbp == before.rbp &&
			  r.rdi == before.rdi && r.rsi == before.rsi && r.r10 == before.r10 &&
			  r.rcx == before.rcx && r.r8 == before.r8 && r.r9 == before.r9 &&
			  r.rsp == before.rsp && r.rip == before.rip);
		fake.sregs.cr0 = 0x80000011;
		fake.sregs.cr4 = 0x20;
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dispatch");
	TCase *t = tcase_create("handlers");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, transport);
	tcase_add_test(t, rom_cpuid);
	tcase_add_test(t, control_registers);
	tcase_add_test(t, cr3_cr4);
	tcase_add_test(t, msrs_pmc);
	tcase_add_test(t, dtables);
	tcase_add_test(t, task_register_ldt);
	tcase_add_test(t, gs_index);
	tcase_add_test(t, descriptor_writes);
	tcase_add_test(t, port_io);
	tcase_add_test(t, interrupt_flag);
	tcase_add_test(t, page_table_writes);
	tcase_add_test(t, pt_announcements);
	tcase_add_test(t, tlb_flushes);
	tcase_add_test(t, batch);
	tcase_add_test(t, time);
	tcase_add_test(t, alarm);
	tcase_add_test(t, locks);
	tcase_add_test(t, random_calls);
	suite_add_tcase(s, t);
	return check_tap__run(s, CK_NOFORK);
}
