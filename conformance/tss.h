/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* A 64-bit TSS and its GDT descriptor, for the TR and load_sp0 tests. */
#ifndef CONFORMANCE_TSS_H
#define CONFORMANCE_TSS_H

#include "test.h"

struct __attribute__((packed)) tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3, iomap;
};

#define TSS_SEL 0x30	/* GDT entries 6 and 7 */
#define LDT_SEL 0x40	/* GDT entries 8 and 9 */
extern struct tss64 conf_tss;

/* Write the (available) TSS descriptor through write_gdt_entry; 0 or error. */
static inline s64 conf_tss_install(u16 sel)
{
	u64 b = (u64)(uintptr_t)&conf_tss, lim = sizeof(conf_tss) - 1;
	u64 lo = (lim & 0xffff) | (b & 0xffffff) << 16 | 0x89ull << 40 | (b >> 24 & 0xff) << 56;

	return vmi_write_gdt_entry(env__pa(gdt), sel / 8, lo, b >> 32, 16);
}

#endif
