// SPDX-License-Identifier: GPL-2.0-only
/*
 * odirect.c - O_DIRECT reads into anonymous memory: the read pins the
 * target pages (FOLL_PIN | FOLL_WRITE) for the length of the I/O.  A pin
 * on a page shared by COW must be unshared first, and a fork while the
 * pin is held must copy the page into the child, not the parent, or the
 * data lands in a page the parent no longer maps (the O_DIRECT-vs-fork
 * data loss, which odirect.fork-inflight provokes).  The file is the
 * parameter point's scratch file in --dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/aio_abi.h>

#include "bench.h"

/* Small reads in the race: few pages in flight at each fork. */
#define RACE_CHUNK		(64ul << 10)
#define READ_CHUNK		(1ul << 20)

/*
 * The races and reads in flight need the pinned pages to be the
 * backing's when a fork meets them (BENCH_PIN_KEPT).
 */
static enum cow_verdict odirect_prepare(struct cow_run *r, char *reason,
					size_t len)
{
	return bench_pinned_prepare(r, r->variant,
				    BENCH_PIN_SCRATCH | BENCH_PIN_KEPT,
				    reason, len);
}

/* A read into pages shared with a child unshares any backing. */
static enum cow_verdict shared_prepare(struct cow_run *r, char *reason,
				       size_t len)
{
	return bench_pinned_prepare(r, r->variant, BENCH_PIN_SCRATCH, reason,
				    len);
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
 * odirect.fork-race: the race itself is bench_race_run()'s (pinio.c), on
 * the point's backing (made, checked and its copies warmed by
 * bench_pinned_setup(); counted in its units).
 */
