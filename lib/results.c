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

/* Truncating copy; dst is always terminated. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* The int64 counters, in results.json order; -1 is null in every one. */
#define I64(f, tsv)	{ #f, offsetof(struct cow_sample, f), tsv }
static const struct {
	const char *name;
	size_t off;
	bool tsv;		/* also a samples.tsv column */
} i64_fields[] = {
	I64(faults_minor, true), I64(faults_major, true),
	I64(pages_written, true), I64(pages_copied, true),
	I64(pages_required, true), I64(extra_copies, true),
	I64(copies_missing, false), I64(kernel_wpcopy, true),
	I64(kernel_wpcopy_delay_ns, false),
};

static int64_t *i64_at(const struct cow_sample *s, unsigned i)
{
	return (int64_t *)((char *)s + i64_fields[i].off);
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
void cow_sample_verdict(struct cow_sample *s, enum cow_verdict v,
			const char *fmt, ...)
{
	va_list ap;

	if (v < s->verdict || (v == s->verdict && s->reason[0]))
		return;
	s->verdict = v;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

/* ---- the results set ---------------------------------------------------- */

int cow_results_add(struct cow_results *r, const struct cow_sample *s)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct cow_sample *p;

		p = reallocarray(r->samples, cap, sizeof(*p));
		if (!p)
			return -1;
		r->samples = p;
		r->cap = cap;
	}
	r->samples[r->n++] = *s;
	return 0;
}

static void free_meta_kv(struct cow_meta_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
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

static unsigned nvmstat(void)
{
	return cow_vmstat_nkeys < COW_VMSTAT_MAX ? cow_vmstat_nkeys
						 : COW_VMSTAT_MAX;
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
	return m;
}

/* ---- writing ------------------------------------------------------------ */

static int mkdir_p(const char *dir)
{
	char *p, *path;
	struct stat st;
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
		/* an existing directory is fine whatever mkdir says (EROFS...) */
		if (mkdir(path, 0777)) {
			int e = errno;

			if (stat(path, &st))
				ret = -1, errno = e;
			else if (!S_ISDIR(st.st_mode))
				ret = -1, errno = ENOTDIR;
		}
		*p = c;
		if (ret || !c)
			break;
	}
	free(path);
	return ret;
}

typedef int (*emit_fn)(FILE *f, const struct cow_results *r, void *arg);

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

	if (asprintf(&tmp, "%s/%s.tmp.%d", dir, name, (int)getpid()) < 0)
		tmp = NULL;
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
	putc('\n', f);
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

	ret = write_atomic(dir, "results.json", emit_json, r, root);
	json_object_put(root);
	if (ret)
		return ret;
	return write_atomic(dir, "samples.tsv", emit_tsv, r, NULL);
}

/* ---- reading ------------------------------------------------------------ */

struct rd {
	const char *path;
	char *err;
	size_t elen;
	char where[32];		/* "meta", "sample 3" */
};

