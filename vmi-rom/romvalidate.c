// SPDX-License-Identifier: GPL-2.0 OR MIT
/* vmi-romtool validate: romcheck (structure), then romslot (code) per slot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "romslot.h"
#include "romvalidate.h"

#define NAME(num, name, nargs, ret, clob) [num] = #name,
#define CLOBBERS(num, name, nargs, ret, clob) [num] = clob,
static const char *const call_names[] = { VMI_CALLS(NAME) };
static const int call_clobbers[] = { VMI_CALLS(CLOBBERS) };

const char *romvalidate__call_name(uint32_t call)
{
	return call < VMI_NUM_CALLS ? call_names[call] : NULL;
}

int romvalidate__clobbers(uint32_t call)
{
	return call < VMI_NUM_CALLS ? call_clobbers[call] : VMI_CLOBBERS_STD;
}

/* Puts "call N name: " before each slot problem. */
struct slot_report {
	romcheck_report_fn *report;
	void *ctx;
	uint32_t call;
	char buf[256];
};

static int slot_report(void *ctx, uint32_t off, const char *what, uint64_t value)
{
	struct slot_report *r = ctx;
	const char *name = romvalidate__call_name(r->call);

	snprintf(r->buf, sizeof(r->buf), "call %u %s: %s", r->call, name ? name : "(unknown to ABI 1.0)", what);
	return r->report ? r->report(r->ctx, off, r->buf, value) : 0;
}

/* A stop request from report, remembered across romslot__check calls. */
struct stop_report {
	romcheck_report_fn *report;
	void *ctx;
	int stop;
};

static int stop_report(void *ctx, uint32_t off, const char *what, uint64_t value)
{
	struct stop_report *r = ctx;

	r->stop = r->report && r->report(r->ctx, off, what, value);
	return r->stop;
}

unsigned romvalidate__slot(const uint8_t *img, uint32_t call, romcheck_report_fn *report, void *ctx)
{
	const struct vmi_rom_header *h = romcheck__header(img);
	struct slot_report r = { .report = report, .ctx = ctx, .call = call };
	struct romslot_where where = {
		.slot = h->slot_offset + call * VMI_SLOT_SIZE,
		.annot = h->annot_offset + call * VMI_ANNOT_SIZE,
	};

	return romslot__check(romcheck__slot(img, call), romcheck__annotation(img, call),
			      romvalidate__clobbers(call), &where, slot_report, &r);
}

/* Is the structure sound apart from the checksum? Then the slots can be checked. */
static int sound_but_checksum(const uint8_t *img, size_t len)
{
	uint8_t *copy, sum = 0;
	unsigned problems;

	if (len == 0 || !(copy = malloc(len)))
		return 0;
	memcpy(copy, img, len);
	for (size_t i = 0; i + 1 < len; i++)
		sum = (uint8_t)(sum + copy[i]);
	copy[len - 1] = (uint8_t)-sum;
	problems = romcheck__image(copy, len, NULL, NULL);
	free(copy);
	return problems == 0;
}

unsigned romvalidate__image(const uint8_t *img, size_t len, romcheck_report_fn *report, void *ctx)
{
	struct stop_report r = { .report = report, .ctx = ctx };
	unsigned problems = romcheck__image(img, len, stop_report, &r);

	if (r.stop || (problems && !sound_but_checksum(img, len)))
		return problems;
	for (uint32_t n = 0; n < romcheck__header(img)->num_calls && !r.stop; n++)
		problems += romvalidate__slot(img, n, stop_report, &r);
	return problems;
}
