// SPDX-License-Identifier: GPL-2.0-only
/*
 * fork-many.c - several children writing one forked region at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

struct many_child {
	struct cow_meas *m;
	size_t first, npages;
	pid_t pid;
};

static void many_child_run(struct bench_setup *f, struct many_child *c,
			   unsigned idx, int start_fd, int done_fd, int exit_fd)
{
	char *share = f->buf + c->first * cow_page_size;
	size_t len = c->npages * cow_page_size;
	char t = 0;

	cow_pin_nth_cpu(idx);
	cow_meas_start(c->m);
	/* EOF on the start pipe releases every child at once. */
	if (read(start_fd, &t, 1) != 0)
		_exit(4);
	cow_region_fill(share, len, SEED_CHILD + idx);
	cow_meas_stop(c->m);
	if (write(done_fd, &t, 1) != 1 || read(exit_fd, &t, 1) != 0)
		_exit(4);
	if (cow_region_verify(share, len, SEED_CHILD + idx) >= 0 ||
	    cow_region_verify(f->buf, c->first * cow_page_size,
			      SEED_PARENT) >= 0)
		_exit(3);
	_exit(0);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* fork.many: ns is the parent's, from the release to the last one done. */
static void many_sample(struct cow_run *r, struct cow_sample *s)
{
	unsigned n = r->opts->children ? r->opts->children :
				       cow_nr_allowed_cpus();
	int start[2] = { -1, -1 }, done[2] = { -1, -1 }, ex[2] = { -1, -1 };
	struct many_child *kids;
	struct bench_setup f;
	unsigned i, started = 0;
	char why[128], t;
	size_t per;

	if (!bench_setup(r, s, &f))
		return;
	cow_sample_param_num(s, "children", n);
	per = f.npages / n;
	kids = calloc(n, sizeof(*kids));
	if (!kids) {
		cow_sample_fail(s, COW_EV_HARNESS, "out of memory");
		goto free_setup;
	}
	if (!per) {
		cow_sample_verdict(s, COW_SKIP, "%zu pages for %u children",
				   f.npages, n);
		goto free_kids;
	}
	if (pipe2(start, O_CLOEXEC) || pipe2(done, O_CLOEXEC) ||
	    pipe2(ex, O_CLOEXEC)) {
		cow_sample_fail(s, COW_EV_HARNESS, "pipe: %s", strerror(errno));
		goto close_pipes;
	}
	for (i = 0; i < n; i++) {
		kids[i].first = i * per;
		kids[i].npages = i == n - 1 ? f.npages - i * per : per;
		kids[i].m = cow_meas_new(f.buf + kids[i].first * cow_page_size,
					 kids[i].npages * cow_page_size);
		if (!kids[i].m)
			break;
		cow_meas_require_all(kids[i].m);
	}
	for (i = 0; i < n && kids[i].m; i++, started++) {
		kids[i].pid = cow_fork();
		if (kids[i].pid < 0)
			break;
		if (kids[i].pid == 0) {
			close(start[1]);
			close(ex[1]);
			many_child_run(&f, &kids[i], i, start[0], done[1],
				       ex[0]);
		}
	}
	if (started < n) {
		cow_sample_fail(s, COW_EV_HARNESS,
				"could not start %u children", n);
	} else {
		/*
		 * Children start their accounting before blocking on start.
		 * The parent writes nothing: its copy counts are theirs, so
		 * it reads no pagemap of its own (cow_meas_add).
		 */
		f.m->npages = 0;
		cow_meas_start(f.m);
		close_fd(&start[1]);
		for (i = 0; i < n; i++)
			if (read(done[0], &t, 1) != 1)
				break;
		cow_meas_stop(f.m);
		if (i < n)
			cow_sample_fail(s, COW_EV_DATA, "a child died");
	}
	close_fd(&start[1]);
	close_fd(&ex[1]);
	for (i = 0; i < started; i++)
		if (cow_wait(kids[i].pid, why, sizeof(why)))
			cow_sample_fail(s, COW_EV_DATA, "child %u: %s", i, why);
	bench_check_region(s, "parent", f.buf, f.len, SEED_PARENT);
	if (s->verdict != COW_FAIL) {
		for (i = 0; i < n; i++)
			cow_meas_add(f.m, kids[i].m);
		cow_meas_to_sample(f.m, s, f.npages);
		if (s->ns)
			cow_sample_metric(s, "cow_faults_per_sec",
					  (double)f.npages * 1e9 / s->ns);
	}
close_pipes:
	for (i = 0; i < 2; i++) {
		close_fd(&start[i]);
		close_fd(&done[i]);
		close_fd(&ex[i]);
	}
	for (i = 0; i < n; i++)
		cow_meas_free(kids[i].m);
free_kids:
	free(kids);
free_setup:
	bench_teardown(&f);
}

static const struct cow_scenario many = {
	.name = "fork.many",
	.desc = "N children write disjoint shares at once (COW faults/s)",
	.help = "N children (`--children`, default: the CPUs) write disjoint "
		"shares of one region they all share with the parent, at once, "
		"released together by a start pipe: COW faults contending on "
		"the parent's anon_vma and the LRU. Every page written is a "
		"required copy; reports COW faults per second. `ns` is the "
		"parent's, from releasing the children to the last one done. "
		"A child that sees anything but its own writes and the "
		"parent's data, or a parent that sees a child's write, FAILs "
		"the sample.",
	.quick_size = COW_QUICK_FULL,
	.flags = COW_F_CHILDREN,
	.sample = many_sample,
};

const struct cow_scenario *const bench_fork_many_scenarios[] = {
	&many,
	NULL,
};
