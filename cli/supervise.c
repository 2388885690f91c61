// SPDX-License-Identifier: GPL-2.0-only
/*
 * supervise.c - the process that owns a run, and the worker processes
 * that run its points.
 *
 * Why two kinds of process: on a kernel whose COW is broken (a test
 * kernel that reused shared anonymous pages in place), a process's writes
 * land in the pages of the process it was forked from.  When every sample
 * was forked straight from the run's own process, the run's heap, stack
 * and globals were shared with it that way, and the harness died of its
 * samples' writes ("break adjusted to free malloc space"), taking every
 * result with it.
 *
 * So the process a user starts, the supervisor, never calls fork()
 * (cow_fork() aborts there): it owns the results, the report, the kernel
 * log scan, the knob journal's lock and the final undo, and starts one
 * worker per point (scenario x size x variant) with posix_spawn() of its
 * own executable -- vfork + exec, so no page of the supervisor is ever
 * COW-shared with anything.  Nothing of its bookkeeping may live in
 * memory another process could share: what a worker tells it comes as
 * copies through a pipe, checked before use.
 *
 * A worker runs its point as the run did before: prepare, warm-up and
 * measured samples (each forked from the worker), cleanup; it sends each
 * finished sample (a POD struct cow_sample) and each phase change up the
 * pipe.  It lives in a process group of its own, so that one kill
 * reaches its sample and workload processes, and it dies with the
 * supervisor.  The knobs its prepare() sets it appends to the run's
 * journal; when the worker is gone, however it ended, the supervisor
 * undoes exactly those lines, newest first, in a helper process under
 * the point's time limit (an undo can block in the kernel for ever).
 *
 * Each phase (prepare, every sample, cleanup) runs under a time limit:
 * past it the worker's group is killed and the point ends with a FAIL
 * naming the phase.  A worker that dies ends its point with a FAIL too,
 * and so does an undo that does not finish in time.  Either way the run
 * goes on with the next point in a fresh worker.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

/* Test-only, like COW_TEST_HANG_ENV: the worker of SCENARIO aborts. */
#define TEST_CRASH_ENV		"COWBENCH_TEST_CRASH"
/* Without pidfds (before 5.3), how often to look for a dead worker. */
#define NO_PIDFD_POLL_MS	100

static const uint64_t sweep_sizes[] = {
	1ull << 20, 4ull << 20, 16ull << 20, 64ull << 20, 256ull << 20,
	1ull << 30,
};

unsigned bench_count_sizes(const struct cow_scenario *sc,
			   const struct cow_opts *o)
{
	return (sc->flags & COW_F_SWEEP_SIZE) && o->full && !o->size_set ?
	       COW_ARRAY_SIZE(sweep_sizes) : 1;
}

/* Whether --backing selects variant v of sc. */
static bool variant_selected(const struct cow_scenario *sc,
			     const struct cow_opts *o, unsigned v)
{
	char name[48];
	const char *n = "small";

	if (!o->backing)
		return true;
	if (sc->backing_name) {
		if (!sc->backing_name(o, v, name, sizeof(name)))
			return false;
		n = name;
	}
	return !fnmatch(o->backing, n, 0);
}

static unsigned all_variants(const struct cow_scenario *sc,
			     const struct cow_opts *o)
{
	return sc->nvariants ? sc->nvariants(o) : 1;
}

unsigned bench_count_variants(const struct cow_scenario *sc,
			      const struct cow_opts *o)
{
	unsigned v, nv = all_variants(sc, o), n = 0;

	for (v = 0; v < nv; v++)
		n += variant_selected(sc, o, v);
	return n;
}

/* The variant index of the k-th variant --backing selects. */
static unsigned nth_variant(const struct cow_scenario *sc,
			    const struct cow_opts *o, unsigned k)
{
	unsigned v, nv = all_variants(sc, o);

	for (v = 0; v < nv; v++)
		if (variant_selected(sc, o, v) && !k--)
			return v;
	return 0;
}

uint64_t bench_max_point_size(const struct cow_scenario *sc,
			      const struct cow_opts *o)
{
	return bench_count_sizes(sc, o) > 1 ?
	       sweep_sizes[COW_ARRAY_SIZE(sweep_sizes) - 1] :
	       bench_quick_cap(sc, o, 0, o->size);
}

struct point {
	const struct cow_scenario *sc;
	uint64_t size;
	unsigned variant;
	unsigned nvariants;
};

/* The idx-th point of the run, in run order; false past the last. */
static bool point_at(const struct cow_scenario *const *sel,
		     const struct cow_opts *o, unsigned idx, struct point *pt)
{
	unsigned ns, nv, n;

	for (; *sel; sel++) {
		ns = bench_count_sizes(*sel, o);
		nv = bench_count_variants(*sel, o);
		n = ns * nv;
		if (idx < n) {
			pt->sc = *sel;
			pt->variant = nth_variant(*sel, o, idx % nv);
			pt->nvariants = all_variants(*sel, o);
			pt->size = ns > 1 ? sweep_sizes[idx / nv] :
				   bench_quick_cap(*sel, o, pt->variant,
						   o->size);
			return true;
		}
		idx -= n;
	}
	return false;
}

unsigned bench_default_timeout(uint64_t size)
{
	uint64_t units = (size + BENCH_TIMEOUT_UNIT - 1) / BENCH_TIMEOUT_UNIT;

	return BENCH_TIMEOUT_BASE + BENCH_TIMEOUT_PER_UNIT *
	       (unsigned)(units ? units : 1);
}

/* ---- the worker --------------------------------------------------------- */

/*
 * Each sample runs in a process of its own, forked after delay accounting
 * was switched on: the kernel gives a task its delay counters only if the
 * switch was on when the task was created.  A workload that crashes fails
 * its sample, not the point, and leaves no state behind for the next one.
 */
static void run_sample(struct cow_run *r, struct cow_sample *s)
{
	struct cow_sample *sh = cow_shared_alloc(sizeof(*s));
	char why[128];
	pid_t pid;

	if (!sh) {
		cow_sample_fail(s, COW_EV_HARNESS, "no memory for a sample");
		return;
	}
	*sh = *s;
	cow_ref_new_sample();
	pid = cow_fork();
	if (pid == 0) {
		r->sc->sample(r, sh);
		_exit(0);
	}
	if (pid < 0)
		cow_sample_fail(sh, COW_EV_HARNESS, "fork: %s",
				strerror(errno));
	else if (cow_wait(pid, why, sizeof(why)))
		cow_sample_fail(sh, COW_EV_HARNESS, "sample process: %s", why);
	*s = *sh;
	cow_shared_free(sh, sizeof(*s));
}

