/* generated from vmi-spec/calls.toml by vmi-spec/gen.py; do not edit */
#include "dispatch.h"

vmi_handler hc_rom_info;
vmi_handler hc_cpuid;
vmi_handler hc_read_cr0;
vmi_handler hc_write_cr0;
vmi_handler hc_read_cr2;
vmi_handler hc_write_cr2;
vmi_handler hc_read_cr3;
vmi_handler hc_write_cr3;
vmi_handler hc_read_cr4;
vmi_handler hc_write_cr4;
vmi_handler hc_read_cr8;
vmi_handler hc_write_cr8;
vmi_handler hc_read_msr;
vmi_handler hc_write_msr;
vmi_handler hc_read_pmc;
vmi_handler hc_load_gdt;
vmi_handler hc_load_idt;
vmi_handler hc_store_tr;
vmi_handler hc_load_tr;
vmi_handler hc_load_ldt;
vmi_handler hc_write_gdt_entry;
vmi_handler hc_write_ldt_entry;
vmi_handler hc_write_idt_entry;
vmi_handler hc_load_gs_index;
vmi_handler hc_load_sp0;
vmi_handler hc_wbinvd;
vmi_handler hc_io_delay;
vmi_handler hc_io_in8;
vmi_handler hc_io_in16;
vmi_handler hc_io_in32;
vmi_handler hc_io_out8;
vmi_handler hc_io_out16;
vmi_handler hc_io_out32;
vmi_handler hc_save_fl;
vmi_handler hc_irq_disable;
vmi_handler hc_irq_enable;
vmi_handler hc_safe_halt;
vmi_handler hc_halt;
vmi_handler hc_set_pte;
vmi_handler hc_set_pmd;
vmi_handler hc_set_pud;
vmi_handler hc_set_p4d;
vmi_handler hc_set_pgd;
vmi_handler hc_ptep_modify_prot_start;
vmi_handler hc_ptep_modify_prot_commit;
vmi_handler hc_alloc_pt;
vmi_handler hc_release_pt;
vmi_handler hc_flush_tlb_user;
vmi_handler hc_flush_tlb_kernel;
vmi_handler hc_flush_tlb_one;
vmi_handler hc_flush_tlb_multi;
vmi_handler hc_activate_mm;
vmi_handler hc_exit_mmap;
vmi_handler hc_lazy_mmu_enter;
vmi_handler hc_lazy_mmu_leave;
vmi_handler hc_lazy_mmu_flush;
vmi_handler hc_mmu_batch_flush;
vmi_handler hc_sched_clock;
vmi_handler hc_steal_clock;
vmi_handler hc_timer_frequency;
vmi_handler hc_timer_read;
vmi_handler hc_timer_set_alarm;
vmi_handler hc_timer_cancel_alarm;
vmi_handler hc_vcpu_is_preempted;
vmi_handler hc_spin_wait;
vmi_handler hc_spin_kick;

