// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vmi-romtool: validate, dump, describe and seal VMI-x64 option ROMs.
 * Exit status: 0 valid / done, 1 invalid ROM or unreadable file, 2 usage.
 * Every problem is one line: "vmi-romtool: FILE: offset 0xNN: problem".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "romslot.h"
#include "romvalidate.h"

#define TOOL		"vmi-romtool"
#define MAX_IMAGE	(255 * 512)
#define EXIT_INVALID	1
#define EXIT_USAGE	2

struct opts {
	int verbose;
	int help;
};

struct rom {
	const char *path;
	uint8_t *img;
	size_t len;
};

static int cmd_validate(struct rom *rom, const struct opts *o);
static int cmd_dump(struct rom *rom, const struct opts *o);
static int cmd_info(struct rom *rom, const struct opts *o);
static int cmd_seal(struct rom *rom, const struct opts *o);

/* The one table of commands and options: parsing and --help both read it. */
static const struct command {
	const char *name;
	int (*run)(struct rom *rom, const struct opts *o);
	const char *help;
} commands[] = {
	{ "validate", cmd_validate, "check every rule of vmi-spec/spec.md; print the first problem (-v: all)" },
	{ "dump", cmd_dump, "print the header, then each call's annotation and slot disassembly" },
	{ "info", cmd_info, "print vendor, ABI, calls, features, size and license" },
	{ "seal", cmd_seal, "set the last byte so that the byte sum is zero (in place)" },
};

static const struct option {
	char short_name;
	const char *long_name;
	size_t field;		/* offset of the int in struct opts */
	const char *help;
} options[] = {
	{ 'v', "verbose", offsetof(struct opts, verbose), "validate: list every problem, not only the first" },
	{ 'h', "help", offsetof(struct opts, help), "print this help and exit" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: " TOOL " COMMAND [OPTIONS] FILE\n"
		   "Check and inspect a VMI-x64 option ROM (vmi-spec/spec.md).\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nOptions:\n");
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		fprintf(f, "  -%c, --%-10s %s\n", options[i].short_name, options[i].long_name, options[i].help);
	fprintf(f, "\nExit status: 0 valid, 1 invalid or unreadable, 2 usage error.\n");
}

static int usage_error(const char *what, const char *why)
{
	fprintf(stderr, TOOL ": %s: %s (see " TOOL " --help)\n", what, why);
	return EXIT_USAGE;
}

static const struct option *find_option(const char *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct option *o = &options[i];

		if ((arg[1] == o->short_name && !arg[2]) || (arg[1] == '-' && !strcmp(arg + 2, o->long_name)))
			return o;
	}
	return NULL;
}

