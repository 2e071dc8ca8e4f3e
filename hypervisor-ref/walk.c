/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#include "vm.h"
#include "walk.h"

#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_LA57	(1ull << 12)
#define EFER_LMA	(1ull << 10)
#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_A		(1ull << 5)
#define PTE_D		(1ull << 6)
#define PTE_PS		(1ull << 7)
#define ADDR_MASK	0x000ffffffffff000ull

/* Set bits in a live entry without losing a concurrent update (the guest
 * may run on other threads of a future SMP vmi-run). */
static void set_bits(uint64_t *e, uint64_t bits)
{
	if ((__atomic_load_n(e, __ATOMIC_RELAXED) & bits) != bits)
		__atomic_fetch_or(e, bits, __ATOMIC_RELAXED);
}

static bool canonical(uint64_t gva, unsigned bits)
{
	int64_t v = (int64_t)(gva << (64 - bits)) >> (64 - bits);

	return (uint64_t)v == gva;
}

int walk__translate(struct vm *vm, const struct vcpu_sregs *s, uint64_t gva, bool write,
		    uint64_t *gpa)
{
	unsigned levels = (s->cr4 & CR4_LA57) ? 5 : 4;
	uint64_t table = s->cr3 & ADDR_MASK, *e = NULL;
	bool writable = true;

	if (!(s->cr0 & CR0_PG) || !(s->efer & EFER_LMA))
		return WALK_MODE;
	if (!canonical(gva, levels == 5 ? 57 : 48))
		return WALK_FAULT;
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t entry;

		e = vm__gpa(vm, table + ((gva >> shift) & 511) * 8, 8);
		if (!e)
			return WALK_FAULT;
		entry = __atomic_load_n(e, __ATOMIC_RELAXED);
		if (!(entry & PTE_P))
			return WALK_FAULT;
		writable &= (entry & PTE_RW) != 0;
		set_bits(e, PTE_A);
		/* A large page ends the walk at the PDPT (1 GiB) or PD (2 MiB). */
		if (level == 1 || ((level == 2 || level == 3) && (entry & PTE_PS))) {
			uint64_t mask = (1ull << shift) - 1;
			uint64_t pa = (entry & ADDR_MASK & ~mask) | (gva & mask);

			if ((write && !writable && (s->cr0 & CR0_WP)) || !vm__gpa(vm, pa, 1))
				return WALK_FAULT;
			if (write)
				set_bits(e, PTE_D);
			*gpa = pa;
			return WALK_OK;
		}
		table = entry & ADDR_MASK;
	}
	return WALK_FAULT;
}
