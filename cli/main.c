// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - the cowbench program: what the options (options.c) ask for,
 * scenario selection, the run loop, and everything that must be undone
 * when the run ends.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "compare.h"
#include "export.h"

#define NO_ASLR_ENV		"COWBENCH_NO_ASLR"
#define PARENT_ENV		"COWBENCH_PARENT"
#define DELAYACCT		"/proc/sys/kernel/task_delayacct"

static const char *prog = "cowbench";

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cow_vdie(prog, " (try --help)", fmt, ap);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cow_vdie(prog, "", fmt, ap);
}

static void __attribute__((noreturn)) cpu_error(const char *list)
{
	char online[64] = "?";
	int e = errno;
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");

	if (f) {
		if (fgets(online, sizeof(online), f))
			online[strcspn(online, "\n")] = '\0';
		fclose(f);
	}
	if (e == EINVAL)
		fatal("--cpu %s: none of these CPUs is online and allowed (online: %s)",
		      list, online);
	fatal("--cpu %s: %s", list, strerror(e));
}

static void help(void)
{
	printf("Usage: %s [OPTION]... SCENARIO...\n"
"       %s compare [OPTION]... BASE OTHER...   (see compare --help)\n"
"       %s series [OPTION]... RUN RUN...       (see series --help)\n"
"       %s export --format FMT [OPTION]... RESULTS...\n"
"                      for LKP, LAVA, KTAP, KCIDB, mmtests (export --help)\n"
"Measure what Linux copy-on-write costs: pages copied, copies the semantics\n"
"did not require, time and faults; check that COW semantics held.\n"
"SCENARIO is a name or a glob (fork.*, all); see --list.\n"
"\n"
"      --add-meta KEY=JSON DIR\n"
"                      add meta.KEY to DIR/results.json and exit (for\n"
"                      wrappers such as scripts/vm-run)\n"
"  -b, --backing GLOB  only the points of these memory backings (see --list;\n"
"                      'small' is every scenario without a backing)\n"
"      --budget SECONDS  the run's time the repetitions may take; each point\n"
"                      gets what is left over the points still to run\n"
"                      (default %d; --quick %d, --full %d; 0: none)\n"
"  -c, --children N    fork.many: concurrent children (default: CPUs)\n"
"  -C, --cpu LIST      run on these CPUs (e.g. 0-1,3)\n"
"  -d, --dir DIR       scratch directory for files the scenarios create\n"
"  -e, --events LIST   perf events through libpfm4, comma separated\n"
"                      (default minor-faults,major-faults,context-switches,\n"
"                      cycles,instructions); unavailable ones are reported\n"
"  -f, --format FMT    stdout: text (summary, default), json or tsv\n"
"  -F, --full          more repetitions, and size sweeps (1M..1G)\n"
"  -h, --help          this text\n"
"  -l, --list[=FORM]   list the scenarios (or those given): FORM short\n"
"                      (default), long (needs, --quick size, kernel\n"
"                      commits, what each does), man or md\n"
"      --max-reps N, --min-reps N\n"
"                      bounds of the repetitions (default %d..%d; --quick\n"
"                      %d..%d, --full %d..%d)\n"
"  -N, --node N        memory and CPUs on NUMA node N (libnuma)\n"
"  -o, --out DIR       results directory (default\n"
"                      results/HOST/RELEASE/UTC-TIMESTAMP)\n"
"      --passes N      with --precision: sample the points in N passes, a\n"
"                      point not done in one sampled again in the next, so\n"
"                      its samples span the run (default %d)\n"
"      --precision P   repeat a point until the 95%% interval of its median\n"
"                      ns/op is within +-P%% (default %g), within --min-reps,\n"
"                      --max-reps and its share of --budget\n"
"  -q, --quick         fewer repetitions (%d, warm-up %d), and each\n"
"                      scenario at its quick size unless --size is given\n"
"                      (see --list=long)\n"
"  -r, --reps N        exactly N measured repetitions, no --precision\n"
"      --restore       undo what a crashed run left changed, then exit\n"
"      --sample-timeout SECONDS\n"
"                      limit of each phase of a point (prepare, a sample,\n"
"                      cleanup); past it the point FAILs and the run goes\n"
"                      on (default 60 + 30 per 16M of the point's size)\n"
"  -s, --size SIZE     region size: 4k, 64M, 1G (default 64M)\n"
"  -v, --verbose       more detail on stderr\n"
"  -V, --version       print the version\n"
"  -w, --warmup N      discarded repetitions before measuring (default %d)\n"
"\n"
"Exit status: 0 every case passed or skipped, 1 a case failed (a kernel\n"
"warning printed during a sample fails it), 2 bad usage or error (also a\n"
"run too big for free memory, the pid limits or the disk, refused before\n"
"it starts), 128+N stopped by signal N (partial results are kept).\n"
"Results: results.json and samples.tsv.\n",
	       prog, prog, prog, prog, DEFAULT_BUDGET, QUICK_BUDGET, FULL_BUDGET,
	       DEFAULT_MIN_REPS, DEFAULT_MAX_REPS,
	       QUICK_MIN_REPS, QUICK_MAX_REPS, FULL_MIN_REPS, FULL_MAX_REPS,
	       DEFAULT_PASSES, DEFAULT_PRECISION * 100, QUICK_REPS, QUICK_WARMUP,
	       DEFAULT_WARMUP);
}

