// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare.c - `cowbench compare BASE OTHER...`: match the samples of two
 * or more runs by scenario and params, and decide per metric whether
 * anything changed, whether that is real, and whether it is a regression.
 *
 * The rules, and why (README "Comparing runs" says the same for users):
 * - Timings: medians, a bootstrap 95 % interval of the ratio of medians
 *   (seed printed, one stream per comparison derived from it, so a report
 *   reproduces and adding a scenario does not move the others' intervals),
 *   a two-sided Mann-Whitney U p-value (exact up to 50 values), and
 *   Benjamini-Hochberg over every test of one other run against the base.
 *   BH rather than Holm: quick runs have 5 repetitions, where the smallest
 *   possible p is 2/252 = 0.008, and a family-wise correction over dozens
 *   of tests would make every change, however large, insignificant.
 *   A regression is significant, in the direction the metric's name says
 *   is worse (*_ns slower, *_per_sec fewer), and beyond --threshold with
 *   95 % confidence: its whole interval lies past the threshold.
 * - Counts: constant on both sides (the usual case: copies are
 *   deterministic) they are compared exactly and any difference is shown;
 *   more extra or missing copies is a regression.  A count that varies
 *   between repetitions (fork.exec-window's window) is tested as above.
 * - The kernel's wpcopy delay (kernel_wpcopy_delay_ns, delay accounting's
 *   total over the sample) is shown and tested but never a regression or
 *   an improvement: the copies it times are inside the writes ns/op
 *   already times, so judging it too counts one slowdown twice; it is a
 *   total, so it doubles whenever the copies do (which the exact counts
 *   already report); and it is wall time from the copy's start to its end,
 *   preemption included, so a busy machine inflates it (fork.latency's 8
 *   stack-page copies went from 11 to 15 us between two runs of one build,
 *   a "regression" of a few microseconds of noise).  A per-copy figure
 *   would still double-count ns/op, so none is derived.
 * - The reference copy (ref_copy_ns, lib/refcopy.c: a userspace copy timed
 *   after each measured phase) is shown and tested but never judged: no
 *   kernel change moves it, so its change is the machine's, and when most
 *   points' moved one way a warning says so beside the ns/op changes.
 * - A point whose samples now fail, but did not, is always a regression.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare-int.h"

static const char *prog = "cowbench compare";

void cmp_set_prog(const char *name)
{
	prog = name;
}

void cmp_die(const char *fmt, ...)
{
	va_list ap;

	/* one line, whatever a file name or an argument holds */
	va_start(ap, fmt);
	cow_vdie(prog, "", fmt, ap);
}

void *cmp_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		cmp_die("out of memory");
	return p;
}

void *cmp_xrealloc(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size);
	if (!p)
		cmp_die("out of memory");
	return p;
}

static void help(void)
{
	printf("Usage: cowbench compare [OPTION]... BASE OTHER...\n"
"       cowbench compare [OPTION]... --base RUN,RUN... --other RUN,RUN...\n"
"Compare cowbench runs: BASE is the baseline, each OTHER is judged against\n"
"it.  A run is a results directory or its results.json.  A side may pool\n"
"several runs (RUN,RUN...: hosts of one lab), whose samples are then taken\n"
"together per point, and the spread between the hosts is shown; they must\n"
"share the tool version and the knobs.  A path that exists is taken whole,\n"
"commas and all.\n"
"\n"
"  -a, --alpha A          significance level after correction (0.05)\n"
"      --base RUNS        the baseline (else the first argument)\n"
"      --correction C     bh (Benjamini-Hochberg, default), holm or none\n"
"  -d, --data-dir DIR     also write the data the gnuplot charts need;\n"
"                         with one run only, its overview\n"
"  -f, --format FMT       text (default, 80 columns), markdown, json, tsv\n"
"  -h, --help             this text\n"
"  -i, --ignore-param K   match points regardless of param K (e.g. size)\n"
"  -l, --labels L1,L2...  names of the runs in charts (default: kernel\n"
"                         release, or the directory name when those agree)\n"
"  -n, --resamples N      bootstrap resamples (default 10000)\n"
"      --other RUNS       a side judged against the base (repeatable;\n"
"                         before the other arguments)\n"
"  -s, --seed N           bootstrap seed (default 1), printed in the report\n"
"  -t, --threshold PCT    smallest change called a regression (default 5)\n"
"\n"
"Exit status: 0 no regression, 1 at least one regression, 2 error.\n");
}

static bool opt_num(char *err, size_t elen, const char *name,
		    const char *arg, double min, double max, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	if (errno || end == arg || *end || !(*v >= min && *v <= max)) {
		cow_errf(err, elen, "--%s: '%s' is not a number in %g..%g (try --help)",
		     name, arg, min, max);
		return false;
	}
	return true;
}

