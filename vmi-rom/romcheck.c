// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Structural checks of a VMI-x64 ROM image: every rule of vmi-spec/spec.md
 * sections 2-3 that needs no disassembler. The slot code itself is checked
 * by vmi-romtool (romslot.c) with Zydis.
 *
 * Freestanding on purpose: the probe and conformance kernels link this file,
 * so it uses no libc (not even memcmp, which -fno-builtin would turn into a
 * call), allocates nothing and copies no structs (a struct copy may become a
 * memcpy call). Every offset read from the image is hostile: bounds are
 * computed in 64 bits, where a 32-bit offset plus a 32-bit length can't wrap,
 * and nothing is read before it is known to lie in img[0, len).
 */
#include "romcheck.h"

#define OPTROM_HDR_END		0x1c	/* end of struct vmi_option_rom */
#define PCIR_SIZE		24
#define VMI_HDR_END		(VMI_HEADER_OFFSET + VMI_HEADER_SIZE)
#define MAX_BLOCKS		255
#define MAX_CALLS		4096
#define VENDOR_MAX		63
#define LICENSE_MAX		127

/* Header field offsets (spec 2.2), from the ROM's first byte. */
#define H(off)			(VMI_HEADER_OFFSET + (off))
#define H_MAGIC			H(0x00)
#define H_ABI_MAJOR		H(0x08)
#define H_ABI_MINOR		H(0x0a)
#define H_HEADER_SIZE		H(0x0c)
#define H_SLOT_SIZE		H(0x0e)
#define H_NUM_CALLS		H(0x10)
#define H_SLOT_OFFSET		H(0x14)
#define H_ANNOT_OFFSET		H(0x18)
#define H_ANNOT_SIZE		H(0x1c)
#define H_RESERVED0		H(0x1e)
#define H_FEATURES		H(0x20)
#define H_VENDOR		H(0x28)
#define H_LICENSE		H(0x2c)
#define H_RESERVED1		H(0x30)

/* The structures that must not overlap (spec 2.1), in this order. */
enum { R_OPTROM, R_PCIR, R_HEADER, R_VENDOR, R_LICENSE, R_ANNOT, R_SLOTS, R_COUNT };

struct region {
	uint64_t start, end;	/* [start, end); valid only when ok */
	uint32_t field;		/* where the region's offset is stored */
	int ok;
};

struct check {
	const uint8_t *img;
	uint64_t len;
	romcheck_report_fn *report;
	void *ctx;
	unsigned problems;
	int stop;
	uint32_t num_calls;	/* valid when calls_ok */
	int calls_ok;
	struct region r[R_COUNT];
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Returns nonzero once the caller asked to stop: every check returns then. */
static int problem(struct check *c, uint64_t off, const char *what, uint64_t value)
{
	c->problems++;
	if (c->report && c->report(c->ctx, (uint32_t)off, what, value))
		c->stop = 1;
	return c->stop;
}

/* First nonzero byte of img[off, off + n), or -1; the caller bounds it. */
static int64_t first_nonzero(const struct check *c, uint64_t off, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (c->img[off + i])
			return (int64_t)(off + i);
	return -1;
}

static int expect_zero(struct check *c, uint64_t off, uint64_t n, const char *what)
{
	int64_t at = first_nonzero(c, off, n);

	return at >= 0 && problem(c, (uint64_t)at, what, c->img[at]);
}

static void set_region(struct region *r, uint64_t start, uint64_t end, uint32_t field)
{
	r->start = start;
	r->end = end;
	r->field = field;
	r->ok = 1;
}

static int bytes_equal(const uint8_t *a, const char *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != (uint8_t)b[i])
			return 0;
	return 1;
}

/* Offsets 0x00-0x1b: the option-ROM header. */
static int check_optrom(struct check *c)
{
	const uint8_t *img = c->img;
	uint16_t pcir = rd16(img + 0x18);

	if (img[3] != 0xcb && problem(c, 3, "init entry is not RETF (0xcb)", img[3]))
		return 1;
	if (expect_zero(c, 4, 0x18 - 4, "reserved option-ROM header byte is not zero"))
		return 1;
	if (pcir % 4 && problem(c, 0x18, "PCIR offset is not 4-aligned", pcir))
		return 1;
	if (pcir < OPTROM_HDR_END || (uint64_t)pcir + PCIR_SIZE > c->len) {
		if (problem(c, 0x18, "PCIR structure is outside the image", pcir))
			return 1;
	} else {
		set_region(&c->r[R_PCIR], pcir, (uint64_t)pcir + PCIR_SIZE, 0x18);
	}
	if (rd16(img + 0x1a) && problem(c, 0x1a, "PnP offset is not zero", rd16(img + 0x1a)))
		return 1;
	return 0;
}

