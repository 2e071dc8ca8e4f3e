/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The loaders against synthetic images built here: a bzImage (valid, then
 * each header field corrupted in turn) and multiboot ELF32/ELF64 kernels
 * (valid, truncated, overlapping, out of RAM, entry outside the image).
 * Every rejection must be one line naming the problem.
 */
#include <check.h>
#include "vmi/check_tap.h"
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "loader.h"

#define RAM	(64ull << 20)

static struct vm vm;
static struct boot_state bs;
static char err[200];

static void setup(void) { fake__vm(&vm, RAM); err[0] = 0; }
static void teardown(void) { fake__vm_free(&vm); }

static void put(uint8_t *p, unsigned off, uint64_t v, unsigned size) { memcpy(p + off, &v, size); }

/* bzImage: 4 setup sectors + boot sector, then 8 KiB of "kernel". */
#define BZ_SETUP	(5 * 512)
#define BZ_KERNEL	8192
#define BZ_LEN		(BZ_SETUP + BZ_KERNEL)

static uint8_t *bzimage(void)
{
	uint8_t *b = calloc(1, BZ_LEN);

	put(b, 0x1f1, 4, 1);			/* setup_sects */
	put(b, 0x1f4, BZ_KERNEL / 16, 4);	/* syssize */
	put(b, 0x1fe, 0xaa55, 2);
	put(b, 0x200, 0xeb, 1);
	put(b, 0x201, 0x268 - 0x202, 1);	/* header through init_size */
	memcpy(b + 0x202, "HdrS", 4);
	put(b, 0x206, 0x020f, 2);
	put(b, 0x211, 0x01, 1);			/* LOADED_HIGH */
	put(b, 0x22c, 0x37ffffff, 4);		/* initrd_addr_max */
	put(b, 0x230, 0x200000, 4);		/* kernel_alignment */
	put(b, 0x234, 1, 1);			/* relocatable */
	put(b, 0x236, 0x1, 2);			/* XLF_KERNEL_64 */
	put(b, 0x238, 2048, 4);			/* cmdline_size */
	put(b, 0x258, 0x1000000, 8);		/* pref_address: 16 MiB */
	put(b, 0x260, 0x400000, 4);		/* init_size */
	for (unsigned i = 0; i < BZ_KERNEL; i++)
		b[BZ_SETUP + i] = (uint8_t)(i * 7);
	return b;
}

static int load(const uint8_t *img, size_t len, const char *initrd, size_t ilen, const char *cmd)
{
	struct boot_files f = { img, len, (const uint8_t *)initrd, ilen, cmd };

	err[0] = 0;
	return loader__load(&vm, &f, &bs, err, sizeof(err));
}

START_TEST(bz_valid)
{
	uint8_t *b = bzimage();
	uint32_t v32;
	uint8_t n;

	ck_assert_int_eq(load(b, BZ_LEN, "INITRD", 6, "console=ttyS0"), 0);
	ck_assert_uint_eq(bs.regs.rip, 0x1000200);
	ck_assert_uint_eq(bs.regs.rsi, BOOT_INFO);
	ck_assert(bs.sregs.cs.l && bs.sregs.cs.selector == SEL_CODE64 && (bs.sregs.efer & 0x500) == 0x500);
	ck_assert_int_eq(memcmp(vm__gpa(&vm, 0x1000000, BZ_KERNEL), b + BZ_SETUP, BZ_KERNEL), 0);
	ck_assert_str_eq((char *)vm__gpa(&vm, BOOT_CMDLINE, 1), "console=ttyS0");
	vm__read(&vm, BOOT_INFO + 0x228, &v32, 4);
	ck_assert_uint_eq(v32, BOOT_CMDLINE);
	vm__read(&vm, BOOT_INFO + 0x218, &v32, 4);		/* ramdisk_image */
	ck_assert_uint_eq(v32 & 0xfff, 0);
	ck_assert_uint_ge(v32, 0x1400000);			/* above load + init_size */
	ck_assert_uint_le(v32 + 6, RAM);
	ck_assert_int_eq(memcmp(vm__gpa(&vm, v32, 6), "INITRD", 6), 0);
	vm__read(&vm, BOOT_INFO + 0x1e8, &n, 1);
	ck_assert_uint_eq(n, 4);				/* e820 entries */
	vm__read(&vm, BOOT_INFO + 0x210, &n, 1);
	ck_assert_uint_eq(n, 0xff);				/* type_of_loader */
	free(b);
}
END_TEST