/*
 * Before its point a worker learns what the run's self-check found of the
 * instruments: the supervisor writes it down the ack pipe right after the
 * spawn, before any ack.  Its scenarios consult cow_instruments.
 */
static bool read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, p + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got == len;
}

static void worker_startup_checks(const struct bench_worker *w)
{
	if (!read_full(w->ack_fd, &cow_instruments, sizeof(cow_instruments)))
		cow_selfcheck_none(&cow_instruments,
				   "not handed to the worker");
}

/*
 * Then its point's earlier passes (struct bench_visit and the figures);
 * *prior is malloc()ed, or NULL.  Nothing readable: a first visit.
 */
static void worker_visit(const struct bench_worker *w,
			 const struct cow_opts *o, struct bench_visit *v,
			 double **prior)
{
	*prior = NULL;
	if (read_full(w->ack_fd, v, sizeof(*v)) &&
	    v->nprior <= BENCH_VISIT_MAX_PRIOR && v->nprior <= v->prior_reps &&
	    v->pass_min <= o->min_reps) {
		*prior = v->nprior ? malloc(v->nprior * sizeof(**prior)) : NULL;
		if (!v->nprior ||
		    (*prior && read_full(w->ack_fd, *prior,
					 v->nprior * sizeof(**prior))))
			return;
		free(*prior);
		*prior = NULL;
	}
	memset(v, 0, sizeof(*v));
}

/* ---- the self-check, in a process of its own ---------------------------- */

int bench_selfcheck_child(const char *fd)
{
	struct cow_selfcheck sc;
	char *end;
	long n = strtol(fd, &end, 10);

	if (*end || n < 0 || n > INT_MAX)
		return COW_EXIT_USAGE;
	prctl(PR_SET_NAME, "cowbench");
	cow_selfcheck_run(&sc);
	return write((int)n, &sc, sizeof(sc)) == (ssize_t)sizeof(sc) ? 0 : 1;
}

/*
 * The environment of a process spawned from this one: ours, and spec
 * ("NAME=value", which the caller frees with the array) last.  NULL if
 * out of memory.
 */
static char **env_with(char *spec)
{
	size_t n = 0, i;
	char **envp;

	while (environ[n])
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp)
		return NULL;
	for (i = 0; i < n; i++)
		envp[i] = environ[i];
	envp[n] = spec;
	return envp;
}

/*
 * The self-check forks once (a COW for taskstats to count), and the
 * supervisor never forks: so it runs in a process spawned like a worker,
 * which sends the plain result back on a pipe.
 */
/*
 * Spawn this program again as the role spec ("NAME=value", put last in
 * its environment) names, keeping keep[0..nkeep) open across the exec
 * (each dup2()ed onto itself, which clears CLOEXEC; -1 entries are left
 * out).  With group: in a process group of its own, so that a Ctrl-C is
 * the supervisor's to act on, its signal mask empty, and the signals in
 * dfl (may be NULL) back to their default.  0 or an errno.
 */
