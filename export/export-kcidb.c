// SPDX-License-Identifier: GPL-2.0-only
/*
 * export-kcidb.c - `export --format kcidb`: a KCIDB I/O object of schema
 * 5.3 (kcidb-io), for kcidb-submit.  Per point a test at path
 * "cowbench.POINT" with its verdict (PASS, FAIL, SKIP; a FAIL's or SKIP's
 * reason as its comment), and per figure a DONE test at
 * "cowbench.POINT.FIGURE" carrying number {value, unit}.
 *
 * Every test names its build (--build-id) and origin (--origin): cowbench
 * cannot know either, and a test that names a made-up build would be
 * filed under it.  --checkout-id adds the checkout and the build objects,
 * so the data stands on its own.  Ids are ORIGIN:..., an id given without
 * one is prefixed with --origin; test ids add a hash of the build, the
 * runs' hosts and start times, and the path, so the same point of
 * another run is another test run.  Paths are dot-separated components
 * of [a-zA-Z0-9_-], the schema's pattern.
 */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "export-int.h"

static struct json_object *tests;
static char id_prefix[256];

static bool origin_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
		      s[i] == '_'))
			return false;
	return n > 0;
}

/* id as ORIGIN:REST, checked; *out is allocated. */
static int make_id(const char *what, const char *origin, const char *id,
		   char **out, char *err, size_t elen)
{
	const char *colon = strchr(id, ':');
	size_t i;

	for (i = 0; id[i]; i++)
		if ((unsigned char)id[i] < ' ')
			return cow_errf(err, elen, "--%s: a control character in the id",
					what);
	if (!colon) {
		if (asprintf(out, "%s:%s", origin, id) < 0)
			return cow_errf(err, elen, "out of memory");
		return 0;
	}
	if (!origin_ok(id, (size_t)(colon - id)))
		return cow_errf(err, elen, "--%s: '%s' does not start with an origin of [a-z0-9_] and ':'",
				what, id);
	*out = strdup(id);
	return *out ? 0 : cow_errf(err, elen, "out of memory");
}

static int kcidb_check(struct exp *e, char *err, size_t elen)
{
	const char *o = e->o.origin;

	if (!o)
		return cow_errf(err, elen, "--format kcidb needs --origin (the CI system submitting, [a-z0-9_]+)");
	if (!origin_ok(o, strlen(o)))
		return cow_errf(err, elen, "--origin: '%s' is not of [a-z0-9_]+", o);
	if (!e->o.build_id)
		return cow_errf(err, elen, "--format kcidb needs --build-id (the build the runs tested)");
	if (make_id("build-id", o, e->o.build_id, &e->build_id, err, elen))
		return -1;
	if (e->o.checkout_id &&
	    make_id("checkout-id", o, e->o.checkout_id, &e->checkout_id, err, elen))
		return -1;
	return 0;
}

/* The schema's date-time, as results.json writes it: 2026-11-25T20:27:41Z */
static bool date_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (!s || strlen(s) != sizeof(shape) - 1)
		return false;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	return true;
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *str(const char *s)
{
	return json_object_new_string(s);
}

static int kcidb_begin(struct exp *e, FILE *f)
{
	(void)f;
	tests = json_object_new_array();
	/* the build and the runs: the same point of another run, another id */
	snprintf(id_prefix, sizeof(id_prefix), "%s:cowbench.%016llx.",
		 e->o.origin,
		 (unsigned long long)cow_hash_str(exp_runs_hash(e), e->build_id));
	return tests ? 0 : -1;
}

static struct json_object *test(struct exp *e, const char *path)
{
	struct json_object *t = json_object_new_object();
	const char *start = exp_meta(e, "start");
	char id[1200];

	snprintf(id, sizeof(id), "%s%s", id_prefix, path);
	add(t, "id", str(id));
	add(t, "build_id", str(e->build_id));
	add(t, "origin", str(e->o.origin));
	add(t, "path", str(path));
	if (date_time(start))
		add(t, "start_time", str(start));
	json_object_array_add(tests, t);
	return t;
}

static struct json_object *number(const struct exp_value *v)
{
	struct json_object *n = json_object_new_object();

	if (v->v == floor(v->v) && fabs(v->v) < 0x1p53)
		add(n, "value", json_object_new_int64((int64_t)v->v));
	else
		add(n, "value", json_object_new_double(v->v));
	if (v->unit)
		add(n, "unit", str(v->unit));
	return n;
}

static int kcidb_point(struct exp *e, FILE *f, const struct exp_point *p)
{
	static const char *const status[] = {
		[COW_PASS] = "PASS", [COW_SKIP] = "SKIP", [COW_FAIL] = "FAIL",
	};
	struct json_object *t, *misc;
	char path[1024], fig[COW_NAME_LEN];
	size_t i;

	(void)f;
	snprintf(path, sizeof(path), "cowbench.%s", p->name);
	t = test(e, exp_unique(e, path, e->o.fmt->max_name));
	add(t, "status", str(status[p->verdict]));
	if (p->reason && p->reason[0])
		add(t, "comment", str(p->reason));
	misc = json_object_new_object();
	add(misc, "scenario", str(p->scenario));
	add(misc, "samples", json_object_new_int64((int64_t)p->nsamples));
	add(misc, "passed", json_object_new_int64((int64_t)p->npass));
	add(t, "misc", misc);
	for (i = 0; i < p->nval; i++) {
		exp_component(fig, sizeof(fig), p->val[i].name);
		snprintf(path, sizeof(path), "cowbench.%s.%s", p->name, fig);
		t = test(e, exp_unique(e, path, e->o.fmt->max_name));
		add(t, "status", str("DONE"));
		add(t, "number", number(&p->val[i]));
	}
	return 0;
}

static int kcidb_end(struct exp *e, FILE *f, int *status)
{
	struct json_object *root = json_object_new_object();
	struct json_object *ver = json_object_new_object(), *o;
	int ret;

	add(ver, "major", json_object_new_int(5));
	add(ver, "minor", json_object_new_int(3));
	add(root, "version", ver);
	if (e->checkout_id) {
		o = json_object_new_object();
		add(o, "id", str(e->checkout_id));
		add(o, "origin", str(e->o.origin));
		add(root, "checkouts", json_object_new_array());
		json_object_array_add(json_object_object_get(root, "checkouts"), o);
		o = json_object_new_object();
		add(o, "id", str(e->build_id));
		add(o, "origin", str(e->o.origin));
		add(o, "checkout_id", str(e->checkout_id));
		add(root, "builds", json_object_new_array());
		json_object_array_add(json_object_object_get(root, "builds"), o);
	}
	add(root, "tests", tests);
	tests = NULL;
	ret = fprintf(f, "%s\n", json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 ? -1 : 0;
	json_object_put(root);
	*status = COW_EXIT_OK;
	return ret;
}

const struct exp_format exp_kcidb = {
	.name = "kcidb",
	.help = "KCIDB I/O schema 5.3 JSON (needs --origin, --build-id)",
	.rules = "paths of [a-zA-Z0-9_-] components joined by '.'; ids ORIGIN:...",
	.check = kcidb_check,
	.begin = kcidb_begin,
	.point = kcidb_point,
	.end = kcidb_end,
};
