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

/* Forks per latency sample: one fork is too short to time alone. */
#define LATENCY_FORKS	8

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
void bench_thp_cleanup(struct cow_run *r);
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

/* common.c */
/*
 * Allocate, populate and verify a region of the given backing.  NULL with
 * the sample's verdict set (SKIP when the backing could not be had).
 */
char *bench_region(struct cow_sample *s, size_t len, enum cow_backing b,
		   uint64_t seed);
/* cow_region_alloc(), or NULL with the sample SKIPped. */
char *bench_map(struct cow_sample *s, size_t len, enum cow_backing b);
/* cow_backing_check(), or false with the region freed and a SKIP. */
bool bench_backing(struct cow_sample *s, char *buf, size_t len,
		   enum cow_backing b);

/*
 * A child that keeps the region mapped and untouched while the parent
 * writes, then, released, checks that it still sees the pattern of seed:
 * the side that must not see the parent's writes.  Start FAILs the sample
 * when it returns false; finish FAILs it when the child saw other data.
 */
struct bench_holder {
	pid_t pid;
	int go;			/* closing it releases the child */
};
bool bench_holder_start(struct bench_holder *h, struct cow_sample *s,
			const char *buf, size_t len, uint64_t seed);
/* Reap a child that checked its view: exit 3 is a data FAIL, else harness. */
void bench_child_verdict(struct cow_sample *s, pid_t pid, const char *who);
void bench_holder_finish(struct bench_holder *h, struct cow_sample *s);
/* The page pattern of seed written into the first page of every stride. */
void bench_fill_stride(char *buf, size_t len, size_t stride, uint64_t seed);
/*
 * First page not holding its pattern (stride_seed in the first page of
 * each stride, seed elsewhere), or -1.
 */
ssize_t bench_verify_stride(const char *buf, size_t len, size_t stride,
			    uint64_t seed, uint64_t stride_seed);
/* n times fork + child _exit + wait; how many succeeded (why: the first not). */
unsigned bench_fork_loop(unsigned n, char *why, size_t len);

/* ksmd.c: ksmd for the KSM workloads */
enum bench_ksm_kind {
	BENCH_KSM,		/* merged into KSM pages */
	BENCH_KSM_ZERO,		/* mapped to the zero page (use_zero_pages) */
};
/* Save and set the KSM knobs, ksmd stopped; SKIP with the reason. */
enum cow_verdict bench_ksm_prepare(bool zero_pages, char *reason,
				   size_t len);
/* Small pages, ndistinct page contents in turn (0: zero-filled pages). */
char *bench_ksm_region(struct cow_sample *s, size_t len, unsigned ndistinct);
void bench_ksm_fill(char *buf, size_t len, unsigned ndistinct);
/* First page not holding bench_ksm_fill()'s content, or -1. */
ssize_t bench_ksm_verify(const char *buf, size_t len, unsigned ndistinct);
/*
 * Witnesses of which pages of a region are merged as k, each read only
 * where the run's self-check did not find it unreliable:
 * - pfns: pages whose PFN says so - shared with another page of the
 *   region (a private region shares a page only through KSM), or the
 *   zero page's PFN (found by the self-check);
 * - flags: pages /proc/kpageflags reads as KPF_KSM or KPF_ZERO_PAGE;
 * - smaps: the KSM: line of the region's /proc/self/smaps entry, in
 *   pages (KSM pages only; 6.6+, 8b47933544a6), which needs no PFN.
 * -1 for a witness not read, with the reason in why.
 */
struct bench_ksm_seen {
	ssize_t pfns, flags, smaps;
	size_t pfns_into, flags_into;	/* distinct pages they map */
	bool flags_checked;		/* kpageflags passed the self-check */
	char why[160];
};
/* 0, or -errno when the region's pagemap cannot be read. */
int bench_ksm_look(const char *buf, size_t len, enum bench_ksm_kind k,
		   struct bench_ksm_seen *seen);
/*
 * The count to go by: the PFNs' (the mapping itself), else the flags',
 * else smaps', else -1.  distinct (may be NULL) gets the pages they map
 * (0: not known).
 */
ssize_t bench_ksm_count(const struct bench_ksm_seen *seen, size_t *distinct);
/* "kpageflags 4096 KSM (into 16), PFNs 0 shared": both readings, for reasons. */
const char *bench_ksm_seen_str(const struct bench_ksm_seen *seen,
			       enum bench_ksm_kind k, char *buf, size_t len);
/*
 * Run ksmd until every page is merged as k, then stop it.  The time
 * from start to the kernel's count saying so goes to *ns.  False with
 * the sample's verdict set (not merged in time: SKIP).
 */
bool bench_ksm_merge(struct cow_sample *s, const char *buf, size_t len,
		     enum bench_ksm_kind k, uint64_t *ns, size_t *distinct);
/* Every KSM knob back as it was before prepare(), ksmd first. */
void bench_ksm_cleanup(struct cow_run *r);
/* /sys/kernel/mm/ksm/full_scans, or -1. */
int64_t bench_ksm_full_scans(void);

/*
 * For prepare(): at most quick_size in --quick mode unless --size was
 * given, for the scenarios that would not fit run-all's time budget
 * (those moving every page through a pipe, a disk or ksmd); the samples
 * report the size used.
 */
#define BENCH_QUICK_SIZE	(16ull << 20)
void bench_quick_size(struct cow_run *r, uint64_t quick_size);
/* The size bench_quick_size() would leave. */
uint64_t bench_quick_cap(const struct cow_opts *o, uint64_t size,
			 uint64_t quick_size);

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
/* Its size, for cow_scenario.scratch_bytes. */
uint64_t bench_scratch_bytes(const struct cow_opts *o, uint64_t size);
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
/* options.c: cowbench's command line, parsed without acting on it */
#define DEFAULT_SIZE		(64ull << 20)
#define DEFAULT_REPS		10
#define DEFAULT_WARMUP		2
#define QUICK_REPS		5
#define QUICK_WARMUP		1
#define FULL_REPS		20
#define FULL_WARMUP		3

struct main_opts {
	struct cow_opts o;
	const char *events;
	const char *out;
	const char *cpus;	/* --cpu as given, cpuset parsed */
	cpu_set_t cpuset;
	int node;
	enum cow_format fmt;
	bool reps_set, warmup_set;
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

struct bench_super {
	const struct cow_scenario *const *sel;
	const struct main_opts *mo;	/* mo->o.dir set */
	char **argv;			/* the command line, for the workers */
	const char *dir;		/* results */
	struct cow_results *res;
	struct cow_kmsg *kmsg;
	unsigned done, total;		/* samples, for the progress line */
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
	const char *scratch;	/* cow_opts.dir */
};
/* $COWBENCH_WORKER into w: 0, or -1 if it is not what a supervisor sets. */
int bench_worker_parse(const char *spec, struct bench_worker *w);
/* Run point w->point of the selection and report it: an exit status. */
int bench_worker_run(const struct bench_worker *w,
		     const struct cow_scenario *const *sel,
		     const struct cow_opts *o);

/* compare.c: `cowbench compare BASE OTHER...`; argv[0] is "compare". */
int cow_compare_main(int argc, char **argv);

#endif