struct field_rule {
	uint8_t off;		/* in the PCIR */
	uint8_t size;		/* 1 or 2 */
	uint16_t value;
	const char *what;
};

/* PCI Firmware Specification 3.0 5.1.2, with the values spec 2.1 fixes. */
static const struct field_rule pcir_rules[] = {
	{ 0x04, 2, VMI_PCI_VENDOR, "PCIR vendor is not 0x5649" },
	{ 0x06, 2, VMI_PCI_DEVICE, "PCIR device is not 0x0001" },
	{ 0x08, 2, 0, "PCIR VPD pointer is not zero" },
	{ 0x0a, 2, PCIR_SIZE, "PCIR length is not 24" },
	{ 0x0c, 1, 0, "PCIR revision is not zero" },
	{ 0x0d, 1, 0xff, "PCIR class code is not 0xff 0x00 0x00" },
	{ 0x0e, 1, 0x00, "PCIR class code is not 0xff 0x00 0x00" },
	{ 0x0f, 1, 0x00, "PCIR class code is not 0xff 0x00 0x00" },
	{ 0x10, 2, 0, 0 },	/* image length: the block count at offset 2 */
	/* 0x12 code revision: the vendor's choice */
	{ 0x14, 1, 0, "PCIR code type is not 0 (x86)" },
	{ 0x15, 1, 0x80, "PCIR indicator is not 0x80 (last image)" },
	{ 0x16, 2, 0, "PCIR reserved field is not zero" },
};

static int check_pcir(struct check *c)
{
	uint64_t base = c->r[R_PCIR].start;
	const uint8_t *p = c->img + base;

	if (!c->r[R_PCIR].ok)
		return 0;
	if (!bytes_equal(p, "PCIR", 4) && problem(c, base, "PCIR signature is not \"PCIR\"", rd32(p)))
		return 1;
	for (unsigned i = 0; i < sizeof(pcir_rules) / sizeof(pcir_rules[0]); i++) {
		const struct field_rule *f = &pcir_rules[i];
		uint16_t v = f->size == 2 ? rd16(p + f->off) : p[f->off];
		uint16_t want = f->what ? f->value : c->img[2];
		const char *what = f->what ? f->what : "PCIR image length is not the block count";

		if (v != want && problem(c, base + f->off, what, v))
			return 1;
	}
	return 0;
}

/* A table of num_calls entries of size esize at the offset stored in field. */
static int check_table(struct check *c, int which, uint32_t field, uint32_t esize,
		       const char *misaligned, const char *outside)
{
	uint32_t off = rd32(c->img + field);
	uint64_t end;

	if (off % esize && problem(c, field, misaligned, off))
		return 1;
	if (!c->calls_ok)
		return 0;
	end = (uint64_t)off + (uint64_t)c->num_calls * esize;
	if (off < VMI_HDR_END || end > c->len)
		return problem(c, field, outside, off);
	set_region(&c->r[which], off, end, field);
	return 0;
}

/* Spec 2.2: NUL-terminated printable ASCII, 1-max characters, after the header. */
static int check_string(struct check *c, int which, uint32_t field, uint32_t max, const char *const name[4])
{
	uint32_t off = rd32(c->img + field);
	uint64_t i;

	if (off < VMI_HDR_END || off >= c->len)
		return problem(c, field, name[0], off);
	for (i = off; i < c->len && i - off <= max && c->img[i]; i++)
		if (c->img[i] < 0x20 || c->img[i] > 0x7e)
			return problem(c, i, name[1], c->img[i]);
	if (i == c->len)
		return problem(c, field, name[2], off);
	if (i - off > max)
		return problem(c, field, name[3], off);
	if (i == off)
		return problem(c, field, name[3], off);
	set_region(&c->r[which], off, i + 1, field);
	return 0;
}

static const char *const vendor_msgs[4] = {
	"vendor string is outside the image or inside the headers",
	"vendor string has a non-printable character",
	"vendor string runs past the end of the image",
	"vendor string is empty or longer than 63 characters",
};

static const char *const license_msgs[4] = {
	"license string is outside the image or inside the headers",
	"license string has a non-printable character",
	"license string runs past the end of the image",
	"license string is empty or longer than 127 characters",
};

struct header_rule {
	uint32_t off;
	uint8_t size;
	uint16_t value;
	const char *what;
};

static const struct header_rule header_rules[] = {
	{ H_ABI_MAJOR, 2, VMI_ABI_MAJOR, "ABI major is not 1" },
	{ H_HEADER_SIZE, 2, VMI_HEADER_SIZE, "header_size is not 64" },
	{ H_SLOT_SIZE, 2, VMI_SLOT_SIZE, "slot_size is not 64" },
};