static int spawn_self(char *const argv[], char *spec, const int *keep,
		      size_t nkeep, bool group, const sigset_t *dfl,
		      pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char **envp = spec ? env_with(spec) : NULL;
	sigset_t none;
	short flags = 0;
	size_t i;
	int err;

	if (!envp)
		return ENOMEM;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	for (i = 0; i < nkeep; i++)
		if (keep[i] >= 0)
			posix_spawn_file_actions_adddup2(&fa, keep[i], keep[i]);
	if (group) {
		sigemptyset(&none);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setpgroup(&at, 0);
		flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK;
		if (dfl) {
			posix_spawnattr_setsigdefault(&at, dfl);
			flags |= POSIX_SPAWN_SETSIGDEF;
		}
		posix_spawnattr_setflags(&at, flags);
	}
	/* What this process has printed comes before what the child prints. */
	fflush(NULL);
	err = posix_spawn(pid, "/proc/self/exe", &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(envp);
	return err;
}

void bench_selfcheck(struct cow_selfcheck *out)
{
	char *spec = NULL, *argv[] = { "cowbench", NULL };
	char *p = (char *)out;
	size_t got = 0;
	int pfd[2], err = 0, status;
	ssize_t r;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		cow_selfcheck_none(out, strerror(errno));
		return;
	}
	if (asprintf(&spec, "%s=%d", BENCH_SELFCHECK_ENV, pfd[1]) < 0)
		spec = NULL;
	err = spawn_self(argv, spec, &pfd[1], 1, false, NULL, &pid);
	free(spec);
	close(pfd[1]);
	if (err) {
		close(pfd[0]);
		cow_selfcheck_none(out, strerror(err));
		return;
	}
	while (got < sizeof(*out)) {
		r = read(pfd[0], p + got, sizeof(*out) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof(*out))
		cow_selfcheck_none(out, "its process ended without a result");
}

/* Test-only: the worker of the scenario named aborts, as a harness whose
 * memory a broken COW corrupted would, once prepare() has run. */
static void test_crash(const char *scenario)
{
	const char *v = getenv(TEST_CRASH_ENV);
	struct rlimit none = { 0, 0 };

	if (!v || strcmp(v, scenario))
		return;
	setrlimit(RLIMIT_CORE, &none);
	abort();
}

/*
 * A sample up the pipe, then wait until the supervisor has recorded it:
 * its results.json write and kernel log scan must not run beside the
 * next sample's measured phase, and it must not fall behind.
 */
static void send_sample(const struct bench_worker *w, unsigned flags,
			const struct cow_sample *s)
{
	char c;
	ssize_t r;

	if (cow_msg_send(COW_MSG_SAMPLE, COW_PHASE_CHECKS, flags, s))
		return;
	do
		r = read(w->ack_fd, &c, 1);
	while (r < 0 && errno == EINTR && !cow_interrupted);
}

static void worker_sample_init(struct cow_sample *s, const struct cow_run *r)
{
	char name[48];

	cow_sample_init(s, r->sc->name);
	cow_sample_param_num(s, "size", (double)r->size);
	/* Small pages are named by size alone, as before backings. */
	if (r->sc->backing_name &&
	    r->sc->backing_name(r->opts, r->variant, name, sizeof(name)) &&
	    strcmp(name, "small"))
		cow_sample_param_str(s, "backing", name);
}

int bench_worker_parse(const char *spec, struct bench_worker *w)
{
	unsigned long long budget;
	char *end;
	long v[6];
	int i;

	for (i = 0; i < 6; i++) {
		errno = 0;
		v[i] = strtol(spec, &end, 10);
		if (errno || end == spec || *end != ':' || v[i] < -1 ||
		    v[i] > INT_MAX)
			return -1;
		spec = end + 1;
	}
	errno = 0;
	budget = strtoull(spec, &end, 10);
	if (errno || end == spec || *end != ':' || *spec == '-')
		return -1;
	spec = end + 1;
	w->ppid = (pid_t)v[0];
	w->fd = (int)v[1];
	w->ack_fd = (int)v[2];
	w->lock_fd = (int)v[3];
	w->state_fd = (int)v[4];
	w->point = (unsigned)v[5];
	w->budget_ns = budget;
	w->scratch = spec;
	return w->ppid > 0 && w->fd >= 0 && w->ack_fd >= 0 && v[5] >= 0 &&
	       *spec ? 0 : -1;
}

int bench_worker_run(const struct bench_worker *w,
		     const struct cow_scenario *const *sel,
		     const struct cow_opts *o)
{
	struct cow_run r = { .opts = o };
	struct bench_visit visit;
	struct bench_reps rp;
	struct cow_sample s;
	struct point pt;
	char reason[160] = "";
	double *prior;
	unsigned i;
	bool last;

	if (!point_at(sel, o, w->point, &pt))
		return COW_EXIT_USAGE;
	r.sc = pt.sc;
	r.size = pt.size;
	r.variant = pt.variant;
	cow_msg_scenario = r.sc->name;
	worker_startup_checks(w);
	worker_visit(w, o, &visit, &prior);
	bench_reps_begin(&rp, o, w->budget_ns, &visit, prior);
	free(prior);

	cow_phase_mark(COW_PHASE_PREPARE);
	/* What the scenario declared it needs, then what prepare() finds. */
	if (bench_needs_check(r.sc, reason, sizeof(reason)) ||
	    (r.sc->prepare &&
	     r.sc->prepare(&r, reason, sizeof(reason)) != COW_PASS)) {
		worker_sample_init(&s, &r);
		cow_sample_verdict(&s, COW_SKIP, "%s", reason);
		bench_reps_after(&rp, &s);
		send_sample(w, COW_MSG_PREPARE_SKIP, &s);
		cow_msg_send(COW_MSG_END, COW_PHASE_PREPARE, 0, NULL);
		return 0;
	}
	/* Without it the samples just lack ref_copy_ns. */
	cow_ref_init();
	/* Warm-ups, then measured samples until bench_reps_after() says. */
	for (i = 0; !cow_interrupted; i++) {
		cow_phase_mark(COW_PHASE_SETUP);
		test_crash(r.sc->name);
		worker_sample_init(&s, &r);
		r.warmup = i < o->warmup;
		/* Numbered on from the point's earlier passes. */
		r.rep = r.warmup ? 0 : visit.prior_reps + i - o->warmup;
		s.rep = r.rep;
		run_sample(&r, &s);
		if (cow_interrupted)
			break;
		last = !r.warmup && bench_reps_after(&rp, &s);
		send_sample(w, r.warmup ? COW_MSG_WARMUP : 0, &s);
		if (last)
			break;
	}
	bench_reps_end(&rp);
	cow_phase_mark(COW_PHASE_CLEANUP);
	if (r.sc->cleanup)
		r.sc->cleanup(&r);
	cow_msg_send(COW_MSG_END, COW_PHASE_CLEANUP, 0, NULL);
	return 0;
}

/* ---- the supervisor ------------------------------------------------------ */

/* The worker of the point in progress, for the undo at exit. */
static pid_t live_worker;
static off_t live_mark = -1;
static unsigned live_limit;

/*
 * After SIGKILL: reaped within secs, or false.  A process the kernel
 * oopsed under can sleep uninterruptibly for ever (a lock of its mm held
 * by the oopsed task): the run goes on without it, since the next worker
 * is a process, and an mm, of its own.
 */
#define REAP_WAIT_S	30
/* An undo helper: in a swapoff, SIGKILL ends it at once or never. */
#define UNDO_REAP_WAIT_S	5
static bool reap_within(pid_t pid, int *status, unsigned secs)
{
	unsigned i;
	pid_t r;

	for (i = 0; i < secs * 20; i++) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return true;
		usleep(50000);
	}
	return false;
}

/* ---- the undo of what a worker changed, in a helper ----------------------- */

/*
 * Why a helper: an undo can block in the kernel for ever.  After an Oops
 * in the swap path (the always-reuse test kernel), the swapoff of the
 * point's swapfile must take back the pages of processes that will never
 * finish dying, and retries, or sleeps on a page lock the oopsed task
 * holds.  Done in the supervisor, that stopped the run for good.  So the
 * lines a worker journalled are undone in a process spawned for it, each
 * under the point's time limit; past it the helper is killed (and left
 * behind if SIGKILL cannot end it either), the line stays in the journal
 * for the next start, and the run goes on.
 */
struct undo_run {
	off_t mark;		/* the worker's lines: those after it */
	unsigned limit;		/* s, for each line */
	unsigned nstuck;
	char stuck[112];	/* the first given up on: "swapoff PATH" */
	bool left;		/* a helper that SIGKILL did not end */
};

