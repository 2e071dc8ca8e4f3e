/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The whole of `vmi-romtool validate`: romcheck's structural rules, then
 * romslot's code rules for every slot. Shared by the tool, its tests and
 * the fuzzer.
 */
#ifndef VMI_ROMVALIDATE_H
#define VMI_ROMVALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include "romcheck.h"

/* The call's name in VMI_CALLS, or NULL for a number this ABI does not know. */
const char *romvalidate__call_name(uint32_t call);

/* The call's VMI_CLOBBERS_* class; calls this ABI does not know are System V. */
int romvalidate__clobbers(uint32_t call);

/*
 * Reports every problem as romcheck__image does (slot problems name the call
 * in what). Slots are checked once the structure is sound (a bad checksum
 * alone does not keep them from being checked). Returns the number found.
 */
unsigned romvalidate__image(const uint8_t *img, size_t len, romcheck_report_fn *report, void *ctx);

/* Only the code rules of one slot of a structurally valid image. */
unsigned romvalidate__slot(const uint8_t *img, uint32_t call, romcheck_report_fn *report, void *ctx);

#endif
