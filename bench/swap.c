// SPDX-License-Identifier: GPL-2.0-only
/*
 * swap.c - copy-on-write of pages that went through swap: paged out with
 * MADV_PAGEOUT, read back in, then written.  A page only this process
 * maps needs no copy; 5.9..5.17 copied it anyway while it sat in the
 * swap cache (53a05ad9f21d, 5.18, frees the swap slot and reuses), and
 * since c18160dba5ff (≈6.11) an exclusive page read back in is mapped
 * writable at once, so the write does not even fault.
 *
 * prepare() makes a swapfile of its own under --dir (registered with
 * cow_undo_swapoff() before it exists, so a crashed run's is removed by
 * the next start) and swapons it at the default priority, below every
 * swap area the machine already has; cleanup() removes it.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define SWAPFILE_NAME	"cowbench.swap"
/* Room for the region and some slack for readahead and stragglers. */
#define SWAP_SLACK	(16ull << 20)
/* swap.loop iterations per sample. */
#define LOOP_ITERS	8
/*
 * MADV_PAGEOUT calls before a region not all swapped out is a SKIP, the
 * waits between them doubling from 1 ms: a page still under writeback
 * from the round before cannot be paged out again until it is done.
 */
#define PAGEOUT_TRIES	11
#define PAGEOUT_RETRY_US	1000

struct swap_priv {
	char path[PATH_MAX];
};

static enum cow_verdict swap_prepare(struct cow_run *r, char *reason,
				     size_t len)
{
	struct swap_priv *p;
	int err;

	bench_quick_size(r, BENCH_QUICK_SIZE);
	if (geteuid()) {
		snprintf(reason, len, "swapon(2) needs root");
		return COW_SKIP;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(reason, len, "out of memory");
		return COW_SKIP;
	}
	snprintf(p->path, sizeof(p->path), "%s/%s", r->opts->dir,
		 SWAPFILE_NAME);
	/*
	 * A dead run's swapfile was removed when this run started, so one
	 * here is somebody else's (registered, its undo would delete it),
	 * or this run's own, left active by a swapoff that never finished
	 * (a kernel that oopsed; that point FAILed for it).
	 */
	if (!access(p->path, F_OK)) {
		snprintf(reason, len, cow_swap_active(p->path) ?
			 "%s is still swap: a swapoff before did not finish" :
			 "%s exists and is not this run's", p->path);
		goto fail;
	}
	/* Registered first: a crash from here on still removes it. */
	err = cow_undo_swapoff(p->path);
	if (err) {
		snprintf(reason, len, "cannot register %s: %s", p->path,
			 strerror(-err));
		goto fail;
	}
	err = cow_swapfile_create(p->path, r->size + SWAP_SLACK);
	if (err) {
		snprintf(reason, len, "cannot create swapfile %s: %s", p->path,
			 strerror(-err));
		goto fail;
	}
	err = cow_swapfile_on(p->path);
	if (err) {
		snprintf(reason, len, "swapon %s: %s%s", p->path,
			 strerror(-err), err == -EINVAL ?
			 " (a file system that cannot hold swap?)" : "");
		cow_swapfile_remove(p->path);
		goto fail;
	}
	r->priv = p;
	return COW_PASS;
fail:
	free(p);
	return COW_SKIP;
}

/* The swapfile; none when not root (prepare skips first). */
static uint64_t swap_scratch_bytes(const struct cow_opts *o, uint64_t size)
{
	return geteuid() ? 0 :
	       bench_quick_cap(o, size, BENCH_QUICK_SIZE) + SWAP_SLACK;
}

static void swap_cleanup(struct cow_run *r)
{
	struct swap_priv *p = r->priv;
	int err;

	if (!p)
		return;
	err = cow_swapfile_remove(p->path);
	/* The undo registered in prepare() tries again at exit. */
	if (err)
		fprintf(stderr, "cowbench: removing swapfile %s: %s\n",
			p->path, strerror(-err));
	free(p);
	r->priv = NULL;
}

