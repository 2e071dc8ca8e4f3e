/*
 * Spec 1: "A guest must refuse a ROM whose major it does not know and then
 * runs natively, as if no ROM were present."
 * Correct: a ROM saying ABI 2.0 (checksum valid) is refused; one saying
 * 1.7 (a newer minor) is accepted.
 * Probe: edit abi_major/abi_minor in copies, re-seal, check.
 */
#include "test.h"
#include "mutate.h"

TEST(discovery, "an unknown ABI major is refused, a newer minor accepted")
{
	const char *why = NULL;

	bench_copy()->abi_major = VMI_ABI_MAJOR + 1;
	bench_reseal();
	CHECK(rom__check(bench, vmi.size, &why) != 0, "ABI major %u accepted", VMI_ABI_MAJOR + 1);
	bench_copy()->abi_major = 0;
	bench_reseal();
	CHECK(rom__check(bench, vmi.size, &why) != 0, "ABI major 0 accepted");
	bench_copy()->abi_minor = 7;
	bench_reseal();
	CHECK(rom__check(bench, vmi.size, &why) == 0, "ABI 1.7 refused: %s", why);
}