/* Offsets 0x40-0x7f: the VMI header; records where its tables and strings are. */
static int check_header(struct check *c)
{
	const uint8_t *img = c->img;
	uint64_t unknown = rd64(img + H_FEATURES) & ~(uint64_t)VMI_FEAT_KNOWN;
	uint32_t n = rd32(img + H_NUM_CALLS);

	if (!bytes_equal(img + H_MAGIC, VMI_MAGIC "", 8) &&
	    problem(c, H_MAGIC, "VMI magic is not \"VMI-X64\\0\"", rd64(img + H_MAGIC)))
		return 1;
	for (unsigned i = 0; i < sizeof(header_rules) / sizeof(header_rules[0]); i++) {
		uint16_t v = rd16(img + header_rules[i].off);

		if (v != header_rules[i].value && problem(c, header_rules[i].off, header_rules[i].what, v))
			return 1;
	}
	if (n < 1 || n > MAX_CALLS) {
		if (problem(c, H_NUM_CALLS, "num_calls is not 1-4096", n))
			return 1;
	} else {
		c->num_calls = n;
		c->calls_ok = 1;
	}
	if (check_table(c, R_SLOTS, H_SLOT_OFFSET, VMI_SLOT_SIZE, "slot table is not 64-aligned",
			"slot table is outside the image or inside the headers"))
		return 1;
	if (check_table(c, R_ANNOT, H_ANNOT_OFFSET, VMI_ANNOT_SIZE, "annotation table is not 8-aligned",
			"annotation table is outside the image or inside the headers"))
		return 1;
	if (rd16(img + H_ANNOT_SIZE) != VMI_ANNOT_SIZE &&
	    problem(c, H_ANNOT_SIZE, "annot_size is not 8", rd16(img + H_ANNOT_SIZE)))
		return 1;
	if (expect_zero(c, H_RESERVED0, 2, "reserved header field is not zero"))
		return 1;
	if (unknown && problem(c, H_FEATURES, "unknown feature bits are set", unknown))
		return 1;
	if (check_string(c, R_VENDOR, H_VENDOR, VENDOR_MAX, vendor_msgs) ||
	    check_string(c, R_LICENSE, H_LICENSE, LICENSE_MAX, license_msgs))
		return 1;
	return expect_zero(c, H_RESERVED1, 16, "reserved header field is not zero");
}

/* overlap_msg[i][j], i < j: structure j overlaps structure i. */
static const char *const overlap_msg[R_COUNT][R_COUNT] = {
	[R_OPTROM] = { [R_PCIR] = "PCIR structure overlaps the option-ROM header" },
	[R_PCIR] = {
		[R_HEADER] = "PCIR structure overlaps the VMI header",
		[R_VENDOR] = "vendor string overlaps the PCIR structure",
		[R_LICENSE] = "license string overlaps the PCIR structure",
		[R_ANNOT] = "annotation table overlaps the PCIR structure",
		[R_SLOTS] = "slot table overlaps the PCIR structure",
	},
	[R_VENDOR] = {
		[R_LICENSE] = "license string overlaps the vendor string",
		[R_ANNOT] = "annotation table overlaps the vendor string",
		[R_SLOTS] = "slot table overlaps the vendor string",
	},
	[R_LICENSE] = {
		[R_ANNOT] = "annotation table overlaps the license string",
		[R_SLOTS] = "slot table overlaps the license string",
	},
	[R_ANNOT] = { [R_SLOTS] = "slot table overlaps the annotation table" },
};

/* Pairs without a message can't overlap: the header checks keep them apart. */
static int check_overlaps(struct check *c)
{
	for (int i = 0; i < R_COUNT; i++) {
		for (int j = i + 1; j < R_COUNT; j++) {
			const struct region *a = &c->r[i], *b = &c->r[j];

			if (!a->ok || !b->ok || !overlap_msg[i][j])
				continue;
			if (a->start < b->end && b->start < a->end &&
			    problem(c, b->field, overlap_msg[i][j], b->start))
				return 1;
		}
	}
	return 0;
}