static const struct cow_word padj_words[] = {
	{ "bh",		COW_PADJ_BH },
	{ "holm",	COW_PADJ_HOLM },
	{ "none",	COW_PADJ_NONE },
	{ NULL, 0 },
};

static const struct cow_word format_words[] = {
	{ "text",	CMP_TEXT },
	{ "markdown",	CMP_MARKDOWN },
	{ "md",		CMP_MARKDOWN },
	{ "json",	CMP_JSON },
	{ "tsv",	CMP_TSV },
	{ NULL, 0 },
};

static const struct option long_options[] = {
	{ "alpha",	  required_argument,	NULL, 'a' },
	{ "base",	  required_argument,	NULL, 'B' },
	{ "correction",	  required_argument,	NULL, 'c' },
	{ "data-dir",	  required_argument,	NULL, 'd' },
	{ "format",	  required_argument,	NULL, 'f' },
	{ "help",	  no_argument,		NULL, 'h' },
	{ "ignore-param", required_argument,	NULL, 'i' },
	{ "labels",	  required_argument,	NULL, 'l' },
	{ "other",	  required_argument,	NULL, 'O' },
	{ "resamples",	  required_argument,	NULL, 'n' },
	{ "seed",	  required_argument,	NULL, 's' },
	{ "threshold",	  required_argument,	NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

int cmp_parse_options(int argc, char **argv, struct cmp_opts *o, char *err,
		      size_t elen)
{
	unsigned nignore = 0;
	uint64_t v;
	int ch, w;

	if (elen)
		err[0] = '\0';
	o->threshold = 0.05;
	o->alpha = 0.05;
	o->padj = COW_PADJ_BH;
	o->seed = 1;
	o->nboot = 10000;
	opterr = 0;
	/* 0, not 1: glibc then forgets any earlier parse's state too */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "a:c:d:f:hi:l:n:s:t:",
				 long_options, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (!opt_num(err, elen, "alpha", optarg, 1e-6, 0.5,
				     &o->alpha))
				return -1;
			break;
		case 'B':
			if (o->base)
				return cow_errf(err, elen, "--base given twice (pool runs as --base A1,A2)");
			o->base = optarg;
			break;
		case 'O':
			if (o->nothers >= CMP_MAX_RUNS - 1)
				return cow_errf(err, elen, "--other: at most %d", CMP_MAX_RUNS - 1);
			o->others[o->nothers++] = optarg;
			break;
		case 'c':
			if (cow_parse_word(padj_words, "correction", optarg,
					   " (try --help)", &w, err, elen))
				return -1;
			o->padj = w;
			break;
		case 'd':
			o->data_dir = optarg;
			break;
		case 'f':
			if (cow_parse_word(format_words, "format", optarg,
					   " (try --help)", &w, err, elen))
				return -1;
			o->fmt = w;
			break;
		case 'h':
			return 1;
		case 'i':
			if (nignore >= COW_MAX_PARAMS)
				return cow_errf(err, elen, "--ignore-param: more than %d",
						COW_MAX_PARAMS);
			o->ignore[nignore++] = optarg;
			break;
		case 'l':
			o->labels = optarg;
			break;
		case 'n':
			if (cow_parse_u64(optarg, 100, 10000000, &v))
				return cow_errf(err, elen, "--resamples: '%s' is not a number in 100..10000000 (try --help)",
						optarg);
			o->nboot = (unsigned)v;
			break;
		case 's':
			if (cow_parse_u64(optarg, 0, UINT64_MAX, &v))
				return cow_errf(err, elen, "--seed: '%s' is not an unsigned number (try --help)",
						optarg);
			o->seed = v;
			break;
		case 't':
			if (!opt_num(err, elen, "threshold", optarg, 0, 1000,
				     &o->threshold))
				return -1;
			o->threshold /= 100;
			break;
		default:
			return cow_errf(err, elen, "unknown option or missing value in '%s' (try --help)",
					argv[optind - 1]);
		}
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* One results directory or results.json into r; its path into *path. */
static void load_one(const char *arg, char **path, struct cow_results *r)
{
	char err[512];
	struct stat st;

	if (stat(arg, &st))
		cmp_die("%s: %s", arg, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (asprintf(path, "%s/results.json", arg) < 0)
			cmp_die("out of memory");
		if (stat(*path, &st))
			cmp_die("%s: no results.json in this directory", arg);
	} else {
		*path = strdup(arg);
		if (!*path)
			cmp_die("out of memory");
	}
	if (cow_results_read(*path, r, err, sizeof(err)))
		cmp_die("%s", err);
}

static void pool_add(struct cmp_run *run, char *path, const struct cow_results *r)
{
	const char *host = cow_results_meta(r, "hostname");
	const char *rel = cow_results_meta(r, "uname.release");
	size_t i, k = run->npool++;

	run->pool_paths = cmp_xrealloc(run->pool_paths, run->npool, sizeof(char *));
	run->pool_hosts = cmp_xrealloc(run->pool_hosts, run->npool, sizeof(char *));
	run->pool_releases = cmp_xrealloc(run->pool_releases, run->npool,
					  sizeof(char *));
	run->pool_paths[k] = path;
	run->pool_hosts[k] = strdup(host ? host : path);
	run->pool_releases[k] = rel ? strdup(rel) : NULL;
	if (!run->pool_hosts[k] || (rel && !run->pool_releases[k]))
		cmp_die("out of memory");
	run->pool_of = cmp_xrealloc(run->pool_of, run->r.n, sizeof(unsigned));
	for (i = run->r.n - r->n; i < run->r.n; i++)
		run->pool_of[i] = (unsigned)k;
}

void cmp_pool_first(struct cmp_run *run)
{
	char *path = strdup(run->path);

	if (!path)
		cmp_die("out of memory");
	pool_add(run, path, &run->r);
}

int cmp_pool_more(struct cmp_run *run, char *path, struct cow_results *more,
		  char *err, size_t elen)
{
	size_t i;

	if (cow_results_poolable(&run->r, run->path, more, path, err, elen))
		return -1;
	/* interrupted is interrupted, whichever run of the pool it was */
	run->r.partial |= more->partial;
	for (i = 0; i < more->n; i++)
		if (cow_results_add(&run->r, &more->samples[i]))
			cmp_die("out of memory");
	pool_add(run, path, more);
	cow_results_free(more);
	return 0;
}

/*
 * A side: one run, or RUN,RUN... pooled (an argument that names an
 * existing path is one run, whatever commas it holds).  The pool keeps
 * the first run's meta for the report's header; every run's samples are
 * the side's, each remembering its run for the spread between hosts.
 */
void cmp_load_run(struct cmp_run *run)
{
	char *list, *tok, *save = NULL, *path, err[1024];
	struct cow_results more;
	struct stat st;
	size_t i;

	if (!strchr(run->arg, ',') || !stat(run->arg, &st)) {
		load_one(run->arg, &run->path, &run->r);
		cmp_pool_first(run);
		return;
	}
	list = strdup(run->arg);
	if (!list)
		cmp_die("out of memory");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!run->npool) {
			load_one(tok, &run->path, &run->r);
			cmp_pool_first(run);
			continue;
		}
		load_one(tok, &path, &more);
		for (i = 0; i < run->npool; i++)
			if (!strcmp(run->pool_paths[i], path))
				cmp_die("%s: pooled twice in '%s'", path, run->arg);
		if (cmp_pool_more(run, path, &more, err, sizeof(err)))
			cmp_die("%s", err);
	}
	free(list);
	if (!run->npool)
		cmp_die("'%s': no run named", run->arg);
}