int bench_undo_child(const char *spec)
{
	long long v[4];
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		errno = 0;
		v[i] = strtoll(spec, &end, 10);
		if (errno || end == spec || *end != (i < 3 ? ':' : '\0') ||
		    v[i] < 0 || (i != 2 && v[i] > INT_MAX))
			return COW_EXIT_USAGE;
		spec = end + 1;
	}
	/* Nothing of the run outlives it; the journal keeps what is left. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "cowbench-undo");
	return cow_knobs_undo_lines((int)v[1], (off_t)v[2], (int)v[3],
				    (int)v[0]) ? 1 : 0;
}

/* A helper for the lines after mark, but the skip newest: pid, or -1. */
static pid_t spawn_undo(off_t mark, int skip, int *rfd)
{
	char *spec = NULL, *argv[] = { "cowbench", NULL };
	int p[2], keep[2], lock_fd = -1, state_fd = -1, err;
	pid_t pid = -1;

	if (cow_knobs_fds(&lock_fd, &state_fd) || pipe2(p, O_CLOEXEC))
		return -1;
	if (asprintf(&spec, "%s=%d:%d:%lld:%d", BENCH_UNDO_ENV, p[1],
		     state_fd, (long long)mark, skip) < 0)
		spec = NULL;
	keep[0] = p[1];
	keep[1] = state_fd;
	err = spawn_self(argv, spec, keep, 2, true, NULL, &pid);
	free(spec);
	close(p[1]);
	if (err) {
		close(p[0]);
		return -1;
	}
	*rfd = p[0];
	return pid;
}

/*
 * The helper's next report, within the deadline: 1, 0 (timed out), -1
 * (it is gone, or wrote what no helper writes).
 */
static int undo_report(int fd, uint64_t deadline, struct cow_undo_report *rep)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t now;
	ssize_t r;

	for (;;) {
		now = cow_now_ns();
		if (now >= deadline)
			return 0;
		r = poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1));
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		r = read(fd, rep, sizeof(*rep));
		if (r < 0 && errno == EINTR)
			continue;
		return r == (ssize_t)sizeof(*rep) ? 1 : -1;
	}
}

/* cow_undo_runner: t[n-1] down to t[0], in helpers (see above). */
static void undo_by_helper(struct cow_undo *t, int n, void *arg)
{
	struct undo_run *ur = arg;
	struct cow_undo_report rep;
	int next = n - 1, cur, rfd, r, status;
	uint64_t limit = ur->limit * 1000000000ull;
	pid_t pid;

	while (next >= 0) {
		pid = spawn_undo(ur->mark, n - 1 - next, &rfd);
		if (pid < 0) {
			/* No helper to be had: here, then, as before. */
			for (; next >= 0; next--)
				t[next].err = -cow_undo_apply(&t[next]);
			return;
		}
		cur = -1;
		while ((r = undo_report(rfd, cow_now_ns() + limit, &rep)) > 0) {
			/* In order, or it is not a helper's report. */
			if (rep.idx != next) {
				r = -1;
				break;
			}
			if (rep.err == COW_UNDO_BEGUN) {
				cur = next;
				continue;
			}
			t[next].err = rep.err > 0 ? rep.err : 0;
			cur = -1;
			next--;
		}
		close(rfd);
		kill(pid, SIGKILL);
		if (!reap_within(pid, &status, UNDO_REAP_WAIT_S))
			ur->left = true;
		if (next < 0)
			break;
		if (r == 0) {
			/* Not done in time (or not even begun): given up on. */
			t[next].err = ETIMEDOUT;
			t[next].stuck = true;
			if (!ur->nstuck++)
				snprintf(ur->stuck, sizeof(ur->stuck), "%s %.100s",
					 cow_undo_kind_name(t[next].kind),
					 t[next].path);
		} else {
			/* It died, or could not read the journal: the end tries. */
			t[next].err = cur >= 0 ? ECHILD : EIO;
		}
		next--;
	}
}

/*
 * A CPU that runs nothing queued on it any more.  After the Oops in the
 * swap path of the always-reuse test kernel, the oopsed task spins for
 * ever, preemption off, on the page table lock it died holding; the
 * worker and sample process pinned to the same CPU, killed, stay
 * runnable there and never run.  Every later worker pins itself to the
 * first CPU of the run's set (cow_pin_nth_cpu) and would never run
 * either.  So a CPU on which processes of the killed worker's group were
 * runnable, and given no CPU time, from a second after SIGKILL to the
 * end of the wait, leaves the set for the rest of the run; the workers
 * inherit the supervisor's.  Never the last one.
 */
static void leave_starved_cpus(pid_t pgrp, const struct cow_group_snap *a)
{
	struct cow_group_snap b;
	cpu_set_t starved, mine;
	char list[64] = "";
	bool last = false;
	size_t n = 0;
	int cpu;

	cow_group_snapshot(pgrp, &b);
	if (!cow_group_starved_cpus(a, &b, &starved) ||
	    sched_getaffinity(0, sizeof(mine), &mine))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &starved) || !CPU_ISSET(cpu, &mine))
			continue;
		if (CPU_COUNT(&mine) < 2) {
			last = true;
			break;
		}
		CPU_CLR(cpu, &mine);
		n += snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0,
			      "%s%d", n ? "," : "", cpu);
	}
	if (last)
		fprintf(stderr, "cowbench: CPU %d ran nothing of the killed worker's processes for %u s (the kernel wedged it?), and it is the last of the run's: later points may hang too\n",
			cpu, REAP_WAIT_S);
	if (!n)
		return;
	if (sched_setaffinity(0, sizeof(mine), &mine))
		fprintf(stderr, "cowbench: leaving out CPU %s: %s\n", list,
			strerror(errno));
	else
		fprintf(stderr, "cowbench: CPU %s ran nothing of the killed worker's processes for %u s (the kernel wedged it?): the rest of the run goes without it\n",
			list, REAP_WAIT_S);
}

/* exit() while a worker lives (an error): it goes first, then its knobs. */
static void kill_live_worker(void)
{
	struct undo_run ur = { .mark = live_mark, .limit = live_limit };
	int status;

	if (live_worker <= 0)
		return;
	kill(-live_worker, SIGKILL);
	kill(live_worker, SIGKILL);
	reap_within(live_worker, &status, REAP_WAIT_S);
	live_worker = 0;
	cow_knobs_undo_since_by(live_mark, undo_by_helper, &ur);
}

/* Kernel warnings since the last look: the first into pending. */
static void kmsg_look(struct bench_super *sv, char *pending, size_t len)
{
	static unsigned lost_told;
	static bool error_told;
	struct cow_results *res = sv->res;
	char line[160];
	int ret = cow_kmsg_scan(sv->kmsg, line, sizeof(line));

	if (ret > 0 && !pending[0])
		snprintf(pending, len, "%s", line);
	if (ret < 0 && !error_told) {
		error_told = true;
		fprintf(stderr, "cowbench: reading /dev/kmsg: %s: kernel warnings from now on may be missed\n",
			strerror(-ret));
	}
	if (sv->kmsg->lost != lost_told) {
		lost_told = sv->kmsg->lost;
		fprintf(stderr, "cowbench: /dev/kmsg: records were overwritten before they were read: a warning among them was missed\n");
		snprintf(res->kernel_log, sizeof(res->kernel_log),
			 "%.80s (records overwritten unread %u times)",
			 sv->kmsg->source, sv->kmsg->lost);
	}
}

