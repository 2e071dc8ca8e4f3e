/*
 * Spec 6, write_cr3: "Switch address space. Flushes the non-global
 * translations of the PCID written".
 * Correct: after write_cr3(B) an address resolves through B's tables; after
 * write_cr3(A) through A's again, with no stale translation in between.
 * Probe: copy the boot PML4 to B and map the scratch page to different
 * frames in A and B; read the scratch address after each switch.
 */
#include "test.h"

TEST(write_cr3, "switches address spaces both ways")
{
	u64 *pt_a = env__scratch(), *p1 = mem__page(), *p2 = mem__page();
	u64 *pml4_b = mem__page(), *pdpt_b = mem__page(), *pd_b = mem__page(), *pt_b = mem__page();
	u64 a = vmi_read_cr3(), v = 0;
	s64 r;

	p1[0] = 0x1111;
	p2[0] = 0x2222;
	memcpy(pml4_b, boot_pml4, PAGE_SIZE);
	pml4_b[SCRATCH_VA >> 39 & 511] = env__pa(pdpt_b) | PTE_P | PTE_W;
	pdpt_b[0] = env__pa(pd_b) | PTE_P | PTE_W;
	pd_b[0] = env__pa(pt_b) | PTE_P | PTE_W;
	pt_b[0] = env__pa(p2) | PTE_P | PTE_W;
	vmi_set_pte(env__pa(&pt_a[0]), env__pa(p1) | PTE_P | PTE_W);
	vmi_flush_tlb_one(SCRATCH_VA);
	CHECK(env__read64(SCRATCH_VA, &v) < 0 && v == 0x1111, "space A reads %#lx", v);
	vmi_activate_mm(env__pa(pml4_b));
	r = vmi_write_cr3(env__pa(pml4_b));
	CHECK(r == 0 && READ_CR(3) == env__pa(pml4_b), "write_cr3(B) %ld, CR3 %#lx", r, READ_CR(3));
	CHECK(env__read64(SCRATCH_VA, &v) < 0 && v == 0x2222, "space B reads %#lx, want 0x2222", v);
	r = vmi_write_cr3(a);
	CHECK(r == 0 && READ_CR(3) == a, "write_cr3(A) %ld, CR3 %#lx", r, READ_CR(3));
	CHECK(env__read64(SCRATCH_VA, &v) < 0 && v == 0x1111, "back in A reads %#lx, want 0x1111", v);
}
