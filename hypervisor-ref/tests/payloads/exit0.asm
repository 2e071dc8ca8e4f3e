; Bench payload: a multiboot ELF32 kernel whose first instruction leaves
; through the debug-exit port, so "start to first exit" is start-up time.
	bits 32
	section .text
	global _start
	align 4
	dd 0x1badb002, 0, -0x1badb002
_start:
	out 0xf4, eax		; eax = 0x2badb002: exit status 2 on vmi-run, 5 on QEMU
	hlt
