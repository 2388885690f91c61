// SPDX-License-Identifier: GPL-2.0-only
/*
 * export.c - `cowbench export --format FMT RESULTS...`: the results of one
 * or more runs (pooled per point, as compare pools a side) in the format
 * a kernel lab's engine reads, to stdout or --out FILE.
 *
 * Per point (scenario + params, matched as compare matches them) every
 * format gets the verdict (FAIL over PASS over SKIP: one failing
 * repetition fails the point), the median ns/op and the median of each
 * exact count (copied, required, extra, missing, the kernel's wpcopy),
 * then the scenario's own figures.  The medians are over the passing
 * repetitions, as compare takes them; a point none of whose repetitions
 * passed shows those of its failing ones, which are what a FAIL on
 * counts rests on.  A figure no repetition measured is left out, never
 * written as 0: a 0 says "none", which a null does not.
 *
 * Input is checked before a byte is written: a file the reader refuses,
 * a partial run, runs that may not be pooled, an empty run or options a
 * format needs are one line on stderr and exit 2, and --out is then not
 * created (it is written to a temporary file renamed at the end, so a
 * reader never sees half of it either).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export-int.h"

static const char *prog = "cowbench export";

static const struct exp_format *const formats[] = {
	&exp_lkp, &exp_lava, &exp_ktap, &exp_kcidb, &exp_mmtests,
};

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cow_vdie(prog, "", fmt, ap);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size);
	if (!p)
		die("out of memory");
	return p;
}

static void help(void)
{
	size_t i;

	printf("Usage: cowbench export --format FMT [OPTION]... RESULTS...\n"
"Write cowbench results in the format a kernel lab's engine reads.  RESULTS\n"
"is a results directory or its results.json; several are pooled per point\n"
"(they must share the tool version and the knobs).\n"
"\n"
"  -f, --format FMT       one of the formats below (required)\n"
"  -o, --out FILE         write FILE (whole or not at all), not stdout\n"
"      --origin O         kcidb: the submitting CI system ([a-z0-9_]+)\n"
"      --build-id ID      kcidb: the build tested (O:... or made so)\n"
"      --checkout-id ID   kcidb: its checkout; adds the checkout and build\n"
"  -h, --help             this text\n"
"\n"
"Per point (scenario and params): the verdict, the median ns/op, the\n"
"medians of the exact counts (pages_copied, pages_required, extra_copies,\n"
"copies_missing, kernel_wpcopy) and the scenario's figures, over the\n"
"passing repetitions (over the failing ones when none passed).  A figure\n"
"not measured is left out, never written as 0.  A point's name is its\n"
"scenario and params joined by dots, of [A-Za-z0-9_-] between them.\n"
"\n"
"Formats:\n");
	for (i = 0; i < COW_ARRAY_SIZE(formats); i++)
		printf("  %-9s %s\n            %s\n", formats[i]->name,
		       formats[i]->help, formats[i]->rules);
	printf("\n"
"Exit status: 0 written; for ktap, as kselftest: 0 no point failed, 1 a\n"
"point failed, 4 every point skipped; 2 error (bad or partial input, a\n"
"missing option; nothing written).\n");
}

/* ---- small helpers for the formats ------------------------------------ */

const char *exp_num(double v, char *buf, size_t len)
{
	size_t n;
	int prec;

	if (v == floor(v)) {
		/* "-0" is no count */
		snprintf(buf, len, "%.0f", v == 0 ? 0.0 : v);
		return buf;
	}
	/* 9 significant decimals at least: 1e-12 is not "0.0" */
	prec = 9;
	if (fabs(v) < 1)
		prec += (int)ceil(-log10(fabs(v)));
	snprintf(buf, len, "%.*f", prec < 340 ? prec : 340, v);
	if (!strchr(buf, '.'))
		return buf;
	n = strlen(buf);
	while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
	return buf;
}

void exp_text(char *dst, size_t len, const char *s)
{
	size_t i;

	snprintf(dst, len, "%s", s ? s : "");
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < ' ' || dst[i] == 0x7f ||
		    dst[i] == '#' || dst[i] == '\\')
			dst[i] = ' ';
}

