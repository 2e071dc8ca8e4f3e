/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Multiboot (v1) entry of the VMI-x64 test kernels. QEMU's -kernel loader
 * and vmi-run enter here in 32-bit protected mode with paging off (EAX =
 * 0x2BADB002, EBX = multiboot info). We identity-map the first 4 GiB with
 * 2 MiB pages (the LAPIC at 0xFEE00000 included), enter long mode and call
 * guest_main(magic, info) on the boot stack.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-align modules, want memory info */

#define CR0_PE		(1 << 0)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define PTE_P		1
#define PTE_W		2
#define PTE_PS		0x80

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .boot32, "ax"
	.code32
	.globl boot32_entry
boot32_entry:
	cli
	cld
	movl $boot_stack_top, %esp
	movl %eax, %ebp			/* multiboot magic */
	movl %ebx, %esi			/* multiboot info, argument 2 */
	/* A loader need not clear .bss for us (the page tables live there). */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl %ebp, %edi			/* argument 1 */

	/* PML4[0] -> pdpt; pdpt[0..3] -> pd0..pd3; 2048 2 MiB pages. */
	movl $boot_pdpt + (PTE_P | PTE_W), boot_pml4
	movl $boot_pd + (PTE_P | PTE_W), %eax
	xorl %ecx, %ecx
1:	movl %eax, boot_pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	movl $(PTE_P | PTE_W | PTE_PS), %eax
	xorl %ecx, %ecx
2:	movl %eax, boot_pd(, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PE | CR0_WP | CR0_PG), %eax
	movl %eax, %cr0
	lgdt gdt_desc32
	ljmp $0x08, $boot64

	.code64
boot64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp
	lgdt gdt_desc			/* the same table, 64-bit base */
	call guest_main
3:	cli
	hlt
	jmp 3b

	.data
	.balign 16
gdt_desc32:
	.word gdt_end - gdt - 1
	.long gdt
	.balign 16
	.globl gdt_desc
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt
	/* 0x00 null, 0x08 64-bit code, 0x10 data; the rest is for tests
	 * (TSS and LDT descriptors are 16 bytes each). */
	.balign 16
	.globl gdt, gdt_end
gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
	.fill 29, 8, 0
gdt_end:

	.bss
	.balign 4096
	.globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.balign 16
	.globl boot_stack_top
boot_stack:	.skip 32768
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
