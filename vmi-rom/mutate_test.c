// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Mutation test of vmi-romtool validate over the built ROMs (TAP):
 * - both ROMs are valid;
 * - every single-byte change (all 255 other values) of the header area
 *   (everything before the slot table) and of every slot is refused with
 *   exactly one problem, as is every truncation and an empty file;
 * - the same changes with the checksum fixed up again ("resealed"): how many
 *   the structural and decoder rules still catch is reported, not asserted
 *   (a changed immediate or vendor character is a different valid ROM);
 * - the tool itself, run on a sample of those files: exit 1 and one line;
 *   missing file 1, usage errors 2.
 * In-process through romvalidate (what the tool runs) so that all ~2.5M
 * images fit in seconds.
 * Usage: mutate_test [TOOL NATIVE_ROM HYPERCALL_ROM]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "romvalidate.h"

#define MAX_IMAGE (255 * 512)

static const char *tool = "build/vmi-romtool";
static char tmpdir[] = "/tmp/vmi-mutate-XXXXXX";
static unsigned test_no;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

struct rom {
	const char *path;
	uint8_t img[MAX_IMAGE];
	size_t len;
	uint32_t slots, slots_end;	/* the slot table */
};

static int load(struct rom *r, const char *path)
{
	FILE *f = fopen(path, "rb");

	r->path = path;
	r->len = f ? fread(r->img, 1, sizeof(r->img), f) : 0;
	if (f)
		fclose(f);
	if (!r->len || romcheck__image(r->img, r->len, NULL, NULL))
		return -1;
	r->slots = romcheck__header(r->img)->slot_offset;
	r->slots_end = r->slots + romcheck__header(r->img)->num_calls * VMI_SLOT_SIZE;
	return 0;
}

/* Counts reports; stops at the first, as `validate` without -v does. */
static int count_first(void *ctx, uint32_t off, const char *what, uint64_t value)
{
	(void)off, (void)what, (void)value;
	++*(unsigned *)ctx;
	return 1;
}

static int refused_once(const uint8_t *img, size_t len)
{
	unsigned lines = 0;

	return romvalidate__image(img, len, count_first, &lines) == 1 && lines == 1;
}