static bool taken(const struct exp *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nnames; i++)
		if (!strcmp(e->names[i], name))
			return true;
	return false;
}

const char *exp_unique(struct exp *e, const char *base, size_t max)
{
	char buf[1024], suffix[24];
	size_t n = strlen(base), stem;
	unsigned k;
	char *copy;

	snprintf(buf, sizeof(buf), "%s", base);
	if (max && n > max) {
		/* cut, and keep names that differ past the cut apart */
		snprintf(buf, sizeof(buf), "%.*s-%08x", (int)(max - 9), base,
			 (unsigned)cow_hash_str(0, base));
	}
	for (k = 2; taken(e, buf); k++) {
		snprintf(suffix, sizeof(suffix), "-%u", k);
		stem = strlen(base);
		if (max && stem + strlen(suffix) > max)
			stem = max - strlen(suffix);
		snprintf(buf, sizeof(buf), "%.*s%s", (int)stem, base, suffix);
	}
	copy = strdup(buf);
	if (!copy)
		die("out of memory");
	e->names = xrealloc(e->names, e->nnames + 1, sizeof(char *));
	e->names[e->nnames++] = copy;
	return copy;
}

void exp_forget_names(struct exp *e)
{
	size_t i;

	for (i = 0; i < e->nnames; i++)
		free(e->names[i]);
	free(e->names);
	e->names = NULL;
	e->nnames = 0;
}

const char *exp_meta(const struct exp *e, const char *key)
{
	const char *v;
	size_t i;

	for (i = 0; i < e->nruns; i++)
		if ((v = cow_results_meta(&e->runs[i].r, key)))
			return v;
	return NULL;
}

uint64_t exp_runs_hash(const struct exp *e)
{
	static const char *const keys[] = { "hostname", "start", "tool_version" };
	uint64_t h = 0;
	const char *v;
	size_t i, k;

	for (i = 0; i < e->nruns; i++)
		for (k = 0; k < COW_ARRAY_SIZE(keys); k++) {
			v = cow_results_meta(&e->runs[i].r, keys[k]);
			h = cow_hash_str(h, v ? v : "");
		}
	return h;
}

const struct exp_value *exp_builtin(const struct exp_point *p,
				    enum exp_builtin b)
{
	static const char *const names[] = {
		[EXP_NS_PER_OP] = "ns_per_op", [EXP_PAGES_COPIED] = "pages_copied",
		[EXP_PAGES_REQUIRED] = "pages_required",
		[EXP_EXTRA_COPIES] = "extra_copies",
		[EXP_COPIES_MISSING] = "copies_missing",
		[EXP_KERNEL_WPCOPY] = "kernel_wpcopy",
	};
	size_t i;

	/* the builtins come first, in enum order, each at most once */
	for (i = 0; i < p->nval && i < EXP_NBUILTIN; i++)
		if (!strcmp(p->val[i].name, names[b]))
			return &p->val[i];
	return NULL;
}

/* ---- options and input ------------------------------------------------- */

static const struct option long_options[] = {
	{ "build-id",	 required_argument,	NULL, 'B' },
	{ "checkout-id", required_argument,	NULL, 'C' },
	{ "format",	 required_argument,	NULL, 'f' },
	{ "help",	 no_argument,		NULL, 'h' },
	{ "origin",	 required_argument,	NULL, 'O' },
	{ "out",	 required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

/*
 * --format's words, made from formats[] so that a format's name is
 * written once and the errors list exactly the formats there are.
 */
static void format_words(struct cow_word *w)
{
	size_t i;

	for (i = 0; i < COW_ARRAY_SIZE(formats); i++)
		w[i] = (struct cow_word){ formats[i]->name, (int)i };
	w[i] = (struct cow_word){ NULL, 0 };
}

/* 0, 1 for --help, or -1 with a one-line err. */
static int parse_options(int argc, char **argv, struct exp_opts *o,
			 char *err, size_t elen)
{
	struct cow_word words[COW_ARRAY_SIZE(formats) + 1];
	char list[128];
	int ch, w;

	format_words(words);
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:ho:", long_options,
				 NULL)) != -1) {
		switch (ch) {
		case 'B':
			o->build_id = optarg;
			break;
		case 'C':
			o->checkout_id = optarg;
			break;
		case 'f':
			if (cow_parse_word(words, "format", optarg,
					   " (try --help)", &w, err, elen))
				return -1;
			o->fmt = formats[w];
			break;
		case 'h':
			return 1;
		case 'O':
			o->origin = optarg;
			break;
		case 'o':
			if (!*optarg)
				return cow_errf(err, elen, "--out: an empty file name");
			o->out = optarg;
			break;
		default:
			return cow_errf(err, elen, "unknown option or missing value in '%s' (try --help)",
					argv[optind - 1]);
		}
	}
	if (!o->fmt)
		return cow_errf(err, elen, "--format is required: %s (try --help)",
				cow_word_list(words, list, sizeof(list)));
	return 0;
}

