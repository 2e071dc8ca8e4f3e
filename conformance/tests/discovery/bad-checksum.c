/*
 * Spec 2.1: "The byte sum of the whole image is 0 modulo 256".
 * Correct: the guest's discovery refuses an image whose sum is off by one,
 * wherever the change is (header, a slot).
 * Probe: two copies, one byte changed in each, not re-sealed.
 */
#include "test.h"
#include "mutate.h"

TEST(discovery, "a bad checksum is refused")
{
	const u32 offs[] = { VMI_HEADER_OFFSET + 0x30, vmi.hdr->slot_offset + 5 };
	const char *why = NULL;

	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		bench_copy();
		bench[offs[i]] ^= 1;
		CHECK(rom__check(bench, vmi.size, &why) != 0, "accepted with byte %#x changed", offs[i]);
	}
	bench_copy();
	CHECK(rom__check(bench, vmi.size, &why) == 0, "the unchanged copy was refused: %s", why);
}
