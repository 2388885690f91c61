// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinio.c - what the workloads on pinned pages share: the scratch file
 * they read with O_DIRECT, a point's backing (and which backings a fork
 * of pinned pages can meet), counting the pages fork() copies into a
 * child, and the race of I/O into a region against a thread that keeps
 * forking.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* ---- scratch files ------------------------------------------------------- */

#define SCRATCH_CHUNK	(1ul << 20)

static void scratch_path(struct cow_run *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s/cowbench-%s.%d.dat", r->opts->dir, r->sc->name,
		 (int)getpid());
}

static int scratch_fill(int fd, size_t size, uint64_t seed)
{
	size_t chunk = size < SCRATCH_CHUNK ? size : SCRATCH_CHUNK, off, i, n;
	char *buf = cow_region_alloc(chunk, COW_BACK_SMALL);
	int err = 0;

	if (!buf)
		return -errno;
	for (off = 0; off < size && !err; off += n) {
		size_t first = off / cow_page_size;

		n = size - off < chunk ? size - off : chunk;
		/* Page index runs on across chunks: the file is one region. */
		for (i = 0; i < n / cow_page_size; i++)
			cow_page_mark(buf + i * cow_page_size,
				      seed ^ (first + i));
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			err = errno ? -errno : -EIO;
	}
	if (!err && fsync(fd))
		err = -errno;
	cow_region_free(buf, chunk);
	return err;
}

enum cow_verdict bench_scratch_create(struct cow_run *r, uint64_t seed,
				      char *reason, size_t len)
{
	char path[PATH_MAX];
	int fd, err;

	scratch_path(r, path, sizeof(path));
	/* Registered first, so that no way out of the run leaves it behind. */
	err = cow_undo_unlink(path);
	if (err == -EBADF) {
		/* Only a root run keeps the registry (cow_knobs_init). */
		snprintf(reason, len,
			 "not root: no registry to remove a scratch file after a crash");
		return COW_SKIP;
	}
	if (err) {
		snprintf(reason, len, "cannot register %s for removal: %s",
			 path, strerror(-err));
		return COW_SKIP;
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(reason, len, "%s: %s", path, strerror(errno));
		return COW_SKIP;
	}
	err = scratch_fill(fd, r->size, seed);
	close(fd);
	if (!err) {
		fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd < 0)
			err = -errno;
		else
			close(fd);
		if (err == -EINVAL) {
			unlink(path);
			snprintf(reason, len,
				 "%s: the filesystem refuses O_DIRECT (EINVAL); use --dir on a disk filesystem",
				 r->opts->dir);
			return COW_SKIP;
		}
	}
	if (err) {
		unlink(path);
		snprintf(reason, len, "%s: %s", path, strerror(-err));
		return COW_SKIP;
	}
	r->priv = strdup(path);
	if (!r->priv) {
		unlink(path);
		snprintf(reason, len, "out of memory");
		return COW_SKIP;
	}
	return COW_PASS;
}

/* Not root: bench_scratch_create() skips before it creates anything. */
uint64_t bench_scratch_bytes(const struct cow_opts *o, uint64_t size)
{
	return geteuid() ? 0 : size;
}

void bench_scratch_remove(struct cow_run *r)
{
	if (!r->priv)
		return;
	unlink(r->priv);
	free(r->priv);
	r->priv = NULL;
}

int bench_scratch_open(struct cow_run *r, struct cow_sample *s)
{
	const struct bench_pinned *pp = r->priv;
	int fd = open(pp->path, O_RDONLY | O_DIRECT | O_CLOEXEC);

	if (fd < 0)
		cow_sample_fail(s, COW_EV_HARNESS, "open %s O_DIRECT: %s",
				pp->path, strerror(errno));
	return fd;
}

/* ---- the backing of a point on pinned pages ------------------------------ */

/*
 * Why the backing called name is not what a fork meets in the workloads
 * that need the pinned pages to still be the backing's then (flag
 * BENCH_PIN_KEPT), or NULL.  The first FOLL_WRITE pin, or the first
 * write, gives the parent anonymous pages of its own in place of these:
 * swap entries are swapped in, a zero page is replaced by a new page, a
 * private file page is copied.  From then on every fork of such a point
 * would meet anonymous pages, the point of another backing under this
 * backing's name.  Decided by name, so that a skip sets no knob; a
 * backing not named here is anonymous memory that stays, and applies.
 */
