/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Run one generated case on bt and on Unicorn and compare. */
#ifndef BT_DIFF_H
#define BT_DIFF_H
#include <stdbool.h>
#include "gen.h"

struct diff;
struct diff *diff__new(bool single_step);
void diff__free(struct diff *d);
/* 0 when both agree; otherwise 1 with a description in msg. */
int diff__run(struct diff *d, const struct gen_case *g, uint64_t seed, char *msg, size_t len);
/* Random bytes run as code; the host must survive. Returns bt's exit. */
int diff__garbage(struct diff *d, uint64_t seed, char *msg, size_t len);
#endif
