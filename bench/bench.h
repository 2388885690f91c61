/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h - the workloads' side of the harness: scenario declarations and
 * the small helpers every workload family shares.
 */
#ifndef COW_BENCH_H
#define COW_BENCH_H

#include "cow.h"

/* Patterns: the parent's original data and each writer's own. */
#define SEED_PARENT	0x5eedc0deull
#define SEED_CHILD	0xc41dc0deull
#define SEED_PARENT2	0x9a7e47ull

/* fork.c */
extern const struct cow_scenario cow_sc_fork_child_write;
extern const struct cow_scenario cow_sc_fork_parent_write_alive;
extern const struct cow_scenario cow_sc_fork_parent_after_exit;
extern const struct cow_scenario cow_sc_fork_exec_window;
extern const struct cow_scenario cow_sc_fork_latency;
extern const struct cow_scenario cow_sc_fork_many;

/* common.c */
/*
 * Allocate, populate and verify a region of the given backing.  NULL with
 * the sample's verdict set (SKIP when the backing could not be had).
 */
char *bench_region(struct cow_sample *s, size_t len, enum cow_backing b,
		   uint64_t seed);

/* report.c */
enum cow_format { COW_FMT_TEXT, COW_FMT_JSON, COW_FMT_TSV };
void cow_report(FILE *f, const struct cow_results *r, const char *dir,
		enum cow_format fmt);
void cow_progress(const struct cow_sample *s, unsigned done, unsigned total);
void bench_params_str(const struct cow_sample *s, const char *const *skip,
		      char *buf, size_t len);

/* compare.c: `cowbench compare BASE OTHER...`; argv[0] is "compare". */
int cow_compare_main(int argc, char **argv);

#endif
