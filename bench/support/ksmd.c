// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksmd.c - driving ksmd for the KSM workloads: its knobs, merging a
 * sample's region, and seeing that it really merged: by PFN identity and
 * by kpageflags, each where the run's self-check trusts it (selfcheck.c).
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
#include <sys/random.h>
#include <time.h>
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
/*
 * The contents are salted once per process (a sample's children inherit
 * the salt): ksmd merges identical pages of every process, so the same
 * contents anywhere else - another run, or a QEMU guest (whose RAM is
 * mergeable) running this very suite - would join our KSM pages.  With
 * max_page_sharing a page of ours can then be left with no partner, and
 * the region never merges whole ("1023 of 1024 pages").
 */
static uint64_t ksm_salt(void)
{
	static uint64_t salt;
	struct timespec ts;

	if (salt)
		return salt;
	if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		salt = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^
		       ((uint64_t)ts.tv_sec << 20);
	}
	/* The page index goes in the low 32 bits; 0 means not yet drawn. */
	salt = (salt & ~0xffffffffull) | (1ull << 32);
	return salt;
}

void bench_ksm_fill(char *buf, size_t len, unsigned ndistinct)
{
	uint64_t k = SEED_PARENT ^ ksm_salt();
	size_t i, n = len / cow_page_size;

	for (i = 0; i < n; i++)
		cow_page_mark(buf + i * cow_page_size, k ^ (i % ndistinct));
}

ssize_t bench_ksm_verify(const char *buf, size_t len, unsigned ndistinct)
{
	uint64_t k = SEED_PARENT ^ ksm_salt();
	size_t i, n = len / cow_page_size;

	for (i = 0; i < n; i++)
		if (!cow_page_marked(buf + i * cow_page_size,
				     k ^ (i % ndistinct)))
			return (ssize_t)i;
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted in place: the distinct values among v[0..n). */
static size_t distinct_sorted(uint64_t *v, size_t n)
{
	size_t i, d = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		d += !i || v[i] != v[i - 1];
	return d;
}

/*
 * Pages whose PFN another page of the region maps too (KSM), or that map
 * the zero page.  pfn[] is sorted on return.
 */
static void look_pfns(uint64_t *pfn, size_t n, enum bench_ksm_kind k,
		      struct bench_ksm_seen *seen)
{
	uint64_t zero = cow_instruments.zero_pfn;
	size_t i, j, hit = 0, into = 0;

	if (k == BENCH_KSM_ZERO) {
		if (!zero)
			return;
		for (i = 0; i < n; i++)
			hit += pfn[i] == zero;
		seen->pfns = (ssize_t)hit;
		seen->pfns_into = hit > 0;
		return;
	}
	qsort(pfn, n, sizeof(*pfn), cmp_u64);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && pfn[j] == pfn[i]; j++)
			;
		if (pfn[i] && j - i > 1) {
			hit += j - i;
			into++;
		}
	}
	seen->pfns = (ssize_t)hit;
	seen->pfns_into = into;
}

/* Pages kpageflags reads as k; pfn[] is overwritten. */
static int look_flags(uint64_t *pfn, size_t n, enum bench_ksm_kind k,
		      struct bench_ksm_seen *seen)
{
	int bit = k == BENCH_KSM ? COW_KPF_KSM : COW_KPF_ZERO_PAGE;
	size_t i, hit = 0;
	uint64_t fl;
	int err;

	for (i = 0; i < n; i++) {
		if (!pfn[i])
			continue;
		err = cow_kpageflags(pfn[i], &fl);
		if (err)
			return err;
		if (fl & (1ull << bit))
			pfn[hit++] = pfn[i];
	}
	seen->flags = (ssize_t)hit;
	seen->flags_into = distinct_sorted(pfn, hit);
	return 0;
}

int bench_ksm_look(const char *buf, size_t len, enum bench_ksm_kind k,
		   struct bench_ksm_seen *seen)
{
	enum cow_instr fi = k == BENCH_KSM ? COW_INSTR_KPF_KSM :
			    COW_INSTR_KPF_ZERO_PAGE;
	size_t n = len / cow_page_size, i;
	const char *hidden;
	uint64_t *pm, *pfn;
	int err;
	int64_t kb = k == BENCH_KSM ? cow_smaps_kb(buf, "KSM") : -1;

