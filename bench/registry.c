// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c - every scenario, in the order --list and run-all show them.
 *
 * An explicit table rather than constructor self-registration: objects
 * in a static archive that nothing references are dropped by the linker.
 */
#include "scenario.h"

/* fork.c */
extern const struct cow_scenario cow_sc_fork_child_write;
extern const struct cow_scenario cow_sc_fork_parent_write_alive;
extern const struct cow_scenario cow_sc_fork_parent_after_exit;
extern const struct cow_scenario cow_sc_fork_exec_window;
extern const struct cow_scenario cow_sc_fork_latency;

/* fork-many.c */
extern const struct cow_scenario cow_sc_fork_many;

/* vmsplice.c */
extern const struct cow_scenario cow_sc_vmsplice_write_after_splice;
extern const struct cow_scenario cow_sc_vmsplice_shared_write;
extern const struct cow_scenario cow_sc_vmsplice_leak;
/* vmsplice-stream.c */
extern const struct cow_scenario cow_sc_vmsplice_throughput;

/* odirect.c */
extern const struct cow_scenario cow_sc_odirect_fork_race;
extern const struct cow_scenario cow_sc_odirect_fork_inflight;
extern const struct cow_scenario cow_sc_odirect_read_into_shared;

#ifdef HAVE_LIBURING
/* iouring.c */
extern const struct cow_scenario cow_sc_iouring_fork_fixed;
extern const struct cow_scenario cow_sc_iouring_read_fixed_race;
#endif

/* thp.c, mthp.c */
extern const struct cow_scenario cow_sc_thp_fork_write;
extern const struct cow_scenario cow_sc_thp_mthp;
extern const struct cow_scenario cow_sc_thp_collapse;
extern const struct cow_scenario cow_sc_thp_fork_latency;

/* ksm.c */
extern const struct cow_scenario cow_sc_ksm_cow;
extern const struct cow_scenario cow_sc_ksm_merge;
extern const struct cow_scenario cow_sc_ksm_zero_pages;

/* swap.c */
extern const struct cow_scenario cow_sc_swap_cow;
extern const struct cow_scenario cow_sc_swap_loop;

const struct cow_scenario *const cow_scenarios[] = {
	&cow_sc_fork_child_write,
	&cow_sc_fork_parent_write_alive,
	&cow_sc_fork_parent_after_exit,
	&cow_sc_fork_exec_window,
	&cow_sc_fork_latency,
	&cow_sc_fork_many,
	&cow_sc_ksm_cow,
	&cow_sc_ksm_merge,
	&cow_sc_ksm_zero_pages,
	&cow_sc_thp_fork_write,
	&cow_sc_thp_mthp,
	&cow_sc_thp_collapse,
	&cow_sc_thp_fork_latency,
	&cow_sc_swap_cow,
	&cow_sc_swap_loop,
	&cow_sc_vmsplice_write_after_splice,
	&cow_sc_vmsplice_shared_write,
	&cow_sc_vmsplice_leak,
	&cow_sc_vmsplice_throughput,
	&cow_sc_odirect_fork_race,
	&cow_sc_odirect_fork_inflight,
	&cow_sc_odirect_read_into_shared,
#ifdef HAVE_LIBURING
	&cow_sc_iouring_fork_fixed,
	&cow_sc_iouring_read_fixed_race,
#endif
	NULL,
};
