/*
 * Spec 6, load_sp0: "Set the stack the CPU switches to on entry to ring 0.
 * The native ROM stores sp0 in the TSS field; a hypervisor may also keep it
 * elsewhere."
 * Correct: the RSP0 field holds the value afterwards; nothing else in the
 * TSS changes.
 * Probe: two values into conf_tss.rsp[0], compare the whole TSS.
 */
#include "test.h"
#include "tss.h"

TEST(load_sp0, "stores sp0 in the TSS field")
{
	struct tss64 want;

	memset(&conf_tss, 0, sizeof(conf_tss));
	vmi_load_sp0(env__pa(&conf_tss.rsp[0]), 0xffffc90000004000ull);
	memset(&want, 0, sizeof(want));
	want.rsp[0] = 0xffffc90000004000ull;
	CHECK(!memcmp(&want, &conf_tss, sizeof(want)), "RSP0 %#lx; other fields changed?", conf_tss.rsp[0]);
	vmi_load_sp0(env__pa(&conf_tss.rsp[0]), 0x8000);
	CHECK(conf_tss.rsp[0] == 0x8000, "RSP0 %#lx after the second call", conf_tss.rsp[0]);
}
