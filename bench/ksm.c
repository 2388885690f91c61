// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksm.c - copy-on-write of pages KSM merged: a write to a KSM page always
 * copies (cow_ksm; reuse_ksm_page() went in 5.9, 1a0cf26323c8), as does
 * a write to a page KSM mapped to the shared zero page.  ksmd runs only
 * while a sample waits for its region to merge (ksmd.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE	67
#endif

/* "a few distinct contents" */
#define KSM_NDISTINCT		4

enum ksm_variant {
	KV_IDENTICAL,
	KV_DISTINCT,
	KV_PRCTL,
	KV_NVARIANTS,
};

static const char *const kv_names[KV_NVARIANTS] = {
	[KV_IDENTICAL] = "identical",
	[KV_DISTINCT] = "4-contents",
	[KV_PRCTL] = "prctl",
};

static enum cow_verdict ksm_prepare(struct cow_run *r, char *reason,
				    size_t len)
{
	return bench_ksm_prepare(false, reason, len);
}

static enum cow_verdict zero_prepare(struct cow_run *r, char *reason,
				     size_t len)
{
	return bench_ksm_prepare(true, reason, len);
}

static unsigned ksm_nvariants(const struct cow_opts *o)
{
	return KV_NVARIANTS;
}

/* Every page written, timed; the control region gets no copy. */
static void measure_writes(struct cow_meas *m, char *buf, size_t len)
{
	cow_meas_start(m);
	cow_region_fill(buf, len, SEED_PARENT2);
	cow_meas_stop(m);
}

/*
 * The never-merged control region must have nothing merged, by every
 * witness there is; a precondition, so what is wrong with it is a SKIP.
 */
static bool control_alone(struct cow_sample *s, const char *cbuf, size_t len,
			  enum bench_ksm_kind k)
{
	struct bench_ksm_seen seen;
	char both[128];
	int err;

	err = bench_ksm_look(cbuf, len, k, &seen);
	if (err)
		cow_sample_verdict(s, COW_SKIP, "control region: pagemap: %s",
				   strerror(-err));
	else if (seen.pfns < 0 && seen.flags < 0 && seen.smaps < 0)
		cow_sample_verdict(s, COW_SKIP,
				   "control region cannot be checked: %s",
				   seen.why);
	else if (seen.pfns > 0 || (seen.pfns < 0 && seen.smaps > 0))
		cow_sample_verdict(s, COW_SKIP,
				   "control region not left alone (%s)",
				   bench_ksm_seen_str(&seen, k, both,
						      sizeof(both)));
	else if (seen.flags > 0)
		cow_sample_verdict(s, COW_SKIP,
				   "control region: the instruments disagree (%s)",
				   bench_ksm_seen_str(&seen, k, both,
						      sizeof(both)));
	return s->verdict == COW_PASS;
}

/*
 * The KSM COW sample: merge a region, stop ksmd, write every page
 * (required: all, each maps a page other mappings share), then the same
 * writes on a region with the same contents that was never merged.
 */
static void cow_run_kind(struct cow_run *r, struct cow_sample *s,
			 enum bench_ksm_kind k, unsigned ndistinct,
			 bool use_prctl)
{
	size_t len = r->size, npages = len / cow_page_size, distinct = 0;
	struct cow_meas *m = NULL, *ctl = NULL;
	char *buf, *cbuf = NULL;
	uint64_t merge_ns;

	buf = bench_ksm_region(s, len, ndistinct);
	if (!buf)
		return;
	cbuf = bench_ksm_region(s, len, ndistinct);
	m = cow_meas_new(buf, len);
	ctl = cow_meas_new(cbuf, len);
	if (!cbuf || !m || !ctl) {
		if (s->verdict == COW_PASS)
			cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
					strerror(errno));
		goto free;
	}
	if (use_prctl) {
		/* The whole process; the control is opted out again. */
		if (prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0)) {
			cow_sample_verdict(s, COW_SKIP,
					   "PR_SET_MEMORY_MERGE (6.4+): %s",
					   strerror(errno));
			goto free;
		}
		madvise(cbuf, len, MADV_UNMERGEABLE);
	} else if (madvise(buf, len, MADV_MERGEABLE)) {
		cow_sample_verdict(s, COW_SKIP, "MADV_MERGEABLE: %s",
				   strerror(errno));
		goto free;
	}
	if (!bench_ksm_merge(s, buf, len, k, &merge_ns, &distinct))
		goto free;
	if (ndistinct && bench_ksm_verify(buf, len, ndistinct) >= 0) {
		cow_sample_fail(s, COW_EV_DATA, "merging changed the data");
		goto free;
	}
	if (!control_alone(s, cbuf, len, k))
		goto free;
	cow_sample_metric(s, "merge_ms", (double)merge_ns / 1e6);
	cow_sample_metric(s, "merged_into", (double)distinct);

	cow_warm_free_memory(2 * len);
	cow_meas_require_all(m);
	measure_writes(m, buf, len);
	cow_meas_require_none(ctl);
	measure_writes(ctl, cbuf, len);
	bench_check_region(s, "merged region", buf, len, SEED_PARENT2);
	bench_check_region(s, "control region", cbuf, len, SEED_PARENT2);
	cow_meas_to_sample(m, s, npages);
	cow_sample_metric(s, "control_ns_per_page",
			  (double)(ctl->t_stop - ctl->t_start) / npages);
	if (ctl->accounted)
		cow_sample_metric(s, "control_copies",
				  (double)ctl->pages_copied);
	cow_sample_metric(s, "control_faults", (double)ctl->faults_minor);
