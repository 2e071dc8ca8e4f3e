/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* generated from vmi-spec/calls.toml by vmi-spec/gen.py; do not edit */
#ifndef VMI_ABI_H
#define VMI_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define VMI_ABI_MAJOR 1
#define VMI_ABI_MINOR 0
#define VMI_MAGIC "VMI-X64"
#define VMI_SLOT_SIZE 64
#define VMI_HEADER_OFFSET 0x40
#define VMI_HEADER_SIZE 64
#define VMI_ANNOT_SIZE 8
#define VMI_PCI_VENDOR 0x5649
#define VMI_PCI_DEVICE 0x0001
#define VMI_HYPERCALL_PORT 0x5649
#define VMI_MAX_BATCH 256
#define VMI_MAX_STACK 64
#define VMI_NUM_CALLS 66

/* Where the guest looks for the ROM, and how it is aligned. */
#define VMI_SCAN_START 0xc0000
#define VMI_SCAN_END 0xe0000
#define VMI_SCAN_STEP 0x800

/* Results: 0 or a negative error; values match Linux errno. */
#define VMI_OK (0) /* success */
#define VMI_EPERM (-1) /* a hypercall made at CPL > 0; the hypervisor did nothing */
#define VMI_EIO (-5) /* the operation faulted (#GP) as the native instruction would: unknown MSR, bad selector */
#define VMI_EFAULT (-14) /* a pointer argument does not translate to guest RAM, or is misaligned */
#define VMI_EINVAL (-22) /* an argument is out of range or sets reserved bits */
#define VMI_ENOSYS (-38) /* the call number is unknown to the hypervisor */

/* rom_header.features */
#define VMI_FEAT_NATIVE (1ull << 0) /* this ROM runs native instructions: no hypervisor stands behind it */
#define VMI_FEAT_TIMER (1ull << 1) /* the timer calls (sched_clock, timer_*) are provided */
#define VMI_FEAT_STEAL (1ull << 2) /* steal_clock and timer_read(STOLEN) report time the vCPU lost to the host */
#define VMI_FEAT_MMU_BATCH (1ull << 3) /* mmu_batch_flush applies queued page-table updates */
#define VMI_FEAT_PV_LOCKS (1ull << 4) /* spin_wait blocks the vCPU until spin_kick, instead of spinning */
#define VMI_FEAT_KNOWN (VMI_FEAT_NATIVE | VMI_FEAT_TIMER | VMI_FEAT_STEAL | VMI_FEAT_MMU_BATCH | VMI_FEAT_PV_LOCKS)

/* annotation.reloc: how a guest may bind a call site to the slot */
#define VMI_RELOC_NONE 0
#define VMI_RELOC_CALL 1
#define VMI_RELOC_JUMP 2
#define VMI_RELOC_NOP 3

/* annotation.fault_off when the slot has no faulting instruction */
#define VMI_NO_FAULT 0xff

/* return kinds and clobber classes used by VMI_CALLS */
#define VMI_RET_VOID 0
#define VMI_RET_U64 1
#define VMI_RET_S64 2
#define VMI_RET_PAIR 3
#define VMI_CLOBBERS_STD 0
#define VMI_CLOBBERS_RAX 1

/* timer_read counters */
#define VMI_COUNTER_REAL 0
#define VMI_COUNTER_AVAILABLE 1
#define VMI_COUNTER_STOLEN 2

/* mmu_batch_flush entry operations (bits 2:0 of entry) */
#define VMI_BATCH_OP_STORE 0
#define VMI_BATCH_OP_MASK 7ull