static void load_run(struct exp_run *run)
{
	char err[512];
	struct stat st;

	if (stat(run->arg, &st))
		die("%s: %s", run->arg, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (asprintf(&run->path, "%s/results.json", run->arg) < 0)
			die("out of memory");
		if (stat(run->path, &st))
			die("%s: no results.json in this directory", run->arg);
	} else {
		run->path = strdup(run->arg);
		if (!run->path)
			die("out of memory");
	}
	if (cow_results_read(run->path, &run->r, err, sizeof(err)))
		die("%s", err);
}

/*
 * What a lab would take for the whole run must be the whole run: a run
 * that was interrupted (meta.partial) lacks points without saying which,
 * and an export of it would pass what was never measured.  compare only
 * warns, because its reader sees the warning; an engine would not.
 */
static int check_runs(const struct exp *e, char *err, size_t elen)
{
	size_t i;

	for (i = 0; i < e->nruns; i++) {
		if (e->runs[i].r.partial)
			return cow_errf(err, elen, "%s: a partial run (interrupted, meta.partial): its points are not all there",
					e->runs[i].path);
		if (!e->runs[i].r.n)
			return cow_errf(err, elen, "%s: no samples: nothing to export",
					e->runs[i].path);
		if (i && cow_results_poolable(&e->runs[0].r, e->runs[0].path,
					      &e->runs[i].r, e->runs[i].path,
					      err, elen))
			return -1;
	}
	return 0;
}

int exp_check(struct exp *e, char *err, size_t elen)
{
	if (check_runs(e, err, elen))
		return -1;
	return e->o.fmt->check ? e->o.fmt->check(e, err, elen) : 0;
}

/* ---- points -------------------------------------------------------------- */

struct pt_samples {
	const struct cow_sample **s;
	size_t n;
};

static int kv_by_key(const void *a, const void *b)
{
	return strcmp((*(const struct cow_kv *const *)a)->key,
		      (*(const struct cow_kv *const *)b)->key);
}

static size_t sorted_params(const struct cow_sample *s,
			    const struct cow_kv **kv)
{
	size_t i;

	for (i = 0; i < s->nparams; i++)
		kv[i] = &s->params[i];
	qsort(kv, s->nparams, sizeof(kv[0]), kv_by_key);
	return s->nparams;
}