static void fork_race_sample(struct cow_run *r, struct cow_sample *s)
{
	struct bench_race rc = { .seed = SEED_FILE, .mark = true,
				 .pass = race_pass };
	struct bench_setup f;
	int fd = bench_scratch_open(r, s);

	if (fd < 0)
		return;
	rc.ctx = &fd;
	if (!bench_pinned_setup(r, s, &f))
		goto close_fd;
	rc.buf = f.buf;
	rc.len = f.len;
	rc.m = f.m;
	cow_meas_require_none(rc.m);
	bench_race_run(&rc, s);
	bench_race_to_sample(&rc, s);
	bench_teardown(&f);
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
 * odirect.read-into-shared: the baseline first, then the shared read.
 * Small pages take both reads in the one region, refilled between them;
 * another backing is made anew for the shared read, as the baseline read
 * may have left it another (the zero pages, the private file pages and
 * the swapped-out ones are the parent's own anonymous pages after it),
 * and checked again before it.  Swapped pages are read back in first, so
 * that the read meets present pages whose PFNs the count compares: for
 * the shared read, after the fork, so that the child keeps swap entries.
 */
static void read_into_shared_sample(struct cow_run *r, struct cow_sample *s)
{
	const struct bench_pinned *pp = r->priv;
	bool small = !pp->bk || pp->bk->b == COW_BACK_SMALL;
	struct bench_holder h = { .pid = -1, .go = -1 };
	struct cow_meas *mb = NULL, *ms;
	struct bench_setup f = { 0 };
	size_t len, nunits;
	int fd;

	fd = bench_scratch_open(r, s);
	if (fd < 0)
		return;
	if (!bench_pinned_setup(r, s, &f))
		goto close_fd;
	len = f.len;
	mb = cow_meas_new(f.buf, len);
	if (!mb) {
		cow_sample_fail(s, COW_EV_HARNESS, "setup: %s",
		                strerror(errno));
		goto out;
	}
	/* Unshared: no copy required, but a private file page's. */
	if (!small)
		cow_meas_backing(mb, &f.mem);
	bench_require(&f, false);
	memcpy(mb->required, f.m->required, mb->npages);
	bench_present(&f);
	if (timed_read(fd, f.buf, len, mb, s))
		goto out;
	bench_check_region(s, "region after the baseline read", f.buf, len,
			   SEED_FILE);
	bench_check_file(s, &f);

	/* Free memory for the copies was warmed by the setup. */
	if (small) {
		cow_region_fill(f.buf, len, SEED_PARENT);
	} else {
		bench_teardown(&f);
		if (!bench_pinned_setup(r, s, &f)) {
			f.m = NULL;
			goto out;
		}
	}
	ms = f.m;
	nunits = f.nunits;
	bench_require(&f, true);
	if (!bench_holder_start(&h, s, f.buf, len, f.orig))
		goto out;
	bench_present(&f);
	timed_read(fd, f.buf, len, ms, s);
	bench_holder_finish(&h, s);
	bench_check_region(s, "parent after the read", f.buf, len, SEED_FILE);
	bench_check_file(s, &f);
	cow_meas_to_sample(ms, s, nunits);
	cow_sample_metric(s, "baseline_ns_per_page",
			  (double)(mb->t_stop - mb->t_start) / nunits);
	cow_sample_metric(s, "baseline_MBps", (double)len * 1e3 /
			  (double)(mb->t_stop - mb->t_start));
	cow_sample_metric(s, "shared_MBps", (double)len * 1e3 /
			  (double)(ms->t_stop - ms->t_start));
	cow_sample_metric(s, "shared_over_baseline",
			  (double)(ms->t_stop - ms->t_start) /
			  (double)(mb->t_stop - mb->t_start));
	if (mb->accounted)
		cow_sample_metric(s, "baseline_pages_copied",
				  (double)mb->pages_copied);
	if (mb->accounted && mb->zero_apart && mb->zero_allocs >= 0)
		cow_sample_metric(s, "baseline_zero_allocs",
				  (double)mb->zero_allocs);
out:
	bench_holder_finish(&h, s);
	cow_meas_free(mb);
	if (f.m)
		bench_teardown(&f);
close_fd:
	close(fd);
}

/* ---- odirect.fork-inflight ---------------------------------------------- */

/*
 * Reads in flight across a fork need the reads submitted before the fork
 * and still running after it, and the parent writing meanwhile.  Native
 * AIO gives the first for certain: io_submit() returns once the pages
 * are pinned and the bios are on their way.  A pread() in another thread
 * gives no such order (a fork that wins the race finds no pin), so it is
 * not used here; odirect.fork-race keeps that form.
 *
 * Pages read per fork, each page a read of its own first half.  They are
 * one small window, refilled before each fork and read from the next
 * INFL_PAGES pages of the file: a small process forks fast, and a fork
 * that outlasts the reads overlaps nothing (under TCG a fork of 16M
 * populated took 3 ms, longer than most reads).
 */
#define INFL_PAGES		256
/*
 * Forks per sample, each reading the next INFL_PAGES pages of the file
 * (from its start again at its end): at least INFL_FORKS, then on until
 * INFL_OVERLAPS of them overlapped a read, at most INFL_FORKS_MAX.  On
 * this host nearly every fork overlaps; under TCG a read lands within
 * microseconds of host time while a fork takes milliseconds, and 2 to 6
 * forks in 100 overlapped on a stock kernel.
 */
#define INFL_FORKS		32
#define INFL_OVERLAPS		8
#define INFL_FORKS_MAX		256
/* What the second half of each page holds before the parent's write. */
#define SEED_HALF_OLD		SEED_CHILD

/* What one fork's child reports back, in memory it does not COW. */
struct infl_shared {
	uint64_t pm_parent[INFL_PAGES];	/* just before the fork */
	uint64_t pm_child[INFL_PAGES];	/* the child's, just after it */
	uint64_t pm_after[INFL_PAGES];	/* the parent's after the reads */
	size_t child_saw_write;		/* pages with the parent's write */
	size_t child_other;		/* pages holding neither pattern */
	ssize_t child_first;		/* the first of either, or -1 */
};

struct infl {
	int fd;
	aio_context_t ctx;
	char *buf;			/* the window */
	unsigned n;			/* its pages: INFL_PAGES, or fewer */
	size_t unit;			/* pages a copy copies (hugetlb) */
	size_t half;
	size_t first;			/* the file page at its start */
	struct infl_shared *sh;
	struct iocb cb[INFL_PAGES];
	struct iocb *cbp[INFL_PAGES];
	struct io_event ev[INFL_PAGES];

	unsigned forks, overlapped;
	size_t inflight, child_copies, moved;
	size_t reads_lost, writes_lost, child_saw_write;
	ssize_t first_read_lost, first_write_lost;
	uint64_t fork_ns;
	char why[128];
	enum cow_evidence why_ev;	/* data, or the harness (the default) */
};

/* The window's page that holds file page i this fork. */
static char *infl_page(const struct infl *f, size_t i)
{
	return f->buf + (i - f->first) * cow_page_size;
}

/* glibc has no wrappers for the native AIO calls. */
static int aio_setup(unsigned nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx) ? -errno : 0;
}

static void aio_destroy(aio_context_t ctx)
{
	/* Waits for the reads still in flight. */
	syscall(SYS_io_destroy, ctx);
}

/*
 * Reap events: at least min, without waiting when nowait.  The number
 * reaped, or -1 with why (an error, or a read that came back short).
 */
static long infl_reap(struct infl *f, long min, long max, bool nowait)
{
	struct timespec zero = { 0, 0 };
	long n, i;

	do
		n = syscall(SYS_io_getevents, f->ctx, min, max, f->ev,
			    nowait ? &zero : NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(f->why, sizeof(f->why), "io_getevents: %s",
			 strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (f->ev[i].res == (__s64)f->half)
			continue;
		snprintf(f->why, sizeof(f->why), "O_DIRECT AIO read: %s",
			 f->ev[i].res < 0 ? strerror((int)-f->ev[i].res) :
					    "short read");
		return -1;
	}
	return n;
}

/* Submit the reads of file pages [first, first + INFL_PAGES); how many went. */
static long infl_submit(struct infl *f)
{
	size_t first = f->first;
	long done = 0, n;
	unsigned i;

	for (i = 0; i < f->n; i++) {
		struct iocb *cb = &f->cb[i];

		memset(cb, 0, sizeof(*cb));
		cb->aio_lio_opcode = IOCB_CMD_PREAD;
		cb->aio_fildes = (__u32)f->fd;
		cb->aio_buf = (__u64)(uintptr_t)infl_page(f, first + i);
		cb->aio_nbytes = f->half;
		cb->aio_offset = (__s64)((first + i) * cow_page_size);
		f->cbp[i] = cb;
	}
	while (done < (long)f->n) {
		n = syscall(SYS_io_submit, f->ctx, (long)f->n - done,
			    f->cbp + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(f->why, sizeof(f->why), "io_submit: %s",
				 n < 0 ? strerror(errno) : "nothing taken");
			break;
		}
		done += n;
	}
	return done;
}

/*
 * The child: its PFNs at once (the copies fork made), then, released
 * after the parent wrote, whether it sees that write.  It must not: the
 * second halves must still hold what they held at the fork.  Its first
 * halves are not judged, as the read may have landed before the fork.
 */
static void __attribute__((noreturn)) infl_child(struct infl *f, int go)
{
	struct infl_shared *sh = f->sh;
	size_t i, first = f->first;
	char c;

	if (cow_pagemap_read(f->buf, f->n, sh->pm_child))
		memset(sh->pm_child, 0, sizeof(sh->pm_child));
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	for (i = 0; i < f->n; i++) {
		const char *h = infl_page(f, first + i) + f->half;

		if (cow_page_marked(h, SEED_HALF_OLD ^ (first + i)))
			continue;
		if (cow_page_marked(h, SEED_PARENT2 ^ (first + i)))
			sh->child_saw_write++;
		else
			sh->child_other++;
		if (sh->child_first < 0)
			sh->child_first = (ssize_t)(first + i);
	}
	_exit(0);
}

/* The parent's pages after every read came back: its data, and the file's. */
static void infl_check_parent(struct infl *f)
{
	size_t i;

	for (i = f->first; i < f->first + f->n; i++) {
		const char *p = infl_page(f, i);

		if (!cow_page_marked(p, SEED_FILE ^ i) && !f->reads_lost++)
			f->first_read_lost = (ssize_t)i;
		if (!cow_page_marked(p + f->half, SEED_PARENT2 ^ i) &&
		    !f->writes_lost++)
			f->first_write_lost = (ssize_t)i;
	}
}

/*
 * Copy units of the window (hugetlb pages, else pages; the window starts
 * at one) whose PFNs differ between a and b.
 */
static size_t infl_units_moved(const struct infl *f, const uint64_t *a,
			       const uint64_t *b)
{
	uint8_t differs[INFL_PAGES];
	struct cow_pm_diff d;
	size_t i, units = 0;
	bool any = false;

	cow_pagemap_diff(a, b, f->n, differs, &d);
	for (i = 0; i < f->n; i++) {
		any |= differs[i];
		if ((i + 1) % f->unit && i + 1 < f->n)
			continue;
		units += any;
		any = false;
	}
	return units;
}

/* The copy units of the window. */
static size_t infl_units(const struct infl *f)
{
	return (f->n + f->unit - 1) / f->unit;
}

/*
 * One fork with f->n reads in flight: submit, fork, see which
 * reads are still out, write the second halves (last submitted first:
 * those are likeliest still in flight), reap the rest, release the
 * child.  0, or -1 with f->why.
 */
static int infl_once(struct infl *f, size_t first)
{
	long sub, left, n;
	int go[2], ret = -1;
	uint64_t t0, t1;
	size_t i;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC)) {
		snprintf(f->why, sizeof(f->why), "pipe: %s", strerror(errno));
		return -1;
	}
	f->sh->child_saw_write = f->sh->child_other = 0;
	f->sh->child_first = -1;
	/* The window is the parent's alone again: no copies here. */
	f->first = first;
	for (i = first; i < first + f->n; i++) {
		cow_page_mark(infl_page(f, i), SEED_PARENT ^ i);
		cow_page_mark(infl_page(f, i) + f->half, SEED_HALF_OLD ^ i);
	}
	sub = infl_submit(f);
	left = sub;
	if (sub < (long)f->n)
		goto reap;
	if (cow_pagemap_read(f->buf, f->n, f->sh->pm_parent))
		memset(f->sh->pm_parent, 0, sizeof(f->sh->pm_parent));
	t0 = cow_now_ns();
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		infl_child(f, go[0]);
	}
	t1 = cow_now_ns();
	if (pid < 0) {
		snprintf(f->why, sizeof(f->why), "fork: %s", strerror(errno));
		goto reap;
	}
	/* The reads the fork overlapped: those not done when it returned. */
	n = infl_reap(f, 0, left, true);
	if (n >= 0) {
		left -= n;
		f->forks++;
		f->fork_ns += t1 - t0;
		f->inflight += (size_t)left;
		f->overlapped += left > 0;
	}
	for (i = first + f->n; i-- > first;)
		cow_page_mark(infl_page(f, i) + f->half, SEED_PARENT2 ^ i);
	while (n >= 0 && left > 0) {
		n = infl_reap(f, 1, left, false);
		if (n > 0)
			left -= n;
	}
	/* The parent's pages its writes moved, with the child still there. */
	if (n >= 0 && cow_pagemap_read(f->buf, f->n, f->sh->pm_after))
		memset(f->sh->pm_after, 0, sizeof(f->sh->pm_after));
	close(go[1]);
	go[1] = -1;
	if (cow_wait(pid, f->why, sizeof(f->why)) || n < 0)
		goto out;
	f->child_copies += infl_units_moved(f, f->sh->pm_parent,
					    f->sh->pm_child);
	f->moved += infl_units_moved(f, f->sh->pm_parent, f->sh->pm_after);
	f->child_saw_write += f->sh->child_saw_write + f->sh->child_other;
	if (f->sh->child_first >= 0) {
		f->why_ev = COW_EV_DATA;
		snprintf(f->why, sizeof(f->why),
			 "the child saw the parent's later write in %zu pages (%zu hold neither), page %zd first",
			 f->sh->child_saw_write, f->sh->child_other,
			 f->sh->child_first);
	}
	infl_check_parent(f);
	ret = 0;
	goto out;