__attribute__((format(printf, 2, 3)))
static int rd_fail(struct rd *rd, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!rd->elen)
		return -1;
	n = snprintf(rd->err, rd->elen, "%s: ", rd->path);
	if (n >= 0 && (size_t)n < rd->elen) {
		va_start(ap, fmt);
		vsnprintf(rd->err + n, rd->elen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Member key of o, of type t, or JSON null (*v = NULL) when null_ok.
 * json_type_double stands for any number.
 */
static int rd_get(struct rd *rd, struct json_object *o, const char *key,
		  enum json_type t, bool null_ok, struct json_object **v)
{
	static const char *const tname[] = {
		[json_type_boolean] = "a boolean", [json_type_double] = "a number",
		[json_type_int] = "an integer", [json_type_object] = "an object",
		[json_type_array] = "an array", [json_type_string] = "a string",
	};
	bool ok;

	if (!json_object_object_get_ex(o, key, v))
		return rd->where[0] ? rd_fail(rd, "%s has no \"%s\"", rd->where, key)
				    : rd_fail(rd, "no \"%s\"", key);
	if (!*v)
		ok = null_ok;
	else if (t == json_type_double)
		ok = json_object_is_type(*v, json_type_double) ||
		     json_object_is_type(*v, json_type_int);
	else
		ok = json_object_is_type(*v, t);
	if (!ok)
		return rd_fail(rd, "%s%s\"%s\" is not %s%s", rd->where,
			       rd->where[0] ? ": " : "", key, tname[t],
			       null_ok ? " or null" : "");
	return 0;
}

static int rd_u64(struct rd *rd, struct json_object *o, const char *key,
		  uint64_t max, uint64_t *out)
{
	struct json_object *v;

	if (rd_get(rd, o, key, json_type_int, false, &v))
		return -1;
	if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max)
		return rd_fail(rd, "%s: \"%s\" is out of range", rd->where, key);
	*out = json_object_get_uint64(v);
	return 0;
}

/* A string into a fixed buffer: names must fit, prose may be cut. */
static int rd_str(struct rd *rd, struct json_object *o, const char *key,
		  bool null_ok, char *dst, size_t len, bool cut)
{
	struct json_object *v;

	if (rd_get(rd, o, key, json_type_string, null_ok, &v))
		return -1;
	if (v && !cut && strlen(json_object_get_string(v)) >= len)
		return rd_fail(rd, "%s: \"%s\" is too long", rd->where, key);
	copy_str(dst, len, v ? json_object_get_string(v) : "");
	return 0;
}

/* params and metrics: key -> number (null is NaN) or string. */
static int rd_kv(struct rd *rd, struct json_object *o, const char *key,
		 struct cow_kv *kv, unsigned *n, unsigned max)
{
	struct json_object *obj;

	if (rd_get(rd, o, key, json_type_object, false, &obj))
		return -1;
	json_object_object_foreach(obj, k, v) {
		struct cow_kv *e = &kv[*n];

		if (*n >= max)
			return rd_fail(rd, "%s: more than %u %s", rd->where,
				       max, key);
		if (strlen(k) >= sizeof(e->key))
			return rd_fail(rd, "%s: %s key \"%.40s\" is too long",
				       rd->where, key, k);
		memset(e, 0, sizeof(*e));
		copy_str(e->key, sizeof(e->key), k);
		if (!v) {
			e->num = NAN;
		} else if (json_object_is_type(v, json_type_string)) {
			if (rd_str(rd, obj, k, false, e->str, sizeof(e->str), false))
				return -1;
			e->is_str = true;
		} else if (json_object_is_type(v, json_type_int) ||
			   json_object_is_type(v, json_type_double)) {
			e->num = json_object_get_double(v);
		} else {
			return rd_fail(rd, "%s: %s \"%s\" is neither a number nor a string",
				       rd->where, key, k);
		}
		(*n)++;
	}
	return 0;
}

/* vmstat and events: name -> count, by name into the indices we know. */
static int rd_counts(struct rd *rd, struct json_object *o, const char *key,
		     int64_t *vals, bool events)
{
	struct json_object *obj;

	if (rd_get(rd, o, key, json_type_object, false, &obj))
		return -1;
	json_object_object_foreach(obj, k, v) {
		int i = -1;
		unsigned j;

		if (v && !json_object_is_type(v, json_type_int))
			return rd_fail(rd, "%s: %s \"%s\" is not an integer",
				       rd->where, key, k);
		if (events) {
			i = cow_event_index(k);
		} else {
			for (j = 0; j < nvmstat(); j++)
				if (!strcmp(cow_vmstat_keys[j], k))
					i = j;
		}
		/* a counter this build does not know is not an error */
		if (i >= 0 && i < (events ? COW_MAX_EVENTS : COW_VMSTAT_MAX))
			vals[i] = v ? json_object_get_int64(v) : -1;
	}
	return 0;
}

static int rd_sample(struct rd *rd, struct json_object *o, struct cow_sample *s)
{
	struct json_object *v;
	uint64_t rep;
	char buf[16];
	unsigned i;

	if (!json_object_is_type(o, json_type_object))
		return rd_fail(rd, "%s is not an object", rd->where);
	cow_sample_init(s, "");
	if (rd_str(rd, o, "scenario", false, s->scenario, sizeof(s->scenario),
		   false) ||
	    rd_kv(rd, o, "params", s->params, &s->nparams, COW_MAX_PARAMS) ||
	    rd_u64(rd, o, "rep", UINT_MAX, &rep) ||
	    rd_u64(rd, o, "ns", UINT64_MAX, &s->ns) ||
	    rd_u64(rd, o, "ops", UINT64_MAX, &s->ops) ||
	    rd_get(rd, o, "ns_per_op", json_type_double, true, &v))
		return -1;
	s->rep = rep;
	for (i = 0; i < COW_ARRAY_SIZE(i64_fields); i++) {
		if (rd_get(rd, o, i64_fields[i].name, json_type_int, true, &v))
			return -1;
		*i64_at(s, i) = v ? json_object_get_int64(v) : -1;
	}
	if (rd_str(rd, o, "kernel_wpcopy_reason", true, s->kernel_wpcopy_reason,
		   sizeof(s->kernel_wpcopy_reason), true) ||
	    rd_counts(rd, o, "vmstat", s->vmstat, false) ||
	    rd_counts(rd, o, "events", s->events, true) ||
	    rd_kv(rd, o, "metrics", s->metrics, &s->nmetrics, COW_MAX_METRICS) ||
	    rd_str(rd, o, "verdict", false, buf, sizeof(buf), true) ||
	    rd_str(rd, o, "reason", false, s->reason, sizeof(s->reason), true))
		return -1;
	for (s->verdict = COW_PASS; s->verdict <= COW_FAIL; s->verdict++)
		if (!strcmp(buf, cow_verdict_name(s->verdict)))
			return 0;
	return rd_fail(rd, "%s: unknown verdict \"%s\"", rd->where, buf);
}

static int meta_push(struct cow_results *r, const char *key, const char *val)
{
	struct cow_meta_kv *p;

	p = reallocarray(r->meta, r->nmeta + 1, sizeof(*p));
	if (!p)
		return -1;
	r->meta = p;
	p[r->nmeta].key = strdup(key);
	p[r->nmeta].val = strdup(val);
	if (!p[r->nmeta].key || !p[r->nmeta].val) {
		free(p[r->nmeta].key);
		free(p[r->nmeta].val);
		return -1;
	}
	r->nmeta++;
	return 0;
}

/*
 * Every scalar under o as "prefix.key" = text, arrays by index: whatever
 * meta a later version adds is there for compare to show, unparsed.
 */
static int meta_flatten(struct cow_results *r, const char *prefix,
			struct json_object *o)
{
	char key[256];
	size_t i;

	switch (o ? json_object_get_type(o) : json_type_null) {
	case json_type_object:
		json_object_object_foreach(o, k, v) {
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 *prefix ? "." : "", k);
			if (meta_flatten(r, key, v))
				return -1;
		}
		return 0;
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++) {
			snprintf(key, sizeof(key), "%s.%zu", prefix, i);
			if (meta_flatten(r, key, json_object_array_get_idx(o, i)))
				return -1;
		}
		return 0;
	case json_type_null:
		return meta_push(r, prefix, "null");
	case json_type_string:
		return meta_push(r, prefix, json_object_get_string(o));
	default:
		return meta_push(r, prefix, json_object_to_json_string_ext(o,
					JSON_C_TO_STRING_PLAIN));
	}
}

