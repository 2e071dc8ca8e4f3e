// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Check units for devices/lapic.c: register reset values, fixed interrupts
 * against the processor priority (TPR/CR8 and in-service), EOI order,
 * self-IPIs, the spurious-vector enable, timer count and one-shot/periodic
 * firing, and hostile MMIO sizes and offsets. The vm timer calls are stubbed
 * here: the model is driven with explicit times.
 */
#include <check.h>
#include "vmi/check_tap.h"
#include <stdlib.h>
#include "vm.h"
#include "lapic.h"

static uint64_t now_ns, armed_at;
static bool armed;

uint64_t vm__now_ns(void) { return now_ns; }
void vm__timer_arm(struct vm *vm, struct vm_timer *t, uint64_t d) { (void)vm; (void)t; armed = true; armed_at = d; }
void vm__timer_cancel(struct vm *vm, struct vm_timer *t) { (void)vm; (void)t; armed = false; }
int vm__timer_register(struct vm *vm, struct vm_timer *t) { (void)vm; (void)t; return 0; }
int vm__claim_mmio(struct vm *vm, uint64_t b, uint64_t l, vm_mmio_fn *fn, void *d)
{ (void)vm; (void)b; (void)l; (void)fn; (void)d; return 0; }
void vm__register_device(struct vm_device *d) { (void)d; }

static struct lapic *l;
static struct vm vm;	/* no backend: fires raise IRR without a kick */

static uint32_t rd(unsigned off)
{
	uint64_t v = 0xdead;
	lapic__mmio(NULL, l, LAPIC_BASE + off, 4, false, &v);
	return (uint32_t)v;
}

static void wr(unsigned off, uint32_t v)
{
	uint64_t x = v;
	lapic__mmio(NULL, l, LAPIC_BASE + off, 4, true, &x);
}

static void setup(void)
{
	now_ns = 1000;
	armed = false;
	l = lapic__new(&vm);
	ck_assert_ptr_nonnull(l);
}

static void teardown(void)
{
	lapic__free(l);
}

START_TEST(reset_state)
{
	ck_assert_uint_eq(rd(0x30) & 0xff, 0x14);		/* version */
	ck_assert_uint_eq(rd(0xf0), 0xff);			/* SVR: disabled */
	ck_assert_uint_eq(rd(0x320) & (1u << 16), 1u << 16);	/* LVT timer masked */
	lapic__raise(l, 0x40);
	ck_assert_int_eq(lapic__pending(l), -1);		/* software-disabled */
}
END_TEST

START_TEST(priority_and_eoi)
{
	wr(0xf0, 0x1ff);
	lapic__raise(l, 0x41);
	lapic__raise(l, 0x62);
	ck_assert_int_eq(lapic__pending(l), 0x62);
	ck_assert_int_eq(lapic__ack(l), 0x62);
	ck_assert_int_eq(lapic__pending(l), -1);		/* 0x41's class is below ISR's */
	ck_assert_uint_eq(rd(0xa0), 0x60);			/* PPR */
	ck_assert_uint_eq(rd(0x100 + 0x10 * 3) >> 2 & 1, 1);	/* ISR bit 0x62 */
	wr(0xb0, 0);
	ck_assert_int_eq(lapic__pending(l), 0x41);
	lapic__set_cr8(l, 5);					/* TPR 0x50 holds 0x41 off */
	ck_assert_uint_eq(rd(0x80), 0x50);
	ck_assert_int_eq(lapic__pending(l), -1);
	ck_assert_uint_eq(lapic__cr8(l), 5);
	wr(0x80, 0);
	ck_assert_int_eq(lapic__ack(l), 0x41);
	ck_assert_uint_eq(rd(0x200 + 0x10 * 2), 0);		/* IRR clear */
}
END_TEST

START_TEST(self_ipi_and_illegal_vector)
{
	wr(0xf0, 0x1ff);
	wr(0x300, (1u << 18) | 0x55);				/* shorthand self, fixed */
	ck_assert_int_eq(lapic__pending(l), 0x55);
	lapic__raise(l, 7);					/* vectors < 16 are illegal */
	ck_assert_uint_eq(rd(0x280) & (1u << 6), 1u << 6);
	wr(0x280, 0);
	ck_assert_uint_eq(rd(0x280), 0);
}
END_TEST

START_TEST(timer_oneshot)
{
	wr(0xf0, 0x1ff);
	wr(0x3e0, 0xb);						/* divide by 1 */
	wr(0x320, 0x30);
	wr(0x380, 1000);					/* 1000 ns at 1 GHz */
	ck_assert(armed);
	ck_assert_uint_eq(armed_at, now_ns + 1000);
	now_ns += 400;
	ck_assert_uint_eq(rd(0x390), 600);
	now_ns += 600;
	lapic__timer_fire(&vm, l);
	ck_assert_uint_eq(rd(0x390), 0);
	ck_assert_int_eq(lapic__pending(l), 0x30);
	wr(0x3e0, 0x3);						/* divide by 16 */
	ck_assert_uint_eq(rd(0x3e0), 0x3);
}
END_TEST

START_TEST(timer_periodic_masked)
{
	wr(0xf0, 0x1ff);
	wr(0x3e0, 0xb);
	wr(0x320, (1u << 17) | (1u << 16) | 0x31);		/* periodic, masked */
	wr(0x380, 100);
	now_ns += 250;
	ck_assert_uint_eq(rd(0x390), 50);
	lapic__timer_fire(&vm, l);
	ck_assert_int_eq(lapic__pending(l), -1);		/* masked: nothing raised */
	ck_assert(armed);
	wr(0x380, 0);						/* stop */
	ck_assert(!armed);
}
END_TEST

START_TEST(hostile_mmio)
{
	uint64_t v = 0x1234;
	lapic__mmio(NULL, l, LAPIC_BASE + 0x20, 8, false, &v);	/* wrong size */
	ck_assert_uint_eq(v, 0);
	v = 0x1234;
	lapic__mmio(NULL, l, LAPIC_BASE + 0x22, 4, false, &v);	/* misaligned */
	ck_assert_uint_eq(v, 0);
	for (unsigned off = 0; off < 0x1000; off += 0x10)
		(void)rd(off);					/* every offset reads */
	wr(0xff0, 0xffffffff);
	wr(0xf0, 0);						/* disabling masks every LVT */
	ck_assert_uint_eq(rd(0x350) & (1u << 16), 1u << 16);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lapic");
	TCase *t = tcase_create("lapic");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, reset_state);
	tcase_add_test(t, priority_and_eoi);
	tcase_add_test(t, self_ipi_and_illegal_vector);
	tcase_add_test(t, timer_oneshot);
	tcase_add_test(t, timer_periodic_masked);
	tcase_add_test(t, hostile_mmio);
	suite_add_tcase(s, t);
	return check_tap__run(s, CK_NOFORK);
}
