/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The machine both backends run: guest RAM, the ROM, port-I/O and MMIO
 * dispatch to the user-space device models, ISA IRQ lines, host timers, the
 * hypercall dispatcher and the one shared exit loop. Nothing here knows KVM.
 *
 * Threads: everything below runs on the vCPU thread, except the io thread in
 * vm.c, which only reads stdin into a ring and kicks the vCPU (backend kick op)
 * when input or a timer is due. Device state is therefore single-threaded.
 */
#ifndef VMI_VM_H
#define VMI_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "backend.h"
#include "vmi/abi.h"

/* Guest physical layout (spec.md section 2; e820 in loader.h). */
#define VM_LOW_RAM_END	0xa0000ull	/* conventional memory ends here */
#define VM_HOLE_END	0x100000ull	/* 0xa0000-0xfffff: VGA, ROMs, BIOS (reserved) */
#define VM_ROM_GPA	0xc0000ull	/* where vmi-run places the VMI ROM */
#define VM_MIN_RAM	(4ull << 20)
/* One RAM slot from 0; the top stays below the 32-bit MMIO hole (LAPIC at
 * 0xfee00000, IOAPIC at 0xfec00000), so RAM ends at 3 GiB. */
#define VM_MAX_RAM	(3ull << 30)

/* vmi-run's exit status (documented in hypervisor-ref/README.md). */
#define VM_EXIT_OK		0	/* the guest powered off, or halted for good */
#define VM_EXIT_USAGE		1	/* bad command line or input file */
#define VM_EXIT_HOST		2	/* a host failure (KVM ioctl, memory) */
#define VM_EXIT_GUEST_FAULT	3	/* triple fault or unrecoverable guest state */
/* A debug-exit write of v gives v & 0xff (so 1-3 are ambiguous: pick others). */

enum vm_stop {
	VM_RUNNING,
	VM_STOP_DEBUG_EXIT,	/* port 0xf4 written: code = value & 0xff */
	VM_STOP_POWEROFF,	/* ACPI-less power-off: port 0x604 (QEMU) */
	VM_STOP_RESET,		/* 0xcf9 or the keyboard controller: treated as exit */
	VM_STOP_FAULT,		/* triple fault or backend failure: state printed */
	VM_STOP_HOST,		/* host-side failure */
	VM_STOP_SIGNAL,		/* SIGINT, SIGTERM or SIGHUP: state printed */
};

struct vm;

/* A device claims ports [base, base+len). handler gets size 1, 2 or 4 and
 * data in host byte order; for reads it fills *data. */
typedef void vm_io_fn(struct vm *vm, void *dev, uint16_t port, uint8_t size,
		      bool write, uint32_t *data);
typedef void vm_mmio_fn(struct vm *vm, void *dev, uint64_t gpa, uint8_t size,
			bool write, uint64_t *data);

/* Who needs a device: every machine, or only a backend without an in-kernel
 * interrupt controller and timer (backend_ops.user_irqchip). */
enum dev_when { DEV_ALWAYS, DEV_USER_IRQCHIP };

struct vm_device {
	const char *name;
	enum dev_when when;
	int (*init)(struct vm *vm);	/* 0, or -1 after one error line */
	void (*exit)(struct vm *vm);	/* frees what init made; may be NULL */
	struct vm_device *next;
};

/* One line at file scope in a device's .c registers it (kvmtool style). */
#define vm_device_register(dev)						\
	static void __attribute__((constructor)) dev##_register(void)	\
	{ vm__register_device(&(dev)); }

/* Host timers, armed in CLOCK_MONOTONIC nanoseconds (vm__now_ns). fire runs on
 * the vCPU thread from the exit loop, at or after the deadline. */
struct vm_timer {
	uint64_t deadline;
	bool armed;
	void (*fire)(struct vm *vm, void *opaque);
	void *opaque;
};

#define VM_MAX_IO	32
#define VM_MAX_MMIO	8
#define VM_MAX_TIMERS	8

struct vm_io_range {
	uint16_t base, len;
	vm_io_fn *fn;
	void *dev;
};

struct vm_mmio_range {
	uint64_t base, len;
	vm_mmio_fn *fn;
	void *dev;
};

struct vm_stats {
	uint64_t calls[VMI_NUM_CALLS];
	uint64_t bad_calls;		/* unknown numbers, CPL > 0 */
	uint64_t exits[EXIT_REASONS];
	uint64_t hypercall_exits;	/* of exits[EXIT_IO]: OUTs to the hypercall port */
	uint64_t t0_ns;			/* main() entered */
	uint64_t first_exit_ns;		/* the guest's first exit came back */
	uint64_t first_exit_cpu_us;	/* process CPU time by then */
};