static const char *pin_replaced(const char *name, char *buf, size_t len)
{
	const char *what;

	/* Each fits a sample's reason (160) with the name before it. */
	if (strstr(name, "swap"))
		what = "the first pin swaps the pages in: no fork meets swap entries (odirect.read-into-shared pins them while shared)";
	else if (!strcmp(name, "zero") || !strcmp(name, "huge-zero"))
		what = "the first pin or write replaces each zero page with a new page: no fork meets the zero page (odirect.read-into-shared pins it)";
	else if (!strncmp(name, "memfd", 5) || !strcmp(name, "tmpfile"))
		what = "the first pin or write copies each private file page to an anonymous one: no fork meets the file's (odirect.read-into-shared pins them)";
	else
		return NULL;
	snprintf(buf, len, "%s: %s", name, what);
	return buf;
}

/* What a point set up, freed: its scratch file and its backing. */
static void pinned_release(struct cow_run *r, struct bench_pinned *pp)
{
	if (pp->path) {
		r->priv = pp->path;
		bench_scratch_remove(r);
		pp->path = NULL;
	}
	if (pp->bk) {
		r->priv = pp->bk;
		bench_backing_cleanup(r);
		pp->bk = NULL;
	}
	r->priv = pp;
}

enum cow_verdict bench_pinned_prepare(struct cow_run *r, unsigned idx,
				      unsigned flags, char *reason,
				      size_t len)
{
	struct bench_pinned *pp = calloc(1, sizeof(*pp));
	bool in_sample = flags & BENCH_PIN_SAMPLE_SKIP;
	char *why = in_sample && pp ? pp->skip : reason;
	size_t wlen = in_sample && pp ? sizeof(pp->skip) : len;
	enum cow_verdict v = COW_PASS;
	char name[48];

	if (!pp) {
		snprintf(reason, len, "out of memory");
		return COW_SKIP;
	}
	if ((flags & BENCH_PIN_KEPT) &&
	    bench_backing_variant_name(r->opts, idx, name, sizeof(name)) &&
	    pin_replaced(name, why, wlen))
		v = COW_SKIP;
	if (v == COW_PASS && (flags & BENCH_PIN_SCRATCH)) {
		r->priv = NULL;
		v = bench_scratch_create(r, SEED_FILE, why, wlen);
		pp->path = r->priv;
	}
	if (v == COW_PASS) {
		r->priv = NULL;
		/* A skip leaves what it set up in r->priv: released below. */
		v = bench_backing_prepare_idx(r, idx, why, wlen);
		pp->bk = r->priv;
	}
	r->priv = pp;
	if (v == COW_PASS)
		return COW_PASS;
	/* Nothing held for a point that skips, whoever says so. */
	pinned_release(r, pp);
	if (in_sample)
		return COW_PASS;
	/* No cleanup() follows a prepare() that did not pass. */
	free(pp);
	r->priv = NULL;
	return COW_SKIP;
}

void bench_pinned_cleanup(struct cow_run *r)
{
	struct bench_pinned *pp = r->priv;

	if (!pp)
		return;
	pinned_release(r, pp);
	free(pp);
	r->priv = NULL;
}

const char *bench_pinned_backing_name(const struct cow_opts *o, unsigned v,
				      char *buf, size_t len)
{
	return v < bench_backings_full(o) ?
	       bench_backing_variant_name(o, v, buf, len) : NULL;
}

bool bench_pinned_skip(struct cow_run *r, struct cow_sample *s)
{
	const struct bench_pinned *pp = r->priv;

	if (!pp->skip[0])
		return false;
	cow_sample_verdict(s, COW_SKIP, "%s", pp->skip);
	return true;
}

bool bench_pinned_setup(struct cow_run *r, struct cow_sample *s,
			struct bench_setup *f)
{
	const struct bench_pinned *pp = r->priv;

	memset(f, 0, sizeof(*f));
	return bench_setup_mem(r, s, f, pp->bk);
}

