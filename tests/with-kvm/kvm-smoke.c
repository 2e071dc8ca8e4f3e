/*
 * kvm-smoke: prove that /dev/kvm works, and measure it.
 *
 * Correct behaviour: a VM with one vCPU in real mode runs
 *     mov dx,0x10; mov al,1; l: out dx,al; inc al; cmp al,4; jne l; hlt
 * and KVM_RUN returns KVM_EXIT_IO three times (port 0x10, one byte, OUT,
 * data 1, 2, 3) and then KVM_EXIT_HLT.  That is the smallest program that
 * shows a guest really executed and its exits reached user space, which is
 * what scripts/with-kvm promises.
 *
 * --bench prints three figures (see tests/with-kvm/README.md):
 *   mips=           a dec/jnz loop in 64-bit mode, two instructions per
 *                   iteration, timed around one KVM_RUN (includes entry and
 *                   exit, so the loop is sized to run a few hundred ms);
 *   mips_real_mode= the same loop in real mode, which some software
 *                   hypervisors (PVM) emulate instruction by instruction;
 *   exit_us=        an `out` loop in 64-bit mode, each one an exit to this
 *                   process and back.
 *
 * Static (built with -static) so it runs in with-kvm's VM with nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE 0x10000u
#define CODE_GPA 0x1000u
#define PORT     0x10u

struct vm {
	int kvm, fd, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
};

static void die(const char *what)
{
	fprintf(stderr, "kvm-smoke: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *what)
{
	fprintf(stderr, "kvm-smoke: %s\n", what);
	exit(1);
}

static void vm_create(struct vm *vm)
{
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		die("/dev/kvm");
	if (ioctl(vm->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		fail("/dev/kvm: unexpected KVM_GET_API_VERSION");
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap guest memory");
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		die("KVM_CREATE_VCPU");
	int sz = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");
}

/*
 * 64-bit mode, as vmi-run's guests run: identity-map the first 2 MiB with one
 * large page (PML4 0x2000 -> PDPT 0x3000 -> PD 0x4000) and load flat code and
 * data segments directly, no GDT needed since KVM takes the hidden parts.
 */
static void sregs_long(struct vm *vm, struct kvm_sregs *s)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + 0x2000);
	pml4[0] = 0x3000 | 3;
	((uint64_t *)(vm->mem + 0x3000))[0] = 0x4000 | 3;
	((uint64_t *)(vm->mem + 0x4000))[0] = 0x80 | 3;	/* PS: 2 MiB page at 0 */
	struct kvm_segment cs = {
		.base = 0, .limit = 0xffffffff, .selector = 8, .type = 11,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment ds = cs;
	ds.selector = 16;
	ds.type = 3;
	ds.l = 0;
	ds.db = 1;
	s->cs = cs;
	s->ds = s->es = s->fs = s->gs = s->ss = ds;
	s->cr3 = 0x2000;
	s->cr4 = 1u << 5;			/* PAE */
	s->cr0 = 0x80000011;			/* PG | ET | PE */
	s->efer = 0x500;			/* LMA | LME */
}

/* Load code at CODE_GPA and point the vCPU at it: real mode with CS base 0,
 * or 64-bit mode. */