reap:
	/* Nothing may still write into the region once it is freed. */
	while (left > 0 && (n = infl_reap(f, 1, left, false)) > 0)
		left -= n;
out:
	close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	return ret;
}

/*
 * odirect.fork-inflight (see its .help): INFL_PAGES pages a window, the
 * reads submitted last first; a sample where no read was still in flight
 * when a fork returned tested nothing: SKIP.  Small pages: the window is
 * a region of its own.  Another backing: the backing of the point's size
 * is made and checked, and the window is its first INFL_PAGES pages (all
 * of them, if fewer: thp-single-pte), in its copy units.
 */
static void fork_inflight_sample(struct cow_run *r, struct cow_sample *s)
{
	const struct bench_pinned *pp = r->priv;
	bool small = !pp->bk || pp->bk->b == COW_BACK_SMALL;
	size_t win = INFL_PAGES * cow_page_size;
	size_t nwin;
	unsigned i;
	struct infl f = { .ctx = 0, .half = cow_page_size / 2,
			  .why_ev = COW_EV_HARNESS, .n = INFL_PAGES,
			  .unit = 1,
			  .first_read_lost = -1, .first_write_lost = -1 };
	struct bench_setup mem = { 0 };
	const char *hidden = NULL;
	struct cow_meas *m = NULL;
	int err;

	if (r->size < win) {
		cow_sample_verdict(s, COW_SKIP, "size below %u pages",
				   INFL_PAGES);
		return;
	}
	f.fd = bench_scratch_open(r, s);
	if (f.fd < 0)
		return;
	if (small) {
		f.buf = bench_region(s, win, COW_BACK_SMALL, SEED_PARENT);
		if (!f.buf)
			goto close_fd;
	} else {
		if (!bench_pinned_setup(r, s, &mem))
			goto close_fd;
		f.buf = mem.buf;
		if (mem.len < win)
			f.n = (unsigned)(mem.len / cow_page_size);
		f.unit = mem.npages / mem.nunits;
	}
	nwin = r->size / (f.n * cow_page_size);
	f.sh = cow_shared_alloc(sizeof(*f.sh));
	/* Time and counters; the window's copies are counted fork by fork. */
	m = cow_meas_new(NULL, 0);
	err = aio_setup(INFL_PAGES, &f.ctx);
	if (!f.sh || !m || err) {
		cow_sample_fail(s, COW_EV_HARNESS, "setup: %s",
				strerror(err ? -err : errno));
		goto out;
	}
	if (small)
		cow_warm_free_memory(win);
	cow_meas_start(m);
	for (i = 0; i < INFL_FORKS_MAX && !cow_interrupted; i++) {
		if (i >= INFL_FORKS && f.overlapped >= INFL_OVERLAPS)
			break;
		if (infl_once(&f, (i % nwin) * f.n) || f.why[0])
			break;
		/* Data lost is the verdict: no need to go on. */
		if (f.reads_lost || f.writes_lost)
			break;
	}
	cow_meas_stop(m);
	if (f.why[0])
		cow_sample_fail(s, f.why_ev, "%s", f.why);
	if (f.reads_lost)
		cow_sample_fail(s, COW_EV_DATA,
				   "%zu O_DIRECT reads in flight at fork missed the parent (page %zd holds its old data)",
				   f.reads_lost, f.first_read_lost);
	if (f.writes_lost)
		cow_sample_fail(s, COW_EV_DATA,
				   "the parent lost its write to %zu pages (page %zd first)",
				   f.writes_lost, f.first_write_lost);
	if (!f.overlapped)
		cow_sample_verdict(s, COW_SKIP,
				   "no fork overlapped a read in flight in %u tries",
				   f.forks);
	m->pages_written = (int64_t)(f.forks * infl_units(&f));
	cow_meas_to_sample(m, s, f.forks);
	s->ns = f.fork_ns;
	if (cow_pagemap_pfns_visible(&hidden)) {
		/*
		 * Each page written while a child lived may need a copy: an
		 * upper bound, as a page whose read was still in flight at
		 * the fork stays the parent's (copies_missing null).
		 */
		s->pages_copied = (int64_t)f.moved;
		s->pages_required = s->pages_written;
		s->extra_copies = 0;
		s->copies_missing = -1;
		if (f.forks)
			cow_sample_metric(s, "child_copies_per_fork",
					  (double)f.child_copies / f.forks);
	} else if (!s->reason[0]) {
		snprintf(s->reason, sizeof(s->reason),
			 "copies not counted: %s", hidden);
	}
	cow_sample_metric(s, "forks", f.forks);
	cow_sample_metric(s, "overlap_rate",
			  f.forks ? (double)f.overlapped / f.forks : 0);
	cow_sample_metric(s, "inflight_pages_per_fork",
			  f.forks ? (double)f.inflight / f.forks : 0);
	cow_sample_metric(s, "reads_lost", (double)f.reads_lost);
	cow_sample_metric(s, "writes_lost", (double)f.writes_lost);
	cow_sample_metric(s, "child_saw_write", (double)f.child_saw_write);
out:
	if (f.ctx)
		aio_destroy(f.ctx);
	cow_meas_free(m);
	if (f.sh)
		cow_shared_free(f.sh, sizeof(*f.sh));
	if (small)
		cow_region_free(f.buf, win);
	else
		bench_teardown(&mem);
close_fd:
	close(f.fd);
}

