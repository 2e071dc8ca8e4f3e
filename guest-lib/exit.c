// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Leaving the VM: a 32-bit write of code to the debug-exit port. QEMU
 * (-device isa-debug-exit,iobase=0xf4,iosize=4) exits with (code << 1) | 1,
 * vmi-run with code & 0xff. Harnesses read the TAP, so the status is only a
 * hint. Without such a device we halt with interrupts off.
 */
#include "guest.h"

#define DEBUG_EXIT_PORT 0xf4

void guest__exit(u32 code)
{
	outl(DEBUG_EXIT_PORT, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}
