/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The backend table: --backend NAME, --backend auto and --probe. */
#ifndef VMI_BACKENDS_H
#define VMI_BACKENDS_H

#include "backend.h"

/* 0 with *ops set, or an exit status after one error line. */
int backends__select(const char *name, const struct backend_ops **ops);
/* One line per backend on stdout; returns 0, or 2 when none is available. */
int backends__probe(void);

#endif
