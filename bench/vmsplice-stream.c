// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmsplice-stream.c - vmsplice as the "zero-copy" way to feed a pipe,
 * against write(), from a buffer the producer rewrites every round.  The
 * pipe references the producer's pages until the reader has copied them
 * out, so the rewrite hits referenced pages: where a kernel copies on
 * that write, the cost shows here; where it does not, the reader gets the
 * next round's data, which vmsplice without SPLICE_F_GIFT allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

/* Round k of the stream carries seed SEED_PARENT + k. */
struct stream {
	int fd[2];
	char *buf;		/* the producer's */
	size_t len;		/* buf and pipe capacity */
	unsigned rounds;
	bool use_vmsplice;
	/* the reader's findings */
	size_t rewritten, other;
	char why[128];
	char *in;		/* the reader's buffer, made before the clock */
};

/*
 * Which round's data a page holds, or -1.  The producer may be rewriting
 * the page as the pipe copies it out: the two words may then come from
 * two rounds, and the later one counts.
 */
static long page_round(const char *page, size_t i, unsigned rounds,
		       long expect)
{
	const uint64_t *w = (const uint64_t *)page;
	uint64_t k0 = (w[0] ^ i) - SEED_PARENT, k1 = (~w[1] ^ i) - SEED_PARENT;

	if (k0 >= rounds || k1 >= rounds || (long)k0 < expect ||
	    (long)k1 < expect)
		return -1;
	return (long)(k0 > k1 ? k0 : k1);
}

static void *stream_reader(void *arg)
{
	struct stream *st = arg;
	char *in = st->in;
	size_t npages = st->len / cow_page_size, got, i;
	unsigned k;
	ssize_t n;

	/*
	 * Inside the timed phase, as a consumer would be: the check costs
	 * two word loads per page just copied out of the pipe.
	 */
	for (k = 0; k < st->rounds; k++) {
		for (got = 0; got < st->len; got += (size_t)n) {
			n = read(st->fd[0], in + got, st->len - got);
			if (n <= 0) {
				snprintf(st->why, sizeof(st->why),
					 "reader, round %u: %s", k,
					 n ? strerror(errno) : "EOF");
				return NULL;
			}
		}
		for (i = 0; i < npages; i++) {
			long pk = page_round(in + i * cow_page_size, i,
					     st->rounds, (long)k);

			if (pk > (long)k)
				st->rewritten++;
			else if (pk != (long)k)
				st->other++;
		}
	}
	return NULL;
}

static int stream_send(struct stream *st, const char *p, size_t len)
{
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	ssize_t n;

	while (iov.iov_len) {
		n = st->use_vmsplice ? vmsplice(st->fd[1], &iov, 1, 0) :
				       write(st->fd[1], iov.iov_base,
					     iov.iov_len);
		if (n <= 0)
			return -1;
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= (size_t)n;
	}
	return 0;
}

/* One phase: rewrite the buffer and send it, round after round. */
static int stream_phase(struct stream *st, struct cow_meas *m,
			struct cow_sample *s)
{
	pthread_t rd;
	unsigned k;
	int err;

	st->rewritten = st->other = 0;
	st->why[0] = '\0';
	/* Allocated and faulted in here, not on the reader's clock. */
	st->in = cow_region_alloc(st->len, COW_BACK_SMALL);
	if (!st->in) {
		cow_sample_fail(s, COW_EV_HARNESS, "reader: out of memory");
		return -1;
	}
	memset(st->in, 0, st->len);
	err = pthread_create(&rd, NULL, stream_reader, st);
	if (err) {
		cow_sample_fail(s, COW_EV_HARNESS, "pthread_create: %s",
				strerror(err));
		cow_region_free(st->in, st->len);
		return -1;
	}
	cow_meas_start(m);
	for (k = 0; k < st->rounds; k++) {
		cow_region_fill(st->buf, st->len, SEED_PARENT + k);
		if (stream_send(st, st->buf, st->len))
			break;
	}
	pthread_join(rd, NULL);
	cow_meas_stop(m);
	cow_region_free(st->in, st->len);
	if (k < st->rounds) {
		cow_sample_fail(s, COW_EV_HARNESS, "%s, round %u: %s",
				st->use_vmsplice ? "vmsplice" : "write", k,
				strerror(errno));
		return -1;
	}
	if (st->why[0])
		cow_sample_fail(s, COW_EV_HARNESS, "%s", st->why);
	if (st->other)
		cow_sample_fail(s, COW_EV_DATA,
				"%s: the reader got %zu pages of no round or an old one",
				st->use_vmsplice ? "vmsplice" : "write",
				st->other);
	return s->verdict == COW_FAIL ? -1 : 0;
}

