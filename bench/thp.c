// SPDX-License-Identifier: GPL-2.0-only
/*
 * thp.c - copy-on-write of PMD-sized transparent huge pages: the write
 * to a shared THP (split + one 4 KiB copy since 5.8), reuse after the
 * sharer is gone, MADV_COLLAPSE around a fork, and what THPs do to fork.
 *
 * Every region is checked to be PMD THPs (kpageflags: 512-page folios
 * from a head page) before anything is measured: a region that did not
 * get them is a SKIP, never 4 KiB numbers reported as THP.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
/* MADV_COLLAPSE calls before a transient EAGAIN is taken as final. */
#define COLLAPSE_TRIES	4

/* Every THP scenario wants PMD THPs for MADV_HUGEPAGE regions. */
static enum cow_verdict thp_prepare(struct cow_run *r, char *reason,
				    size_t len)
{
	size_t pmd = cow_thp_pmd_size();

	/* thp.fork-write keeps the 64M of its 32-huge-page figure. */
	if (strcmp(r->sc->name, "thp.fork-write"))
		bench_quick_size(r, BENCH_QUICK_SIZE);

	if (r->size % pmd) {
		snprintf(reason, len,
			 "size is not a multiple of the %zu KiB THP",
			 pmd >> 10);
		return COW_SKIP;
	}
	return cow_thp_enable_pmd(reason, len) ? COW_SKIP : COW_PASS;
}

/* The next scenario finds THP as the machine had it. */
void bench_thp_cleanup(struct cow_run *r)
{
	cow_thp_reset();
}

enum fw_phase {
	FW_SHARED_BYTE,
	FW_SHARED_ALL,
	FW_EXIT_SPLIT,
	FW_EXIT_PMD,
	FW_NPHASES,
};

static const char *const fw_names[FW_NPHASES] = {
	[FW_SHARED_BYTE] = "shared-byte",
	[FW_SHARED_ALL] = "shared-all",
	[FW_EXIT_SPLIT] = "exit-split",
	[FW_EXIT_PMD] = "exit-pmd",
};

static unsigned fw_nvariants(const struct cow_opts *o)
{
	return FW_NPHASES;
}

static void check_parent(struct cow_sample *s, const char *buf, size_t len,
			 size_t stride, bool all_written)
{
	ssize_t bad;

	if (all_written) {
		bench_check_region(s, "parent", buf, len, SEED_PARENT2);
		return;
	}
	bad = bench_verify_stride(buf, len, stride, SEED_PARENT, SEED_PARENT2);
	if (bad >= 0)
		cow_sample_fail(s, COW_EV_DATA,
				"parent: page %zd does not hold its own data",
				bad);
}

/*
 * thp.fork-write - a THP region, fork, and the parent's writes, one
 * variant per step of the sequence:
 *  shared-byte: one write per huge page while the child lives.  Each
 *    splits the PMD (thp_split_pmd) and copies the one 4 KiB page
 *    written (3917c80280c9, 5.8); required: that page.
 *  shared-all: after that, every page while the child still lives:
 *    each subpage of the PTE-mapped THP is copied; required: all but
 *    the pages already copied.
 *  exit-split: after the one write per huge page, the child exits and
 *    the parent writes every page.  The rest of each split THP is now
 *    the parent's alone: no copy required.  Kernels 6.9..6.14 copy
 *    every subpage (cd197c3a2040); 6.15 reuses (1da190f4d0a6).
 *  exit-pmd: the child exits before any write: the PMD is reused whole
 *    (do_huge_pmd_wp_page), no split, no copy required.
 */
static void fork_write_sample(struct cow_run *r, struct cow_sample *s)
{
	enum fw_phase ph = r->variant;
	size_t len = r->size, hp = cow_thp_pmd_size();
	size_t npages = len / cow_page_size, nhp = len / hp, i;
	struct bench_holder h = { .pid = -1 };
	struct cow_meas *m;
	uint64_t ops;
	char *buf;

	cow_sample_param_str(s, "phase", fw_names[ph]);
	buf = bench_region(s, len, COW_BACK_THP, SEED_PARENT);
	if (!buf)
		return;
	m = cow_meas_new(buf, len);
	if (!m) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free_buf;
	}
	cow_warm_free_memory(len);
	if (!bench_holder_start(&h, s, buf, len, SEED_PARENT))
		goto free_meas;
	if (ph == FW_EXIT_PMD)
		bench_holder_finish(&h, s);
	else if (ph != FW_SHARED_BYTE)
		bench_fill_stride(buf, len, hp, SEED_PARENT2);
	if (ph == FW_EXIT_SPLIT)
		bench_holder_finish(&h, s);

	cow_meas_require_none(m);
	if (ph == FW_SHARED_BYTE) {
		for (i = 0; i < npages; i += hp / cow_page_size)
			cow_meas_require_page(m, i);
		m->pages_written = (int64_t)nhp;
		ops = nhp;
		cow_meas_start(m);
		bench_fill_stride(buf, len, hp, SEED_PARENT2);
		cow_meas_stop(m);
	} else {
		if (ph == FW_SHARED_ALL) {
			cow_meas_require_all(m);
			for (i = 0; i < npages; i += hp / cow_page_size)
				m->required[i] = 0;
		}
		ops = npages;
		cow_meas_start(m);
		cow_region_fill(buf, len, SEED_PARENT2);
		cow_meas_stop(m);
	}
	bench_holder_finish(&h, s);
	check_parent(s, buf, len, hp, ph != FW_SHARED_BYTE);
	cow_meas_to_sample(m, s, ops);
	cow_sample_metric(s, "huge_pages", (double)nhp);
	if (m->accounted)
		cow_sample_metric(s, "copies_per_huge_page",
				  (double)m->pages_copied / (double)nhp);