size_t cmp_host_medians(const struct cmp *c, size_t r, const struct cmp_side *sd,
			double *med, double *lo, double *hi)
{
	const struct cmp_run *run = &c->runs[r];
	double *v = cmp_xcalloc(sd->n, sizeof(double));
	size_t h, i, n, k = 0;

	*lo = *hi = NAN;
	for (h = 0; h < run->npool; h++) {
		for (i = n = 0; i < sd->n; i++) {
			const struct cow_sample *s = sd->s[i];

			if (s->verdict == COW_PASS && s->ops &&
			    run->pool_of[s - run->r.samples] == h)
				v[n++] = (double)s->ns / (double)s->ops;
		}
		med[h] = n ? cow_median(v, n) : NAN;
		if (!n)
			continue;
		if (!k++ || med[h] < *lo)
			*lo = med[h];
		if (k == 1 || med[h] > *hi)
			*hi = med[h];
	}
	free(v);
	return k;
}

/* Labels for charts: the release where that tells the runs apart. */
void cmp_set_labels(struct cmp *c)
{
	bool distinct = true;
	size_t i, j, k = 0;
	char *tok, *save = NULL, dir[PATH_MAX];
	const char *rel;

	if (c->o.labels) {
		for (tok = strtok_r(c->o.labels, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save), k++)
			if (k < c->nruns)
				snprintf(c->runs[k].label, sizeof(c->runs[k].label),
					 "%s", tok);
		if (k != c->nruns)
			cmp_die("--labels: %zu labels for %zu runs", k, c->nruns);
		return;
	}
	for (i = 0; i < c->nruns; i++)
		for (j = 0; j < i; j++)
			if (cmp_same_str(cmp_meta(&c->runs[i], "uname.release"),
				     cmp_meta(&c->runs[j], "uname.release")))
				distinct = false;
	for (i = 0; i < c->nruns; i++) {
		struct cmp_run *r = &c->runs[i];

		rel = cmp_meta(r, "uname.release");
		snprintf(dir, sizeof(dir), "%s", r->path);
		if (distinct && rel)
			snprintf(r->label, sizeof(r->label), "%s", rel);
		else
			snprintf(r->label, sizeof(r->label), "%s",
				 basename(dirname(dir)));
	}
	/* the same directory name twice (compare DIR DIR): number them */
	for (i = 0; i < c->nruns; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(c->runs[i].label, c->runs[j].label))
				snprintf(c->runs[i].label, sizeof(c->runs[i].label),
					 "run %zu", i + 1);
}

