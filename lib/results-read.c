// SPDX-License-Identifier: GPL-2.0-only
/*
 * results-read.c - read a results.json back (tests, compare), strictly:
 * any missing key, wrong type or truncation is a one-line error naming the
 * file, never a crash or a silently half-read run.
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

#define SCENARIO_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789._-"

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
	/* one line, whatever the file's strings hold (a verdict "a\nb") */
	cow_one_line(rd->err);
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

/* A sample's "point" (newer than the rest: absent or null is none). */
static int rd_point(struct rd *rd, struct json_object *o,
		    struct cow_point_info *p)
{
	struct json_object *pt, *v, *t;
	uint64_t reps, timed, visits;
	char stop[16];

	if (!json_object_object_get_ex(o, "point", &pt) || !pt)
		return 0;
	if (!json_object_is_type(pt, json_type_object))
		return rd_fail(rd, "%s: \"point\" is not an object or null",
			       rd->where);
	if (rd_u64(rd, pt, "reps", UINT_MAX, &reps) ||
	    rd_u64(rd, pt, "timed", reps, &timed) ||
	    rd_str(rd, pt, "stop", false, stop, sizeof(stop), false))
		return -1;
	p->reps = (unsigned)reps;
	p->timed = (unsigned)timed;
	for (p->stop = COW_STOP_NONE; p->stop < COW_STOP_N; p->stop++)
		if (!strcmp(stop, cow_stop_name(p->stop)))
			break;
	if (p->stop >= COW_STOP_N)
		return rd_fail(rd, "%s: unknown point stop \"%s\"", rd->where,
			       stop);
	if (rd_get(rd, pt, "precision_target", json_type_double, true, &v))
		return -1;
	p->target = v ? json_object_get_double(v) : 0;
	if (rd_get(rd, pt, "interval_rel", json_type_double, true, &v))
		return -1;
	p->rel = v ? json_object_get_double(v) : NAN;
	if (rd_get(rd, pt, "met", json_type_boolean, true, &v))
		return -1;
	p->met = v && json_object_get_boolean(v);
	if (rd_get(rd, pt, "interval", json_type_array, true, &v))
		return -1;
	p->ci_lo = p->ci_hi = NAN;
	if (v) {
		struct json_object *a = json_object_array_get_idx(v, 0);
		struct json_object *b = json_object_array_get_idx(v, 1);

		if (json_object_array_length(v) != 2 ||
		    !(json_object_is_type(a, json_type_double) ||
		      json_object_is_type(a, json_type_int)) ||
		    !(json_object_is_type(b, json_type_double) ||
		      json_object_is_type(b, json_type_int)))
			return rd_fail(rd, "%s: point \"interval\" is not two numbers",
				       rd->where);
		p->ci_lo = json_object_get_double(a);
		p->ci_hi = json_object_get_double(b);
	}
	/* Files from before passes have none: one visit. */
	visits = 1;
	if (json_object_object_get_ex(pt, "visits", NULL) &&
	    rd_u64(rd, pt, "visits", reps, &visits))
		return -1;
	p->visits = (unsigned)visits;
	if (rd_get(rd, pt, "time_ns", json_type_object, false, &t) ||
	    rd_u64(rd, t, "wall", UINT64_MAX, &p->wall_ns) ||
	    rd_u64(rd, t, "setup", UINT64_MAX, &p->setup_ns) ||
	    rd_u64(rd, t, "measured", UINT64_MAX, &p->measured_ns) ||
	    rd_u64(rd, t, "checks", UINT64_MAX, &p->checks_ns))
		return -1;
	p->set = true;
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
		   false))
		return -1;
	/* compare --data-dir names files after it: no '/', no "" */
	if (!s->scenario[0] || s->scenario[strspn(s->scenario, SCENARIO_CHARS)])
		return rd_fail(rd, "%s: \"scenario\" is not a name of letters, digits and ._-",
			       rd->where);
	if (rd_kv(rd, o, "params", s->params, &s->nparams, COW_MAX_PARAMS) ||
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
	/* Newer than the rest: files from before it have no kernel_log. */
	if (json_object_object_get_ex(o, "kernel_log", NULL) &&
	    rd_str(rd, o, "kernel_log", true, s->kernel_log,
		   sizeof(s->kernel_log), true))
		return -1;
	if (rd_point(rd, o, &s->point))
		return -1;
	for (s->verdict = COW_PASS; s->verdict <= COW_FAIL; s->verdict++)
		if (!strcmp(buf, cow_verdict_name(s->verdict)))
			break;
	if (s->verdict > COW_FAIL)
		return rd_fail(rd, "%s: unknown verdict \"%s\"", rd->where, buf);
	/* Newer still: a FAIL's evidence, null for every other verdict. */
	if (!json_object_object_get_ex(o, "evidence", NULL))
		return 0;
	if (rd_str(rd, o, "evidence", true, buf, sizeof(buf), false))
		return -1;
	if (!buf[0])
		return 0;
	if (s->verdict != COW_FAIL)
		return rd_fail(rd, "%s: \"evidence\" of a sample that did not fail",
			       rd->where);
	for (s->evidence = COW_EV_DATA; s->evidence < COW_EV_N; s->evidence++)
		if (!strcmp(buf, cow_evidence_name(s->evidence)))
			return 0;
	return rd_fail(rd, "%s: unknown evidence \"%s\"", rd->where, buf);
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
	case json_type_object: {
		/* braced: the macro declares variables, which a label may not
		 * precede before C23 (clang refuses) */
		json_object_object_foreach(o, k, v) {
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 *prefix ? "." : "", k);
			if (meta_flatten(r, key, v))
				return -1;
		}
		return 0;
	}
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
	if (json_object_object_get_ex(m, "kernel_log", NULL) &&
	    rd_str(rd, m, "kernel_log", true, r->kernel_log,
		   sizeof(r->kernel_log), true))
		return -1;
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

/* The whole file, up to and with a first NUL byte; results.json is small. */
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
	/* a NUL has no business in a JSON text: the parse reports it */
	n = getdelim(&buf, &cap, '\0', f);
	if (ferror(f))
		fail = rd_fail(rd, "%s", strerror(errno));
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

int cow_results_parse(const char *buf, size_t len, const char *name,
		      struct cow_results *r, char *err, size_t elen)
{
	struct rd rd = { .path = name, .err = err, .elen = elen };
	struct json_object *root = NULL, *arr;
	struct cow_results out = { 0 };
	struct json_tokener *tok = NULL;
	enum json_tokener_error jerr;
	struct cow_sample s;
	const char *nul;
	size_t end, i;
	int ret = -1;

	if (elen)
		err[0] = '\0';
	memset(r, 0, sizeof(*r));
	nul = memchr(buf, '\0', len);
	if (nul)
		return rd_fail(&rd, "not valid JSON at offset %zu: NUL byte",
			       (size_t)(nul - buf));
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
	while (end < len && memchr(" \t\r\n", buf[end], 4))
		end++;
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
	return ret;
}

int cow_results_read(const char *path, struct cow_results *r,
		     char *err, size_t elen)
{
	struct rd rd = { .path = path, .err = err, .elen = elen };
	size_t len;
	char *buf;
	int ret;

	if (elen)
		err[0] = '\0';
	memset(r, 0, sizeof(*r));
	buf = slurp(&rd, &len);
	if (!buf)
		return -1;
	ret = cow_results_parse(buf, len, path, r, err, elen);
	free(buf);
	return ret;
}