/* Pages of the probe read that must each count as a FOLL_PIN. */
#define PIN_PROBE_PAGES		16

/* A /proc/vmstat counter, or -1 where this kernel has none. */
static int64_t vmstat_value(const char *key)
{
	char name[64];
	long long v;
	int64_t ret = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key)) {
			ret = v;
			break;
		}
	fclose(f);
	return ret;
}

/*
 * Whether an O_DIRECT read pins its pages with FOLL_PIN, the pin that
 * fork() must honour (nr_foll_pin_acquired, since 5.7, counts a pin a
 * page).  Block O_DIRECT took plain references (FOLL_GET) before 6.5,
 * and a fork may share such a page: open(2) leaves O_DIRECT I/O across
 * fork() into a private buffer undefined, so such a kernel is a SKIP
 * here, not a FAIL.  Other pins at the same moment only add, so the
 * best of three reads decides.  1 pinned, 0 not, 2 no counter;
 * -errno when the read failed.
 */
static int pin_probe(int fd, char *buf, int64_t *delta)
{
	size_t len = PIN_PROBE_PAGES * cow_page_size;
	int64_t a, b;
	int i;

	*delta = 0;
	for (i = 0; i < 3; i++) {
		a = vmstat_value("nr_foll_pin_acquired");
		if (pread(fd, buf, len, 0) != (ssize_t)len)
			return errno ? -errno : -EIO;
		b = vmstat_value("nr_foll_pin_acquired");
		if (a < 0 || b < 0)
			return 2;
		if (b - a > *delta)
			*delta = b - a;
		if (*delta >= PIN_PROBE_PAGES)
			return 1;
	}
	return 0;
}

