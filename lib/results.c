// SPDX-License-Identifier: GPL-2.0-only
/*
 * results.c - samples, and the results.json / samples.tsv they end up in.
 *
 * results.json is the interface every other tool reads, so it is written
 * with json-c and always replaced atomically; samples.tsv is a flat view
 * of the same samples for gnuplot.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cow.h"
#include "results-int.h"

/*
 * The meta object built by cow_results_collect_meta() (meta.c).  It is
 * kept here rather than in struct cow_results so that cow.h does not
 * depend on json-c; the price is one results set with meta per process,
 * which is all cowbench has (tests may make more: they get the last
 * collected meta).  Declared here as cow.h has no json-c types.
 */

static struct json_object *meta_obj;
static const struct cow_results *meta_owner;

void cow_results_meta_set(const struct cow_results *r, struct json_object *m)
{
	json_object_put(meta_obj);
	meta_obj = m;
	meta_owner = r;
}

/* ---- samples ------------------------------------------------------------ */

void cow_sample_init(struct cow_sample *s, const char *scenario)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	copy_str(s->scenario, sizeof(s->scenario), scenario);
	for (i = 0; i < COW_ARRAY_SIZE(i64_fields); i++)
		*i64_at(s, i) = -1;
	for (i = 0; i < COW_VMSTAT_MAX; i++)
		s->vmstat[i] = -1;
	for (i = 0; i < COW_MAX_EVENTS; i++)
		s->events[i] = -1;
	s->verdict = COW_PASS;
}

/*
 * Setting a key twice updates it: a JSON object cannot hold the same key
 * twice, and keeping both would make the TSV and the JSON disagree.
 */
static struct cow_kv *kv_slot(struct cow_kv *kv, unsigned *n, unsigned max,
			      const char *key)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (!strncmp(kv[i].key, key, sizeof(kv[i].key) - 1))
			return &kv[i];
	if (*n >= max)
		return NULL;
	memset(&kv[*n], 0, sizeof(kv[*n]));
	copy_str(kv[*n].key, sizeof(kv[*n].key), key);
	return &kv[(*n)++];
}

void cow_sample_param_num(struct cow_sample *s, const char *key, double v)
{
	struct cow_kv *kv = kv_slot(s->params, &s->nparams, COW_MAX_PARAMS, key);

	if (kv) {
		kv->is_str = false;
		kv->str[0] = '\0';
		kv->num = v;
	}
}

void cow_sample_param_str(struct cow_sample *s, const char *key, const char *v)
{
	struct cow_kv *kv = kv_slot(s->params, &s->nparams, COW_MAX_PARAMS, key);

	if (kv) {
		kv->is_str = true;
		copy_str(kv->str, sizeof(kv->str), v);
		kv->num = 0;
	}
}

double cow_sample_metric_num(const struct cow_sample *s, const char *key)
{
	unsigned i;

	for (i = 0; i < s->nmetrics; i++)
		if (!strcmp(s->metrics[i].key, key))
			return s->metrics[i].is_str ? NAN : s->metrics[i].num;
	return NAN;
}

void cow_sample_metric(struct cow_sample *s, const char *key, double v)
{
	struct cow_kv *kv = kv_slot(s->metrics, &s->nmetrics, COW_MAX_METRICS,
				    key);

	if (kv) {
		kv->is_str = false;
		kv->num = v;
	}
}

/*
 * Verdicts only get worse (PASS < SKIP < FAIL), and at equal severity the
 * first reason stays: the first thing that went wrong is the cause, later
 * ones are usually its consequences.
 */
static bool verdict_set(struct cow_sample *s, enum cow_verdict v,
			const char *fmt, va_list ap)
{
	if (v < s->verdict || (v == s->verdict && s->reason[0]))
		return false;
	s->verdict = v;
	s->evidence = COW_EV_NONE;
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	return true;
}

void cow_sample_verdict(struct cow_sample *s, enum cow_verdict v,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verdict_set(s, v, fmt, ap);
	va_end(ap);
}

/* The evidence goes with the reason: both are the first FAIL's. */
void cow_sample_fail(struct cow_sample *s, enum cow_evidence ev,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (verdict_set(s, COW_FAIL, fmt, ap))
		s->evidence = ev;
	va_end(ap);
}

static const char *const evidence_names[COW_EV_N] = {
	[COW_EV_DATA] = "data",
	[COW_EV_COUNTS] = "counts",
	[COW_EV_INSTRUMENT] = "instrument",
	[COW_EV_KERNEL_LOG] = "kernel_log",
	[COW_EV_HARNESS] = "harness",
};

