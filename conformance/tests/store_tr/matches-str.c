/*
 * Spec 6, store_tr: "Read the task register's selector".
 * Correct: it equals what STR shows, before and after load_tr.
 * Probe: compare with the bare STR; then load a TSS and compare again.
 */
#include "test.h"
#include "tss.h"

TEST(store_tr, "equals STR before and after load_tr")
{
	u16 tr;
	u64 v = vmi_store_tr();

	__asm__ volatile("str %0" : "=r"(tr));
	CHECK(v == tr, "store_tr %#lx, STR %#x", v, tr);
	CHECK(conf_tss_install(TSS_SEL) == 0, "could not write the TSS descriptor");
	CHECK(vmi_load_tr(TSS_SEL) == 0 || tr == TSS_SEL, "load_tr failed");
	v = vmi_store_tr();
	CHECK(v == TSS_SEL, "store_tr %#lx after loading %#x", v, TSS_SEL);
}