/* The need of odirect.fork-inflight that a probe can see: native AIO. */
static int aio_probe(char *reason, size_t len)
{
	aio_context_t ctx = 0;
	int err = aio_setup(INFL_PAGES, &ctx);

	if (!err) {
		aio_destroy(ctx);
		return 0;
	}
	snprintf(reason, len, "io_setup: %s (fs.aio-max-nr, CONFIG_AIO)",
		 strerror(-err));
	return -1;
}

/*
 * The scratch file, and whether this filesystem takes an O_DIRECT read
 * of half a page and O_DIRECT pins here: SKIP with the reason if not.
 */
static enum cow_verdict inflight_prepare(struct cow_run *r, char *reason,
					 size_t len)
{
	enum cow_verdict v = odirect_prepare(r, reason, len);
	size_t plen = PIN_PROBE_PAGES * cow_page_size;
	char *buf = NULL;
	int64_t delta;
	ssize_t n = -1;
	int fd, err, pinned = 2;

	if (v != COW_PASS)
		return v;
	fd = open(((struct bench_pinned *)r->priv)->path,
		  O_RDONLY | O_DIRECT | O_CLOEXEC);
	buf = cow_region_alloc(plen, COW_BACK_SMALL);
	if (fd >= 0 && buf)
		n = pread(fd, buf, cow_page_size / 2, 0);
	err = n < 0 ? errno : 0;
	/* The file is at least 16 pages: r->size is at least 1M. */
	if (!err && r->size >= plen) {
		pinned = pin_probe(fd, buf, &delta);
		if (pinned < 0)
			err = -pinned;
	}
	if (fd >= 0)
		close(fd);
	if (buf)
		cow_region_free(buf, plen);
	if (err) {
		snprintf(reason, len,
			 "O_DIRECT read of half a page in %s: %s", r->opts->dir,
			 err == EINVAL ? "refused (block size above it)" :
					 strerror(err));
		goto skip;
	}
	if (!pinned) {
		snprintf(reason, len,
			 "O_DIRECT reads do not FOLL_PIN here (nr_foll_pin_acquired +%lld for %u pages): fork may share their pages, as open(2) allows",
			 (long long)delta, PIN_PROBE_PAGES);
		goto skip;
	}
	return COW_PASS;
skip:
	/* No cleanup() follows a prepare() that did not pass. */
	bench_pinned_cleanup(r);
	return COW_SKIP;
}

