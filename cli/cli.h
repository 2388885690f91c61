/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - the cowbench program around the workloads: its options, the
 * guards checked before a run, the supervisor that runs each point in a
 * worker of its own, and the report.  Sees the workloads only through
 * bench/scenario.h and the comparison only through compare/compare.h.
 */
#ifndef COW_CLI_H
#define COW_CLI_H

#include <sched.h>
#include <stdio.h>

#include "scenario.h"

/* report.c */
enum cow_format { COW_FMT_TEXT, COW_FMT_JSON, COW_FMT_TSV };
void cow_report(FILE *f, const struct cow_results *r, const char *dir,
		enum cow_format fmt);
void cow_progress(const struct cow_sample *s, unsigned done, unsigned total);
/* The progress line gone, whatever the count said. */
void cow_progress_end(void);

/* guards.c: what a run will use, as main.c worked it out */
struct bench_plan {
	const struct cow_scenario *const *sel;
	const struct cow_opts *o;
	/* The largest point size the run gives scenario sc. */
	uint64_t (*max_size)(const struct cow_scenario *sc,
			     const struct cow_opts *o);
	unsigned samples;	/* recorded samples, at most */
	const char *out;	/* results directory (may not exist yet) */
};
/*
 * Whether the run fits the memory, tasks and disk it may use; -1 with a
 * one-line err naming the figures if not.  Before anything is changed.
 */
int bench_guards(const struct bench_plan *p, char *err, size_t elen);
/* scenarios.c: the declarations, as the harness uses and shows them */
/* Every scenario, in run order, NULL-terminated; NULL out of memory. */
const struct cow_scenario **bench_scenarios(void);
/* Variant v's size under the run's options: --quick's cap applied. */
uint64_t bench_quick_cap(const struct cow_scenario *sc,
			 const struct cow_opts *o, unsigned variant,
			 uint64_t size);
/* 0 when every declared need is met, else -1 with the first one missing. */
int bench_needs_check(const struct cow_scenario *sc, char *reason,
		      size_t len);
/* --list[=FORM]: the scenarios' names and descriptions, or all they declare. */
enum bench_list_form {
	BENCH_LIST_SHORT,	/* name and one line */
	BENCH_LIST_LONG,	/* everything, for a reader */
	BENCH_LIST_MAN,		/* the manual's SCENARIOS items (troff) */
	BENCH_LIST_MD,		/* doc/scenarios.md's reference (Markdown) */
};
void bench_list(FILE *f, const struct cow_scenario *const *sel,
		enum bench_list_form form);

/* options.c: cowbench's command line, parsed without acting on it */
#define DEFAULT_SIZE		(64ull << 20)
#define DEFAULT_REPS		10
#define DEFAULT_WARMUP		2
#define QUICK_REPS		5
#define QUICK_WARMUP		1
#define FULL_REPS		20
#define FULL_WARMUP		3
/*
 * Without --reps: sample until the interval of the median is within
 * +-DEFAULT_PRECISION, MIN_REPS..MAX_REPS, within each point's share of
 * the run's BUDGET s (what is left of it over the points still to run).  The floors are the fixed counts of before,
 * so that no point has fewer samples than it had.
 */
#define DEFAULT_PRECISION	0.02
#define DEFAULT_MIN_REPS	DEFAULT_REPS
#define DEFAULT_MAX_REPS	40
#define DEFAULT_BUDGET		600
#define QUICK_MIN_REPS		QUICK_REPS
#define QUICK_MAX_REPS		20
#define QUICK_BUDGET		52
#define FULL_MIN_REPS		FULL_REPS
#define FULL_MAX_REPS		100
#define FULL_BUDGET		7200
/*
 * Passes over the points (--passes): a point its budget stopped is
 * sampled again, by a new worker, in the next pass, so that its samples
 * come from moments across the run.  One by default: measured alone on
 * the development VM, five sets of three quick runs (two, four, one,
 * again two passes, then one on the final code) met +-2 % on 6-38 of 53
 * points a run and called 0-35 changes A/A, the spread set by the minute
 * they ran in, not by the passes (doc/measurements.md); and each visit
 * pays for a worker's start, prepare and warm-up again.
 */
#define DEFAULT_PASSES		1
#define MAX_PASSES		16

struct main_opts {
	struct cow_opts o;
	const char *events;
	const char *out;
	const char *cpus;	/* --cpu as given, cpuset parsed */
	cpu_set_t cpuset;
	int node;
	enum cow_format fmt;
	enum bench_list_form list;
	bool reps_set, warmup_set;
	bool precision_set, min_reps_set, max_reps_set, budget_set;
	bool passes_set;
	unsigned sample_timeout;	/* s; 0: bench_default_timeout() */
	char meta_key[64];	/* --add-meta KEY=JSON DIR */
	const char *meta_json, *meta_dir;
};

enum main_action {
	MAIN_ERROR = -1,	/* err says why; exit 2 */
	MAIN_RUN,		/* the scenarios from argv[optind] on */
	MAIN_HELP,
	MAIN_LIST,
	MAIN_VERSION,
	MAIN_RESTORE,
	MAIN_ADD_META,
};

/*
 * Options up to the first that ends the parse (--help...); re-runs
 * getopt from the start.  Errors are one line in err, without the
 * "(try --help)" the program appends.
 */
enum main_action bench_parse_options(int argc, char **argv,
				     struct main_opts *mo, char *err,
				     size_t elen);

