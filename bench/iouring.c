// SPDX-License-Identifier: GPL-2.0-only
/*
 * iouring.c - io_uring fixed buffers: registering a buffer pins its pages
 * long-term (FOLL_PIN | FOLL_LONGTERM).  Since 5.9 (70e806e4e645) fork()
 * cannot share a maybe-pinned anonymous page with the child, so it copies
 * every registered page into the child there and then: the parent keeps
 * its pinned pages and its I/O lands where it should, and fork pays a
 * page copy per registered page.  MADV_DONTFORK on the buffer is the
 * known way out: the child gets no mapping at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <liburing.h>

#include "bench.h"

#define URING_DISABLED		"/proc/sys/kernel/io_uring_disabled"
/* Forks per phase: a fork of 64 MiB registered costs some 20 ms. */
#define FIXED_FORKS		4
/*
 * Registered forks a dontfork sample: the child gets no mapping, a fork
 * costs some 0.3 ms here, and 4 (1.2 ms) are too short to time well.
 */
#define DONTFORK_FORKS		32
#define QUEUE_DEPTH		8
#define READ_CHUNK		(64ul << 10)

/* io_uring_queue_init, or the reason it was refused. */
static int ring_init(struct io_uring *ring, char *reason, size_t len)
{
	char val[16] = "?";
	int err = io_uring_queue_init(QUEUE_DEPTH, ring, 0);

	if (!err)
		return 0;
	cow_knob_read(URING_DISABLED, val, sizeof(val));
	snprintf(reason, len, "io_uring_setup: %s (kernel.io_uring_disabled = %s)",
		 strerror(-err), val);
	return err;
}

/* Register [buf, buf+len) as fixed buffer 0, or say why not. */
static int ring_register(struct io_uring *ring, char *buf, size_t len,
			 char *reason, size_t rlen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct rlimit rl = { 0, 0 };
	int err = io_uring_register_buffers(ring, &iov, 1);

	if (!err)
		return 0;
	getrlimit(RLIMIT_MEMLOCK, &rl);
	snprintf(reason, rlen,
		 "registering %zu bytes: %s (RLIMIT_MEMLOCK %llu)", len,
		 strerror(-err), (unsigned long long)rl.rlim_cur);
	return err;
}

/* The need of both: a ring this kernel and its limits let us set up. */
static int uring_probe(char *reason, size_t len)
{
	struct io_uring ring;

	if (ring_init(&ring, reason, len))
		return -1;
	io_uring_queue_exit(&ring);
	return 0;
}

/*
 * The two cases (no madvise, MADV_DONTFORK), each on every backing whose
 * registered pages a fork still meets as the backing's (small pages only
 * in --quick): variant = case * backings + backing.
 */
static unsigned fixed_nbackings(const struct cow_opts *o)
{
	return bench_backings_full(o);
}

static unsigned fixed_nvariants(const struct cow_opts *o)
{
	return 2 * fixed_nbackings(o);
}

static const char *fixed_backing_name(const struct cow_opts *o, unsigned v,
				      char *buf, size_t len)
{
	if (v >= fixed_nvariants(o))
		return NULL;
	return bench_backing_variant_name(o, v % fixed_nbackings(o), buf, len);
}

/* A skip is the samples', which name their case (cf. vmsplice.leak). */
static enum cow_verdict fixed_prepare(struct cow_run *r, char *reason,
				      size_t len)
{
	return bench_pinned_prepare(r, r->variant % fixed_nbackings(r->opts),
				    BENCH_PIN_KEPT | BENCH_PIN_SAMPLE_SKIP,
				    reason, len);
}

/* One timed phase of forks fork + _exit + wait. */
static int timed_forks(struct cow_meas *m, struct cow_sample *s,
		       unsigned forks, const char *what)
{
	char why[128];
	unsigned n;

	m->pages_written = 0;
	cow_meas_start(m);
	n = bench_fork_loop(forks, why, sizeof(why));
	cow_meas_stop(m);
	if (n == forks)
		return 0;
	cow_sample_fail(s, COW_EV_HARNESS, "%s fork %u: %s", what, n, why);
	return -1;
}

/*
 * Copies of this fork: the parent's pages must stay put (none required),
 * the child must get a copy of every registered page it maps (required).
 * In the backing's copy units: the child's page count over unit pages
 * (a hugetlb page is copied whole, all its PFNs new), the parent's
 * counted so by cow_meas_backing().
 */
static void fork_copies_to_sample(struct cow_sample *s,
				  const struct cow_meas *parent,
				  struct cow_pm_diff *child)
{
	size_t u = parent->unit_pages ? parent->unit_pages : 1;

