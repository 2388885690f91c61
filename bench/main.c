// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - the cowbench program: options, scenario selection, the run
 * loop, and everything that must be undone when the run ends.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define DEFAULT_SIZE		(64ull << 20)
#define DEFAULT_REPS		10
#define DEFAULT_WARMUP		2
#define QUICK_REPS		5
#define QUICK_WARMUP		1
#define FULL_REPS		20
#define FULL_WARMUP		3
#define NO_ASLR_ENV		"COWBENCH_NO_ASLR"
#define PARENT_ENV		"COWBENCH_PARENT"
#define DELAYACCT		"/proc/sys/kernel/task_delayacct"

static const uint64_t sweep_sizes[] = {
	1ull << 20, 4ull << 20, 16ull << 20, 64ull << 20, 256ull << 20,
	1ull << 30,
};

struct main_opts {
	struct cow_opts o;
	const char *events;
	const char *out;
	const char *cpus;
	int node;
	enum cow_format fmt;
	bool reps_set, warmup_set;
};

static const char *prog = "cowbench";

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(COW_EXIT_USAGE);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(COW_EXIT_USAGE);
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
"Measure what Linux copy-on-write costs: pages copied, copies the semantics\n"
"did not require, time and faults; check that COW semantics held.\n"
"SCENARIO is a name or a glob (fork.*, all); see --list.\n"
"\n"
"      --add-meta KEY=JSON DIR\n"
"                      add meta.KEY to DIR/results.json and exit (for\n"
"                      wrappers such as scripts/vm-run)\n"
"  -c, --children N    fork.many: concurrent children (default: CPUs)\n"
"  -C, --cpu LIST      run on these CPUs (e.g. 0-1,3)\n"
"  -d, --dir DIR       scratch directory for files the scenarios create\n"
"  -e, --events LIST   perf events through libpfm4, comma separated\n"
"                      (default minor-faults,major-faults,context-switches,\n"
"                      cycles,instructions); unavailable ones are reported\n"
"  -f, --format FMT    stdout: text (summary, default), json or tsv\n"
"  -F, --full          more repetitions, and size sweeps (1M..1G)\n"
"  -h, --help          this text\n"
"  -l, --list          list the scenarios\n"
"  -N, --node N        memory and CPUs on NUMA node N (libnuma)\n"
"  -o, --out DIR       results directory (default\n"
"                      results/HOST/RELEASE/UTC-TIMESTAMP)\n"
"  -q, --quick         fewer repetitions (%d, warm-up %d); every scenario\n"
"                      but fork.*, thp.fork-write and iouring.fork-fixed\n"
"                      at 16M unless --size is given\n"
"  -r, --reps N        measured repetitions (default %d)\n"
"      --restore       undo what a crashed run left changed, then exit\n"
"  -s, --size SIZE     region size: 4k, 64M, 1G (default 64M)\n"
"  -v, --verbose       more detail on stderr\n"
"  -V, --version       print the version\n"
"  -w, --warmup N      discarded repetitions before measuring (default %d)\n"
"\n"
"Exit status: 0 every case passed or skipped, 1 a case failed,\n"
"2 bad usage or error.  Results: results.json and samples.tsv.\n",
	       prog, prog, QUICK_REPS, QUICK_WARMUP, DEFAULT_REPS, DEFAULT_WARMUP);
}

static void list(void)
{
	const struct cow_scenario *const *sc;

	for (sc = cow_scenarios; *sc; sc++)
		printf("%-28s %s\n", (*sc)->name, (*sc)->desc);
}

static uint64_t opt_u64(const char *name, const char *arg, uint64_t min,
			uint64_t max)
{
	uint64_t v;

	if (cow_parse_u64(arg, min, max, &v))
		usage_error("--%s: '%s' is not a number in %llu..%llu", name,
			    arg, (unsigned long long)min,
			    (unsigned long long)max);
	return v;
}

enum { OPT_RESTORE = 256, OPT_ADD_META };

