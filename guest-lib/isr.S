/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Interrupt and exception entry: 256 stubs that push a uniform frame
 * (struct trap_frame in guest.h) and call trap__dispatch, which may edit the
 * frame (RIP for a fixup, RAX for a result) before we IRETQ.
 */
	.text
	.code64

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro stub v
	.balign 16
isr_\v:
	.if HAS_ERR(\v)
	.else
	pushq $0
	.endif
	pushq $\v
	jmp isr_common
	.endm

	.globl isr_table
	.balign 16
isr_stubs:
	.altmacro
	.set i, 0
	.rept 256
	stub %i
	.set i, i + 1
	.endr

isr_common:
	cld
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp			/* the CPU aligns only to 16 on entry */
	call trap__dispatch
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector, error code */
	iretq

	.section .rodata
	.balign 8
isr_table:
	.set i, 0
	.rept 256
	.quad isr_stubs + 16 * i
	.set i, i + 1
	.endr

/*
 * long trap__catch_call(fn, a1, a2, a3, a4, u64 *result)
 * Calls fn(a1..a4). Returns -1 and stores fn's rax in *result when fn
 * returns; returns the vector when an exception interrupts it: trap.c then
 * resumes at catch_landing with rsp = catch_rsp and rax = vector. Catches
 * nest (the conformance runner wraps each test in one, a test may use its
 * own): the previous catch_rsp is kept on the stack.
 */
	.text
	.globl trap__catch_call, catch_landing, catch_rsp
trap__catch_call:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %r9			/* result pointer */
	pushq catch_rsp(%rip)		/* the enclosing catch */
	subq $8, %rsp			/* 16-byte alignment at the call */
	movq %rsp, catch_rsp(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rdx, %rsi
	movq %rcx, %rdx
	movq %r8, %rcx
	call *%rax
	movq 16(%rsp), %r9
	movq %rax, (%r9)
	movq $-1, %rax
catch_landing:				/* from trap.c: rax = vector, rsp = catch_rsp */
	addq $8, %rsp
	popq catch_rsp(%rip)
	popq %r9
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.bss
	.balign 8
catch_rsp:	.skip 8

	.section .note.GNU-stack, "", @progbits
