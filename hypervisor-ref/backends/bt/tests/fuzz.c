// SPDX-License-Identifier: GPL-2.0 OR MIT
/* bt-fuzz: differential fuzzing of the bt core against Unicorn. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <Zydis/Zydis.h>
#include "../bt.h"
#include "diff.h"

static const struct option opts[] = {
	{ "cases", required_argument, NULL, 'n' },
	{ "seed", required_argument, NULL, 's' },
	{ "length", required_argument, NULL, 'l' },
	{ "single-step", no_argument, NULL, '1' },
	{ "show", no_argument, NULL, 'v' },
	{ "garbage", no_argument, NULL, 'g' },
	{ "bits", required_argument, NULL, 'b' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static const char *const help[] = {
	"number of cases (default 10000)", "first seed (default 1)",
	"instructions per case (default 24)", "one guest instruction per block",
	"disassemble each failing case",
	"run random bytes as CPL0 code instead: the host must survive",
	"64 (long mode, default) or 32 (flat protected mode)", "this text",
};

static void usage(FILE *f)
{
	fprintf(f, "usage: bt-fuzz [options]\nRuns random instruction sequences on bt and on Unicorn and compares.\n");
	for (int i = 0; opts[i].name; i++)
		fprintf(f, "  --%-12s %s\n", opts[i].name, help[i]);
}

static void disasm(const struct gen_case *g)
{
	ZydisDisassembledInstruction in;
	for (size_t o = 0; o < g->len;) {
		if (ZYAN_FAILED(ZydisDisassembleIntel(g->bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64 :
						      ZYDIS_MACHINE_MODE_LEGACY_32, 0x100000 + o,
						      g->code + o, g->len - o, &in)))
			break;
		fprintf(stderr, "  %06zx  %s\n", o, in.text);
		o += in.info.length;
	}
}

int main(int argc, char **argv)
{
	unsigned long n = 10000, len = 24;
	unsigned long long seed = 1;
	int single = 0, show = 0, garbage = 0, bits = 64, ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'l': len = strtoul(optarg, NULL, 0); break;
		case '1': single = 1; break;
		case 'v': show = 1; break;
		case 'g': garbage = 1; break;
		case 'b': bits = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (bits != 32 && bits != 64) {
		fprintf(stderr, "bt-fuzz: --bits %d: must be 32 or 64\n", bits);
		return 1;
	}
	if (!n || !len || len > 400) {
		fprintf(stderr, "bt-fuzz: --cases and --length: must be 1..; length at most 400\n");
		return 1;
	}
	struct diff *d = diff__new(single);
	static struct gen_case g;
	char msg[4096];
	unsigned long fails = 0;
	if (garbage) {
		unsigned long exits[BT_EXIT_FAULT + 1] = { 0 };
		for (unsigned long i = 0; i < n; i++)
			exits[diff__garbage(d, seed + i, msg, sizeof(msg))]++;
		printf("bt-fuzz: %lu garbage cases from seed %llu: budget %lu, hlt %lu, io %lu, "
		       "shutdown %lu, fault %lu\n", n, seed, exits[0], exits[1], exits[2], exits[3],
		       exits[4]);
		diff__free(d);
		return 0;
	}
	for (unsigned long i = 0; i < n; i++) {
		gen__case(&g, seed + i, (unsigned)len, bits);
		if (diff__run(d, &g, seed + i, msg, sizeof(msg))) {
			fails++;
			fprintf(stderr, "bt-fuzz: seed %llu: mismatch\n%s", seed + i, msg);
			if (show)
				disasm(&g);
			if (fails >= 10)
				break;
		}
		if ((i + 1) % 10000 == 0)
			fprintf(stderr, "bt-fuzz: %lu cases, %lu mismatches\n", i + 1, fails);
	}
	printf("bt-fuzz: %lu cases from seed %llu, %lu mismatches\n", n, seed, fails);
	diff__free(d);
	return fails ? 1 : 0;
}
