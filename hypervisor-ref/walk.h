/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A software walk of the guest's page tables in guest RAM, as the CPU does
 * for a supervisor data access (SDM vol. 3, 4.5 and 4.6): 4- or 5-level
 * paging in long mode, 1 GiB and 2 MiB pages, CR0.WP honoured for writes,
 * accessed and dirty bits set as the hardware would. Both backends may use
 * it; hvm does because KVM_TRANSLATE reports every page writable.
 */
#ifndef VMI_WALK_H
#define VMI_WALK_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu_sregs;

#define WALK_OK		0
#define WALK_FAULT	(-1)	/* not present, not writable, not canonical, outside RAM */
#define WALK_MODE	(-2)	/* not long mode with paging: the caller decides */

int walk__translate(struct vm *vm, const struct vcpu_sregs *s, uint64_t gva, bool write,
		    uint64_t *gpa);

#endif