/* ---- points and metrics ------------------------------------------------- */

static bool ignored(const struct cmp_opts *o, const char *key)
{
	const char *const *k;

	for (k = o->ignore; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

static int cmp_kv_key(const void *a, const void *b)
{
	return strcmp((*(const struct cow_kv *const *)a)->key,
		      (*(const struct cow_kv *const *)b)->key);
}

/* scenario|k=v;k=v, keys sorted, ignored ones and skip left out. */
static void point_key(const struct cmp_opts *o, const struct cow_sample *s,
		      const char *skip, char *buf, size_t len)
{
	const struct cow_kv *kv[COW_MAX_PARAMS];
	size_t off, n = 0, i;

	for (i = 0; i < s->nparams; i++)
		if (!ignored(o, s->params[i].key) &&
		    (!skip || strcmp(skip, s->params[i].key)))
			kv[n++] = &s->params[i];
	qsort(kv, n, sizeof(kv[0]), cmp_kv_key);
	off = (size_t)snprintf(buf, len, "%s|", s->scenario);
	for (i = 0; i < n && off < len; i++) {
		if (kv[i]->is_str)
			off += (size_t)snprintf(buf + off, len - off, "%s=%s;",
						kv[i]->key, kv[i]->str);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s=%.17g;",
						kv[i]->key, kv[i]->num);
	}
}

static struct cmp_point *find_point(struct cmp *c, const struct cow_sample *s)
{
	struct cmp_point *p;
	char key[CMP_KEY_LEN], params[128];
	const char *skip[COW_MAX_PARAMS + 2];
	size_t i;

	point_key(&c->o, s, NULL, key, sizeof(key));
	for (i = 0; i < c->npoints; i++)
		if (!strcmp(c->points[i].key, key))
			return &c->points[i];
	c->points = cmp_xrealloc(c->points, c->npoints + 1, sizeof(*p));
	p = &c->points[c->npoints++];
	memset(p, 0, sizeof(*p));
	p->side = cmp_xcalloc(c->nruns, sizeof(*p->side));
	snprintf(p->key, sizeof(p->key), "%s", key);
	snprintf(p->scenario, sizeof(p->scenario), "%s", s->scenario);
	snprintf(p->family, sizeof(p->family), "%.*s",
		 (int)strcspn(s->scenario, "."), s->scenario);
	for (i = 0; c->o.ignore[i]; i++)
		skip[i] = c->o.ignore[i];
	skip[i] = NULL;
	cow_params_str(s, skip, p->params, sizeof(p->params));
	snprintf(p->label, sizeof(p->label), "%s%s%s", s->scenario,
		 p->params[0] ? " " : "", p->params);
	point_key(&c->o, s, "size", p->sweep_key, sizeof(p->sweep_key));
	skip[i] = "size";
	skip[i + 1] = NULL;
	cow_params_str(s, skip, params, sizeof(params));
	snprintf(p->sweep_label, sizeof(p->sweep_label), "%s%s%s", s->scenario,
		 params[0] ? " " : "", params);
	p->size = NAN;
	for (i = 0; i < s->nparams; i++)
		if (!strcmp(s->params[i].key, "size") && !s->params[i].is_str &&
		    !ignored(&c->o, "size"))
			p->size = s->params[i].num;
	return p;
}

static void side_add(struct cmp_side *sd, const struct cow_sample *s)
{
	sd->s = cmp_xrealloc(sd->s, sd->n + 1, sizeof(*sd->s));
	sd->s[sd->n++] = s;
	if (s->verdict == COW_PASS)
		sd->npass++;
	/* FAIL over PASS over SKIP: one failing repetition fails the point */
	if (sd->n == 1 || s->verdict == COW_FAIL ||
	    (s->verdict == COW_PASS && sd->verdict == COW_SKIP)) {
		if (sd->n == 1 || sd->verdict != s->verdict)
			sd->reason = s->reason;
		sd->verdict = s->verdict;
	}
}

static bool ends_with_any(const char *name, const char *const *suffixes,
			  size_t n)
{
	size_t len = strlen(name), i, l;

	for (i = 0; i < n; i++) {
		l = strlen(suffixes[i]);
		if (len >= l && !strcmp(name + len - l, suffixes[i]))
			return true;
	}
	return false;
}

/* Which way is better, from the name: times lower, rates higher. */
static enum cmp_better better_by_name(const char *name)
{
	static const char *const lower[] = { "_ns", "_us", "_ms", "ns_per_op",
					     "latency" };
	static const char *const higher[] = { "_per_sec", "_per_s",
					      "per_second", "throughput" };

	/* higher first: "faults_per_sec" must not read as a time */
	if (ends_with_any(name, higher, COW_ARRAY_SIZE(higher)))
		return CMP_BETTER_HIGHER;
	if (ends_with_any(name, lower, COW_ARRAY_SIZE(lower)))
		return CMP_BETTER_LOWER;
	return CMP_BETTER_UNKNOWN;
}

#define F(f)	((long)offsetof(struct cow_sample, f))
static const struct cmp_metric builtin[] = {
	{ "ns_per_op", CMP_AT_NS_PER_OP, "ns/op", CMP_TIME, CMP_BETTER_LOWER, true },
	{ "pages_copied", F(pages_copied), "copied", CMP_COUNT,
	  CMP_BETTER_UNKNOWN, true },
	{ "pages_required", F(pages_required), "required", CMP_COUNT,
	  CMP_BETTER_UNKNOWN, true },
	{ "extra_copies", F(extra_copies), "extra copies", CMP_COUNT,
	  CMP_BETTER_LOWER, true },
	{ "copies_missing", F(copies_missing), "missing copies", CMP_COUNT,
	  CMP_BETTER_LOWER, false },
	{ "kernel_wpcopy", F(kernel_wpcopy), "kernel wpcopy", CMP_COUNT,
	  CMP_BETTER_UNKNOWN, false },
	{ "pages_written", F(pages_written), "written", CMP_COUNT,
	  CMP_BETTER_UNKNOWN, false },
	{ "faults_minor", F(faults_minor), "minor faults", CMP_COUNT,
	  CMP_BETTER_UNKNOWN, false },
	{ "faults_major", F(faults_major), "major faults", CMP_COUNT,
	  CMP_BETTER_UNKNOWN, false },
	/* informational: see the header comment */
	{ "kernel_wpcopy_delay_ns", F(kernel_wpcopy_delay_ns), "wpcopy delay (info)",
	  CMP_TIME, CMP_BETTER_UNKNOWN, true },
	{ COW_REF_METRIC, CMP_AT_METRICS, "ref copy ns (info)", CMP_TIME,
	  CMP_BETTER_UNKNOWN, true },
};
#undef F

static unsigned metric_index(struct cmp *c, const char *name)
{
	struct cmp_metric *m;
	size_t i;

	for (i = 0; i < c->nmetrics; i++)
		if (!strcmp(c->metrics[i].name, name))
			return (unsigned)i;
	/* a scenario's own metric: continuous, direction by its name */
	c->metrics = cmp_xrealloc(c->metrics, c->nmetrics + 1, sizeof(*m));
	m = &c->metrics[c->nmetrics];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->show, sizeof(m->show), "%s", name);
	m->at = CMP_AT_METRICS;
	m->kind = CMP_TIME;
	m->better = better_by_name(name);
	m->always = true;
	return (unsigned)c->nmetrics++;
}

