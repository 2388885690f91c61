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

/* thp.mthp: the variant is the folio size, r->priv (prepare sets it). */
static void mthp_sample(struct cow_run *r, struct cow_sample *s)
{
	size_t fsize = (size_t)(uintptr_t)r->priv, len = r->size;
	size_t npages = len / cow_page_size, nfolios = len / fsize, i;
	struct bench_holder h = { .pid = -1 };
	struct cow_meas *shared, *after;
	int64_t split0, split1;
	char sz[32];
	char *buf;

	cow_sample_param_str(s, "folio", cow_size_str(fsize, sz, sizeof(sz)));
	buf = mthp_region(s, len, fsize);
	if (!buf)
		return;
	shared = cow_meas_new(buf, len);
	after = cow_meas_new(buf, len);
	if (!shared || !after) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free;
	}
	cow_meas_require_none(shared);
	for (i = 0; i < npages; i += fsize / cow_page_size)
		cow_meas_require_page(shared, i);
	shared->pages_written = (int64_t)nfolios;
	cow_meas_require_none(after);
	cow_warm_free_memory(len);
	if (!bench_holder_start(&h, s, buf, len, SEED_PARENT))
		goto free;
	split0 = cow_thp_size_stat(fsize, "split");
	cow_meas_start(shared);
	bench_fill_stride(buf, len, fsize, SEED_PARENT2);
	cow_meas_stop(shared);
	split1 = cow_thp_size_stat(fsize, "split");
	bench_holder_finish(&h, s);

	cow_meas_start(after);
	cow_region_fill(buf, len, SEED_PARENT2);
	cow_meas_stop(after);
	bench_check_region(s, "parent", buf, len, SEED_PARENT2);

	cow_meas_to_sample(shared, s, nfolios);
	cow_sample_metric(s, "folios", (double)nfolios);
	if (split0 >= 0 && split1 >= 0)
		cow_sample_metric(s, "shared_split", (double)(split1 - split0));
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
		"the sample.",
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
