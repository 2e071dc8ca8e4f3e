/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The discovery tests' workbench: a RAM copy of the ROM in use that a test
 * breaks in one way, re-checksummed unless the checksum is the point, and
 * hands to the kernel's own discovery check (rom__check, guest-lib/rom.c).
 */
#ifndef CONFORMANCE_MUTATE_H
#define CONFORMANCE_MUTATE_H

#include "test.h"

static u8 bench[255 * 512] __attribute__((aligned(64)));

static inline struct vmi_rom_header *bench_copy(void)
{
	memcpy(bench, vmi.image, vmi.size);
	return (struct vmi_rom_header *)(bench + VMI_HEADER_OFFSET);
}

/* Make the byte sum zero again through the last byte (the spec's convention). */
static inline void bench_reseal(void)
{
	u8 sum = 0;

	for (u32 i = 0; i + 1 < vmi.size; i++)
		sum += bench[i];
	bench[vmi.size - 1] = (u8)-sum;
}

#endif