free_meas:
	cow_meas_free(m);
free_buf:
	cow_region_free(buf, len);
}

enum collapse_when {
	COLLAPSE_BEFORE_FORK,
	COLLAPSE_AFTER_FORK,
	COLLAPSE_NWHEN,
};

static const char *const collapse_names[COLLAPSE_NWHEN] = {
	[COLLAPSE_BEFORE_FORK] = "before-fork",
	[COLLAPSE_AFTER_FORK] = "after-fork",
};

static unsigned collapse_nvariants(const struct cow_opts *o)
{
	return COLLAPSE_NWHEN;
}

/* Small pages in a range MADV_COLLAPSE may turn into PMD THPs. */
static char *small_region_collapsible(struct cow_sample *s, size_t len)
{
	char *buf = bench_map(s, len, COW_BACK_THP);

	if (!buf)
		return NULL;
	/*
	 * Small pages, and no THP allowed until collapse() (so that neither
	 * a fault nor khugepaged makes one first): VM_NOHUGEPAGE.
	 */
	madvise(buf, len, MADV_NOHUGEPAGE);
	cow_region_fill(buf, len, SEED_PARENT);
	return bench_backing(s, buf, len, COW_BACK_SMALL) ? buf : NULL;
}

/*
 * MADV_COLLAPSE, timed alone; false with the sample's verdict set.
 * The range is allowed THPs first (MADV_COLLAPSE refuses VM_NOHUGEPAGE):
 * in the parent only, after a fork, so the child's pages stay small.  If
 * khugepaged gets there first, the result is the same new THP.
 */
static bool collapse(struct cow_sample *s, char *buf, size_t len)
{
	unsigned tries = 0;
	char reason[160];
	uint64_t t0, t1;
	int err;

	madvise(buf, len, MADV_HUGEPAGE);
	/* EAGAIN is transient (a page not isolated): what is done stays. */
	t0 = cow_now_ns();
	do
		err = madvise(buf, len, MADV_COLLAPSE) ? errno : 0;
	while (err == EAGAIN && ++tries < COLLAPSE_TRIES);
	t1 = cow_now_ns();
	/*
	 * EINVAL is both "no MADV_COLLAPSE" (before 6.1) and "will not
	 * collapse these pages" (6.1 refuses ones still shared after fork).
	 */
	if (err == EINVAL) {
		cow_sample_verdict(s, COW_SKIP,
				   "MADV_COLLAPSE: EINVAL (not in this kernel, or it will not collapse these pages)");
		return false;
	}
	if (err) {
		cow_sample_verdict(s, COW_SKIP, "MADV_COLLAPSE: %s",
				   strerror(err));
		return false;
	}
	if (!cow_backing_check(buf, len, COW_BACK_THP, reason,
			       sizeof(reason))) {
		cow_sample_verdict(s, COW_SKIP, "after MADV_COLLAPSE: %s",
				   reason);
		return false;
	}
	/* A collapse copies every page: it must copy the data too. */
	if (cow_region_verify(buf, len, SEED_PARENT) >= 0) {
		cow_sample_fail(s, COW_EV_DATA, "MADV_COLLAPSE lost data");
		return false;
	}
	cow_sample_metric(s, "collapse_ns_per_page",
			  (double)(t1 - t0) / (double)(len / cow_page_size));
	cow_sample_metric(s, "collapse_calls", tries + 1);
	return true;
}

/*
 * thp.collapse - MADV_COLLAPSE (khugepaged's work, synchronously) and a
 * fork.  before-fork: the collapsed THP is shared by fork; the parent
 * then writes every page while the child lives, so all copies are
 * required.  after-fork: the parent collapses pages the child still
 * maps; its new THP is its own, so the writes after need no copy (a
 * whole-PMD reuse), and the child must still see the old data in its
 * old pages: a collapse that shared anything would leak the writes.
 */
