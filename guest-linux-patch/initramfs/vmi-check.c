// SPDX-License-Identifier: GPL-2.0
/*
 * vmi-check: the guest's TAP self-check, run by /init. Each test exercises
 * a path the VMI ROM sits on: fork/exec (page tables, CR3, TLB), a fault
 * storm (set_pte, lazy MMU), a timed sleep (timer, clockevent), a
 * write-protected page (protection changes, TLB flush), plain syscalls.
 *
 *   vmi-check            run every test, print TAP, exit 1 on any failure
 *   vmi-check --uptime   print CLOCK_BOOTTIME in seconds (boot-to-init time)
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FORK_LOOPS	100
#define STORM_BYTES	(64ul << 20)
#define SLEEP_NS	100000000ll
#define SLEEP_SLACK_NS	900000000ll	/* TCG and nested hosts are slow */

static int test_num, failures;

static void tap(int ok, const char *what, const char *detail)
{
	test_num++;
	if (!ok)
		failures++;
	printf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", test_num, what,
	       detail[0] ? ": " : "", detail);
	fflush(stdout);
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void test_fork_exec(void)
{
	char detail[96] = "";
	int ok = 1;

	for (int i = 0; i < FORK_LOOPS && ok; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/busybox", "true", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			snprintf(detail, sizeof(detail), "child %d failed (%s)",
				 i, pid < 0 ? strerror(errno) : "bad status");
			ok = 0;
		}
	}
	if (ok)
		snprintf(detail, sizeof(detail), "%d children", FORK_LOOPS);
	tap(ok, "fork/exec loop", detail);
}

static void test_fault_storm(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char detail[96] = "";
	unsigned long bad = 0;
	uint64_t *mem;
	long long t0;

	t0 = now_ns(CLOCK_MONOTONIC);
	mem = mmap(NULL, STORM_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		tap(0, "page-fault storm", strerror(errno));
		return;
	}
	for (unsigned long off = 0; off < STORM_BYTES; off += page)
		mem[off / 8] = off ^ 0x5a5a5a5a5a5aull;
	for (unsigned long off = 0; off < STORM_BYTES; off += page)
		bad += mem[off / 8] != (off ^ 0x5a5a5a5a5a5aull);
	munmap(mem, STORM_BYTES);
	snprintf(detail, sizeof(detail), "%lu pages in %lld ms, %lu wrong",
		 STORM_BYTES / page, (now_ns(CLOCK_MONOTONIC) - t0) / 1000000, bad);
	tap(bad == 0, "page-fault storm over 64 MiB", detail);
}

static void test_sleep(void)
{
	struct timespec req = { 0, SLEEP_NS };
	long long t0, mono, real, rt0;
	char detail[96];

	rt0 = now_ns(CLOCK_REALTIME);
	t0 = now_ns(CLOCK_MONOTONIC);
	while (nanosleep(&req, &req) && errno == EINTR)
		;
	mono = now_ns(CLOCK_MONOTONIC) - t0;
	real = now_ns(CLOCK_REALTIME) - rt0;
	snprintf(detail, sizeof(detail), "slept %lld us (realtime %lld us)",
		 mono / 1000, real / 1000);
	tap(mono >= SLEEP_NS && mono < SLEEP_NS + SLEEP_SLACK_NS &&
	    real >= SLEEP_NS - 1000000 && real < SLEEP_NS + SLEEP_SLACK_NS,
	    "100 ms sleep against the clock", detail);
}

static sigjmp_buf wp_jmp;
static volatile sig_atomic_t wp_code;

static void wp_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	wp_code = si->si_code;
	siglongjmp(wp_jmp, 1);
}

static void test_write_protect(void)
{
	struct sigaction sa = { .sa_sigaction = wp_handler, .sa_flags = SA_SIGINFO };
	long page = sysconf(_SC_PAGESIZE);
	volatile char *p;
	char detail[96] = "";
	volatile int ok = 0;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		tap(0, "write-protected page", strerror(errno));
		return;
	}
	p[0] = 1;
	sigaction(SIGSEGV, &sa, NULL);
	mprotect((void *)p, page, PROT_READ);
	if (sigsetjmp(wp_jmp, 1) == 0) {
		p[0] = 2;
		snprintf(detail, sizeof(detail), "the write went through");
	} else if (wp_code != SEGV_ACCERR) {
		snprintf(detail, sizeof(detail), "si_code %d, not SEGV_ACCERR", wp_code);
	} else if (p[0] != 1) {
		snprintf(detail, sizeof(detail), "the page changed");
	} else {
		mprotect((void *)p, page, PROT_READ | PROT_WRITE);
		p[0] = 3;
		ok = p[0] == 3;
		snprintf(detail, sizeof(detail), "SEGV_ACCERR, then writable again");
	}
	signal(SIGSEGV, SIG_DFL);
	munmap((void *)p, page);
	tap(ok, "write-protected page", detail);
}

static void test_syscalls(void)
{
	struct utsname u;
	int fds[2], ok;
	char c = 0;

	ok = getpid() == 1 || getppid() >= 1;
	ok = ok && uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0;
	ok = ok && pipe(fds) == 0 && write(fds[1], "v", 1) == 1 &&
	     read(fds[0], &c, 1) == 1 && c == 'v';
	close(fds[0]);
	close(fds[1]);
	ok = ok && now_ns(CLOCK_REALTIME) > 0 && sysconf(_SC_NPROCESSORS_ONLN) >= 1;
	tap(ok, "syscalls (getpid, uname, pipe, clock_gettime)", u.release);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--uptime") == 0) {
		long long t = now_ns(CLOCK_BOOTTIME);

		printf("%lld.%06lld\n", t / 1000000000, t % 1000000000 / 1000);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: vmi-check [--uptime]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..5\n");
	test_fork_exec();
	test_fault_storm();
	test_sleep();
	test_write_protect();
	test_syscalls();
	printf("# self-check: %d passed, %d failed\n", test_num - failures, failures);
	return failures ? 1 : 0;
}
