/*
 * Spec 2.2: the header's magic is "VMI-X64" followed by one NUL.
 * Correct: a copy with the magic changed (checksum valid) is refused, as is
 * one whose 0x55 0xAA signature is broken.
 * Probe: edit, re-seal, check.
 */
#include "test.h"
#include "mutate.h"

TEST(discovery, "a bad magic or signature is refused")
{
	const char *why = NULL;

	bench_copy()->magic[4] = 'Y';
	bench_reseal();
	CHECK(rom__check(bench, vmi.size, &why) != 0, "magic VMI-Y64 accepted");
	bench_copy();
	bench[1] = 0xab;
	bench_reseal();
	CHECK(rom__check(bench, vmi.size, &why) != 0, "signature 0x55 0xab accepted");
}
