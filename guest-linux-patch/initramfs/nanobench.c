// SPDX-License-Identifier: GPL-2.0
/*
 * nanobench: in-guest nanobenchmarks in the manner of Adams and Agesen,
 * "A comparison of software and hardware techniques for x86
 * virtualization" (ASPLOS 2006): each one exercises one kind of
 * virtualization cost (a system call, port I/O, a CR8 write, a page
 * fault, a fault delivered to user space, a PTE change, a whole process)
 * in a loop, and prints the mean cost per operation from CLOCK_MONOTONIC.
 *
 * Output, one parseable line per benchmark (bench/run reads it), each
 * ending in " #XX", the sum of the line's bytes before it mod 256 in hex:
 * a serial path that drops a byte (seen through nested KVM) must not turn
 * into a wrong figure.
 *   nanobench: NAME NS_PER_OP ns ITERS iters #XX
 *   nanobench: NAME skipped: WHY #XX
 *   nanobench: done #XX
 *
 * Each loop doubles its count until one run takes NANOBENCH_MS (100 ms by
 * default, "nanobench.ms=N" on the kernel command line, or argv[1]), so
 * the same binary fits QEMU TCG, binary translation and hardware alike.
 *
 * usage: nanobench [MS]        run all benchmarks
 *        nanobench --noop      exit 0 at once (the fork/exec loop's child)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long target_ns = 100 * 1000000L;
static char self_path[256] = "/bin/nanobench";

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* printf one line with its check byte appended (see the top). */
static __attribute__((format(printf, 1, 2))) void report(const char *fmt, ...)
{
	char line[512];
	unsigned int sum = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (const char *c = line; *c; c++)
		sum += (unsigned char)*c;
	printf("%s #%02x\n", line, sum & 0xff);
	fflush(stdout);
}

/* One benchmark body: runs N operations; returns 0, or -1 on failure. */
typedef int (*bench_fn)(long n);