/* One corrupted field at a time: offset, size, value, and a word the
 * message must contain. */
static const struct corrupt {
	unsigned off, size;
	uint64_t value;
	const char *word;
} corruptions[] = {
	{ 0x1fe, 2, 0x55aa, "boot_flag" },
	{ 0x206, 2, 0x0209, "protocol" },
	{ 0x236, 2, 0, "XLF_KERNEL_64" },
	{ 0x211, 1, 0, "LOADED_HIGH" },
	{ 0x1f1, 1, 200, "setup_sects" },
	{ 0x1f4, 4, 0x10000000, "syssize" },
	{ 0x1f4, 4, 0, "syssize" },
	{ 0x230, 4, 0x300000, "kernel_alignment" },
	{ 0x230, 4, 0, "kernel_alignment" },
	{ 0x258, 8, 0x1001000, "kernel_alignment" },
	{ 0x258, 8, 0xffffffffffe00000ull, "outside guest RAM" },
	{ 0x258, 8, 0, "outside guest RAM" },
	{ 0x260, 4, 0x100, "init_size" },
	{ 0x260, 4, 0xfff00000, "outside guest RAM" },
	{ 0x238, 4, 0, "cmdline_size" },
	{ 0x238, 4, 4, "--append" },
	{ 0x201, 1, 0x10, "setup header ends" },
	{ 0x201, 1, 0xff, "setup header ends" },
};

START_TEST(bz_corrupt)
{
	const struct corrupt *c = &corruptions[_i];
	uint8_t *b = bzimage();

	put(b, c->off, c->value, c->size);
	ck_assert_int_eq(load(b, BZ_LEN, NULL, 0, "console=ttyS0"), -1);
	ck_assert_msg(strstr(err, c->word), "field %#x: message '%s' lacks '%s'", c->off, err, c->word);
	ck_assert_ptr_null(strchr(err, '\n'));
	free(b);
}
END_TEST