/* The scratch file on --dir, removed after a crash by the run's registry. */
#define SCRATCH_NEED \
	{ COW_NEED_ROOT, NULL, "the registry that removes a scratch file after a crash; PFNs" }

/* The backings of the workloads where a fork meets pinned pages. */
#define PIN_BACKINGS_HELP \
	"It runs on the anonymous backings of the fork workloads that "	\
	"stay what they are under a pin (small pages only in --quick): "	\
	"THP in every shape (a fork must not share a pinned page of a THP "	\
	"either: the kernel splits a PMD that maps one and copies the "	\
	"page into the child) and hugetlb (one copy a huge page; counts "	\
	"in huge pages). Swapped-out pages, the zero pages and private file "	\
	"mappings skip saying why: the first pin or write gives the "	\
	"parent anonymous pages of its own in their place, so no fork "	\
	"would meet the backing; `odirect.read-into-shared` measures that "	\
	"pin."

/* Why a fork must not share a page pinned for I/O. */
#define PIN_COMMITS \
	{ "70e806e4e645", "fork copies pinned pages for the child eagerly (5.9)" }, \
	{ "6c287605fd56", "PG_anon_exclusive (5.19): fork refuses to share maybe-pinned pages" }

static const struct cow_scenario fork_race = {
	.name = "odirect.fork-race",
	.desc = "O_DIRECT reads while another thread forks (data must land)",
	.help = "One thread reads the point's scratch file (in `--dir`; a "
		"filesystem that refuses O_DIRECT is a skip) into the region "
		"with O_DIRECT (64 KiB reads), pass after pass, while the other "
		"forks (4 forks before the I/O, up to 16 during it; the parent "
		"rewrites the region between passes with forks held off). "
		"Every pass must leave the file's data in the parent, "
		"otherwise the sample FAILs. `ns/op` is the fork latency "
		"during the I/O; metrics give it idle too, the pages each fork "
		"copied into the child (those pinned by reads in flight) and "
		"the I/O rate. Required copies are the pages of every read "
		"during which a child lived, which may be unshared first: an "
		"upper bound, so `copied` well below `req` is expected "
		"(`copies_missing` null). The parent writes no page while a "
		"read into it is in flight, so a fork that shares a pinned "
		"page loses nothing here; `odirect.fork-inflight` checks that. "
		PIN_BACKINGS_HELP,
	.needs = { SCRATCH_NEED },
	.quick_size = COW_QUICK_SIZE,
	.commits = { PIN_COMMITS },
	.nvariants = bench_backings_full,
	.prepare = odirect_prepare,
	.sample = fork_race_sample,
	.cleanup = bench_pinned_cleanup,
	.backing_name = bench_pinned_backing_name,
	.scratch_bytes = bench_scratch_bytes,
};

