/*
 * Spec 2: "places it ... between 0xC0000 and 0xDFFFF, at an address that is
 * a multiple of 2 KiB"; spec 4: the guest copies the whole image.
 * Correct: the ROM was found on a 2 KiB boundary inside the window, and the
 * firmware's image equals the kernel's copy, which passes the discovery
 * checks.
 * Probe: look at where discovery found it, compare bytes, re-check the copy.
 */
#include "test.h"

TEST(discovery, "placed on a 2 KiB boundary in 0xC0000-0xDFFFF; copy intact")
{
	const char *why = NULL;

	CHECK(vmi.found_at >= VMI_SCAN_START && vmi.found_at + vmi.size <= VMI_SCAN_END,
	      "found at %#lx, %u bytes", vmi.found_at, vmi.size);
	CHECK(vmi.found_at % VMI_SCAN_STEP == 0, "found at %#lx, not 2 KiB aligned", vmi.found_at);
	CHECK(!memcmp((void *)(uintptr_t)vmi.found_at, vmi.image, vmi.size), "the firmware copy differs");
	CHECK(rom__check(vmi.image, vmi.size, &why) == 0, "the copy no longer passes: %s", why);
}