struct pic;
struct pit;
struct uart;
struct rtc;
struct lapic;

struct vm {
	uint8_t *ram;			/* host mapping of guest RAM, gpa 0 .. ram_size */
	uint64_t ram_size;

	const struct backend_ops *ops;
	struct backend *be;

	struct vm_io_range io[VM_MAX_IO];
	unsigned nio;
	struct vm_mmio_range mmio[VM_MAX_MMIO];
	unsigned nmmio;
	struct vm_timer *timers[VM_MAX_TIMERS];
	unsigned ntimers;

	/* The user-space models, NULL when the backend uses in-kernel ones. */
	struct pic *pic;
	struct pit *pit;
	struct uart *uart;
	struct rtc *rtc;
	struct lapic *lapic;		/* written by backends/bt (devices/lapic.c) */

	/* VMI time: 1 cycle = 1 ns (VM_TIMER_HZ), real counter = ns since start. */
	uint64_t start_ns;
	struct vm_timer alarm;
	uint8_t alarm_vector;

	uint64_t rom_features;		/* the loaded ROM's features (0: no ROM) */
	bool trace, stats_on;
	uint64_t bt_cache;		/* bt's code cache in bytes; 0: its default */
	struct vm_stats stats;

	volatile int stop;		/* enum vm_stop; set by devices, read by the loop */
	int exit_code;
	struct exit_record last_exit;

	struct vm_io_thread *iot;	/* stdin and timer wakeups (vm.c) */
};

#define VM_TIMER_HZ 1000000000ull

int hc_time__init(struct vm *vm);	/* the VMI alarm timer (hc_time.c) */

/* Lifecycle (vm.c). create maps RAM and runs the device inits the backend
 * needs; the backend is created afterwards by the caller. */
int vm__create(struct vm *vm, uint64_t ram_size, const struct backend_ops *ops);
void vm__destroy(struct vm *vm);
void vm__register_device(struct vm_device *dev);

/* Guest RAM, range-checked: NULL unless [gpa, gpa+len) lies inside RAM
 * (len 0 counts as 1). The only way host code turns a gpa into a pointer. */
void *vm__gpa(struct vm *vm, uint64_t gpa, uint64_t len);
int vm__read(struct vm *vm, uint64_t gpa, void *dst, uint64_t len);
int vm__write(struct vm *vm, uint64_t gpa, const void *src, uint64_t len);

/* Device plumbing. Claims return -1 when the table is full or overlaps. */
int vm__claim_io(struct vm *vm, uint16_t base, uint16_t len, vm_io_fn *fn, void *dev);
int vm__claim_mmio(struct vm *vm, uint64_t base, uint64_t len, vm_mmio_fn *fn, void *dev);
/* Port I/O from the guest: unclaimed reads give all ones, writes vanish. */
void vm__io(struct vm *vm, uint16_t port, uint8_t size, bool write, uint32_t *data);
void vm__mmio(struct vm *vm, uint64_t gpa, uint8_t size, bool write, uint64_t *data);
/* An ISA IRQ line (0-15) changed level: goes to the backend's controller. */
void vm__set_irq(struct vm *vm, unsigned irq, int level);

/* Timers. register once at init; arm/cancel any time on the vCPU thread. */
int vm__timer_register(struct vm *vm, struct vm_timer *t);
void vm__timer_arm(struct vm *vm, struct vm_timer *t, uint64_t deadline_ns);
void vm__timer_cancel(struct vm *vm, struct vm_timer *t);
uint64_t vm__now_ns(void);
uint64_t vm__next_deadline(struct vm *vm);	/* earliest armed, 0: none */
/* Fire every due timer and feed pending stdin to the UART; the exit loop calls
 * it after each exit; bt may call it more often. */
void vm__poll(struct vm *vm);

/* Stop the machine after the current exit (devices call this). */
void vm__request_stop(struct vm *vm, enum vm_stop why, int code);

/* The hypercall dispatcher (dispatch.c). regs in, rax/rdx out; eax is the
 * call number, args rdi, rsi, r10, rcx, r8, r9 (spec.md section 5). cpl is the
 * caller's privilege level; > 0 gives VMI_EPERM. Callable from any backend,
 * with or without an exit. Every other register is left as it was. */
void dispatch__hypercall(struct vm *vm, struct vcpu_regs *regs, unsigned cpl);

void dispatch__print_stats(struct vm *vm);	/* --stats: per-call counts */
const char *run__exit_name(enum exit_reason r);

/* The exit loop (run.c): run until the guest stops; returns the exit status. */
int vm__run(struct vm *vm);
/* Print vCPU state (registers, control registers, last exit) to stderr. */
void vm__dump_state(struct vm *vm, const char *why);

#endif
