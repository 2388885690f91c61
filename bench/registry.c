// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c - every family of scenarios, in the order --list and run-all
 * show them.  A family file (bench/<family>.c) keeps the table of its own
 * scenarios, so that a new scenario in an existing family touches that
 * file alone; a new family adds a line here.
 *
 * An explicit table rather than constructor self-registration: objects
 * in a static archive that nothing references are dropped by the linker.
 */
#include "scenario.h"

extern const struct cow_scenario *const bench_fork_scenarios[];
extern const struct cow_scenario *const bench_fork_many_scenarios[];
extern const struct cow_scenario *const bench_ksm_scenarios[];
extern const struct cow_scenario *const bench_thp_scenarios[];
extern const struct cow_scenario *const bench_mthp_scenarios[];
extern const struct cow_scenario *const bench_swap_scenarios[];
extern const struct cow_scenario *const bench_vmsplice_scenarios[];
extern const struct cow_scenario *const bench_vmsplice_stream_scenarios[];
extern const struct cow_scenario *const bench_odirect_scenarios[];
#ifdef HAVE_LIBURING
extern const struct cow_scenario *const bench_iouring_scenarios[];
#endif

const struct cow_scenario *const *const cow_families[] = {
	bench_fork_scenarios,		/* fork.c */
	bench_fork_many_scenarios,	/* fork-many.c */
	bench_ksm_scenarios,		/* ksm.c */
	bench_thp_scenarios,		/* thp.c */
	bench_mthp_scenarios,		/* mthp.c */
	bench_swap_scenarios,		/* swap.c */
	bench_vmsplice_scenarios,	/* vmsplice.c */
	bench_vmsplice_stream_scenarios,	/* vmsplice-stream.c */
	bench_odirect_scenarios,	/* odirect.c */
#ifdef HAVE_LIBURING
	bench_iouring_scenarios,	/* iouring.c */
#endif
	NULL,
};
