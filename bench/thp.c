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
 * Operations a thp.fork-write sample needs to be timed well (see
 * doc/measurements.md): shared-byte's write splits a PMD and copies 4 KiB,
 * some 12 us here, and 64 MiB holds only 32 huge pages: 128 take 1.5 ms.
 * exit-pmd's writes reuse, some 12 ns a page: 128 Ki pages take 1.5 ms.
 */
#define FW_MIN_HUGE_PAGES	128
#define FW_MIN_PAGES		(128 * 1024)

static unsigned fw_rounds(enum fw_phase ph, size_t len)
{
	if (ph == FW_SHARED_BYTE)
		return bench_rounds(len / cow_thp_pmd_size(),
				    FW_MIN_HUGE_PAGES);
	if (ph == FW_EXIT_PMD)
		return bench_rounds(len / cow_page_size, FW_MIN_PAGES);
	return 1;
}

/*
 * One region of THPs, its fork and the parent's writes, in rounds rounds
 * added to tot.  Only exit-pmd repeats its writes on one region: a fork
 * whose child exits at once write-protects the PMDs again, as the round
 * before found them.  false when the sample's verdict says to stop.
 */
static bool fork_write_region(struct cow_sample *s, enum fw_phase ph,
			      size_t len, unsigned rounds,
			      struct cow_meas *tot)
{
	size_t hp = cow_thp_pmd_size();
	size_t npages = len / cow_page_size, nhp = len / hp, i;
	struct bench_holder h = { .pid = -1 };
	struct cow_meas *m;
	char why[128];
	unsigned k;
	char *buf;

	buf = bench_region(s, len, COW_BACK_THP, SEED_PARENT);
	if (!buf)
		return false;
	m = cow_meas_new(buf, len);
	if (!m) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free_buf;
	}
	/* shared-byte copies a page per huge page, the rest up to all. */
	cow_warm_free_memory(ph == FW_SHARED_BYTE ? nhp * cow_page_size : len);
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
		cow_meas_start(m);
		bench_fill_stride(buf, len, hp, SEED_PARENT2);
		cow_meas_stop(m);
		cow_meas_round_add(tot, m);
	} else {
		if (ph == FW_SHARED_ALL) {
			cow_meas_require_all(m);
			for (i = 0; i < npages; i += hp / cow_page_size)
				m->required[i] = 0;
		}
		for (k = 0; k < rounds && s->verdict != COW_FAIL; k++) {
			if (k) {
				cow_phase_mark(COW_PHASE_SETUP);
				if (bench_fork_loop(1, why, sizeof(why)) != 1) {
					cow_sample_fail(s, COW_EV_HARNESS,
							"fork: %s", why);
					break;
				}
			}
			/* The last round's data is SEED_PARENT2. */
			cow_meas_start(m);
			cow_region_fill(buf, len,
					SEED_PARENT2 + (rounds - 1 - k));
			cow_meas_stop(m);
			cow_meas_round_add(tot, m);
		}
	}
	bench_holder_finish(&h, s);
	check_parent(s, buf, len, hp, ph != FW_SHARED_BYTE);
free_meas:
	cow_meas_free(m);
free_buf:
	cow_region_free(buf, len);
	return s->verdict != COW_FAIL && s->verdict != COW_SKIP;
}

/*
 * thp.fork-write: one variant per step of the sequence its .help gives.
 * A shared-byte round needs THPs no write has split yet: a region each.
 */
static void fork_write_sample(struct cow_run *r, struct cow_sample *s)
{
	enum fw_phase ph = r->variant;
	size_t len = r->size, nhp = len / cow_thp_pmd_size();
	unsigned rounds = fw_rounds(ph, len), k;
	struct cow_meas *tot;
	uint64_t ops;

	cow_sample_param_str(s, "phase", fw_names[ph]);
	tot = cow_meas_new(NULL, 0);
	if (!tot) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		return;
	}
	cow_meas_rounds_begin(tot);
	if (ph == FW_SHARED_BYTE) {
		for (k = 0; k < rounds; k++) {
			if (k)
				cow_phase_mark(COW_PHASE_SETUP);
			if (!fork_write_region(s, ph, len, 1, tot))
				break;
		}
		ops = nhp;
	} else {
		fork_write_region(s, ph, len, rounds, tot);
		ops = len / cow_page_size;
	}
	if (tot->rounds == rounds) {
		cow_meas_to_sample(tot, s, ops * rounds);
		cow_sample_metric(s, "huge_pages", (double)nhp);
		if (tot->accounted)
			cow_sample_metric(s, "copies_per_huge_page",
					  (double)tot->pages_copied /
					  (double)(nhp * rounds));
	}
	cow_meas_free(tot);
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
 * thp.collapse: the variant says when the region is collapsed.  after-fork's
 * writes fault nothing and are short (0.05 ms at 16M); repeated at once they
 * would time cached writes (7 ns a page, not 11: doc/measurements.md), so
 * they take no rounds.
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

