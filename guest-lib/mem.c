// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Zeroed 4 KiB pages from a static pool; tests build page tables with them. */
#include "guest.h"

#define POOL_PAGES 256

static u8 pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned used;

void *mem__page(void)
{
	if (used == POOL_PAGES) {
		printf("# guest-lib: page pool exhausted\n");
		guest__exit(4);
	}
	memset(pool[used], 0, PAGE_SIZE);
	return pool[used++];
}
