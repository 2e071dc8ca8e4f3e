/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The rules of vmi-spec/spec.md 2.3, 2.4 and 3 that need a disassembler:
 * one slot's code against its annotation and its clobber class. Zydis 4.0.
 */
#ifndef VMI_ROMSLOT_H
#define VMI_ROMSLOT_H

#include <stdint.h>
#include "vmi/abi.h"
#include "romcheck.h"

/* Where the checked slot and its annotation lie in the image (for reports). */
struct romslot_where {
	uint32_t slot;		/* image offset of the slot */
	uint32_t annot;		/* image offset of the annotation */
};

/*
 * Checks the VMI_SLOT_SIZE bytes at slot. clobbers is VMI_CLOBBERS_STD or
 * VMI_CLOBBERS_RAX. Problems go to report as for romcheck__image (what may
 * point to a buffer valid only during the call). Returns the number found.
 */
unsigned romslot__check(const uint8_t *slot, const struct vmi_annotation *a, int clobbers,
			const struct romslot_where *where, romcheck_report_fn *report, void *ctx);

/*
 * Calls emit once per instruction of the slot, in order, up to the last byte
 * control can reach (the whole slot when it does not check). text is Intel
 * syntax, or "(bad)" for bytes that do not decode.
 */
typedef void romslot_emit_fn(void *ctx, unsigned off, const uint8_t *bytes, unsigned len,
			     const char *text);
void romslot__disasm(const uint8_t *slot, const struct vmi_annotation *a, romslot_emit_fn *emit,
		     void *ctx);

#endif