double cmp_sample_value(const struct cow_sample *s,
			   const struct cmp_metric *m)
{
	int64_t v;

	if (m->at == CMP_AT_NS_PER_OP)
		return s->ops ? (double)s->ns / (double)s->ops : NAN;
	if (m->at == CMP_AT_METRICS)
		return cow_sample_metric_num(s, m->name);
	v = *(const int64_t *)((const char *)s + m->at);
	return v < 0 ? NAN : (double)v;
}

size_t cmp_values(const struct cmp *c, const struct cmp_side *sd,
		  const struct cmp_metric *m, double *out)
{
	size_t i, k = 0;
	double v;

	/* a failed or skipped repetition measured nothing worth comparing */
	for (i = 0; i < sd->n; i++)
		if (sd->s[i]->verdict == COW_PASS &&
		    !isnan(v = cmp_sample_value(sd->s[i], m)))
			out[k++] = v;
	return k;
}

static void point_metric(struct cmp_point *p, unsigned mi)
{
	size_t i;

	for (i = 0; i < p->nmetrics; i++)
		if (p->metrics[i] == mi)
			return;
	p->metrics = cmp_xrealloc(p->metrics, p->nmetrics + 1, sizeof(unsigned));
	p->metrics[p->nmetrics++] = mi;
}