	if (!parent->accounted)
		return;
	child->both /= u;
	child->differ /= u;
	s->pages_copied = parent->pages_copied + (int64_t)child->differ;
	s->pages_required = (int64_t)child->both;
	s->extra_copies = parent->pages_copied;
	s->copies_missing = (int64_t)(child->both - child->differ);
}

/* Bytes a fixed-buffer I/O of the data check moves at a time. */
#define CHECK_CHUNK		(1ul << 20)

/* One fixed-buffer op on buffer 0 and its completion: bytes or -errno. */
static int fixed_rw(struct io_uring *ring, bool write, int fd, char *addr,
		    unsigned len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int err;

	if (!sqe)
		return -EBUSY;
	if (write)
		io_uring_prep_write_fixed(sqe, fd, addr, len, 0, 0);
	else
		io_uring_prep_read_fixed(sqe, fd, addr, len, 0, 0);
	err = io_uring_submit(ring);
	if (err < 0)
		return err;
	do
		err = io_uring_wait_cqe(ring, &cqe);
	while (err == -EINTR);
	if (err)
		return err;
	err = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return err;
}

/* What the fixed-buffer I/O after the forks saw of the parent's pages. */
struct fixed_io {
	size_t stale;		/* pages WRITE_FIXED sent without the write */
	size_t lost;		/* pages READ_FIXED did not fill */
	ssize_t first_stale, first_lost;
};

/*
 * The data consequence of the forks: the parent writes its registered
 * buffer, then WRITE_FIXEDs it, chunk by chunk, into a memfd and reads
 * that back (the I/O must carry the parent's new data), and READ_FIXEDs
 * a known pattern from the memfd into it (the data must land in the
 * parent's pages).  Fixed-buffer I/O goes through the pages pinned at
 * registration, not the parent's page tables: if a fork shared them, the
 * parent's write moved its pages off the pinned ones and both checks
 * miss.  -1 with why when the I/O itself failed.
 */
static int fixed_io_check(struct io_uring *ring, char *buf, size_t len,
			  struct fixed_io *fi, char *why, size_t wlen)
{
	size_t off, n, i, pg;
	char *bounce;
	int fd, err = 0;

