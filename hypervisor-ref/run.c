/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one exit loop: whatever backend runs the vCPU, its exits come here as
 * an exit_record (backend.h) and go to the devices, the dispatcher or the
 * fault report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "vm.h"
#include "iothread.h"

static const char *const exit_names[EXIT_REASONS] = {
	[EXIT_IO] = "io", [EXIT_MMIO] = "mmio", [EXIT_HLT] = "hlt",
	[EXIT_SHUTDOWN] = "shutdown", [EXIT_FAULT] = "fault", [EXIT_INTR] = "intr",
};

const char *run__exit_name(enum exit_reason r)
{
	return (unsigned)r < EXIT_REASONS && exit_names[r] ? exit_names[r] : "?";
}

static void hypercall(struct vm *vm)
{
	struct vcpu_regs r;
	struct vcpu_sregs s;
	unsigned cpl;

	if (vm->ops->get_regs(vm->be, &r) < 0 || vm->ops->get_sregs(vm->be, &s) < 0) {
		vm__request_stop(vm, VM_STOP_HOST, VM_EXIT_HOST);
		return;
	}
	/* SS.DPL is the CPL (SDM 5.5); real mode runs at 0. */
	cpl = (s.cr0 & 1) ? s.ss.dpl : 0;
	dispatch__hypercall(vm, &r, cpl);
	if (vm->ops->set_regs(vm->be, &r) < 0)
		vm__request_stop(vm, VM_STOP_HOST, VM_EXIT_HOST);
}

static void port_io(struct vm *vm, struct exit_record *e)
{
	uint8_t *p = e->io.data;

	if (e->io.port == VMI_HYPERCALL_PORT && e->io.size == 4 && e->io.write &&
	    e->io.count == 1) {
		vm->stats.hypercall_exits++;
		hypercall(vm);
		return;
	}
	for (uint32_t i = 0; i < e->io.count; i++, p += e->io.size) {
		uint32_t v = 0;
		if (e->io.write)
			memcpy(&v, p, e->io.size);
		vm__io(vm, e->io.port, e->io.size, e->io.write, &v);
		if (!e->io.write)
			memcpy(p, &v, e->io.size);
	}
}

static void mmio(struct vm *vm, struct exit_record *e)
{
	uint64_t v = 0;

	if (e->mmio.size > 8)
		return;
	if (e->mmio.write)
		memcpy(&v, e->mmio.data, e->mmio.size);
	vm__mmio(vm, e->mmio.gpa, e->mmio.size, e->mmio.write, &v);
	if (!e->mmio.write)
		memcpy(e->mmio.data, &v, e->mmio.size);
}

static void one_exit(struct vm *vm, struct exit_record *e)
{
	switch (e->reason) {
	case EXIT_IO:
		port_io(vm, e);
		break;
	case EXIT_MMIO:
		mmio(vm, e);
		break;
	case EXIT_HLT:
		if (iothread__wait(vm) < 0) {
			fprintf(stderr, "vmi-run: guest halted with nothing left to wake it\n");
			vm__request_stop(vm, VM_STOP_POWEROFF, VM_EXIT_OK);
		}
		break;
	case EXIT_SHUTDOWN:
		vm__dump_state(vm, e->fault.msg[0] ? e->fault.msg : "triple fault");
		vm__request_stop(vm, VM_STOP_FAULT, VM_EXIT_GUEST_FAULT);
		break;
	case EXIT_FAULT:
		vm__dump_state(vm, e->fault.msg);
		vm__request_stop(vm, VM_STOP_FAULT, VM_EXIT_GUEST_FAULT);
		break;
	case EXIT_INTR:
		if (vm->ops->halted_for_good && vm->ops->halted_for_good(vm->be)) {
			fprintf(stderr, "vmi-run: guest halted with interrupts off: nothing can wake it\n");
			vm__request_stop(vm, VM_STOP_POWEROFF, VM_EXIT_OK);
		}
		break;
	default:
		break;
	}
}

/* The start-up figures: the guest's first exit stands for its first
 * instruction (the bench payload's first instruction is an OUT). */
