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
	unsigned reps;		/* fixed --reps; with a target, the progress
				 * line's estimate (min_reps) */
	unsigned warmup;
	/*
	 * Repetitions until the 95% interval of the median ns_per_op is
	 * within +-precision (a fraction; 0: exactly reps), at least
	 * min_reps, at most max_reps, within the point's share of budget_s.
	 */
	double precision;
	unsigned min_reps, max_reps;
	unsigned budget_s;
	/*
	 * Passes over the points (with a target): a point not done in one
	 * pass is sampled again in the next, so that its samples come from
	 * moments across the run, not from one stretch of it.
	 */
	unsigned passes;
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

#define COW_F_SWEEP_SIZE	(1u << 1)	/* --full sweeps size 1M..1G */
#define COW_F_CHILDREN		(1u << 2)	/* forks --children at once */

/*
 * What a scenario needs of the machine, in the way of LTP's struct
 * tst_test: declared once, listed by --list=long and the manual, and
 * checked by the harness (cli/scenarios.c) in the point's worker before
 * prepare(), which then never runs where a need is missing: the point
 * SKIPs with a reason naming the need.  A kernel feature is probed
 * (a file, a system call) rather than read off the release number,
 * which backports make unreliable; the version goes into why.
 */
enum cow_need_kind {
	COW_NEED_NONE,		/* ends the list */
	COW_NEED_ROOT,		/* euid 0; why: what for */
	COW_NEED_FILE,		/* path exists; why: what provides it */
	COW_NEED_WRITABLE,	/* path can be written */
	COW_NEED_PROBE,		/* probe() says yes; what: the feature */
	/*
	 * Only prepare() can tell, on the point's own files (--dir's
	 * filesystem): declared for the listings, checked there.
	 */
	COW_NEED_PREPARE,
};

struct cow_need {
	enum cow_need_kind kind;
	const char *what;	/* the path or the feature */
	const char *why;	/* what for, or what provides it (CONFIG_KSM, 6.8+) */
	/* COW_NEED_PROBE: 0, or -1 with why not in reason. */
	int (*probe)(char *reason, size_t len);
};

/*
 * A kernel commit the scenario guards or measures: only ids the COW notes
 * or the kernel's history support, as a wrong id is worse than none.
 */
struct cow_commit {
	const char *id;		/* 12 hex digits */
	const char *what;	/* what it changed, as this scenario sees it */
};

#define COW_NEEDS_MAX		4
#define COW_COMMITS_MAX		4

/*
 * quick_size: the size of a point under --quick without --size, so that
 * run-all fits its time budget; COW_QUICK_FULL keeps the point's size
 * (a figure that means something only at full size).  The harness
 * applies it to the point, before prepare() and the resource guards.
 * A scenario with backings (backing_name) runs every backing but
 * "small" at COW_QUICK_SIZE at most under --quick: one backing is the
 * point's headline figure, the others a check of their path.
 */
#define COW_QUICK_SIZE		(16ull << 20)
#define COW_QUICK_FULL		UINT64_MAX

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
	/* One line for --list, at most 64 characters. */
	const char *desc;
	/*
	 * What it does, what the kernel must copy and why, what a FAIL
	 * means: one paragraph for --list=long, the manual and
	 * doc/scenarios.md; `code` in backquotes.
	 */
	const char *help;
	struct cow_need needs[COW_NEEDS_MAX];
	uint64_t quick_size;	/* required: a size or COW_QUICK_FULL */
	struct cow_commit commits[COW_COMMITS_MAX];
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
	 * Under --quick every backing but "small" is capped at
	 * COW_QUICK_SIZE (see quick_size).
	 */
	const char *(*backing_name)(const struct cow_opts *o, unsigned v,
				    char *buf, size_t len);
};

/*
 * The families' tables of scenarios, each NULL-terminated, in run order,
 * NULL-terminated (bench/registry.c): a scenario is added to its family
 * file's table, not here.
 */
extern const struct cow_scenario *const *const cow_families[];

#endif /* COW_SCENARIO_H */
