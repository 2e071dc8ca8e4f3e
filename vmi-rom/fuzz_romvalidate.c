// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target over what vmi-romtool does with a file a vendor hands it:
 * validate -v (every rule, all problems), and, when the structure holds,
 * dump's disassembly of every slot. Built and run by `make fuzz`.
 */
#include <stdio.h>
#include <string.h>
#include "romslot.h"
#include "romvalidate.h"

static int swallow(void *ctx, uint32_t off, const char *what, uint64_t value)
{
	/* touch the whole message: a report must never point at freed or short memory */
	*(size_t *)ctx += strlen(what) + off + (size_t)value;
	return 0;
}

static void swallow_insn(void *ctx, unsigned off, const uint8_t *bytes, unsigned len, const char *text)
{
	size_t *sum = ctx;

	for (unsigned i = 0; i < len; i++)
		*sum += bytes[i];
	*sum += off + strlen(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;

	romcheck__length(data, size);
	romvalidate__image(data, size, swallow, &sum);
	if (romcheck__image(data, size, NULL, NULL) == 0) {
		for (uint32_t n = 0; n < romcheck__header(data)->num_calls; n++)
			romslot__disasm(romcheck__slot(data, n), romcheck__annotation(data, n), swallow_insn, &sum);
	}
	return sum == 1 ? 1 : 0;	/* keep sum live; libFuzzer ignores the value */
}
