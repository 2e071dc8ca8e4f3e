// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The conformance kernel's main: find the ROM, then run every test linked
 * in (the .tests section, in file order) and report TAP on COM1. Before each
 * test it prints "# test N: call: what", so that the harness can name a
 * test that hangs or kills the VM, and resume after it with the multiboot
 * command line "start=N+1".
 */
#include "tap.h"
#include "test.h"

extern const struct test __tests_start[], __tests_end[];

static struct {
	int failed, skipped;
	char why[256];
} cur;

static void record(int *flag, const char *fmt, va_list ap)
{
	if (*flag)
		return;	/* the first reason is the useful one */
	*flag = 1;
	vsnprintf(cur.why, sizeof(cur.why), fmt, ap);
}

void test__fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(&cur.failed, fmt, ap);
	va_end(ap);
}

void test__skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(&cur.skipped, fmt, ap);
	va_end(ap);
}

void test__note(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("#   %s\n", buf);
}

static unsigned start_from(u32 mb_info)
{
	const struct { u32 flags, mem_lower, mem_upper, boot_device, cmdline; } *mbi =
		(const void *)(uintptr_t)mb_info;
	const char *s;

	if (!mb_info || !(mbi->flags & (1 << 2)) || !mbi->cmdline)
		return 1;
	for (s = (const char *)(uintptr_t)mbi->cmdline; *s; s++)
		if (!strncmp(s, "start=", 6))
			return (unsigned)lib__parse_u64(s + 6, NULL);
	return 1;
}

static void run_one(unsigned n, const struct test *t)
{
	u64 ignored;
	long vec;

	printf("# test %u: %s: %s\n", n, t->call, t->what);
	memset(&cur, 0, sizeof(cur));
	vec = trap__catch_call(t->fn, 0, 0, 0, 0, &ignored);
	env__reset();
	if (vec >= 0) {
		trap__dump(&trap__last);
		snprintf(cur.why, sizeof(cur.why), "unexpected exception %ld at RIP %#lx", vec, trap__last.rip);
	}
	if (vec >= 0 || cur.failed)
		tap__result(TAP_FAIL, cur.why, "%s: %s", t->call, t->what);
	else if (cur.skipped)
		tap__result(TAP_SKIP, cur.why, "%s: %s", t->call, t->what);
	else
		tap__result(TAP_PASS, NULL, "%s: %s", t->call, t->what);
}

void guest_main(u32 mb_magic, u32 mb_info)
{
	unsigned first = start_from(mb_info), n = 0;

	(void)mb_magic;
	console__init();
	trap__init();
	printf("# VMI-x64 conformance: %u tests\n", (unsigned)(__tests_end - __tests_start));
	if (rom__discover()) {
		printf("Bail out! no valid VMI ROM in %#x-%#x\n", VMI_SCAN_START, VMI_SCAN_END - 1);
		guest__exit(4);
	}
	printf("# ROM at %#lx: \"%s\", ABI %u.%u, %u calls, features %#lx\n", vmi.found_at,
	       (const char *)vmi.image + vmi.hdr->vendor_offset, vmi.hdr->abi_major,
	       vmi.hdr->abi_minor, vmi.num_calls, vmi.features);
	env__init();
	env__reset();
	tap__start(first);
	for (const struct test *t = __tests_start; t < __tests_end; t++)
		if (++n >= first)
			run_one(n, t);
	tap__finish();
}
