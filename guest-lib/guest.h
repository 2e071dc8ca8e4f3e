/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * guest-lib: the freestanding x86-64 runtime of the VMI-x64 test kernels
 * (probe/ and conformance/). Boot (boot.S) leaves us in long mode with the
 * first 4 GiB identity-mapped by 2 MiB pages; guest_main() is the kernel's.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096ull

/* The kernel's entry, called by boot.S with the multiboot registers. */
void guest_main(u32 mb_magic, u32 mb_info);

/* lib.c: the few libc functions the compiler may also emit calls to. */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
u64 lib__parse_u64(const char *s, const char **end);

/* console.c: COM1 output and a small printf (%s %c %d %u %x %p, l/ll, width, 0). */
void console__init(void);
void console__putc(char c);
void console__puts(const char *s);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* exit.c: leave the VM through the debug-exit port (0xf4). */
__attribute__((noreturn)) void guest__exit(u32 code);

/* trap.c: IDT and exception reporting. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};
typedef void trap_handler_fn(struct trap_frame *f);
/* Returns nonzero when it fixed the fault up (edited f->rip). */
typedef int trap_fixup_fn(struct trap_frame *f);
void trap__init(void);
void trap__set_handler(unsigned vector, trap_handler_fn *fn);
void trap__set_fixup(trap_fixup_fn *fn);
void trap__dispatch(struct trap_frame *f);
extern u64 trap__last_cr2;
extern struct trap_frame trap__last;	/* the last exception caught */
void trap__dump(const struct trap_frame *f);
extern unsigned trap__exceptions;	/* exceptions caught by trap__catch_call */
/* Call fn(a1..a4); -1 when it returned (its rax in *result), else the
 * vector of the exception that interrupted it. */
long trap__catch_call(void *fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 *result);

/* cpu.h-like helpers, inline where a single instruction. */
static inline void outb(u16 p, u8 v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(u16 p, u16 v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(u16 p, u32 v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline u8 inb(u16 p) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline u16 inw(u16 p) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline u32 inl(u16 p) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline u64 read_flags(void) { u64 f; __asm__ volatile("pushfq; popq %0" : "=r"(f) :: "memory"); return f; }
static inline u64 rdtsc(void) { u32 lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((u64)hi << 32) | lo; }
static inline u64 rdmsr(u32 msr) { u32 lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((u64)hi << 32) | lo; }
static inline void wrmsr(u32 msr, u64 v) { __asm__ volatile("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory"); }
static inline void invlpg(u64 va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
#define READ_CR(n) ({ u64 v_; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_)); v_; })
#define WRITE_CR(n, v) __asm__ volatile("mov %0, %%cr" #n :: "r"((u64)(v)) : "memory")
static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline volatile u64 *mmio64(u64 pa) { return (volatile u64 *)(uintptr_t)pa; }
static inline volatile u32 *mmio32(u64 pa) { return (volatile u32 *)(uintptr_t)pa; }

#define X86_EFLAGS_IF (1ull << 9)
#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_U 4ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_PS 0x80ull
#define PTE_G 0x100ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* Boot page tables (boot.S) and the GDT. */
extern u64 boot_pml4[512], boot_pdpt[512], boot_pd[4 * 512];
extern u64 gdt[32];
struct __attribute__((packed)) desc_ptr { u16 limit; u64 base; };
extern struct desc_ptr gdt_desc;

/* mem.c: page allocator over a static pool (never freed), zeroed pages. */
void *mem__page(void);

/* apic.c: the local APIC timer (xAPIC MMIO at 0xFEE00000), an interrupt
 * source that exists natively and under any hypervisor that models a LAPIC. */
#define APIC_TIMER_VECTOR 0x40
void apic__init(void);
void apic__eoi(void);
void apic__timer_oneshot(u32 vector, u32 count);
void apic__timer_periodic(u32 vector, u32 count);
void apic__timer_stop(void);
u32 apic__timer_current(void);
int apic__irr(unsigned vector);

#endif
