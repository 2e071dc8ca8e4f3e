; Bench payload: an ELF64 kernel (entered in long mode) that makes 20000
; timer_frequency hypercalls through the ROM's slot, then exits with 0x10.
	bits 64
	section .text
	global _start
_start:
	mov eax, [0xc0054]		; slot_offset
	lea rbx, [rax + 0xc0000 + 59 * 64]
	mov r12d, 20000
.l:	call rbx
	dec r12d
	jnz .l
	mov eax, 0x10
	out 0xf4, eax
	hlt
