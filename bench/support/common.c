// SPDX-License-Identifier: GPL-2.0-only
/*
 * common.c - helpers shared by the workload families.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

char *bench_map(struct cow_sample *s, size_t len, enum cow_backing b)
{
	char *buf = cow_region_alloc(len, b);

	if (!buf)
		cow_sample_verdict(s, COW_SKIP, "cannot map %zu bytes: %s",
				   len, strerror(errno));
	return buf;
}

bool bench_backing(struct cow_sample *s, char *buf, size_t len,
		   enum cow_backing b)
{
	char reason[160];

	if (cow_backing_check(buf, len, b, reason, sizeof(reason)))
		return true;
	cow_sample_verdict(s, COW_SKIP, "%s", reason);
	cow_region_free(buf, len);
	return false;
}

char *bench_region(struct cow_sample *s, size_t len, enum cow_backing b,
		   uint64_t seed)
{
	char *buf = bench_map(s, len, b);

	if (!buf)
		return NULL;
	cow_region_fill(buf, len, seed);
	/*
	 * Without PFNs the backing cannot be checked.  MADV_NOHUGEPAGE makes
	 * small pages certain; anything larger must be seen to be believed.
	 */
	if (!cow_pagemap_pfns_visible(NULL) && b == COW_BACK_SMALL)
		return buf;
	return bench_backing(s, buf, len, b) ? buf : NULL;
}

/* The holder's default check: the whole region holds seed's pattern. */
static ssize_t view_seed(const char *buf, size_t len, const void *ctx)
{
	return cow_mem_data_check(buf, len, *(const uint64_t *)ctx);
}

bool bench_holder_start(struct bench_holder *h, struct cow_sample *s,
			const char *buf, size_t len, uint64_t seed)
{
	return bench_holder_start_check(h, s, buf, len, view_seed, &seed);
}

bool bench_holder_start_check(struct bench_holder *h, struct cow_sample *s,
			      const char *buf, size_t len,
			      bench_view_check check, const void *ctx)
{
	int go[2], ready[2];
	bool started;
	char c = 0;

	h->pid = -1;
	h->go = -1;
	if (pipe2(go, O_CLOEXEC)) {
		cow_sample_fail(s, COW_EV_HARNESS, "pipe: %s", strerror(errno));
		return false;
	}
	if (pipe2(ready, O_CLOEXEC)) {
		cow_sample_fail(s, COW_EV_HARNESS, "pipe: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		return false;
	}
	h->pid = cow_fork();
	if (h->pid < 0) {
		cow_sample_fail(s, COW_EV_HARNESS, "fork: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		close(ready[0]);
		close(ready[1]);
		return false;
	}
	if (h->pid == 0) {
		close(go[1]);
		/* EOF releases the child: the parent closed its end. */
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 0)
			_exit(4);
		/* ctx is the child's copy, as it was at the fork. */
		_exit(check(buf, len, ctx) < 0 ? 0 : 3);
	}
	close(go[0]);
	close(ready[1]);
	h->go = go[1];
	/* Blocked before the parent's measured phase, not starting up in it. */
	started = read(ready[0], &c, 1) == 1;
	close(ready[0]);
	if (!started) {
		cow_sample_fail(s, COW_EV_HARNESS, "the child did not start");
		kill(h->pid, SIGKILL);
		bench_holder_finish(h, s);
		return false;
	}
	return true;
}

void bench_holder_finish(struct bench_holder *h, struct cow_sample *s)
{
	if (h->pid <= 0)
		return;
	close(h->go);
	h->go = -1;
	bench_child_verdict(s, h->pid, "the child");
	h->pid = -1;
}

/*
 * A child that checks its view exits 3 when its pages no longer hold
 * what it saw at the fork: COW broke (data).  Any other end is the
 * harness's: it died, or could not wait for its release.
 */
void bench_child_verdict(struct cow_sample *s, pid_t pid, const char *who)
{
	char why[128];
	int status;

	if (!cow_wait_status(pid, &status, why, sizeof(why)))
		return;
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 3)
		cow_sample_fail(s, COW_EV_DATA,
				"%s's view changed: its pages no longer hold what it saw at the fork",
				who);
	else
		cow_sample_fail(s, COW_EV_HARNESS, "%s died: %s", who, why);
}

void bench_fill_stride(char *buf, size_t len, size_t stride, uint64_t seed)
{
	size_t off;

	for (off = 0; off < len; off += stride)
		cow_page_mark(buf + off, seed ^ (off / cow_page_size));
}

ssize_t bench_verify_stride(const char *buf, size_t len, size_t stride,
			    uint64_t seed, uint64_t stride_seed)
{
	return bench_verify_stride_n(buf, len, stride, 1, seed, stride_seed);
}