/* ---- copies into a child at fork ----------------------------------------- */

int bench_fork_copies(struct cow_meas *cm, struct bench_fork_watch *w,
		      uint64_t *fork_ns, struct cow_pm_diff *d, char *why,
		      size_t len)
{
	uint64_t t0, t1;
	int err, ret = -1;
	pid_t pid;

	err = cow_pagemap_read(cm->addr, cm->npages, cm->pm_before);
	if (err) {
		snprintf(why, len, "pagemap: %s", strerror(-err));
		return -1;
	}
	if (w) {
		/* Announce the child before looking at hold: see race_reset. */
		atomic_store(&w->alive, 1);
		if (atomic_load(&w->hold)) {
			atomic_store(&w->alive, 0);
			return 1;
		}
		atomic_fetch_add(&w->gen, 1);
	}
	t0 = cow_now_ns();
	pid = fork();
	if (pid == 0) {
		/* Only system calls here: the parent may have threads. */
		if (cow_pagemap_read(cm->addr, cm->npages, cm->pm_after))
			_exit(5);
		_exit(0);
	}
	t1 = cow_now_ns();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		goto out;
	}
	if (cow_wait(pid, why, len))
		goto out;
	if (fork_ns)
		*fork_ns = t1 - t0;
	cow_pagemap_diff(cm->pm_before, cm->pm_after, cm->npages, NULL, d);
	ret = 0;
out:
	if (w)
		atomic_store(&w->alive, 0);
	return ret;
}

/* ---- I/O into a region while another thread forks ------------------------ */

/* Forks before the I/O starts: latency and copies of a quiet region. */
#define RACE_IDLE_FORKS		4
/* A run of passes stops once this many forks overlapped the I/O... */
#define RACE_MIN_FORKS		8
/* ...or after this many passes, should forking stall. */
#define RACE_MAX_PASSES		64
/* Each fork stalls the I/O (mmap lock, CPU): then let it finish alone. */
#define RACE_MAX_FORKS		16

unsigned long bench_race_begin(struct bench_race *rc)
{
	if (atomic_load(&rc->w.alive))
		return ULONG_MAX;
	return atomic_load(&rc->w.gen);
}

void bench_race_end(struct bench_race *rc, unsigned long token, size_t off,
		    size_t len)
{
	/* No child was born or alive between begin and end: nothing shared. */
	if (!rc->mark || (token != ULONG_MAX && !atomic_load(&rc->w.alive) &&
			  atomic_load(&rc->w.gen) == token))
		return;
	memset(rc->m->required + off / cow_page_size, 1, len / cow_page_size);
}

/*
 * The parent rewrites the region between passes, so that a read that
 * lands elsewhere shows; forks are held off meanwhile, so the rewrite
 * needs no copy (the pages are the parent's alone again).
 */
static void race_reset(struct bench_race *rc)
{
	atomic_store(&rc->w.hold, 1);
	while (atomic_load(&rc->w.alive))
		sched_yield();
	cow_region_fill(rc->buf, rc->len, SEED_PARENT);
	atomic_store(&rc->w.hold, 0);
}

static void *race_io(void *arg)
{
	struct bench_race *rc = arg;
	char who[64];
	uint64_t t0;
	int err;

	for (;;) {
		if (rc->passes)
			race_reset(rc);
		t0 = cow_now_ns();
		err = rc->pass(rc, rc->io_why, sizeof(rc->io_why));
		rc->io_ns += cow_now_ns() - t0;
		if (err) {
			rc->io_failed = true;
			break;
		}
		rc->passes++;
		snprintf(who, sizeof(who), "parent after I/O pass %u",
			 rc->passes);
		bench_check_region(rc->s, who, rc->buf, rc->len, rc->seed);
		if (rc->s->verdict == COW_FAIL ||
		    atomic_load(&rc->w.gen) - rc->forks_idle >=
		    RACE_MIN_FORKS ||
		    rc->passes >= RACE_MAX_PASSES)
			break;
	}
	atomic_store(&rc->io_done, 1);
	return NULL;
}

