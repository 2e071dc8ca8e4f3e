// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compute loop of loop.asm run natively, in host user mode: the
 * ceiling for bt's figure, and what direct execution of guest user code
 * could at best reach on it. Prints MIPS (8 instructions per iteration).
 *
 * usage: loop-native N   (iterations)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long array[4096];

int main(int argc, char **argv)
{
	if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: loop-native N   run loop.asm's loop N times natively, print MIPS\n");
		return argc == 2 ? 0 : 2;
	}
	long n = strtol(argv[1], NULL, 10), left = n;
	if (n < 1) {
		fprintf(stderr, "loop-native: %s: not an iteration count\n", argv[1]);
		return 2;
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	__asm__ volatile("xor %%edx, %%edx\n\t"
			 "xor %%ebx, %%ebx\n"
			 "1:\tmov (%%rsi,%%rdx,8), %%rax\n\t"
			 "add %%rax, %%rbx\n\t"
			 "xor %%rbx, %%rax\n\t"
			 "mov %%rax, (%%rsi,%%rdx,8)\n\t"
			 "inc %%rdx\n\t"
			 "and $4095, %%rdx\n\t"
			 "dec %%rcx\n\t"
			 "jnz 1b"
			 : "+c"(left) : "S"(array) : "rax", "rbx", "rdx", "memory", "cc");
	clock_gettime(CLOCK_MONOTONIC, &b);
	double t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
	printf("%.1f\n", 8.0 * (double)n / t / 1e6);
	return 0;
}
