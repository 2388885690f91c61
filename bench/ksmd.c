// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksmd.c - driving ksmd for the KSM workloads: its knobs, merging a
 * sample's region, and seeing from kpageflags that it really merged.
 *
 * prepare() saves and sets the knobs (run=0, a fast scan rate); the
 * sample process then switches run on and off through
 * cow_knob_write_registered(), which only writes knobs the run already
 * saved, so the harness restores them whatever happens to the sample.
 * ksmd is stopped again (run=0 keeps merged pages merged) before any
 * measured write: it cannot re-merge or take locks while they run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define KSM_DIR			"/sys/kernel/mm/ksm"
#define KSM_RUN			KSM_DIR "/run"
#define KSM_ZERO		KSM_DIR "/use_zero_pages"
#define KSM_FULL_SCANS		KSM_DIR "/full_scans"
#define KSM_ADVISOR		KSM_DIR "/advisor_mode"
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

static const char *const ksm_scan_knobs[][2] = {
	{ KSM_DIR "/pages_to_scan", KSM_PAGES_TO_SCAN },
	{ KSM_DIR "/sleep_millisecs", "0" },
};

enum cow_verdict bench_ksm_prepare(bool zero_pages, char *reason,
				       size_t len)
{
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
	if (cow_knob_set_why(KSM_RUN, "0", reason, len))
		return COW_SKIP;
	for (i = 0; i < COW_ARRAY_SIZE(ksm_scan_knobs); i++)
		if (cow_knob_set_why(ksm_scan_knobs[i][0], ksm_scan_knobs[i][1],
			     reason, len))
			return COW_SKIP;
	/* The advisor (6.9+) would override pages_to_scan. */
	if (!access(KSM_ADVISOR, F_OK) &&
	    cow_knob_ensure(KSM_ADVISOR, "none", reason, len))
		return COW_SKIP;
	if (access(KSM_ZERO, F_OK)) {
		if (!zero_pages)
			return COW_PASS;
		snprintf(reason, len, "no %s (4.11+)", KSM_ZERO);
		return COW_SKIP;
	}
	return cow_knob_ensure(KSM_ZERO, zero_pages ? "1" : "0", reason, len) ?
	       COW_SKIP : COW_PASS;
}

/* The same content in every page i with the same i % ndistinct. */
void bench_ksm_fill(char *buf, size_t len, unsigned ndistinct)
{
	size_t i, n = len / cow_page_size;

	for (i = 0; i < n; i++)
		cow_page_mark(buf + i * cow_page_size,
			      SEED_PARENT ^ (i % ndistinct));
}

ssize_t bench_ksm_verify(const char *buf, size_t len, unsigned ndistinct)
{
	size_t i, n = len / cow_page_size;

	for (i = 0; i < n; i++)
		if (!cow_page_marked(buf + i * cow_page_size,
				     SEED_PARENT ^ (i % ndistinct)))
			return (ssize_t)i;
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* By kpageflags: KPF_KSM, or KPF_ZERO_PAGE. */
ssize_t bench_ksm_count(const char *buf, size_t len, enum bench_ksm_kind k,
			size_t *distinct)
{
	size_t n = len / cow_page_size, i, hit = 0, d = 0;
	int bit = k == BENCH_KSM ? COW_KPF_KSM : COW_KPF_ZERO_PAGE;
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
static int64_t merged_hint(enum bench_ksm_kind k)
{
	return k == BENCH_KSM ?
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

/* The per-process count decides when to look; kpageflags decides. */
bool bench_ksm_merge(struct cow_sample *s, const char *buf, size_t len,
		     enum bench_ksm_kind k, uint64_t *ns, size_t *distinct)
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
			got = bench_ksm_count(buf, len, k, distinct);
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
	got = bench_ksm_count(buf, len, k, distinct);
	if (got < 0)
		cow_sample_verdict(s, COW_SKIP, "kpageflags: %s",
				   strerror((int)-got));
	else if (got != (ssize_t)npages)
		cow_sample_verdict(s, COW_SKIP,
				   "ksmd merged %zd of %zu pages into %s within %llu s",
				   got, npages, k == BENCH_KSM ? "KSM pages" :
				   "the zero page",
				   KSM_TIMEOUT_NS / 1000000000ull);
	return s->verdict == COW_PASS;
}

char *bench_ksm_region(struct cow_sample *s, size_t len, unsigned ndistinct)
{
	char *buf = bench_map(s, len, COW_BACK_SMALL);
	size_t i;

	if (!buf)
		return NULL;
	if (ndistinct)
		bench_ksm_fill(buf, len, ndistinct);
	else
		/* Written, so real zeroed pages, not the zero page mapped. */
		for (i = 0; i < len; i += cow_page_size)
			buf[i] = 0;
	return bench_backing(s, buf, len, COW_BACK_SMALL) ? buf : NULL;
}

void bench_ksm_cleanup(struct cow_run *r)
{
	const char *const knobs[] = { KSM_RUN, KSM_ADVISOR, KSM_ZERO };
	unsigned i;

	/* ksmd stopped first, in case a sample died with it running. */
	for (i = 0; i < COW_ARRAY_SIZE(knobs); i++)
		cow_knob_reset(knobs[i]);
	for (i = 0; i < COW_ARRAY_SIZE(ksm_scan_knobs); i++)
		cow_knob_reset(ksm_scan_knobs[i][0]);
}

int64_t bench_ksm_full_scans(void)
{
	return cow_knob_read_num(KSM_FULL_SCANS);
}