static int rd_meta(struct rd *rd, struct json_object *root,
		   struct cow_results *r)
{
	struct json_object *m, *v;
	const char *s;

	if (rd_get(rd, root, "meta", json_type_object, false, &m))
		return -1;
	strcpy(rd->where, "meta");
	if (rd_str(rd, m, "start", true, r->start, sizeof(r->start), false) ||
	    rd_str(rd, m, "end", true, r->end, sizeof(r->end), false) ||
	    rd_get(rd, m, "command_line", json_type_string, true, &v))
		return -1;
	if (v && !(r->command_line = strdup(json_object_get_string(v))))
		return rd_fail(rd, "out of memory");
	if (rd_get(rd, m, "partial", json_type_boolean, false, &v))
		return -1;
	r->partial = json_object_get_boolean(v);
	/* knobs as text, when they fit: enough to compare two runs */
	if (json_object_object_get_ex(m, "knobs", &v) && v) {
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
		if (strlen(s) < sizeof(r->knobs_json))
			strcpy(r->knobs_json, s);
	}
	if (meta_flatten(r, "", m))
		return rd_fail(rd, "out of memory");
	return 0;
}

/* The whole file, NUL-terminated; results.json is small. */
static char *slurp(struct rd *rd, size_t *len)
{
	FILE *f = fopen(rd->path, "re");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int fail = 0;

	if (!f) {
		rd_fail(rd, "%s", strerror(errno));
		return NULL;
	}
	/* up to a NUL byte, which has no business in a JSON text */
	n = getdelim(&buf, &cap, '\0', f);
	if (ferror(f))
		fail = rd_fail(rd, "%s", strerror(errno));
	else if (n > 0 && buf[n - 1] == '\0')
		fail = rd_fail(rd, "not valid JSON at offset %zd: NUL byte", n - 1);
	fclose(f);
	if (!fail && n < 0) {
		free(buf);
		buf = strdup("");
		n = 0;
	}
	if (fail || !buf) {
		if (!fail)
			rd_fail(rd, "out of memory");
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int cow_results_read(const char *path, struct cow_results *r,
		     char *err, size_t elen)
{
	struct rd rd = { .path = path, .err = err, .elen = elen };
	struct json_object *root = NULL, *arr;
	struct cow_results out = { 0 };
	struct json_tokener *tok = NULL;
	enum json_tokener_error jerr;
	struct cow_sample s;
	size_t len, end, i;
	char *buf;
	int ret = -1;

	if (elen)
		err[0] = '\0';
	memset(r, 0, sizeof(*r));
	buf = slurp(&rd, &len);
	if (!buf)
		return -1;
	tok = json_tokener_new();
	if (!tok) {
		rd_fail(&rd, "out of memory");
		goto out;
	}
	root = json_tokener_parse_ex(tok, buf, len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!len) {
		rd_fail(&rd, "empty file");
		goto out;
	}
	if (jerr == json_tokener_continue) {
		rd_fail(&rd, "truncated JSON (ends at offset %zu)", len);
		goto out;
	}
	if (jerr != json_tokener_success) {
		rd_fail(&rd, "not valid JSON at offset %zu: %s", end,
			json_tokener_error_desc(jerr));
		goto out;
	}
	end += strspn(buf + end, " \t\r\n");
	if (end < len) {
		rd_fail(&rd, "not valid JSON at offset %zu: data after the end",
			end);
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		rd_fail(&rd, "the top level is not an object");
		goto out;
	}
	if (rd_meta(&rd, root, &out))
		goto out;
	rd.where[0] = '\0';
	if (rd_get(&rd, root, "samples", json_type_array, false, &arr))
		goto out;
	for (i = 0; i < json_object_array_length(arr); i++) {
		snprintf(rd.where, sizeof(rd.where), "sample %zu", i);
		if (rd_sample(&rd, json_object_array_get_idx(arr, i), &s))
			goto out;
		if (cow_results_add(&out, &s)) {
			rd_fail(&rd, "out of memory");
			goto out;
		}
	}
	*r = out;
	ret = 0;
out:
	if (ret) {
		free(out.samples);
		free(out.command_line);
		free_meta_kv(out.meta, out.nmeta);
	}
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	free(buf);
	return ret;
}