void cmp_build_points(struct cmp *c)
{
	size_t r, i, j, k;
	double v;

	c->nmetrics = COW_ARRAY_SIZE(builtin);
	c->metrics = cmp_xcalloc(c->nmetrics, sizeof(*c->metrics));
	memcpy(c->metrics, builtin, sizeof(builtin));
	for (r = 0; r < c->nruns; r++) {
		for (i = 0; i < c->runs[r].r.n; i++) {
			const struct cow_sample *s = &c->runs[r].r.samples[i];
			struct cmp_point *p = find_point(c, s);

			side_add(&p->side[r], s);
			if (s->verdict != COW_PASS)
				continue;
			/* the metrics this point has: builtin ones measured here */
			for (k = 0; k < COW_ARRAY_SIZE(builtin); k++)
				if (!isnan(cmp_sample_value(s, &builtin[k])))
					point_metric(p, (unsigned)k);
			for (j = 0; j < s->nmetrics; j++) {
				v = s->metrics[j].num;
				if (!s->metrics[j].is_str && !isnan(v))
					point_metric(p, metric_index(c,
						     s->metrics[j].key));
			}
		}
	}
	/* builtins in table order, then the scenario's metrics as seen */
	for (i = 0; i < c->npoints; i++) {
		struct cmp_point *p = &c->points[i];

		for (j = 1; j < p->nmetrics; j++)
			for (k = j; k > 0 && p->metrics[k - 1] > p->metrics[k]; k--) {
				unsigned t = p->metrics[k];

				p->metrics[k] = p->metrics[k - 1];
				p->metrics[k - 1] = t;
			}
	}
}

/* ---- judging ------------------------------------------------------------ */

const char *cmp_class_mark(enum cmp_class cls)
{
	switch (cls) {
	case CMP_REGRESSED:
		return "REG";
	case CMP_IMPROVED:
		return "imp";
	case CMP_SIG:
		return "*";
	default:
		return "";
	}
}

uint64_t cmp_seed(const struct cmp *c, char who, const struct cmp_point *p,
		  const struct cmp_metric *m)
{
	char w[2] = { who, 0 };

	return cow_hash_str(cow_hash_str(cow_hash_str(c->o.seed, w), p->key),
			    m->name);
}

static bool constant(const double *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] != v[0])
			return false;
	return true;
}

/* 2 / C(na + nb, na): the smallest two-sided p the exact test can give. */
static double min_p(size_t na, size_t nb)
{
	double c = 1;
	size_t i;

	for (i = 1; i <= na; i++)
		c = c * (double)(nb + i) / (double)i;
	return fmin(1.0, 2 / c);
}

static void measure(struct cmp *c, struct cmp_other *o, struct cmp_result *res,
		    const double *a, const double *b)
{
	const struct cmp_point *p = &c->points[res->point];
	const struct cmp_metric *m = &c->metrics[res->metric];
	double *ta = cmp_xcalloc(res->na, sizeof(double));
	double *tb = cmp_xcalloc(res->nb, sizeof(double));
	struct cow_mwu mw = { 0 };

	memcpy(ta, a, res->na * sizeof(double));
	memcpy(tb, b, res->nb * sizeof(double));
	res->med_a = cow_median(ta, res->na);
	res->med_b = cow_median(tb, res->nb);
	free(ta);
	free(tb);
	res->change = res->med_a != 0 ? res->med_b / res->med_a - 1 :
		      res->med_b == 0 ? 0 : NAN;
	res->shift = (res->med_b > res->med_a) - (res->med_b < res->med_a);
	res->lo = res->hi = res->p = res->q = NAN;
	if (constant(a, res->na) && constant(b, res->nb)) {
		if (m->kind == CMP_COUNT || res->med_a == res->med_b) {
			res->exact = true;
			res->cls = res->med_a == res->med_b ? CMP_SAME : CMP_DIFF;
			if (res->med_a != res->med_b)
				res->lo = res->hi = res->change;
			return;
		}
	}
	res->cls = CMP_NS;	/* until judged, once every q is known */
	if (cow_mann_whitney(a, res->na, b, res->nb, &mw) == 0) {
		res->p = mw.p;
		res->p_exact = mw.exact;
		o->ntests++;
		if (mw.p < c->o.alpha)
			o->nsig_raw++;
		if (min_p(res->na, res->nb) > c->o.alpha) {
			o->nfew++;
			o->few_min_p = o->nfew == 1 ? min_p(res->na, res->nb) :
				       fmin(o->few_min_p, min_p(res->na, res->nb));
		}
	}
	/* a count's interval of +0.0..+0.0 says nothing its medians do not */
	if (m->kind == CMP_TIME && res->med_a != 0 &&
	    !cow_boot_ratio_ci(a, res->na, b, res->nb, c->o.nboot, 0.95,
			       cmp_seed(c, c->runs[o->run].letter, p, m),
			       &res->lo, &res->hi)) {
		res->lo -= 1;
		res->hi -= 1;
	}
	/* equal medians: U (the a > b pairs) says which way the rest moved */
	if (res->med_a == res->med_b && !isnan(res->p))
		res->shift = mw.u < (double)res->na * res->nb / 2 ? 1 :
			     mw.u > (double)res->na * res->nb / 2 ? -1 : 0;
}