	fi->stale = fi->lost = 0;
	fi->first_stale = fi->first_lost = -1;
	fd = memfd_create("cowbench-fixed", MFD_CLOEXEC);
	bounce = cow_region_alloc(CHECK_CHUNK, COW_BACK_SMALL);
	if (fd < 0 || !bounce) {
		snprintf(why, wlen, "data check setup: %s", strerror(errno));
		err = -1;
		goto out;
	}
	cow_region_fill(buf, len, SEED_PARENT2);
	for (off = 0; off < len && !err; off += n) {
		n = len - off < CHECK_CHUNK ? len - off : CHECK_CHUNK;
		pg = off / cow_page_size;
		err = fixed_rw(ring, true, fd, buf + off, (unsigned)n);
		if (err == (int)n)
			err = pread(fd, bounce, n, 0) == (ssize_t)n ? 0 : -EIO;
		else if (err >= 0)
			err = -EIO;
		if (err) {
			snprintf(why, wlen, "WRITE_FIXED after fork: %s",
				 strerror(-err));
			break;
		}
		for (i = 0; i < n / cow_page_size; i++) {
			if (!cow_page_marked(bounce + i * cow_page_size,
					     SEED_PARENT2 ^ (pg + i)) &&
			    !fi->stale++)
				fi->first_stale = (ssize_t)(pg + i);
			cow_page_mark(bounce + i * cow_page_size,
				      SEED_FILE ^ (pg + i));
		}
		err = pwrite(fd, bounce, n, 0) == (ssize_t)n ? 0 : -EIO;
		if (!err)
			err = fixed_rw(ring, false, fd, buf + off, (unsigned)n);
		if (err == (int)n)
			err = 0;
		else if (err >= 0)
			err = -EIO;
		if (err) {
			snprintf(why, wlen, "READ_FIXED after fork: %s",
				 strerror(-err));
			break;
		}
		for (i = 0; i < n / cow_page_size; i++)
			if (!cow_page_marked(buf + off + i * cow_page_size,
					     SEED_FILE ^ (pg + i)) &&
			    !fi->lost++)
				fi->first_lost = (ssize_t)(pg + i);
	}
	err = err ? -1 : 0;
out:
	if (bounce)
		cow_region_free(bounce, CHECK_CHUNK);
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * iouring.fork-fixed (see its .help): a registered page the child maps
 * at its parent's PFN is a copy missing (counts).
 */static void fork_fixed_sample(struct cow_run *r, struct cow_sample *s)
{
	bool dontfork = r->variant / fixed_nbackings(r->opts) == 1;
	unsigned forks = dontfork ? DONTFORK_FORKS : FIXED_FORKS;
	const struct bench_pinned *pp = r->priv;
	bool small = !pp->bk || pp->bk->b == COW_BACK_SMALL;
	size_t len = r->size;
	struct cow_meas *mu = NULL, *mr = NULL, *cm = NULL;
	struct bench_setup f = { 0 };
	struct io_uring ring;
	struct cow_pm_diff d;
	struct fixed_io fi;
	char why[160];
	char *buf;
	double nu, nr;

	cow_sample_param_str(s, "madvise", dontfork ? "dontfork" : "none");
	if (bench_pinned_skip(r, s))
		return;
	/* Another backing: made, checked, its copies' memory warmed. */
	if (small) {
		buf = bench_region(s, len, COW_BACK_SMALL, SEED_PARENT);
	} else if (bench_pinned_setup(r, s, &f)) {
		buf = f.buf;
		len = f.len;
	} else {
		buf = NULL;
	}
	if (!buf)
		return;
	if (ring_init(&ring, why, sizeof(why))) {
		cow_sample_verdict(s, COW_SKIP, "%s", why);
		goto free_buf;
	}
	mu = cow_meas_new(buf, len);
	mr = cow_meas_new(buf, len);
	cm = cow_meas_new(buf, len);
	if (!mu || !mr || !cm) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto out;
	}
	if (!small) {
		cow_meas_backing(mu, &f.mem);
		cow_meas_backing(mr, &f.mem);
	}
	cow_meas_require_none(mu);
	cow_meas_require_none(mr);
	if (timed_forks(mu, s, FIXED_FORKS, "unregistered"))
		goto out;
	/*
	 * The forks left the pages shared, and a pin of several pages of a
	 * large folio once shared copies all but the first (the pins just
	 * taken raise its refcount): written one by one, the pages are the
	 * parent's own again, so that registering them copies none.
	 */
	if (!small) {
		cow_region_fill(buf, len, SEED_PARENT);
		/* A page copied, not reused, is no longer the backing. */
		if (cow_mem_verify(&f.mem, why, sizeof(why))) {
			cow_sample_verdict(s, COW_SKIP,
					   "written again after the forks, not reused: %s",
					   why);
			goto out;
		}
	}
	if (dontfork && madvise(buf, len, MADV_DONTFORK)) {
		cow_sample_fail(s, COW_EV_HARNESS, "MADV_DONTFORK: %s",
				strerror(errno));
		goto out;
	}
	if (ring_register(&ring, buf, len, why, sizeof(why))) {
		cow_sample_verdict(s, COW_SKIP, "%s", why);
		goto out;
	}
	/* The forks below must meet the backing: checked again. */
	if (!small && cow_mem_verify(&f.mem, why, sizeof(why))) {
		cow_sample_verdict(s, COW_SKIP, "after registering: %s", why);
		goto unregister;
	}
	/* The copies fork makes must land on memory the host has backed. */
	if (small)
		cow_warm_free_memory(len);
	if (timed_forks(mr, s, forks, "registered") ||
	    bench_fork_copies(cm, NULL, NULL, &d, why, sizeof(why))) {
		if (s->verdict != COW_FAIL)
			cow_sample_fail(s, COW_EV_HARNESS, "counting fork: %s",
					why);
		goto unregister;
	}
	bench_check_region(s, "parent", buf, len, SEED_PARENT);
	if (fixed_io_check(&ring, buf, len, &fi, why, sizeof(why)))
		cow_sample_fail(s, COW_EV_HARNESS, "%s", why);
	if (fi.stale || fi.lost)
		cow_sample_fail(s, COW_EV_DATA,
				   "fixed-buffer I/O after fork missed the parent's pages: WRITE_FIXED sent old data of %zu (page %zd first), READ_FIXED lost %zu",
				   fi.stale, fi.first_stale, fi.lost);
	cow_meas_to_sample(mr, s, forks);
	fork_copies_to_sample(s, mr, &d);
	if (s->copies_missing > 0)
		cow_sample_fail(s, COW_EV_COUNTS,
				   "fork shared %lld of %lld registered pages with the child instead of copying them",
				   (long long)s->copies_missing,
				   (long long)s->pages_required);
	nu = (double)(mu->t_stop - mu->t_start) / FIXED_FORKS;
	nr = (double)(mr->t_stop - mr->t_start) / forks;
	cow_sample_metric(s, "fork_ns_unregistered", nu);
	cow_sample_metric(s, "fork_ns_registered", nr);
	cow_sample_metric(s, "registered_over_unregistered", nu ? nr / nu : 0);
	/* Without PFNs (not root) there is nothing to compare. */
	if (mr->accounted) {
		cow_sample_metric(s, "child_pages_copied", (double)d.differ);
		cow_sample_metric(s, "child_pages_mapped", (double)d.both);
		cow_sample_metric(s, "parent_pages_moved",
				  (double)mr->pages_copied);
	}
	cow_sample_metric(s, "io_write_stale_pages", (double)fi.stale);
	cow_sample_metric(s, "io_read_lost_pages", (double)fi.lost);
unregister:
	io_uring_unregister_buffers(&ring);
out:
	cow_meas_free(mu);
	cow_meas_free(mr);
	cow_meas_free(cm);
	io_uring_queue_exit(&ring);
free_buf:
	if (small)
		cow_region_free(buf, len);
	else
		bench_teardown(&f);
}