static void vm_load(struct vm *vm, const uint8_t *code, size_t len, int longmode)
{
	memcpy(vm->mem + CODE_GPA, code, len);
	struct kvm_sregs sregs;
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	if (longmode) {
		sregs_long(vm, &sregs);
	} else {
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
	}
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 0x2 };
	if (ioctl(vm->vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static uint32_t vm_run(struct vm *vm)
{
	if (ioctl(vm->vcpu, KVM_RUN, 0) < 0)
		die("KVM_RUN");
	return vm->run->exit_reason;
}

static uint8_t io_byte(struct vm *vm)
{
	return *((uint8_t *)vm->run + vm->run->io.data_offset);
}

static int smoke(void)
{
	static const uint8_t code[] = {
		0xba, PORT, 0x00,	/* mov dx, PORT */
		0xb0, 0x01,		/* mov al, 1 */
		0xee,			/* l: out dx, al */
		0xfe, 0xc0,		/* inc al */
		0x3c, 0x04,		/* cmp al, 4 */
		0x75, 0xf9,		/* jne l */
		0xf4,			/* hlt */
	};
	struct vm vm;
	vm_create(&vm);
	vm_load(&vm, code, sizeof(code), 0);
	for (uint8_t want = 1; want <= 3; want++) {
		uint32_t why = vm_run(&vm);
		if (why != KVM_EXIT_IO || vm.run->io.port != PORT ||
		    vm.run->io.size != 1 || vm.run->io.count != 1 ||
		    vm.run->io.direction != KVM_EXIT_IO_OUT ||
		    io_byte(&vm) != want) {
			fprintf(stderr, "kvm-smoke: exit %u: got reason %u port %#x "
				"data %#x, want KVM_EXIT_IO OUT port %#x data %u\n",
				want, why, vm.run->io.port, io_byte(&vm), PORT, want);
			return 1;
		}
	}
	uint32_t why = vm_run(&vm);
	if (why != KVM_EXIT_HLT) {
		fprintf(stderr, "kvm-smoke: exit 4: got reason %u, want KVM_EXIT_HLT\n", why);
		return 1;
	}
	printf("kvm-smoke: ok: 3 OUT exits to port %#x (1, 2, 3), then HLT\n", PORT);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A loop for the benchmark: mov ecx, n; the body; hlt. */
struct loop {
	int longmode;
	size_t len;
	uint8_t body[8];
};

/* Seconds from the first KVM_RUN to HLT; counts the I/O exits on the way. */
static double timed_loop(const struct loop *lp, uint32_t n, uint32_t *exits)
{
	uint8_t code[32];
	size_t at = 0;
	if (!lp->longmode)
		code[at++] = 0x66;		/* operand size: ecx in real mode */
	code[at++] = 0xb9;			/* mov ecx, imm32 */
	memcpy(code + at, &n, 4);
	at += 4;
	memcpy(code + at, lp->body, lp->len);
	at += lp->len;
	code[at++] = 0xf4;			/* hlt */
	struct vm vm;
	vm_create(&vm);
	vm_load(&vm, code, at, lp->longmode);
	*exits = 0;
	double t0 = now();
	for (;;) {
		uint32_t why = vm_run(&vm);
		if (why == KVM_EXIT_HLT)
			break;
		if (why != KVM_EXIT_IO)
			fail("bench: unexpected exit reason");
		++*exits;
	}
	double t = now() - t0;
	close(vm.vcpu);
	close(vm.fd);
	close(vm.kvm);
	munmap(vm.mem, MEM_SIZE);
	return t;
}

/* Grow n until one run takes at least 0.3 s, so entry/exit cost is noise. */
static double calibrate(const struct loop *lp, uint32_t *n, uint32_t *exits)
{
	double t;
	while ((t = timed_loop(lp, *n, exits)) < 0.3 && *n < (1u << 30))
		*n = t < 0.01 ? *n * 16 : (uint32_t)(*n * (0.4 / t));
	return t;
}

static int bench(void)
{
	/* l: dec ecx; jnz l -- two instructions an iteration */
	static const struct loop compute64 = { 1, 4, { 0xff, 0xc9, 0x75, 0xfc } };
	static const struct loop compute16 = { 0, 4, { 0x66, 0x49, 0x75, 0xfc } };
	/* l: out PORT, al; dec ecx; jnz l -- one exit an iteration */
	static const struct loop io64 = { 1, 6, { 0xe6, PORT, 0xff, 0xc9, 0x75, 0xfa } };
	uint32_t n = 1u << 16, exits;
	double t = calibrate(&compute64, &n, &exits);
	printf("mips=%.1f\n", 2.0 * n / t / 1e6);
	n = 1u << 12;
	t = calibrate(&compute16, &n, &exits);
	printf("mips_real_mode=%.1f\n", 2.0 * n / t / 1e6);
	n = 256;
	t = calibrate(&io64, &n, &exits);
	if (exits != n)
		fail("bench: I/O loop: exit count does not match the loop count");
	printf("exit_us=%.2f\n", t / n * 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--bench"))
		return bench();
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		printf("usage: kvm-smoke [--bench]\n"
		       "  Runs a real-mode guest on /dev/kvm: 3 OUTs and a HLT, checked.\n"
		       "  --bench  print mips=, mips_real_mode= (compute loop) and exit_us= (one I/O exit)\n");
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "kvm-smoke: %s: unknown argument (try --help)\n", argv[1]);
		return 1;
	}
	return smoke();
}
