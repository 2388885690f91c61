// SPDX-License-Identifier: GPL-2.0-only
/*
 * fork.c - copy-on-write after fork(): who writes, when, and how many.
 *
 * Each case populates a private anonymous region of small pages, forks,
 * and measures one side's writes.  The data each side sees afterwards is
 * checked: a COW that was skipped shows up as the other side's data.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

/* How often the exec-window writer looks for the exec having happened. */
#define EXEC_POLL_PAGES		16

static const char *const true_paths[] = { "/bin/true", "/usr/bin/true" };

/*
 * Bytes fork.child-write's children write a sample: a backing whose
 * region is small (thp-single-pte: one 4 KiB page of each THP, 32 KiB in
 * --quick, some 30 us) takes rounds, a child each, until 2 MiB.
 */
#define CW_MIN_BYTES		(2ull << 20)

/*
 * fork.child-write (its .help says what and why): the child writes.  Each
 * round is a child of its own: the parent's pages are as the round before
 * found them, as the child's copies went with it.
 */
static void child_write_sample(struct cow_run *r, struct cow_sample *s)
{
	struct cow_meas *tot = NULL;
	struct bench_setup f;
	unsigned rounds, k;
	char why[128];
	pid_t pid;

	if (!bench_setup_mem(r, s, &f, r->priv))
		return;
	bench_require(&f, true);
	tot = cow_meas_new(NULL, 0);
	if (!tot) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		goto free_setup;
	}
	rounds = bench_rounds(f.len, CW_MIN_BYTES);
	cow_meas_rounds_begin(tot);
	for (k = 0; k < rounds; k++) {
		if (k)
			cow_phase_mark(COW_PHASE_SETUP);
		pid = cow_fork();
		if (pid < 0) {
			cow_sample_fail(s, COW_EV_HARNESS, "fork: %s",
					strerror(errno));
			goto free_setup;
		}
		if (pid == 0) {
			bench_present(&f);
			cow_meas_start(f.m);
			cow_region_fill(f.buf, f.len, SEED_CHILD);
			cow_meas_stop(f.m);
			_exit(cow_region_verify(f.buf, f.len, SEED_CHILD) < 0 ?
			      0 : 3);
		}
		/* A writer that saw wrong data still timed its writes. */
		if (cow_wait(pid, why, sizeof(why)))
			cow_sample_fail(s, COW_EV_DATA, "writer %s", why);
		cow_meas_round_add(tot, f.m);
		if (s->verdict == COW_FAIL)
			break;
	}
	bench_check_region(s, "parent after the child wrote", f.buf, f.len,
		     f.orig);
	bench_check_file(s, &f);
	cow_meas_to_sample(tot, s, (uint64_t)tot->rounds * f.nunits);
free_setup:
	cow_meas_free(tot);
	bench_teardown(&f);
}

/* fork.parent-write-alive: a holder child keeps the old view. */
static void parent_write_alive_sample(struct cow_run *r, struct cow_sample *s)
{
	struct bench_setup f;
	struct bench_holder h;

	if (!bench_setup_mem(r, s, &f, r->priv))
		return;
	bench_require(&f, true);
	/* The child keeps the region mapped, untouched, until released. */
	if (!bench_holder_start(&h, s, f.buf, f.len, f.orig))
		goto free_setup;
	bench_present(&f);
	cow_meas_start(f.m);
	cow_region_fill(f.buf, f.len, SEED_PARENT2);
	cow_meas_stop(f.m);
	bench_holder_finish(&h, s);
	bench_check_region(s, "parent", f.buf, f.len, SEED_PARENT2);
	bench_check_file(s, &f);
	cow_meas_to_sample(f.m, s, f.nunits);
free_setup:
	bench_teardown(&f);
}

/* fork.parent-after-exit: the child is reaped before the writes. */
static void parent_after_exit_sample(struct cow_run *r, struct cow_sample *s)
{
	struct bench_setup f;
	char why[128];
	pid_t pid;

	if (!bench_setup_mem(r, s, &f, r->priv))
		return;
	bench_require(&f, false);
	pid = cow_fork();
	if (pid < 0) {
		cow_sample_fail(s, COW_EV_HARNESS, "fork: %s", strerror(errno));
		goto free_setup;
	}
	if (pid == 0)
		_exit(0);
	if (cow_wait(pid, why, sizeof(why)))
		cow_sample_fail(s, COW_EV_DATA, "child %s", why);
	/* The check reads every page: swapped ones come back in here. */
	bench_check_region(s, "parent before writing", f.buf, f.len, f.orig);
	bench_present(&f);
	cow_meas_start(f.m);
	cow_region_fill(f.buf, f.len, SEED_PARENT2);
	cow_meas_stop(f.m);
	bench_check_region(s, "parent", f.buf, f.len, SEED_PARENT2);
	bench_check_file(s, &f);
	cow_meas_to_sample(f.m, s, f.nunits);
free_setup:
	bench_teardown(&f);
}