static double mbps(size_t bytes, const struct cow_meas *m)
{
	return m->t_stop > m->t_start ?
	       (double)bytes * 1e3 / (double)(m->t_stop - m->t_start) : 0;
}

/* vmsplice.throughput: vmsplice first, then write(), r->size bytes each. */
static void throughput_sample(struct cow_run *r, struct cow_sample *s)
{
	struct cow_meas *mv = NULL, *mw = NULL;
	struct stream st = { .fd = { -1, -1 } };
	size_t npages;
	int cap;

	if (bench_pipe_big(st.fd)) {
		cow_sample_fail(s, COW_EV_HARNESS, "pipe: %s", strerror(errno));
		return;
	}
	cap = fcntl(st.fd[0], F_GETPIPE_SZ);
	st.len = cap > 0 && (size_t)cap < r->size ? (size_t)cap : r->size;
	st.rounds = (unsigned)(r->size / st.len);
	npages = st.len / cow_page_size;
	st.buf = bench_region(s, st.len, COW_BACK_SMALL, SEED_PARENT);
	if (!st.buf)
		goto out;
	mv = cow_meas_new(st.buf, st.len);
	mw = cow_meas_new(st.buf, st.len);
	if (!mv || !mw) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto out;
	}
	cow_meas_require_none(mv);
	cow_meas_require_none(mw);
	mv->pages_written = mw->pages_written = (int64_t)(npages * st.rounds);
	st.use_vmsplice = true;
	if (stream_phase(&st, mv, s))
		goto out;
	cow_sample_metric(s, "pipe_rewritten_pages", (double)st.rewritten);
	st.use_vmsplice = false;
	if (stream_phase(&st, mw, s))
		goto out;
	cow_meas_to_sample(mv, s, npages * st.rounds);
	cow_sample_metric(s, "buffer_bytes", (double)st.len);
	cow_sample_metric(s, "vmsplice_MBps", mbps(st.len * st.rounds, mv));
	cow_sample_metric(s, "write_MBps", mbps(st.len * st.rounds, mw));
	if (mw->t_stop > mw->t_start)
		cow_sample_metric(s, "vmsplice_over_write",
				  (double)(mv->t_stop - mv->t_start) /
				  (double)(mw->t_stop - mw->t_start));
	if (mw->accounted)
		cow_sample_metric(s, "write_pages_copied",
				  (double)mw->pages_copied);
out:
	cow_meas_free(mv);
	cow_meas_free(mw);
	cow_region_free(st.buf, st.len);
	close(st.fd[0]);
	close(st.fd[1]);
}

static const struct cow_scenario throughput = {
	.name = "vmsplice.throughput",
	.desc = "pipe MB/s: vmsplice vs write(), buffer rewritten each round",
	.help = "A producer streams the region's size through one pipe from a "
		"buffer of the pipe's size that it rewrites before every "
		"round, first with vmsplice and then with `write()`, while a "
		"thread reads; reports both MB/s and their time ratio. The "
		"rewrite hits pages the pipe may still reference: no copy is "
		"required (no snapshot is promised), so every copy of the "
		"buffer is extra, and the pages the reader got already "
		"rewritten are reported (allowed for vmsplice). `write()` "
		"copies into the pipe, so its reader must see every round "
		"exactly, or the sample FAILs.",
	.quick_size = COW_QUICK_SIZE,
	.commits = {
		{ "09854ba94c6a", "mm: do_wp_page() simplification (5.9): a referenced page copies" },
		{ "6c287605fd56", "PG_anon_exclusive (5.19): an exclusive page is reused whoever references it" },
	},
	.sample = throughput_sample,
};

const struct cow_scenario *const bench_vmsplice_stream_scenarios[] = {
	&throughput,
	NULL,
};