START_TEST(bz_short_and_initrd)
{
	uint8_t *b = bzimage();
	static char big[RAM / 2];

	ck_assert_int_eq(load(b, 0x250, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "shorter than its own header"));
	ck_assert_int_eq(load(b, BZ_LEN - 1, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	put(b, 0x22c, 0x013fffff, 4);		/* initrd_addr_max below the kernel */
	ck_assert_int_eq(load(b, BZ_LEN, "x", 1, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "--initrd"));
	put(b, 0x22c, 0x37ffffff, 4);
	ck_assert_int_eq(load(b, BZ_LEN, big, sizeof(big) + RAM / 4, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "--initrd"));
	ck_assert_int_eq(load(b, BZ_LEN, big, sizeof(big), ""), 0);	/* 32 MiB: fits */
	free(b);
}
END_TEST

/* Multiboot ELF: header, 2 program headers, multiboot header at 0x80, a
 * text segment at file 0x1000 -> 0x100000 and a bss segment after it. */
#define MB_LEN	0x3000

static uint8_t *elf32(void)
{
	uint8_t *b = calloc(1, MB_LEN);
	Elf32_Ehdr *e = (Elf32_Ehdr *)b;
	Elf32_Phdr *p = (Elf32_Phdr *)(b + sizeof(*e));
	uint32_t mb[3] = { 0x1badb002, 0, -(0x1badb002u) };

	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS32;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_386;
	e->e_version = EV_CURRENT;
	e->e_entry = 0x100010;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(*p);
	e->e_phnum = 2;
	p[0] = (Elf32_Phdr){ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x2000, 0x2000, PF_R | PF_X, 0x1000 };
	p[1] = (Elf32_Phdr){ PT_LOAD, 0x3000, 0x102000, 0x102000, 0, 0x4000, PF_R | PF_W, 0x1000 };
	memcpy(b + 0x80, mb, sizeof(mb));
	memset(b + 0x1000, 0x90, 0x2000);
	return b;
}

static uint8_t *elf64(void)
{
	uint8_t *b = calloc(1, MB_LEN);
	Elf64_Ehdr *e = (Elf64_Ehdr *)b;
	Elf64_Phdr *p = (Elf64_Phdr *)(b + sizeof(*e));

	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = 0xffffffff80100020ull;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(*p);
	e->e_phnum = 1;
	p[0] = (Elf64_Phdr){ PT_LOAD, PF_R | PF_X, 0x1000, 0xffffffff80100000ull, 0x100000,
			     0x2000, 0x3000, 0x1000 };
	memset(b + 0x1000, 0xcc, 0x2000);
	return b;
}

static Elf32_Phdr *ph32(uint8_t *b, int i) { return (Elf32_Phdr *)(b + sizeof(Elf32_Ehdr)) + i; }

START_TEST(mb_valid32)
{
	uint8_t *b = elf32();
	uint32_t mi[12];

	memset(vm__gpa(&vm, 0x102000, 0x4000), 0xaa, 0x4000);	/* bss must be zeroed */
	ck_assert_int_eq(load(b, MB_LEN, "MOD", 3, "hello"), 0);
	ck_assert_uint_eq(bs.regs.rip, 0x100010);
	ck_assert_uint_eq(bs.regs.rax, 0x2badb002);
	ck_assert_uint_eq(bs.regs.rbx, BOOT_INFO);
	ck_assert(!bs.sregs.cs.l && bs.sregs.cs.db && !(bs.sregs.cr0 & (1u << 31)) && (bs.sregs.cr0 & 1));
	ck_assert_uint_eq(*(uint8_t *)vm__gpa(&vm, 0x101fff, 1), 0x90);
	ck_assert_uint_eq(*(uint8_t *)vm__gpa(&vm, 0x105fff, 1), 0);
	vm__read(&vm, BOOT_INFO, mi, sizeof(mi));
	ck_assert_uint_eq(mi[0] & 0x4d, 0x4d);			/* mem, cmdline, mods, mmap */
	ck_assert_uint_eq(mi[1], 639);
	ck_assert_uint_eq(mi[2], (RAM - 0x100000) >> 10);
	ck_assert_str_eq((char *)vm__gpa(&vm, mi[4], 1), "hello");
	ck_assert_uint_eq(mi[5], 1);				/* one module */
	uint32_t mod[2];
	vm__read(&vm, mi[6], mod, 8);
	ck_assert_uint_ge(mod[0], 0x106000);
	ck_assert_int_eq(memcmp(vm__gpa(&vm, mod[0], 3), "MOD", 3), 0);
	ck_assert_uint_eq(mod[1] - mod[0], 3);
	free(b);
}
END_TEST

START_TEST(mb_valid64)
{
	uint8_t *b = elf64();

	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), 0);
	ck_assert_uint_eq(bs.regs.rip, 0x100020);		/* the physical entry */
	ck_assert(bs.sregs.cs.l && bs.sregs.cr3 == BOOT_PML4 && (bs.sregs.efer & (1u << 10)));
	ck_assert_uint_eq(bs.regs.rax, 0x2badb002);
	ck_assert_uint_eq(*(uint64_t *)vm__gpa(&vm, BOOT_PD, 8), 0x83);	/* identity map */
	free(b);
}
END_TEST