static enum cow_verdict exec_window_prepare(struct cow_run *r, char *reason,
					    size_t len)
{
	size_t i;

	for (i = 0; i < COW_ARRAY_SIZE(true_paths); i++) {
		if (!access(true_paths[i], X_OK)) {
			r->priv = (void *)true_paths[i];
			return COW_PASS;
		}
	}
	snprintf(reason, len, "no true(1) to exec");
	return COW_SKIP;
}

/* fork+exec+wait or posix_spawn+wait of true(1), timed by the harness. */
static int time_spawn(const char *path, bool use_fork, uint64_t *ns)
{
	char *const argv[] = { (char *)path, NULL };
	struct cow_meas *m = cow_meas_new(NULL, 0);
	char why[128];
	pid_t pid;
	int ret = -1;

	if (!m)
		return -1;
	cow_meas_start(m);
	if (use_fork) {
		pid = fork();
		if (pid == 0) {
			execv(path, argv);
			_exit(127);
		}
	} else if (posix_spawn(&pid, path, NULL, NULL, argv, environ)) {
		pid = -1;
	}
	if (pid > 0)
		ret = cow_wait(pid, why, sizeof(why));
	cow_meas_stop(m);
	*ns = m->t_stop - m->t_start;
	cow_meas_free(m);
	return ret;
}

/*
 * fork.exec-window: the exec is seen through an O_CLOEXEC pipe reaching
 * EOF, looked at every EXEC_POLL_PAGES pages so that the look costs
 * little beside the writes; the measured phase is the fork and all the
 * parent's writes.
 */