#define VMI_CALL_ROM_INFO 0
#define VMI_CALL_CPUID 1
#define VMI_CALL_READ_CR0 2
#define VMI_CALL_WRITE_CR0 3
#define VMI_CALL_READ_CR2 4
#define VMI_CALL_WRITE_CR2 5
#define VMI_CALL_READ_CR3 6
#define VMI_CALL_WRITE_CR3 7
#define VMI_CALL_READ_CR4 8
#define VMI_CALL_WRITE_CR4 9
#define VMI_CALL_READ_CR8 10
#define VMI_CALL_WRITE_CR8 11
#define VMI_CALL_READ_MSR 12
#define VMI_CALL_WRITE_MSR 13
#define VMI_CALL_READ_PMC 14
#define VMI_CALL_LOAD_GDT 15
#define VMI_CALL_LOAD_IDT 16
#define VMI_CALL_STORE_TR 17
#define VMI_CALL_LOAD_TR 18
#define VMI_CALL_LOAD_LDT 19
#define VMI_CALL_WRITE_GDT_ENTRY 20
#define VMI_CALL_WRITE_LDT_ENTRY 21
#define VMI_CALL_WRITE_IDT_ENTRY 22
#define VMI_CALL_LOAD_GS_INDEX 23
#define VMI_CALL_LOAD_SP0 24
#define VMI_CALL_WBINVD 25
#define VMI_CALL_IO_DELAY 26
#define VMI_CALL_IO_IN8 27
#define VMI_CALL_IO_IN16 28
#define VMI_CALL_IO_IN32 29
#define VMI_CALL_IO_OUT8 30
#define VMI_CALL_IO_OUT16 31
#define VMI_CALL_IO_OUT32 32
#define VMI_CALL_SAVE_FL 33
#define VMI_CALL_IRQ_DISABLE 34
#define VMI_CALL_IRQ_ENABLE 35
#define VMI_CALL_SAFE_HALT 36
#define VMI_CALL_HALT 37
#define VMI_CALL_SET_PTE 38
#define VMI_CALL_SET_PMD 39
#define VMI_CALL_SET_PUD 40
#define VMI_CALL_SET_P4D 41
#define VMI_CALL_SET_PGD 42
#define VMI_CALL_PTEP_MODIFY_PROT_START 43
#define VMI_CALL_PTEP_MODIFY_PROT_COMMIT 44
#define VMI_CALL_ALLOC_PT 45
#define VMI_CALL_RELEASE_PT 46
#define VMI_CALL_FLUSH_TLB_USER 47
#define VMI_CALL_FLUSH_TLB_KERNEL 48
#define VMI_CALL_FLUSH_TLB_ONE 49
#define VMI_CALL_FLUSH_TLB_MULTI 50
#define VMI_CALL_ACTIVATE_MM 51
#define VMI_CALL_EXIT_MMAP 52
#define VMI_CALL_LAZY_MMU_ENTER 53
#define VMI_CALL_LAZY_MMU_LEAVE 54
#define VMI_CALL_LAZY_MMU_FLUSH 55
#define VMI_CALL_MMU_BATCH_FLUSH 56
#define VMI_CALL_SCHED_CLOCK 57
#define VMI_CALL_STEAL_CLOCK 58
#define VMI_CALL_TIMER_FREQUENCY 59
#define VMI_CALL_TIMER_READ 60
#define VMI_CALL_TIMER_SET_ALARM 61
#define VMI_CALL_TIMER_CANCEL_ALARM 62
#define VMI_CALL_VCPU_IS_PREEMPTED 63
#define VMI_CALL_SPIN_WAIT 64
#define VMI_CALL_SPIN_KICK 65

