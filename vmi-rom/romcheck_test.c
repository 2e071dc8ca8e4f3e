// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * romcheck unit tests: a hand-made valid image (romtest.h) passes; each
 * rule of spec.md 2-3 is broken once, the image resealed so that only the
 * broken rule can fire, and the first problem must name it at its offset.
 */
#include <check.h>
#include "vmi/check_tap.h"
#include <stdlib.h>
#include "romtest.h"

#define H(off) (VMI_HEADER_OFFSET + (off))
#define A(n, off) (RT_ANNOT + (n) * VMI_ANNOT_SIZE + (off))

struct poke {
	uint32_t off;
	uint8_t size;		/* 1, 2 or 4; 0 ends the list */
	uint32_t val;
};

struct bad {
	const char *name;
	struct poke p[4];	/* ends at size 0 */
	uint32_t off;		/* expected offset of the first problem */
	const char *what;	/* expected in its text */
};

static const struct bad bad[] = {
	{ "signature", { { 1, 1, 0xab } }, 0, "signature" },
	{ "zero blocks", { { 2, 1, 0 } }, 2, "block count is 0" },
	{ "blocks too many", { { 2, 1, 3 } }, 2, "block count" },
	{ "init entry", { { 3, 1, 0xc3 } }, 3, "init entry" },
	{ "reserved optrom byte", { { 0x10, 1, 1 } }, 0x10, "reserved option-ROM" },
	{ "PCIR misaligned", { { 0x18, 2, 0x1e } }, 0x18, "4-aligned" },
	{ "PCIR inside optrom header", { { 0x18, 2, 0x10 } }, 0x18, "outside the image" },
	{ "PCIR past the end", { { 0x18, 2, RT_LEN - 20 } }, 0x18, "outside the image" },
	{ "PCIR over the VMI header", { { 0x18, 2, 0x30 } }, 0x30, "PCIR signature" },
	{ "PnP offset", { { 0x1a, 2, 0x40 } }, 0x1a, "PnP" },
	{ "PCIR signature", { { RT_PCIR, 1, 'X' } }, RT_PCIR, "PCIR signature" },
	{ "PCIR vendor", { { RT_PCIR + 4, 2, 0x8086 } }, RT_PCIR + 4, "vendor" },
	{ "PCIR device", { { RT_PCIR + 6, 2, 2 } }, RT_PCIR + 6, "device" },
	{ "PCIR VPD", { { RT_PCIR + 8, 2, 2 } }, RT_PCIR + 8, "VPD" },
	{ "PCIR length", { { RT_PCIR + 10, 2, 28 } }, RT_PCIR + 10, "length is not 24" },
	{ "PCIR revision", { { RT_PCIR + 12, 1, 3 } }, RT_PCIR + 12, "revision" },
	{ "PCIR class", { { RT_PCIR + 14, 1, 1 } }, RT_PCIR + 14, "class code" },
	{ "PCIR image length", { { RT_PCIR + 16, 2, 1 } }, RT_PCIR + 16, "image length" },
	{ "PCIR code type", { { RT_PCIR + 20, 1, 3 } }, RT_PCIR + 20, "code type" },
	{ "PCIR indicator", { { RT_PCIR + 21, 1, 0 } }, RT_PCIR + 21, "indicator" },
	{ "PCIR reserved", { { RT_PCIR + 22, 2, 1 } }, RT_PCIR + 22, "reserved" },
	{ "magic", { { H(6), 1, '5' } }, H(0), "magic" },
	{ "magic NUL", { { H(7), 1, ' ' } }, H(0), "magic" },
	{ "ABI major 2 refused", { { H(8), 2, 2 } }, H(8), "ABI major" },
	{ "ABI major 0 refused", { { H(8), 2, 0 } }, H(8), "ABI major" },
	{ "header_size", { { H(0x0c), 2, 72 } }, H(0x0c), "header_size" },
	{ "slot_size", { { H(0x0e), 2, 32 } }, H(0x0e), "slot_size" },
	{ "num_calls 0", { { H(0x10), 4, 0 } }, H(0x10), "num_calls" },
	{ "num_calls 4097", { { H(0x10), 4, 4097 } }, H(0x10), "num_calls" },
	{ "num_calls past the image", { { H(0x10), 4, 13 } }, H(0x14), "slot table is outside" },
	{ "slot table misaligned", { { H(0x14), 4, RT_SLOTS + 8 } }, H(0x14), "64-aligned" },
	{ "slot table in the header", { { H(0x14), 4, 0x40 } }, H(0x14), "slot table is outside" },
	{ "slot table wraps", { { H(0x14), 4, 0xffffffc0 } }, H(0x14), "slot table is outside" },
	{ "annot table misaligned", { { H(0x18), 4, RT_ANNOT + 4 } }, H(0x18), "8-aligned" },
	{ "annot table wraps", { { H(0x18), 4, 0xfffffff8 } }, H(0x18), "annotation table is outside" },
	{ "annot table past the end", { { H(0x18), 4, RT_LEN - 16 } }, H(0x18), "annotation table is outside" },
	{ "annot_size", { { H(0x1c), 2, 16 } }, H(0x1c), "annot_size" },
	{ "reserved0", { { H(0x1f), 1, 1 } }, H(0x1f), "reserved header" },
	{ "unknown feature", { { H(0x20), 1, 0x21 } }, H(0x20), "unknown feature" },
	{ "unknown feature high", { { H(0x27), 1, 0x80 } }, H(0x20), "unknown feature" },
	{ "vendor in header", { { H(0x28), 4, 0x48 } }, H(0x28), "vendor string is outside" },
	{ "vendor past end", { { H(0x28), 4, RT_LEN } }, H(0x28), "vendor string is outside" },
	{ "vendor huge", { { H(0x28), 4, 0xffffffff } }, H(0x28), "vendor string is outside" },
	{ "vendor empty", { { RT_VENDOR, 1, 0 } }, H(0x28), "vendor string is empty" },
	{ "vendor control char", { { RT_VENDOR + 2, 1, '\n' } }, RT_VENDOR + 2, "non-printable" },
	{ "vendor high char", { { RT_VENDOR + 2, 1, 0xe9 } }, RT_VENDOR + 2, "non-printable" },
	{ "license in the slots", { { H(0x2c), 4, RT_SLOTS + 1 } }, RT_SLOTS + 1, "non-printable" },
	{ "license 128 chars", { { H(0x2c), 4, 0x300 } }, H(0x2c), "longer than 127" },
	{ "license = vendor", { { H(0x2c), 4, RT_VENDOR } }, H(0x2c), "license string overlaps the vendor" },
	{ "vendor inside license", { { H(0x28), 4, RT_LICENSE + 4 } }, H(0x2c), "license string overlaps the vendor" },
	{ "reserved1", { { H(0x3f), 1, 1 } }, H(0x3f), "reserved header" },
	{ "annot over slots", { { H(0x18), 4, RT_SLOTS - 8 } }, H(0x14), "slot table overlaps the annotation" },
	{ "annot over license", { { H(0x18), 4, RT_LICENSE } }, H(0x18), "annotation table overlaps the license" },
	{ "slots over vendor", { { H(0x14), 4, 0x80 } }, H(0x14), "slot table overlaps the vendor" },
	{ "reloc jump", { { A(1, 0), 1, VMI_RELOC_JUMP } }, A(1, 0), "jump is not allowed" },
	{ "reloc unknown", { { A(1, 0), 1, 4 } }, A(1, 0), "unknown" },
	{ "inline too long", { { A(2, 1), 1, 65 } }, A(2, 1), "longer than the slot" },
	{ "inline on nop", { { A(2, 0), 1, VMI_RELOC_NOP }, { A(2, 1), 1, 1 } }, A(2, 1), "inline_len is not 0" },
	{ "fixup without fault", { { A(3, 3), 1, 4 } }, A(3, 3), "fixup_off is not 0" },
	{ "fault outside", { { A(3, 2), 1, 64 }, { A(3, 3), 1, 4 } }, A(3, 2), "fault_off is outside" },
	{ "fault on nop", { { A(3, 0), 1, VMI_RELOC_NOP }, { A(3, 2), 1, 0 }, { A(3, 3), 1, 4 } },
	  A(3, 2), "fault_off is set for a reloc" },
	{ "fixup outside", { { A(3, 2), 1, 0 }, { A(3, 3), 1, 64 } }, A(3, 3), "fixup_off is outside" },
	{ "fixup = fault", { { A(3, 2), 1, 5 }, { A(3, 3), 1, 5 } }, A(3, 3), "equals fault_off" },
	{ "inline over fault", { { A(3, 1), 1, 4 }, { A(3, 2), 1, 2 }, { A(3, 3), 1, 8 } }, A(3, 1),
	  "include the faulting" },
	{ "annot reserved", { { A(0, 7), 1, 1 } }, A(0, 7), "reserved annotation" },
};

