/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h - the workloads' side of the harness: scenario declarations and
 * the small helpers every workload family shares.
 */
#ifndef COW_BENCH_H
#define COW_BENCH_H

#include <stdatomic.h>

#include "cow.h"

/* Patterns: the parent's original data and each writer's own. */
#define SEED_PARENT	0x5eedc0deull
#define SEED_CHILD	0xc41dc0deull
#define SEED_PARENT2	0x9a7e47ull
/* What the scratch file holds: what an O_DIRECT read must bring in. */
#define SEED_FILE	0xf11ec0deull

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
extern const struct cow_scenario cow_sc_odirect_read_into_shared;

#ifdef HAVE_LIBURING
/* iouring.c */
extern const struct cow_scenario cow_sc_iouring_fork_fixed;
extern const struct cow_scenario cow_sc_iouring_read_fixed_race;
#endif

/* common.c */
/*
 * Allocate, populate and verify a region of the given backing.  NULL with
 * the sample's verdict set (SKIP when the backing could not be had).
 */
char *bench_region(struct cow_sample *s, size_t len, enum cow_backing b,
		   uint64_t seed);

/* A populated region of small pages and its measurement. */
struct bench_setup {
	char *buf;
	size_t len;
	size_t npages;
	struct cow_meas *m;
};
/*
 * r->size bytes filled with SEED_PARENT, tracked by a new cow_meas, and
 * free memory warmed for the copies; false with the verdict set.
 */
bool bench_setup(struct cow_run *r, struct cow_sample *s,
		 struct bench_setup *f);
void bench_teardown(struct bench_setup *f);
/*
 * The data checks.  Each FAILs the sample when the data is not what the
 * semantics promise; tests/test-checkers.c feeds them wrong data.
 */
/* FAIL the sample unless buf holds the pattern for seed. */
void bench_check_region(struct cow_sample *s, const char *who,
			const char *buf, size_t len, uint64_t seed);

/* Pages (page i with index i) holding seed_old's pattern, seed_new's, neither. */
struct bench_seen {
	size_t old, new, other;
	ssize_t first_other;
};
void bench_classify(const char *data, size_t npages, uint64_t seed_old,
		    uint64_t seed_new, struct bench_seen *seen);
/* FAIL on pages holding neither; with old_only, on new ones too. */
void bench_check_seen(struct cow_sample *s, const char *who,
		      const struct bench_seen *seen, bool old_only);

/*
 * From prepare(): in --quick runs without --size, workloads that move
 * every page through a pipe or a disk use BENCH_QUICK_SIZE, so that
 * run-all stays within its time; the samples report the size used.
 */
#define BENCH_QUICK_SIZE	(16ull << 20)
void bench_quick_size(struct cow_run *r);

/* n times fork + _exit + wait, as fork.latency times them: forks done. */
unsigned bench_fork_exit_wait(unsigned n, char *why, size_t len);

/*
 * Two processes taking turns: one says it is ready (ready/wait_ready), the
 * other tells it to go on (go/wait_go).  0, or -1 when the other is gone.
 */
struct bench_turn {
	int ready[2], go[2];
};
/* -1 with the sample FAILed. */
int bench_turn_open(struct bench_turn *t, struct cow_sample *s);
void bench_turn_close(struct bench_turn *t);
int bench_turn_ready(struct bench_turn *t);
int bench_turn_wait_ready(struct bench_turn *t);
int bench_turn_go(struct bench_turn *t);
int bench_turn_wait_go(struct bench_turn *t);

/* vmsplice.c: a pipe as large as pipe-max-size lets it be.  0 or -errno. */
int bench_pipe_big(int fd[2]);

/* pinio.c */
/*
 * The scratch file of a parameter point: r->size bytes of SEED_FILE's
 * pattern in --dir, registered for removal before it is created.  Called
 * from prepare() (the harness process); SKIP with the reason when it
 * cannot be had or the filesystem refuses O_DIRECT.  r->priv is its path.
 */
enum cow_verdict bench_scratch_create(struct cow_run *r, uint64_t seed,
				      char *reason, size_t len);
void bench_scratch_remove(struct cow_run *r);
/* Open it O_DIRECT in a sample: fd, or -1 with the sample FAILed. */
int bench_scratch_open(struct cow_run *r, struct cow_sample *s);

/* Who forks when, for a thread that needs to know (see bench_race). */
struct bench_fork_watch {
	atomic_ulong gen;	/* forks started */
	atomic_int alive;	/* a child may exist */
	atomic_int hold;	/* no fork now, please */
};
/*
 * Fork a child that reads its own pagemap of cm's range at once, and
 * compare with the parent's PFNs read just before the fork: d->differ
 * pages were copied into the child.  fork_ns: the fork() call in the
 * parent.  0; 1 when w held the fork off; -1 with why.
 */
int bench_fork_copies(struct cow_meas *cm, struct bench_fork_watch *w,
		      uint64_t *fork_ns, struct cow_pm_diff *d, char *why,
		      size_t len);

/*
 * A thread reads a file into buf pass after pass while this one forks; the
 * data must land in the parent after every pass.  The scenario sets the
 * fields up to ctx; pass() reads the whole file into buf, wrapping each
 * I/O in bench_race_begin()/bench_race_end() so that, with mark, the
 * pages it touched while a child lived are required copies in m.
 */
struct bench_race {
	char *buf;
	size_t len;
	uint64_t seed;
	struct cow_meas *m;
	bool mark;
	int (*pass)(struct bench_race *rc, char *why, size_t len);
	void *ctx;

	unsigned passes;
	unsigned long forks_idle, forks_io;
	uint64_t fork_ns_idle, fork_ns_io, io_ns;
	uint64_t copies_idle, copies_io;

	struct bench_fork_watch w;
	atomic_int io_done;
	bool io_failed;
	char io_why[128];
	struct cow_sample *s;
};
unsigned long bench_race_begin(struct bench_race *rc);
void bench_race_end(struct bench_race *rc, unsigned long token, size_t off,
		    size_t len);
void bench_race_run(struct bench_race *rc, struct cow_sample *s);
/* ns and ops are the forks during I/O; metrics the rest. */
void bench_race_to_sample(struct bench_race *rc, struct cow_sample *s);

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