static void note_first_exit(struct vm *vm)
{
	struct rusage ru;

	vm->stats.first_exit_ns = vm__now_ns();
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		vm->stats.first_exit_cpu_us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
					      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* Resident memory of vmi-run beyond guest RAM: the process's Rss less the
 * Rss of the guest RAM mapping, both from /proc/self/smaps. */
static void print_memory(struct vm *vm)
{
	uint64_t total = 0, guest = 0, kib, lo, hi;
	bool in_guest = false;
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		/* A mapping's header starts with its (lower-case hex) address;
		 * its fields ("Rss:") with a capital. */
		if (((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi) == 2) {
			in_guest = lo == (uintptr_t)vm->ram;
			continue;
		}
		if (sscanf(line, "Rss: %" SCNu64, &kib) == 1) {
			total += kib;
			if (in_guest)
				guest += kib;
		}
	}
	if (f)
		fclose(f);
	fprintf(stderr, "vmi-run: stats: start to first guest exit %.2f ms wall, %.2f ms CPU; "
		"resident %" PRIu64 " KiB beyond guest RAM (%" PRIu64 " KiB of guest RAM resident)\n",
		(double)(vm->stats.first_exit_ns - vm->stats.t0_ns) / 1e6,
		(double)vm->stats.first_exit_cpu_us / 1e3, total - guest, guest);
}

static void print_stats(struct vm *vm)
{
	fprintf(stderr, "vmi-run: stats: backend %s; exits:", vm->ops->name);
	for (unsigned i = 0; i < EXIT_REASONS; i++)
		if (vm->stats.exits[i])
			fprintf(stderr, " %s=%" PRIu64, run__exit_name(i), vm->stats.exits[i]);
	if (vm->stats.hypercall_exits)
		fprintf(stderr, " (hypercalls among io: %" PRIu64 ")", vm->stats.hypercall_exits);
	fprintf(stderr, "\n");
	dispatch__print_stats(vm);
	if (vm->stats.t0_ns && vm->stats.first_exit_ns)
		print_memory(vm);
}

int vm__run(struct vm *vm)
{
	struct exit_record *e = &vm->last_exit;

	while (vm->stop == VM_RUNNING) {
		memset(e, 0, sizeof(*e));
		if (vm->ops->run(vm->be, e) < 0 && e->reason != EXIT_FAULT) {
			e->reason = EXIT_FAULT;
			snprintf(e->fault.msg, sizeof(e->fault.msg), "backend run failed");
		}
		if (!vm->stats.first_exit_ns)
			note_first_exit(vm);
		if ((unsigned)e->reason < EXIT_REASONS)
			vm->stats.exits[e->reason]++;
		one_exit(vm, e);
		vm__poll(vm);
	}
	if (vm->stop == VM_STOP_SIGNAL)
		vm__dump_state(vm, "interrupted by a signal");
	if (vm->stats_on)
		print_stats(vm);
	return vm->exit_code;
}

static void dump_seg(const char *n, const struct vcpu_seg *s)
{
	fprintf(stderr, "  %-3s sel=%04x base=%016" PRIx64 " limit=%08x type=%x dpl=%u p=%u l=%u db=%u\n",
		n, s->selector, s->base, s->limit, s->type, s->dpl, s->present, s->l, s->db);
}

void vm__dump_state(struct vm *vm, const char *why)
{
	struct vcpu_regs r;
	struct vcpu_sregs s;

	fprintf(stderr, "vmi-run: guest stopped: %s (last exit: %s)\n", why,
		run__exit_name(vm->last_exit.reason));
	if (!vm->be || vm->ops->get_regs(vm->be, &r) < 0 || vm->ops->get_sregs(vm->be, &s) < 0) {
		fprintf(stderr, "  (vCPU state unavailable)\n");
		return;
	}
	fprintf(stderr,
		"  rip=%016" PRIx64 " rflags=%016" PRIx64 " rsp=%016" PRIx64 " rbp=%016" PRIx64 "\n"
		"  rax=%016" PRIx64 " rbx=%016" PRIx64 " rcx=%016" PRIx64 " rdx=%016" PRIx64 "\n"
		"  rsi=%016" PRIx64 " rdi=%016" PRIx64 " r8 =%016" PRIx64 " r9 =%016" PRIx64 "\n"
		"  r10=%016" PRIx64 " r11=%016" PRIx64 " r12=%016" PRIx64 " r13=%016" PRIx64 "\n"
		"  r14=%016" PRIx64 " r15=%016" PRIx64 "\n",
		r.rip, r.rflags, r.rsp, r.rbp, r.rax, r.rbx, r.rcx, r.rdx,
		r.rsi, r.rdi, r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15);
	fprintf(stderr,
		"  cr0=%016" PRIx64 " cr2=%016" PRIx64 " cr3=%016" PRIx64 " cr4=%016" PRIx64 "\n"
		"  cr8=%016" PRIx64 " efer=%016" PRIx64 "\n",
		s.cr0, s.cr2, s.cr3, s.cr4, s.cr8, s.efer);
	dump_seg("cs", &s.cs);
	dump_seg("ss", &s.ss);
	dump_seg("tr", &s.tr);
	fprintf(stderr, "  gdt=%016" PRIx64 "/%04x idt=%016" PRIx64 "/%04x\n",
		s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
}
