// SPDX-License-Identifier: GPL-2.0-only
/*
 * mthp.c - copy-on-write of multi-size THP (mTHP): anonymous large
 * folios smaller than a PMD, always mapped by PTEs.
 *
 * One variant per size under /sys/kernel/mm/transparent_hugepage/
 * hugepages-*kB/ that takes anonymous memory, except the PMD size:
 * thp.fork-write measures that one, and a PMD THP is mapped (and reused)
 * by its PMD, a different path from the PTE-mapped folios here.
 */
#include <errno.h>
#include <string.h>

#include "bench.h"

/* The sizes below the PMD size, ascending; the variant indexes them. */
static unsigned mthp_sizes(size_t *sizes)
{
	size_t all[COW_THP_SIZES_MAX], pmd = cow_thp_pmd_size();
	unsigned i, n, k = 0;

	n = cow_thp_sizes(all, COW_THP_SIZES_MAX);
	for (i = 0; i < n; i++)
		if (all[i] != pmd)
			sizes[k++] = all[i];
	return k;
}

static unsigned mthp_nvariants(const struct cow_opts *o)
{
	size_t sizes[COW_THP_SIZES_MAX];
	unsigned n = mthp_sizes(sizes);

	/* One point even without mTHP, so that the skip is reported. */
	return n ? n : 1;
}

static enum cow_verdict mthp_prepare(struct cow_run *r, char *reason,
				     size_t len)
{
	size_t sizes[COW_THP_SIZES_MAX];
	unsigned n = mthp_sizes(sizes);

	/* The need was met when the run was planned: sizes came and went. */
	if (r->variant >= n) {
		snprintf(reason, len,
			 "this kernel offers no anonymous mTHP size (6.8+)");
		return COW_SKIP;
	}
	if (r->size % sizes[r->variant]) {
		snprintf(reason, len, "size is not a multiple of %zu KiB",
			 sizes[r->variant] >> 10);
		return COW_SKIP;
	}
	r->priv = (void *)(uintptr_t)sizes[r->variant];
	return cow_thp_enable_only(sizes[r->variant], reason, len) ?
	       COW_SKIP : COW_PASS;
}

/* The region in folios of exactly fsize bytes, or NULL with a SKIP. */
static char *mthp_region(struct cow_sample *s, size_t len, size_t fsize)
{
	int64_t alloc0 = cow_thp_size_stat(fsize, "anon_fault_alloc");
	char reason[160];
	int64_t alloc1;
	char *buf;

	buf = bench_region(s, len, COW_BACK_LARGE, SEED_PARENT);
	if (!buf)
		return NULL;
	alloc1 = cow_thp_size_stat(fsize, "anon_fault_alloc");
	if (!cow_folio_size_check(buf, len, fsize, reason, sizeof(reason))) {
		cow_sample_verdict(s, COW_SKIP, "%s", reason);
		cow_region_free(buf, len);
		return NULL;
	}
	if (alloc0 >= 0 && alloc1 >= 0)
		cow_sample_metric(s, "fault_alloc", (double)(alloc1 - alloc0));
	return buf;
}

/*
 * Folios written while shared, a sample: some 2.5-3 us each here, so 512
 * make a sample of 1.3 ms or more; a 16 MiB region holds 16 of 1 MiB.
 */
#define MTHP_MIN_FOLIOS		512

/* What a round's holder saw at its fork: the rounds before it written. */
struct mthp_view {
	size_t fsize;
	size_t written;		/* pages of each folio, from its first */
};

static ssize_t mthp_view_check(const char *buf, size_t len, const void *ctx)
{
	const struct mthp_view *v = ctx;

	return bench_verify_stride_n(buf, len, v->fsize, v->written,
				     SEED_PARENT, SEED_PARENT2);
}

/*
 * One round while shared: a child forked to share the folios, and page
 * k of each written (required: that page, each round another, so that
 * every round writes a page still mapped from its large folio).
 */
static bool mthp_round(struct cow_sample *s, char *buf, size_t len,
		       size_t fsize, unsigned k, struct cow_meas *m,
		       int64_t *split)
{
	size_t npages = len / cow_page_size, per = fsize / cow_page_size, i;
	struct mthp_view view = { fsize, k };
	struct bench_holder h = { .pid = -1 };
	int64_t split0, split1;

	cow_meas_require_none(m);
	for (i = k; i < npages; i += per)
		cow_meas_require_page(m, i);
	m->pages_written = (int64_t)(npages / per);
	if (!bench_holder_start_check(&h, s, buf, len, mthp_view_check,
				      &view))
		return false;
	split0 = cow_thp_size_stat(fsize, "split");
	cow_meas_start(m);
	for (i = k; i < npages; i += per)
		cow_page_mark(buf + i * cow_page_size, SEED_PARENT2 ^ i);
	cow_meas_stop(m);
	split1 = cow_thp_size_stat(fsize, "split");
	bench_holder_finish(&h, s);
	if (*split >= 0)
		*split = split0 < 0 || split1 < 0 ? -1 :
			 *split + split1 - split0;
	return s->verdict != COW_FAIL;
}