static void apply(uint8_t *img, const struct poke *p)
{
	for (; p->size; p++) {
		if (p->size == 1)
			img[p->off] = (uint8_t)p->val;
		else if (p->size == 2)
			rt_put16(img + p->off, (uint16_t)p->val);
		else
			rt_put32(img + p->off, p->val);
	}
}

START_TEST(test_good)
{
	uint8_t img[RT_LEN];
	struct rt_problems p = { 0 };

	rt_make(img);
	ck_assert_uint_eq(romcheck__image(img, sizeof(img), rt_collect, &p), 0);
	ck_assert_uint_eq(romcheck__image(img, sizeof(img), NULL, NULL), 0);
	ck_assert_ptr_eq(romcheck__slot(img, 2), img + RT_SLOTS + 2 * VMI_SLOT_SIZE);
	ck_assert_ptr_eq(romcheck__annotation(img, 3), (const void *)(img + RT_ANNOT + 3 * VMI_ANNOT_SIZE));
	ck_assert_ptr_null(romcheck__slot(img, RT_CALLS));
	ck_assert_str_eq(romcheck__vendor(img), "test vendor");
	ck_assert_str_eq(romcheck__license(img), "GPL-2.0 OR MIT");
	ck_assert_uint_eq(romcheck__header(img)->num_calls, RT_CALLS);
}
END_TEST