/*
 * A kernel warning fails the sample it came during, whatever the sample
 * found: the figures of a kernel that has just warned mean little.  The
 * first warning is the cause, the rest its echoes; a reason the sample
 * had already failed with is kept after it.
 */
static void kmsg_fail(struct cow_sample *s, char *pending)
{
	char old[sizeof(s->reason)];
	int n;

	if (!pending[0])
		return;
	if (!s->kernel_log[0]) {
		snprintf(s->kernel_log, sizeof(s->kernel_log), "%s", pending);
		snprintf(old, sizeof(old), "%s",
			 s->verdict == COW_FAIL ? s->reason : "");
		/* An earlier FAIL's evidence (data, counts) stays the stronger. */
		if (s->verdict != COW_FAIL || s->evidence == COW_EV_NONE)
			s->evidence = COW_EV_KERNEL_LOG;
		s->verdict = COW_FAIL;
		n = snprintf(s->reason, sizeof(s->reason), "kernel: %.*s",
			     (int)sizeof(s->reason) - 9, pending);
		if (old[0] && (size_t)n + 9 < sizeof(s->reason))
			snprintf(s->reason + n, sizeof(s->reason) - n,
				 " (and: %.*s)",
				 (int)(sizeof(s->reason) - n - 9), old);
	}
	pending[0] = '\0';
}

static void write_results(struct bench_super *sv)
{
	if (cow_results_write(sv->res, sv->dir))
		fprintf(stderr, "cowbench: writing results to %s: %s\n",
			sv->dir, strerror(errno));
}

/*
 * Where a point's wall time went, from the worker's phase marks as they
 * arrive here: the supervisor's clock, not the workload's.  A warm-up
 * sample is setup, all of it.
 */
struct wall {
	uint64_t t0, mark;		/* the spawn; the last mark */
	enum cow_phase phase;		/* since the last mark */
	uint64_t cur[COW_PHASE_N];	/* the sample in progress */
	uint64_t acc[COW_PHASE_N];	/* the point's, warm-ups in setup */
};

static void wall_mark(struct wall *t, enum cow_phase p)
{
	uint64_t now = cow_now_ns();

	t->cur[t->phase] += now - t->mark;
	t->mark = now;
	t->phase = p;
}

/* A sample (or the point) ended: what its phases took, into the point's. */
static void wall_flush(struct wall *t, bool warmup)
{
	unsigned p;

	wall_mark(t, t->phase);
	for (p = 0; p < COW_PHASE_N; p++) {
		t->acc[warmup ? COW_PHASE_SETUP : p] += t->cur[p];
		t->cur[p] = 0;
	}
}

/*
 * A visit of the point ended: every sample of it (all its passes') gets
 * the worker's last word on its repetitions (the precision reached) and
 * the split of its wall time over every visit.
 */
static void wall_point_end(struct wall *t, struct cow_results *res,
			   struct bench_pstate *ps, double target)
{
	struct cow_point_info info;
	size_t i;

	if (!ps->n)
		return;
	wall_flush(t, false);
	info = res->samples[ps->first + ps->n - 1].point;
	if (info.stop == COW_STOP_NONE) {
		/* Its worker did not finish it (a FAIL): no interval. */
		memset(&info, 0, sizeof(info));
		info.target = target;
		info.reps = (unsigned)ps->n;
		info.ci_lo = info.ci_hi = info.rel = NAN;
	}
	ps->wall_ns += cow_now_ns() - t->t0;
	ps->setup_ns += t->acc[COW_PHASE_PREPARE] + t->acc[COW_PHASE_SETUP];
	ps->measured_ns += t->acc[COW_PHASE_MEASURED];
	ps->checks_ns += t->acc[COW_PHASE_CHECKS] + t->acc[COW_PHASE_CLEANUP];
	info.set = true;
	info.visits = ps->visits;
	info.wall_ns = ps->wall_ns;
	info.setup_ns = ps->setup_ns;
	info.measured_ns = ps->measured_ns;
	info.checks_ns = ps->checks_ns;
	for (i = ps->first; i < ps->first + ps->n; i++)
		res->samples[i].point = info;
}

/* Everything the supervisor knows of the point in progress. */
struct watch {
	struct point pt;
	pid_t pid;
	int rfd, wfd, pidfd;	/* its messages, our acks, its exit */
	enum cow_phase phase;
	uint64_t deadline;	/* CLOCK_MONOTONIC ns */
	uint64_t phase_start;	/* of the phase the limit is for */
	uint64_t longest;	/* ns, of those phases (for --verbose) */
	enum cow_phase longest_phase, limit_phase;
	unsigned limit;		/* s */
	unsigned idx;		/* the point, in run order */
	struct bench_pstate *ps;	/* and its state over the passes */
	unsigned recorded;
	bool ended, exited, eof, bad;
	int status;		/* once reaped */
	bool stuck;		/* not reaped within REAP_WAIT_S of SIGKILL */
	char kline[160];
	struct wall wall;
};

#define TERM_STR(a)	((a)[sizeof(a) - 1] = '\0')

/* A sample from a worker, made safe to keep whatever the worker was. */
static bool sample_sane(struct cow_sample *s, const char *scenario)
{
	unsigned i;

	TERM_STR(s->scenario);
	TERM_STR(s->reason);
	TERM_STR(s->kernel_log);
	TERM_STR(s->kernel_wpcopy_reason);
	if (s->nparams > COW_MAX_PARAMS || s->nmetrics > COW_MAX_METRICS ||
	    (unsigned)s->verdict > COW_FAIL ||
	    (unsigned)s->point.stop >= COW_STOP_N || s->point.set ||
	    (unsigned)s->evidence >= COW_EV_N || strcmp(s->scenario, scenario))
		return false;
	for (i = 0; i < COW_MAX_PARAMS; i++) {
		TERM_STR(s->params[i].key);
		TERM_STR(s->params[i].str);
	}
	for (i = 0; i < COW_MAX_METRICS; i++) {
		TERM_STR(s->metrics[i].key);
		TERM_STR(s->metrics[i].str);
	}
	return true;
}