/*
 * "Larger than the threshold" is claimed only when the whole 95 % interval
 * of the change lies beyond it: a point estimate of +7 % whose interval
 * reaches +3 % has not shown more than 5 %, and on a shared machine that
 * is exactly the size of run-to-run drift.
 */
static enum cmp_class judge(const struct cmp *c, const struct cmp_result *res)
{
	const struct cmp_metric *m = &c->metrics[res->metric];
	bool up = res->shift > 0, down = res->shift < 0;
	double t = c->o.threshold;

	if (res->exact || m->kind == CMP_COUNT) {
		bool worse = (m->better == CMP_BETTER_LOWER && up) ||
			     (m->better == CMP_BETTER_HIGHER && down);
		bool better = (m->better == CMP_BETTER_LOWER && down) ||
			      (m->better == CMP_BETTER_HIGHER && up);

		/* a count has no threshold: one more extra copy is one too many */
		if (!res->exact && !(res->q < c->o.alpha))
			return CMP_NS;
		return worse ? CMP_REGRESSED : better ? CMP_IMPROVED :
		       res->exact ? res->cls : CMP_SIG;
	}
	if (!(res->q < c->o.alpha))
		return CMP_NS;
	if (res->lo > t)
		return m->better == CMP_BETTER_LOWER ? CMP_REGRESSED :
		       m->better == CMP_BETTER_HIGHER ? CMP_IMPROVED : CMP_SIG;
	if (res->hi < -t)
		return m->better == CMP_BETTER_LOWER ? CMP_IMPROVED :
		       m->better == CMP_BETTER_HIGHER ? CMP_REGRESSED : CMP_SIG;
	return CMP_SIG;
}

static void compare_other(struct cmp *c, struct cmp_other *o)
{
	size_t i, j, r = o->run, cap = 0;
	double *a = NULL, *b = NULL, *p, *q;

	for (i = 0; i < c->npoints; i++) {
		const struct cmp_point *pt = &c->points[i];
		const struct cmp_side *sa = &pt->side[0], *sb = &pt->side[r];

		if (!sa->n && !sb->n)
			continue;
		if (!sb->n || !sa->n) {
			size_t **l = sb->n ? &o->only_other : &o->only_base;
			size_t *n = sb->n ? &o->nonly_other : &o->nonly_base;

			*l = cmp_xrealloc(*l, *n + 1, sizeof(size_t));
			(*l)[(*n)++] = i;
			continue;
		}
		if (sa->verdict != sb->verdict) {
			struct cmp_verdict *v;

			o->ver = cmp_xrealloc(o->ver, o->nver + 1, sizeof(*v));
			v = &o->ver[o->nver++];
			v->point = i;
			v->a = sa->verdict;
			v->b = sb->verdict;
			v->cls = sb->verdict == COW_FAIL ? CMP_REGRESSED :
				 sa->verdict == COW_FAIL ? CMP_IMPROVED : CMP_DIFF;
		}
		if (sa->n > cap || sb->n > cap) {
			cap = sa->n > sb->n ? sa->n : sb->n;
			a = cmp_xrealloc(a, cap, sizeof(double));
			b = cmp_xrealloc(b, cap, sizeof(double));
		}
		for (j = 0; j < pt->nmetrics; j++) {
			const struct cmp_metric *m = &c->metrics[pt->metrics[j]];
			struct cmp_result *res;
			size_t na = cmp_values(c, sa, m, a);
			size_t nb = cmp_values(c, sb, m, b);

			if (!na && !nb)
				continue;
			o->res = cmp_xrealloc(o->res, o->nres + 1, sizeof(*res));
			res = &o->res[o->nres++];
			memset(res, 0, sizeof(*res));
			res->point = i;
			res->metric = pt->metrics[j];
			res->na = na;
			res->nb = nb;
			if (!na || !nb) {
				res->cls = CMP_NODATA;
				res->med_a = na ? cow_median(a, na) : NAN;
				res->med_b = nb ? cow_median(b, nb) : NAN;
				res->change = res->lo = res->hi = NAN;
				res->p = res->q = NAN;
				continue;
			}
			measure(c, o, res, a, b);
		}
	}
	free(a);
	free(b);

	p = cmp_xcalloc(o->nres, sizeof(double));
	q = cmp_xcalloc(o->nres, sizeof(double));
	for (i = 0; i < o->nres; i++)
		p[i] = o->res[i].p;
	if (cow_p_adjust(p, o->nres, c->o.padj, q))
		cmp_die("out of memory");
	for (i = 0; i < o->nres; i++) {
		struct cmp_result *res = &o->res[i];

		res->q = q[i];
		if (res->q < c->o.alpha)
			o->nsig_adj++;
		if (res->cls != CMP_NODATA)
			res->cls = judge(c, res);
		o->nregress += res->cls == CMP_REGRESSED;
		o->nimprove += res->cls == CMP_IMPROVED;
	}
	for (i = 0; i < o->nver; i++) {
		o->nregress += o->ver[i].cls == CMP_REGRESSED;
		o->nimprove += o->ver[i].cls == CMP_IMPROVED;
	}
	free(p);
	free(q);
}

