; End-to-end payload: a multiboot ELF32 kernel, like the probe and the
; conformance kernels. It prints on COM1, checks the multiboot handoff,
; switches to long mode itself, finds the VMI ROM at 0xc0000, makes
; hypercalls through its slots (and one raw, unknown call), prints a TAP
; line per check and leaves through the debug-exit port: 42 when every check
; passed, 99 otherwise.
%include "longmode.inc"

	bits 32
	section .text
	global _start
	align 4
mb_header:
	dd 0x1badb002, 0x3, -(0x1badb002 + 0x3)

COM1	equ 0x3f8
ROM	equ 0xc0000

_start:
	mov esp, stack_top
	mov ebp, eax
	mov esi, msg_hello
	call puts32
	cmp ebp, 0x2badb002
	jne .bad_magic
	cmp dword [ebx + 8], (64 << 10) - 1024	; mem_upper: (64M - 1M) / 1K
	jne .bad_magic
	ENTER_LONG_MODE long_mode
.bad_magic:
	mov esi, msg_magic
	call puts32
	mov dx, 0xf4
	mov eax, 98
	out dx, eax
	hlt

puts32:
	mov dx, COM1
.l:	lodsb
	test al, al
	jz .d
	out dx, al
	jmp .l
.d:	ret

	bits 64
long_mode:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, stack_top
	xor r15, r15			; failures
	xor r14, r14			; test number
	mov rsi, msg_long
	call puts

	; 1: the ROM is there: signature and VMI magic
	cmp word [ROM], 0xaa55
	jne .norom
	mov rax, 'VMI-X64'
	cmp [ROM + 0x40], rax
.norom:	sete al
	mov rsi, t_rom
	push rax
	call report
	pop rax
	test al, al
	jz finish			; nothing to call without a ROM
	mov eax, [ROM + 0x54]		; slot_offset
	add rax, ROM
	mov [slots], rax

%macro vmi 1
	mov rax, [slots]
	add rax, %1 * 64
	call rax
%endmacro

	vmi 0				; rom_info
	shr rax, 48
	cmp rax, 1
	sete al
	mov rsi, t_rom_info
	call report

	mov edi, 0x40000000		; cpuid: the hypervisor leaf
	xor esi, esi
	vmi 1
	shr rax, 32
	cmp eax, 'VMI-'
	sete al
	mov rsi, t_cpuid
	call report

	vmi 59				; timer_frequency
	cmp rax, 1000000000
	sete al
	mov rsi, t_freq
	call report

	vmi 6				; read_cr3
	cmp rax, pml4
	sete al
	mov rsi, t_cr3
	call report

	mov rdi, pml4			; write_cr3, same value: a flush
	vmi 7
	test rax, rax
	sete al
	mov rsi, t_wcr3
	call report

	mov rdi, 16			; write_cr8 out of range
	vmi 11
	cmp rax, -22
	sete al
	mov rsi, t_cr8
	call report

	mov rdi, scratch		; set_pte on a scratch entry
	mov rsi, 0x1063
	vmi 38
	test rax, rax
	jnz .pte
	cmp qword [scratch], 0x1063
.pte:	sete al
	mov rsi, t_pte
	call report

	mov rdi, 1 << 40		; set_pte outside guest RAM: EFAULT
	mov rsi, 1
	vmi 38
	cmp rax, -14
	sete al
	mov rsi, t_efault
	call report

	vmi 57				; sched_clock runs forwards
	mov rbx, rax
	vmi 57
	cmp rax, rbx
	seta al
	mov rsi, t_clock
	call report

	mov eax, 1000			; a raw unknown call: ENOSYS, registers kept
	mov rbx, 0x1122334455667788
	mov dx, 0x5649
	out dx, eax
	cmp rax, -38
	jne .raw
	mov rcx, 0x1122334455667788
	cmp rbx, rcx
.raw:	sete al
	mov rsi, t_enosys
	call report

	mov edi, COM1			; io_out8 through the ROM
	mov esi, '#'
	vmi 30
	mov edi, COM1
	mov esi, 10
	vmi 30

finish:
	mov rsi, msg_plan
	call puts
	mov eax, 42
	test r15, r15
	jz .exit
	mov eax, 99
.exit:	mov dx, 0xf4
	out dx, eax
	cli
	hlt

; al = 1 pass, 0 fail; rsi = name
report:
	push rsi
	inc r14
	test al, al
	jnz .ok
	inc r15
	mov rsi, s_not
	call puts
.ok:	mov rsi, s_ok
	call puts
	mov rax, r14
	call putdec
	mov rsi, s_dash
	call puts
	pop rsi
	call puts
	mov rsi, s_nl
	jmp puts

putdec:					; rax < 100
	mov rcx, 10
	xor rdx, rdx
	div rcx
	test rax, rax
	jz .one
	push rdx
	add al, '0'
	mov dx, COM1
	out dx, al
	pop rdx
.one:	mov al, dl
	add al, '0'
	mov dx, COM1
	out dx, al
	ret

puts:
	mov dx, COM1
.l:	lodsb
	test al, al
	jz .d
	out dx, al
	jmp .l
.d:	ret

	LONG_MODE_TABLES

	section .data
msg_hello: db "mb32: hello from a multiboot kernel", 10, 0
msg_magic: db "mb32: bad multiboot handoff", 10, 0
msg_long: db "mb32: in long mode", 10, 0
msg_plan: db "1..11", 10, 0
s_not:	db "not ", 0
s_ok:	db "ok ", 0
s_dash:	db " - ", 0
s_nl:	db 10, 0
t_rom:	db "ROM found at 0xc0000", 0
t_rom_info: db "rom_info: ABI major 1", 0
t_cpuid: db "cpuid: VMI-X64 hypervisor leaf", 0
t_freq:	db "timer_frequency: 1 GHz", 0
t_cr3:	db "read_cr3", 0
t_wcr3:	db "write_cr3: same value", 0
t_cr8:	db "write_cr8: 16 gives EINVAL", 0
t_pte:	db "set_pte", 0
t_efault: db "set_pte: outside RAM gives EFAULT", 0
t_clock: db "sched_clock: monotonic", 0
t_enosys: db "unknown call 1000: ENOSYS, rbx kept", 0

	section .bss
slots:	resq 1
scratch: resq 1
	resb 4096
stack_top:
