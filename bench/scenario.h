/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scenario.h - the interface between a workload and the harness that runs
 * it: what a scenario declares (its name, description, needs, sizes and
 * the kernel commits it guards), the hooks the harness calls, and the
 * options and per-point state it hands them.
 *
 * The CLI (cli/) runs scenarios through this header only; a workload
 * (bench/<family>.c) sees the harness through lib/cow.h.  See
 * doc/adding-a-scenario.md for the smallest complete scenario.
 */
#ifndef COW_SCENARIO_H
#define COW_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cow.h"

struct cow_opts {
	uint64_t size;
	bool size_set;		/* --size given: sweeps use only it */
	unsigned reps;
	unsigned warmup;
	bool quick, full;
	const char *dir;	/* scratch directory for files (O_DIRECT, swap):
				 * --dir, else the results directory */
	unsigned children;	/* fork.many: 0 = number of CPUs */
	const char *backing;	/* --backing GLOB: only the points of these
				 * backings ("small": scenarios without) */
	int verbose;
};

struct cow_run {
	const struct cow_opts *opts;
	const struct cow_scenario *sc;
	uint64_t size;		/* this parameter point's size */
	unsigned rep;
	unsigned variant;	/* 0..nvariants-1 */
	bool warmup;		/* sample is discarded */
	void *priv;		/* scenario state from prepare to cleanup */
};

#define COW_F_ROOT		(1u << 0)	/* PFNs and knobs need root */
#define COW_F_SWEEP_SIZE	(1u << 1)	/* --full sweeps size 1M..1G */
#define COW_F_CHILDREN		(1u << 2)	/* forks --children at once */

/*
 * prepare and cleanup run in the point's worker process (cli/supervise.c),
 * once per parameter point (size x variant): knobs are set there, with
 * cow_knob_set(), and put back by the supervisor when the worker is gone.
 * Each sample runs in a process of its own forked from the worker, so it
 * may not change knobs, and what it changes in r->priv is gone when it
 * returns.
 */
struct cow_scenario {
	const char *name;
	const char *desc;
	unsigned flags;
	/* Optional: variants per size (e.g. one per mTHP size); default 1. */
	unsigned (*nvariants)(const struct cow_opts *o);
	/* Optional; COW_SKIP with reason when this machine cannot run it. */
	enum cow_verdict (*prepare)(struct cow_run *r, char *reason, size_t len);
	/* One repetition: fill s, set its verdict. */
	void (*sample)(struct cow_run *r, struct cow_sample *s);
	void (*cleanup)(struct cow_run *r);
	/*
	 * Optional: bytes of the files prepare() creates under opts->dir
	 * for a point of this size, so that a run is refused up front on a
	 * filesystem without room for them.
	 */
	uint64_t (*scratch_bytes)(const struct cow_opts *o, uint64_t size);
	/*
	 * Optional, for a scenario whose variants are memory backings: the
	 * backing of variant v ("hugetlb-2M"), NULL past the last.  --list
	 * shows them; every sample of a variant but those of "small" (named
	 * by size alone, as before there were backings) gets it as its
	 * "backing" parameter, a prepare() skip's included.  Variants may
	 * cross backings with something else: the list then starts over.
	 */
	const char *(*backing_name)(const struct cow_opts *o, unsigned v,
				    char *buf, size_t len);
};

/* Every scenario, in run order, NULL-terminated (bench/registry.c). */
extern const struct cow_scenario *const cow_scenarios[];

#endif /* COW_SCENARIO_H */