/*
 * After the point's samples of earlier passes, so that a point's samples
 * stay together in the results; the points after it move up one.
 */
static int add_to_point(struct bench_super *sv, unsigned idx,
			const struct cow_sample *s)
{
	struct bench_pstate *ps = &sv->ps[idx];
	unsigned j;

	if (cow_results_insert(sv->res, ps->first + ps->n, s))
		return -1;
	ps->n++;
	for (j = idx + 1; j < sv->npoints; j++)
		sv->ps[j].first++;
	return 0;
}

static void record(struct bench_super *sv, struct watch *w,
		   struct cow_sample *s)
{
	if (add_to_point(sv, w->idx, s)) {
		fprintf(stderr, "cowbench: out of memory for results\n");
		return;
	}
	w->recorded++;
}

/* A measured sample's figure for the point's later passes. */
static void keep_figure(struct bench_pstate *ps, const struct cow_sample *s)
{
	double *v;

	ps->reps++;
	if (s->verdict == COW_SKIP || !s->ops)
		return;
	v = realloc(ps->v, (ps->nv + 1) * sizeof(*v));
	if (!v)
		return;
	ps->v = v;
	v[ps->nv++] = (double)s->ns / (double)s->ops;
}

static void on_sample(struct bench_super *sv, struct watch *w,
		      const struct cow_msg_hdr *h, struct cow_sample *s)
{
	kmsg_look(sv, w->kline, sizeof(w->kline));
	/* A warning during a warm-up goes on the next recorded sample. */
	if (h->flags & COW_MSG_WARMUP)
		return;
	kmsg_fail(s, w->kline);
	record(sv, w, s);
	keep_figure(w->ps, s);
	if (h->flags & COW_MSG_PREPARE_SKIP) {
		sv->done += sv->mo->o.reps;
		cow_progress(s, sv->done, sv->total);
		return;
	}
	write_results(sv);
	cow_progress(s, ++sv->done, sv->total);
}

/* A phase the limit is for begins: the last one's length, a new deadline. */
static void limit_phase(struct watch *w, enum cow_phase p)
{
	uint64_t now = cow_now_ns();

	if (w->phase_start && now - w->phase_start > w->longest) {
		w->longest = now - w->phase_start;
		w->longest_phase = w->limit_phase;
	}
	w->phase_start = now;
	w->limit_phase = p;
	w->deadline = now + w->limit * 1000000000ull;
}

/* One message, if there is one: 1, 0 (none now), -1 (EOF or malformed). */
static int read_msg(struct bench_super *sv, struct watch *w)
{
	struct cow_msg_hdr h;
	struct cow_sample s;
	ssize_t n;

	n = read(w->rfd, &h, sizeof(h));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0) {
		w->eof = true;
		return -1;
	}
	/* Written with one write() each, so whole, or it is not ours. */
	if ((size_t)n != sizeof(h) || h.magic != COW_MSG_MAGIC ||
	    h.type >= COW_MSG_NTYPES || h.phase >= COW_PHASE_N ||
	    (h.len != 0 && h.len != sizeof(s)) ||
	    (h.type == COW_MSG_SAMPLE) != (h.len == sizeof(s)))
		goto bad;
	if (h.len && read(w->rfd, &s, sizeof(s)) != (ssize_t)sizeof(s))
		goto bad;
	switch (h.type) {
	case COW_MSG_PHASE:
		wall_mark(&w->wall, h.phase);
		w->phase = h.phase;
		/* The limit is for each of prepare, a sample, cleanup. */
		if (h.phase == COW_PHASE_PREPARE ||
		    h.phase == COW_PHASE_SETUP ||
		    h.phase == COW_PHASE_CLEANUP)
			limit_phase(w, h.phase);
		break;
	case COW_MSG_SAMPLE:
		if (!sample_sane(&s, w->pt.sc->name))
			goto bad;
		wall_flush(&w->wall, h.flags & COW_MSG_WARMUP);
		on_sample(sv, w, &h, &s);
		/* Recorded: the worker may go on (it may be gone: no matter). */
		if (write(w->wfd, "", 1) < 0 && errno != EPIPE)
			goto bad;
		break;
	case COW_MSG_END:
		w->ended = true;
		break;
	}
	return 1;
bad:
	w->bad = true;
	return -1;
}

static pid_t spawn_worker(struct bench_super *sv, unsigned idx, int *rfd,
			  int *wfd)
{
	uint64_t now = cow_now_ns(), share;
	sigset_t dfl;
	char *spec = NULL;
	int p[2], a[2], keep[4], lock_fd = -1, state_fd = -1, err;
	pid_t pid = -1;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	if (pipe2(a, O_CLOEXEC)) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	cow_knobs_fds(&lock_fd, &state_fd);
	share = cow_budget_share(sv->pass_budget_ns, now - sv->pass_t0,
				 sv->pass_left);
	if (asprintf(&spec, "%s=%d:%d:%d:%d:%d:%u:%llu:%s", BENCH_WORKER_ENV,
		     (int)getpid(), p[1], a[0], lock_fd, state_fd, idx,
		     (unsigned long long)share, sv->mo->o.dir) < 0)
		spec = NULL;
	/*
	 * The worker keeps its ends of both pipes, and the journal's lock
	 * and state (not root: -1, left out): held by the worker too, a next
	 * start waits for it to die.
	 */
	keep[0] = p[1];
	keep[1] = a[0];
	keep[2] = lock_fd;
	keep[3] = state_fd;
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGPIPE);
	err = spawn_self(sv->argv, spec, keep, 4, true, &dfl, &pid);
	free(spec);
	close(p[1]);
	close(a[0]);
	if (err) {
		close(p[0]);
		close(a[1]);
		errno = err;
		return -1;
	}
	*wfd = a[1];
	/* Only this end: a full pipe must block the worker, not fail it. */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*rfd = p[0];
	return pid;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/*
 * Until the worker has exited or its time is up.  Signals stay blocked
 * but in ppoll(), so that one arriving between the check of
 * cow_interrupted and the wait cannot be slept through.
 */