/* How many pages of the region are swap entries, or -errno. */
static ssize_t count_swapped(const char *buf, size_t len)
{
	size_t n = len / cow_page_size, i, swapped = 0;
	uint64_t *pm;
	int err;

	pm = malloc(n * sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	err = cow_pagemap_read(buf, n, pm);
	for (i = 0; !err && i < n; i++)
		swapped += !!(pm[i] & COW_PM_SWAP);
	free(pm);
	return err ? err : (ssize_t)swapped;
}

/*
 * Page out what MADV_PAGEOUT left present, PAGEOUT_TRIES times at most:
 * a page under writeback or in another CPU's LRU batch is skipped.
 * Swapped pages or -errno; *tries counts the MADV_PAGEOUT calls.
 */
static ssize_t page_out_rest(char *buf, size_t len, unsigned *tries)
{
	ssize_t got = count_swapped(buf, len);

	while (got >= 0 && (size_t)got < len / cow_page_size &&
	       *tries < PAGEOUT_TRIES) {
		usleep(PAGEOUT_RETRY_US << (*tries - 1));
		if (madvise(buf, len, MADV_PAGEOUT))
			return -errno;
		++*tries;
		got = count_swapped(buf, len);
	}
	return got;
}

static ssize_t page_out(char *buf, size_t len)
{
	unsigned tries = 1;

	return madvise(buf, len, MADV_PAGEOUT) ? -errno :
	       page_out_rest(buf, len, &tries);
}

/* False with a SKIP unless every page of the region went to swap. */
static bool swapped_all(struct cow_sample *s, ssize_t got, size_t npages)
{
	if (got == -EINVAL)
		cow_sample_verdict(s, COW_SKIP, "no MADV_PAGEOUT (5.4+)");
	else if (got < 0)
		cow_sample_verdict(s, COW_SKIP, "MADV_PAGEOUT: %s",
				   strerror((int)-got));
	else if ((size_t)got != npages)
		cow_sample_verdict(s, COW_SKIP,
				   "only %zd of %zu pages were swapped out",
				   got, npages);
	return s->verdict == COW_PASS;
}

static void read_all(const char *buf, size_t len)
{
	volatile uint64_t sum = 0;
	size_t off;

	for (off = 0; off < len; off += cow_page_size)
		sum += *(const volatile uint64_t *)(buf + off);
	(void)sum;	/* read for the page-ins only */
}

static unsigned swap_cow_nvariants(const struct cow_opts *o)
{
	return 2;
}

/*
 * swap.cow - page the region out, read it back in, write every page.
 *  exclusive: only this process maps the pages: required 0, and every
 *    copy is the swap-cache problem (5.9..5.17).
 *  child: paged out before a fork, so a live child shares the swap
 *    entries: required: every page; the child must keep its data.
 * The sample is the write; the read-back goes into the metrics.
 */
static void swap_cow_sample(struct cow_run *r, struct cow_sample *s)
{
	size_t len = r->size, npages = len / cow_page_size;
	struct bench_holder h = { .pid = -1 };
	bool child = r->variant == 1;
	struct cow_meas *m, *rd;
	unsigned i;
	char *buf;

	cow_sample_param_str(s, "sharing", child ? "child" : "exclusive");
	buf = bench_region(s, len, COW_BACK_SMALL, SEED_PARENT);
	if (!buf)
		return;
	m = cow_meas_new(buf, len);
	rd = cow_meas_new(NULL, 0);
	if (!m || !rd) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free;
	}
	if (!swapped_all(s, page_out(buf, len), npages))
		goto free;
	if (child && !bench_holder_start(&h, s, buf, len, SEED_PARENT))
		goto free;
	cow_meas_start(rd);
	read_all(buf, len);
	cow_meas_stop(rd);
	if (cow_region_verify(buf, len, SEED_PARENT) >= 0) {
		cow_sample_fail(s, COW_EV_DATA, "data changed by swapping");
		goto finish;
	}
	cow_warm_free_memory(len);
	if (child)
		cow_meas_require_all(m);
	else
		cow_meas_require_none(m);
	cow_meas_start(m);
	cow_region_fill(buf, len, SEED_PARENT2);
	cow_meas_stop(m);
	bench_check_region(s, "parent", buf, len, SEED_PARENT2);
	cow_meas_to_sample(m, s, npages);
	cow_sample_metric(s, "read_ns_per_page",
			  (double)(rd->t_stop - rd->t_start) / npages);
	cow_sample_metric(s, "read_major_faults", (double)rd->faults_major);
	cow_sample_metric(s, "read_minor_faults", (double)rd->faults_minor);
	/* Pages read from the swap device, not found in the swap cache. */
	for (i = 0; i < cow_vmstat_nkeys; i++)
		if (!strcmp(cow_vmstat_keys[i], "pswpin") && rd->vmstat[i] >= 0)
			cow_sample_metric(s, "read_pswpin",
					  (double)rd->vmstat[i]);
finish:
	bench_holder_finish(&h, s);
free:
	cow_meas_free(m);
	cow_meas_free(rd);
	cow_region_free(buf, len);
}

struct loop_sums {
	uint64_t pageout_ns, read_ns, write_ns;
	int64_t minor, major;
	unsigned retries;
};

static uint64_t meas_ns(const struct cow_meas *m)
{
	return m->t_stop - m->t_start;
}

static void add_faults(struct loop_sums *t, const struct cow_meas *m)
{
	t->minor += m->faults_minor;
	t->major += m->faults_major;
}

/*
 * One pageout-read-write iteration, each phase timed alone so that the
 * pagemap reads between them (the swap check, copy accounting) stay out.
 * False with the sample's verdict set.
 */
