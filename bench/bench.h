/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h - what the workloads share beyond the scenario interface: the
 * data patterns, and the helpers of bench/support/ (regions, children that
 * hold a view, ksmd, scratch files, I/O racing fork).  Only bench/ and
 * its tests include it; the CLI sees scenario.h alone.
 */
#ifndef COW_BENCH_H
#define COW_BENCH_H

#include <stdatomic.h>

#include "scenario.h"

/* Patterns: the parent's original data and each writer's own. */
#define SEED_PARENT	0x5eedc0deull
#define SEED_CHILD	0xc41dc0deull
#define SEED_PARENT2	0x9a7e47ull
/* What the scratch file holds: what an O_DIRECT read must bring in. */
#define SEED_FILE	0xf11ec0deull

/* Forks per latency sample: one fork is too short to time alone. */
#define LATENCY_FORKS	8

/* thp.c, mthp.c: the THP knobs back, for their cleanup */
void bench_thp_cleanup(struct cow_run *r);

/* support/common.c */
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
/*
 * The same with the child's own check of its view (what it saw at the
 * fork, when that is not one seed's pattern): the first page that is not,
 * or -1.  ctx is read in the child, as it was at the fork.
 */
typedef ssize_t (*bench_view_check)(const char *buf, size_t len,
				    const void *ctx);
bool bench_holder_start_check(struct bench_holder *h, struct cow_sample *s,
			      const char *buf, size_t len,
			      bench_view_check check, const void *ctx);
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
/* The same with the first nfirst pages of each stride holding stride_seed's. */
ssize_t bench_verify_stride_n(const char *buf, size_t len, size_t stride,
			      size_t nfirst, uint64_t seed,
			      uint64_t stride_seed);
/*
 * Rounds of a measured phase too short to time well alone (see
 * cow_meas_round_add()): enough rounds of per_round operations for want
 * operations a sample, at least 1, at most BENCH_ROUNDS_MAX.  A function
 * of the point alone, never of a time measured, so that a point's
 * samples and runs all count the same operations.
 */
#define BENCH_ROUNDS_MAX	256
unsigned bench_rounds(uint64_t per_round, uint64_t want);
/* n times fork + child _exit + wait; how many succeeded (why: the first not). */
unsigned bench_fork_loop(unsigned n, char *why, size_t len);

/* support/ksmd.c: ksmd for the KSM workloads */
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

/* A populated region (small pages, or a backing's) and its measurement. */
struct bench_setup {
	char *buf;
	size_t len;
	size_t npages;
	size_t nunits;		/* copy units: hugetlb pages, else npages */
	uint64_t orig;		/* what it holds: SEED_PARENT or COW_SEED_ZERO */
	struct cow_mem mem;	/* set by bench_setup_mem() for a backing */
	struct cow_meas *m;
};
/*
 * r->size bytes filled with SEED_PARENT, tracked by a new cow_meas, and
 * free memory warmed for the copies; false with the verdict set.
 */
bool bench_setup(struct cow_run *r, struct cow_sample *s,
		 struct bench_setup *f);
void bench_teardown(struct bench_setup *f);

/* support/backings.c: the backing parameter of the fork workloads */
struct bench_swapfile;
/*
 * A swapfile of bytes in dir, registered for removal before it exists,
 * and swapon'ed below every other area.  SKIP with the reason.
 */
enum cow_verdict bench_swapfile_make(const char *dir, uint64_t bytes,
				     struct bench_swapfile **out,
				     char *reason, size_t len);
void bench_swapfile_remove(struct bench_swapfile *p);

/* A point's backing, from prepare to cleanup (r->priv). */
struct bench_backing {
	enum cow_backing b;
	size_t hsize;		/* hugetlb page, or mTHP size (0: PMD) */
	char name[32];		/* the "backing" param: "hugetlb-2M" */
	bool reserved;		/* hugetlb pages added to the pool */
	struct bench_swapfile *swap;
	char zram[16];		/* the zram device swapped to, if any */
};
/*
 * nvariants: every backing (in --quick without the mTHP sizes and the
 * THP shapes --quick has no time for); or small pages only in --quick.
 */
unsigned bench_backings_all(const struct cow_opts *o);
unsigned bench_backings_full(const struct cow_opts *o);
/* The variant's name for --list, or NULL past the last. */
const char *bench_backing_variant_name(const struct cow_opts *o, unsigned v,
				       char *buf, size_t len);
/* prepare/cleanup: the knobs, pool pages and swapfile of the backing. */
enum cow_verdict bench_backing_prepare(struct cow_run *r, char *reason,
				       size_t len);
void bench_backing_cleanup(struct cow_run *r);
/* The same for backing idx of the list, for variants that cross it. */
enum cow_verdict bench_backing_prepare_idx(struct cow_run *r, unsigned idx,
					   char *reason, size_t len);
/*
 * bench_setup() for a backing (NULL or small: bench_setup itself); the
 * backing is made and checked page by page, a SKIP if it was not had.
 */
bool bench_setup_mem(struct cow_run *r, struct cow_sample *s,
		     struct bench_setup *f, const struct bench_backing *bk);
/* Required copies: shared, every page; else none, but a file's all. */
void bench_require(struct bench_setup *f, bool shared);
/* Before the writer's measured phase: swapped pages read back in. */
void bench_present(const struct bench_setup *f);
/* FAIL unless a file backing's file still holds what it was given. */
void bench_check_file(struct cow_sample *s, const struct bench_setup *f);
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

/* support/pinio.c */
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
/*
 * Open the point's scratch file (struct bench_pinned's) O_DIRECT in a
 * sample: fd, or -1 with the sample FAILed.
 */
int bench_scratch_open(struct cow_run *r, struct cow_sample *s);

/*
 * A point of a workload on pinned pages (r->priv from prepare to
 * cleanup): its scratch file and its backing (variant idx of the list of
 * support/backings.c).
 */
struct bench_pinned {
	char *path;			/* the scratch file, or NULL */
	struct bench_backing *bk;	/* NULL only when it could not be had */
	char skip[160];			/* BENCH_PIN_SAMPLE_SKIP: the reason */
};
/* Create the scratch file (in --dir). */
#define BENCH_PIN_SCRATCH	(1u << 0)
/*
 * Skip backings whose pages the first FOLL_WRITE pin or write replaces
 * with anonymous ones (swapped out, zero pages, private files): for the
 * workloads where a fork must meet the pinned pages of the backing.
 */
#define BENCH_PIN_KEPT		(1u << 1)
/*
 * A skip is each sample's (bench_pinned_skip), not prepare()'s: for
 * variants that cross the backings with cases a sample names.
 */
#define BENCH_PIN_SAMPLE_SKIP	(1u << 2)
enum cow_verdict bench_pinned_prepare(struct cow_run *r, unsigned idx,
				      unsigned flags, char *reason,
				      size_t len);
void bench_pinned_cleanup(struct cow_run *r);
/*
 * backing_name of a scenario whose variants are the backings
 * (bench_backings_full: small pages only in --quick).
 */
const char *bench_pinned_backing_name(const struct cow_opts *o, unsigned v,
				      char *buf, size_t len);
/* The point's skip, if it has one: true with the sample's verdict set. */
bool bench_pinned_skip(struct cow_run *r, struct cow_sample *s);
/* bench_setup_mem() of the point's backing. */
bool bench_pinned_setup(struct cow_run *r, struct cow_sample *s,
			struct bench_setup *f);

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

#endif