ssize_t bench_verify_stride_n(const char *buf, size_t len, size_t stride,
			      size_t nfirst, uint64_t seed,
			      uint64_t stride_seed)
{
	size_t i, n = len / cow_page_size, per = stride / cow_page_size;

	for (i = 0; i < n; i++) {
		uint64_t sd = i % per < nfirst ? stride_seed : seed;

		if (!cow_page_marked(buf + i * cow_page_size, sd ^ i))
			return (ssize_t)i;
	}
	return -1;
}

unsigned bench_rounds(uint64_t per_round, uint64_t want)
{
	uint64_t n = per_round ? (want + per_round - 1) / per_round : 1;

	return n < 1 ? 1 : n > BENCH_ROUNDS_MAX ? BENCH_ROUNDS_MAX : (unsigned)n;
}

unsigned bench_fork_loop(unsigned n, char *why, size_t len)
{
	unsigned i;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			snprintf(why, len, "fork: %s", strerror(errno));
			break;
		}
		if (cow_wait(pid, why, len))
			break;
	}
	return i;
}

bool bench_setup(struct cow_run *r, struct cow_sample *s,
		 struct bench_setup *f)
{
	f->len = r->size;
	f->npages = f->len / cow_page_size;
	f->nunits = f->npages;
	f->orig = SEED_PARENT;
	memset(&f->mem, 0, sizeof(f->mem));
	f->mem.fd = -1;
	f->buf = bench_region(s, f->len, COW_BACK_SMALL, SEED_PARENT);
	if (!f->buf)
		return false;
	f->m = cow_meas_new(f->buf, f->len);
	if (!f->m) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		cow_region_free(f->buf, f->len);
		return false;
	}
	/* The copies the measured writes need must land on warm memory. */
	cow_warm_free_memory(f->len);
	return true;
}

void bench_teardown(struct bench_setup *f)
{
	cow_meas_free(f->m);
	if (f->mem.buf)
		cow_mem_unmap(&f->mem);
	else
		cow_region_free(f->buf, f->len);
}

void bench_check_region(struct cow_sample *s, const char *who,
			const char *buf, size_t len, uint64_t seed)
{
	ssize_t bad = cow_mem_data_check(buf, len, seed);

	if (bad >= 0)
		cow_sample_fail(s, COW_EV_DATA,
				"%s: page %zd does not hold its own data",
				who, bad);
}

void bench_classify(const char *data, size_t npages, uint64_t seed_old,
		    uint64_t seed_new, struct bench_seen *seen)
{
	size_t i;

	memset(seen, 0, sizeof(*seen));
	seen->first_other = -1;
	for (i = 0; i < npages; i++) {
		const char *page = data + i * cow_page_size;

		if (seed_old == COW_SEED_ZERO ?
		    cow_mem_data_check(page, cow_page_size, seed_old) < 0 :
		    cow_page_marked(page, seed_old ^ i))
			seen->old++;
		else if (cow_page_marked(page, seed_new ^ i))
			seen->new++;
		else if (!seen->other++)
			seen->first_other = (ssize_t)i;
	}
}

void bench_check_seen(struct cow_sample *s, const char *who,
		      const struct bench_seen *seen, bool old_only)
{
	if (seen->other)
		cow_sample_fail(s, COW_EV_DATA,
				"%s: %zu pages hold neither the old nor the new data (first: page %zd)",
				who, seen->other, seen->first_other);
	else if (old_only && seen->new)
		cow_sample_fail(s, COW_EV_DATA,
				"%s: %zu pages hold data written after the splice",
				who, seen->new);
}

int bench_turn_open(struct bench_turn *t, struct cow_sample *s)
{
	t->ready[0] = t->ready[1] = t->go[0] = t->go[1] = -1;
	if (!pipe2(t->ready, O_CLOEXEC) && !pipe2(t->go, O_CLOEXEC))
		return 0;
	cow_sample_fail(s, COW_EV_HARNESS, "pipe: %s", strerror(errno));
	bench_turn_close(t);
	return -1;
}

void bench_turn_close(struct bench_turn *t)
{
	int *fd[] = { &t->ready[0], &t->ready[1], &t->go[0], &t->go[1] };
	size_t i;

	for (i = 0; i < COW_ARRAY_SIZE(fd); i++) {
		if (*fd[i] >= 0)
			close(*fd[i]);
		*fd[i] = -1;
	}
}

static int byte_io(int fd, bool out)
{
	char c = 0;

	return (out ? write(fd, &c, 1) : read(fd, &c, 1)) == 1 ? 0 : -1;
}

int bench_turn_ready(struct bench_turn *t)
{
	return byte_io(t->ready[1], true);
}

int bench_turn_wait_ready(struct bench_turn *t)
{
	return byte_io(t->ready[0], false);
}

int bench_turn_go(struct bench_turn *t)
{
	return byte_io(t->go[1], true);
}

int bench_turn_wait_go(struct bench_turn *t)
{
	return byte_io(t->go[0], false);
}