static const struct cow_scenario fork_inflight = {
	.name = "odirect.fork-inflight",
	.desc = "fork with O_DIRECT reads in flight, parent writes (data lands)",
	.help = "The data consequence of a fork during O_DIRECT reads, with "
		"the order made certain: native AIO reads of the first half of "
		"each of 256 pages are submitted (`io_submit` returns with the "
		"pages pinned and the reads on their way), the parent forks at "
		"once and writes the second half of each page, last submitted "
		"first. The file's data must land in the parent, the parent's "
		"writes must stay, and the child, released afterwards, must "
		"still see the second halves as they were at the fork; a "
		"kernel that shares a pinned page at fork moves the parent's "
		"page on that write and the read lands in the child's: a FAIL. "
		"The 256 pages are one window, refilled before each fork from "
		"the next part of the file, so that the process forks fast. At "
		"least 32 forks a sample, then on until 8 of them overlapped a "
		"read, at most 256; `overlap_rate` is the share of forks that "
		"returned with a read still in flight, and a sample with none "
		"is a skip. `copied` are the parent's pages that moved; `req` "
		"(each page written while a child lived) is an upper bound, as "
		"a read finished before the fork leaves its page shared. "
		"On a backing the window is the first 256 pages of the "
		"backing of the point's size (all of it when fewer, so "
		"`thp-single-pte` overlaps little), counted in its copy "
		"units. " PIN_BACKINGS_HELP,
	.needs = {
		SCRATCH_NEED,
		{ COW_NEED_PROBE, "native AIO", "CONFIG_AIO, fs.aio-max-nr",
		  aio_probe },
		/* A probe read of the point's own file: prepare()'s. */
		{ COW_NEED_PREPARE,
		  "O_DIRECT reads of half a page, pinned with FOLL_PIN",
		  "--dir's filesystem; block O_DIRECT took plain references before 6.5, and open(2) leaves O_DIRECT across fork undefined there" },
	},
	.quick_size = COW_QUICK_SIZE,
	.commits = { PIN_COMMITS },
	.nvariants = bench_backings_full,
	.prepare = inflight_prepare,
	.sample = fork_inflight_sample,
	.cleanup = bench_pinned_cleanup,
	.backing_name = bench_pinned_backing_name,
	.scratch_bytes = bench_scratch_bytes,
};

