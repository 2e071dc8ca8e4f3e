/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Kernel loaders. Each checks every header field it uses against the image
 * length and guest RAM before it copies a byte, and on a bad image fills err
 * with one line naming the field and returns -1. On success it has written
 * the image, its boot data and the initial vCPU state (struct boot_state).
 *
 * Guest physical layout at boot (low memory, below the 0xa0000 hole):
 *   0x1000 GDT: 0x08 code32, 0x10 code64 (Linux's __BOOT_CS), 0x18 data (__BOOT_DS)
 *   0x2000 PML4, 0x3000 PDPT, 0x4000-0x7fff four page directories: the first
 *          4 GiB identity-mapped with 2 MiB pages (64-bit entries only)
 *   0x8000 Linux boot_params, or the multiboot info and memory map
 *   0x20000 command line (up to 4 KiB), 0x80000 initial stack top
 *   0xc0000 the VMI ROM (vm__load_rom)
 */
#ifndef VMI_LOADER_H
#define VMI_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include "vm.h"

#define BOOT_GDT	0x1000ull
#define BOOT_PML4	0x2000ull
#define BOOT_PDPT	0x3000ull
#define BOOT_PD		0x4000ull
#define BOOT_INFO	0x8000ull
#define BOOT_CMDLINE	0x20000ull
#define BOOT_CMDLINE_MAX 4096
#define BOOT_STACK	0x80000ull
#define KERNEL_MIN	0x100000ull	/* nothing may load below 1 MiB */

#define SEL_CODE32	0x08
#define SEL_CODE64	0x10
#define SEL_DATA	0x18

struct boot_state {
	struct vcpu_regs regs;
	struct vcpu_sregs sregs;
};

struct boot_files {
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd;		/* NULL: none */
	size_t initrd_len;
	const char *cmdline;		/* never NULL */
};

/* Picks the format from the image (bzImage, ELF) and loads it. */
int loader__load(struct vm *vm, const struct boot_files *f, struct boot_state *bs,
		 char *err, size_t errlen);
int bzimage__load(struct vm *vm, const struct boot_files *f, struct boot_state *bs,
		  char *err, size_t errlen);
int multiboot__load(struct vm *vm, const struct boot_files *f, struct boot_state *bs,
		    char *err, size_t errlen);
bool bzimage__is(const uint8_t *img, size_t len);

/* Shared boot plumbing (boot.c). */
void boot__gdt(struct vm *vm);
void boot__identity_map(struct vm *vm);
/* Flat 32-bit protected mode, paging off (multiboot). */
void boot__protected_mode(struct boot_state *bs, uint64_t entry);
/* 64-bit mode on the identity map (ELF64, Linux). */
void boot__long_mode(struct boot_state *bs, uint64_t entry);
int boot__cmdline(struct vm *vm, const char *cmdline, size_t max, char *err, size_t errlen);

/* The e820 map vmi-run gives every guest. */
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
#define E820_RAM	1
#define E820_RESERVED	2
unsigned e820__build(const struct vm *vm, struct e820_entry *out, unsigned max);

/* The VMI ROM at VM_ROM_GPA: checked (romcheck when built in), copied,
 * features noted in vm->rom_features. */
int rom__load(struct vm *vm, const uint8_t *img, size_t len, char *err, size_t errlen);

#endif