static int race_fork(struct bench_race *rc, struct cow_meas *cm, bool io,
		     char *why, size_t len)
{
	struct cow_pm_diff d;
	uint64_t ns;
	int r = bench_fork_copies(cm, &rc->w, &ns, &d, why, len);

	if (r < 0)
		return -1;
	if (r > 0) {
		sched_yield();
		return 0;
	}
	if (io) {
		rc->forks_io++;
		rc->fork_ns_io += ns;
		rc->copies_io += d.differ;
	} else {
		rc->forks_idle++;
		rc->fork_ns_idle += ns;
		rc->copies_idle += d.differ;
	}
	return 0;
}

/*
 * A hugetlb page is one copy, judged at its first page (measure.c): a
 * read into any part of it while a child lived makes it required.
 */
static void race_fold_units(struct cow_meas *m)
{
	size_t u = m->unit_pages, i, j;

	for (i = 0; u > 1 && i < m->npages; i += u)
		for (j = 1; j < u && i + j < m->npages; j++)
			m->required[i] |= m->required[i + j];
}

void bench_race_run(struct bench_race *rc, struct cow_sample *s)
{
	struct cow_meas *cm = cow_meas_new(rc->buf, rc->len);
	char why[128] = "";
	pthread_t io;
	unsigned i;
	int err;

	rc->s = s;
	if (!cm) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		return;
	}
	for (i = 0; i < RACE_IDLE_FORKS; i++) {
		if (race_fork(rc, cm, false, why, sizeof(why))) {
			cow_sample_fail(s, COW_EV_HARNESS, "idle fork: %s",
			                why);
			goto out;
		}
	}
	cow_meas_start(rc->m);
	err = pthread_create(&io, NULL, race_io, rc);
	if (err) {
		cow_meas_stop(rc->m);
		cow_sample_fail(s, COW_EV_HARNESS, "pthread_create: %s",
				strerror(err));
		goto out;
	}
	while (!atomic_load(&rc->io_done) && rc->forks_io < RACE_MAX_FORKS)
		if (race_fork(rc, cm, true, why, sizeof(why)))
			break;
	pthread_join(io, NULL);
	race_fold_units(rc->m);
	cow_meas_stop(rc->m);
	if (why[0])
		cow_sample_fail(s, COW_EV_HARNESS, "fork during I/O: %s", why);
	if (rc->io_failed)
		cow_sample_fail(s, COW_EV_HARNESS, "I/O: %s", rc->io_why);
out:
	cow_meas_free(cm);
}

void bench_race_to_sample(struct bench_race *rc, struct cow_sample *s)
{
	double idle = rc->forks_idle ?
		      (double)rc->fork_ns_idle / rc->forks_idle : 0;
	double io = rc->forks_io ? (double)rc->fork_ns_io / rc->forks_io : 0;
	size_t u = rc->m->unit_pages ? rc->m->unit_pages : 1;

	/* In the backing's units, as the copies (a hugetlb page is one). */
	rc->m->pages_written = (int64_t)(rc->passes * (rc->m->npages / u));
	cow_meas_to_sample(rc->m, s, rc->forks_io);
	/* The headline is fork latency under I/O: the forks alone. */
	s->ns = rc->fork_ns_io;
	if (rc->mark && s->pages_copied >= 0)
		/* Pages touched while a child lived may copy, need not. */
		s->copies_missing = -1;
	cow_sample_metric(s, "forks_io", rc->forks_io);
	cow_sample_metric(s, "io_passes", rc->passes);
	if (rc->io_ns)
		cow_sample_metric(s, "io_MBps", (double)rc->passes * rc->len *
				  1e3 / rc->io_ns);
	if (idle)
		cow_sample_metric(s, "fork_ns_idle", idle);
	if (io)
		cow_sample_metric(s, "fork_ns_io", io);
	/* Without PFNs (not root) the children compared nothing. */
	if (idle && rc->m->accounted)
		cow_sample_metric(s, "child_copies_per_fork_idle",
				  (double)rc->copies_idle / u / rc->forks_idle);
	if (io && rc->m->accounted)
		cow_sample_metric(s, "child_copies_per_fork_io",
				  (double)rc->copies_io / u / rc->forks_io);
	if (idle && io)
		cow_sample_metric(s, "fork_io_over_idle", io / idle);
}
