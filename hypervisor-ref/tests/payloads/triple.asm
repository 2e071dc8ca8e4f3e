; End-to-end payload: an ELF64 kernel (vmi-run enters it in long mode) that
; prints a line, loads an empty IDT and executes UD2: #UD cannot be
; delivered, nor #DF, so the CPU shuts down. vmi-run must report the vCPU
; state and exit with status 3, and survive.
	bits 64
	section .text
	global _start
_start:
	mov rsi, msg
	mov dx, 0x3f8
.l:	lodsb
	test al, al
	jz .d
	out dx, al
	jmp .l
.d:	lidt [idt_ptr]
	mov rax, 0x1badc0de
	ud2

	section .data
idt_ptr: dw 0
	dq 0
msg:	db "triple: about to triple-fault", 10, 0
