/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * MC146818 CMOS RTC at 0x70 (index; bit 7 masks NMI) and 0x71 (data): the
 * host's UTC time, read when the guest reads a time register, in BCD or
 * binary and 12- or 24-hour form as status register B says; memory-size
 * bytes for loaders that read them. Setting the time only changes what the
 * guest reads back until the next second; no alarm or periodic interrupt
 * (Linux uses the RTC only for the wall clock at boot).
 */
#include <stdlib.h>
#include <time.h>

#include "vm.h"
#include "devices.h"

#define RTC_INDEX	0x70
#define RTC_DATA	0x71
#define REG_SEC		0x00
#define REG_MIN		0x02
#define REG_HOUR	0x04
#define REG_WDAY	0x06
#define REG_MDAY	0x07
#define REG_MON		0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32
#define B_24H		0x02
#define B_BINARY	0x04

struct rtc {
	uint8_t index;
	uint8_t cmos[128];
};

static uint8_t encode(const struct rtc *r, unsigned v)
{
	return (r->cmos[REG_B] & B_BINARY) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t hour(const struct rtc *r, unsigned h)
{
	if (r->cmos[REG_B] & B_24H)
		return encode(r, h);
	/* 12-hour: 12, 1-11, with bit 7 for PM */
	return encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static uint8_t rtc_read(struct rtc *r, unsigned reg)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (reg) {
	case REG_SEC: return encode(r, (unsigned)tm.tm_sec);
	case REG_MIN: return encode(r, (unsigned)tm.tm_min);
	case REG_HOUR: return hour(r, (unsigned)tm.tm_hour);
	case REG_WDAY: return encode(r, (unsigned)tm.tm_wday + 1);
	case REG_MDAY: return encode(r, (unsigned)tm.tm_mday);
	case REG_MON: return encode(r, (unsigned)tm.tm_mon + 1);
	case REG_YEAR: return encode(r, (unsigned)tm.tm_year % 100);
	case REG_CENTURY: return encode(r, (unsigned)(tm.tm_year + 1900) / 100);
	case REG_A: return r->cmos[REG_A] & 0x7f;	/* never "update in progress" */
	case REG_C: return 0;				/* no interrupt flags */
	case REG_D: return 0x80;			/* battery good */
	default: return r->cmos[reg];
	}
}

void rtc__io(struct vm *vm, void *dev, uint16_t port, uint8_t size, bool write, uint32_t *data)
{
	struct rtc *r = dev;

	(void)vm;
	(void)size;
	if (port == RTC_INDEX) {
		if (write)
			r->index = *data & 0x7f;
		else
			*data = 0xff;		/* the index register is write-only */
		return;
	}
	if (!write)
		*data = rtc_read(r, r->index);
	else if (r->index != REG_C && r->index != REG_D)
		r->cmos[r->index] = (uint8_t)*data;
}

struct rtc *rtc__new(struct vm *vm)
{
	struct rtc *r = calloc(1, sizeof(*r));
	uint64_t ext = 0, high = 0;

	if (!r)
		return NULL;
	r->cmos[REG_A] = 0x26;			/* 32.768 kHz, 1024 Hz rate */
	r->cmos[REG_B] = B_24H;			/* BCD, 24-hour, as a PC BIOS leaves it */
	if (vm->ram_size > 0x100000)
		ext = (vm->ram_size - 0x100000) >> 10;
	if (ext > 0xffff)
		ext = 0xffff;
	if (vm->ram_size > (16ull << 20))
		high = (vm->ram_size - (16ull << 20)) >> 16;
	if (high > 0xffff)
		high = 0xffff;
	r->cmos[0x15] = 640 & 0xff;		/* base memory, KiB */
	r->cmos[0x16] = 640 >> 8;
	r->cmos[0x17] = r->cmos[0x30] = ext & 0xff;	/* memory above 1 MiB, KiB */
	r->cmos[0x18] = r->cmos[0x31] = (uint8_t)(ext >> 8);
	r->cmos[0x34] = high & 0xff;		/* memory above 16 MiB, 64 KiB blocks */
	r->cmos[0x35] = (uint8_t)(high >> 8);
	return r;
}

static int rtc_init(struct vm *vm)
{
	struct rtc *r = rtc__new(vm);

	if (!r || vm__claim_io(vm, RTC_INDEX, 2, rtc__io, r) < 0) {
		free(r);
		return -1;
	}
	vm->rtc = r;
	return 0;
}

static void rtc_exit(struct vm *vm)
{
	free(vm->rtc);
	vm->rtc = NULL;
}

static struct vm_device rtc_device = {
	.name = "rtc", .when = DEV_ALWAYS, .init = rtc_init, .exit = rtc_exit,
};
vm_device_register(rtc_device)