static int restore_only(void)
{
	char err[256];

	if (cow_knobs_recover_only(cow_state_dir_default(), err, sizeof(err)))
		fatal("%s", err);
	printf("%s: nothing left changed\n", prog);
	return 0;
}

/*
 * --add-meta KEY=JSON DIR: for tools that wrap a run (scripts/vm-run adds
 * meta.vm after the guest is gone).  Adds a key, never changes one.
 */
static int add_meta(const struct main_opts *mo)
{
	char err[512];

	if (cow_results_add_meta(mo->meta_dir, mo->meta_key, mo->meta_json,
				 err, sizeof(err)))
		fatal("%s", err);
	return 0;
}

/* Scenarios matching any argument, in table order; NULL-terminated. */
static const struct cow_scenario **select_scenarios(int argc, char **argv)
{
	const struct cow_scenario **all = bench_scenarios(), **sel;
	size_t n = 0, max = 0, i, j;
	int a;

	if (!all)
		fatal("out of memory");
	while (all[max])
		max++;
	sel = calloc(max + 1, sizeof(*sel));
	if (!sel)
		fatal("out of memory");
	for (a = 0; a < argc; a++) {
		bool hit = false;

		for (i = 0; i < max; i++) {
			if (strcmp(argv[a], "all") &&
			    fnmatch(argv[a], all[i]->name, 0))
				continue;
			hit = true;
			for (j = 0; j < n && sel[j] != all[i]; j++)
				;
			if (j == n)
				sel[n++] = all[i];
		}
		if (!hit) {
			/* Freed first: a sanitizer build counts it a leak. */
			free(sel);
			free(all);
			usage_error("no scenario matches '%s' (see --list)",
				    argv[a]);
		}
	}
	free(all);
	return sel;
}

/* --list[=FORM] [SCENARIO...]: every scenario when none is given. */
static int list(const struct main_opts *mo, int argc, char **argv)
{
	char *every[] = { "all" };
	const struct cow_scenario **sel;

	sel = optind < argc ? select_scenarios(argc - optind, argv + optind) :
			      select_scenarios(1, every);
	bench_list(stdout, sel, mo->list);
	free(sel);
	return fflush(stdout) ? COW_EXIT_USAGE : 0;
}

/*
 * Address-space randomisation off, as will-it-scale runs: the same run
 * should touch the same page-table layout.  A personality only takes
 * effect at exec, so re-exec once.
 */
