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

	bench_quick_size(r, BENCH_QUICK_SIZE);
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
 * thp.mthp - per mTHP size: fork; the parent writes one page of each
 * folio while the child lives (required: that page; the kernel copies
 * 4 KiB, not the folio); the child exits; the parent writes every page.
 * After the exit no copy is required: 6.9..6.14 copy every subpage of a
 * PTE-mapped large folio (cd197c3a2040), 6.15 reuses a folio exclusive
 * to the mm (1da190f4d0a6).  That phase goes into the metrics (exit_*),
 * reported, not asserted.
 */
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

const struct cow_scenario cow_sc_thp_mthp = {
	.name = "thp.mthp",
	.desc = "per mTHP size: write while shared, then after the child exits",
	.flags = COW_F_ROOT,
	.nvariants = mthp_nvariants,
	.prepare = mthp_prepare,
	.sample = mthp_sample,
	.cleanup = bench_thp_cleanup,
};
