/*
 * Spec 6, load_gdt: "Load GDTR from the pseudo-descriptor at desc".
 * Correct: SGDT then shows the new base and limit, and segment loads use
 * the new table.
 * Probe: load a copy of the GDT at another address with a different limit,
 * check SGDT, load a data selector from it, restore the original.
 */
#include "test.h"

TEST(load_gdt, "SGDT shows the table loaded; it is used")
{
	static u64 copy[16] __attribute__((aligned(16)));
	struct desc_ptr d = { sizeof(copy) - 1, (u64)(uintptr_t)copy }, got;

	memcpy(copy, gdt, sizeof(copy));
	vmi_load_gdt(env__pa(&d));
	__asm__ volatile("sgdt %0" : "=m"(got));
	CHECK(got.base == d.base && got.limit == d.limit, "SGDT base %#lx limit %#x, loaded %#lx %#x",
	      got.base, got.limit, d.base, d.limit);
	__asm__ volatile("mov %w0, %%fs" :: "r"(0x10));
	vmi_load_gdt(env__pa(&gdt_desc));
	__asm__ volatile("sgdt %0" : "=m"(got));
	CHECK(got.base == gdt_desc.base, "restoring: SGDT base %#lx", got.base);
}
