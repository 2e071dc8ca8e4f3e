/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vmi-run: the VMI-x64 reference hypervisor's command line. One option
 * table drives both parsing and --help. Exit status: see usage().
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends.h"
#include "iothread.h"
#include "loader.h"
#include "vm.h"

#define VERSION "0.1"
#define MAX_FILE (1ull << 30)

enum opt_id { OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_MEM, OPT_ROM, OPT_BACKEND,
	      OPT_BT_CACHE, OPT_STATS, OPT_TRACE, OPT_PROBE, OPT_HELP, OPT_VERSION, OPT_COUNT };

static const struct opt {
	const char *name, *arg, *help;
} opts[OPT_COUNT] = {
	[OPT_KERNEL]  = { "kernel", "FILE", "guest kernel: bzImage, or multiboot ELF32/ELF64 (required)" },
	[OPT_INITRD]  = { "initrd", "FILE", "initial ramdisk (Linux), or multiboot module 0" },
	[OPT_APPEND]  = { "append", "STR", "kernel command line" },
	[OPT_MEM]     = { "mem", "SIZE", "guest RAM, e.g. 256M or 1G (no suffix: MiB; 4M-3G; default 256M)" },
	[OPT_ROM]     = { "rom", "FILE|none", "VMI ROM placed at 0xc0000 (default: vmi-hypercall.rom beside vmi-run)" },
	[OPT_BACKEND] = { "backend", "NAME", "auto, hvm (/dev/kvm) or bt (binary translation); default auto" },
	[OPT_BT_CACHE] = { "bt-cache", "SIZE", "bt's code cache, 2M-256M (default 5M): more retranslates less, holds more" },
	[OPT_STATS]   = { "stats", NULL, "print per-call and per-exit-reason counts at exit" },
	[OPT_TRACE]   = { "trace", NULL, "log every hypercall to stderr" },
	[OPT_PROBE]   = { "probe", NULL, "say which backends work here and how fast, then exit" },
	[OPT_HELP]    = { "help", NULL, "this text" },
	[OPT_VERSION] = { "version", NULL, "print the version" },
};

struct config {
	const char *kernel, *initrd, *append, *rom, *backend;
	uint64_t mem, bt_cache;
	bool stats, trace, probe;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmi-run --kernel FILE [options]\n\n");
	for (unsigned i = 0; i < OPT_COUNT; i++) {
		char left[40];
		snprintf(left, sizeof(left), "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-22s %s\n", left, opts[i].help);
	}
	fprintf(f, "\nCOM1 is stdin/stdout. Exit status: the guest's code when it writes v to\n"
		   "port 0xf4 (v & 0xff); 0 when it powers off or resets; 1 bad usage or input;\n"
		   "2 host failure; 3 guest fault (triple fault: vCPU state on stderr).\n");
}

static int die(const char *what, const char *why)
{
	fprintf(stderr, "vmi-run: %s: %s\n", what, why);
	return VM_EXIT_USAGE;
}