/* ---- iouring.read-fixed-race -------------------------------------------- */

struct uring_io {
	struct io_uring ring;
	int fd;
};

/* The race needs the registered pages to be the backing's at each fork. */
static enum cow_verdict race_prepare(struct cow_run *r, char *reason,
				     size_t len)
{
	return bench_pinned_prepare(r, r->variant,
				    BENCH_PIN_SCRATCH | BENCH_PIN_KEPT,
				    reason, len);
}

/* READ_FIXED the whole file into the registered buffer, QUEUE_DEPTH deep. */
static int fixed_pass(struct bench_race *rc, char *why, size_t wlen)
{
	struct uring_io *u = rc->ctx;
	size_t off = 0, done = 0, n;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	unsigned inflight = 0;
	int err;

	while (done < rc->len) {
		while (inflight < QUEUE_DEPTH && off < rc->len) {
			sqe = io_uring_get_sqe(&u->ring);
			if (!sqe)
				break;
			n = rc->len - off < READ_CHUNK ? rc->len - off :
							 READ_CHUNK;
			io_uring_prep_read_fixed(sqe, u->fd, rc->buf + off,
						 (unsigned)n, off, 0);
			sqe->user_data = n;
			off += n;
			inflight++;
		}
		err = io_uring_submit(&u->ring);
		if (err < 0)
			goto fail;
		do
			err = io_uring_wait_cqe(&u->ring, &cqe);
		while (err == -EINTR);
		if (err)
			goto fail;
		err = cqe->res;
		if (err != (int)cqe->user_data) {
			io_uring_cqe_seen(&u->ring, cqe);
			if (err >= 0)
				err = -EIO;
			goto fail;
		}
		done += (size_t)cqe->res;
		inflight--;
		io_uring_cqe_seen(&u->ring, cqe);
	}
	return 0;
fail:
	snprintf(why, wlen, "READ_FIXED: %s", strerror(-err));
	return err;
}

/*
 * iouring.read-fixed-race: odirect.fork-race's race, with READ_FIXED, on
 * the point's backing (made, checked and warmed by bench_pinned_setup()).
 */
static void read_fixed_race_sample(struct cow_run *r, struct cow_sample *s)
{
	struct bench_race rc = { .seed = SEED_FILE, .pass = fixed_pass };
	struct bench_setup f;
	struct uring_io u;
	char why[160];

	u.fd = bench_scratch_open(r, s);
	if (u.fd < 0)
		return;
	rc.ctx = &u;
	if (!bench_pinned_setup(r, s, &f))
		goto close_fd;
	rc.buf = f.buf;
	rc.len = f.len;
	rc.m = f.m;
	if (ring_init(&u.ring, why, sizeof(why))) {
		cow_sample_verdict(s, COW_SKIP, "%s", why);
		goto teardown;
	}
	cow_meas_require_none(rc.m);
	if (ring_register(&u.ring, rc.buf, rc.len, why, sizeof(why))) {
		cow_sample_verdict(s, COW_SKIP, "%s", why);
		goto exit_ring;
	}
	/* The race's forks must meet the backing: checked again. */
	if (f.mem.buf && cow_mem_verify(&f.mem, why, sizeof(why))) {
		cow_sample_verdict(s, COW_SKIP, "after registering: %s", why);
		goto unregister;
	}
	bench_race_run(&rc, s);
	bench_race_to_sample(&rc, s);
unregister:
	io_uring_unregister_buffers(&u.ring);
exit_ring:
	io_uring_queue_exit(&u.ring);
teardown:
	bench_teardown(&f);
close_fd:
	close(u.fd);
}

