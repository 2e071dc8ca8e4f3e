/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one way our Check unit tests run: TAP on stdout for prove, exit status
 * 1 when anything failed. CK_NOFORK keeps every test in one process so that
 * ASan and UBSan see it; CK_FORK isolates tests that must not share state.
 */
#ifndef VMI_CHECK_TAP_H
#define VMI_CHECK_TAP_H

#include <check.h>

static inline int check_tap__run(Suite *s, enum fork_status fork)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, fork);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
