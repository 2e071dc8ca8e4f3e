// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What direct execution of guest user code in a ptraced host child (issue
 * 8, item 4; the UML way) would pay per event, measured on this host: a
 * system call trapped with PTRACE_SYSEMU, a page fault trapped as a
 * SIGSEGV stop, and an mmap injected into the child (how the monitor
 * would map a guest page into the child's shadow address space). Each is
 * the mean of N round trips. bench.sh sets these against bt's own
 * figures; see README.md "Direct execution of user code".
 *
 * usage: direct-exec-cost [N]   (default 20000)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHADOW_PAGE 0x10000000ul

static long n = 20000;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void child(void)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
		_exit(3);
	raise(SIGSTOP);
	for (long i = 0; i < n; i++) {
		long r;
		__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_getppid) : "rcx", "r11", "memory");
	}
	volatile char *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (long i = 0; i < n; i++)	/* a 2-byte load the tracer steps over */
		__asm__ volatile("movb (%%rdi), %%al" : : "D"(p) : "al", "memory");
	for (long i = 0; i < n; i++)
		__asm__ volatile("int3");	/* where the tracer injects an mmap */
	_exit(0);
}

static void die(const char *what, pid_t pid)
{
	fprintf(stderr, "direct-exec-cost: %s: %s\n", what, strerror(errno));
	if (pid > 0)
		kill(pid, SIGKILL);
	exit(1);
}

/* Resume the child with `req` and wait for its next stop. */
static void step(pid_t pid, enum __ptrace_request req, int *st)
{
	if (ptrace(req, pid, 0, 0) != 0 || waitpid(pid, st, 0) != pid)
		die("ptrace resume", pid);
	if (!WIFSTOPPED(*st)) {
		errno = ECHILD;
		die("the child ended early", -1);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: direct-exec-cost [N]   mean cost of a ptrace-trapped syscall,\n"
		       "page fault and injected mmap over N round trips (default 20000)\n");
		return 0;
	}
	if (argc > 1) {
		n = strtol(argv[1], NULL, 10);
		if (n < 1 || n > 10000000) {
			fprintf(stderr, "direct-exec-cost: %s: not a count (1..10000000)\n", argv[1]);
			return 2;
		}
	}
	pid_t pid = fork();
	if (pid < 0)
		die("fork", -1);
	if (pid == 0)
		child();
	int st;
	struct user_regs_struct r, save;
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		die("ptrace: the child did not stop (ptrace not permitted here?)", pid);

	double t0 = now();
	unsigned long long syscall_at = 0;
	for (long i = 0; i < n; i++) {
		step(pid, PTRACE_SYSEMU, &st);
		if (ptrace(PTRACE_GETREGS, pid, 0, &r) != 0)
			die("PTRACE_GETREGS", pid);
		syscall_at = r.rip - 2;
		r.rax = 1;		/* what the monitor's kernel returned */
		if (ptrace(PTRACE_SETREGS, pid, 0, &r) != 0)
			die("PTRACE_SETREGS", pid);
	}
	double t_sys = (now() - t0) / (double)n;

	step(pid, PTRACE_SYSCALL, &st);	/* the mmap, let through */
	step(pid, PTRACE_SYSCALL, &st);
	step(pid, PTRACE_CONT, &st);	/* the first fault */
	t0 = now();
	for (long i = 0; i < n; i++) {
		siginfo_t si;
		if (WSTOPSIG(st) != SIGSEGV || ptrace(PTRACE_GETSIGINFO, pid, 0, &si) != 0 ||
		    ptrace(PTRACE_GETREGS, pid, 0, &r) != 0)
			die("not the expected SIGSEGV stop", pid);
		r.rip += 2;
		if (ptrace(PTRACE_SETREGS, pid, 0, &r) != 0)
			die("PTRACE_SETREGS", pid);
		step(pid, PTRACE_CONT, &st);
	}
	double t_fault = (now() - t0) / (double)n;

	t0 = now();
	for (long i = 0; i < n; i++) {
		if (WSTOPSIG(st) != SIGTRAP || ptrace(PTRACE_GETREGS, pid, 0, &save) != 0)
			die("not the expected SIGTRAP stop", pid);
		r = save;
		r.rip = syscall_at;
		r.rax = SYS_mmap;
		r.rdi = SHADOW_PAGE;
		r.rsi = 4096;
		r.rdx = PROT_READ | PROT_WRITE;
		r.r10 = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
		r.r8 = ~0ull;
		r.r9 = 0;
		if (ptrace(PTRACE_SETREGS, pid, 0, &r) != 0)
			die("PTRACE_SETREGS", pid);
		step(pid, PTRACE_SYSCALL, &st);
		step(pid, PTRACE_SYSCALL, &st);
		if (ptrace(PTRACE_GETREGS, pid, 0, &r) != 0 || r.rax != SHADOW_PAGE)
			die("the injected mmap failed", pid);
		if (ptrace(PTRACE_SETREGS, pid, 0, &save) != 0)
			die("PTRACE_SETREGS", pid);
		if (i + 1 < n)
			step(pid, PTRACE_CONT, &st);
	}
	double t_map = (now() - t0) / (double)n;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("direct execution, per event through ptrace: trapped syscall %.1f us, "
	       "trapped page fault %.1f us, a stop and an injected mmap %.1f us\n",
	       t_sys * 1e6, t_fault * 1e6, t_map * 1e6);
	return 0;
}
