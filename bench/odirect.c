// SPDX-License-Identifier: GPL-2.0-only
/*
 * odirect.c - O_DIRECT reads into anonymous memory: the read pins the
 * target pages (FOLL_PIN | FOLL_WRITE) for the length of the I/O.  A pin
 * on a page shared by COW must be unshared first, and a fork while the
 * pin is held must copy the page into the child, not the parent, or the
 * data lands in a page the parent no longer maps (the O_DIRECT-vs-fork
 * data loss).  The file is the parameter point's scratch file in --dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* Small reads in the race: few pages in flight at each fork. */
#define RACE_CHUNK		(64ul << 10)
#define READ_CHUNK		(1ul << 20)

static enum cow_verdict odirect_prepare(struct cow_run *r, char *reason,
					size_t len)
{
	return bench_scratch_create(r, SEED_FILE, reason, len);
}

static void odirect_cleanup(struct cow_run *r)
{
	bench_scratch_remove(r);
}

/* Read the file into buf, chunk by chunk; rc may be NULL.  0 or -errno. */
static int read_direct(int fd, char *buf, size_t len, size_t chunk,
		       struct bench_race *rc)
{
	unsigned long token = 0;
	size_t off;
	ssize_t n;

	for (off = 0; off < len; off += chunk) {
		if (chunk > len - off)
			chunk = len - off;
		if (rc)
			token = bench_race_begin(rc);
		n = pread(fd, buf + off, chunk, (off_t)off);
		if (rc)
			bench_race_end(rc, token, off, chunk);
		if (n != (ssize_t)chunk)
			return n < 0 ? -errno : -EIO;
	}
	return 0;
}

static int race_pass(struct bench_race *rc, char *why, size_t len)
{
	int err = read_direct(*(int *)rc->ctx, rc->buf, rc->len, RACE_CHUNK,
			      rc);

	if (err)
		snprintf(why, len, "O_DIRECT pread: %s", strerror(-err));
	return err;
}

/*
 * odirect.fork-race - one thread reads the file with O_DIRECT into the
 * region, pass after pass (the parent rewrites it between passes), while
 * this one forks.  Every pass must leave the file's data in the parent's
 * region.  A parent page read into while a child lived may be copied
 * (GUP unshares it first): those are the required copies, an upper bound;
 * a copy of any other page is extra.  Reported besides: fork latency
 * during the I/O against idle, and the pages each fork copied into the
 * child (those pinned by in-flight reads).
 */
static void fork_race_sample(struct cow_run *r, struct cow_sample *s)
{
	struct bench_race rc = { .len = r->size, .seed = SEED_FILE,
				 .mark = true, .pass = race_pass };
	int fd = bench_scratch_open(r, s);

	if (fd < 0)
		return;
	rc.ctx = &fd;
	rc.buf = bench_region(s, rc.len, COW_BACK_SMALL, SEED_PARENT);
	if (!rc.buf)
		goto close_fd;
	rc.m = cow_meas_new(rc.buf, rc.len);
	if (!rc.m) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free_buf;
	}
	cow_meas_require_none(rc.m);
	cow_warm_free_memory(rc.len);
	bench_race_run(&rc, s);
	bench_race_to_sample(&rc, s);
	cow_meas_free(rc.m);
free_buf:
	cow_region_free(rc.buf, rc.len);
close_fd:
	close(fd);
}

/* One timed read of the whole file into buf. */
static int timed_read(int fd, char *buf, size_t len, struct cow_meas *m,
		      struct cow_sample *s)
{
	int err;

	cow_meas_start(m);
	err = read_direct(fd, buf, len, READ_CHUNK, NULL);
	cow_meas_stop(m);
	if (err)
		cow_sample_fail(s, COW_EV_HARNESS, "O_DIRECT pread: %s",
				strerror(-err));
	return err;
}

/*
 * odirect.read-into-shared - O_DIRECT reads into a region a live child
 * shares: GUP for write must unshare each page first, so every page read
 * into is a required copy, and the child must keep the old data.  The
 * same read into the region not shared, in the same sample, is the
 * baseline (no copy required there).
 */
static void read_into_shared_sample(struct cow_run *r, struct cow_sample *s)
{
	size_t len = r->size, npages = len / cow_page_size;
	struct cow_meas *mb = NULL, *ms = NULL;
	struct bench_holder h = { .pid = -1, .go = -1 };
	char *buf;
	int fd;

	fd = bench_scratch_open(r, s);
	if (fd < 0)
		return;
	buf = bench_region(s, len, COW_BACK_SMALL, SEED_PARENT);
	if (!buf)
		goto close_fd;
	mb = cow_meas_new(buf, len);
	ms = cow_meas_new(buf, len);
	if (!mb || !ms) {
		cow_sample_fail(s, COW_EV_HARNESS, "setup: %s",
		                strerror(errno));
		goto out;
	}
	cow_meas_require_none(mb);
	cow_meas_require_all(ms);
	if (timed_read(fd, buf, len, mb, s))
		goto out;
	bench_check_region(s, "region after the baseline read", buf, len,
			   SEED_FILE);

	cow_region_fill(buf, len, SEED_PARENT);
	cow_warm_free_memory(len);
	if (!bench_holder_start(&h, s, buf, len, SEED_PARENT))
		goto out;
	timed_read(fd, buf, len, ms, s);
	bench_holder_finish(&h, s);
	bench_check_region(s, "parent after the read", buf, len, SEED_FILE);
	cow_meas_to_sample(ms, s, npages);
	cow_sample_metric(s, "baseline_ns_per_page",
			  (double)(mb->t_stop - mb->t_start) / npages);
	cow_sample_metric(s, "baseline_MBps", (double)len * 1e3 /
			  (double)(mb->t_stop - mb->t_start));
	cow_sample_metric(s, "shared_MBps", (double)len * 1e3 /
			  (double)(ms->t_stop - ms->t_start));
	cow_sample_metric(s, "shared_over_baseline",
			  (double)(ms->t_stop - ms->t_start) /
			  (double)(mb->t_stop - mb->t_start));
	cow_sample_metric(s, "baseline_pages_copied",
			  (double)mb->pages_copied);
out:
	bench_holder_finish(&h, s);
	cow_meas_free(mb);
	cow_meas_free(ms);
	cow_region_free(buf, len);
close_fd:
	close(fd);
}

const struct cow_scenario cow_sc_odirect_fork_race = {
	.name = "odirect.fork-race",
	.desc = "O_DIRECT reads while another thread forks (data must land)",
	.prepare = odirect_prepare,
	.sample = fork_race_sample,
	.cleanup = odirect_cleanup,
	.scratch_bytes = bench_scratch_bytes,
};

const struct cow_scenario cow_sc_odirect_read_into_shared = {
	.name = "odirect.read-into-shared",
	.desc = "O_DIRECT read into pages a live child shares (req = pages)",
	.prepare = odirect_prepare,
	.sample = read_into_shared_sample,
	.cleanup = odirect_cleanup,
	.scratch_bytes = bench_scratch_bytes,
};