static const struct cow_scenario read_into_shared = {
	.name = "odirect.read-into-shared",
	.desc = "O_DIRECT read into pages a live child shares (req = pages)",
	.help = "O_DIRECT reads into a region a live child shares: GUP for "
		"write unshares every page first (required = pages read), and "
		"the child must keep its data, or the sample FAILs. The same "
		"read into the region unshared, in the same sample, is the "
		"baseline (`shared_over_baseline`, `baseline_MBps`, "
		"`shared_MBps`, `baseline_pages_copied`). It runs on every "
		"backing of the fork workloads (small pages only in --quick), "
		"each made anew for the shared read and checked page by page "
		"before it: a shared anonymous page (THP in every shape, "
		"swapped out, hugetlb: one copy a huge page) is copied, a "
		"shared zero page is replaced by a new page (`zero_allocs` = "
		"pages, none copied), a page of a private file mapping is "
		"copied from the page cache, shared or not (so the baseline "
		"copies every page too), and the file must keep its data.",
	.needs = { SCRATCH_NEED },
	.quick_size = COW_QUICK_SIZE,
	.nvariants = bench_backings_full,
	.prepare = shared_prepare,
	.sample = read_into_shared_sample,
	.cleanup = bench_pinned_cleanup,
	.backing_name = bench_pinned_backing_name,
	.scratch_bytes = bench_scratch_bytes,
};

const struct cow_scenario *const bench_odirect_scenarios[] = {
	&fork_race,
	&fork_inflight,
	&read_into_shared,
	NULL,
};