START_TEST(mb_bad)
{
	uint8_t *b;

	b = elf32();	/* truncated: the text segment runs past the end */
	ck_assert_int_eq(load(b, 0x2800, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	free(b);
	b = elf32();	/* truncated inside the program headers */
	ck_assert_int_eq(load(b, 60, NULL, 0, ""), -1);
	ck_assert(err[0]);
	free(b);
	b = elf32();
	ph32(b, 1)->p_paddr = 0x101000;
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "overlaps"));
	free(b);
	b = elf32();
	ph32(b, 1)->p_paddr = RAM - 0x1000;
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "outside guest RAM"));
	free(b);
	b = elf32();
	ph32(b, 1)->p_paddr = 0xfffff000u;
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "outside guest RAM"));
	free(b);
	b = elf32();
	ph32(b, 0)->p_paddr = 0x8000;	/* over vmi-run's boot data */
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "above 1 MiB"));
	free(b);
	b = elf32();
	((Elf32_Ehdr *)b)->e_entry = 0x102000;	/* in the bss, not executable */
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "entry point"));
	free(b);
	b = elf32();
	((Elf32_Ehdr *)b)->e_entry = 0x90000000;
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "entry point"));
	free(b);
	b = elf32();
	ph32(b, 0)->p_filesz = 0x3000;	/* file size above memory size */
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "file size"));
	free(b);
	b = elf32();
	b[0x88] ^= 1;			/* multiboot checksum */
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "multiboot header"));
	free(b);
	b = elf32();
	((Elf32_Ehdr *)b)->e_machine = EM_ARM;
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "machine"));
	free(b);
	b = elf32();
	((Elf32_Ehdr *)b)->e_phnum = 0;
	ck_assert_int_eq(load(b, MB_LEN, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "program headers"));
	free(b);
}
END_TEST

START_TEST(garbage)
{
	static uint8_t junk[4096];

	for (unsigned i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	ck_assert_int_eq(load(junk, sizeof(junk), NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an ELF file or a bzImage"));
	ck_assert_int_eq(load(junk, 0, NULL, 0, ""), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty"));
	memcpy(junk, ELFMAG, SELFMAG);
	ck_assert_int_eq(load(junk, 16, NULL, 0, ""), -1);
	ck_assert(err[0] && !strchr(err, '\n'));
}
END_TEST

/* Random corruption of valid images: each must load or be refused with one
 * line; under the sanitizers a stray read or write would abort. */
START_TEST(mutations)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t *imgs[3] = { bzimage(), elf32(), elf64() };
	const size_t lens[3] = { BZ_LEN, MB_LEN, MB_LEN };
	uint8_t *buf = malloc(BZ_LEN > MB_LEN ? BZ_LEN : MB_LEN);

	for (unsigned i = 0; i < 3000; i++) {
		unsigned which = i % 3, n;
		size_t len = lens[which];

		memcpy(buf, imgs[which], len);
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		n = 1 + (unsigned)(x % 4);
		for (unsigned j = 0; j < n; j++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			/* mostly the headers, where the checks are */
			size_t at = (x >> 8) % (x & 1 ? 0x300 : len);
			buf[at] = (uint8_t)(x >> 32);
		}
		if (x & 0x100)
			len -= (x >> 40) % len;		/* and truncations */
		if (load(buf, len, "rd", 2, "console=ttyS0") < 0)
			ck_assert_msg(err[0] && !strchr(err, '\n'), "case %u: no single-line error", i);
	}
	free(buf);
	for (int i = 0; i < 3; i++)
		free(imgs[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loader");
	TCase *t = tcase_create("loader");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, bz_valid);
	tcase_add_loop_test(t, bz_corrupt, 0, sizeof(corruptions) / sizeof(corruptions[0]));
	tcase_add_test(t, bz_short_and_initrd);
	tcase_add_test(t, mb_valid32);
	tcase_add_test(t, mb_valid64);
	tcase_add_test(t, mb_bad);
	tcase_add_test(t, garbage);
	tcase_add_test(t, mutations);
	suite_add_tcase(s, t);
	return check_tap__run(s, CK_NOFORK);
}