static void collapse_sample(struct cow_run *r, struct cow_sample *s)
{
	enum collapse_when when = r->variant;
	size_t len = r->size;
	struct bench_holder h = { .pid = -1 };
	struct cow_meas *m;
	char *buf;

	cow_sample_param_str(s, "collapse", collapse_names[when]);
	buf = small_region_collapsible(s, len);
	if (!buf)
		return;
	m = cow_meas_new(buf, len);
	if (!m) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free_buf;
	}
	if (when == COLLAPSE_BEFORE_FORK && !collapse(s, buf, len))
		goto free_meas;
	if (!bench_holder_start(&h, s, buf, len, SEED_PARENT))
		goto free_meas;
	if (when == COLLAPSE_AFTER_FORK && !collapse(s, buf, len))
		goto finish;
	cow_warm_free_memory(len);
	if (when == COLLAPSE_BEFORE_FORK)
		cow_meas_require_all(m);
	else
		cow_meas_require_none(m);
	cow_meas_start(m);
	cow_region_fill(buf, len, SEED_PARENT2);
	cow_meas_stop(m);
	cow_meas_to_sample(m, s, len / cow_page_size);
finish:
	bench_holder_finish(&h, s);
	if (s->verdict != COW_SKIP)
		check_parent(s, buf, len, len, true);
free_meas:
	cow_meas_free(m);
free_buf:
	cow_region_free(buf, len);
}

/* Timed forks of a populated region of the given backing; false: no sample. */
static bool time_forks(struct cow_sample *s, size_t len, enum cow_backing b,
		       struct cow_meas **out)
{
	struct cow_meas *m;
	char why[128];
	unsigned n;
	char *buf;

	*out = NULL;
	buf = bench_region(s, len, b, SEED_PARENT);
	if (!buf)
		return false;
	m = cow_meas_new(buf, len);
	if (!m) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		cow_region_free(buf, len);
		return false;
	}
	/* Nothing is written: the parent's PFNs must not move. */
	cow_meas_require_none(m);
	m->pages_written = 0;
	cow_meas_start(m);
	n = bench_fork_loop(LATENCY_FORKS, why, sizeof(why));
	cow_meas_stop(m);
	if (n < LATENCY_FORKS)
		cow_sample_fail(s, COW_EV_HARNESS, "fork %u: %s", n, why);
	bench_check_region(s, "parent after the forks", buf, len, SEED_PARENT);
	cow_region_free(buf, len);
	*out = m;
	return true;
}

/*
 * thp.fork-latency - fork + _exit + wait of a THP-backed region against
 * a 4 KiB-backed one of the same size: copy_huge_pmd() shares one PMD
 * where copy_pte_range() walks 512 PTEs, so THPs should fork faster.
 * The THP region is the sample; the 4 KiB one goes into the metrics.
 */
static void fork_latency_sample(struct cow_run *r, struct cow_sample *s)
{
	struct cow_meas *thp, *small;
	double thp_ns, small_ns;

	if (!time_forks(s, r->size, COW_BACK_THP, &thp))
		return;
	cow_meas_to_sample(thp, s, LATENCY_FORKS);
	if (time_forks(s, r->size, COW_BACK_SMALL, &small) && small) {
		thp_ns = (double)(thp->t_stop - thp->t_start) / LATENCY_FORKS;
		small_ns = (double)(small->t_stop - small->t_start) /
			   LATENCY_FORKS;
		cow_sample_metric(s, "small_fork_ns", small_ns);
		cow_sample_metric(s, "small_over_thp",
				  thp_ns > 0 ? small_ns / thp_ns : 0);
		if (small->accounted)
			cow_sample_metric(s, "small_pages_moved",
					  (double)small->pages_copied);
	}
	cow_meas_free(small);
	cow_meas_free(thp);
}

const struct cow_scenario cow_sc_thp_fork_write = {
	.name = "thp.fork-write",
	.desc = "parent writes a THP region around a fork (split, copy, reuse)",
	.flags = COW_F_ROOT,
	.nvariants = fw_nvariants,
	.prepare = thp_prepare,
	.cleanup = bench_thp_cleanup,
	.sample = fork_write_sample,
};

const struct cow_scenario cow_sc_thp_collapse = {
	.name = "thp.collapse",
	.desc = "MADV_COLLAPSE before/after fork, parent writes, leak check",
	.flags = COW_F_ROOT,
	.nvariants = collapse_nvariants,
	.prepare = thp_prepare,
	.cleanup = bench_thp_cleanup,
	.sample = collapse_sample,
};

const struct cow_scenario cow_sc_thp_fork_latency = {
	.name = "thp.fork-latency",
	.desc = "fork of a THP-backed region against a 4 KiB-backed one",
	.flags = COW_F_ROOT,
	.prepare = thp_prepare,
	.cleanup = bench_thp_cleanup,
	.sample = fork_latency_sample,
};
