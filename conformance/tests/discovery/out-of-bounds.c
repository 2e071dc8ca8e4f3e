/*
 * Spec 2.1/2.2: the image is blocks * 512 bytes; the slot and annotation
 * tables, vendor and license strings lie inside it.
 * Correct: refused are a length beyond the space scanned, a num_calls whose
 * slot table runs past the image, and a vendor offset past the end.
 * Probe: three copies, each re-sealed, checked against the image's size.
 */
#include "test.h"
#include "mutate.h"

TEST(discovery, "lengths and offsets past the image are refused")
{
	const char *why = NULL;

	bench_copy();
	bench[2] = (u8)(vmi.size / 512 + 1);
	bench_reseal();
	CHECK(rom__check(bench, vmi.size, &why) != 0, "blocks past the space accepted");
	bench_copy()->num_calls = 4096;
	bench_reseal();
	CHECK(rom__check(bench, vmi.size, &why) != 0, "4096 slots in %u bytes accepted", vmi.size);
	bench_copy()->vendor_offset = vmi.size + 16;
	bench_reseal();
	CHECK(rom__check(bench, vmi.size, &why) != 0, "vendor string past the end accepted");
}