/* thp.fork-latency: the THP region is the sample, the 4 KiB one metrics. */
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

/* THP's knobs, and kpageflags to check that a region is THPs. */
#define THP_NEEDS \
	{ COW_NEED_ROOT, NULL, "the THP knobs; kpageflags to check the region is THPs" }, \
	{ COW_NEED_FILE, "/sys/kernel/mm/transparent_hugepage/enabled", "CONFIG_TRANSPARENT_HUGEPAGE" }

/* What a write to a PMD THP a child shares does, and after it is gone. */
#define THP_SPLIT_COMMIT \
	{ "3917c80280c9", "thp: change CoW semantics for anon-THP (5.8): split, one 4 KiB copy" }
#define THP_REUSE_COMMITS \
	{ "cd197c3a2040", "a large folio is never reused (6.9): every subpage write copies" }, \
	{ "1da190f4d0a6", "PTE-mapped large folios reused again when exclusive to the mm (about 6.15)" }

static const struct cow_scenario fork_write = {
	.name = "thp.fork-write",
	.desc = "parent writes a THP region around a fork (split, copy, reuse)",
	.help = "A region of PMD THPs (checked in kpageflags: a region that "
		"did not get them is a skip, never 4 KiB numbers reported as "
		"THP) and a fork, one variant per step. `shared-byte`: one page "
		"per huge page written while the child lives; required = that "
		"page (split and one 4 KiB copy since 5.8, `thp_split_pmd` "
		"beside it). `shared-all`: then every page; required = every "
		"page not yet copied. `exit-split`: every page written after "
		"the child exited; required 0, as the split THP is the "
		"parent's alone, but 6.9 to 6.14 copy every subpage of a "
		"PTE-mapped large folio, all extra. `exit-pmd`: written after "
		"the child exited without a split; required 0 (whole-PMD "
		"reuse). The child must keep its data and the parent read its "
		"own writes back, or the sample FAILs. Its quick size is its "
		"full size: the 64M gives the 32-huge-page figure. Two steps "
		"are too short to time alone and take `rounds`: `shared-byte` a "
		"region each until 128 huge pages are written, `exit-pmd` its "
		"writes again after a fork whose child exits at once, until "
		"128 Ki pages are.",
	.needs = { THP_NEEDS },
	.quick_size = COW_QUICK_FULL,
	.commits = { THP_SPLIT_COMMIT, THP_REUSE_COMMITS },
	.nvariants = fw_nvariants,
	.prepare = thp_prepare,
	.cleanup = bench_thp_cleanup,
	.sample = fork_write_sample,
};

static const struct cow_scenario thp_collapse = {
	.name = "thp.collapse",
	.desc = "MADV_COLLAPSE before/after fork, parent writes, leak check",
	.help = "`MADV_COLLAPSE` (khugepaged's work, synchronously) around a "
		"fork. `before-fork`: the collapsed THP is shared by the fork "
		"and the parent writes every page while the child lives: "
		"required = every page. `after-fork`: the parent collapses "
		"pages the child still maps; its new THP is its own, so the "
		"writes after need no copy (required 0, a whole-PMD reuse). "
		"The child must still see the old data: a collapse that shared "
		"anything would leak the parent's writes, a FAIL.",
	.needs = { THP_NEEDS },
	.quick_size = COW_QUICK_SIZE,
	.commits = { THP_SPLIT_COMMIT },
	.nvariants = collapse_nvariants,
	.prepare = thp_prepare,
	.cleanup = bench_thp_cleanup,
	.sample = collapse_sample,
};

static const struct cow_scenario fork_latency = {
	.name = "thp.fork-latency",
	.desc = "fork of a THP-backed region against a 4 KiB-backed one",
	.help = "fork, `_exit` and wait of a THP region against a 4 KiB region "
		"of the same size (`small_fork_ns`, `small_over_thp`): "
		"copy_huge_pmd() shares one PMD where copy_pte_range() walks "
		"512 PTEs, so THPs should fork faster. Nothing is written: no "
		"copy is required.",
	.needs = { THP_NEEDS },
	.quick_size = COW_QUICK_SIZE,
	.prepare = thp_prepare,
	.cleanup = bench_thp_cleanup,
	.sample = fork_latency_sample,
};

const struct cow_scenario *const bench_thp_scenarios[] = {
	&fork_write,
	&thp_collapse,
	&fork_latency,
	NULL,
};