/* X(num, name, nargs, ret, clobbers): one row per call, in number order. */
#define VMI_CALLS(X) \
	X(0, rom_info, 0, VMI_RET_PAIR, VMI_CLOBBERS_STD) \
	X(1, cpuid, 2, VMI_RET_PAIR, VMI_CLOBBERS_STD) \
	X(2, read_cr0, 0, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(3, write_cr0, 1, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(4, read_cr2, 0, VMI_RET_U64, VMI_CLOBBERS_RAX) \
	X(5, write_cr2, 1, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(6, read_cr3, 0, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(7, write_cr3, 1, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(8, read_cr4, 0, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(9, write_cr4, 1, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(10, read_cr8, 0, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(11, write_cr8, 1, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(12, read_msr, 1, VMI_RET_PAIR, VMI_CLOBBERS_STD) \
	X(13, write_msr, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(14, read_pmc, 1, VMI_RET_PAIR, VMI_CLOBBERS_STD) \
	X(15, load_gdt, 1, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(16, load_idt, 1, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(17, store_tr, 0, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(18, load_tr, 1, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(19, load_ldt, 1, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(20, write_gdt_entry, 5, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(21, write_ldt_entry, 3, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(22, write_idt_entry, 4, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(23, load_gs_index, 1, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(24, load_sp0, 2, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(25, wbinvd, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(26, io_delay, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(27, io_in8, 1, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(28, io_in16, 1, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(29, io_in32, 1, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(30, io_out8, 2, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(31, io_out16, 2, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(32, io_out32, 2, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(33, save_fl, 0, VMI_RET_U64, VMI_CLOBBERS_RAX) \
	X(34, irq_disable, 0, VMI_RET_VOID, VMI_CLOBBERS_RAX) \
	X(35, irq_enable, 0, VMI_RET_VOID, VMI_CLOBBERS_RAX) \
	X(36, safe_halt, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(37, halt, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(38, set_pte, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(39, set_pmd, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(40, set_pud, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(41, set_p4d, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(42, set_pgd, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(43, ptep_modify_prot_start, 1, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(44, ptep_modify_prot_commit, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(45, alloc_pt, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(46, release_pt, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(47, flush_tlb_user, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(48, flush_tlb_kernel, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(49, flush_tlb_one, 1, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(50, flush_tlb_multi, 4, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(51, activate_mm, 1, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(52, exit_mmap, 1, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(53, lazy_mmu_enter, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(54, lazy_mmu_leave, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(55, lazy_mmu_flush, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(56, mmu_batch_flush, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(57, sched_clock, 0, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(58, steal_clock, 1, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(59, timer_frequency, 0, VMI_RET_U64, VMI_CLOBBERS_STD) \
	X(60, timer_read, 1, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(61, timer_set_alarm, 2, VMI_RET_S64, VMI_CLOBBERS_STD) \
	X(62, timer_cancel_alarm, 0, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(63, vcpu_is_preempted, 1, VMI_RET_U64, VMI_CLOBBERS_RAX) \
	X(64, spin_wait, 2, VMI_RET_VOID, VMI_CLOBBERS_STD) \
	X(65, spin_kick, 1, VMI_RET_VOID, VMI_CLOBBERS_STD) \

/* The option-ROM header at offset 0 (PCI firmware spec). */
struct vmi_option_rom {
	uint8_t signature[2];	/* 0x55 0xaa */
	uint8_t blocks;		/* length in 512-byte blocks */
	uint8_t init[21];	/* init entry: far return at offset 3 */
	uint16_t pcir_offset;	/* offset of struct vmi_pcir */
	uint16_t pnp_offset;	/* 0: no PnP header */
} __attribute__((packed));

struct vmi_pcir {
	uint8_t signature[4];	/* "PCIR" */
	uint16_t vendor;
	uint16_t device;
	uint16_t vpd;
	uint16_t length;	/* 24 */
	uint8_t revision;
	uint8_t class_code[3];
	uint16_t image_blocks;
	uint16_t code_revision;
	uint8_t code_type;	/* 0: x86 */
	uint8_t indicator;	/* 0x80: last image */
	uint16_t reserved;
} __attribute__((packed));

/* The VMI header at VMI_HEADER_OFFSET. Offsets are from the ROM's first byte. */
struct vmi_rom_header {
	char magic[8];		/* VMI_MAGIC, NUL-padded */
	uint16_t abi_major;
	uint16_t abi_minor;
	uint16_t header_size;	/* VMI_HEADER_SIZE */
	uint16_t slot_size;	/* VMI_SLOT_SIZE */
	uint32_t num_calls;	/* slots in the table; may differ from VMI_NUM_CALLS */
	uint32_t slot_offset;	/* slot table, VMI_SLOT_SIZE-aligned */
	uint32_t annot_offset;	/* num_calls struct vmi_annotation, 8-aligned */
	uint16_t annot_size;	/* VMI_ANNOT_SIZE */
	uint16_t reserved0;	/* 0 */
	uint64_t features;	/* VMI_FEAT_* */
	uint32_t vendor_offset;	/* NUL-terminated printable ASCII, 1-63 chars */
	uint32_t license_offset;	/* NUL-terminated printable ASCII, 1-127 chars */
	uint8_t reserved1[16];	/* 0 */
} __attribute__((packed));

struct vmi_annotation {
	uint8_t reloc;		/* VMI_RELOC_* */
	uint8_t inline_len;	/* bytes at the slot's start a guest may copy to a call site */
	uint8_t fault_off;	/* slot offset of the one instruction that may #GP, or VMI_NO_FAULT */
	uint8_t fixup_off;	/* where to resume after that #GP; 0 when fault_off is VMI_NO_FAULT */
	uint8_t reserved[4];	/* 0 */
} __attribute__((packed));

struct vmi_mmu_update {
	uint64_t entry;		/* address of the page-table entry | VMI_BATCH_OP_* */
	uint64_t value;
} __attribute__((packed));

_Static_assert(sizeof(struct vmi_option_rom) == 0x1c, "option ROM header");
_Static_assert(sizeof(struct vmi_pcir) == 24, "PCIR");
_Static_assert(sizeof(struct vmi_rom_header) == VMI_HEADER_SIZE, "VMI header");
_Static_assert(sizeof(struct vmi_annotation) == VMI_ANNOT_SIZE, "annotation");

#endif /* VMI_ABI_H */