static void write_file(const char *path, const uint8_t *img, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(img, 1, len, f) != len || fclose(f)) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Runs the tool; returns its exit status and the lines it printed. */
static int run_tool(char *const argv[], unsigned *lines)
{
	int fds[2], status;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	*lines = 0;
	if (pipe(fds) || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(tool, argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			*lines += buf[i] == '\n';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int tool_says(const char *cmd, const char *opt, const char *file, int want_exit, unsigned want_lines)
{
	char *argv[5] = { (char *)tool, (char *)cmd, (char *)opt, NULL, NULL };
	unsigned lines;
	int rc;

	if (!opt)
		argv[2] = (char *)file;
	else
		argv[3] = (char *)file;
	rc = run_tool(argv, &lines);
	if (rc != want_exit || (want_lines != ~0u && lines != want_lines))
		printf("# %s %s %s: exit %d, %u lines\n", cmd, opt ? opt : "", file ? file : "", rc, lines);
	return rc == want_exit && (want_lines == ~0u || lines == want_lines);
}

static uint8_t sum_of(const uint8_t *img, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + img[i]);
	return s;
}

struct tally {
	unsigned long tried, refused_once, resealed_caught;
};

/* One byte at pos, every other value; resealed through the last byte. */
static void mutate_at(struct rom *r, uint32_t pos, struct tally *t, int in_slot)
{
	uint8_t *img = r->img, orig = img[pos], last = img[r->len - 1];

	for (unsigned v = 0; v < 256; v++) {
		if (v == orig)
			continue;
		img[pos] = (uint8_t)v;
		t->tried++;
		t->refused_once += refused_once(img, r->len);
		img[r->len - 1] = (uint8_t)(last - (v - orig));
		if (in_slot)	/* the rest of the image is unchanged: check this slot alone */
			t->resealed_caught += romcheck__image(img, r->len, NULL, NULL) ||
					      romvalidate__slot(img, (pos - r->slots) / VMI_SLOT_SIZE, NULL, NULL);
		else
			t->resealed_caught += romvalidate__image(img, r->len, NULL, NULL) != 0;
		img[r->len - 1] = last;
	}
	img[pos] = orig;
}

static void test_rom(struct rom *r)
{
	struct tally hdr = { 0 }, slot = { 0 };
	unsigned long trunc_ok = 0, sampled = 0, sampled_ok = 0;
	char path[64];

	tap(romvalidate__image(r->img, r->len, NULL, NULL) == 0 && sum_of(r->img, r->len) == 0,
	    "%s: valid", r->path);
	tap(tool_says("validate", NULL, r->path, 0, 0), "%s: vmi-romtool validate exits 0, silent", r->path);
	tap(r->slots_end < r->len - 1, "%s: the seal byte is outside header and slots", r->path);
	for (uint32_t pos = 0; pos < r->slots; pos++)
		mutate_at(r, pos, &hdr, 0);
	tap(hdr.refused_once == hdr.tried, "%s: %lu/%lu header mutations refused with one problem", r->path,
	    hdr.refused_once, hdr.tried);
	for (uint32_t pos = r->slots; pos < r->slots_end; pos++)
		mutate_at(r, pos, &slot, 1);
	tap(slot.refused_once == slot.tried, "%s: %lu/%lu slot mutations refused with one problem", r->path,
	    slot.refused_once, slot.tried);
	printf("# %s: resealed, the rules still catch %lu/%lu header (%.1f%%) and %lu/%lu slot (%.1f%%) mutations\n",
	       r->path, hdr.resealed_caught, hdr.tried, 100.0 * hdr.resealed_caught / hdr.tried,
	       slot.resealed_caught, slot.tried, 100.0 * slot.resealed_caught / slot.tried);
	for (size_t len = 0; len < r->len; len++)
		trunc_ok += refused_once(r->img, len);
	tap(trunc_ok == r->len, "%s: %lu/%zu truncations refused with one problem", r->path, trunc_ok, r->len);

	/* the tool on a sample: one changed byte every 13, and some truncations */
	snprintf(path, sizeof(path), "%s/rom", tmpdir);
	for (uint32_t pos = 0; pos < r->slots_end; pos += 13, sampled++) {
		r->img[pos] ^= 0x5a;
		write_file(path, r->img, r->len);
		r->img[pos] ^= 0x5a;
		sampled_ok += tool_says("validate", NULL, path, 1, 1);
	}
	for (size_t len = 0; len < r->len; len = len ? len * 2 + 1 : 1, sampled++) {
		write_file(path, r->img, len);
		sampled_ok += tool_says("validate", NULL, path, 1, 1);
	}
	tap(sampled_ok == sampled, "%s: vmi-romtool exits 1 with one line on %lu/%lu sampled bad files", r->path,
	    sampled_ok, sampled);
}

static void test_tool(const struct rom *r)
{
	char empty[64], missing[64], trunc[64], twice[64];

	snprintf(empty, sizeof(empty), "%s/empty", tmpdir);
	snprintf(missing, sizeof(missing), "%s/missing", tmpdir);
	snprintf(trunc, sizeof(trunc), "%s/truncated", tmpdir);
	snprintf(twice, sizeof(twice), "%s/broken-twice", tmpdir);
	write_file(empty, r->img, 0);
	tap(tool_says("validate", NULL, empty, 1, 1), "empty file: exit 1, one line");
	tap(tool_says("validate", NULL, missing, 1, 1), "missing file: exit 1, one line");
	{
		static uint8_t big[MAX_IMAGE + 4096];

		memcpy(big, r->img, r->len);
		write_file(trunc, big, sizeof(big));
		tap(tool_says("validate", NULL, trunc, 1, 1), "file longer than 255 blocks: exit 1, one line");
	}
	write_file(trunc, r->img, r->len - 512);
	tap(tool_says("seal", NULL, trunc, 1, 1), "seal refuses a file shorter than its block count");
	write_file(twice, r->img, r->len);
	tap(tool_says("seal", NULL, twice, 0, 0) && tool_says("validate", NULL, twice, 0, 0),
	    "seal of a sealed ROM changes nothing");
	{
		uint8_t copy[MAX_IMAGE];

		memcpy(copy, r->img, r->len);
		copy[3] = 0, copy[0x40] = 'X';
		write_file(twice, copy, r->len);
	}
	tap(tool_says("validate", "-v", twice, 1, 3), "validate -v lists every problem");
	tap(tool_says("info", NULL, r->path, 0, ~0u) && tool_says("dump", NULL, r->path, 0, ~0u),
	    "info and dump of a valid ROM: exit 0");
	tap(tool_says("dump", NULL, empty, 1, 1), "dump of an empty file: exit 1, one line");
	tap(tool_says("--help", NULL, NULL, 0, ~0u), "--help: exit 0");
	tap(tool_says(NULL, NULL, NULL, 2, 1), "no arguments: exit 2, one line");
	tap(tool_says("frobnicate", NULL, r->path, 2, 1), "unknown command: exit 2, one line");
	tap(tool_says("validate", NULL, NULL, 2, 1), "missing FILE: exit 2, one line");
	tap(tool_says("validate", "--bogus", r->path, 2, 1), "unknown option: exit 2, one line");
	tap(tool_says("validate", r->path, r->path, 2, 1), "two files: exit 2, one line");
}

int main(int argc, char **argv)
{
	static struct rom roms[2];
	const char *paths[2] = { "build/vmi-native.rom", "build/vmi-hypercall.rom" };

	if (argc == 4)
		tool = argv[1], paths[0] = argv[2], paths[1] = argv[3];
	printf("1..%d\n", 2 * 7 + 14);
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		if (load(&roms[i], paths[i])) {
			printf("Bail out! %s: missing or invalid; run make first\n", paths[i]);
			return 1;
		}
		test_rom(&roms[i]);
	}
	test_tool(&roms[0]);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) != 0;
}