	memset(seen, 0, sizeof(*seen));
	seen->pfns = seen->flags = -1;
	seen->smaps = kb >= 0 ? (ssize_t)(kb * 1024 / cow_page_size) : -1;
	seen->flags_checked = cow_instruments.c[fi].state == COW_INSTR_OK;
	if (!cow_instr_trusted(COW_INSTR_PAGEMAP_PFN, seen->why,
			       sizeof(seen->why)))
		return 0;
	/* Hidden PFNs read as 0: no page would seem shared. */
	if (!cow_pagemap_pfns_visible(&hidden)) {
		snprintf(seen->why, sizeof(seen->why), "%s", hidden);
		return 0;
	}
	pm = malloc(n * sizeof(*pm));
	pfn = malloc(n * sizeof(*pfn));
	err = pm && pfn ? cow_pagemap_read(buf, n, pm) : -ENOMEM;
	for (i = 0; !err && i < n; i++)
		pfn[i] = cow_pm_pfn(pm[i]);
	if (!err && cow_instr_trusted(fi, seen->why, sizeof(seen->why))) {
		int ferr = look_flags(pfn, n, k, seen);

		if (ferr)
			snprintf(seen->why, sizeof(seen->why),
				 "/proc/kpageflags: %s", strerror(-ferr));
		for (i = 0; i < n; i++)
			pfn[i] = cow_pm_pfn(pm[i]);
	}
	if (!err)
		look_pfns(pfn, n, k, seen);
	if (!err && seen->pfns < 0 && !seen->why[0])
		snprintf(seen->why, sizeof(seen->why),
			 "the zero page's PFN is not known");
	free(pfn);
	free(pm);
	return err;
}

ssize_t bench_ksm_count(const struct bench_ksm_seen *seen, size_t *distinct)
{
	size_t d = 0;
	ssize_t n;

	if (seen->pfns >= 0) {
		n = seen->pfns;
		d = seen->pfns_into;
	} else if (seen->flags >= 0) {
		n = seen->flags;
		d = seen->flags_into;
	} else {
		n = seen->smaps;
	}
	if (distinct)
		*distinct = d;
	return n;
}

const char *bench_ksm_seen_str(const struct bench_ksm_seen *seen,
			       enum bench_ksm_kind k, char *buf, size_t len)
{
	char f[48] = "not read", p[48] = "not read", m[48] = "";

	if (seen->smaps >= 0)
		snprintf(m, sizeof(m), ", smaps %zd KSM", seen->smaps);
	if (seen->flags >= 0)
		snprintf(f, sizeof(f), "%zd %s", seen->flags,
			 k == BENCH_KSM ? "KSM" : "ZERO_PAGE");
	if (seen->pfns >= 0)
		snprintf(p, sizeof(p), "%zd %s", seen->pfns,
			 k == BENCH_KSM ? "sharing a PFN" : "at the zero PFN");
	snprintf(buf, len, "kpageflags %s, PFNs %s%s", f, p, m);
	return buf;
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

	if (r && on)
		cow_sample_verdict(s, COW_SKIP, "cannot start ksmd: %s",
				   strerror(-r));
	else if (r)
		cow_sample_fail(s, COW_EV_HARNESS, "cannot stop ksmd: %s",
				strerror(-r));
}

/*
 * The per-process count decides when to look; the pages decide: by PFN
 * identity and kpageflags, which must agree where both are read.
 */
bool bench_ksm_merge(struct cow_sample *s, const char *buf, size_t len,
		     enum bench_ksm_kind k, uint64_t *ns, size_t *distinct)
{
	size_t npages = len / cow_page_size;
	struct bench_ksm_seen seen;
	uint64_t t0, now = 0;
	ssize_t got = 0;
	unsigned polls = 0;
	int64_t hint;
	char both[128];
	int err;

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
			got = bench_ksm_look(buf, len, k, &seen) ? -1 :
			      bench_ksm_count(&seen, distinct);
			/* Neither witness: the process's count must do. */
			if (got == (ssize_t)npages || got < 0)
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
	err = bench_ksm_look(buf, len, k, &seen);
	got = err ? err : bench_ksm_count(&seen, distinct);
	if (!err && got < 0) {
		/* The process's count is right while ksmd merges. */
		hint = merged_hint(k);
		got = hint >= 0 ? (ssize_t)hint : -1;
	}
	if (err)
		cow_sample_verdict(s, COW_SKIP, "pagemap: %s", strerror(-err));
	else if (got < 0)
		cow_sample_verdict(s, COW_SKIP,
				   "no way to see what ksmd merged: %s",
				   seen.why);
	else if (seen.pfns >= 0 && seen.flags >= 0 && seen.pfns != seen.flags)
		cow_sample_verdict(s, COW_SKIP,
				   "after the merge the instruments disagree: %s",
				   bench_ksm_seen_str(&seen, k, both,
						      sizeof(both)));
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