static void watch_worker(struct bench_super *sv, struct watch *w,
			 const sigset_t *waitmask)
{
	int forwarded = 0;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = w->eof ? -1 : w->rfd, .events = POLLIN },
			{ .fd = w->pidfd, .events = POLLIN },
		};
		struct timespec ts;
		siginfo_t si;
		uint64_t now, left;
		int r;

		/* Ctrl-C reaches the worker's group as it would have. */
		if (cow_interrupted && forwarded != cow_interrupted) {
			forwarded = cow_interrupted;
			kill(-w->pid, forwarded);
		}
		now = cow_now_ns();
		if (now >= w->deadline)
			return;
		left = w->deadline - now;
		if (w->pidfd < 0 && left > NO_PIDFD_POLL_MS * 1000000ull)
			left = NO_PIDFD_POLL_MS * 1000000ull;
		ts.tv_sec = left / 1000000000ull;
		ts.tv_nsec = left % 1000000000ull;
		r = ppoll(pfd, 2, &ts, waitmask);
		if (r < 0 && errno != EINTR)
			return;
		/* One at a time: a signal gets in at the next ppoll(). */
		if (r > 0 && (pfd[0].revents & (POLLIN | POLLHUP)))
			read_msg(sv, w);
		if (w->bad)
			return;
		if (w->pidfd >= 0 && !(pfd[1].revents & POLLIN))
			continue;
		/*
		 * Not reaped yet: until it is, its pid (its group's id) cannot
		 * name another process, so the group kill after is safe.
		 */
		si.si_pid = 0;
		if (!waitid(P_PID, w->pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		    si.si_pid == w->pid) {
			w->exited = true;
			/* What it sent before it went. */
			while (!w->eof && read_msg(sv, w) > 0)
				;
			return;
		}
	}
}

