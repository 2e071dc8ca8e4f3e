/*
 * Spec 6, read_cr3: "Read CR3".
 * Correct: the address bits name the PML4 the kernel loaded at boot and the
 * value equals MOV from CR3.
 * Probe: compare with boot_pml4 and with the bare instruction.
 */
#include "test.h"

TEST(read_cr3, "names the boot PML4; equals MOV from CR3")
{
	u64 v = vmi_read_cr3();

	CHECK((v & PTE_ADDR) == env__pa(boot_pml4), "CR3 %#lx, PML4 at %#lx", v, env__pa(boot_pml4));
	CHECK(v == READ_CR(3), "call %#lx, MOV %#lx", v, READ_CR(3));
}
