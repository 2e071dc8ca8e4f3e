/*
 * Spec 6, load_tr: "Load the task register (LTR)", result 0.
 * Correct: after load_tr of an available 64-bit TSS, STR shows the
 * selector and the descriptor is marked busy (type 0xB), as LTR does.
 * Probe: write the descriptor, load it, check STR and the GDT bytes.
 */
#include "test.h"
#include "tss.h"

TEST(load_tr, "loads an available TSS and marks it busy")
{
	u16 tr;
	s64 r;

	CHECK(conf_tss_install(TSS_SEL) == 0, "could not write the TSS descriptor");
	r = vmi_load_tr(TSS_SEL);
	CHECK(r == 0, "result %ld", r);
	__asm__ volatile("str %0" : "=r"(tr));
	CHECK(tr == TSS_SEL, "STR %#x, loaded %#x", tr, TSS_SEL);
	CHECK((gdt[TSS_SEL / 8] >> 40 & 0xf) == 0xb, "descriptor type %#lx, want busy 0xb",
	      gdt[TSS_SEL / 8] >> 40 & 0xf);
}
