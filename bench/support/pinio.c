// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinio.c - what the workloads on pinned pages share: the scratch file
 * they read with O_DIRECT, counting the pages fork() copies into a child,
 * and the race of I/O into a region against a thread that keeps forking.
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
	int fd = open(r->priv, O_RDONLY | O_DIRECT | O_CLOEXEC);

	if (fd < 0)
		cow_sample_fail(s, COW_EV_HARNESS, "open %s O_DIRECT: %s",
				(char *)r->priv, strerror(errno));
	return fd;
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

	rc->m->pages_written = (int64_t)(rc->passes * rc->m->npages);
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
				  (double)rc->copies_idle / rc->forks_idle);
	if (io && rc->m->accounted)
		cow_sample_metric(s, "child_copies_per_fork_io",
				  (double)rc->copies_io / rc->forks_io);
	if (idle && io)
		cow_sample_metric(s, "fork_io_over_idle", io / idle);
}
