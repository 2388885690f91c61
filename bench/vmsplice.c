// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmsplice.c - pages a pipe holds references to (vmsplice without
 * SPLICE_F_GIFT takes a plain GUP reference, no pin) while their owner
 * writes them.  Since 5.9 a write to an anonymous page that someone else
 * may reference copies; before, a page mapped once was reused even with a
 * pipe holding it, and the pipe read the writer's new data
 * (CVE-2020-29374).  A pipe holds at most pipe-max-size bytes, so a region
 * is spread over as many pipes as it needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

#define PIPE_MAX_SIZE	"/proc/sys/fs/pipe-max-size"

/* ---- a region spliced into pipes ---------------------------------------- */

struct pipes {
	int (*fd)[2];
	size_t *bytes;		/* spliced into each */
	unsigned n, cap;
};

/* The largest pipe we may have: pipe-max-size, else the default. */
int bench_pipe_big(int fd[2])
{
	int64_t want;

	if (pipe2(fd, O_CLOEXEC))
		return -errno;
	want = cow_knob_read_num(PIPE_MAX_SIZE);
	if (want > 0 && want <= INT_MAX)
		fcntl(fd[0], F_SETPIPE_SZ, (int)want);
	return 0;
}

static void pipes_close(struct pipes *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		close(p->fd[i][0]);
		close(p->fd[i][1]);
	}
	free(p->fd);
	free(p->bytes);
	memset(p, 0, sizeof(*p));
}

static int pipes_add(struct pipes *p)
{
	if (p->n == p->cap) {
		unsigned cap = p->cap ? 2 * p->cap : 16;
		void *fd = realloc(p->fd, cap * sizeof(*p->fd));
		void *b = fd ? realloc(p->bytes, cap * sizeof(*p->bytes)) :
			  NULL;

		if (fd)
			p->fd = fd;
		if (!b)
			return -ENOMEM;
		p->bytes = b;
		p->cap = cap;
	}
	p->bytes[p->n] = 0;
	return bench_pipe_big(p->fd[p->n]) ? -errno : (int)p->n++;
}

/*
 * vmsplice [buf, buf+len) into fresh pipes, filling each before taking
 * the next.  0, or -1 with the sample's verdict set (SKIP for limits).
 */
static int pipes_splice(struct pipes *p, const char *buf, size_t len,
			struct cow_sample *s)
{
	struct rlimit rl;
	size_t off = 0;
	int i = -1;

	/* 1G is 1024 pipes of 1 MiB: allow what the hard limit does. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	while (off < len) {
		struct iovec iov = {
			.iov_base = (void *)(buf + off),
			.iov_len = len - off,
		};
		ssize_t n;

		if (i < 0) {
			i = pipes_add(p);
			if (i < 0) {
				cow_sample_verdict(s, COW_SKIP,
						   "pipe %u: %s", p->n,
						   strerror(-i));
				return -1;
			}
		}
		/* Non-blocking: a full pipe says EAGAIN; take another. */
		n = vmsplice(p->fd[i][1], &iov, 1, SPLICE_F_NONBLOCK);
		if (n < 0 && errno == EAGAIN && p->bytes[i]) {
			i = -1;
			continue;
		}
		if (n <= 0) {
			cow_sample_fail(s, COW_EV_HARNESS, "vmsplice: %s",
					n ? strerror(errno) : "spliced 0");
			return -1;
		}
		p->bytes[i] += (size_t)n;
		off += (size_t)n;
	}
	return 0;
}

/* Read everything back, in order, into out.  0 or -1 with why. */
static int pipes_drain(struct pipes *p, char *out, char *why, size_t len)
{
	size_t off = 0, got;
	unsigned i;
	ssize_t n;

	for (i = 0; i < p->n; i++) {
		for (got = 0; got < p->bytes[i]; got += (size_t)n) {
			n = read(p->fd[i][0], out + off + got,
				 p->bytes[i] - got);
			if (n <= 0) {
				snprintf(why, len, "reading pipe %u: %s", i,
					 n ? strerror(errno) : "EOF");
				return -1;
			}
		}
		off += got;
	}
	return 0;
}