const struct hc_entry dispatch__table[VMI_NUM_CALLS] = {
	[0] = { "rom_info", hc_rom_info, 0, VMI_RET_PAIR, {  } },
	[1] = { "cpuid", hc_cpuid, 2, VMI_RET_PAIR, { "leaf", "subleaf" } },
	[2] = { "read_cr0", hc_read_cr0, 0, VMI_RET_U64, {  } },
	[3] = { "write_cr0", hc_write_cr0, 1, VMI_RET_S64, { "value" } },
	[4] = { "read_cr2", hc_read_cr2, 0, VMI_RET_U64, {  } },
	[5] = { "write_cr2", hc_write_cr2, 1, VMI_RET_VOID, { "value" } },
	[6] = { "read_cr3", hc_read_cr3, 0, VMI_RET_U64, {  } },
	[7] = { "write_cr3", hc_write_cr3, 1, VMI_RET_S64, { "value" } },
	[8] = { "read_cr4", hc_read_cr4, 0, VMI_RET_U64, {  } },
	[9] = { "write_cr4", hc_write_cr4, 1, VMI_RET_S64, { "value" } },
	[10] = { "read_cr8", hc_read_cr8, 0, VMI_RET_U64, {  } },
	[11] = { "write_cr8", hc_write_cr8, 1, VMI_RET_S64, { "value" } },
	[12] = { "read_msr", hc_read_msr, 1, VMI_RET_PAIR, { "msr" } },
	[13] = { "write_msr", hc_write_msr, 2, VMI_RET_S64, { "msr", "value" } },
	[14] = { "read_pmc", hc_read_pmc, 1, VMI_RET_PAIR, { "counter" } },
	[15] = { "load_gdt", hc_load_gdt, 1, VMI_RET_VOID, { "desc" } },
	[16] = { "load_idt", hc_load_idt, 1, VMI_RET_VOID, { "desc" } },
	[17] = { "store_tr", hc_store_tr, 0, VMI_RET_U64, {  } },
	[18] = { "load_tr", hc_load_tr, 1, VMI_RET_S64, { "selector" } },
	[19] = { "load_ldt", hc_load_ldt, 1, VMI_RET_S64, { "selector" } },
	[20] = { "write_gdt_entry", hc_write_gdt_entry, 5, VMI_RET_S64, { "table", "index", "low", "high", "size" } },
	[21] = { "write_ldt_entry", hc_write_ldt_entry, 3, VMI_RET_S64, { "table", "index", "desc" } },
	[22] = { "write_idt_entry", hc_write_idt_entry, 4, VMI_RET_S64, { "table", "index", "low", "high" } },
	[23] = { "load_gs_index", hc_load_gs_index, 1, VMI_RET_S64, { "selector" } },
	[24] = { "load_sp0", hc_load_sp0, 2, VMI_RET_VOID, { "sp0_field", "sp0" } },
	[25] = { "wbinvd", hc_wbinvd, 0, VMI_RET_VOID, {  } },
	[26] = { "io_delay", hc_io_delay, 0, VMI_RET_VOID, {  } },
	[27] = { "io_in8", hc_io_in8, 1, VMI_RET_U64, { "port" } },
	[28] = { "io_in16", hc_io_in16, 1, VMI_RET_U64, { "port" } },
	[29] = { "io_in32", hc_io_in32, 1, VMI_RET_U64, { "port" } },
	[30] = { "io_out8", hc_io_out8, 2, VMI_RET_VOID, { "port", "value" } },
	[31] = { "io_out16", hc_io_out16, 2, VMI_RET_VOID, { "port", "value" } },
	[32] = { "io_out32", hc_io_out32, 2, VMI_RET_VOID, { "port", "value" } },
	[33] = { "save_fl", hc_save_fl, 0, VMI_RET_U64, {  } },
	[34] = { "irq_disable", hc_irq_disable, 0, VMI_RET_VOID, {  } },
	[35] = { "irq_enable", hc_irq_enable, 0, VMI_RET_VOID, {  } },
	[36] = { "safe_halt", hc_safe_halt, 0, VMI_RET_VOID, {  } },
	[37] = { "halt", hc_halt, 0, VMI_RET_VOID, {  } },
	[38] = { "set_pte", hc_set_pte, 2, VMI_RET_S64, { "entry", "value" } },
	[39] = { "set_pmd", hc_set_pmd, 2, VMI_RET_S64, { "entry", "value" } },
	[40] = { "set_pud", hc_set_pud, 2, VMI_RET_S64, { "entry", "value" } },
	[41] = { "set_p4d", hc_set_p4d, 2, VMI_RET_S64, { "entry", "value" } },
	[42] = { "set_pgd", hc_set_pgd, 2, VMI_RET_S64, { "entry", "value" } },
	[43] = { "ptep_modify_prot_start", hc_ptep_modify_prot_start, 1, VMI_RET_U64, { "entry" } },
	[44] = { "ptep_modify_prot_commit", hc_ptep_modify_prot_commit, 2, VMI_RET_S64, { "entry", "value" } },
	[45] = { "alloc_pt", hc_alloc_pt, 2, VMI_RET_S64, { "pfn", "level" } },
	[46] = { "release_pt", hc_release_pt, 2, VMI_RET_S64, { "pfn", "level" } },
	[47] = { "flush_tlb_user", hc_flush_tlb_user, 0, VMI_RET_VOID, {  } },
	[48] = { "flush_tlb_kernel", hc_flush_tlb_kernel, 0, VMI_RET_VOID, {  } },
	[49] = { "flush_tlb_one", hc_flush_tlb_one, 1, VMI_RET_VOID, { "addr" } },
	[50] = { "flush_tlb_multi", hc_flush_tlb_multi, 4, VMI_RET_S64, { "cpumask", "ncpus", "start", "end" } },
	[51] = { "activate_mm", hc_activate_mm, 1, VMI_RET_VOID, { "cr3" } },
	[52] = { "exit_mmap", hc_exit_mmap, 1, VMI_RET_VOID, { "cr3" } },
	[53] = { "lazy_mmu_enter", hc_lazy_mmu_enter, 0, VMI_RET_VOID, {  } },
	[54] = { "lazy_mmu_leave", hc_lazy_mmu_leave, 0, VMI_RET_VOID, {  } },
	[55] = { "lazy_mmu_flush", hc_lazy_mmu_flush, 0, VMI_RET_VOID, {  } },
	[56] = { "mmu_batch_flush", hc_mmu_batch_flush, 2, VMI_RET_S64, { "batch", "count" } },
	[57] = { "sched_clock", hc_sched_clock, 0, VMI_RET_U64, {  } },
	[58] = { "steal_clock", hc_steal_clock, 1, VMI_RET_U64, { "cpu" } },
	[59] = { "timer_frequency", hc_timer_frequency, 0, VMI_RET_U64, {  } },
	[60] = { "timer_read", hc_timer_read, 1, VMI_RET_S64, { "counter" } },
	[61] = { "timer_set_alarm", hc_timer_set_alarm, 2, VMI_RET_S64, { "deadline", "vector" } },
	[62] = { "timer_cancel_alarm", hc_timer_cancel_alarm, 0, VMI_RET_VOID, {  } },
	[63] = { "vcpu_is_preempted", hc_vcpu_is_preempted, 1, VMI_RET_U64, { "cpu" } },
	[64] = { "spin_wait", hc_spin_wait, 2, VMI_RET_VOID, { "byte", "value" } },
	[65] = { "spin_kick", hc_spin_kick, 1, VMI_RET_VOID, { "cpu" } },
};
