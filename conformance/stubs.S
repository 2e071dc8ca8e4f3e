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

	.section .note.GNU-stack, "", @progbits