/* Drain into a fresh buffer and sort the pages into old, new, neither. */
static int pipes_classify(struct pipes *p, size_t len, uint64_t seed_old,
			  uint64_t seed_new, struct bench_seen *seen,
			  char *why, size_t wlen)
{
	char *out = cow_region_alloc(len, COW_BACK_SMALL);
	int ret;

	if (!out) {
		snprintf(why, wlen, "no memory to drain the pipes");
		return -1;
	}
	ret = pipes_drain(p, out, why, wlen);
	if (!ret)
		bench_classify(out, len / cow_page_size, seed_old, seed_new,
			       seen);
	cow_region_free(out, len);
	return ret;
}

/* ---- the scenarios ------------------------------------------------------ */

struct vs {
	struct bench_setup f;
	struct pipes p;
};

/* bk: the point's backing (vmsplice.leak), or NULL for small pages. */
static bool vs_setup(struct cow_run *r, struct cow_sample *s, struct vs *v,
		     const struct bench_backing *bk)
{
	memset(v, 0, sizeof(*v));
	return bench_setup_mem(r, s, &v->f, bk);
}

static void vs_teardown(struct vs *v)
{
	pipes_close(&v->p);
	bench_teardown(&v->f);
}

/* The pipes' view after the writes: reported, FAIL only on garbage. */
static void report_pipe_view(struct cow_sample *s, struct vs *v,
			     uint64_t seed_new)
{
	struct bench_seen seen;
	char why[128];

	if (pipes_classify(&v->p, v->f.len, SEED_PARENT, seed_new, &seen, why,
			   sizeof(why))) {
		cow_sample_fail(s, COW_EV_DATA, "%s", why);
		return;
	}
	cow_sample_metric(s, "pipe_old_pages", (double)seen.old);
	cow_sample_metric(s, "pipe_new_pages", (double)seen.new);
	bench_check_seen(s, "pipe", &seen, false);
}

/*
 * vmsplice.write-after-splice: the pipes' view is reported, not judged.
 * Its sample is short (0.1 ms at 16M) but takes no rounds: writing the
 * region again at once finds its lines in the cache and times 12 ns a
 * page where the first pass takes 30 (doc/measurements.md), another
 * operation than the one this point measures.
 */
static void write_after_splice_sample(struct cow_run *r, struct cow_sample *s)
{
	struct vs v;

	if (!vs_setup(r, s, &v, NULL))
		return;
	cow_meas_require_none(v.f.m);
	if (pipes_splice(&v.p, v.f.buf, v.f.len, s))
		goto out;
	cow_meas_start(v.f.m);
	cow_region_fill(v.f.buf, v.f.len, SEED_PARENT2);
	cow_meas_stop(v.f.m);
	bench_check_region(s, "owner", v.f.buf, v.f.len, SEED_PARENT2);
	report_pipe_view(s, &v, SEED_PARENT2);
	cow_meas_to_sample(v.f.m, s, v.f.npages);
	cow_sample_metric(s, "pipes", v.p.n);
out:
	vs_teardown(&v);
}

/* vmsplice.shared-write: fork, then splice, then the parent writes. */
static void shared_write_sample(struct cow_run *r, struct cow_sample *s)
{
	struct bench_turn t;
	struct vs v;
	pid_t pid;

	if (!vs_setup(r, s, &v, NULL))
		return;
	cow_meas_require_all(v.f.m);
	if (bench_turn_open(&t, s))
		goto out;
	pid = cow_fork();
	if (pid < 0) {
		cow_sample_fail(s, COW_EV_HARNESS, "fork: %s", strerror(errno));
		goto close_turn;
	}
	if (pid == 0) {
		if (bench_turn_ready(&t) || bench_turn_wait_go(&t))
			_exit(4);
		_exit(cow_region_verify(v.f.buf, v.f.len, SEED_PARENT) < 0 ?
		      0 : 3);
	}
	if (bench_turn_wait_ready(&t) ||
	    pipes_splice(&v.p, v.f.buf, v.f.len, s)) {
		cow_sample_fail(s, COW_EV_HARNESS,
				"child did not start, or vmsplice failed");
		kill(pid, SIGKILL);
	} else {
		cow_meas_start(v.f.m);
		cow_region_fill(v.f.buf, v.f.len, SEED_PARENT2);
		cow_meas_stop(v.f.m);
		if (bench_turn_go(&t))
			kill(pid, SIGKILL);
	}
	bench_child_verdict(s, pid, "the child");
	bench_check_region(s, "parent", v.f.buf, v.f.len, SEED_PARENT2);
	if (s->verdict != COW_FAIL)
		report_pipe_view(s, &v, SEED_PARENT2);
	cow_meas_to_sample(v.f.m, s, v.f.npages);
close_turn:
	bench_turn_close(&t);
out:
	vs_teardown(&v);
}

