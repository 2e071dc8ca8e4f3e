; End-to-end payload: an ELF64 kernel that prints a line and halts with
; interrupts off, as Linux's `poweroff` does without ACPI. Nothing can wake
; it, so vmi-run must notice and end with status 0 instead of hanging.
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
.d:	cli
	hlt
	jmp .d

	section .data
msg:	db "halt: halting with interrupts off", 10, 0