static void exec_window_sample(struct cow_run *r, struct cow_sample *s)
{
	const char *path = r->priv;
	char *const argv[] = { (char *)path, NULL };
	uint64_t fork_ns = 0, spawn_ns = 0;
	size_t i, window = 0;
	struct bench_setup f;
	bool exec_done = false;
	int pfd[2];
	char why[128], c;
	pid_t pid;

	if (!bench_setup(r, s, &f))
		return;
	cow_meas_require_none(f.m);
	if (pipe2(pfd, O_CLOEXEC)) {
		cow_sample_fail(s, COW_EV_HARNESS, "pipe: %s", strerror(errno));
		goto free_setup;
	}
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	/*
	 * The window opens at fork, so the clock starts before it: started
	 * after, our own accounting reads would outlast the exec.
	 */
	cow_meas_start(f.m);
	pid = fork();
	if (pid < 0) {
		cow_meas_stop(f.m);
		cow_sample_fail(s, COW_EV_HARNESS, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		goto free_setup;
	}
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	close(pfd[1]);
	for (i = 0; i < f.npages; i++) {
		if (!exec_done && !(i % EXEC_POLL_PAGES) &&
		    read(pfd[0], &c, 1) == 0) {
			exec_done = true;
			window = i;
		}
		if (!exec_done)
			cow_meas_require_page(f.m, i);
		cow_page_mark(f.buf + i * cow_page_size, SEED_PARENT2 ^ i);
	}
	cow_meas_stop(f.m);
	close(pfd[0]);
	if (!exec_done)
		window = f.npages;
	if (cow_wait(pid, why, sizeof(why)))
		cow_sample_fail(s, COW_EV_HARNESS, "exec'd child %s", why);
	bench_check_region(s, "parent", f.buf, f.len, SEED_PARENT2);
	cow_meas_to_sample(f.m, s, f.npages);
	/* Required copies are an upper bound: the old mm may go first. */
	s->copies_missing = -1;
	cow_sample_metric(s, "window_pages", (double)window);
	cow_sample_metric(s, "exec_seen", exec_done);

	/* Same resident size, no writes: what posix_spawn's vfork saves. */
	if (time_spawn(path, true, &fork_ns) || time_spawn(path, false, &spawn_ns)) {
		cow_sample_fail(s, COW_EV_HARNESS, "spawning %s failed", path);
	} else {
		cow_sample_metric(s, "fork_exec_ns", (double)fork_ns);
		cow_sample_metric(s, "posix_spawn_ns", (double)spawn_ns);
		cow_sample_metric(s, "fork_exec_over_spawn",
				  spawn_ns ? (double)fork_ns / spawn_ns : 0);
	}
free_setup:
	bench_teardown(&f);
}

/* fork.latency: LATENCY_FORKS forks a sample, nothing written. */
static void latency_sample(struct cow_run *r, struct cow_sample *s)
{
	struct bench_setup f;
	char why[128];
	unsigned i;

	if (!bench_setup(r, s, &f))
		return;
	cow_meas_require_none(f.m);
	f.m->pages_written = 0;
	cow_meas_start(f.m);
	i = bench_fork_loop(LATENCY_FORKS, why, sizeof(why));
	cow_meas_stop(f.m);
	if (i < LATENCY_FORKS)
		cow_sample_fail(s, COW_EV_HARNESS, "fork %u: %s", i, why);
	bench_check_region(s, "parent", f.buf, f.len, SEED_PARENT);
	cow_meas_to_sample(f.m, s, LATENCY_FORKS);
	bench_teardown(&f);
}

/*
 * Why a write copies or reuses: since 5.9 an anonymous page is reused
 * only when nothing else references it; since 5.19 a page known to be
 * exclusive is reused without looking at references at all.
 */
#define FORK_REUSE_COMMITS \
	{ "09854ba94c6a", "mm: do_wp_page() simplification (5.9): reuse only when page_count() is 1" }, \
	{ "6c287605fd56", "PG_anon_exclusive (5.19): exclusive pages reused without refcount checks" }

static const struct cow_scenario child_write = {
	.name = "fork.child-write",
	.desc = "child writes every shared page (required copies = pages)",
	.help = "The textbook COW fault (do_wp_page() copying): the parent "
		"populates the region and forks, and the child writes every "
		"page. Each page is still mapped by the parent, so every write "
		"must copy (required copies = pages written), and the parent's "
		"data must be unchanged afterwards: a child's write seen by the "
		"parent FAILs the sample. A region under 2 MiB (`thp-single-pte` "
		"in --quick) is written in `rounds`, a child each, until a "
		"sample writes 2 MiB.",
	.quick_size = COW_QUICK_FULL,
	.commits = { FORK_REUSE_COMMITS },
	.nvariants = bench_backings_all,
	.prepare = bench_backing_prepare,
	.cleanup = bench_backing_cleanup,
	.backing_name = bench_backing_variant_name,
	.sample = child_write_sample,
};

static const struct cow_scenario parent_write_alive = {
	.name = "fork.parent-write-alive",
	.desc = "parent writes while the child maps the pages (required = pages)",
	.help = "The parent writes every page while the child still maps the "
		"region untouched: the same copies as `fork.child-write`, from "
		"the side that keeps the original anon_vma (required = pages "
		"written). The child, released after the writes, must still "
		"see the old data, or the sample FAILs.",
	.quick_size = COW_QUICK_FULL,
	.commits = { FORK_REUSE_COMMITS },
	.nvariants = bench_backings_full,
	.prepare = bench_backing_prepare,
	.cleanup = bench_backing_cleanup,
	.backing_name = bench_backing_variant_name,
	.sample = parent_write_alive_sample,
};

static const struct cow_scenario parent_after_exit = {
	.name = "fork.parent-after-exit",
	.desc = "parent writes after the child exited (reuse: required = 0)",
	.help = "The reuse path (wp_can_reuse_anon_folio()): the child exits, "
		"then the parent writes every page. The parent is the only "
		"owner again, so no write needs a copy (required = 0) and "
		"every copy is an extra copy; since 5.9 a stray reference (an "
		"LRU batch, the swap cache) is enough to cause one. The parent "
		"must read back its own writes.",
	.quick_size = COW_QUICK_FULL,
	.commits = {
		FORK_REUSE_COMMITS,
		{ "dec078cc2181", "the decision moved into wp_can_reuse_anon_folio() (6.7)" },
	},
	.nvariants = bench_backings_full,
	.prepare = bench_backing_prepare,
	.cleanup = bench_backing_cleanup,
	.backing_name = bench_backing_variant_name,
	.sample = parent_after_exit_sample,
};

static const struct cow_scenario exec_window = {
	.name = "fork.exec-window",
	.desc = "parent writes while a child execs; fork+exec vs posix_spawn",
	.help = "The shell pattern: the parent forks a child that execs "
		"true(1) while the parent keeps writing (the timed phase starts "
		"at the fork). Pages written before the exec is seen (an "
		"O_CLOEXEC pipe reaching EOF) need a copy: required by the "
		"semantics, wasted in practice; after it the parent is the sole "
		"owner again, and copies are extra. The exec is seen late, "
		"after the old mm may be gone, so the required count is an "
		"upper bound: `copied` a little below `req` is expected "
		"(`copies_missing` null). Also reports fork+exec against "
		"posix_spawn for the same resident size.",
	.needs = {
		{ COW_NEED_PREPARE, "true(1)", "/bin/true or /usr/bin/true, to exec" },
	},
	.quick_size = COW_QUICK_FULL,
	.commits = { FORK_REUSE_COMMITS },
	.prepare = exec_window_prepare,
	.sample = exec_window_sample,
};

static const struct cow_scenario latency = {
	.name = "fork.latency",
	.desc = "fork + _exit + wait of a populated region (page-table copy)",
	.help = "fork, child `_exit` and wait of a populated region, 8 times a "
		"sample: the cost of copy_page_range() (and of the child's "
		"exit_mmap()). Nothing is written, so no copy is required and "
		"the parent's PFNs must not move. `--full` sweeps the size "
		"1M..1G.",
	.quick_size = COW_QUICK_FULL,
	.flags = COW_F_SWEEP_SIZE,
	.sample = latency_sample,
};

/* This family's scenarios, in run order: a new one goes here. */
const struct cow_scenario *const bench_fork_scenarios[] = {
	&child_write,
	&parent_write_alive,
	&parent_after_exit,
	&exec_window,
	&latency,
	NULL,
};
