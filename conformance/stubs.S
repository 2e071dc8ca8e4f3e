/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Interrupt stubs the descriptor-table tests point gates at: each counts
 * its hits, sends the LAPIC an EOI (the tests raise them as timer
 * interrupts) and returns. Kept apart from guest-lib's ISRs on purpose: a
 * hit here proves the CPU used the gate the test wrote.
 */
	.text
	.code64
	.macro counting_stub name, counter
	.globl \name, \counter
\name:
	lock incl \counter(%rip)
	pushq %rax
	movl $0xfee000b0, %eax
	movl $0, (%rax)
	popq %rax
	iretq
	.endm

	counting_stub conf_stub_a, conf_stub_a_hits
	counting_stub conf_stub_b, conf_stub_b_hits

	.bss
	.balign 4
conf_stub_a_hits:	.skip 4
conf_stub_b_hits:	.skip 4


/*
 * The CPL 3 test's user code, copied to a user page: call the slot in rax
 * with rdi, keep its result in rbx, then HLT, which raises #GP at CPL 3 and
 * so returns to the kernel through trap__catch_call (the frame keeps rbx).
 */
	.text
	.globl conf_user_stub, conf_user_stub_end, conf_enter_user
conf_user_stub:
	call *%rax
	movq %rax, %rbx
conf_user_hlt:
	hlt
	jmp conf_user_hlt
conf_user_stub_end:

/* conf_enter_user(rip, rsp, rflags, rdi): IRETQ to CPL 3 (0x23/0x2b) with
 * rax = conf_user_rax (trap__catch_call passes only four arguments). */
	.globl conf_user_rax
conf_enter_user:
	pushq $0x2b
	pushq %rsi
	pushq %rdx
	pushq $0x23
	pushq %rdi
	movq %rcx, %rdi
	movq conf_user_rax(%rip), %rax
	iretq

	.bss
	.balign 8
conf_user_rax:	.skip 8

	.section .note.GNU-stack, "", @progbits