const char *cow_evidence_name(enum cow_evidence e)
{
	return (unsigned)e < COW_EV_N ? evidence_names[e] : NULL;
}

/* ---- the results set ---------------------------------------------------- */

int cow_results_add(struct cow_results *r, const struct cow_sample *s)
{
	return cow_results_insert(r, r->n, s);
}

int cow_results_insert(struct cow_results *r, size_t pos,
		       const struct cow_sample *s)
{
	if (pos > r->n) {
		errno = EINVAL;
		return -1;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct cow_sample *p;

		p = reallocarray(r->samples, cap, sizeof(*p));
		if (!p)
			return -1;
		r->samples = p;
		r->cap = cap;
	}
	memmove(&r->samples[pos + 1], &r->samples[pos],
		(r->n - pos) * sizeof(*r->samples));
	r->samples[pos] = *s;
	r->n++;
	return 0;
}

void cow_results_free(struct cow_results *r)
{
	if (meta_owner == r)
		cow_results_meta_set(NULL, NULL);
	free(r->samples);
	free(r->command_line);
	free_meta_kv(r->meta, r->nmeta);
	memset(r, 0, sizeof(*r));
}

const char *cow_results_meta(const struct cow_results *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nmeta; i++)
		if (!strcmp(r->meta[i].key, key))
			return r->meta[i].val;
	return NULL;
}


static unsigned nevents(void)
{
	unsigned n = cow_events_count();

	return n < COW_MAX_EVENTS ? n : COW_MAX_EVENTS;
}

/* Shortest of %.15g..%.17g that reads back as the same double. */
static void fmt_double(char *buf, size_t len, double v)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
}

/* Integral values as JSON integers: "size": 4096 rather than 4096.0. */
static struct json_object *jnum(double v)
{
	char buf[40];

