/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The hypercall entry both backends call (vm.h): decodes the reference
 * transport (spec.md section 5), refuses CPL > 0 and unknown numbers, runs the
 * call's handler from the generated table, counts and traces.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dispatch.h"

/* One write per line, so that the line stays whole when stderr is merged
 * with the guest's stdout. */
static void trace(const struct hc_entry *e, const struct hc_ctx *c, uint64_t rax)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "vmi-run: trace: %s(", e->name);

	for (unsigned i = 0; i < e->nargs && n < (int)sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, "%s%s=%#" PRIx64, i ? ", " : "",
			      e->args[i], c->a[i]);
	if (n < (int)sizeof(line)) {
		if (e->ret == VMI_RET_S64)
			n += snprintf(line + n, sizeof(line) - n, ") = %" PRId64, (int64_t)rax);
		else if (e->ret != VMI_RET_VOID)
			n += snprintf(line + n, sizeof(line) - n, ") = %#" PRIx64, rax);
		else
			n += snprintf(line + n, sizeof(line) - n, ")");
	}
	if (n < (int)sizeof(line) && e->ret == VMI_RET_PAIR)
		n += snprintf(line + n, sizeof(line) - n, ", %#" PRIx64, c->rdx);
	if (n < (int)sizeof(line) - 1) {
		line[n++] = '\n';
		line[n] = 0;
	}
	fputs(line, stderr);
}

void dispatch__hypercall(struct vm *vm, struct vcpu_regs *regs, unsigned cpl)
{
	uint32_t num = (uint32_t)regs->rax;
	const struct hc_entry *e;
	struct hc_ctx c = {
		.vm = vm, .b = vm->be, .ops = vm->ops, .regs = regs,
		.a = { regs->rdi, regs->rsi, regs->r10, regs->rcx, regs->r8, regs->r9 },
	};
	uint64_t rax;

	if (num >= VMI_NUM_CALLS || cpl > 0) {
		vm->stats.bad_calls++;
		regs->rax = (uint64_t)(int64_t)(cpl > 0 ? VMI_EPERM : VMI_ENOSYS);
		if (vm->trace)
			fprintf(stderr, "vmi-run: trace: call %u at cpl %u: %s\n", num, cpl,
				cpl > 0 ? "EPERM" : "ENOSYS");
		return;
	}
	e = &dispatch__table[num];
	vm->stats.calls[num]++;
	rax = e->fn(&c);
	regs->rax = rax;
	if (e->ret == VMI_RET_PAIR)
		regs->rdx = c.rdx;
	if (vm->trace)
		trace(e, &c, rax);
}

void dispatch__print_stats(struct vm *vm)
{
	unsigned n = 0;

	fprintf(stderr, "vmi-run: stats: calls:");
	for (unsigned i = 0; i < VMI_NUM_CALLS; i++) {
		if (!vm->stats.calls[i])
			continue;
		fprintf(stderr, "%s %s=%" PRIu64, n++ % 6 ? "" : "\n ",
			dispatch__table[i].name, vm->stats.calls[i]);
	}
	fprintf(stderr, "%s refused=%" PRIu64 "\n", n ? "\n" : "", vm->stats.bad_calls);
}

/* One page at a time: a buffer may straddle pages that map anywhere. The
 * first pass only checks, so a refused write leaves guest memory unchanged. */
static int gva_pass(struct hc_ctx *c, uint64_t gva, uint8_t *buf, uint64_t len,
		    bool write, bool copy)
{
	while (len) {
		uint64_t gpa, chunk = 4096 - (gva & 4095);
		uint8_t *p;

		if (chunk > len)
			chunk = len;
		if (c->ops->translate(c->b, gva, write, &gpa) < 0)
			return VMI_EFAULT;
		p = vm__gpa(c->vm, gpa, chunk);
		if (!p)
			return VMI_EFAULT;
		if (copy && write)
			memcpy(p, buf, chunk);
		else if (copy)
			memcpy(buf, p, chunk);
		gva += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

static int gva_copy(struct hc_ctx *c, uint64_t gva, uint8_t *buf, uint64_t len, bool write)
{
	if (len > (1ull << 20) || gva + len < gva)
		return VMI_EFAULT;
	if (write && gva_pass(c, gva, buf, len, true, false))
		return VMI_EFAULT;
	return gva_pass(c, gva, buf, len, write, true);
}

int dispatch__gva_read(struct hc_ctx *c, uint64_t gva, void *dst, uint64_t len)
{
	return gva_copy(c, gva, dst, len, false);
}

int dispatch__gva_write(struct hc_ctx *c, uint64_t gva, const void *src, uint64_t len)
{
	return gva_copy(c, gva, (uint8_t *)src, len, true);
}

uint64_t *dispatch__gva_u64(struct hc_ctx *c, uint64_t gva, bool write)
{
	uint64_t gpa;

	if (gva & 7 || c->ops->translate(c->b, gva, write, &gpa) < 0 || gpa & 7)
		return NULL;
	return vm__gpa(c->vm, gpa, 8);
}

unsigned dispatch__maxphyaddr(struct hc_ctx *c)
{
	uint32_t r[4];
	unsigned w = 36;

	c->ops->cpuid(c->b, 0x80000000, 0, r);
	if (r[0] >= 0x80000008) {
		c->ops->cpuid(c->b, 0x80000008, 0, r);
		w = r[0] & 0xff;
	}
	return w < 36 ? 36 : w > 52 ? 52 : w;
}

uint64_t dispatch__pte_reserved(struct hc_ctx *c)
{
	/* Bits 51:MAXPHYADDR of the address field (SDM 4.5, table 4-15). */
	return ((1ull << 52) - 1) & ~((1ull << dispatch__maxphyaddr(c)) - 1);
}
