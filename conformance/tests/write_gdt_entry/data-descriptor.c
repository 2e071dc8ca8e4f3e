/*
 * Spec 6, write_gdt_entry: "Write one GDT descriptor, 8 bytes or a 16-byte
 * system descriptor", result 0.
 * Correct: the 8 bytes land at table + index * 8 and the CPU can use the
 * descriptor; a 16-byte write fills two entries.
 * Probe: write a data descriptor at entry 10, load it into FS; write a
 * 16-byte descriptor at entries 12-13 and compare memory.
 */
#include "test.h"

TEST(write_gdt_entry, "8 and 16-byte descriptors land and work")
{
	const u64 data = 0x00cf92000000ffffull;
	s64 r = vmi_write_gdt_entry(env__pa(gdt), 10, data, VMI_POISON, 8);

	CHECK(r == 0 && gdt[10] == data, "8 bytes: result %ld, entry %#lx", r, gdt[10]);
	CHECK(gdt[11] == 0, "8-byte write touched the next entry: %#lx", gdt[11]);
	__asm__ volatile("mov %w0, %%fs" :: "r"(10 * 8));
	r = vmi_write_gdt_entry(env__pa(gdt), 12, 0x0000890000000067ull, 0x1234, 16);
	CHECK(r == 0 && gdt[12] == 0x0000890000000067ull && gdt[13] == 0x1234,
	      "16 bytes: result %ld, entries %#lx %#lx", r, gdt[12], gdt[13]);
}