static void no_aslr(char **argv)
{
	int pers = personality(0xffffffff);
	const char *name;

	if (getenv(NO_ASLR_ENV)) {
		/*
		 * The re-exec named the task "exe" (the last component of
		 * /proc/self/exe): give it back the name it was started
		 * under, for ps and top, and for kernels that tell the
		 * processes under test by name (scripts/patches/broken).
		 */
		name = strrchr(argv[0], '/');
		prctl(PR_SET_NAME, name ? name + 1 : argv[0], 0, 0, 0);
		return;
	}
	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE))
		return;
	if (personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1)
		return;
	setenv(NO_ASLR_ENV, "1", 1);
	execv("/proc/self/exe", argv);
	/* Not fatal: measure with randomisation rather than not at all. */
}

/*
 * A launcher that may be killed with SIGKILL itself (run-all) puts its
 * pid in $COWBENCH_PARENT: its death then stops the run as SIGTERM does,
 * values restored, rather than leave an orphan changing the machine for
 * nobody.  Not the default: a run started by hand in the background is
 * meant to outlive its shell.
 */
static void die_with_parent(void)
{
	const char *s = getenv(PARENT_ENV);
	uint64_t pid;

	if (!s)
		return;
	if (cow_parse_u64(s, 1, INT_MAX, &pid))
		usage_error("$%s: '%s' is not a process id", PARENT_ENV, s);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM))
		fatal("$%s: PR_SET_PDEATHSIG: %s", PARENT_ENV, strerror(errno));
	/* Gone before the prctl: nothing is changed yet, so just go. */
	if (getppid() != (pid_t)pid) {
		fprintf(stderr, "%s: $%s: process %llu is not my parent (gone?): stopping\n",
			prog, PARENT_ENV, (unsigned long long)pid);
		exit(128 + SIGTERM);
	}
}

