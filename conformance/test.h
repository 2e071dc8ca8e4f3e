/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The conformance tests' framework. A test is one file under
 * conformance/tests/<call>/ (or discovery/, abi/ for what spans calls):
 *
 *	TEST(write_cr4, "PGE written reads back")
 *	{
 *		REQUIRE_CALL(VMI_CALL_WRITE_CR4);
 *		...
 *		CHECK(got == want, "read %#lx after writing %#lx", got, want);
 *	}
 *
 * CHECK fails the test with a diagnostic and returns; SKIP and REQUIRE_*
 * skip it with a reason. A test that raises an exception it did not catch
 * fails with the exception's state; one that hangs is reported by the
 * harness (conformance/run) from the "# test N:" marker printed before it.
 * Each test starts from the same state (runner.c: env__reset).
 */
#ifndef CONFORMANCE_TEST_H
#define CONFORMANCE_TEST_H

#include "guest.h"
#include "vmi.h"

struct test {
	const char *call;	/* the call tested, or discovery/abi */
	const char *what;
	void (*fn)(void);
};

#define TEST(call_, what_)						\
	static void test_body(void);					\
	static const struct test test_desc				\
		__attribute__((used, section(".tests"), aligned(8))) =	\
		{ #call_, what_, test_body };				\
	static void test_body(void)

void test__fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test__skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test__note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond, ...) do { if (!(cond)) { test__fail(__VA_ARGS__); return; } } while (0)
#define SKIP(...) do { test__skip(__VA_ARGS__); return; } while (0)
/* The call exists in this ROM and is not reloc none. */
#define REQUIRE_CALL(n) do { if (!env__has(n)) SKIP("%s: %s in this ROM", vmi__call_names[n], env__why_missing(n)); } while (0)
#define REQUIRE_FEAT(f) do { if (!(vmi.features & (f))) SKIP("the ROM lacks feature %s", #f); } while (0)
/* Refusals the native ROM leaves to the CPU's #GP, where the CPU is known
 * not to raise it (QEMU TCG 7.2 hangs on reserved CR3/CR4 bits). */
#define REQUIRE_REFUSING_CPU(what) do { if (env__native_tcg()) SKIP("native ROM on QEMU TCG: the CPU does not refuse %s", what); } while (0)

/* env.c: what tests share. */
int env__has(unsigned call);
const char *env__why_missing(unsigned call);
int env__native(void);		/* the ROM says NATIVE */
int env__native_tcg(void);	/* ... and the CPU is QEMU's TCG */
void env__init(void);
void env__reset(void);

/* Paging. The scratch window is 2 MiB at SCRATCH_VA (PML4 slot 1, unused by
 * the boot map), built through the VMI calls so a shadow-paging hypervisor
 * sees it; env__reset tears it down. Returns the level-1 table. */
#define SCRATCH_VA 0x8000000000ull
u64 *env__scratch(void);
u64 *env__scratch_pte(u64 va);
u64 env__pa(const volatile void *p);	/* identity map: the address itself */
/* Read/write through va, catching a fault: returns -1, or the vector. */
long env__read64(u64 va, u64 *val);
long env__write64(u64 va, u64 val);

/* Interrupts: a counting handler on TEST_VECTOR; env__arm_soon raises it as
 * soon as possible (the VMI alarm when the ROM has TIMER, else the LAPIC). */
#define TEST_VECTOR 0x40
extern volatile unsigned env__irqs;
void env__arm_soon(void);
/* The same for any vector (a hardware interrupt: software INT n is avoided,
 * some nested KVM setups cannot deliver it). The handler must EOI. */
void env__arm_vector(unsigned vector);
void env__arm_periodic(void);	/* LAPIC periodic, about every 100 us */
void env__disarm(void);
/* Spin until the armed interrupt is pending (IRR) or a bound passes. */
void env__wait_pending(void);
/* Spin until env__irqs > n, at most about bound pause iterations. */
int env__wait_irqs(unsigned n, unsigned long bound);

#endif
