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

static enum cow_verdict swap_prepare(struct cow_run *r, char *reason,
				     size_t len)
{
	struct bench_swapfile *sf;
	enum cow_verdict v;

	v = bench_swapfile_make(r->opts->dir, r->size + SWAP_SLACK, &sf,
				reason, len);
	r->priv = sf;
	return v;
}

/* The swapfile; none when not root (its need skips the point first). */
static uint64_t swap_scratch_bytes(const struct cow_opts *o, uint64_t size)
{
	return geteuid() ? 0 : size + SWAP_SLACK;
}

static void swap_cleanup(struct cow_run *r)
{
	bench_swapfile_remove(r->priv);
	r->priv = NULL;
}

/*
 * Page out what MADV_PAGEOUT left present, PAGEOUT_TRIES times at most:
 * a page under writeback or in another CPU's LRU batch is skipped.
 * Swapped pages or -errno; *tries counts the MADV_PAGEOUT calls.
 */
static ssize_t page_out_rest(char *buf, size_t len, unsigned *tries)
{
	ssize_t got = cow_pagemap_count_swapped(buf, len);

	while (got >= 0 && (size_t)got < len / cow_page_size &&
	       *tries < PAGEOUT_TRIES) {
		usleep(PAGEOUT_RETRY_US << (*tries - 1));
		if (madvise(buf, len, MADV_PAGEOUT))
			return -errno;
		++*tries;
		got = cow_pagemap_count_swapped(buf, len);
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
 * Pages swap.cow exclusive writes a sample: a write that needs no fault
 * (c18160dba5ff) costs some 75 ns here, 0.3 ms at 16M; 12 Ki pages take
 * 1 ms.  Each round pages the region out and reads it back first, so that
 * every round writes pages just read in from swap, as the first did; at
 * some 55 ms a round, more would not fit the point's share of a quick
 * run's budget (doc/measurements.md).
 */
#define SWAP_EXCL_MIN_PAGES	(12 * 1024)

/* The read-backs of a sample's rounds, for its metrics. */
struct swap_reads {
	uint64_t ns;
	int64_t major, minor, pswpin;
};

static void swap_reads_add(struct swap_reads *t, const struct cow_meas *rd)
{
	unsigned i;
	int64_t in = -1;

	t->ns += rd->t_stop - rd->t_start;
	t->major += rd->faults_major;
	t->minor += rd->faults_minor;
	/* Pages read from the swap device, not found in the swap cache. */
	for (i = 0; i < cow_vmstat_nkeys; i++)
		if (!strcmp(cow_vmstat_keys[i], "pswpin"))
			in = rd->vmstat[i];
	t->pswpin = t->pswpin < 0 || in < 0 ? -1 : t->pswpin + in;
}

/*
 * swap.cow: the sample is the write; the read-back goes into the metrics.
 * exclusive takes rounds (SWAP_EXCL_MIN_PAGES); child one, its holder
 * seeing the region as it was paged out.
 */
static void swap_cow_sample(struct cow_run *r, struct cow_sample *s)
{
	size_t len = r->size, npages = len / cow_page_size;
	struct bench_holder h = { .pid = -1 };
	bool child = r->variant == 1;
	unsigned rounds = child ? 1 : bench_rounds(npages, SWAP_EXCL_MIN_PAGES);
	struct swap_reads rds = { 0 };
	struct cow_meas *m, *rd, *tot;
	uint64_t held = SEED_PARENT, seed;
	unsigned k;
	char *buf;

	cow_sample_param_str(s, "sharing", child ? "child" : "exclusive");
	buf = bench_region(s, len, COW_BACK_SMALL, SEED_PARENT);
	if (!buf)
		return;
	m = cow_meas_new(buf, len);
	rd = cow_meas_new(NULL, 0);
	tot = cow_meas_new(NULL, 0);
	if (!m || !rd || !tot) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free;
	}
	if (child)
		cow_meas_require_all(m);
	else
		cow_meas_require_none(m);
	cow_meas_rounds_begin(tot);
	for (k = 0; k < rounds; k++) {
		if (k)
			cow_phase_mark(COW_PHASE_SETUP);
		if (!swapped_all(s, page_out(buf, len), npages))
			goto finish;
		if (child && !bench_holder_start(&h, s, buf, len, held))
			goto free;
		cow_meas_start(rd);
		read_all(buf, len);
		cow_meas_stop(rd);
		swap_reads_add(&rds, rd);
		if (cow_region_verify(buf, len, held) >= 0) {
			cow_sample_fail(s, COW_EV_DATA,
					"data changed by swapping");
			goto finish;
		}
		cow_warm_free_memory(len);
		/* The last round's data is SEED_PARENT2. */
		seed = SEED_PARENT2 + (rounds - 1 - k);
		cow_meas_start(m);
		cow_region_fill(buf, len, seed);
		cow_meas_stop(m);
		cow_meas_round_add(tot, m);
		held = seed;
	}
	bench_check_region(s, "parent", buf, len, SEED_PARENT2);
	cow_meas_to_sample(tot, s, (uint64_t)rounds * npages);
	cow_sample_metric(s, "read_ns_per_page",
			  (double)rds.ns / ((double)rounds * npages));
	cow_sample_metric(s, "read_major_faults", (double)rds.major);
	cow_sample_metric(s, "read_minor_faults", (double)rds.minor);
	if (rds.pswpin >= 0)
		cow_sample_metric(s, "read_pswpin", (double)rds.pswpin);
finish:
	bench_holder_finish(&h, s);
free:
	cow_meas_free(m);
	cow_meas_free(rd);
	cow_meas_free(tot);
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
 * swap.loop: ns is the sum of the phases, per iteration; copies and
 * kernel_wpcopy are summed over the writes.
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

#define SWAP_NEEDS \
	{ COW_NEED_ROOT, NULL, "swapon(2)" }, \
	{ COW_NEED_FILE, "/proc/swaps", "CONFIG_SWAP" }

/* When a page read back from swap, this process's alone, is reused. */
#define SWAP_COMMITS \
	{ "09854ba94c6a", "mm: do_wp_page() simplification (5.9): a page in the swap cache copies" }, \
	{ "53a05ad9f21d", "the swap cache's page freed, then reused (5.18)" }, \
	{ "c18160dba5ff", "an exclusive page read back is mapped writable at once (about 6.11)" }

static const struct cow_scenario swap_cow = {
	.name = "swap.cow",
	.desc = "page out, read back, write (required 0; with a child: all)",
	.help = "`MADV_PAGEOUT` the region (every page must become a swap "
		"entry, or the sample is a skip), read it back, write every "
		"page, on a swapfile of the run's own under `--dir`. "
		"`exclusive`: only this process maps the pages, so required = "
		"0 and any copy is the swap-cache problem of 5.9 to 5.17. "
		"`child`: paged out before a fork, so a live child shares the "
		"swap entries: every page must be copied, and the child must "
		"keep its data. The read-back is reported beside it "
		"(`read_ns_per_page`, `read_major_faults`). Data that did not "
		"survive the round trip FAILs the sample. `exclusive`'s writes "
		"are too short to time alone: they take `rounds`, each paged "
		"out and read back first, until a sample writes 12 Ki pages.",
	.needs = { SWAP_NEEDS },
	.quick_size = COW_QUICK_SIZE,
	.commits = { SWAP_COMMITS },
	.nvariants = swap_cow_nvariants,
	.prepare = swap_prepare,
	.sample = swap_cow_sample,
	.cleanup = swap_cleanup,
	.scratch_bytes = swap_scratch_bytes,
};

static const struct cow_scenario swap_loop = {
	.name = "swap.loop",
	.desc = "pageout, read, write in a loop (the LKML reproducer's shape)",
	.help = "Page out, read back, write, 8 times a sample: the shape of "
		"the LKML reproducer that measured 1606 against 10534 cycles "
		"an operation. The pages are only ever this process's, so "
		"every write's required copies are 0, and a copy is the "
		"swap-cache problem. `ns` is per iteration, the sum of its "
		"phases; copies are summed over the writes. Data that did not "
		"survive a round trip FAILs the sample.",
	.needs = { SWAP_NEEDS },
	.quick_size = COW_QUICK_SIZE,
	.commits = { SWAP_COMMITS },
	.prepare = swap_prepare,
	.sample = loop_sample,
	.cleanup = swap_cleanup,
	.scratch_bytes = swap_scratch_bytes,
};

const struct cow_scenario *const bench_swap_scenarios[] = {
	&swap_cow,
	&swap_loop,
	NULL,
};