/* What spec 2.2 leaves free: minor, code revision, known features, longest strings. */
START_TEST(test_good_variants)
{
	uint8_t img[RT_LEN];

	rt_make(img);
	rt_put16(img + H(0x0a), 7);
	rt_put16(img + RT_PCIR + 0x12, 0x1234);
	img[H(0x20)] = (uint8_t)VMI_FEAT_KNOWN;
	memset(img + 0x300, 'x', 127);
	rt_put32(img + H(0x2c), 0x300);
	memset(img + 0x380, '~', 63);
	rt_put32(img + H(0x28), 0x380);
	img[A(1, 0)] = VMI_RELOC_NONE;
	img[A(2, 1)] = 64;
	img[A(3, 2)] = 0, img[A(3, 3)] = 63;
	rt_seal(img, RT_LEN);
	ck_assert_uint_eq(romcheck__image(img, sizeof(img), NULL, NULL), 0);
}
END_TEST

START_TEST(test_bad)
{
	uint8_t img[RT_LEN];
	struct rt_problems p = { 0 };
	const struct bad *b = &bad[_i];

	rt_make(img);
	apply(img, b->p);
	rt_seal(img, RT_LEN);
	ck_assert_msg(romcheck__image(img, sizeof(img), rt_collect, &p) > 0, "%s: accepted", b->name);
	ck_assert_msg(p.first_off == b->off && strstr(p.first, b->what), "%s: got 0x%x '%s', want 0x%x '%s'",
		      b->name, p.first_off, p.first, b->off, b->what);
}
END_TEST

START_TEST(test_lengths)
{
	uint8_t img[RT_LEN];
	struct rt_problems p = { 0 };

	rt_make(img);
	ck_assert_uint_eq(romcheck__image(img, 0, rt_collect, &p), 1);
	ck_assert_str_eq(p.first, "image is empty");
	for (size_t len = 1; len < RT_LEN; len++) {
		memset(&p, 0, sizeof(p));
		ck_assert_uint_ge(romcheck__image(img, len, rt_collect, &p), 1);
		ck_assert_msg(len < 3 ? strstr(p.first, "ends inside") != NULL : p.first_off == 2,
			      "len %zu: %s", len, p.first);
	}
	memset(&p, 0, sizeof(p));
	img[1] = 0;
	romcheck__image(img, 2, rt_collect, &p);
	ck_assert_str_eq(p.first, "signature is not 0x55 0xaa");
}
END_TEST