/* thp.mthp: the variant is the folio size, r->priv (prepare sets it). */
static void mthp_sample(struct cow_run *r, struct cow_sample *s)
{
	size_t fsize = (size_t)(uintptr_t)r->priv, len = r->size;
	size_t npages = len / cow_page_size, nfolios = len / fsize;
	struct cow_meas *shared, *round, *after;
	unsigned rounds, k;
	int64_t split = 0;
	char sz[32];
	char *buf;

	cow_sample_param_str(s, "folio", cow_size_str(fsize, sz, sizeof(sz)));
	buf = mthp_region(s, len, fsize);
	if (!buf)
		return;
	/* Each round writes another page of each folio: at most all. */
	rounds = bench_rounds(nfolios, MTHP_MIN_FOLIOS);
	if (rounds > fsize / cow_page_size)
		rounds = (unsigned)(fsize / cow_page_size);
	shared = cow_meas_new(NULL, 0);
	round = cow_meas_new(buf, len);
	after = cow_meas_new(buf, len);
	if (!shared || !round || !after) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free;
	}
	cow_meas_require_none(after);
	cow_warm_free_memory(rounds * nfolios * cow_page_size);
	cow_meas_rounds_begin(shared);
	for (k = 0; k < rounds; k++) {
		/* The next round's set-up is set-up, not checks. */
		if (k)
			cow_phase_mark(COW_PHASE_SETUP);
		if (!mthp_round(s, buf, len, fsize, k, round, &split))
			goto free;
		cow_meas_round_add(shared, round);
	}

	cow_meas_start(after);
	cow_region_fill(buf, len, SEED_PARENT2);
	cow_meas_stop(after);
	bench_check_region(s, "parent", buf, len, SEED_PARENT2);

	cow_meas_to_sample(shared, s, (uint64_t)rounds * nfolios);
	cow_sample_metric(s, "folios", (double)nfolios);
	if (split >= 0)
		cow_sample_metric(s, "shared_split", (double)split);
	cow_sample_metric(s, "exit_ns_per_page",
			  (double)(after->t_stop - after->t_start) / npages);
	cow_sample_metric(s, "exit_faults", (double)after->faults_minor);
	if (after->accounted)
		cow_sample_metric(s, "exit_copies",
				  (double)after->pages_copied);
	if (after->kernel_wpcopy >= 0)
		cow_sample_metric(s, "exit_wpcopy",
				  (double)after->kernel_wpcopy);
free:
	cow_meas_free(shared);
	cow_meas_free(round);
	cow_meas_free(after);
	cow_region_free(buf, len);
}

/* The need of thp.mthp: an anonymous size below the PMD size. */
static int mthp_probe(char *reason, size_t len)
{
	size_t sizes[COW_THP_SIZES_MAX];

	if (mthp_sizes(sizes))
		return 0;
	snprintf(reason, len, "no hugepages-*kB below the PMD size here");
	return -1;
}

static const struct cow_scenario mthp = {
	.name = "thp.mthp",
	.desc = "per mTHP size: write while shared, then after the child exits",
	.help = "One variant per anonymous mTHP size below the PMD size under "
		"`hugepages-*kB/` (the PMD size is `thp.fork-write`'s); the size "
		"is turned on (`madvise`) and every other size off for the "
		"point, and the region is checked to be in folios of exactly "
		"that size (a skip if not). While the child lives the parent "
		"writes one page per folio (required = that page: the kernel "
		"copies 4 KiB, not the folio); after it exited, every page "
		"(required 0; `exit_copies` reports what this kernel does, "
		"reported, not asserted). Data seen wrong on either side FAILs "
		"the sample. The shared writes take `rounds` until a sample "
		"writes 512 folios: each round forks a child of its own and "
		"writes the next page of each folio, one still mapped from it, "
		"which the child then must not see.",
	.needs = {
		{ COW_NEED_ROOT, NULL, "the mTHP knobs; kpageflags to check the folio size" },
		{ COW_NEED_PROBE, "anonymous mTHP sizes", "6.8+", mthp_probe },
	},
	.quick_size = COW_QUICK_SIZE,
	.commits = {
		{ "cd197c3a2040", "a large folio is never reused (6.9): every subpage write copies" },
		{ "1da190f4d0a6", "PTE-mapped large folios reused again when exclusive to the mm (about 6.15)" },
	},
	.nvariants = mthp_nvariants,
	.prepare = mthp_prepare,
	.sample = mthp_sample,
	.cleanup = bench_thp_cleanup,
};

const struct cow_scenario *const bench_mthp_scenarios[] = {
	&mthp,
	NULL,
};