#define URING_NEED \
	{ COW_NEED_PROBE, "io_uring", "CONFIG_IO_URING, kernel.io_uring_disabled", uring_probe }

static const struct cow_scenario fork_fixed = {
	.name = "iouring.fork-fixed",
	.desc = "fork with a fixed buffer registered vs not; fixed I/O after",
	.help = "4 times fork, `_exit` and wait of the populated region, first "
		"unregistered and then registered as one io_uring fixed buffer "
		"(pinned long-term), in the same sample "
		"(`registered_over_unregistered`); then a fork whose child "
		"compares its PFNs with the parent's: every registered page is "
		"copied into the child (required; `copied`, "
		"`child_pages_copied`) and none of the parent's may move "
		"(extra); a registered page the child maps at the parent's PFN "
		"is a missing copy and FAILs the sample. Then, untimed, the "
		"parent writes the buffer and moves it through `WRITE_FIXED` "
		"to a memfd and back with `READ_FIXED`: the I/O goes through "
		"the pages pinned at registration, so it must meet the "
		"parent's own data (`io_write_stale_pages`, "
		"`io_read_lost_pages`, both 0) or the sample FAILs. Case "
		"`dontfork` sets `MADV_DONTFORK` on the region before "
		"registering it, the known mitigation: the child maps nothing "
		"and nothing is copied; its registered phase is 32 forks, 4 "
		"being too short to time well. `--full` sweeps the registered size "
		"1M..1G. Its quick size is its full size: the fork's cost "
		"grows with the registered pages. Both cases run on the "
		"anonymous backings of the fork workloads that stay what they "
		"are under a pin (small pages only in --quick): THP in every "
		"shape (all registered pages copied into the child) and "
		"hugetlb (one copy a huge page; the counts are in huge pages). "
		"Swapped-out pages, the zero pages and private file mappings "
		"skip saying why: registration (a `FOLL_WRITE` pin) gives the "
		"parent anonymous pages of its own in their place before any "
		"fork; `odirect.read-into-shared` measures that pin. On a "
		"backing the region is written again after the unregistered "
		"forks, so that its pages are the parent's own when registered "
		"(a pin of several pages of a large folio a fork shared copies "
		"all but the first), and checked page by page again after the "
		"write and after registering: a backing the kernel did not keep "
		"skips saying so (`thp-single-pte` on 6.18: a THP's single PTE, "
		"once shared, is copied on the write, not reused).",
	.needs = { URING_NEED },
	.quick_size = COW_QUICK_FULL,
	.commits = {
		{ "70e806e4e645", "fork copies pinned pages for the child eagerly (5.9)" },
		{ "6c287605fd56", "PG_anon_exclusive (5.19): fork refuses to share maybe-pinned pages" },
	},
	.flags = COW_F_SWEEP_SIZE,
	.nvariants = fixed_nvariants,
	.prepare = fixed_prepare,
	.sample = fork_fixed_sample,
	.cleanup = bench_pinned_cleanup,
	.backing_name = fixed_backing_name,
};

static const struct cow_scenario read_fixed_race = {
	.name = "iouring.read-fixed-race",
	.desc = "READ_FIXED O_DIRECT reads while forking (data must land)",
	.help = "`READ_FIXED` O_DIRECT reads of the point's scratch file into "
		"the registered region on one thread while the other forks, "
		"as in `odirect.fork-race`; the pinned pages are copied into "
		"each child, the parent keeps its own (required = 0), and "
		"every pass's data must land in the parent, or the sample "
		"FAILs. It runs on the backings `iouring.fork-fixed` runs on, "
		"`child_copies_per_fork_io` in their copy units (hugetlb "
		"pages); the others skip saying why.",
	.needs = {
		{ COW_NEED_ROOT, NULL, "the registry that removes a scratch file after a crash; PFNs" },
		URING_NEED,
	},
	.quick_size = COW_QUICK_SIZE,
	.commits = {
		{ "70e806e4e645", "fork copies pinned pages for the child eagerly (5.9)" },
	},
	.nvariants = bench_backings_full,
	.prepare = race_prepare,
	.sample = read_fixed_race_sample,
	.cleanup = bench_pinned_cleanup,
	.backing_name = bench_pinned_backing_name,
	.scratch_bytes = bench_scratch_bytes,
};

const struct cow_scenario *const bench_iouring_scenarios[] = {
	&fork_fixed,
	&read_fixed_race,
	NULL,
};
