/*
 * Spec 6, load_ldt: "Load LDTR (LLDT)", "a GDT selector of an LDT
 * descriptor, or 0".
 * Correct: after load_ldt, SLDT shows the selector and a selector with TI
 * set loads from that LDT; load_ldt(0) empties LDTR.
 * Probe: an LDT with one data descriptor; load it, MOV FS from LDT entry
 * 1 (selector 0x0c), check SLDT; then load 0.
 */
#include "test.h"
#include "tss.h"

TEST(load_ldt, "the LDT loaded is used; 0 unloads")
{
	static u64 ldt[4] __attribute__((aligned(16)));
	u64 b = (u64)(uintptr_t)ldt, lim = sizeof(ldt) - 1;
	u16 sel;
	s64 r;

	ldt[1] = 0x00cf92000000ffffull;	/* flat data */
	r = vmi_write_gdt_entry(env__pa(gdt), LDT_SEL / 8,
				(lim & 0xffff) | (b & 0xffffff) << 16 | 0x82ull << 40 | (b >> 24 & 0xff) << 56,
				b >> 32, 16);
	CHECK(r == 0, "write_gdt_entry %ld", r);
	r = vmi_load_ldt(LDT_SEL);
	CHECK(r == 0, "load_ldt %ld", r);
	__asm__ volatile("sldt %0" : "=r"(sel));
	CHECK(sel == LDT_SEL, "SLDT %#x, loaded %#x", sel, LDT_SEL);
	__asm__ volatile("mov %w0, %%fs" :: "r"(0x0c));
	r = vmi_load_ldt(0);
	__asm__ volatile("sldt %0" : "=r"(sel));
	CHECK(r == 0 && sel == 0, "load_ldt(0) %ld, SLDT %#x", r, sel);
}