static const struct option long_options[] = {
	{ "add-meta",	required_argument,	NULL, OPT_ADD_META },
	{ "children",	required_argument,	NULL, 'c' },
	{ "cpu",	required_argument,	NULL, 'C' },
	{ "dir",	required_argument,	NULL, 'd' },
	{ "events",	required_argument,	NULL, 'e' },
	{ "format",	required_argument,	NULL, 'f' },
	{ "full",	no_argument,		NULL, 'F' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "list",	no_argument,		NULL, 'l' },
	{ "node",	required_argument,	NULL, 'N' },
	{ "out",	required_argument,	NULL, 'o' },
	{ "quick",	no_argument,		NULL, 'q' },
	{ "reps",	required_argument,	NULL, 'r' },
	{ "restore",	no_argument,		NULL, OPT_RESTORE },
	{ "size",	required_argument,	NULL, 's' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "warmup",	required_argument,	NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

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
static int add_meta(const char *arg, int argc, char **argv)
{
	const char *eq = strchr(arg, '=');
	char key[64], err[512];
	size_t klen = eq ? (size_t)(eq - arg) : 0;

	if (!eq || !klen || klen >= sizeof(key) ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_") != klen)
		usage_error("--add-meta: '%s' is not KEY=JSON (KEY: a-z 0-9 _)",
			    arg);
	if (optind + 1 != argc)
		usage_error("--add-meta needs exactly one results directory");
	memcpy(key, arg, klen);
	key[klen] = '\0';
	if (cow_results_add_meta(argv[optind], key, eq + 1, err, sizeof(err)))
		fatal("%s", err);
	return 0;
}

static void parse_options(int argc, char **argv, struct main_opts *mo)
{
	cpu_set_t set;
	int c;

	/* One line per error, ours: getopt's own message would be a second. */
	opterr = 0;
	mo->o.size = DEFAULT_SIZE;
	mo->o.reps = DEFAULT_REPS;
	mo->o.warmup = DEFAULT_WARMUP;
	mo->node = -1;
	while ((c = getopt_long(argc, argv, "c:C:d:e:f:FhlN:o:qr:s:vVw:",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			mo->o.children = opt_u64("children", optarg, 1, 4096);
			break;
		case 'C':
			if (cow_parse_cpulist(optarg, &set))
				usage_error("--cpu: '%s' is not a CPU list",
					    optarg);
			if (sched_setaffinity(0, sizeof(set), &set))
				cpu_error(optarg);
			mo->cpus = optarg;
			break;
		case 'd':
			mo->o.dir = optarg;
			break;
		case 'e':
			mo->events = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				mo->fmt = COW_FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				mo->fmt = COW_FMT_JSON;
			else if (!strcmp(optarg, "tsv"))
				mo->fmt = COW_FMT_TSV;
			else
				usage_error("--format: '%s' is not text, json or tsv",
					    optarg);
			break;
		case 'F':
			mo->o.full = true;
			break;
		case 'h':
			help();
			exit(0);
		case 'l':
			list();
			exit(0);
		case 'N':
			mo->node = (int)opt_u64("node", optarg, 0, 1023);
			break;
		case 'o':
			mo->out = optarg;
			break;
		case 'q':
			mo->o.quick = true;
			break;
		case 'r':
			mo->o.reps = (unsigned)opt_u64("reps", optarg, 1, 100000);
			mo->reps_set = true;
			break;
		case OPT_RESTORE:
			exit(restore_only());
		case OPT_ADD_META:
			exit(add_meta(optarg, argc, argv));
		case 's':
			if (cow_parse_size(optarg, &mo->o.size))
				usage_error("--size: '%s' is not a size like 4k, 64M or 1G",
					    optarg);
			if (mo->o.size < cow_page_size ||
			    mo->o.size % cow_page_size)
				usage_error("--size: %s is not a whole number of %zu-byte pages",
					    optarg, cow_page_size);
			mo->o.size_set = true;
			break;
		case 'v':
			mo->o.verbose++;
			break;
		case 'V':
			printf("cowbench %s\n", PACKAGE_VERSION);
			exit(0);
		case 'w':
			mo->o.warmup = (unsigned)opt_u64("warmup", optarg, 0, 1000);
			mo->warmup_set = true;
			break;
		default:
			usage_error("unknown option or missing value in '%s'",
				    argv[optind - 1]);
		}
	}
	if (mo->o.quick && mo->o.full)
		usage_error("--quick and --full exclude each other");
	if (mo->o.quick) {
		if (!mo->reps_set)
			mo->o.reps = QUICK_REPS;
		if (!mo->warmup_set)
			mo->o.warmup = QUICK_WARMUP;
	} else if (mo->o.full) {
		if (!mo->reps_set)
			mo->o.reps = FULL_REPS;
		if (!mo->warmup_set)
			mo->o.warmup = FULL_WARMUP;
	}
}

/* Scenarios matching any argument, in table order; NULL-terminated. */
static const struct cow_scenario **select_scenarios(int argc, char **argv)
{
	size_t n = 0, max = 0, i, j;
	const struct cow_scenario **sel;
	int a;

	while (cow_scenarios[max])
		max++;
	sel = calloc(max + 1, sizeof(*sel));
	if (!sel)
		fatal("out of memory");
	for (a = 0; a < argc; a++) {
		bool hit = false;

		for (i = 0; i < max; i++) {
			if (strcmp(argv[a], "all") &&
			    fnmatch(argv[a], cow_scenarios[i]->name, 0))
				continue;
			hit = true;
			for (j = 0; j < n && sel[j] != cow_scenarios[i]; j++)
				;
			if (j == n)
				sel[n++] = cow_scenarios[i];
		}
		if (!hit)
			usage_error("no scenario matches '%s' (see --list)",
				    argv[a]);
	}
	return sel;
}

/*
 * Address-space randomisation off, as will-it-scale runs: the same run
 * should touch the same page-table layout.  A personality only takes
 * effect at exec, so re-exec once.
 */
static void no_aslr(char **argv)
{
	int pers = personality(0xffffffff);

	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE) || getenv(NO_ASLR_ENV))
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

static void write_results(struct cow_results *res, const char *dir)
{
	if (cow_results_write(res, dir))
		fprintf(stderr, "%s: writing results to %s: %s\n", prog, dir,
			strerror(errno));
}

static unsigned count_sizes(const struct cow_scenario *sc,
			    const struct cow_opts *o)
{
	return (sc->flags & COW_F_SWEEP_SIZE) && o->full && !o->size_set ?
	       COW_ARRAY_SIZE(sweep_sizes) : 1;
}

static unsigned count_variants(const struct cow_scenario *sc,
			       const struct cow_opts *o)
{
	return sc->nvariants ? sc->nvariants(o) : 1;
}

/*
 * Each sample runs in a process of its own, forked after delay accounting
 * was switched on: the kernel gives a task its delay counters only if the
 * switch was on when the task was created.  A workload that crashes fails
 * its sample, not the run, and leaves no state behind for the next one.
 */
static void run_sample(struct cow_run *r, struct cow_sample *s)
{
	struct cow_sample *sh = cow_shared_alloc(sizeof(*s));
	char why[128];
	pid_t pid;

	if (!sh) {
		cow_sample_verdict(s, COW_FAIL, "no memory for a sample");
		return;
	}
	*sh = *s;
	pid = cow_fork();
	if (pid == 0) {
		r->sc->sample(r, sh);
		_exit(0);
	}
	if (pid < 0)
		cow_sample_verdict(sh, COW_FAIL, "fork: %s", strerror(errno));
	else if (cow_wait(pid, why, sizeof(why)))
		cow_sample_verdict(sh, COW_FAIL, "sample process: %s", why);
	*s = *sh;
	cow_shared_free(sh, sizeof(*s));
}

/* Run one scenario at one size: prepare, warm-up, repetitions, cleanup. */
static void run_point(struct cow_run *r, struct cow_results *res,
		      const char *dir, unsigned *done, unsigned total)
{
	const struct cow_opts *o = r->opts;
	struct cow_sample s;
	char reason[160] = "";
	unsigned i;

	r->priv = NULL;
	if (r->sc->prepare &&
	    r->sc->prepare(r, reason, sizeof(reason)) != COW_PASS) {
		cow_sample_init(&s, r->sc->name);
		cow_sample_param_num(&s, "size", (double)r->size);
		cow_sample_verdict(&s, COW_SKIP, "%s", reason);
		cow_results_add(res, &s);
		*done += o->reps;
		cow_progress(&s, *done, total);
		return;
	}
	for (i = 0; i < o->warmup + o->reps && !cow_interrupted; i++) {
		cow_sample_init(&s, r->sc->name);
		cow_sample_param_num(&s, "size", (double)r->size);
		r->warmup = i < o->warmup;
		r->rep = r->warmup ? 0 : i - o->warmup;
		s.rep = r->rep;
		run_sample(r, &s);
		if (cow_interrupted)
			break;
		if (r->warmup)
			continue;
		cow_results_add(res, &s);
		write_results(res, dir);
		cow_progress(&s, ++*done, total);
		/* A skip will not change with repetition. */
		if (s.verdict == COW_SKIP) {
			*done += o->reps - r->rep - 1;
			break;
		}
	}
	if (r->sc->cleanup)
		r->sc->cleanup(r);
}

static void check_size(uint64_t size)
{
	long pages = sysconf(_SC_AVPHYS_PAGES);
	char buf[32];

	/* The region, the copies and a warm-up buffer must fit at once. */
	if (pages > 0 && size > (uint64_t)pages * cow_page_size / 3)
		fatal("--size %s: more than a third of free memory",
		      cow_size_str(size, buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
	static struct cow_results res;
	const struct cow_scenario **sel, **sc;
	struct main_opts mo = { 0 };
	char outbuf[PATH_MAX], err[256];
	const char *dir;
	unsigned total = 0, done = 0;
	size_t i;
	int ret = COW_EXIT_OK;
	bool root = geteuid() == 0;

	cow_page_size = (size_t)sysconf(_SC_PAGESIZE);
	if (argc > 1 && !strcmp(argv[1], "compare"))
		return cow_compare_main(argc - 1, argv + 1);
	/*
	 * First: a signal for a run that has not started yet must stop it
	 * all the same, also where the shell started us with SIGINT ignored
	 * (a background job of run-all).
	 */
	install_signals();
	parse_options(argc, argv, &mo);
	if (optind >= argc)
		usage_error("no scenario given (see --list, or 'all')");
	sel = select_scenarios(argc - optind, argv + optind);
	check_size(mo.o.size);
	die_with_parent();
	no_aslr(argv);

	if (mo.node >= 0 && cow_numa_bind(mo.node, err, sizeof(err)))
		fatal("--node %d: %s", mo.node, err);
	if (mo.o.children > 0 && mo.o.size / cow_page_size < mo.o.children)
		usage_error("--children %u: more children than pages",
			    mo.o.children);
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
	/* Later children pin to CPUs of this set. */
	cow_nr_allowed_cpus();
	cow_pin_nth_cpu(0);

	dir = mo.out;
	if (!dir) {
		default_out(outbuf, sizeof(outbuf));
		dir = outbuf;
	}
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
	write_results(&res, dir);
	if (access(dir, W_OK))
		fatal("--out %s: %s", dir, strerror(errno));
	/* Scratch files live beside the results: a real disk, not tmpfs. */
	if (!mo.o.dir)
		mo.o.dir = dir;
	else if (access(mo.o.dir, W_OK))
		fatal("--dir %s: %s", mo.o.dir, strerror(errno));

	for (sc = sel; *sc; sc++)
		total += count_sizes(*sc, &mo.o) * count_variants(*sc, &mo.o) *
			 mo.o.reps;
	for (sc = sel; *sc && !cow_interrupted; sc++) {
		struct cow_run r = { .opts = &mo.o, .sc = *sc };
		unsigned ns = count_sizes(*sc, &mo.o);
		unsigned nv = count_variants(*sc, &mo.o), v;

		for (i = 0; i < ns && !cow_interrupted; i++) {
			r.size = ns > 1 ? sweep_sizes[i] : mo.o.size;
			for (v = 0; v < nv && !cow_interrupted; v++) {
				r.variant = v;
				run_point(&r, &res, dir, &done, total);
			}
		}
	}
	res.partial = cow_interrupted != 0;
	write_results(&res, dir);
	cow_report(stdout, &res, dir, mo.fmt);
	for (i = 0; i < res.n; i++)
		if (res.samples[i].verdict == COW_FAIL)
			ret = COW_EXIT_FAIL;
	if (cow_interrupted) {
		fprintf(stderr, "%s: interrupted: partial results in %s\n",
			prog, dir);
		ret = 128 + cow_interrupted;
	}
	cow_knobs_restore();
	cow_results_free(&res);
	free(sel);
	return ret;
}