/* As compare keys a point: scenario|k=v;k=v, keys sorted. */
static void point_key(const struct cow_sample *s, char *buf, size_t len)
{
	const struct cow_kv *kv[COW_MAX_PARAMS];
	size_t n = sorted_params(s, kv), i, off;

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

/* Append component c to name, its bytes outside [A-Za-z0-9_-] as '_'. */
static void add_component(char *name, size_t len, const char *c)
{
	size_t off = strlen(name), i;

	if (off && off + 1 < len)
		name[off++] = '.';
	if (!*c)
		c = "_";
	for (i = 0; c[i] && off + 1 < len; i++) {
		unsigned char ch = (unsigned char)c[i];

		name[off++] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ?
			      (char)ch : '_';
	}
	name[off] = '\0';
}

void exp_component(char *dst, size_t len, const char *s)
{
	dst[0] = '\0';
	add_component(dst, len, s);
}

static void point_name(const struct cow_sample *s, char *name, size_t len)
{
	const struct cow_kv *kv[COW_MAX_PARAMS];
	size_t n = sorted_params(s, kv), i;
	char comp[COW_NAME_LEN + 64], sz[32], *tok, *save = NULL;
	char scen[COW_NAME_LEN];

	name[0] = '\0';
	snprintf(scen, sizeof(scen), "%s", s->scenario);
	/* the scenario's dots are the tree's: fork.child-write */
	for (tok = strtok_r(scen, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		add_component(name, len, tok);
	if (!name[0])
		add_component(name, len, "_");
	for (i = 0; i < n; i++) {
		const struct cow_kv *p = kv[i];

		/* a size as 64M, a word as itself, any other number as k-v */
		if (!strcmp(p->key, "size") && !p->is_str && p->num >= 0 &&
		    p->num < 0x1p64 && p->num == floor(p->num))
			snprintf(comp, sizeof(comp), "%s",
				 cow_size_str((uint64_t)p->num, sz, sizeof(sz)));
		else if (p->is_str)
			snprintf(comp, sizeof(comp), "%s", p->str);
		else
			snprintf(comp, sizeof(comp), "%s-%g", p->key, p->num);
		add_component(name, len, comp);
	}
}

static struct exp_point *find_point(struct exp *e, struct pt_samples **ps,
				    const struct cow_sample *s)
{
	struct exp_point *p;
	char key[256];
	size_t i;

	point_key(s, key, sizeof(key));
	for (i = 0; i < e->npoints; i++)
		if (!strcmp(e->points[i].key, key))
			return &e->points[i];
	e->points = xrealloc(e->points, e->npoints + 1, sizeof(*p));
	*ps = xrealloc(*ps, e->npoints + 1, sizeof(**ps));
	memset(&(*ps)[e->npoints], 0, sizeof(**ps));
	p = &e->points[e->npoints++];
	memset(p, 0, sizeof(*p));
	snprintf(p->key, sizeof(p->key), "%s", key);
	snprintf(p->scenario, sizeof(p->scenario), "%s", s->scenario);
	point_name(s, p->name, sizeof(p->name));
	return p;
}

static void add_sample(struct exp_point *p, struct pt_samples *ps,
		       const struct cow_sample *s)
{
	ps->s = xrealloc(ps->s, ps->n + 1, sizeof(*ps->s));
	ps->s[ps->n++] = s;
	p->nsamples++;
	p->npass += s->verdict == COW_PASS;
	/* FAIL over PASS over SKIP, as compare summarises a side */
	if (ps->n == 1 || s->verdict == COW_FAIL ||
	    (s->verdict == COW_PASS && p->verdict == COW_SKIP)) {
		if (ps->n == 1 || p->verdict != s->verdict)
			p->reason = s->reason;
		p->verdict = s->verdict;
	}
}

static const struct {
	const char *name;
	size_t off;		/* of an int64 count; ns/op when name is it */
	const char *unit;
} builtins[EXP_NBUILTIN] = {
	[EXP_NS_PER_OP] = { "ns_per_op", 0, "ns" },
	[EXP_PAGES_COPIED] = { "pages_copied",
			       offsetof(struct cow_sample, pages_copied), "pages" },
	[EXP_PAGES_REQUIRED] = { "pages_required",
				 offsetof(struct cow_sample, pages_required), "pages" },
	[EXP_EXTRA_COPIES] = { "extra_copies",
			       offsetof(struct cow_sample, extra_copies), "pages" },
	[EXP_COPIES_MISSING] = { "copies_missing",
				 offsetof(struct cow_sample, copies_missing), "pages" },
	[EXP_KERNEL_WPCOPY] = { "kernel_wpcopy",
				offsetof(struct cow_sample, kernel_wpcopy), "pages" },
};

/* A sample's value of figure name (builtin b, or b < 0: a metric). */
static double sample_value(const struct cow_sample *s, int b, const char *name)
{
	int64_t v;
	double m;

	if (b == EXP_NS_PER_OP)
		return s->ops ? (double)s->ns / (double)s->ops : NAN;
	if (b >= 0) {
		v = *(const int64_t *)((const char *)s + builtins[b].off);
		return v < 0 ? NAN : (double)v;
	}
	m = cow_sample_metric_num(s, name);
	return isfinite(m) ? m : NAN;
}

/* A unit a scenario's figure says by its name, as compare reads direction. */
static const char *metric_unit(const char *name)
{
	static const struct { const char *suffix, *unit; } units[] = {
		{ "_ns", "ns" }, { "_us", "us" }, { "_ms", "ms" },
		{ "_MBps", "MB/s" }, { "_per_sec", "1/s" }, { "_pages", "pages" },
		{ "_copies", "pages" },
	};
	size_t len = strlen(name), i, l;

	for (i = 0; i < COW_ARRAY_SIZE(units); i++) {
		l = strlen(units[i].suffix);
		if (len > l && !strcmp(name + len - l, units[i].suffix))
			return units[i].unit;
	}
	return NULL;
}

/* The median of figure (b, name) over the samples that count, if any. */
static void add_value(struct exp_point *p, const struct pt_samples *ps,
		      int b, const char *name, double *buf)
{
	/* the passing repetitions; the failing ones where none passed */
	enum cow_verdict from = p->npass ? COW_PASS : COW_FAIL;
	struct exp_value *val;
	size_t i, n = 0;
	double v;

	for (i = 0; i < ps->n; i++)
		if (ps->s[i]->verdict == from &&
		    !isnan(v = sample_value(ps->s[i], b, name)))
			buf[n++] = v;
	if (!n)
		return;
	p->val = xrealloc(p->val, p->nval + 1, sizeof(*p->val));
	val = &p->val[p->nval++];
	memset(val, 0, sizeof(*val));
	snprintf(val->name, sizeof(val->name), "%s", name);
	val->v = cow_median(buf, n);
	val->unit = b >= 0 ? builtins[b].unit : metric_unit(name);
}

static bool has_value(const struct exp_point *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nval; i++)
		if (!strcmp(p->val[i].name, name))
			return true;
	return false;
}

void exp_build(struct exp *e)
{
	struct pt_samples *ps = NULL;
	size_t r, i, j, m, cap = 0;
	double *buf = NULL;
	int b;

	for (r = 0; r < e->nruns; r++)
		for (i = 0; i < e->runs[r].r.n; i++) {
			const struct cow_sample *s = &e->runs[r].r.samples[i];
			struct exp_point *p = find_point(e, &ps, s);

			add_sample(p, &ps[p - e->points], s);
		}
	for (i = 0; i < e->npoints; i++) {
		struct exp_point *p = &e->points[i];

		if (ps[i].n > cap) {
			cap = ps[i].n;
			buf = xrealloc(buf, cap, sizeof(double));
		}
		/* a skip measured nothing: its figures are not a measurement */
		if (p->verdict != COW_SKIP) {
			for (b = 0; b < EXP_NBUILTIN; b++)
				add_value(p, &ps[i], b, builtins[b].name, buf);
			/* the scenario's figures, in the order first seen */
			for (j = 0; j < ps[i].n; j++)
				for (m = 0; m < ps[i].s[j]->nmetrics; m++) {
					const char *k = ps[i].s[j]->metrics[m].key;

					if (!has_value(p, k))
						add_value(p, &ps[i], -1, k, buf);
				}
		}
		free(ps[i].s);
	}
	free(ps);
	free(buf);
	/* distinct names: points whose params differ only in bytes cut */
	for (i = 0; i < e->npoints; i++)
		snprintf(e->points[i].name, sizeof(e->points[i].name), "%s",
			 exp_unique(e, e->points[i].name, 0));
	exp_forget_names(e);
}

/* ---- writing ---------------------------------------------------------- */

int exp_write(struct exp *e, FILE *f, int *status, char *err, size_t elen)
{
	const struct exp_format *fmt = e->o.fmt;
	size_t i;

	*status = COW_EXIT_OK;
	exp_forget_names(e);
	errno = 0;
	/* a hook fails only where a write did: say what the system said */
	if (fmt->begin && fmt->begin(e, f))
		goto fail;
	for (i = 0; i < e->npoints; i++)
		if (fmt->point(e, f, &e->points[i]))
			goto fail;
	if (fmt->end && fmt->end(e, f, status))
		goto fail;
	if (!fflush(f) && !ferror(f))
		return 0;
fail:
	return cow_errf(err, elen, "writing: %s", strerror(errno ? errno : EIO));
}

void exp_free(struct exp *e)
{
	size_t i;

	for (i = 0; i < e->nruns; i++) {
		free(e->runs[i].path);
		cow_results_free(&e->runs[i].r);
	}
	for (i = 0; i < e->npoints; i++)
		free(e->points[i].val);
	exp_forget_names(e);
	free(e->runs);
	free(e->points);
	free(e->checkout_id);
	free(e->build_id);
	memset(e, 0, sizeof(*e));
}

/* The file a temporary --out is renamed onto: --out, or where it links. */
static char *tmp_target;

/*
 * --out: a regular file (or none yet) is written whole or not at all, as
 * a temporary file beside it renamed onto it at the end, through a
 * symbolic link to where it points; anything else (/dev/stdout, a FIFO)
 * is written to as it is, since renaming onto it would replace it.
 */
static FILE *open_out(const char *out, char **tmp)
{
	struct stat st;
	FILE *f;
	int fd, en;

	if (!stat(out, &st) && !S_ISREG(st.st_mode)) {
		f = fopen(out, "we");
		if (!f)
			die("%s: %s", out, strerror(errno));
		return f;
	}
	tmp_target = realpath(out, NULL);
	if (!tmp_target && !(tmp_target = strdup(out)))
		die("out of memory");
	if (asprintf(tmp, "%s.tmp.XXXXXX", tmp_target) < 0)
		die("out of memory");
	fd = mkstemp(*tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		en = errno;
		if (fd >= 0) {
			close(fd);
			unlink(*tmp);
		}
		die("%s: %s", out, strerror(en));
	}
	return f;
}

/* Everything after the options: read, check, pool, write.  Exit status. */
static int export_runs(struct exp *e, char **args, size_t nargs)
{
	char err[768], *tmp = NULL;
	FILE *f = stdout;
	int status;
	size_t i;

	if (!nargs)
		die("needs at least one results directory (try --help)");
	e->nruns = nargs;
	e->runs = xcalloc(nargs, sizeof(*e->runs));
	for (i = 0; i < nargs; i++) {
		e->runs[i].arg = args[i];
		load_run(&e->runs[i]);
	}
	if (exp_check(e, err, sizeof(err)))
		die("%s", err);
	exp_build(e);
	if (e->o.out)
		f = open_out(e->o.out, &tmp);
	errno = 0;
	if (exp_write(e, f, &status, err, sizeof(err))) {
		if (tmp) {
			fclose(f);
			unlink(tmp);
		}
		die("%s%s%s", e->o.out ? e->o.out : "", e->o.out ? ": " : "", err);
	}
	if (tmp) {
		/* a file for others to read, as any output cowbench writes */
		if (fchmod(fileno(f), 0644) || fclose(f) || rename(tmp, tmp_target)) {
			int en = errno;

			unlink(tmp);
			die("%s: %s", e->o.out, strerror(en));
		}
		free(tmp);
		free(tmp_target);
		tmp_target = NULL;
	} else if (f != stdout && fclose(f)) {
		die("%s: %s", e->o.out, strerror(errno));
	}
	return status;
}

int cow_export_main(int argc, char **argv)
{
	struct exp e = { 0 };
	char err[512];
	int ret;

	switch (parse_options(argc, argv, &e.o, err, sizeof(err))) {
	case 1:
		help();
		return COW_EXIT_OK;
	case -1:
		die("%s", err);
	}
	ret = export_runs(&e, argv + optind, (size_t)(argc - optind));
	exp_free(&e);
	return ret;
}
