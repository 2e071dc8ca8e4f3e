/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Host <-> translated-code transitions. While translated code runs, the host
 * GPRs and arithmetic flags hold the guest's, and GS points at struct bt_cpu
 * (cpu.h). These stubs switch to the host stack saved in CPU_HOST_RSP before
 * touching any stack, because rsp holds the guest's stack pointer.
 */
#include "cpu.h"

	.intel_syntax noprefix
	.text


.macro SAVE_ALL where
	mov gs:[\where + 0], rax
	mov gs:[\where + 8], rcx
	mov gs:[\where + 16], rdx
	mov gs:[\where + 24], rbx
	mov gs:[\where + 32], rsp
	mov gs:[\where + 40], rbp
	mov gs:[\where + 48], rsi
	mov gs:[\where + 56], rdi
	mov gs:[\where + 64], r8
	mov gs:[\where + 72], r9
	mov gs:[\where + 80], r10
	mov gs:[\where + 88], r11
	mov gs:[\where + 96], r12
	mov gs:[\where + 104], r13
	mov gs:[\where + 112], r14
	mov gs:[\where + 120], r15
.endm

.macro LOAD_ALL where
	mov rax, gs:[\where + 0]
	mov rcx, gs:[\where + 8]
	mov rdx, gs:[\where + 16]
	mov rbx, gs:[\where + 24]
	mov rbp, gs:[\where + 40]
	mov rsi, gs:[\where + 48]
	mov rdi, gs:[\where + 56]
	mov r8, gs:[\where + 64]
	mov r9, gs:[\where + 72]
	mov r10, gs:[\where + 80]
	mov r11, gs:[\where + 88]
	mov r12, gs:[\where + 96]
	mov r13, gs:[\where + 104]
	mov r14, gs:[\where + 112]
	mov r15, gs:[\where + 120]
	mov rsp, gs:[\where + 32]
.endm

/* void bt_enter(void *code): GS base already points at the vCPU. */
	.globl bt_enter
	.type bt_enter, @function
bt_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	sub rsp, 8		/* keep the host stack 16-byte aligned */
	mov gs:[CPU_HOST_RSP], rsp
	mov gs:[CPU_RESUME], rdi
	push qword ptr gs:[CPU_ENTRY_FL]
	popfq
	LOAD_ALL CPU_GPR
	jmp qword ptr gs:[CPU_RESUME]
	.size bt_enter, .-bt_enter

/*
 * The guest's FPU state is loaded lazily: a block with x87/MMX/SSE code loads
 * it on first use (CPU_FPU_LIVE = 1, see translate.c). Leaving, it goes back
 * to the vCPU record and host C code gets a clean FPU (the guest may have
 * left odd rounding or precision settings). Clobbers the flags.
 */
.macro FPU_OUT
	cmp qword ptr gs:[CPU_FPU_LIVE], 0
	je 1f
	fxsave64 gs:[CPU_FX]
	fninit
	ldmxcsr gs:[CPU_HOST_MXCSR]
1:
.endm

/* After a slow-path call: the guest's FPU back where it was live. */
.macro FPU_BACK
	cmp qword ptr gs:[CPU_FPU_LIVE], 0
	je 1f
	fxrstor64 gs:[CPU_FX]
1:
.endm

/* Leave translated code; the exit stub already stored the guest rip. */
	.globl bt_exit
bt_exit:
	SAVE_ALL CPU_GPR
	mov rsp, gs:[CPU_HOST_RSP]
	pushfq
	pop rax
	mov gs:[CPU_EXIT_FL], rax
	FPU_OUT
	/* fall through */
	.globl bt_exit_nosave
bt_exit_nosave:
	mov rsp, gs:[CPU_HOST_RSP]
	mov qword ptr gs:[CPU_FPU_LIVE], 0
	cld
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

/*
 * Call C from translated code, with every guest register saved at REGS and
 * the host flags at FL_SAVE; FUNC(vcpu, ARG) returns 0 to leave through
 * bt_exit_nosave, else the guest registers come back from REGS and the
 * flags from FL_LOAD.
 */
.macro CALL_C regs, fl_save, arg, func, fl_load
	SAVE_ALL \regs
	mov rsp, gs:[CPU_HOST_RSP]
	pushfq
	pop rax
	mov gs:[\fl_save], rax
	cld
	FPU_OUT
	mov rdi, gs:[CPU_SELF]
	mov rsi, gs:[\arg]
	call \func
	test eax, eax
	jz bt_exit_nosave
	FPU_BACK
	push qword ptr gs:[\fl_load]
	popfq
	LOAD_ALL \regs
.endm

/*
 * TLB miss: rax = memory-access descriptor, the access's scratch register
 * holds the guest-virtual address, guest flags are parked in CPU_SAVE_FL
 * (DF still live). bt_mem_slow() returns 1 to resume at CPU_RESUME with the
 * registers from RAW, or 0 when it delivered an exception or must leave.
 */
	.globl bt_slow_mem
bt_slow_mem:
	CALL_C CPU_RAW, CPU_HOST_FL, CPU_RAW, bt_mem_slow, CPU_HOST_FL
	jmp qword ptr gs:[CPU_RESUME]

/*
 * After an instruction wrote to the bounce buffer (page-crossing or MMIO
 * store): rax = descriptor, guest rax parked in CPU_SAVE_RAX, all flags live.
 */
	.globl bt_slow_wb
bt_slow_wb:
	CALL_C CPU_RAW, CPU_HOST_FL, CPU_RAW, bt_mem_writeback, CPU_HOST_FL
	mov rax, gs:[CPU_SAVE_RAX]
	jmp qword ptr gs:[CPU_RESUME]

/*
 * An instruction for the C interpreter inside a translated block: rax =
 * its struct bt_decoded, guest rax parked in CPU_SAVE_RAX, all flags live.
 * bt_helper_call() returns 1 to go on at CPU_RESUME (the instruction after)
 * with the state in CPU_GPR and CPU_ENTRY_FL, 0 to leave for the dispatcher.
 */
	.globl bt_helper
bt_helper:
	mov gs:[CPU_TMP], rax
	mov rax, gs:[CPU_SAVE_RAX]
	CALL_C CPU_GPR, CPU_EXIT_FL, CPU_TMP, bt_helper_call, CPU_ENTRY_FL
	jmp qword ptr gs:[CPU_RESUME]

	.section .note.GNU-stack,"",@progbits