free:
	cow_meas_free(m);
	cow_meas_free(ctl);
	cow_region_free(cbuf, len);
	cow_region_free(buf, len);
}

/* ksm.cow: the variant says how the region's pages come to be merged. */
static void ksm_cow_sample(struct cow_run *r, struct cow_sample *s)
{
	cow_sample_param_str(s, "pages", kv_names[r->variant]);
	cow_run_kind(r, s, BENCH_KSM,
		     r->variant == KV_DISTINCT ? KSM_NDISTINCT : 1,
		     r->variant == KV_PRCTL);
}

/* ksm.zero-pages: zero-filled pages, merged as BENCH_KSM_ZERO. */
static void zero_pages_sample(struct cow_run *r, struct cow_sample *s)
{
	cow_run_kind(r, s, BENCH_KSM_ZERO, 0, false);
}

/*
 * After MADV_UNMERGEABLE no page of the region may be merged.  Three
 * witnesses, each read where the run trusts it (bench_ksm_look()):
 * - the PFNs: a page shared with another page of a private region is
 *   merged, whatever any flag says - a FAIL on counts;
 * - smaps' KSM line, counted by the kernel from the pages themselves;
 * - kpageflags, the one 6.12 gets wrong (every anonymous page KSM),
 *   which the self-check then marks unreliable, so it is not read.
 * Every page with a PFN of its own does not settle it: a KSM page left
 * with one mapping in the region (its others broken) is still KSM, a
 * half-done unmerge only smaps or the flags can see.  So where the PFNs
 * are clean and the others say KSM:
 * - smaps says so: FAIL on counts, every reading shown;
 * - only the flags say so, and smaps says none: the flags are alone
 *   against two witnesses: SKIP naming kpageflags_ksm;
 * - only the flags, no smaps line (before 6.6): FAIL, evidence
 *   "instrument", every reading shown, if the flags passed the
 *   self-check (they read a fresh page right, and a SKIP would hide the
 *   half-done unmerge); SKIP naming them if it could not check them.
 * Not ksm_merging_pages: it drops only when ksmd next scans, and ksmd is
 * stopped here.
 */
static void unmerged_check(struct cow_sample *s, const char *buf, size_t len)
{
	struct bench_ksm_seen seen;
	char both[128];
	int err;

	err = bench_ksm_look(buf, len, BENCH_KSM, &seen);
	if (err) {
		cow_sample_verdict(s, COW_SKIP, "after the unmerge: pagemap: %s",
				   strerror(-err));
		return;
	}
	bench_ksm_seen_str(&seen, BENCH_KSM, both, sizeof(both));
	if (seen.pfns > 0)
		cow_sample_fail(s, COW_EV_COUNTS,
				"%zd pages still share a PFN after MADV_UNMERGEABLE (%s)",
				seen.pfns, both);
	else if (seen.smaps > 0 && seen.flags != 0)
		cow_sample_fail(s, COW_EV_COUNTS,
				"%zd pages still KSM by smaps after MADV_UNMERGEABLE (%s)",
				seen.smaps, both);
	else if (seen.smaps > 0 || (seen.flags > 0 && seen.smaps == 0))
		cow_sample_verdict(s, COW_SKIP,
				   "after MADV_UNMERGEABLE the instruments disagree, kpageflags_ksm with smaps (%s)",
				   both);
	else if (seen.flags > 0 && seen.flags_checked)
		cow_sample_fail(s, COW_EV_INSTRUMENT,
				"%zd pages still read KSM after MADV_UNMERGEABLE, with PFNs of their own (%s)",
				seen.flags, both);
	else if (seen.flags > 0)
		cow_sample_verdict(s, COW_SKIP,
				   "kpageflags_ksm (not checked) and the PFNs disagree after MADV_UNMERGEABLE (%s)",
				   both);
	else if (seen.pfns < 0 && seen.flags < 0 && seen.smaps < 0)
		cow_sample_verdict(s, COW_SKIP,
				   "no way to see the unmerge: %s, and smaps has no KSM line",
				   seen.why);
}

/* ksm.merge: the sample is the unmerge; the merge goes into the metrics. */
static void merge_sample(struct cow_run *r, struct cow_sample *s)
{
	size_t len = r->size, npages = len / cow_page_size, distinct = 0;
	int64_t scans0, scans1;
	struct cow_meas *m;
	uint64_t merge_ns;
	bool no_unmerge;
	int err;
	char *buf;

	buf = bench_ksm_region(s, len, 1);
	if (!buf)
		return;
	m = cow_meas_new(buf, len);
	if (!m) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free_buf;
	}
	if (madvise(buf, len, MADV_MERGEABLE)) {
		cow_sample_verdict(s, COW_SKIP, "MADV_MERGEABLE: %s",
				   strerror(errno));
		goto free;
	}
	scans0 = bench_ksm_full_scans();
	if (!bench_ksm_merge(s, buf, len, BENCH_KSM, &merge_ns, &distinct))
		goto free;
	scans1 = bench_ksm_full_scans();
	cow_sample_metric(s, "merge_ms", (double)merge_ns / 1e6);
	cow_sample_metric(s, "merge_ns_per_page", (double)merge_ns / npages);
	cow_sample_metric(s, "merged_into", (double)distinct);
	if (scans0 >= 0 && scans1 >= 0)
		cow_sample_metric(s, "full_scans", (double)(scans1 - scans0));

	/* Test-only: a kernel whose unmerge does nothing, for the FAIL. */
	no_unmerge = getenv(COW_FAKE_NO_UNMERGE_ENV) &&
		     !strcmp(getenv(COW_FAKE_NO_UNMERGE_ENV), "1");
	cow_warm_free_memory(len);
	cow_meas_require_all(m);
	m->pages_written = 0;
	cow_meas_start(m);
	err = no_unmerge || !madvise(buf, len, MADV_UNMERGEABLE) ? 0 : errno;
	cow_meas_stop(m);
	if (err)
		cow_sample_fail(s, COW_EV_HARNESS, "MADV_UNMERGEABLE: %s",
				strerror(err));
	if (bench_ksm_verify(buf, len, 1) >= 0)
		cow_sample_fail(s, COW_EV_DATA, "unmerging changed the data");
	unmerged_check(s, buf, len);
	cow_meas_to_sample(m, s, npages);
free:
	cow_meas_free(m);
free_buf:
	cow_region_free(buf, len);
}

/* What every KSM scenario needs: the knobs, ksmd, and seeing a merge. */
#define KSM_NEEDS \
	{ COW_NEED_ROOT, NULL, "the KSM knobs; PFNs and kpageflags to see a merge" }, \
	{ COW_NEED_FILE, "/sys/kernel/mm/ksm", "CONFIG_KSM" }, \
	{ COW_NEED_WRITABLE, "/sys/kernel/mm/ksm/run", "to start and stop ksmd" }

static const struct cow_scenario ksm_cow = {
	.name = "ksm.cow",
	.desc = "write every page of a KSM-merged region, vs a never-merged one",
	.help = "Every page of a region ksmd merged is written, with ksmd "
		"stopped. Variants: identical pages, four distinct contents, "
		"and the whole process made mergeable with "
		"`PR_SET_MEMORY_MERGE` (6.4+). A write to a KSM page always "
		"copies, even to the last mapping of a KSM page, as the stable "
		"tree still holds it: required = every page, and the `cow_ksm` "
		"delta should equal the copies (it is system-wide: another "
		"process writing merged pages adds to it). `merged_into` is how "
		"many KSM pages the region became. The same writes to a "
		"never-merged region of the same contents are the control "
		"(`control_ns_per_page`, `control_copies`). Data that changed "
		"in the merge or after the writes FAILs the sample; a region "
		"not merged within 10 s is a skip.",
	.needs = { KSM_NEEDS },
	.quick_size = COW_QUICK_SIZE,
	.commits = {
		{ "1a0cf26323c8", "reuse_ksm_page() removed (5.9): a write to a KSM page always copies" },
		{ "94bfe85bde18", "the cow_ksm vmstat counter (5.19)" },
	},
	.nvariants = ksm_nvariants,
	.prepare = ksm_prepare,
	.sample = ksm_cow_sample,
	.cleanup = bench_ksm_cleanup,
};

static const struct cow_scenario ksm_merge = {
	.name = "ksm.merge",
	.desc = "time for ksmd to merge a region; cost of MADV_UNMERGEABLE",
	.help = "How long ksmd, at the run's scan rate (`pages_to_scan` "
		"4096, `sleep_millisecs` 0), takes to merge a region of "
		"identical pages (`merge_ms`, `full_scans`), and what "
		"`MADV_UNMERGEABLE` then costs: it breaks every KSM mapping by "
		"copying (required = every page). The sample is the unmerge. "
		"Data changed by the merge or the unmerge FAILs the sample.",
	.needs = { KSM_NEEDS },
	.quick_size = COW_QUICK_SIZE,
	.prepare = ksm_prepare,
	.sample = merge_sample,
	.cleanup = bench_ksm_cleanup,
};

static const struct cow_scenario ksm_zero_pages = {
	.name = "ksm.zero-pages",
	.desc = "write zero pages KSM mapped to the zero page (use_zero_pages)",
	.help = "With `use_zero_pages` on, ksmd maps zero-filled pages to the "
		"shared zero page instead of a KSM page; writing them copies "
		"every page (required = every page), from the zero page, so not "
		"as `cow_ksm`. The written data must read back.",
	.needs = {
		KSM_NEEDS,
		{ COW_NEED_FILE, "/sys/kernel/mm/ksm/use_zero_pages", "4.11+" },
	},
	.quick_size = COW_QUICK_SIZE,
	.prepare = zero_prepare,
	.sample = zero_pages_sample,
	.cleanup = bench_ksm_cleanup,
};

const struct cow_scenario *const bench_ksm_scenarios[] = {
	&ksm_cow,
	&ksm_merge,
	&ksm_zero_pages,
	NULL,
};