/* SIZE: digits with an optional K, M or G (binary); bare numbers are MiB. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 20;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		switch (*end | 0x20) {
		case 'k': shift = 10; break;
		case 'm': shift = 20; break;
		case 'g': shift = 30; break;
		default: return -1;
		}
		if (end[1] && !((end[1] | 0x20) == 'b' && !end[2]) &&
		    !((end[1] | 0x20) == 'i' && (end[2] | 0x20) == 'b' && !end[3]))
			return -1;
	}
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse(int argc, char **argv, struct config *c)
{
	struct option lo[OPT_COUNT + 1] = { 0 };
	int id;

	for (unsigned i = 0; i < OPT_COUNT; i++)
		lo[i] = (struct option){ opts[i].name, opts[i].arg ? required_argument : no_argument,
					 NULL, (int)i };
	opterr = 0;
	while ((id = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (id) {
		case OPT_KERNEL: c->kernel = optarg; break;
		case OPT_INITRD: c->initrd = optarg; break;
		case OPT_APPEND: c->append = optarg; break;
		case OPT_ROM: c->rom = optarg; break;
		case OPT_BACKEND: c->backend = optarg; break;
		case OPT_STATS: c->stats = true; break;
		case OPT_TRACE: c->trace = true; break;
		case OPT_PROBE: c->probe = true; break;
		case OPT_HELP: usage(stdout); exit(0);
		case OPT_VERSION: printf("vmi-run %s (VMI-x64 ABI %d.%d)\n", VERSION,
				       VMI_ABI_MAJOR, VMI_ABI_MINOR); exit(0);
		case OPT_MEM:
			if (parse_size(optarg, &c->mem) < 0)
				return die("--mem", "not a size (e.g. 256M, 1G)");
			if (c->mem < VM_MIN_RAM || c->mem > VM_MAX_RAM || c->mem & 0xfff)
				return die("--mem", "must be 4M-3G, a multiple of 4K");
			break;
		case OPT_BT_CACHE:
			if (parse_size(optarg, &c->bt_cache) < 0)
				return die("--bt-cache", "not a size (e.g. 8M)");
			if (c->bt_cache < (2u << 20) || c->bt_cache > (256u << 20))
				return die("--bt-cache", "must be 2M-256M");
			break;
		default:
			fprintf(stderr, "vmi-run: %s: unknown option or missing argument (see --help)\n",
				argv[optind - 1]);
			return VM_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return die(argv[optind], "unexpected argument (see --help)");
	if (!c->kernel && !c->probe)
		return die("--kernel", "required (see --help)");
	return 0;
}

/* Whole file into memory; one error line names it. */
static uint8_t *slurp(const char *opt, const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	char what[PATH_MAX + 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	snprintf(what, sizeof(what), "%s %s", opt, path);
	if (fd < 0 || fstat(fd, &st) < 0) {
		die(what, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE) {
		die(what, S_ISREG(st.st_mode) ? "larger than 1 GiB" : "not a regular file");
		close(fd);
		return NULL;
	}
	*len = (size_t)st.st_size;
	buf = malloc(*len ? *len : 1);
	if (buf && read(fd, buf, *len) != (ssize_t)*len) {
		free(buf);
		buf = NULL;
		die(what, "short read");
	}
	close(fd);
	return buf;
}

static int load_rom(struct vm *vm, const char *rom)
{
	char path[PATH_MAX], exe[PATH_MAX], err[160], what[PATH_MAX + 8];
	size_t len;
	uint8_t *img;
	ssize_t n;

	if (rom && !strcmp(rom, "none"))
		return 0;
	if (!rom) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return die("--rom", "cannot find vmi-run's own directory; name a ROM");
		exe[n] = 0;
		snprintf(path, sizeof(path), "%s/vmi-hypercall.rom", dirname(exe));
		rom = path;
	}
	img = slurp("--rom", rom, &len);
	if (!img)
		return VM_EXIT_USAGE;
	if (rom__load(vm, img, len, err, sizeof(err)) < 0) {
		snprintf(what, sizeof(what), "--rom %s", rom);
		free(img);
		return die(what, err);
	}
	free(img);
	return 0;
}

static int load_kernel(struct vm *vm, const struct config *c, struct boot_state *bs)
{
	struct boot_files f = { .cmdline = c->append ? c->append : "" };
	uint8_t *k, *i = NULL;
	char err[200], what[PATH_MAX + 16];
	int rc;

	k = slurp("--kernel", c->kernel, &f.kernel_len);
	if (!k)
		return VM_EXIT_USAGE;
	f.kernel = k;
	if (c->initrd) {
		i = slurp("--initrd", c->initrd, &f.initrd_len);
		if (!i) {
			free(k);
			return VM_EXIT_USAGE;
		}
		f.initrd = i;
	}
	rc = loader__load(vm, &f, bs, err, sizeof(err));
	free(k);
	free(i);
	if (rc < 0) {
		snprintf(what, sizeof(what), "--kernel %s", c->kernel);
		return die(what, err);
	}
	return 0;
}

static int boot(struct config *c, const struct backend_ops *ops, uint64_t t0)
{
	struct vm vm;
	struct boot_state bs;
	char err[160];
	int rc;

	if (vm__create(&vm, c->mem, ops) < 0) {
		vm__destroy(&vm);
		return VM_EXIT_HOST;
	}
	vm.stats.t0_ns = t0;
	vm.trace = c->trace;
	vm.stats_on = c->stats;
	vm.bt_cache = c->bt_cache;
	rc = load_rom(&vm, c->rom);
	if (!rc)
		rc = load_kernel(&vm, c, &bs);
	if (rc) {
		vm__destroy(&vm);
		return rc;
	}
	vm.be = ops->create(&vm, err, sizeof(err));
	if (!vm.be) {
		vm__destroy(&vm);
		fprintf(stderr, "vmi-run: %s backend: %s\n", ops->name, err);
		return VM_EXIT_HOST;
	}
	if (ops->set_sregs(vm.be, &bs.sregs) < 0 || ops->set_regs(vm.be, &bs.regs) < 0) {
		vm__destroy(&vm);
		fprintf(stderr, "vmi-run: %s backend: cannot set the boot vCPU state\n", ops->name);
		return VM_EXIT_HOST;
	}
	if (iothread__start(&vm, STDIN_FILENO) < 0) {
		vm__destroy(&vm);
		fprintf(stderr, "vmi-run: io thread: %s\n", strerror(errno));
		return VM_EXIT_HOST;
	}
	rc = vm__run(&vm);
	vm__destroy(&vm);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t t0 = vm__now_ns();
	struct config c = { .mem = 256ull << 20 };
	const struct backend_ops *ops;
	int rc = parse(argc, argv, &c);

	if (rc)
		return rc;
	if (c.probe)
		return backends__probe();
	rc = backends__select(c.backend ? c.backend : "auto", &ops);
	if (rc)
		return rc;
	return boot(&c, ops, t0);
}
