/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * u64 vmi__call(fn, a1, a2, a3, a4, a5): call a ROM slot with System V
 * arguments a1..a5, and rax, r10, r11 poisoned first, so that a slot which
 * forgets to produce its result is seen returning garbage, not whatever
 * the compiler happened to leave in rax. The pair variant also returns rdx
 * (struct vmi_pair); callers pass VMI_POISON for unused arguments, so rdx
 * starts poisoned too.
 */
#define POISON 0x5a5a5a5a5a5a5a5a

	.text
	.code64
	.globl vmi__call, vmi__call_pair
vmi__call:
vmi__call_pair:
	movq %rdi, %r11
	movq %rsi, %rdi
	movq %rdx, %rsi
	movq %rcx, %rdx
	movq %r8, %rcx
	movq %r9, %r8
	movabsq $POISON, %rax
	movq %rax, %r10
	movq %rax, %r9
	jmp *%r11			/* the slot returns to our caller */

/*
 * int vmi__check_preserved(fn, mask, long *bad_reg)
 * Fills every general register with a distinct pattern, calls fn with no
 * arguments (rdi etc. hold patterns), and compares afterwards. mask selects
 * which registers must survive (bit i: see regs order below). Returns 0, or
 * 1 with the index of the first clobbered register in *bad_reg.
 * Order: 0 rbx 1 rcx 2 rdx 3 rsi 4 rdi 5 rbp 6 r8 7 r9 8 r10 9 r11
 *        10 r12 11 r13 12 r14 13 r15
 */
	.globl vmi__check_preserved
vmi__check_preserved:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx			/* bad_reg */
	pushq %rsi			/* mask */
	movq %rdi, %rax
	movabsq $0x1111111111111101, %rbx
	movabsq $0x1111111111111102, %rcx
	movabsq $0x1111111111111103, %rdx
	movabsq $0x1111111111111104, %rsi
	movabsq $0x1111111111111105, %rdi
	movabsq $0x1111111111111106, %rbp
	movabsq $0x1111111111111107, %r8
	movabsq $0x1111111111111108, %r9
	movabsq $0x1111111111111109, %r10
	movabsq $0x111111111111110a, %r11
	movabsq $0x111111111111110b, %r12
	movabsq $0x111111111111110c, %r13
	movabsq $0x111111111111110d, %r14
	movabsq $0x111111111111110e, %r15
	call *%rax
	/* Store the results in order, then compare in C-friendly form. */
	subq $112, %rsp
	movq %rbx, 0(%rsp)
	movq %rcx, 8(%rsp)
	movq %rdx, 16(%rsp)
	movq %rsi, 24(%rsp)
	movq %rdi, 32(%rsp)
	movq %rbp, 40(%rsp)
	movq %r8, 48(%rsp)
	movq %r9, 56(%rsp)
	movq %r10, 64(%rsp)
	movq %r11, 72(%rsp)
	movq %r12, 80(%rsp)
	movq %r13, 88(%rsp)
	movq %r14, 96(%rsp)
	movq %r15, 104(%rsp)
	movq 112(%rsp), %r8		/* mask */
	xorl %ecx, %ecx
	movabsq $0x1111111111111101, %rdx
1:	btq %rcx, %r8
	jnc 2f
	cmpq %rdx, (%rsp, %rcx, 8)
	jne 3f
2:	incq %rdx
	incl %ecx
	cmpl $14, %ecx
	jne 1b
	xorl %eax, %eax
	jmp 4f
3:	movq 120(%rsp), %rax
	movq %rcx, (%rax)
	movl $1, %eax
4:	addq $128, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.section .note.GNU-stack, "", @progbits