START_TEST(test_longer_buffer)
{
	uint8_t *img = calloc(1, 1 << 20);
	struct rt_problems p = { 0 };

	rt_make(img);
	ck_assert_uint_ge(romcheck__image(img, 1 << 20, rt_collect, &p), 1);
	ck_assert_uint_eq(p.first_off, 2);
	ck_assert_uint_eq(romcheck__length(img, 1 << 20), RT_LEN);
	ck_assert_uint_eq(romcheck__length(img, RT_LEN - 1), 0);
	ck_assert_uint_eq(romcheck__length(img, 2), 0);
	img[2] = 0;
	ck_assert_uint_eq(romcheck__length(img, 1 << 20), 0);
	img[2] = RT_LEN / 512;
	img[0] = 0;
	ck_assert_uint_eq(romcheck__length(img, 1 << 20), 0);
	free(img);
}
END_TEST

START_TEST(test_checksum_and_stop)
{
	uint8_t img[RT_LEN];
	struct rt_problems p = { 0 };

	rt_make(img);
	img[RT_LEN - 1]++;
	ck_assert_uint_eq(romcheck__image(img, sizeof(img), rt_collect, &p), 1);
	ck_assert_str_eq(p.first, "checksum is not zero");
	ck_assert_uint_eq(p.first_off, RT_LEN - 1);
	/* several problems: all reported, or only the first when report says stop */
	rt_make(img);
	img[3] = 0, img[H(0x1e)] = 1, img[A(0, 0)] = 9;
	memset(&p, 0, sizeof(p));
	ck_assert_uint_eq(romcheck__image(img, sizeof(img), rt_collect, &p), 4);
	ck_assert_uint_eq(p.first_off, 3);
	memset(&p, 0, sizeof(p));
	p.stop_after_first = 1;
	ck_assert_uint_eq(romcheck__image(img, sizeof(img), rt_collect, &p), 1);
	ck_assert_uint_eq(p.n, 1);
}
END_TEST

/* The vendor string runs into the last byte: fix the checksum elsewhere. */
START_TEST(test_unterminated)
{
	uint8_t img[RT_LEN], sum = 0;
	struct rt_problems p = { 0 };

	rt_make(img);
	rt_put32(img + H(0x28), RT_LEN - 4);
	memset(img + RT_LEN - 4, 'A', 4);
	for (size_t k = 0; k < RT_LEN; k++)
		sum = (uint8_t)(sum + img[k]);
	img[0x300] = (uint8_t)-sum;
	ck_assert_uint_eq(romcheck__image(img, sizeof(img), rt_collect, &p), 1);
	ck_assert_str_eq(p.first, "vendor string runs past the end of the image");
	ck_assert_uint_eq(p.first_off, H(0x28));
}
END_TEST

/* A PCIR after the VMI header is fine, as long as nothing overlaps it. */
START_TEST(test_pcir_after_header)
{
	uint8_t img[RT_LEN];
	struct rt_problems p = { 0 };

	rt_make(img);
	memcpy(img + 0x300, img + RT_PCIR, 24);
	memset(img + RT_PCIR, 0, 24);
	rt_put16(img + 0x18, 0x300);
	rt_seal(img, RT_LEN);
	ck_assert_uint_eq(romcheck__image(img, sizeof(img), NULL, NULL), 0);
	rt_put32(img + H(0x18), 0x300);
	rt_seal(img, RT_LEN);
	ck_assert_uint_gt(romcheck__image(img, sizeof(img), rt_collect, &p), 0);
	ck_assert_str_eq(p.first, "annotation table overlaps the PCIR structure");
	ck_assert_uint_eq(p.first_off, H(0x18));
}
END_TEST

/* All 2^16 values of each header halfword never read outside the image. */
START_TEST(test_hostile_halfwords)
{
	uint8_t img[RT_LEN];

	for (unsigned off = 0; off < RT_SLOTS; off += 2) {
		for (unsigned v = 0; v < 0x10000; v += 0x101) {
			rt_make(img);
			rt_put16(img + off, (uint16_t)v);
			romcheck__image(img, sizeof(img), NULL, NULL);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("romcheck");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_good_variants);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_longer_buffer);
	tcase_add_test(tc, test_checksum_and_stop);
	tcase_add_test(tc, test_pcir_after_header);
	tcase_add_test(tc, test_unterminated);
	tcase_add_test(tc, test_hostile_halfwords);
	suite_add_tcase(s, tc);
	return check_tap__run(s, CK_FORK);
}
