; The compute loop bt's benchmark runs on vmi-run --backend bt and on QEMU
; TCG: a multiboot ELF32 kernel that enters long mode, then runs N
; iterations of an 8-instruction loop (two memory accesses, ALU, a
; branch) over a 32 KiB array and leaves through the debug-exit port 0xf4
; with 0x21. N comes from the command line ("n=DIGITS").
%include "longmode.inc"

	bits 32
	section .text
	global _start
	align 4
mb_header:
	dd 0x1badb002, 0x3, -(0x1badb002 + 0x3)

_start:
	mov esp, stack_top
	mov esi, [ebx + 16]		; multiboot cmdline (flags bit 2)
	test dword [ebx], 4
	jnz .have
	xor esi, esi
.have:	mov [cmdline], esi
	ENTER_LONG_MODE long_mode

	bits 64
long_mode:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	; parse n=DIGITS
	xor ecx, ecx
	mov esi, [cmdline]
	test esi, esi
	jz .run
.find:	mov al, [rsi]
	test al, al
	jz .run
	inc rsi
	cmp al, '='
	jne .find
.digit:	movzx eax, byte [rsi]
	sub eax, '0'
	cmp eax, 9
	ja .run
	imul rcx, rcx, 10
	add rcx, rax
	inc rsi
	jmp .digit
.run:	test rcx, rcx
	jz .done
	mov rsi, array
	xor edx, edx
	xor ebx, ebx
.loop:	mov rax, [rsi + rdx * 8]
	add rbx, rax
	xor rax, rbx
	mov [rsi + rdx * 8], rax
	inc rdx
	and rdx, 4095
	dec rcx
	jnz .loop
.done:	mov dx, 0xf4
	mov eax, 0x21
	out dx, eax
	hlt
	jmp .done

	LONG_MODE_TABLES

	section .bss
array:	resb 32768
cmdline: resd 1
	resb 4096
stack_top:
