// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksm.c - copy-on-write of pages KSM merged: a write to a KSM page always
 * copies (cow_ksm; reuse_ksm_page() went in 5.9, 1a0cf26323c8), as does
 * a write to a page KSM mapped to the shared zero page.
 *
 * ksmd only runs while a sample waits for its region to merge.  prepare()
 * saves and sets the KSM knobs (run=0, a fast scan rate); the sample
 * process then switches run on and off again through
 * cow_knob_write_registered(), which only writes knobs the run already
 * saved, so the harness restores them whatever happens to the sample.
 * ksmd is stopped (run=0 keeps merged pages merged) before the measured
 * writes: it cannot re-merge or take locks while they run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE	67
#endif

#define KSM_DIR			"/sys/kernel/mm/ksm"
#define KSM_RUN			KSM_DIR "/run"
#define KSM_ZERO		KSM_DIR "/use_zero_pages"
#define KSM_FULL_SCANS		KSM_DIR "/full_scans"
/*
 * ksmd without sleeping, in batches small enough that run=0 (which waits
 * for the batch under way) returns soon: 64M merged in ~50 ms here.
 */
#define KSM_PAGES_TO_SCAN	"4096"
/* A merge that has not happened by then will not. */
#define KSM_TIMEOUT_NS		(10ull * 1000000000ull)
#define KSM_POLL_US		1000
/* Full kpageflags checks while waiting: at most every 20 polls. */
#define KSM_CHECK_EVERY		20
/* "a few distinct contents" */
#define KSM_NDISTINCT		4

static const char *const ksm_scan_knobs[][2] = {
	{ KSM_DIR "/pages_to_scan", KSM_PAGES_TO_SCAN },
	{ KSM_DIR "/sleep_millisecs", "0" },
};

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

/* What a merged page maps: a KSM page, or the shared zero page. */
enum ksm_kind { KK_KSM, KK_ZERO };

static int set_knob(const char *path, const char *val, char *reason,
		    size_t len)
{
	int r = cow_knob_set(path, val);

	if (r)
		snprintf(reason, len, "cannot set %s to %s: %s", path, val,
			 r == -EBADF ? "knobs are only set as root" :
			 strerror(-r));
	return r;
}

static enum cow_verdict prepare_common(bool zero_pages, char *reason,
				       size_t len)
{
	char cur[32];
	unsigned i;

	if (access(KSM_DIR, F_OK)) {
		snprintf(reason, len, "no %s: kernel without CONFIG_KSM",
			 KSM_DIR);
		return COW_SKIP;
	}
	if (access(KSM_RUN, W_OK)) {
		snprintf(reason, len, "%s is not writable: %s", KSM_RUN,
			 strerror(errno));
		return COW_SKIP;
	}
	/* Stopped until a sample's region is there to merge. */
	if (set_knob(KSM_RUN, "0", reason, len))
		return COW_SKIP;
	for (i = 0; i < COW_ARRAY_SIZE(ksm_scan_knobs); i++)
		if (set_knob(ksm_scan_knobs[i][0], ksm_scan_knobs[i][1],
			     reason, len))
			return COW_SKIP;
	/* The advisor would override pages_to_scan. */
	if (!cow_knob_read(KSM_DIR "/advisor_mode", cur, sizeof(cur)) &&
	    strcmp(cur, "none") &&
	    set_knob(KSM_DIR "/advisor_mode", "none", reason, len))
		return COW_SKIP;
	if (access(KSM_ZERO, F_OK)) {
		if (!zero_pages)
			return COW_PASS;
		snprintf(reason, len, "no %s (4.11+)", KSM_ZERO);
		return COW_SKIP;
	}
	if (!cow_knob_read(KSM_ZERO, cur, sizeof(cur)) &&
	    !strcmp(cur, zero_pages ? "1" : "0"))
		return COW_PASS;
	return set_knob(KSM_ZERO, zero_pages ? "1" : "0", reason, len) ?
	       COW_SKIP : COW_PASS;
}

static enum cow_verdict ksm_prepare(struct cow_run *r, char *reason,
				    size_t len)
{
	bench_quick_size(r, BENCH_QUICK_SIZE);
	return prepare_common(false, reason, len);
}

static enum cow_verdict zero_prepare(struct cow_run *r, char *reason,
				     size_t len)
{
	bench_quick_size(r, BENCH_QUICK_SIZE);
	return prepare_common(true, reason, len);
}

static unsigned ksm_nvariants(const struct cow_opts *o)
{
	return KV_NVARIANTS;
}

/* The same page content for every page i with the same i % ndistinct. */
static void fill_contents(char *buf, size_t len, unsigned ndistinct)
{
	size_t i, n = len / cow_page_size;

	for (i = 0; i < n; i++) {
		uint64_t *w = (uint64_t *)(buf + i * cow_page_size);

		w[0] = SEED_PARENT ^ (i % ndistinct);
		w[1] = ~(SEED_PARENT ^ (i % ndistinct));
	}
}

static ssize_t verify_contents(const char *buf, size_t len,
			       unsigned ndistinct)
{
	size_t i, n = len / cow_page_size;

	for (i = 0; i < n; i++) {
		const uint64_t *w = (const uint64_t *)(buf + i * cow_page_size);

		if (w[0] != (SEED_PARENT ^ (i % ndistinct)) ||
		    w[1] != ~(SEED_PARENT ^ (i % ndistinct)))
			return (ssize_t)i;
	}
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Pages of the region whose page is of the kind (kpageflags KSM or
 * ZERO_PAGE), and how many distinct pages they map.  -errno on error.
 */
static ssize_t count_merged(const char *buf, size_t len, enum ksm_kind k,
			    size_t *distinct)
{
	size_t n = len / cow_page_size, i, hit = 0, d = 0;
	int bit = k == KK_KSM ? COW_KPF_KSM : COW_KPF_ZERO_PAGE;
	uint64_t *pm, fl;
	int err;

	pm = malloc(n * sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	err = cow_pagemap_read(buf, n, pm);
	for (i = 0; !err && i < n; i++) {
		if (!cow_pm_pfn(pm[i]))
			continue;
		err = cow_kpageflags(cow_pm_pfn(pm[i]), &fl);
		if (!err && (fl & (1ull << bit)))
			pm[hit++] = cow_pm_pfn(pm[i]);
	}
	if (!err) {
		qsort(pm, hit, sizeof(*pm), cmp_u64);
		for (i = 0; i < hit; i++)
			d += !i || pm[i] != pm[i - 1];
		*distinct = d;
	}
	free(pm);
	return err ? err : (ssize_t)hit;
}

/* A number from a /proc/self file: the file's value, or the "key N" line's. */
static int64_t proc_self_num(const char *file, const char *key)
{
	char line[128];
	int64_t v = -1;
	long long x;
	size_t kl = key ? strlen(key) : 0;
	FILE *f = fopen(file, "re");

	if (!f)
		return -1;
	while (v < 0 && fgets(line, sizeof(line), f)) {
		if (key && (strncmp(line, key, kl) || line[kl] != ' '))
			continue;
		if (sscanf(line + kl, "%lld", &x) == 1)
			v = x;
	}
	fclose(f);
	return v;
}

/* What the kernel says this process has merged: cheap, but per process. */
static int64_t merged_hint(enum ksm_kind k)
{
	return k == KK_KSM ?
	       proc_self_num("/proc/self/ksm_merging_pages", NULL) :
	       proc_self_num("/proc/self/ksm_stat", "ksm_zero_pages");
}

static void ksmd(struct cow_sample *s, bool on)
{
	int r = cow_knob_write_registered(KSM_RUN, on ? "1" : "0");

	if (r)
		cow_sample_verdict(s, on ? COW_SKIP : COW_FAIL,
				   "cannot %s ksmd: %s", on ? "start" : "stop",
				   strerror(-r));
}

/*
 * Run ksmd until every page of the region is merged, then stop it.
 * The per-process count decides when to look; kpageflags decides.  The
 * time from starting ksmd to the count's saying so goes to *ns.  False
 * with the sample's verdict set (timeout: SKIP).
 */
static bool merge_region(struct cow_sample *s, const char *buf, size_t len,
			 enum ksm_kind k, uint64_t *ns, size_t *distinct)
{
	size_t npages = len / cow_page_size;
	uint64_t t0, now = 0;
	ssize_t got = 0;
	unsigned polls = 0;
	int64_t hint;

	*ns = 0;
	ksmd(s, true);
	if (s->verdict != COW_PASS)
		return false;
	t0 = cow_now_ns();
	for (;;) {
		hint = merged_hint(k);
		now = cow_now_ns();
		if (!*ns && hint >= (int64_t)npages)
			*ns = now - t0;
		/* No hint on this kernel: look at the pages now and then. */
		if (hint >= (int64_t)npages ||
		    (hint < 0 && !(++polls % KSM_CHECK_EVERY))) {
			got = count_merged(buf, len, k, distinct);
			if (got == (ssize_t)npages)
				break;
		}
		if (now - t0 > KSM_TIMEOUT_NS)
			break;
		usleep(KSM_POLL_US);
	}
	ksmd(s, false);
	if (!*ns)
		*ns = now - t0;
	/* run=0 returned after ksmd's last batch: this is what stays. */
	got = count_merged(buf, len, k, distinct);
	if (got < 0)
		cow_sample_verdict(s, COW_SKIP, "kpageflags: %s",
				   strerror((int)-got));
	else if (got != (ssize_t)npages)
		cow_sample_verdict(s, COW_SKIP,
				   "ksmd merged %zd of %zu pages into %s within %llu s",
				   got, npages, k == KK_KSM ? "KSM pages" :
				   "the zero page",
				   KSM_TIMEOUT_NS / 1000000000ull);
	return s->verdict == COW_PASS;
}

/* A small-page region: content per ndistinct, or zero (ndistinct 0). */
static char *content_region(struct cow_sample *s, size_t len,
			    unsigned ndistinct)
{
	char reason[160];
	size_t i;
	char *buf;

	buf = cow_region_alloc(len, COW_BACK_SMALL);
	if (!buf) {
		cow_sample_verdict(s, COW_SKIP, "cannot map %zu bytes: %s",
				   len, strerror(errno));
		return NULL;
	}
	if (ndistinct)
		fill_contents(buf, len, ndistinct);
	else
		/* Written, so real zeroed pages, not the zero page mapped. */
		for (i = 0; i < len; i += cow_page_size)
			buf[i] = 0;
	if (!cow_backing_check(buf, len, COW_BACK_SMALL, reason,
			       sizeof(reason))) {
		cow_sample_verdict(s, COW_SKIP, "%s", reason);
		cow_region_free(buf, len);
		return NULL;
	}
	return buf;
}

/* Every page written, timed; the control region gets no copy. */
static void measure_writes(struct cow_meas *m, char *buf, size_t len)
{
	cow_meas_start(m);
	cow_region_fill(buf, len, SEED_PARENT2);
	cow_meas_stop(m);
}

/*
 * The KSM COW sample: merge a region, stop ksmd, write every page
 * (required: all, each maps a page other mappings share), then the same
 * writes on a region with the same contents that was never merged.
 */
static void cow_run_kind(struct cow_run *r, struct cow_sample *s,
			 enum ksm_kind k, unsigned ndistinct, bool use_prctl)
{
	size_t len = r->size, npages = len / cow_page_size, distinct = 0;
	struct cow_meas *m = NULL, *ctl = NULL;
	char *buf, *cbuf = NULL;
	uint64_t merge_ns;
	ssize_t cmerged;

	buf = content_region(s, len, ndistinct);
	if (!buf)
		return;
	cbuf = content_region(s, len, ndistinct);
	m = cow_meas_new(buf, len);
	ctl = cow_meas_new(cbuf, len);
	if (!cbuf || !m || !ctl) {
		if (s->verdict == COW_PASS)
			cow_sample_verdict(s, COW_FAIL, "cow_meas_new: %s",
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
	if (!merge_region(s, buf, len, k, &merge_ns, &distinct))
		goto free;
	if (ndistinct && verify_contents(buf, len, ndistinct) >= 0) {
		cow_sample_verdict(s, COW_FAIL, "merging changed the data");
		goto free;
	}
	cmerged = count_merged(cbuf, len, k, &(size_t){ 0 });
	if (cmerged != 0) {
		cow_sample_verdict(s, COW_SKIP,
				   "control region not left alone (%zd merged)",
				   cmerged);
		goto free;
	}
	cow_sample_metric(s, "merge_ms", (double)merge_ns / 1e6);
	cow_sample_metric(s, "merged_into", (double)distinct);

	cow_warm_free_memory(2 * len);
	cow_meas_require_all(m);
	measure_writes(m, buf, len);
	cow_meas_require_none(ctl);
	measure_writes(ctl, cbuf, len);
	if (cow_region_verify(buf, len, SEED_PARENT2) >= 0 ||
	    cow_region_verify(cbuf, len, SEED_PARENT2) >= 0)
		cow_sample_verdict(s, COW_FAIL,
				   "a written page does not hold its data");
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

/*
 * ksm.cow - every page of a merged region written: identical pages,
 * KSM_NDISTINCT contents, or identical pages merged by
 * PR_SET_MEMORY_MERGE.  Required: every page (each is shared with other
 * mappings of its KSM page; the last mapping of a KSM page is copied
 * too, as the stable tree still holds it).  merged_into: how many KSM
 * pages the region became (max_page_sharing caps mappings per page).
 */
static void ksm_cow_sample(struct cow_run *r, struct cow_sample *s)
{
	cow_sample_param_str(s, "pages", kv_names[r->variant]);
	cow_run_kind(r, s, KK_KSM,
		     r->variant == KV_DISTINCT ? KSM_NDISTINCT : 1,
		     r->variant == KV_PRCTL);
}

/*
 * ksm.zero-pages - with use_zero_pages, ksmd maps zero-filled pages to
 * the shared zero page instead of a KSM page: every write copies (from
 * the zero page, not counted as cow_ksm).  Required: every page.
 */
static void zero_pages_sample(struct cow_run *r, struct cow_sample *s)
{
	cow_run_kind(r, s, KK_ZERO, 0, false);
}

static int64_t read_full_scans(void)
{
	char buf[32];
	uint64_t v;

	if (cow_knob_read(KSM_FULL_SCANS, buf, sizeof(buf)) ||
	    cow_parse_u64(buf, 0, INT64_MAX, &v))
		return -1;
	return (int64_t)v;
}

/*
 * ksm.merge - how long ksmd (at the run's scan rate) takes to merge a
 * region of identical pages, and what MADV_UNMERGEABLE then costs: it
 * breaks every KSM mapping by copying (required: every page).  The
 * sample is the unmerge; the merge goes into the metrics.
 */
static void merge_sample(struct cow_run *r, struct cow_sample *s)
{
	size_t len = r->size, npages = len / cow_page_size, distinct = 0;
	int64_t scans0, scans1;
	struct cow_meas *m;
	uint64_t merge_ns;
	ssize_t left;
	char *buf;

	buf = content_region(s, len, 1);
	if (!buf)
		return;
	m = cow_meas_new(buf, len);
	if (!m) {
		cow_sample_verdict(s, COW_FAIL, "cow_meas_new: %s",
				   strerror(errno));
		goto free_buf;
	}
	if (madvise(buf, len, MADV_MERGEABLE)) {
		cow_sample_verdict(s, COW_SKIP, "MADV_MERGEABLE: %s",
				   strerror(errno));
		goto free;
	}
	scans0 = read_full_scans();
	if (!merge_region(s, buf, len, KK_KSM, &merge_ns, &distinct))
		goto free;
	scans1 = read_full_scans();
	cow_sample_metric(s, "merge_ms", (double)merge_ns / 1e6);
	cow_sample_metric(s, "merge_ns_per_page", (double)merge_ns / npages);
	cow_sample_metric(s, "merged_into", (double)distinct);
	if (scans0 >= 0 && scans1 >= 0)
		cow_sample_metric(s, "full_scans", (double)(scans1 - scans0));

	cow_warm_free_memory(len);
	cow_meas_require_all(m);
	m->pages_written = 0;
	cow_meas_start(m);
	if (madvise(buf, len, MADV_UNMERGEABLE))
		cow_sample_verdict(s, COW_FAIL, "MADV_UNMERGEABLE: %s",
				   strerror(errno));
	cow_meas_stop(m);
	left = count_merged(buf, len, KK_KSM, &distinct);
	if (left)
		cow_sample_verdict(s, COW_FAIL,
				   "%zd pages still KSM after MADV_UNMERGEABLE",
				   left);
	if (verify_contents(buf, len, 1) >= 0)
		cow_sample_verdict(s, COW_FAIL, "unmerging changed the data");
	cow_meas_to_sample(m, s, npages);
free:
	cow_meas_free(m);
free_buf:
	cow_region_free(buf, len);
}

const struct cow_scenario cow_sc_ksm_cow = {
	.name = "ksm.cow",
	.desc = "write every page of a KSM-merged region, vs never-merged pages",
	.flags = COW_F_ROOT,
	.nvariants = ksm_nvariants,
	.prepare = ksm_prepare,
	.sample = ksm_cow_sample,
};

const struct cow_scenario cow_sc_ksm_merge = {
	.name = "ksm.merge",
	.desc = "time for ksmd to merge a region; cost of MADV_UNMERGEABLE",
	.flags = COW_F_ROOT,
	.prepare = ksm_prepare,
	.sample = merge_sample,
};

const struct cow_scenario cow_sc_ksm_zero_pages = {
	.name = "ksm.zero-pages",
	.desc = "write zero pages KSM mapped to the zero page (use_zero_pages)",
	.flags = COW_F_ROOT,
	.prepare = zero_prepare,
	.sample = zero_pages_sample,
};