static void point_fail(struct bench_super *sv, struct watch *w,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The point's FAIL when its worker did not finish it. */
static void point_fail(struct bench_super *sv, struct watch *w,
		       const char *fmt, ...)
{
	struct cow_sample s;
	const struct cow_sample *last = w->ps->n ?
		&sv->res->samples[w->ps->first + w->ps->n - 1] : NULL;
	va_list ap;

	cow_sample_init(&s, w->pt.sc->name);
	/* The point's parameters: the variant's are the scenario's to name. */
	if (last) {
		memcpy(s.params, last->params, sizeof(s.params));
		s.nparams = last->nparams;
		s.rep = last->rep + 1;
	} else {
		char name[48];

		cow_sample_param_num(&s, "size", (double)w->pt.size);
		if (w->pt.sc->backing_name) {
			if (w->pt.sc->backing_name(&sv->mo->o, w->pt.variant,
						   name, sizeof(name)) &&
			    strcmp(name, "small"))
				cow_sample_param_str(&s, "backing", name);
		} else if (w->pt.nvariants > 1) {
			cow_sample_param_num(&s, "variant",
					     (double)w->pt.variant);
		}
	}
	s.verdict = COW_FAIL;
	/* Timed out or died: the sample's own checks never ran. */
	s.evidence = COW_EV_HARNESS;
	va_start(ap, fmt);
	vsnprintf(s.reason, sizeof(s.reason), fmt, ap);
	va_end(ap);
	kmsg_look(sv, w->kline, sizeof(w->kline));
	kmsg_fail(&s, w->kline);
	record(sv, w, &s);
	write_results(sv);
	cow_progress(&s, ++sv->done, sv->total);
}

/*
 * After the self-check, the point's earlier passes (worker_visit()): what
 * it took, the floor from which this visit's budget may end it before
 * --min-reps (that spread over the passes; none in the last, which takes
 * the point to --min-reps whatever its budget), and the figures, the
 * latest BENCH_VISIT_MAX_PRIOR.
 */
static void hand_visit(struct bench_super *sv, struct watch *w)
{
	const struct bench_pstate *ps = w->ps;
	unsigned min = sv->mo->o.min_reps, p = sv->npasses ? sv->npasses : 1;
	struct bench_visit v = {
		.prior_reps = ps->reps,
		.pass_min = sv->pass + 1 < p ?
			    (min * (sv->pass + 1) + p - 1) / p : 0,
	};
	size_t skip;

	v.nprior = ps->nv > BENCH_VISIT_MAX_PRIOR ? BENCH_VISIT_MAX_PRIOR :
		   (uint32_t)ps->nv;
	skip = ps->nv - v.nprior;
	/* The worker reads it all before it acks anything: no deadlock. */
	if (write(w->wfd, &v, sizeof(v)) != (ssize_t)sizeof(v) ||
	    (v.nprior && write(w->wfd, ps->v + skip, v.nprior * sizeof(double)) !=
			 (ssize_t)(v.nprior * sizeof(double))))
		fprintf(stderr, "cowbench: handing a point's earlier passes to its worker: %s\n",
			strerror(errno));
}

static void supervise_point(struct bench_super *sv, unsigned idx,
			    const sigset_t *waitmask)
{
	struct watch w = { .rfd = -1, .wfd = -1, .pidfd = -1 };
	struct undo_run ur = { 0 };
	struct cow_group_snap snap;
	unsigned done0 = sv->done;
	char what[96];
	struct cow_sample s;
	off_t mark;
	int err;

	point_at(sv->sel, &sv->mo->o, idx, &w.pt);
	w.limit = sv->mo->sample_timeout ? sv->mo->sample_timeout :
		  bench_default_timeout(w.pt.size);
	w.idx = idx;
	w.ps = &sv->ps[idx];
	w.ps->visits++;
	w.phase = COW_PHASE_PREPARE;
	w.wall.t0 = w.wall.mark = cow_now_ns();
	mark = cow_knobs_mark();
	ur.mark = mark;
	ur.limit = w.limit;

	w.pid = spawn_worker(sv, idx, &w.rfd, &w.wfd);
	if (w.pid < 0) {
		err = errno;
		point_fail(sv, &w, "cannot start a harness worker: %s",
			   strerror(err));
		goto out;
	}
	live_mark = mark;
	live_limit = w.limit;
	live_worker = w.pid;
	w.pidfd = open_pidfd(w.pid);
	/* Read by worker_startup_checks(); a pipe holds it whole. */
	if (write(w.wfd, &cow_instruments, sizeof(cow_instruments)) < 0)
		fprintf(stderr, "cowbench: handing the self-check to a worker: %s\n",
			strerror(errno));
	hand_visit(sv, &w);
	limit_phase(&w, COW_PHASE_PREPARE);
	watch_worker(sv, &w, waitmask);
	limit_phase(&w, w.phase);
	/* How close the point came to its limit, to judge the default by. */
	if (sv->mo->o.verbose)
		fprintf(stderr, "cowbench: %s size %llu variant %u: longest phase %s, %.3f s of %u s\n",
			w.pt.sc->name, (unsigned long long)w.pt.size,
			w.pt.variant, cow_phase_name(w.longest_phase),
			(double)w.longest / 1e9, w.limit);

	/* Its group (samples, workload children) goes with it, always. */
	kill(-w.pid, SIGKILL);
	kill(w.pid, SIGKILL);
	/* Not gone in a second: what of its group is left, then and later. */
	w.stuck = !reap_within(w.pid, &w.status, 1);
	if (w.stuck) {
		cow_group_snapshot(w.pid, &snap);
		w.stuck = !reap_within(w.pid, &w.status, REAP_WAIT_S - 1);
		if (w.stuck)
			leave_starved_cpus(w.pid, &snap);
	}
	live_worker = 0;
	close(w.rfd);
	close(w.wfd);
	if (w.pidfd >= 0)
		close(w.pidfd);
	cow_knobs_undo_since_by(mark, undo_by_helper, &ur);

	if (w.ended && !w.bad && WIFEXITED(w.status) &&
	    !WEXITSTATUS(w.status))
		;
	else if (cow_interrupted)
		;	/* stopped: partial results, not a FAIL */
	else if (w.bad)
		point_fail(sv, &w, "harness worker sent a malformed message in phase %s",
			   cow_phase_name(w.phase));
	else if (!w.exited && w.stuck)
		point_fail(sv, &w, "timed out after %u s in phase %s; its worker did not die of SIGKILL within %u s (stuck in the kernel)",
			   w.limit, cow_phase_name(w.phase), REAP_WAIT_S);
	else if (!w.exited)
		point_fail(sv, &w, "timed out after %u s in phase %s",
			   w.limit, cow_phase_name(w.phase));
	else
		point_fail(sv, &w, "harness worker died: %s in phase %s",
			   cow_status_str(w.status, what, sizeof(what)),
			   cow_phase_name(w.phase));
	/* Said on stderr too, by the undo; a FAIL, since the run is not clean. */
	if (ur.nstuck && !cow_interrupted)
		point_fail(sv, &w, "undo after the point: %s not done in %u s (stuck in the kernel?)%s; left in the knob journal",
			   ur.stuck, w.limit,
			   ur.left ? ", its helper unkillable" : "");
out:
	/* A warning during cleanup goes on the last sample recorded. */
	kmsg_look(sv, w.kline, sizeof(w.kline));
	if (w.kline[0]) {
		if (!w.ps->n) {
			cow_sample_init(&s, w.pt.sc->name);
			cow_sample_param_num(&s, "size", (double)w.pt.size);
			cow_sample_verdict(&s, COW_SKIP, "no sample recorded");
			kmsg_fail(&s, w.kline);
			add_to_point(sv, idx, &s);
		} else {
			kmsg_fail(&sv->res->samples[w.ps->first + w.ps->n - 1],
				  w.kline);
		}
		write_results(sv);
	}
	if (!cow_interrupted) {
		wall_point_end(&w.wall, sv->res, w.ps, sv->mo->o.precision);
		/* Only a point stopped by its budget is worth another pass. */
		w.ps->done = !w.ps->n ||
			     sv->res->samples[w.ps->first + w.ps->n - 1].point.stop !=
			     COW_STOP_BUDGET;
		write_results(sv);
		/*
		 * The total was an estimate (--min-reps) under --precision;
		 * over several passes, what the visits recorded is the count.
		 */
		if (sv->npasses > 1) {
			sv->done = done0 + w.recorded;
			if (sv->done > sv->total)
				sv->total = sv->done;
		} else {
			if (w.recorded > sv->mo->o.reps)
				sv->total += w.recorded - sv->mo->o.reps;
			sv->done = done0 + (w.recorded > sv->mo->o.reps ?
					    w.recorded : sv->mo->o.reps);
		}
	}
}

void bench_supervise(struct bench_super *sv)
{
	static bool atexit_done;
	sigset_t block, waitmask;
	struct point pt;
	unsigned idx;

	cow_fork_forbidden = true;
	/* An ack to a worker just dead must not kill the run. */
	signal(SIGPIPE, SIG_IGN);
	if (!atexit_done && !atexit(kill_live_worker))
		atexit_done = true;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGHUP);
	for (sv->npoints = 0; point_at(sv->sel, &sv->mo->o, sv->npoints, &pt);
	     sv->npoints++)
		;
	sv->ps = calloc(sv->npoints ? sv->npoints : 1, sizeof(*sv->ps));
	if (!sv->ps) {
		fprintf(stderr, "cowbench: out of memory for the run's points\n");
		sigprocmask(SIG_UNBLOCK, &block, NULL);
		return;
	}
	/* Samples recorded before the points' (none today) come first. */
	for (idx = 0; idx < sv->npoints; idx++)
		sv->ps[idx].first = sv->res->n;
	sv->budget_ns = (uint64_t)sv->mo->o.budget_s * 1000000000ull;
	sv->budget_t0 = cow_now_ns();
	sv->npasses = sv->mo->o.passes ? sv->mo->o.passes : 1;
	for (sv->pass = 0; sv->pass < sv->npasses && !cow_interrupted;
	     sv->pass++) {
		uint64_t spent = cow_now_ns() - sv->budget_t0;

		for (idx = sv->pass_left = 0; idx < sv->npoints; idx++)
			sv->pass_left += !sv->ps[idx].done;
		if (!sv->pass_left)
			break;
		/* What is left of the budget, evenly over the passes left. */
		sv->pass_budget_ns = cow_budget_share(sv->budget_ns, spent,
						      sv->npasses - sv->pass);
		sv->pass_t0 = cow_now_ns();
		for (idx = 0; idx < sv->npoints && !cow_interrupted; idx++) {
			if (sv->ps[idx].done)
				continue;
			supervise_point(sv, idx, &waitmask);
			sv->pass_left--;
		}
	}
	cow_progress_end();
	for (idx = 0; idx < sv->npoints; idx++)
		free(sv->ps[idx].v);
	free(sv->ps);
	sv->ps = NULL;
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}