	if (!isfinite(v))
		return NULL;	/* JSON has no NaN: null */
	if (v == trunc(v) && fabs(v) < 9007199254740992.0)
		return json_object_new_int64((int64_t)v);
	fmt_double(buf, sizeof(buf), v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *jint(int64_t v)
{
	return v == -1 ? NULL : json_object_new_int64(v);
}

static struct json_object *jstr_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *jkv(const struct cow_kv *kv, unsigned n)
{
	struct json_object *o = json_object_new_object();
	unsigned i;

	for (i = 0; i < n; i++)
		add(o, kv[i].key, kv[i].is_str ? json_object_new_string(kv[i].str)
					       : jnum(kv[i].num));
	return o;
}

/* The point's repetitions and wall time (see doc/results.md); null while
 * the point is in progress. */
static struct json_object *point_json(const struct cow_point_info *p)
{
	struct json_object *o, *t, *ci = NULL;

	if (!p->set)
		return NULL;
	o = json_object_new_object();
	add(o, "reps", json_object_new_int64(p->reps));
	add(o, "timed", json_object_new_int64(p->timed));
	add(o, "precision_target", p->target > 0 ? jnum(p->target) : NULL);
	if (isfinite(p->ci_lo) && isfinite(p->ci_hi)) {
		ci = json_object_new_array();
		json_object_array_add(ci, jnum(p->ci_lo));
		json_object_array_add(ci, jnum(p->ci_hi));
	}
	add(o, "interval", ci);
	add(o, "interval_rel", jnum(p->rel));
	add(o, "met", p->target > 0 ? json_object_new_boolean(p->met) : NULL);
	add(o, "stop", json_object_new_string(cow_stop_name(p->stop)));
	add(o, "visits", json_object_new_int64(p->visits));
	t = json_object_new_object();
	add(t, "wall", json_object_new_uint64(p->wall_ns));
	add(t, "setup", json_object_new_uint64(p->setup_ns));
	add(t, "measured", json_object_new_uint64(p->measured_ns));
	add(t, "checks", json_object_new_uint64(p->checks_ns));
	add(o, "time_ns", t);
	return o;
}

static struct json_object *sample_json(const struct cow_sample *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *vm, *ev, *npo = NULL;
	unsigned i;

	add(o, "scenario", json_object_new_string(s->scenario));
	add(o, "params", jkv(s->params, s->nparams));
	add(o, "rep", json_object_new_int64(s->rep));
	add(o, "ns", json_object_new_uint64(s->ns));
	add(o, "ops", json_object_new_uint64(s->ops));
	if (s->ops) {
		double v = (double)s->ns / (double)s->ops;
		char buf[48];

		fmt_double(buf, sizeof(buf), v);
		/* a double even when integral: one type for readers */
		if (!strpbrk(buf, ".eEn"))
			strcat(buf, ".0");
		npo = json_object_new_double_s(v, buf);
	}
	add(o, "ns_per_op", npo);
	for (i = 0; i < COW_ARRAY_SIZE(i64_fields); i++)
		add(o, i64_fields[i].name, jint(*i64_at(s, i)));
	add(o, "kernel_wpcopy_reason", s->kernel_wpcopy >= 0 ? NULL :
	    json_object_new_string(s->kernel_wpcopy_reason));

	vm = json_object_new_object();
	for (i = 0; i < nvmstat(); i++)
		add(vm, cow_vmstat_keys[i], jint(s->vmstat[i]));
	add(o, "vmstat", vm);
	ev = json_object_new_object();
	for (i = 0; i < nevents(); i++)
		add(ev, cow_event_info(i)->name, jint(s->events[i]));
	add(o, "events", ev);

	add(o, "metrics", jkv(s->metrics, s->nmetrics));
	add(o, "verdict", json_object_new_string(cow_verdict_name(s->verdict)));
	add(o, "reason", json_object_new_string(s->reason));
	add(o, "evidence", s->verdict == COW_FAIL ?
	    jstr_or_null(cow_evidence_name(s->evidence)) : NULL);
	add(o, "kernel_log", jstr_or_null(s->kernel_log));
	add(o, "point", point_json(&s->point));
	return o;
}

/* One state string an instrument: "ok", "unreliable: <why>"... */
static struct json_object *instruments_json(const struct cow_selfcheck *sc)
{
	struct json_object *o = json_object_new_object();
	char buf[160];
	unsigned i;

	for (i = 0; i < COW_INSTR_N; i++) {
		cow_instr_describe(&sc->c[i], buf, sizeof(buf));
		add(o, cow_instr_name(i), json_object_new_string(buf));
	}
	return o;
}

/*
 * The collected meta with what changes during the run taken from r.  An
 * end not set yet is the time of this write: results are rewritten after
 * every sample, and a partial file then says how far the run got.
 */
static struct json_object *meta_json(const struct cow_results *r)
{
	struct json_object *m = json_object_new_object();
	char now[32];
	struct tm tm;
	time_t t = time(NULL);

	if (meta_obj) {
		json_object_object_foreach(meta_obj, key, val)
			add(m, key, json_object_get(val));
	} else {
#ifdef PACKAGE_VERSION
		add(m, "tool_version", json_object_new_string(PACKAGE_VERSION));
#endif
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	add(m, "command_line", jstr_or_null(r->command_line));
	add(m, "start", jstr_or_null(r->start));
	add(m, "end", json_object_new_string(r->end[0] ? r->end : now));
	add(m, "partial", json_object_new_boolean(r->partial));
	if (r->kernel_log[0])
		add(m, "kernel_log", json_object_new_string(r->kernel_log));
	if (r->instruments && r->instruments->ran) {
		add(m, "instruments", instruments_json(r->instruments));
		add(m, "instruments_check_us",
		    json_object_new_int64((int64_t)(r->instruments->ns / 1000)));
	}
	return m;
}

/* ---- writing ------------------------------------------------------------ */

/* fn(prefix) for each of dir's prefixes ending at a '/', then dir itself. */
static int each_prefix(const char *dir, int (*fn)(const char *prefix))
{
	char *p, *path;
	int ret = 0;

	if (!*dir) {
		errno = ENOENT;
		return -1;
	}
	path = strdup(dir);
	if (!path)
		return -1;
	for (p = path + 1; ; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		ret = fn(path);
		*p = c;
		if (ret || !c)
			break;
	}
	free(path);
	return ret;
}

static int mkdir_one(const char *path)
{
	struct stat st;
	int e;

	/* an existing directory is fine whatever mkdir says (EROFS...) */
	if (!mkdir(path, 0777))
		return 0;
	e = errno;
	if (stat(path, &st)) {
		errno = e;
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int mkdir_p(const char *dir)
{
	return each_prefix(dir, mkdir_one);
}

typedef int (*emit_fn)(FILE *f, const struct cow_results *r, void *arg);

static const char *const written[] = { "results.json", "samples.tsv" };

static char *tmp_name(const char *dir, const char *name)
{
	char *tmp;

	return asprintf(&tmp, "%s/%s.tmp.%d", dir, name, (int)getpid()) < 0 ?
	       NULL : tmp;
}

/* A directory the first write will create: removed again if left empty. */
static int undo_mkdir(const char *path)
{
	struct stat st;
	int r;

	if (!stat(path, &st) || errno != ENOENT)
		return 0;
	r = cow_undo_rmdir(path);
	if (r)
		errno = -r;
	return r ? -1 : 0;
}

int cow_results_register_undo(const char *dir)
{
	char *tmp;
	size_t i;
	int ret;

	/* Outermost first: the undo runs newest first, innermost first. */
	if (each_prefix(dir, undo_mkdir))
		return -errno;
	/* A run's temporary names are fixed by its pid: known in advance. */
	for (i = 0; i < COW_ARRAY_SIZE(written); i++) {
		tmp = tmp_name(dir, written[i]);
		ret = tmp ? cow_undo_unlink(tmp) : -ENOMEM;
		free(tmp);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * dir/name.tmp.<pid>, fsync, rename: a run killed at any point leaves
 * either the previous complete file or the new complete one.
 */
static int write_atomic(const char *dir, const char *name, emit_fn emit,
			const struct cow_results *r, void *arg)
{
	char *tmp = NULL, *final = NULL;
	const char *what;
	int fd, dfd, err = 0;
	FILE *f;

	tmp = tmp_name(dir, name);
	if (!tmp || asprintf(&final, "%s/%s", dir, name) < 0) {
		free(tmp);
		errno = ENOMEM;
		return -1;
	}
	what = tmp;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		err = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	errno = 0;
	if (emit(f, r, arg) || fflush(f) || ferror(f))
		err = errno ? errno : EIO;
	else if (fsync(fd) && errno != EINVAL)	/* EINVAL: cannot sync here */
		err = errno;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, final)) {
		err = errno;
		what = final;
	}
	if (err) {
		unlink(tmp);
		goto out;
	}
	/* the rename itself must reach the disk too */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	if (err)
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			what, strerror(err));
	free(tmp);
	free(final);
	errno = err;
	return err ? -1 : 0;
}

static int emit_json(FILE *f, const struct cow_results *r, void *arg)
{
	const char *s = json_object_to_json_string_ext(arg,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s || fputs(s, f) < 0 || putc('\n', f) == EOF)
		return -1;
	return 0;
}

/* TSV cells must not contain the separators, nor be empty. */
static void put_cell(FILE *f, const char *s)
{
	if (!*s)
		putc('-', f);
	for (; *s; s++)
		putc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void put_kv_value(FILE *f, const struct cow_kv *kv)
{
	char buf[40];

	if (kv->is_str) {
		put_cell(f, kv->str);
	} else {
		fmt_double(buf, sizeof(buf), kv->num);
		fputs(buf, f);
	}
}

/* Null as NaN: gnuplot skips NaN points instead of plotting them at -1. */
static void put_int(FILE *f, int64_t v)
{
	if (v == -1)
		fputs("\tNaN", f);
	else
		fprintf(f, "\t%" PRId64, v);
}

static void emit_tsv_row(FILE *f, const struct cow_sample *s)
{
	const struct cow_kv *size = NULL;
	unsigned j;
	double ref;

	put_cell(f, s->scenario);
	fputs(s->nparams ? "\t" : "\t-", f);
	for (j = 0; j < s->nparams; j++) {
		if (!strcmp(s->params[j].key, "size"))
			size = &s->params[j];
		if (j)
			putc(';', f);
		put_cell(f, s->params[j].key);
		putc('=', f);
		put_kv_value(f, &s->params[j]);
	}
	putc('\t', f);
	if (size)
		put_kv_value(f, size);
	else
		putc('-', f);
	fprintf(f, "\t%u\t%" PRIu64 "\t%" PRIu64, s->rep, s->ns, s->ops);
	if (s->ops)
		fprintf(f, "\t%.3f", (double)s->ns / (double)s->ops);
	else
		fputs("\tNaN", f);
	for (j = 0; j < COW_ARRAY_SIZE(i64_fields); j++)
		if (i64_fields[j].tsv)
			put_int(f, *i64_at(s, j));
	fprintf(f, "\t%s", cow_verdict_name(s->verdict));
	for (j = 0; j < nvmstat(); j++)
		put_int(f, s->vmstat[j]);
	/* The point's, last: columns before them keep their places. */
	if (s->point.set) {
		fprintf(f, "\t%u\t", s->point.reps);
		if (isfinite(s->point.rel))
			fprintf(f, "%.6f", s->point.rel);
		else
			fputs("NaN", f);
		fprintf(f, "\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
			"\t%" PRIu64 "\t%u",
			s->point.target > 0 ? (s->point.met ? "yes" : "no") : "-",
			cow_stop_name(s->point.stop), s->point.wall_ns,
			s->point.setup_ns, s->point.measured_ns,
			s->point.checks_ns, s->point.visits);
	} else {
		fputs("\t-\tNaN\t-\t-\t-\t-\t-\t-\t-", f);
	}
	/* The machine's speed beside the sample (refcopy.c), after those. */
	ref = cow_sample_metric_num(s, COW_REF_METRIC);
	if (isfinite(ref))
		fprintf(f, "\t%.3f", ref);
	else
		fputs("\tNaN", f);
	putc('\n', f);
}

/* A plain header line: gnuplot's "set key autotitle columnhead". */
static int emit_tsv(FILE *f, const struct cow_results *r, void *arg)
{
	size_t i;

	fputs("scenario\tparams\tsize\trep\tns\tops\tns_per_op", f);
	for (i = 0; i < COW_ARRAY_SIZE(i64_fields); i++)
		if (i64_fields[i].tsv)
			fprintf(f, "\t%s", i64_fields[i].name);
	fputs("\tverdict", f);
	for (i = 0; i < nvmstat(); i++)
		fprintf(f, "\tvm_%s", cow_vmstat_keys[i]);
	fputs("\tpoint_reps\tpoint_interval_rel\tpoint_met\tpoint_stop"
	      "\tpoint_wall_ns\tpoint_setup_ns\tpoint_measured_ns"
	      "\tpoint_checks_ns\tpoint_visits\t" COW_REF_METRIC "\n", f);
	for (i = 0; i < r->n; i++)
		emit_tsv_row(f, &r->samples[i]);
	return ferror(f) ? -1 : 0;
}

int cow_results_write(const struct cow_results *r, const char *dir)
{
	struct json_object *root, *arr;
	size_t i;
	int ret;

	if (mkdir_p(dir)) {
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			dir, strerror(errno));
		return -1;
	}
	root = json_object_new_object();
	add(root, "meta", meta_json(r));
	arr = json_object_new_array_ext(r->n);
	for (i = 0; i < r->n; i++)
		json_object_array_add(arr, sample_json(&r->samples[i]));
	add(root, "samples", arr);

	ret = write_atomic(dir, written[0], emit_json, r, root);
	json_object_put(root);
	if (ret)
		return ret;
	return write_atomic(dir, written[1], emit_tsv, r, NULL);
}

/* ---- annotating --------------------------------------------------------- */

int cow_results_add_meta(const char *dir, const char *key, const char *json,
			 char *err, size_t elen)
{
	struct json_object *root = NULL, *meta, *val;
	enum json_tokener_error jerr;
	struct cow_results check;
	char *path;
	int ret = -1;

	if (asprintf(&path, "%s/results.json", dir) < 0) {
		snprintf(err, elen, "out of memory");
		return -1;
	}
	/* Only a file that reads back as results gets annotated. */
	if (cow_results_read(path, &check, err, elen))
		goto out;
	cow_results_free(&check);
	val = json_tokener_parse_verbose(json, &jerr);
	if (jerr != json_tokener_success) {
		snprintf(err, elen, "meta %s: not valid JSON: %s", key,
			 json_tokener_error_desc(jerr));
		goto out;
	}
	root = json_object_from_file(path);
	if (!root || !json_object_object_get_ex(root, "meta", &meta)) {
		json_object_put(val);
		snprintf(err, elen, "%s: changed while it was read", path);
		goto out;
	}
	/* Adds, never overwrites: what the run recorded stays as it was. */
	if (json_object_object_get_ex(meta, key, NULL)) {
		json_object_put(val);
		snprintf(err, elen, "%s: meta.%s is already set", path, key);
		goto out;
	}
	json_object_object_add(meta, key, val);
	if (write_atomic(dir, "results.json", emit_json, NULL, root)) {
		snprintf(err, elen, "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	json_object_put(root);
	free(path);
	return ret;
}

/*
 * "64M,2048kB,n=4": size as a size, strings bare, other numbers key=value;
 * keys in skip (NULL-terminated, or NULL) are left out.
 */
void cow_params_str(const struct cow_sample *s, const char *const *skip,
		    char *buf, size_t len)
{
	const char *const *k;
	size_t off = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < s->nparams && off < len; i++) {
		const struct cow_kv *p = &s->params[i];
		char sz[32];

		for (k = skip; k && *k && strcmp(*k, p->key); k++)
			;
		if (k && *k)
			continue;
		/* a size as 64M; one no uint64_t holds (a file's) as a number */
		if (!strcmp(p->key, "size") && !p->is_str && p->num >= 0 &&
		    p->num < 0x1p64 && p->num == floor(p->num))
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? "," : "",
						cow_size_str((uint64_t)p->num,
							     sz, sizeof(sz)));
		else if (p->is_str)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? "," : "", p->str);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%g",
						off ? "," : "", p->key, p->num);
	}
}