/* Reads at most MAX_IMAGE + 1 bytes: anything longer is invalid anyway. */
static int read_rom(struct rom *rom)
{
	int fd = open(rom->path, O_RDONLY);
	ssize_t n = 1;

	if (fd < 0 || !(rom->img = malloc(MAX_IMAGE + 1))) {
		fprintf(stderr, TOOL ": %s: cannot open: %s\n", rom->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (rom->len = 0; rom->len <= MAX_IMAGE && n > 0; rom->len += (size_t)n) {
		n = read(fd, rom->img + rom->len, MAX_IMAGE + 1 - rom->len);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0) {
			fprintf(stderr, TOOL ": %s: cannot read: %s\n", rom->path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	if (rom->len > MAX_IMAGE) {	/* say so plainly rather than through the block count */
		fprintf(stderr, TOOL ": %s: offset 0x02: file is longer than 255 blocks of 512 bytes\n", rom->path);
		return -1;
	}
	return 0;
}

static int print_problem(void *ctx, uint32_t off, const char *what, uint64_t value)
{
	struct rom *rom = ctx;

	if (value)
		fprintf(stderr, TOOL ": %s: offset 0x%02x: %s (0x%llx)\n", rom->path, off, what,
			(unsigned long long)value);
	else
		fprintf(stderr, TOOL ": %s: offset 0x%02x: %s\n", rom->path, off, what);
	return 0;
}

static int print_first(void *ctx, uint32_t off, const char *what, uint64_t value)
{
	print_problem(ctx, off, what, value);
	return 1;
}

static int cmd_validate(struct rom *rom, const struct opts *o)
{
	return romvalidate__image(rom->img, rom->len, o->verbose ? print_problem : print_first, rom) ?
		EXIT_INVALID : 0;
}

/* dump and info need a sound structure; slot code problems do not stop them. */
static int structure_ok(struct rom *rom)
{
	return romcheck__image(rom->img, rom->len, print_first, rom) == 0;
}

static const struct {
	uint64_t bit;
	const char *name;
} features[] = {
	{ VMI_FEAT_NATIVE, "NATIVE" }, { VMI_FEAT_TIMER, "TIMER" }, { VMI_FEAT_STEAL, "STEAL" },
	{ VMI_FEAT_MMU_BATCH, "MMU_BATCH" }, { VMI_FEAT_PV_LOCKS, "PV_LOCKS" },
};

static void print_features(uint64_t f)
{
	printf("0x%llx", (unsigned long long)f);
	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		if (f & features[i].bit)
			printf(" %s", features[i].name);
	printf("\n");
}

static const char *const reloc_names[] = { "none", "call", "jump", "nop" };

static void print_insn(void *ctx, unsigned off, const uint8_t *bytes, unsigned len, const char *text)
{
	char hex[3 * 16 + 1] = "";

	(void)ctx;
	for (unsigned i = 0; i < len && i < 15; i++)
		sprintf(hex + 3 * i, "%02x ", bytes[i]);
	printf("    %02x: %-30s %s\n", off, hex, text);
}

static int cmd_dump(struct rom *rom, const struct opts *o)
{
	const struct vmi_rom_header *h = romcheck__header(rom->img);

	(void)o;
	if (!structure_ok(rom))
		return EXIT_INVALID;
	printf("header: ABI %u.%u, %u calls, slots at 0x%x, annotations at 0x%x, features ", h->abi_major,
	       h->abi_minor, h->num_calls, h->slot_offset, h->annot_offset);
	print_features(h->features);
	printf("vendor: %s\nlicense: %s\n", romcheck__vendor(rom->img), romcheck__license(rom->img));
	for (uint32_t n = 0; n < h->num_calls; n++) {
		const struct vmi_annotation *a = romcheck__annotation(rom->img, n);
		const char *name = romvalidate__call_name(n);

		printf("\ncall %u %s: reloc %s, inline %u", n, name ? name : "(unknown)", reloc_names[a->reloc & 3],
		       a->inline_len);
		if (a->fault_off != VMI_NO_FAULT)
			printf(", fault 0x%02x, fixup 0x%02x", a->fault_off, a->fixup_off);
		printf(" (slot at 0x%x)\n", h->slot_offset + n * VMI_SLOT_SIZE);
		romslot__disasm(romcheck__slot(rom->img, n), a, print_insn, NULL);
	}
	return 0;
}

static int cmd_info(struct rom *rom, const struct opts *o)
{
	const struct vmi_rom_header *h = romcheck__header(rom->img);

	(void)o;
	if (!structure_ok(rom))
		return EXIT_INVALID;
	printf("vendor:   %s\n", romcheck__vendor(rom->img));
	printf("ABI:      %u.%u\n", h->abi_major, h->abi_minor);
	printf("calls:    %u\n", h->num_calls);
	printf("features: ");
	print_features(h->features);
	printf("size:     %zu bytes (%u blocks)\n", rom->len, rom->img[2]);
	printf("license:  %s\n", romcheck__license(rom->img));
	return 0;
}

static int cmd_seal(struct rom *rom, const struct opts *o)
{
	uint8_t sum = 0;
	int fd;

	(void)o;
	if (rom->len < 3 || (size_t)rom->img[2] * 512 != rom->len) {
		fprintf(stderr, TOOL ": %s: offset 0x02: block count does not match the file size (%zu bytes)\n",
			rom->path, rom->len);
		return EXIT_INVALID;
	}
	for (size_t i = 0; i + 1 < rom->len; i++)
		sum = (uint8_t)(sum + rom->img[i]);
	sum = (uint8_t)-sum;
	fd = open(rom->path, O_WRONLY);
	if (fd < 0 || pwrite(fd, &sum, 1, (off_t)rom->len - 1) != 1) {
		fprintf(stderr, TOOL ": %s: cannot write: %s\n", rom->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_INVALID;
	}
	return close(fd) ? EXIT_INVALID : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const struct command *cmd = NULL;
	struct rom rom = { 0 };
	int ret;

	for (int i = 1; i < argc; i++) {
		const struct option *opt = argv[i][0] == '-' && argv[i][1] ? find_option(argv[i]) : NULL;

		if (opt)
			*(int *)((char *)&o + opt->field) = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return usage_error(argv[i], "unknown option");
		else if (!cmd) {
			for (size_t c = 0; c < ARRAY_SIZE(commands) && !cmd; c++)
				if (!strcmp(argv[i], commands[c].name))
					cmd = &commands[c];
			if (!cmd)
				return usage_error(argv[i], "unknown command");
		} else if (!rom.path)
			rom.path = argv[i];
		else
			return usage_error(argv[i], "one FILE only");
	}
	if (o.help) {
		usage(stdout);
		return 0;
	}
	if (!cmd)
		return usage_error("COMMAND", "missing");
	if (!rom.path)
		return usage_error("FILE", "missing");
	if (read_rom(&rom)) {
		free(rom.img);
		return EXIT_INVALID;
	}
	ret = cmd->run(&rom, &o);
	free(rom.img);
	return ret;
}