static void on_signal(int sig)
{
	cow_interrupted = sig;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a wait must return so the run can stop. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void default_out(char *buf, size_t len)
{
	char host[256] = "unknown", ts[32];
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	if (uname(&u))
		strcpy(u.release, "unknown");
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/%s/%s/%s", host, u.release, ts);
}

/* An instrument that reads wrong deserves a word; verbose: every one not ok. */
static void selfcheck_warn(int verbose)
{
	char buf[160];
	unsigned i;

	for (i = 0; i < COW_INSTR_N; i++) {
		const struct cow_instr_check *c = &cow_instruments.c[i];

		if (c->state == COW_INSTR_OK ||
		    (c->state != COW_INSTR_UNRELIABLE && !verbose))
			continue;
		cow_instr_describe(c, buf, sizeof(buf));
		fprintf(stderr, "%s: instrument %s %s\n", prog,
			cow_instr_name(i), buf);
	}
}

/*
 * A worker: one point of the run its supervisor (the parent, which set
 * $COWBENCH_WORKER) is making, from the same command line; see
 * supervise.c.  What the supervisor set up before starting it is
 * inherited: CPU affinity (--cpu, --node), memory policy, the personality
 * without ASLR, delay accounting switched on.
 */
static int worker_main(int argc, char **argv, const char *spec)
{
	const struct cow_scenario **sel;
	struct bench_worker w;
	struct main_opts mo = { 0 };
	char err[256];
	int ret;

	if (bench_worker_parse(spec, &w))
		fatal("$%s: '%s' is not what a cowbench run sets", BENCH_WORKER_ENV,
		      spec);
	/* Never outlive the run, which undoes what this process changes. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != w.ppid)
		_exit(COW_EXIT_USAGE);
	install_signals();
	/*
	 * The kernel names an exec of /proc/self/exe "exe": the processes
	 * under test are called cowbench, whoever started them.
	 */
	prctl(PR_SET_NAME, "cowbench");
	fcntl(w.fd, F_SETFD, FD_CLOEXEC);
	fcntl(w.ack_fd, F_SETFD, FD_CLOEXEC);
	if (w.lock_fd >= 0) {
		fcntl(w.lock_fd, F_SETFD, FD_CLOEXEC);
		fcntl(w.state_fd, F_SETFD, FD_CLOEXEC);
		if (cow_knobs_attach(w.lock_fd, w.state_fd, err, sizeof(err)))
			fatal("%s", err);
	}
	if (bench_parse_options(argc, argv, &mo, err, sizeof(err)) != MAIN_RUN ||
	    optind >= argc)
		fatal("worker: the command line is not a run");
	sel = select_scenarios(argc - optind, argv + optind);
	mo.o.dir = w.scratch;
	if (cow_events_init(mo.events))
		fatal("worker: --events '%s'", mo.events);
	/* Later children pin to CPUs of this set. */
	cow_nr_allowed_cpus();
	cow_pin_nth_cpu(0);
	cow_msg_fd = w.fd;
	ret = bench_worker_run(&w, sel, &mo.o);
	free(sel);
	return ret;
}

int main(int argc, char **argv)
{
	static struct cow_results res;
	static struct cow_kmsg kmsg = { .fd = -1 };
	const struct cow_scenario **sel, **sc;
	struct main_opts mo = { 0 };
	struct bench_super sv = { 0 };
	struct bench_plan plan;
	char outbuf[PATH_MAX], err[256], perr[512];
	const char *dir;
	unsigned total = 0;
	size_t i;
	int ret = COW_EXIT_OK;
	bool root = geteuid() == 0;

	cow_page_size = (size_t)sysconf(_SC_PAGESIZE);
	if (argc > 1 && !strcmp(argv[1], "compare"))
		return cow_compare_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "series"))
		return cow_series_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "export"))
		return cow_export_main(argc - 1, argv + 1);
	if (getenv(BENCH_SELFCHECK_ENV))
		return bench_selfcheck_child(getenv(BENCH_SELFCHECK_ENV));
	if (getenv(BENCH_UNDO_ENV))
		return bench_undo_child(getenv(BENCH_UNDO_ENV));
	if (getenv(BENCH_WORKER_ENV))
		return worker_main(argc, argv, getenv(BENCH_WORKER_ENV));
	/*
	 * First: a signal for a run that has not started yet must stop it
	 * all the same, also where the shell started us with SIGINT ignored
	 * (a background job of run-all).
	 */
	install_signals();
	switch (bench_parse_options(argc, argv, &mo, perr, sizeof(perr))) {
	case MAIN_ERROR:
		usage_error("%s", perr);
	case MAIN_HELP:
		help();
		return 0;
	case MAIN_LIST:
		return list(&mo, argc, argv);
	case MAIN_VERSION:
		printf("cowbench %s\n", PACKAGE_VERSION);
		return 0;
	case MAIN_RESTORE:
		return restore_only();
	case MAIN_ADD_META:
		return add_meta(&mo);
	case MAIN_RUN:
		break;
	}
	/* A run's own process never forks: see supervise.c for why. */
	cow_fork_forbidden = true;
	if (mo.cpus && sched_setaffinity(0, sizeof(mo.cpuset), &mo.cpuset))
		cpu_error(mo.cpus);
	if (optind >= argc)
		usage_error("no scenario given (see --list, or 'all')");
	sel = select_scenarios(argc - optind, argv + optind);
	dir = mo.out;
	if (!dir) {
		default_out(outbuf, sizeof(outbuf));
		dir = outbuf;
	}
	for (sc = sel; *sc; sc++)
		total += bench_count_sizes(*sc, &mo.o) *
			 bench_count_variants(*sc, &mo.o) * mo.o.reps;
	/* Before anything is changed or written: bad input, then the fit. */
	if (!total && mo.o.backing) {
		free(sel);
		usage_error("--backing %s: no point of the scenarios given has that backing%s (see --list)",
			    mo.o.backing, mo.o.quick ?
			    " in --quick" : "");
	}
	if (mo.o.children > 0 && mo.o.size / cow_page_size < mo.o.children)
		usage_error("--children %u: more children than pages",
			    mo.o.children);
	if (mo.o.dir && access(mo.o.dir, W_OK))
		fatal("--dir %s: %s", mo.o.dir, strerror(errno));
	plan.sel = sel;
	plan.o = &mo.o;
	plan.max_size = bench_max_point_size;
	plan.samples = total;
	plan.out = dir;
	if (bench_guards(&plan, err, sizeof(err)))
		fatal("%s", err);
	die_with_parent();
	no_aslr(argv);

	if (mo.node >= 0 && cow_numa_bind(mo.node, err, sizeof(err)))
		fatal("--node %d: %s", mo.node, err);
	/*
	 * Before anything is changed or recorded: a dead run's leftovers are
	 * undone first, and opening events may mount tracefs (undone too).
	 */
	if (root && cow_knobs_init(cow_state_dir_default(), err, sizeof(err)))
		fatal("%s", err);
	if (cow_events_init(mo.events))
		usage_error("--events: '%s' is not a list of event names",
			    mo.events);
	/* Asked for by name, an event this machine lacks deserves a word. */
	for (i = 0; i < cow_events_count(); i++) {
		const struct cow_event_info *ev = cow_event_info(i);

		if (!ev->available && (mo.events || mo.o.verbose))
			fprintf(stderr, "%s: event %s not counted here: %s\n",
				prog, ev->name, ev->reason);
	}
	/* The workers inherit the CPUs as --cpu and --node left them. */

	/* Meta records the knobs as they were before this run changed any. */
	cow_results_collect_meta(&res, argc, argv);
	res.partial = true;

	if (root) {
		int r = cow_results_register_undo(dir);

		if (r)
			fatal("--out %s: cannot register its temporary files: %s",
			      dir, strerror(-r));
		/* The kernel's own copy count needs delay accounting on. */
		if (cow_knob_set(DELAYACCT, "1"))
			fprintf(stderr, "%s: cannot enable %s: kernel_wpcopy will be null\n",
				prog, DELAYACCT);
	} else {
		fprintf(stderr, "%s: not root: PFNs are hidden, so copies are not counted, and no knob is changed\n",
			prog);
	}
	if (mo.o.verbose && cow_taskstats_probe())
		fprintf(stderr, "%s: kernel_wpcopy unavailable: %s\n", prog,
			cow_taskstats_probe());
	/*
	 * The instruments check themselves once, after delay accounting is
	 * on (wpcopy) and before any scenario, in a process of their own;
	 * every worker is handed the verdicts in cow_instruments.
	 */
	bench_selfcheck(&cow_instruments);
	res.instruments = &cow_instruments;
	selfcheck_warn(mo.o.verbose);
	/* Where this run's kernel log begins. */
	if (cow_kmsg_open(&kmsg) && mo.o.verbose)
		fprintf(stderr, "%s: kernel warnings not checked: /dev/kmsg %s\n",
			prog, kmsg.source);
	snprintf(res.kernel_log, sizeof(res.kernel_log), "%s", kmsg.source);
	if (cow_results_write(&res, dir))
		fprintf(stderr, "%s: writing results to %s: %s\n", prog, dir,
			strerror(errno));
	if (access(dir, W_OK))
		fatal("--out %s: %s", dir, strerror(errno));
	/* Scratch files live beside the results: a real disk, not tmpfs. */
	if (!mo.o.dir)
		mo.o.dir = dir;

	sv.sel = sel;
	sv.mo = &mo;
	sv.argv = argv;
	sv.dir = dir;
	sv.res = &res;
	sv.kmsg = &kmsg;
	sv.total = total;
	bench_supervise(&sv);
	res.partial = cow_interrupted != 0;
	if (cow_results_write(&res, dir))
		fprintf(stderr, "%s: writing results to %s: %s\n", prog, dir,
			strerror(errno));
	cow_report(stdout, &res, dir, mo.fmt);
	for (i = 0; i < res.n; i++)
		if (res.samples[i].verdict == COW_FAIL)
			ret = COW_EXIT_FAIL;
	if (cow_interrupted) {
		fprintf(stderr, "%s: interrupted: partial results in %s\n",
			prog, dir);
		ret = 128 + cow_interrupted;
	}
	cow_kmsg_close(&kmsg);
	cow_knobs_restore();
	cow_results_free(&res);
	free(sel);
	return ret;
}
