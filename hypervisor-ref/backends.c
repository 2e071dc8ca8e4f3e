/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Every backend vmi-run knows, in --backend auto's order of preference.
 * bt_backend_ops is a weak reference (backend.h): without backends/bt linked
 * in it is NULL and bt is reported as not built.
 */
#include <stdio.h>
#include <string.h>

#include "backends.h"
#include "vm.h"

static const char *const names[] = { "hvm", "bt" };
#define NBACKENDS (sizeof(names) / sizeof(names[0]))

static const struct backend_ops *lookup(unsigned i)
{
	/* Add a backend: its name above and one line here. */
	switch (i) {
	case 0: return &hvm_backend_ops;
	case 1: return &bt_backend_ops;	/* NULL unless backends/bt is linked in */
	default: return NULL;
	}
}

/* auto: the first backend in the table that works at AUTO_MIPS or more;
 * where none does (a software /dev/kvm), the fastest that works at all. */
#define AUTO_MIPS 50.0

static int select_auto(const struct backend_ops **ops)
{
	char why[400] = "";
	const struct backend_ops *best = NULL;
	double best_mips = -1;

	for (unsigned i = 0; i < NBACKENDS; i++) {
		const struct backend_ops *o = lookup(i);
		struct backend_probe p = { .quick = false };
		size_t n = strlen(why);

		if (!o)
			continue;
		o->probe(&p);
		if (!p.available) {
			snprintf(why + n, sizeof(why) - n, "%s%s: %s", n ? "; " : "", names[i], p.why);
			continue;
		}
		if (p.mips >= AUTO_MIPS) {
			*ops = o;
			return 0;
		}
		if (p.mips > best_mips) {
			best = o;
			best_mips = p.mips;
		}
	}
	if (best) {
		*ops = best;
		return 0;
	}
	fprintf(stderr, "vmi-run: --backend auto: no backend works here (%s)\n", why);
	return VM_EXIT_HOST;
}

int backends__select(const char *name, const struct backend_ops **ops)
{
	if (!strcmp(name, "auto"))
		return select_auto(ops);
	for (unsigned i = 0; i < NBACKENDS; i++) {
		if (strcmp(name, names[i]))
			continue;
		if (!lookup(i)) {
			fprintf(stderr, "vmi-run: --backend %s: not built into this vmi-run\n", name);
			return VM_EXIT_USAGE;
		}
		*ops = lookup(i);	/* named: its own create() reports why not */
		return 0;
	}
	fprintf(stderr, "vmi-run: --backend %s: no such backend (auto, hvm, bt)\n", name);
	return VM_EXIT_USAGE;
}

int backends__probe(void)
{
	int any = 0;

	for (unsigned i = 0; i < NBACKENDS; i++) {
		const struct backend_ops *o = lookup(i);
		struct backend_probe p = { .quick = false };
		if (!o) {
			printf("%-4s unavailable: not built into this vmi-run\n", names[i]);
			continue;
		}
		o->probe(&p);
		if (!p.available) {
			printf("%-4s unavailable: %s\n", names[i], p.why);
			continue;
		}
		any = 1;
		printf("%-4s available: %.*f MIPS, %.2f us per exit%s%s\n", names[i], p.mips < 10 ? 1 : 0, p.mips,
		       p.exit_us, p.why[0] ? "; " : "", p.why);
	}
	return any ? 0 : VM_EXIT_HOST;
}