/* ---- vmsplice.leak ------------------------------------------------------ */

enum leak_case {
	LEAK_CHILD_SPLICE,	/* child splices and unmaps; parent writes */
	LEAK_SPLICE_FORK,	/* parent: splice, fork, unmap; child writes */
	LEAK_FORK_SPLICE,	/* parent: fork, splice, unmap; child writes */
	LEAK_NCASES,
};

static const char *const leak_names[] = {
	[LEAK_CHILD_SPLICE] = "child-splice",
	[LEAK_SPLICE_FORK] = "splice-fork",
	[LEAK_FORK_SPLICE] = "fork-splice",
};

/*
 * Each case on every backing of the fork workloads (small pages only in
 * --quick): variant = case * backings + backing.
 */
static unsigned leak_nbackings(const struct cow_opts *o)
{
	return bench_backings_full(o);
}

static unsigned leak_nvariants(const struct cow_opts *o)
{
	return LEAK_NCASES * leak_nbackings(o);
}

static const char *leak_backing_name(const struct cow_opts *o, unsigned v,
				     char *buf, size_t len)
{
	if (v >= leak_nvariants(o))
		return NULL;
	return bench_backing_variant_name(o, v % leak_nbackings(o), buf, len);
}

/*
 * Private anonymous hugetlb still decides reuse on the mapcount (COW-NOTES):
 * a page the pipe references is reused, and the pipe sees the write.  A
 * known leak, which the kernel's cow.c marks expected-fail: a skip that
 * says so, not a FAIL every kernel would give.
 */
struct leak_point {
	struct bench_backing *bk;
	char skip[160];		/* the point's skip, said by each sample */
};

/*
 * A backing that cannot be had is the samples' skip, not prepare()'s: a
 * sample names its case, so each case's skip keeps a point of its own.
 */
static enum cow_verdict leak_prepare(struct cow_run *r, char *reason,
				     size_t len)
{
	unsigned idx = r->variant % leak_nbackings(r->opts);
	struct leak_point *lp = calloc(1, sizeof(*lp));
	char name[48];

	if (!lp) {
		snprintf(reason, len, "out of memory");
		return COW_SKIP;
	}
	if (bench_backing_variant_name(r->opts, idx, name, sizeof(name)) &&
	    !strncmp(name, "hugetlb", 7)) {
		snprintf(lp->skip, sizeof(lp->skip),
			 "%s: a known leak, reuse decided on the mapcount (cow.c: expected fail)",
			 name);
	} else if (bench_backing_prepare_idx(r, idx, lp->skip,
					     sizeof(lp->skip)) == COW_PASS) {
		lp->skip[0] = '\0';
	}
	lp->bk = r->priv;
	r->priv = lp;
	return COW_PASS;
}

static void leak_cleanup(struct cow_run *r)
{
	struct leak_point *lp = r->priv;

	if (!lp)
		return;
	r->priv = lp->bk;
	bench_backing_cleanup(r);
	free(lp);
	r->priv = NULL;
}

/* What the child that read the pipe saw, for the parent. */
struct leak_view {
	struct bench_seen seen;
	char why[128];
	bool failed;
};