static int b_syscall(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

/*
 * The ring-0 operations (a port read, a CR8 write): the kernel's
 * /sys/kernel/vmi_bench/ (CONFIG_VMI_BENCH) performs N of them per
 * write(), through the ROM when it binds the call, else the bare
 * instruction (the guest's boot log says which). The open(), write() and
 * close() per run are part of the mean, as the loop is for the others:
 * under 0.1% at the run lengths used.
 */
static int sysfs_ops(const char *file, long n)
{
	char path[64];
	char num[32];
	int fd, len, ok;

	snprintf(path, sizeof(path), "/sys/kernel/vmi_bench/%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	len = snprintf(num, sizeof(num), "%ld", n);
	ok = write(fd, num, len) == len;
	if (!ok) {
		int err = errno ? errno : EIO;	/* a short write sets none */

		close(fd);
		errno = err;
		return -1;
	}
	close(fd);
	return 0;
}

static int b_in(long n)
{
	return sysfs_ops("in", n);
}

static int b_cr8(long n)
{
	return sysfs_ops("cr8", n);
}

/* Not inlined, and the asm keeps the loop from being folded away. */
static __attribute__((noinline)) long callee(long x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

static int b_callret(long n)
{
	long x = 0;

	for (long i = 0; i < n; i++)
		x = callee(x);
	__asm__ volatile("" : : "r"(x));
	return 0;
}

/* Fresh anonymous pages, touched once each: one fault per page. */
static int b_pgfault(long n)
{
	long page = sysconf(_SC_PAGESIZE);
	long chunk = 256;

	for (long done = 0; done < n; done += chunk) {
		long k = n - done < chunk ? n - done : chunk;
		volatile char *p = mmap(NULL, k * page, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		for (long i = 0; i < k; i++)
			p[i * page] = 1;
		munmap((void *)p, k * page);
	}
	return 0;
}

static sigjmp_buf fpe_jmp;

static void on_fpe(int sig)
{
	(void)sig;
	siglongjmp(fpe_jmp, 1);
}

/* #DE in user space, SIGFPE delivered, siglongjmp back: one round trip. */
static int b_divzero(long n)
{
	volatile int zero = 0, r = 0;
	struct sigaction sa = { .sa_handler = on_fpe, .sa_flags = SA_NODEFER };

	if (sigaction(SIGFPE, &sa, NULL) != 0)
		return -1;
	for (volatile long i = 0; i < n; i++) {
		if (sigsetjmp(fpe_jmp, 1) == 0)
			r = 1 / zero;
	}
	(void)r;
	signal(SIGFPE, SIG_DFL);
	return 0;
}

/* One present page flipped between read-write and read-only: each
 * mprotect rewrites its PTE and flushes its TLB entry. */
static int b_ptemod(long n)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	p[0] = 1;
	for (long i = 0; i < n; i++) {
		mprotect((void *)p, page, i & 1 ? PROT_READ | PROT_WRITE : PROT_READ);
		if (i & 1)
			p[0] = 1;	/* keep the PTE present and dirty */
	}
	munmap((void *)p, page);
	return 0;
}

static int b_forkwait(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			return -1;
	}
	return 0;
}

static int b_forkexec(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0)
			return -1;
		if (pid == 0) {
			execl(self_path, self_path, "--noop", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return -1;
	}
	return 0;
}

/* Doubles N until one run lasts target_ns, then prints that run's mean. */
static void run(const char *name, bench_fn fn, long unit)
{
	long n = unit;

	if (fn(n) != 0)		/* warm-up, and a first check that it works */
		goto fail;
	for (;;) {
		int64_t t0 = now_ns(), dt;

		if (fn(n) != 0)
			goto fail;
		dt = now_ns() - t0;
		if (dt >= target_ns || n > (1L << 40)) {
			report("nanobench: %s %.1f ns %ld iters", name,
			       (double)dt / n, n);
			return;
		}
		/* Aim just past the target from what this run showed. */
		n = dt > 0 && dt < target_ns / 4 ? n * 4 : n * 2;
	}
fail:
	report("nanobench: %s skipped: %s", name, strerror(errno));
}

static void skip(const char *name, const char *why)
{
	report("nanobench: %s skipped: %s", name, why);
}

/* nanobench.ms=N on the kernel command line, where /proc is mounted. */
static void ms_from_cmdline(void)
{
	char buf[1024], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	size_t len;

	if (!f)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	p = strstr(buf, "nanobench.ms=");
	if (p) {
		long ms = strtol(p + 13, NULL, 10);

		if (ms > 0 && ms <= 10000)
			target_ns = ms * 1000000L;
	}
}

int main(int argc, char **argv)
{
	ssize_t len;

	if (argc > 1 && strcmp(argv[1], "--noop") == 0)
		return 0;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: nanobench [MS]   (each benchmark runs about MS ms, default 100)\n"
		       "       nanobench --noop (exit 0: the fork/exec loop's child)\n");
		return 0;
	}
	ms_from_cmdline();
	if (argc > 1) {
		long ms = strtol(argv[1], NULL, 10);

		if (ms <= 0 || ms > 10000) {
			fprintf(stderr, "nanobench: %s: not a time in ms (1..10000)\n", argv[1]);
			return 2;
		}
		target_ns = ms * 1000000L;
	}
	len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (len > 0)
		self_path[len] = 0;

	run("syscall", b_syscall, 64);
	if (access("/sys/kernel/vmi_bench", F_OK) == 0) {
		run("in", b_in, 64);
		run("cr8", b_cr8, 64);
	} else {
		skip("in", "no /sys/kernel/vmi_bench (a kernel without CONFIG_VMI_BENCH)");
		skip("cr8", "no /sys/kernel/vmi_bench (a kernel without CONFIG_VMI_BENCH)");
	}
	run("callret", b_callret, 1024);
	run("pgfault", b_pgfault, 64);
	run("divzero", b_divzero, 16);
	run("ptemod", b_ptemod, 64);
	run("forkwait", b_forkwait, 4);
	run("forkexec", b_forkexec, 4);
	report("nanobench: done");
	return 0;
}
