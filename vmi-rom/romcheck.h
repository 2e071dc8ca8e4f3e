/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Structural checks of a VMI-x64 ROM image (vmi-spec/spec.md sections 2-3),
 * everything that needs no disassembler. Freestanding: no libc, no
 * allocation, no formatting, so that vmi-romtool, vmi-run, the probe and the
 * conformance kernels share one implementation. Reads only img[0, len).
 */
#ifndef VMI_ROMCHECK_H
#define VMI_ROMCHECK_H

#include <stddef.h>
#include <stdint.h>
#include "vmi/abi.h"

/*
 * Called once per problem, in image order: offset is where the problem is,
 * what names it (a constant string, e.g. "checksum is not zero"), value is
 * the offending value (0 when none applies). Return nonzero to stop.
 */
typedef int romcheck_report_fn(void *ctx, uint32_t offset, const char *what, uint64_t value);

/* Returns the number of problems found (0: the image is structurally valid).
 * report may be NULL. */
unsigned romcheck__image(const uint8_t *img, size_t len, romcheck_report_fn *report, void *ctx);

/*
 * For a scan of guest memory: the length the option-ROM header at img claims
 * (blocks * 512), or 0 when img[0, avail) does not hold the 0x55 0xAA
 * signature and a nonzero block count, or the claimed image does not fit in
 * avail. Pass the result as len to romcheck__image.
 */
size_t romcheck__length(const uint8_t *img, size_t avail);

/* Accessors, valid only after romcheck__image returned 0 for img. */
const struct vmi_rom_header *romcheck__header(const uint8_t *img);
const uint8_t *romcheck__slot(const uint8_t *img, uint32_t call);
const struct vmi_annotation *romcheck__annotation(const uint8_t *img, uint32_t call);
const char *romcheck__vendor(const uint8_t *img);
const char *romcheck__license(const uint8_t *img);

#endif