static void leak_child_splice(struct vs *v, struct bench_turn *t,
			      struct leak_view *lv, struct cow_sample *s)
{
	if (pipes_splice(&v->p, v->f.buf, v->f.len, s) ||
	    munmap(v->f.buf, v->f.len) || bench_turn_ready(t) ||
	    bench_turn_wait_go(t))
		_exit(4);
	if (pipes_classify(&v->p, v->f.len, v->f.orig, SEED_PARENT2,
			   &lv->seen, lv->why, sizeof(lv->why)))
		lv->failed = true;
	_exit(0);
}

static void leak_child_write(struct vs *v, struct bench_turn *t)
{
	if (bench_turn_ready(t) || bench_turn_wait_go(t))
		_exit(4);
	bench_present(&v->f);
	cow_meas_start(v->f.m);
	cow_region_fill(v->f.buf, v->f.len, SEED_CHILD);
	cow_meas_stop(v->f.m);
	_exit(cow_region_verify(v->f.buf, v->f.len, SEED_CHILD) < 0 ? 0 : 3);
}

/* vmsplice.leak: one case of the three a variant (enum leak_case). */
static void leak_sample(struct cow_run *r, struct cow_sample *s)
{
	enum leak_case c = (enum leak_case)(r->variant /
					    leak_nbackings(r->opts));
	const struct leak_point *lp = r->priv;
	struct leak_view *lv = cow_shared_alloc(sizeof(*lv));
	uint64_t seed_new = c == LEAK_CHILD_SPLICE ? SEED_PARENT2 : SEED_CHILD;
	struct bench_turn t;
	char why[128];
	struct vs v;
	pid_t pid;

	cow_sample_param_str(s, "case", leak_names[c]);
	if (lp->skip[0]) {
		cow_sample_verdict(s, COW_SKIP, "%s", lp->skip);
		cow_shared_free(lv, sizeof(*lv));
		return;
	}
	if (!lv) {
		cow_sample_fail(s, COW_EV_HARNESS, "out of memory");
		return;
	}
	if (!vs_setup(r, s, &v, lp->bk))
		goto free_lv;
	cow_meas_require_all(v.f.m);
	if (bench_turn_open(&t, s))
		goto out;
	if (c == LEAK_SPLICE_FORK && pipes_splice(&v.p, v.f.buf, v.f.len, s))
		goto close_turn;
	pid = cow_fork();
	if (pid < 0) {
		cow_sample_fail(s, COW_EV_HARNESS, "fork: %s", strerror(errno));
		goto close_turn;
	}
	if (pid == 0) {
		if (c == LEAK_CHILD_SPLICE)
			leak_child_splice(&v, &t, lv, s);
		leak_child_write(&v, &t);
	}
	if (c == LEAK_FORK_SPLICE && pipes_splice(&v.p, v.f.buf, v.f.len, s)) {
		kill(pid, SIGKILL);
		cow_wait(pid, why, sizeof(why));
		goto close_turn;
	}
	if (bench_turn_wait_ready(&t)) {
		cow_sample_fail(s, COW_EV_HARNESS, "child did not get ready");
	} else if (c == LEAK_CHILD_SPLICE) {
		bench_present(&v.f);
		cow_meas_start(v.f.m);
		cow_region_fill(v.f.buf, v.f.len, SEED_PARENT2);
		cow_meas_stop(v.f.m);
		bench_check_region(s, "parent", v.f.buf, v.f.len, SEED_PARENT2);
	} else if (munmap(v.f.buf, v.f.len)) {
		cow_sample_fail(s, COW_EV_HARNESS, "munmap: %s",
		                strerror(errno));
	}
	if (bench_turn_go(&t))
		kill(pid, SIGKILL);
	if (cow_wait(pid, why, sizeof(why)))
		cow_sample_fail(s, COW_EV_DATA, "child: %s", why);
	if (c != LEAK_CHILD_SPLICE && s->verdict != COW_FAIL &&
	    pipes_classify(&v.p, v.f.len, v.f.orig, seed_new, &lv->seen,
			   lv->why, sizeof(lv->why)))
		lv->failed = true;
	if (lv->failed)
		cow_sample_fail(s, COW_EV_DATA, "%s", lv->why);
	else if (s->verdict != COW_FAIL)
		bench_check_seen(s, "pipe after the unmap and the write",
				 &lv->seen, true);
	cow_meas_to_sample(v.f.m, s, v.f.nunits);
	cow_sample_metric(s, "pipe_old_pages", (double)lv->seen.old);
	cow_sample_metric(s, "pipe_new_pages", (double)lv->seen.new);
close_turn:
	bench_turn_close(&t);
out:
	vs_teardown(&v);
free_lv:
	cow_shared_free(lv, sizeof(*lv));
}

