/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Hand-made ROM images for the vmi-rom unit tests: a small valid image
 * (2 blocks, RT_CALLS calls whose slots are RET) that a test then breaks.
 */
#ifndef VMI_ROMTEST_H
#define VMI_ROMTEST_H

#include <string.h>
#include "romcheck.h"

#define RT_LEN		1024
#define RT_PCIR		0x1c
#define RT_VENDOR	0x80
#define RT_LICENSE	0x90
#define RT_ANNOT	0xa0
#define RT_SLOTS	0x100
#define RT_CALLS	4

static inline void rt_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void rt_put32(uint8_t *p, uint32_t v) { rt_put16(p, (uint16_t)v); rt_put16(p + 2, (uint16_t)(v >> 16)); }

static inline void rt_seal(uint8_t *img, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i + 1 < len; i++)
		sum = (uint8_t)(sum + img[i]);
	img[len - 1] = (uint8_t)-sum;
}

static inline void rt_make(uint8_t img[RT_LEN])
{
	uint8_t *h = img + VMI_HEADER_OFFSET, *p = img + RT_PCIR;

	memset(img, 0, RT_LEN);
	img[0] = 0x55, img[1] = 0xaa, img[2] = RT_LEN / 512, img[3] = 0xcb;
	rt_put16(img + 0x18, RT_PCIR);
	memcpy(p, "PCIR", 4);
	rt_put16(p + 4, VMI_PCI_VENDOR), rt_put16(p + 6, VMI_PCI_DEVICE), rt_put16(p + 0x0a, 24);
	p[0x0d] = 0xff, rt_put16(p + 0x10, RT_LEN / 512), p[0x15] = 0x80;
	memcpy(h, VMI_MAGIC, 8);
	rt_put16(h + 0x08, VMI_ABI_MAJOR), rt_put16(h + 0x0c, VMI_HEADER_SIZE), rt_put16(h + 0x0e, VMI_SLOT_SIZE);
	rt_put32(h + 0x10, RT_CALLS), rt_put32(h + 0x14, RT_SLOTS), rt_put32(h + 0x18, RT_ANNOT);
	rt_put16(h + 0x1c, VMI_ANNOT_SIZE), h[0x20] = (uint8_t)VMI_FEAT_NATIVE;
	rt_put32(h + 0x28, RT_VENDOR), rt_put32(h + 0x2c, RT_LICENSE);
	strcpy((char *)img + RT_VENDOR, "test vendor");
	strcpy((char *)img + RT_LICENSE, "GPL-2.0 OR MIT");
	for (unsigned n = 0; n < RT_CALLS; n++) {
		uint8_t *a = img + RT_ANNOT + n * VMI_ANNOT_SIZE, *s = img + RT_SLOTS + n * VMI_SLOT_SIZE;

		a[0] = VMI_RELOC_CALL, a[2] = VMI_NO_FAULT;
		memset(s, 0xcc, VMI_SLOT_SIZE);
		s[0] = 0xc3;
	}
	rt_seal(img, RT_LEN);
}

/* Collects what romcheck/romslot report. */
struct rt_problems {
	unsigned n;
	uint32_t first_off;
	char first[256];
	int stop_after_first;
};

static inline int rt_collect(void *ctx, uint32_t off, const char *what, uint64_t value)
{
	struct rt_problems *p = ctx;

	(void)value;
	if (!p->n++) {
		p->first_off = off;
		strncpy(p->first, what, sizeof(p->first) - 1);
	}
	return p->stop_after_first;
}

#endif
