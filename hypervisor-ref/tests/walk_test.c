/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The software page walk (walk.c) over page tables built in fake guest RAM:
 * 4 KiB, 2 MiB and 1 GiB pages, non-present and non-canonical addresses,
 * CR0.WP, accessed/dirty bits, entries pointing outside RAM, 5-level paging.
 */
#include <check.h>
#include "vmi/check_tap.h"

#include "fake.h"
#include "walk.h"

#define RAM (16ull << 20)
static struct vm vm;
static struct vcpu_sregs s;

static uint64_t *pte(uint64_t gpa) { return vm__gpa(&vm, gpa, 8); }

static void setup(void)
{
	fake__vm(&vm, RAM);
	s = (struct vcpu_sregs){ .cr0 = 0x80010011, .cr3 = 0x1000, .cr4 = 0x20, .efer = 0x500 };
	*pte(0x1000) = 0x2000 | 3;			/* PML4[0] -> PDPT */
	*pte(0x2000) = 0x3000 | 3;			/* PDPT[0] -> PD */
	*pte(0x2008) = 0x0 | 0x83;			/* PDPT[1]: 1 GiB page at 0 */
	*pte(0x3000 + 2 * 8) = 0x4000 | 3;		/* PD[2] (4 MiB) -> PT */
	*pte(0x3000 + 3 * 8) = 0x800000 | 0x81;		/* PD[3] (6 MiB): 2 MiB, read-only */
	*pte(0x4000) = 0x9000 | 3;			/* PT[0]: 4 MiB -> 0x9000 */
	*pte(0x4008) = 0x9000 | 1;			/* PT[1]: read-only */
	*pte(0x4010) = 0x2000000 | 3;			/* PT[2]: outside RAM */
	*pte(0x4018) = 0x9000 | 2;			/* PT[3]: not present */
}

static void teardown(void) { fake__vm_free(&vm); }

START_TEST(pages)
{
	uint64_t gpa;

	ck_assert_int_eq(walk__translate(&vm, &s, 0x400123, false, &gpa), WALK_OK);
	ck_assert_uint_eq(gpa, 0x9123);
	ck_assert_uint_eq(*pte(0x4000) & 0x60, 0x20);		/* accessed, not dirty */
	ck_assert_int_eq(walk__translate(&vm, &s, 0x400123, true, &gpa), WALK_OK);
	ck_assert_uint_eq(*pte(0x4000) & 0x60, 0x60);		/* now dirty */
	ck_assert_uint_eq(*pte(0x1000) & 0x20, 0x20);		/* every level accessed */
	ck_assert_int_eq(walk__translate(&vm, &s, 0x6abcde, false, &gpa), WALK_OK);
	ck_assert_uint_eq(gpa, 0x8abcde);
	ck_assert_int_eq(walk__translate(&vm, &s, 0x40000000 + 0x123456, false, &gpa), WALK_OK);
	ck_assert_uint_eq(gpa, 0x123456);
}
END_TEST

START_TEST(faults)
{
	uint64_t gpa = 7;

	ck_assert_int_eq(walk__translate(&vm, &s, 0x401000, true, &gpa), WALK_FAULT);	/* RO, WP */
	ck_assert_int_eq(walk__translate(&vm, &s, 0x600000, true, &gpa), WALK_FAULT);	/* RO 2 MiB */
	ck_assert_uint_eq(*pte(0x4008) & 0x40, 0);			/* no dirty bit on a fault */
	ck_assert_int_eq(walk__translate(&vm, &s, 0x402000, false, &gpa), WALK_FAULT);	/* outside RAM */
	ck_assert_int_eq(walk__translate(&vm, &s, 0x403000, false, &gpa), WALK_FAULT);	/* not present */
	ck_assert_int_eq(walk__translate(&vm, &s, 0x80000000, false, &gpa), WALK_FAULT);
	ck_assert_int_eq(walk__translate(&vm, &s, 0xffff800000000000ull, false, &gpa), WALK_FAULT);
	ck_assert_int_eq(walk__translate(&vm, &s, 0x0000800000000000ull, false, &gpa), WALK_FAULT);
	ck_assert_int_eq(walk__translate(&vm, &s, 0x40000000 + RAM, false, &gpa), WALK_FAULT);
	ck_assert_uint_eq(gpa, 7);
	s.cr3 = RAM;						/* PML4 outside RAM */
	ck_assert_int_eq(walk__translate(&vm, &s, 0x400000, false, &gpa), WALK_FAULT);
}
END_TEST

START_TEST(wp_and_modes)
{
	uint64_t gpa;

	s.cr0 &= ~(1ull << 16);					/* WP off: supervisor writes pass */
	ck_assert_int_eq(walk__translate(&vm, &s, 0x401000, true, &gpa), WALK_OK);
	ck_assert_uint_eq(gpa, 0x9000);
	s.efer = 0;
	ck_assert_int_eq(walk__translate(&vm, &s, 0x401000, false, &gpa), WALK_MODE);
	s.cr0 = 0x11;
	ck_assert_int_eq(walk__translate(&vm, &s, 0x401000, false, &gpa), WALK_MODE);
}
END_TEST

START_TEST(five_level)
{
	uint64_t gpa;

	s.cr4 |= 1ull << 12;					/* LA57 */
	s.cr3 = 0x5000;
	*pte(0x5000 + 1 * 8) = 0x1000 | 3;			/* PML5[1] -> the PML4 */
	ck_assert_int_eq(walk__translate(&vm, &s, (1ull << 48) | 0x400010, false, &gpa), WALK_OK);
	ck_assert_uint_eq(gpa, 0x9010);
	ck_assert_int_eq(walk__translate(&vm, &s, 0x400010, false, &gpa), WALK_FAULT);	/* PML5[0] */
	ck_assert_int_eq(walk__translate(&vm, &s, 1ull << 57, false, &gpa), WALK_FAULT);	/* non-canonical */
}
END_TEST

int main(void)
{
	Suite *su = suite_create("walk");
	TCase *t = tcase_create("walk");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, pages);
	tcase_add_test(t, faults);
	tcase_add_test(t, wp_and_modes);
	tcase_add_test(t, five_level);
	suite_add_tcase(su, t);
	return check_tap__run(su, CK_NOFORK);
}