/* Spec 2.4, for annotation n at img + off. */
static int check_annotation(struct check *c, uint64_t off)
{
	const uint8_t *a = c->img + off;
	uint8_t reloc = a[0], inl = a[1], fault = a[2], fixup = a[3];

	if (reloc == VMI_RELOC_JUMP && problem(c, off, "reloc jump is not allowed in ABI 1.0", reloc))
		return 1;
	if (reloc > VMI_RELOC_NOP && problem(c, off, "reloc kind is unknown", reloc))
		return 1;
	if (inl > VMI_SLOT_SIZE && problem(c, off + 1, "inline_len is longer than the slot", inl))
		return 1;
	if (inl && reloc != VMI_RELOC_CALL &&
	    problem(c, off + 1, "inline_len is not 0 for a reloc other than call", inl))
		return 1;
	if (fault == VMI_NO_FAULT) {
		if (fixup && problem(c, off + 3, "fixup_off is not 0 without fault_off", fixup))
			return 1;
	} else {
		if (fault >= VMI_SLOT_SIZE && problem(c, off + 2, "fault_off is outside the slot", fault))
			return 1;
		if (reloc != VMI_RELOC_CALL &&
		    problem(c, off + 2, "fault_off is set for a reloc other than call", fault))
			return 1;
		if (inl > fault && problem(c, off + 1, "inline bytes include the faulting instruction", inl))
			return 1;
		if (fixup >= VMI_SLOT_SIZE && problem(c, off + 3, "fixup_off is outside the slot", fixup))
			return 1;
		if (fixup == fault && problem(c, off + 3, "fixup_off equals fault_off", fixup))
			return 1;
	}
	return expect_zero(c, off + 4, 4, "reserved annotation byte is not zero");
}

static int check_annotations(struct check *c)
{
	if (!c->r[R_ANNOT].ok)
		return 0;
	for (uint32_t n = 0; n < c->num_calls; n++)
		if (check_annotation(c, c->r[R_ANNOT].start + (uint64_t)n * VMI_ANNOT_SIZE))
			return 1;
	return 0;
}

static void check_checksum(struct check *c)
{
	uint8_t sum = 0;

	/* a length mismatch is reported already; the adjustment byte is the last */
	if (c->len > MAX_BLOCKS * 512)
		return;
	for (uint64_t i = 0; i < c->len; i++)
		sum = (uint8_t)(sum + c->img[i]);
	if (sum)
		problem(c, c->len - 1, "checksum is not zero", sum);
}

static void check_image(struct check *c)
{
	const uint8_t *img = c->img;

	if (c->len == 0) {
		problem(c, 0, "image is empty", 0);
		return;
	}
	if (c->len >= 2 && (img[0] != 0x55 || img[1] != 0xaa) &&
	    problem(c, 0, "signature is not 0x55 0xaa", rd16(img)))
		return;
	if (c->len >= 3 && img[2] == 0 && problem(c, 2, "block count is 0", 0))
		return;
	if (c->len >= 3 && img[2] && (uint64_t)img[2] * 512 != c->len &&
	    problem(c, 2, "image length is not the block count * 512", c->len))
		return;
	if (c->len < VMI_HDR_END) {
		problem(c, c->len, "image ends inside the headers", c->len);
		return;
	}
	set_region(&c->r[R_OPTROM], 0, OPTROM_HDR_END, 0);
	set_region(&c->r[R_HEADER], VMI_HEADER_OFFSET, VMI_HDR_END, VMI_HEADER_OFFSET);
	if (check_optrom(c) || check_pcir(c) || check_header(c) || check_overlaps(c) ||
	    check_annotations(c))
		return;
	check_checksum(c);
}

unsigned romcheck__image(const uint8_t *img, size_t len, romcheck_report_fn *report, void *ctx)
{
	struct check c;

	c.img = img;
	c.len = len;
	c.report = report;
	c.ctx = ctx;
	c.problems = 0;
	c.stop = 0;
	c.num_calls = 0;
	c.calls_ok = 0;
	for (int i = 0; i < R_COUNT; i++)
		c.r[i].ok = 0;
	check_image(&c);
	return c.problems;
}

size_t romcheck__length(const uint8_t *img, size_t avail)
{
	size_t len;

	if (avail < 3 || img[0] != 0x55 || img[1] != 0xaa)
		return 0;
	len = (size_t)img[2] * 512;
	return len <= avail ? len : 0;
}

const struct vmi_rom_header *romcheck__header(const uint8_t *img)
{
	return (const struct vmi_rom_header *)(img + VMI_HEADER_OFFSET);
}

const uint8_t *romcheck__slot(const uint8_t *img, uint32_t call)
{
	if (call >= rd32(img + H_NUM_CALLS))
		return 0;
	return img + rd32(img + H_SLOT_OFFSET) + (uint64_t)call * VMI_SLOT_SIZE;
}

const struct vmi_annotation *romcheck__annotation(const uint8_t *img, uint32_t call)
{
	if (call >= rd32(img + H_NUM_CALLS))
		return 0;
	return (const struct vmi_annotation *)(img + rd32(img + H_ANNOT_OFFSET) +
					       (uint64_t)call * VMI_ANNOT_SIZE);
}

const char *romcheck__vendor(const uint8_t *img)
{
	return (const char *)img + rd32(img + H_VENDOR);
}

const char *romcheck__license(const uint8_t *img)
{
	return (const char *)img + rd32(img + H_LICENSE);
}
