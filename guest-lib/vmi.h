/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The guest side of VMI-x64: discovery (spec section 2), the ROM copy
 * (section 4), the #GP fixup (2.4) and one typed wrapper per call,
 * vmi_<name>(), generated from VMI_CALLS in include/vmi/abi.h. Arguments
 * are all passed as u64: System V puts them in the same registers and the
 * spec says a slot ignores the upper bits of narrower types.
 */
#ifndef GUEST_VMI_H
#define GUEST_VMI_H

#include "guest.h"
#include "vmi/abi.h"

struct vmi_pair {
	u64 rax, rdx;
};

/* Unused argument registers and rax hold this before every call. */
#define VMI_POISON 0x5a5a5a5a5a5a5a5aull

/* The ROM in use: the kernel's own copy, and where it was found. */
struct vmi_rom {
	u8 *image;
	u32 size;
	u64 found_at;	/* physical address of the firmware's copy */
	const struct vmi_rom_header *hdr;
	u32 num_calls;
	u64 features;
};
extern struct vmi_rom vmi;

/*
 * Check an image as discovery does: the structural rules (romcheck), then
 * what this guest requires (an ABI major it knows). 0, or -1 with *why set
 * to one phrase naming the first problem.
 */
int rom__check(const u8 *img, size_t len, const char **why);
/* Scan 0xC0000-0xDFFFF, take the first valid image, copy it, install the
 * fixup. 0 when found; -1 otherwise (each refused image gets a "# vmi:" line). */
int rom__discover(void);
/* Use img (already in kernel memory) as the ROM, after rom__check. */
int rom__adopt(u8 *img, size_t len, u64 found_at, const char **why);
/* The slot of call, or NULL when the ROM lacks it or marks it reloc none. */
void *rom__slot(unsigned call);
unsigned rom__reloc(unsigned call);
const struct vmi_annotation *rom__annotation(unsigned call);
void *rom__slot_or_die(unsigned call);
int rom__fixup(struct trap_frame *f);
extern unsigned rom__fixups;	/* #GPs resumed at a slot's fixup_off */

u64 vmi__call(void *fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);
struct vmi_pair vmi__call_pair(void *fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);
/* Registers in vmi__check_preserved's order; mask bits select them. */
int vmi__check_preserved(void *fn, u64 mask, long *bad_reg);
extern const char *const vmi__reg_names[14];

#define G_PARAMS_0 void
#define G_PARAMS_1 u64 a1
#define G_PARAMS_2 u64 a1, u64 a2
#define G_PARAMS_3 u64 a1, u64 a2, u64 a3
#define G_PARAMS_4 u64 a1, u64 a2, u64 a3, u64 a4
#define G_PARAMS_5 u64 a1, u64 a2, u64 a3, u64 a4, u64 a5
#define G_ARGS_0 VMI_POISON, VMI_POISON, VMI_POISON, VMI_POISON, VMI_POISON
#define G_ARGS_1 a1, VMI_POISON, VMI_POISON, VMI_POISON, VMI_POISON
#define G_ARGS_2 a1, a2, VMI_POISON, VMI_POISON, VMI_POISON
#define G_ARGS_3 a1, a2, a3, VMI_POISON, VMI_POISON
#define G_ARGS_4 a1, a2, a3, a4, VMI_POISON
#define G_ARGS_5 a1, a2, a3, a4, a5
#define G_RTYPE_VMI_RET_VOID void
#define G_RTYPE_VMI_RET_U64 u64
#define G_RTYPE_VMI_RET_S64 s64
#define G_RTYPE_VMI_RET_PAIR struct vmi_pair
#define G_CALL_VMI_RET_VOID vmi__call
#define G_CALL_VMI_RET_U64 return vmi__call
#define G_CALL_VMI_RET_S64 return (s64)vmi__call
#define G_CALL_VMI_RET_PAIR return vmi__call_pair
#define G_WRAPPER(num, name, nargs, ret, clobbers) \
	static inline G_RTYPE_##ret vmi_##name(G_PARAMS_##nargs) \
	{ G_CALL_##ret(rom__slot_or_die(num), G_ARGS_##nargs); }
VMI_CALLS(G_WRAPPER)
#undef G_WRAPPER

/* Call names by number, for reports. */
extern const char *const vmi__call_names[VMI_NUM_CALLS];

#endif
