/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Debug exit, QEMU's isa-debug-exit at iobase 0xf4, iosize 4: a write of v
 * ends vmi-run with exit status v & 0xff. (QEMU itself exits with
 * (v << 1) | 1; vmi-run passes the guest's code through unchanged, so test
 * kernels should avoid 1-3, which vmi-run uses for its own errors.)
 */
#include "vm.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_SIZE 4

static void debug_exit_io(struct vm *vm, void *dev, uint16_t port, uint8_t size,
			  bool write, uint32_t *data)
{
	(void)dev;
	(void)port;
	(void)size;
	if (write)
		vm__request_stop(vm, VM_STOP_DEBUG_EXIT, (int)(*data & 0xff));
	else
		*data = 0;
}

static int debug_exit_init(struct vm *vm)
{
	return vm__claim_io(vm, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, debug_exit_io, NULL);
}

static struct vm_device debug_exit_device = {
	.name = "debug-exit", .when = DEV_ALWAYS, .init = debug_exit_init,
};
vm_device_register(debug_exit_device)
