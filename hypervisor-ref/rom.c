/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The VMI ROM: checked with vmi-rom/romcheck.c (the same structural checks
 * vmi-romtool and the guests use), then copied to VM_ROM_GPA, where a guest
 * scanning 0xc0000-0xdffff in 2 KiB steps finds it (spec.md section 2).
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "romcheck.h"

struct first_problem {
	char *err;
	size_t errlen;
};

static int report(void *ctx, uint32_t offset, const char *what, uint64_t value)
{
	struct first_problem *p = ctx;

	snprintf(p->err, p->errlen, "offset %#x: %s (%#llx)", offset, what,
		 (unsigned long long)value);
	return 1;	/* one line is enough */
}

int rom__load(struct vm *vm, const uint8_t *img, size_t len, char *err, size_t errlen)
{
	struct first_problem p = { err, errlen };

	if (len > VMI_SCAN_END - VM_ROM_GPA) {
		snprintf(err, errlen, "%zu bytes, more than the %#llx the ROM area holds", len,
			 (unsigned long long)(VMI_SCAN_END - VM_ROM_GPA));
		return -1;
	}
	if (romcheck__image(img, len, report, &p) != 0)
		return -1;
	if (vm__write(vm, VM_ROM_GPA, img, len) < 0) {
		snprintf(err, errlen, "does not fit in guest RAM");
		return -1;
	}
	vm->rom_features = romcheck__header(img)->features;
	return 0;
}
