/*
 * Spec 3: "A call never faults except ... when a pointer argument is bad,
 * where the native ROM faults as the instruction would (#PF) and a
 * hypervisor returns VMI_EFAULT." Spec 5: a pointer that does not translate
 * gives VMI_EFAULT.
 * Correct: set_pte, write_ldt_entry, write_idt_entry and mmu_batch_flush
 * with a pointer to an unmapped page return VMI_EFAULT behind a hypervisor
 * (and change nothing), or raise #PF at that address natively; never a hang
 * or another exception.
 * Probe: each call under an exception catcher with the pointer at a
 * non-present page of the scratch window (the catcher passes four
 * arguments: write_gdt_entry's fifth cannot be given).
 */
#include "test.h"

#define UNMAPPED (SCRATCH_VA + 0x1ff000)

TEST(abi, "pointers to unmapped pages give EFAULT (natively #PF)")
{
	static const struct { unsigned call; u64 a2, a3, a4, a5; } cases[] = {
		{ VMI_CALL_SET_PTE, PTE_P, 0, 0, 0 },
		{ VMI_CALL_WRITE_LDT_ENTRY, 3, 0, 0, 0 },
		{ VMI_CALL_WRITE_IDT_ENTRY, 3, 0, 0, 0 },
		{ VMI_CALL_MMU_BATCH_FLUSH, 1, 0, 0, 0 },
	};

	env__scratch();
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *name = vmi__call_names[cases[i].call];
		u64 result = 0;
		long vec;

		if (!env__has(cases[i].call))
			continue;
		trap__last_cr2 = 0;
		vec = trap__catch_call(rom__slot(cases[i].call), UNMAPPED, cases[i].a2, cases[i].a3,
				       cases[i].a4, &result);
		if (env__native()) {
			CHECK(vec == 14 && trap__last_cr2 >= UNMAPPED && trap__last_cr2 < UNMAPPED + PAGE_SIZE,
			      "%s: exception %ld at %#lx, want #PF at the pointer", name, vec, trap__last_cr2);
			continue;
		}
		CHECK(vec < 0, "%s: exception %ld (CR2 %#lx), want VMI_EFAULT", name, vec, trap__last_cr2);
		CHECK((s64)result == VMI_EFAULT, "%s: result %ld, want %d", name, (s64)result, VMI_EFAULT);
	}
}
