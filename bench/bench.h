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
/* Pages merged as k, and into how many distinct pages; or -errno. */
ssize_t bench_ksm_count(const char *buf, size_t len, enum bench_ksm_kind k,
			size_t *distinct);
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
 * given, for the scenarios that would not fit run-all's time budget.
 */
#define BENCH_QUICK_SIZE	(16ull << 20)
void bench_quick_size(struct cow_run *r, uint64_t quick_size);

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
/* FAIL the sample unless buf holds the pattern for seed. */
void bench_check_region(struct cow_sample *s, const char *who,
			const char *buf, size_t len, uint64_t seed);

/* report.c */
enum cow_format { COW_FMT_TEXT, COW_FMT_JSON, COW_FMT_TSV };
void cow_report(FILE *f, const struct cow_results *r, const char *dir,
		enum cow_format fmt);
void cow_progress(const struct cow_sample *s, unsigned done, unsigned total);

#endif