static bool loop_once(struct cow_sample *s, char *buf, size_t len,
		      uint64_t seed, struct cow_meas *ms[3],
		      struct cow_meas *tot, struct loop_sums *t)
{
	unsigned tries = 1;
	ssize_t got = 0;

	cow_meas_start(ms[0]);
	if (madvise(buf, len, MADV_PAGEOUT))
		got = -errno;
	cow_meas_stop(ms[0]);
	/* Stragglers are paged out untimed: the read must find swap only. */
	if (!swapped_all(s, got ? got : page_out_rest(buf, len, &tries),
			 len / cow_page_size))
		return false;
	t->retries += tries - 1;
	cow_meas_start(ms[1]);
	read_all(buf, len);
	cow_meas_stop(ms[1]);
	cow_meas_start(ms[2]);
	cow_region_fill(buf, len, seed);
	cow_meas_stop(ms[2]);
	t->pageout_ns += meas_ns(ms[0]);
	t->read_ns += meas_ns(ms[1]);
	t->write_ns += meas_ns(ms[2]);
	add_faults(t, ms[0]);
	add_faults(t, ms[1]);
	add_faults(t, ms[2]);
	cow_meas_add(tot, ms[2]);
	if (cow_region_verify(buf, len, seed) >= 0) {
		cow_sample_fail(s, COW_EV_DATA, "data lost in the loop");
		return false;
	}
	return true;
}

/*
 * swap.loop - the LKML reproducer's shape: page out, read back, write,
 * LOOP_ITERS times.  The pages are only ever this process's: required 0
 * per write; a copy is the swap-cache problem (the report: 1606 against
 * 10534 cycles an operation).  ns is the sum of the phases, per
 * iteration; copies and kernel_wpcopy are summed over the writes.
 */
static void loop_sample(struct cow_run *r, struct cow_sample *s)
{
	size_t len = r->size, npages = len / cow_page_size;
	int64_t vm0[COW_VMSTAT_MAX], vm1[COW_VMSTAT_MAX];
	struct cow_meas *ms[3] = { NULL }, *tot;
	struct loop_sums t = { 0 };
	unsigned i, it;
	char *buf;

	buf = bench_region(s, len, COW_BACK_SMALL, SEED_PARENT);
	if (!buf)
		return;
	tot = cow_meas_new(NULL, 0);
	ms[0] = cow_meas_new(NULL, 0);
	ms[1] = cow_meas_new(NULL, 0);
	ms[2] = cow_meas_new(buf, len);
	if (!tot || !ms[0] || !ms[1] || !ms[2]) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free;
	}
	cow_meas_require_none(ms[2]);
	cow_vmstat_read(vm0);
	for (it = 0; it < LOOP_ITERS; it++)
		if (!loop_once(s, buf, len, SEED_PARENT2 + it, ms, tot, &t))
			break;
	cow_vmstat_read(vm1);
	if (it < LOOP_ITERS)
		goto free;
	tot->t_start = 0;
	tot->t_stop = t.pageout_ns + t.read_ns + t.write_ns;
	cow_meas_to_sample(tot, s, LOOP_ITERS);
	/* The write phases' counts, with the other phases' faults added. */
	s->faults_minor = t.minor;
	s->faults_major = t.major;
	for (i = 0; i < cow_vmstat_nkeys; i++)
		s->vmstat[i] = vm0[i] < 0 || vm1[i] < 0 ? -1 : vm1[i] - vm0[i];
	cow_sample_metric(s, "pageout_ns_per_page",
			  (double)t.pageout_ns / (LOOP_ITERS * npages));
	cow_sample_metric(s, "read_ns_per_page",
			  (double)t.read_ns / (LOOP_ITERS * npages));
	cow_sample_metric(s, "write_ns_per_page",
			  (double)t.write_ns / (LOOP_ITERS * npages));
	cow_sample_metric(s, "iterations", LOOP_ITERS);
	cow_sample_metric(s, "pageout_retries", t.retries);
free:
	for (i = 0; i < 3; i++)
		cow_meas_free(ms[i]);
	cow_meas_free(tot);
	cow_region_free(buf, len);
}

const struct cow_scenario cow_sc_swap_cow = {
	.name = "swap.cow",
	.desc = "page out, read back, write (required 0; with a child: all)",
	.flags = COW_F_ROOT,
	.nvariants = swap_cow_nvariants,
	.prepare = swap_prepare,
	.sample = swap_cow_sample,
	.cleanup = swap_cleanup,
	.scratch_bytes = swap_scratch_bytes,
};

const struct cow_scenario cow_sc_swap_loop = {
	.name = "swap.loop",
	.desc = "pageout, read, write in a loop (the LKML reproducer's shape)",
	.flags = COW_F_ROOT,
	.prepare = swap_prepare,
	.sample = loop_sample,
	.cleanup = swap_cleanup,
	.scratch_bytes = swap_scratch_bytes,
};