void cmp_compare(struct cmp *c)
{
	size_t i;

	cmp_set_labels(c);
	cmp_build_points(c);
	c->others = cmp_xcalloc(c->nruns, sizeof(*c->others));
	for (i = 1; i < c->nruns; i++) {
		c->others[i - 1].run = i;
		compare_other(c, &c->others[i - 1]);
		c->nregress += c->others[i - 1].nregress;
	}
	cmp_meta_diffs(c);
	cmp_warnings(c);
}

void cmp_free(struct cmp *c)
{
	size_t i, r;

	for (r = 0; r < c->nruns; r++) {
		free(c->runs[r].path);
		cow_results_free(&c->runs[r].r);
		for (i = 0; i < c->runs[r].npool; i++) {
			free(c->runs[r].pool_paths[i]);
			free(c->runs[r].pool_hosts[i]);
			free(c->runs[r].pool_releases[i]);
		}
		free(c->runs[r].pool_paths);
		free(c->runs[r].pool_hosts);
		free(c->runs[r].pool_releases);
		free(c->runs[r].pool_of);
		free(c->cmd_options ? c->cmd_options[r] : NULL);
	}
	for (i = 0; i < c->npoints; i++) {
		for (r = 0; r < c->nruns; r++)
			free(c->points[i].side[r].s);
		free(c->points[i].side);
		free(c->points[i].metrics);
	}
	for (i = 0; c->others && i + 1 < c->nruns; i++) {
		free(c->others[i].res);
		free(c->others[i].ver);
		free(c->others[i].only_base);
		free(c->others[i].only_other);
	}
	for (i = 0; i < c->ndiffs; i++)
		free(c->diffs[i].val);
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->cmd_options);
	free(c->runs);
	free(c->points);
	free(c->metrics);
	free(c->others);
	free(c->diffs);
	free(c->warnings);
	memset(c, 0, sizeof(*c));
}

int cow_compare_main(int argc, char **argv)
{
	struct cmp c = { 0 };
	char err[512];
	size_t i, k, nargs;
	int ret;

	switch (cmp_parse_options(argc, argv, &c.o, err, sizeof(err))) {
	case 1:
		help();
		return COW_EXIT_OK;
	case -1:
		cmp_die("%s", err);
	}
	/* --base, then --other in order, then the arguments */
	nargs = (size_t)(argc - optind);
	c.nruns = (c.o.base ? 1 : 0) + c.o.nothers + nargs;
	if (c.o.nothers && !c.o.base && !nargs)
		cmp_die("--other needs a baseline: --base RUNS or a first argument (try --help)");
	if (c.nruns < 1 || (c.nruns < 2 && !c.o.data_dir))
		cmp_die("needs a baseline and at least one other run (try --help)");
	if (c.nruns > CMP_MAX_RUNS)
		cmp_die("at most %d runs", CMP_MAX_RUNS);
	c.runs = cmp_xcalloc(c.nruns, sizeof(*c.runs));
	k = 0;
	if (c.o.base)
		c.runs[k++].arg = c.o.base;
	else
		c.runs[k++].arg = argv[optind++];
	for (i = 0; i < c.o.nothers; i++)
		c.runs[k++].arg = c.o.others[i];
	while (optind < argc)
		c.runs[k++].arg = argv[optind++];
	for (i = 0; i < c.nruns; i++) {
		c.runs[i].letter = (char)('A' + i);
		cmp_load_run(&c.runs[i]);
	}
	cmp_compare(&c);
	if (c.o.data_dir && cmp_write_data(&c, c.o.data_dir)) {
		cmp_free(&c);
		return COW_EXIT_USAGE;
	}
	cmp_report(stdout, &c);
	if (fflush(stdout) || ferror(stdout))
		cmp_die("writing the report: %s", strerror(errno));
	/* comparing nothing is no pass: a job must not go green on it */
	for (i = 1; i < c.nruns; i++)
		if (!c.others[i - 1].nres && !c.others[i - 1].nver)
			cmp_die("%s: no scenario in common with %s: nothing to compare",
			    c.runs[i].path, c.runs[0].path);
	ret = c.nregress ? COW_EXIT_FAIL : COW_EXIT_OK;
	cmp_free(&c);
	return ret;
}