static const struct cow_scenario write_after_splice = {
	.name = "vmsplice.write-after-splice",
	.desc = "owner writes pages a pipe references (required = 0)",
	.help = "The owner vmsplices the region (without `SPLICE_F_GIFT`, a "
		"plain reference on each page, spread over as many pipes as "
		"`fs.pipe-max-size` needs) and then writes every page. The "
		"pages are its alone and their PTEs stay writable, so required "
		"= 0; whether the pipe then hands back the old or the new data "
		"is reported (`pipe_old_pages`, `pipe_new_pages`) and not "
		"judged, as vmsplice promises no snapshot. A page holding "
		"neither FAILs the sample.",
	.quick_size = COW_QUICK_SIZE,
	.commits = {
		{ "6c287605fd56", "PG_anon_exclusive (5.19): an exclusive page is reused whoever references it" },
	},
	.sample = write_after_splice_sample,
};

static const struct cow_scenario shared_write = {
	.name = "vmsplice.shared-write",
	.desc = "parent writes spliced pages a live child shares (req = pages)",
	.help = "As `vmsplice.write-after-splice`, after a fork, with a live "
		"child sharing the pages: every page written must be copied "
		"(required = pages), and the child must keep the old data, or "
		"the sample FAILs.",
	.quick_size = COW_QUICK_SIZE,
	.commits = {
		{ "09854ba94c6a", "mm: do_wp_page() simplification (5.9): a referenced page copies" },
	},
	.sample = shared_write_sample,
};

static const struct cow_scenario leak = {
	.name = "vmsplice.leak",
	.desc = "CVE-2020-29374 cases: the pipe must keep the old data",
	.help = "CVE-2020-29374 and its siblings, arranged as the kernel's mm "
		"selftest cow.c arranges them, one case a variant: "
		"`child-splice` (the child vmsplices and unmaps, the parent "
		"writes), `splice-fork` (the parent vmsplices, forks and "
		"unmaps, the child writes) and `fork-splice` (the parent forks, "
		"vmsplices and unmaps, the child writes). The page is mapped "
		"once but referenced twice, so the write must copy (required = "
		"every page), and the pipe must give back the data as it was "
		"spliced: a pipe that reads the writer's data is the leak, a "
		"FAIL. Each case runs on every backing of the fork workloads "
		"(small pages only in --quick) but anonymous hugetlb: there "
		"reuse is still decided on the mapcount, the pipe sees the "
		"write, and the kernel's cow.c marks the case expected to "
		"fail, so those points skip saying so rather than fail on "
		"every kernel.",
	.quick_size = COW_QUICK_SIZE,
	.commits = {
		{ "17839856fd58", "the first CVE-2020-29374 fix (5.8): GUP forces a COW" },
		{ "09854ba94c6a", "mm: do_wp_page() simplification (5.9): a referenced page copies" },
		{ "6c287605fd56", "PG_anon_exclusive (5.19): GUP unshares, fork refuses to share pinned pages" },
	},
	.nvariants = leak_nvariants,
	.prepare = leak_prepare,
	.cleanup = leak_cleanup,
	.backing_name = leak_backing_name,
	.sample = leak_sample,
};

const struct cow_scenario *const bench_vmsplice_scenarios[] = {
	&write_after_splice,
	&shared_write,
	&leak,
	NULL,
};
