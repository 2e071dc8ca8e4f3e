; VMI-x64 option ROM: the native ROM and the reference hypercall ROM from one
; source.  nasm -f bin [-DVMI_HYPERCALL_ROM] -I vmi-rom/gen/ rom.asm
; The byte-sum checksum is set afterwards by `vmi-romtool seal`, which also
; checks that the last byte (reserved for it here) is free.
; Layout and rules: vmi-spec/spec.md section 2.

%include "slots.inc"

%ifdef VMI_HYPERCALL_ROM
%define ROM_FEATURES (VMI_FEAT_TIMER | VMI_FEAT_STEAL | VMI_FEAT_MMU_BATCH | VMI_FEAT_PV_LOCKS)
%define ROM_VENDOR 'VMI-x64 reference hypercall ROM'
%else
%define ROM_FEATURES (VMI_FEAT_NATIVE | VMI_FEAT_MMU_BATCH)
%define ROM_VENDOR 'VMI-x64 native ROM'
%endif

; The reference transport (spec section 5): argument 3 moves to r10 because
; dx carries the port; the hypervisor returns rax (and rdx).
%macro hypercall 1
	mov r10, rdx
	mov eax, %1
	mov edx, VMI_HYPERCALL_PORT
	out dx, eax
	ret
%endmacro

; For the calls that preserve all but rax (spec section 3).
%macro hypercall_rax_only 1
	push rdx
	push r10
	mov r10, rdx
	mov eax, %1
	mov edx, VMI_HYPERCALL_PORT
	out dx, eax
	pop r10
	pop rdx
	ret
%endmacro

%macro slot_begin 1
	align VMI_SLOT_SIZE, db 0xcc
%1:
%endmacro

%macro slot_end 1
%if ($ - %1) > VMI_SLOT_SIZE
%error slot %1 is longer than VMI_SLOT_SIZE
%endif
	times VMI_SLOT_SIZE - ($ - %1) db 0xcc
%endmacro

	bits 64
	org 0
rom_start:
	db 0x55, 0xaa
	db rom_blocks
	db 0xcb				; init entry: far return at once
	times 0x18 - ($ - rom_start) db 0
	dw pcir
	dw 0				; no PnP header
pcir:
	db 'PCIR'
	dw VMI_PCI_VENDOR, VMI_PCI_DEVICE
	dw 0				; VPD
	dw 24				; structure length
	db 0				; revision
	db 0xff, 0x00, 0x00		; class code: unclassified
	dw rom_blocks
	dw 1				; code revision
	db 0				; code type: x86
	db 0x80				; last image
	dw 0

	times VMI_HEADER_OFFSET - ($ - rom_start) db 0
vmi_header:
	db VMI_MAGIC, 0
	dw VMI_ABI_MAJOR, VMI_ABI_MINOR
	dw VMI_HEADER_SIZE, VMI_SLOT_SIZE
	dd VMI_NUM_CALLS
	dd slot_table
	dd annot_table
	dw VMI_ANNOT_SIZE, 0
	dq ROM_FEATURES
	dd vendor
	dd license
	times 16 db 0
%if ($ - vmi_header) != VMI_HEADER_SIZE
%error VMI header size
%endif

vendor:	db ROM_VENDOR, 0
license:
	db 'GPL-2.0 OR MIT', 0

	align 8, db 0
annot_table:
	VMI_ANNOTATIONS

	align VMI_SLOT_SIZE, db 0
slot_table:
	VMI_SLOTS

rom_end_code:
	; at least one byte for the checksum, then pad to whole blocks
	db 0
	align 512, db 0
rom_end:
rom_blocks equ (rom_end - rom_start) / 512
