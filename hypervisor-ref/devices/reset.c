/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reset and power-off. vmi-run has no firmware to restart into, so a reset
 * ends it like a power-off (status 0): the reset control register at 0xcf9
 * (bit 2), the keyboard controller's pulse-reset command 0xfe at 0x64, and
 * QEMU's old ACPI-less power-off port 0x604 (write 0x2000). Reads of 0x64
 * return 0xfd: the output buffer never drains, so Linux's i8042 probe decides
 * there is no controller at once instead of timing out, and the input buffer
 * is empty, so the reboot path's wait before the pulse-reset command ends at
 * once (with 0xff it spins 65536 x udelay(2), 130 ms, before every reset).
 */
#include "vm.h"

#define RST_CNT		0xcf9
#define RST_CNT_RESET	0x04
#define KBD_STATUS	0x64
#define KBD_PULSE_RESET	0xfe
#define KBD_STATUS_NONE	0xfd	/* output buffer full, input buffer empty */
#define POWEROFF_PORT	0x604
#define POWEROFF_VALUE	0x2000

static void reset_io(struct vm *vm, void *dev, uint16_t port, uint8_t size,
		     bool write, uint32_t *data)
{
	(void)dev;
	(void)size;
	if (!write) {
		*data = port == KBD_STATUS ? KBD_STATUS_NONE : 0;
		return;
	}
	if ((port == RST_CNT && (*data & RST_CNT_RESET)) ||
	    (port == KBD_STATUS && (*data & 0xff) == KBD_PULSE_RESET))
		vm__request_stop(vm, VM_STOP_RESET, VM_EXIT_OK);
	else if (port == POWEROFF_PORT && (*data & 0xffff) == POWEROFF_VALUE)
		vm__request_stop(vm, VM_STOP_POWEROFF, VM_EXIT_OK);
}

static int reset_init(struct vm *vm)
{
	if (vm__claim_io(vm, RST_CNT, 1, reset_io, NULL) < 0 ||
	    vm__claim_io(vm, KBD_STATUS, 1, reset_io, NULL) < 0 ||
	    vm__claim_io(vm, POWEROFF_PORT, 2, reset_io, NULL) < 0)
		return -1;
	return 0;
}

static struct vm_device reset_device = { .name = "reset", .when = DEV_ALWAYS, .init = reset_init };
vm_device_register(reset_device)