/* supervise.c: the process that owns the run, and its workers */
/* In a worker's environment: "PPID:FD:ACKFD:LOCKFD:STATEFD:POINT:SCRATCH". */
#define BENCH_WORKER_ENV	"COWBENCH_WORKER"
/* Set for the process that runs the instruments' self-check: its pipe. */
#define BENCH_SELFCHECK_ENV	"COWBENCH_SELFCHECK_FD"
/* For a helper that undoes a worker's knobs: "REPORTFD:STATEFD:MARK:SKIP". */
#define BENCH_UNDO_ENV		"COWBENCH_UNDO"
/*
 * The default --sample-timeout, per phase (prepare, each sample, cleanup):
 * BASE + PER_UNIT s for each UNIT bytes (at least one) of the point's size,
 * begun: 90 s up to 16M, 180 s at 64M, 1980 s at 1G.  On this 2-core host
 * the slowest phase of a 64M point, a ksm.cow sample (ksmd merging 16384
 * pages), took 3.9 s, the slowest at 16M about 1 s; a TCG guest runs 5-10
 * times slower, and the limit leaves at least 4 times that again (at 1G,
 * where ksm.cow's sample grows to about a minute, 3 times), so that only
 * a hang reaches it.
 */
#define BENCH_TIMEOUT_BASE	60
#define BENCH_TIMEOUT_PER_UNIT	30
#define BENCH_TIMEOUT_UNIT	(16ull << 20)
#define BENCH_TIMEOUT_MAX	604800		/* a week */
unsigned bench_default_timeout(uint64_t size);
unsigned bench_count_sizes(const struct cow_scenario *sc,
			   const struct cow_opts *o);
unsigned bench_count_variants(const struct cow_scenario *sc,
			      const struct cow_opts *o);
/* The largest point size the run gives scenario sc. */
uint64_t bench_max_point_size(const struct cow_scenario *sc,
			      const struct cow_opts *o);

/* reps.c: how many measured samples a point takes (in its worker) */
struct bench_reps {
	struct cow_rep_policy pol;
	uint64_t t0;		/* the point's start, for its budget */
	double *v;		/* ns_per_op of the timed samples */
	size_t n;
	unsigned reps;
};
/*
 * What a worker is told of its point's earlier passes, down the ack pipe
 * after the self-check: the repetitions taken, the floor this visit must
 * reach before its budget may end it (counting them), and the ns_per_op of
 * the timed ones (the last BENCH_VISIT_MAX_PRIOR), which follow it.
 */
struct bench_visit {
	uint32_t prior_reps;
	uint32_t pass_min;	/* cow_rep_policy's; 0 in the last pass */
	uint32_t nprior;
};
#define BENCH_VISIT_MAX_PRIOR	4096
/*
 * budget_ns: the point's share of --budget, from the supervisor (0: none);
 * v: its earlier passes, prior their figures.
 */
void bench_reps_begin(struct bench_reps *rp, const struct cow_opts *o,
		      uint64_t budget_ns, const struct bench_visit *v,
		      const double *prior);
/* After a measured sample: s->point filled; true when it was the last. */
bool bench_reps_after(struct bench_reps *rp, struct cow_sample *s);
void bench_reps_end(struct bench_reps *rp);

/* A point over the run's passes, as the supervisor keeps it. */
struct bench_pstate {
	size_t first, n;	/* its samples: res->samples[first..first+n) */
	unsigned reps;		/* measured samples, every visit's */
	double *v;		/* their ns_per_op, the timed ones */
	size_t nv;
	unsigned visits;
	bool done;		/* no further visit: target, --max-reps, FAIL... */
	uint64_t wall_ns, setup_ns, measured_ns, checks_ns;
};

struct bench_super {
	const struct cow_scenario *const *sel;
	const struct main_opts *mo;	/* mo->o.dir set */
	char **argv;			/* the command line, for the workers */
	const char *dir;		/* results */
	struct cow_results *res;
	struct cow_kmsg *kmsg;
	unsigned done, total;		/* samples, for the progress line */
	/* --budget: the run's, ns, and when its first point began */
	uint64_t budget_ns, budget_t0;
	unsigned npoints;
	/* --passes: the points' state, and the pass in progress's budget */
	struct bench_pstate *ps;
	unsigned pass, npasses;
	uint64_t pass_budget_ns, pass_t0;
	unsigned pass_left;	/* points of this pass not yet visited */
};
/* Every point of the run, each in a worker of its own; never forks. */
void bench_supervise(struct bench_super *sv);
/* The self-check, in a process spawned for it (it forks; we may not). */
void bench_selfcheck(struct cow_selfcheck *out);
/* That process: check, write the result on the pipe in $COWBENCH_SELFCHECK_FD. */
int bench_selfcheck_child(const char *fd);
/* The undo helper: the lines $COWBENCH_UNDO names; an exit status. */
int bench_undo_child(const char *spec);

struct bench_worker {
	pid_t ppid;		/* the supervisor */
	int fd;			/* the pipe to it */
	int ack_fd;		/* a byte from it for each sample it recorded */
	int lock_fd, state_fd;	/* the run's knob journal, or -1 (not root) */
	unsigned point;		/* which point, in run order */
	uint64_t budget_ns;	/* its share of --budget; 0: none */
	const char *scratch;	/* cow_opts.dir */
};
/* $COWBENCH_WORKER into w: 0, or -1 if it is not what a supervisor sets. */
int bench_worker_parse(const char *spec, struct bench_worker *w);
/* Run point w->point of the selection and report it: an exit status. */
int bench_worker_run(const struct bench_worker *w,
		     const struct cow_scenario *const *sel,
		     const struct cow_opts *o);

#endif
