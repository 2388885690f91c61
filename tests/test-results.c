// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-results.c - samples survive the trip through results.json, the TSV
 * stays rectangular, and a damaged results.json is refused with a message
 * instead of being half read.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cow.h"
#include "tap.h"

static char dir[256], out[320], path[400];

static bool num_eq(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

static bool kv_eq(const struct cow_kv *a, const struct cow_kv *b, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (strcmp(a[i].key, b[i].key) || a[i].is_str != b[i].is_str)
			return false;
		if (a[i].is_str ? strcmp(a[i].str, b[i].str) :
		    !num_eq(a[i].num, b[i].num))
			return false;
	}
	return true;
}

/* The first field that differs, or NULL. */
static const char *sample_diff(const struct cow_sample *a,
			       const struct cow_sample *b)
{
	unsigned i;

#define SAME(f)	do { if (a->f != b->f) return #f; } while (0)
	if (strcmp(a->scenario, b->scenario))
		return "scenario";
	SAME(nparams);
	if (!kv_eq(a->params, b->params, a->nparams))
		return "params";
	SAME(rep);
	SAME(ns);
	SAME(ops);
	SAME(faults_minor);
	SAME(faults_major);
	SAME(pages_written);
	SAME(pages_copied);
	SAME(pages_required);
	SAME(extra_copies);
	SAME(copies_missing);
	SAME(kernel_wpcopy);
	SAME(kernel_wpcopy_delay_ns);
	/* the reason is only written when there is no count */
	if (a->kernel_wpcopy < 0 &&
	    strcmp(a->kernel_wpcopy_reason, b->kernel_wpcopy_reason))
		return "kernel_wpcopy_reason";
	for (i = 0; i < cow_vmstat_nkeys && i < COW_VMSTAT_MAX; i++)
		SAME(vmstat[i]);
	for (i = 0; i < cow_events_count(); i++)
		SAME(events[i]);
	SAME(nmetrics);
	if (!kv_eq(a->metrics, b->metrics, a->nmetrics))
		return "metrics";
	SAME(verdict);
	if (strcmp(a->reason, b->reason))
		return "reason";
	if (strcmp(a->kernel_log, b->kernel_log))
		return "kernel_log";
#undef SAME
	return NULL;
}

static void make_samples(struct cow_results *r)
{
	struct cow_sample s;
	unsigned i;

	/* nothing measured: every counter null, ops 0 */
	cow_sample_init(&s, "fork.anon");
	s.ns = 1000;
	cow_results_add(r, &s);

	cow_sample_init(&s, "fork.anon");
	cow_sample_param_num(&s, "size", 64 << 20);
	cow_sample_param_str(&s, "backing", "thp");
	cow_sample_param_num(&s, "fraction", 0.1);
	cow_sample_metric(&s, "lat_ratio", 1.5);
	cow_sample_metric(&s, "tiny", 1e-7);
	cow_sample_metric(&s, "count", 3);
	cow_sample_metric(&s, "unknown", NAN);
	s.rep = 1;
	s.ns = 123456789;
	s.ops = 16384;
	s.faults_minor = 16390;
	s.faults_major = 0;
	s.pages_written = 16384;
	s.pages_copied = 16384;
	s.pages_required = 16384;
	s.extra_copies = 0;
	s.copies_missing = 0;
	s.kernel_wpcopy = 16384;
	s.kernel_wpcopy_delay_ns = 9876543210ll;
	for (i = 0; i < cow_vmstat_nkeys && i < COW_VMSTAT_MAX; i++)
		s.vmstat[i] = i == 1 ? -1 : (int64_t)i * 1000;
	for (i = 0; i < cow_events_count(); i++)
		s.events[i] = cow_event_info(i)->available ? 7 + (int64_t)i : -1;
	cow_results_add(r, &s);

	cow_sample_init(&s, "ksm.unmerge");
	cow_sample_param_num(&s, "size", 4096);
	s.ns = 5;
	s.ops = 2;
	s.pages_written = 1;
	s.pages_copied = 0;
	s.pages_required = 1;
	s.copies_missing = 1;
	snprintf(s.kernel_wpcopy_reason, sizeof(s.kernel_wpcopy_reason),
		 "kernel.task_delayacct is 0");
	cow_sample_verdict(&s, COW_FAIL, "copied %d of %d pages", 0, 1);
	cow_results_add(r, &s);

	cow_sample_init(&s, "fork.anon");
	s.ns = 7;
	snprintf(s.kernel_log, sizeof(s.kernel_log),
		 "WARNING: CPU: 1 PID: 42 at mm/memory.c:1 wp_page_copy+0x1/0x2");
	cow_sample_verdict(&s, COW_FAIL, "kernel: %s", s.kernel_log);
	cow_results_add(r, &s);
}

static void test_roundtrip(struct cow_results *r)
{
	struct cow_results back;
	const char *diff = NULL, *v;
	struct utsname un;
	char err[256];
	size_t i;

	tap_ok(cow_results_read(path, &back, err, sizeof(err)) == 0,
	       "read back: %s", err);
	tap_ok(back.n == r->n, "%zu samples back", back.n);
	for (i = 0; i < r->n && i < back.n; i++) {
		diff = sample_diff(&r->samples[i], &back.samples[i]);
		if (diff)
			break;
	}
	tap_ok(!diff, "every field the same%s%s", diff ? ": not " : "",
	       diff ? diff : "");
	tap_ok(!strcmp(back.start, r->start) && !strcmp(back.end, r->end) &&
	       back.partial == r->partial && back.command_line &&
	       !strcmp(back.command_line, r->command_line),
	       "meta start, end, partial and command line");
	tap_ok(r->knobs_json[0] == '{' && !strcmp(back.knobs_json, r->knobs_json),
	       "knobs back as the same text");
	tap_ok(!strcmp(back.kernel_log, r->kernel_log),
	       "meta kernel_log back: \"%s\"", back.kernel_log);
	uname(&un);
	v = cow_results_meta(&back, "uname.release");
	tap_ok(v && !strcmp(v, un.release), "flattened meta: uname.release %s",
	       v ? v : "missing");
	v = cow_results_meta(&back, "tool_version");
	tap_ok(v && !strcmp(v, PACKAGE_VERSION), "flattened meta: tool_version %s",
	       v ? v : "missing");
	v = cow_results_meta(&back, "partial");
	tap_ok(v && !strcmp(v, r->partial ? "true" : "false") &&
	       (v = cow_results_meta(&back, "end")) && !strcmp(v, r->end) &&
	       !cow_results_meta(&back, "no.such.key"),
	       "flattened meta: booleans and strings as text, absent keys NULL");
	cow_results_free(&back);
	tap_ok(!back.meta && !back.nmeta, "free empties the meta");
}

/* The JSON types a reader of the file (not of the struct) sees. */
static void test_json_types(void)
{
	struct json_object *root = json_object_from_file(path), *s0, *s1, *s2;

	s0 = json_object_array_get_idx(json_object_object_get(root, "samples"), 0);
	s1 = json_object_array_get_idx(json_object_object_get(root, "samples"), 1);
	s2 = json_object_array_get_idx(json_object_object_get(root, "samples"), 2);
	tap_ok(s0 && json_object_object_get_ex(s0, "faults_minor", NULL) &&
	       !json_object_object_get(s0, "faults_minor") &&
	       !json_object_object_get(s0, "ns_per_op"),
	       "-1 and ops 0 are written as null");
	tap_ok(s1 && json_object_is_type(json_object_object_get(
			json_object_object_get(s1, "params"), "size"), json_type_int) &&
	       json_object_is_type(json_object_object_get(
			json_object_object_get(s1, "params"), "fraction"), json_type_double),
	       "integral params as integers, others as doubles");
	tap_ok(s1 && !json_object_object_get(s1, "kernel_wpcopy_reason") && s2 &&
	       json_object_is_type(json_object_object_get(s2, "kernel_wpcopy_reason"),
				   json_type_string),
	       "kernel_wpcopy_reason only without a count");
	json_object_put(root);
}

static unsigned count_fields(const char *line)
{
	unsigned n = 1;

	for (; *line && *line != '\n'; line++)
		n += *line == '\t';
	return n;
}

static void test_tsv(const struct cow_results *r)
{
	char tsv[420], *line = NULL;
	unsigned lines = 0, width = 0, bad = 0, nan = 0;
	bool ref_last = false;
	size_t cap = 0;
	FILE *f;

	snprintf(tsv, sizeof(tsv), "%s/samples.tsv", out);
	f = fopen(tsv, "r");
	if (!tap_ok(f != NULL, "samples.tsv exists"))
		return;
	while (getline(&line, &cap, f) > 0) {
		if (!lines++) {
			width = count_fields(line);
			tap_ok(!strncmp(line, "scenario\tparams\tsize\t", 21),
			       "plain header line");
			ref_last = strstr(line, "\tpoint_visits\tref_copy_ns\n");
		} else if (count_fields(line) != width) {
			bad++;
		}
		nan += lines == 2 && strstr(line, "\tNaN\t");
	}
	free(line);
	fclose(f);
	tap_ok(lines == r->n + 1, "header and %zu rows (%u lines)", r->n, lines);
	/* 15 fixed, the vmstat keys, the point's 9, then the reference */
	tap_ok(!bad && width == 15 + cow_vmstat_nkeys + 9 + 1,
	       "every row %u columns (%u rows differ)", width, bad);
	tap_ok(ref_last, "ref_copy_ns is the last column, after the point's");
	tap_ok(nan == 1, "null counters as NaN");
}

static void test_no_temp_files(void)
{
	struct dirent *d;
	unsigned n = 0;
	DIR *dp = opendir(out);

	while (dp && (d = readdir(dp)))
		n += strstr(d->d_name, ".tmp.") != NULL;
	if (dp)
		closedir(dp);
	tap_ok(dp && n == 0, "no temporary files left (%u)", n);
}

/* Each damaged file: -1, a one-line message naming it, r left empty. */
static void expect_bad(const char *name, const char *text, const char *what)
{
	struct cow_results r;
	char bad[420], err[256] = "";
	FILE *f;
	int ret;

	snprintf(bad, sizeof(bad), "%s/%s", dir, name);
	f = text ? fopen(bad, "w") : NULL;
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	ret = cow_results_read(bad, &r, err, sizeof(err));
	tap_ok(ret == -1 && strstr(err, bad) == err && !strchr(err, '\n') &&
	       r.n == 0 && !r.samples, "%s: %s", what, err);
}

/* The good file with one change, as text. */
static char *edited(const char *ptr, struct json_object *v)
{
	struct json_object *root = json_object_from_file(path), *parent;
	char *text, *slash, buf[64];

	snprintf(buf, sizeof(buf), "%s", ptr);
	slash = strrchr(buf, '/');
	*slash = '\0';
	if (json_pointer_get(root, buf, &parent))
		return NULL;
	if (json_object_is_type(parent, json_type_object))
		json_object_object_add(parent, slash + 1, v);
	else
		json_object_array_put_idx(parent, atoi(slash + 1), v);
	if (!v && json_object_is_type(parent, json_type_object))
		json_object_object_del(parent, slash + 1);
	text = strdup(json_object_to_json_string(root));
	json_object_put(root);
	return text;
}

/* A file from before kernel_log was written reads as one with it null. */
static void test_old_file(void)
{
	struct json_object *root = json_object_from_file(path), *arr, *m;
	struct cow_results r;
	char old[420], err[256] = "";
	size_t i;
	int ret;

	json_object_object_get_ex(root, "samples", &arr);
	for (i = 0; i < json_object_array_length(arr); i++)
		json_object_object_del(json_object_array_get_idx(arr, i),
				       "kernel_log");
	json_object_object_get_ex(root, "meta", &m);
	json_object_object_del(m, "kernel_log");
	snprintf(old, sizeof(old), "%s/old.json", dir);
	json_object_to_file(old, root);
	json_object_put(root);
	ret = cow_results_read(old, &r, err, sizeof(err));
	tap_ok(ret == 0 && r.n == 4 && !r.samples[3].kernel_log[0] &&
	       !r.kernel_log[0] && !cow_results_meta(&r, "kernel_log"),
	       "a file without kernel_log reads back: %s", err);
	if (!ret)
		cow_results_free(&r);
}

static void test_bad_input(void)
{
	char *good = NULL, *t;
	size_t cap = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");

	len = f ? getdelim(&good, &cap, '\0', f) : -1;
	if (f)
		fclose(f);
	if (!tap_ok(len > 100, "results.json readable"))
		return;
	good[len / 2] = '\0';
	expect_bad("truncated.json", good, "truncated");
	expect_bad("missing.json", NULL, "missing file");
	expect_bad("empty.json", "", "empty file");
	expect_bad("garbage.json", "meta: yes\n", "not JSON");
	expect_bad("trailing.json", "{\"meta\": {}, \"samples\": []} x", "trailing data");
	expect_bad("empty-object.json", "{}", "{}");
	expect_bad("array.json", "[]", "top level not an object");
#define EDIT(name, ptr, v, what) do {			\
		t = edited(ptr, v);				\
		expect_bad(name, t ? t : "", what);		\
		free(t);					\
	} while (0)
	EDIT("samples-object.json", "/samples", json_object_new_object(),
	     "samples not an array");
	EDIT("no-scenario.json", "/samples/1/scenario", NULL,
	     "sample without scenario");
	EDIT("ns-string.json", "/samples/0/ns", json_object_new_string("12"),
	     "ns a string");
	EDIT("ns-negative.json", "/samples/0/ns", json_object_new_int(-5),
	     "ns negative");
	EDIT("verdict.json", "/samples/2/verdict", json_object_new_string("maybe"),
	     "unknown verdict");
	EDIT("sample-number.json", "/samples/1", json_object_new_int(1),
	     "sample not an object");
	EDIT("params-array.json", "/samples/1/params", json_object_new_array(),
	     "params not an object");
	EDIT("no-partial.json", "/meta/partial", NULL, "meta without partial");
	EDIT("kernel-log-number.json", "/samples/3/kernel_log",
	     json_object_new_int(1), "kernel_log a number");
	EDIT("long-scenario.json", "/samples/0/scenario",
	     json_object_new_string("0123456789012345678901234567890123456789012345678901234"),
	     "scenario too long");
	/* from the fuzz target's properties (tests/fuzz/fuzz-results.c) */
	EDIT("verdict-newline.json", "/samples/2/verdict",
	     json_object_new_string("pa\nss"), "a newline in a verdict: one line");
	EDIT("scenario-slash.json", "/samples/0/scenario",
	     json_object_new_string("fork/child"), "scenario with a slash");
	EDIT("scenario-empty.json", "/samples/0/scenario",
	     json_object_new_string(""), "empty scenario");
#undef EDIT
	free(good);
}

static void test_verdicts(void)
{
	struct cow_sample s;

	cow_sample_init(&s, "x");
	tap_ok(s.verdict == COW_PASS && !s.reason[0] && s.faults_minor == -1 &&
	       s.kernel_wpcopy_delay_ns == -1 && s.vmstat[COW_VMSTAT_MAX - 1] == -1 &&
	       s.events[COW_MAX_EVENTS - 1] == -1, "init: pass, counters null");
	cow_sample_verdict(&s, COW_SKIP, "no %s", "THP");
	cow_sample_verdict(&s, COW_PASS, "fine");
	tap_ok(s.verdict == COW_SKIP && !strcmp(s.reason, "no THP"),
	       "skip replaces pass, pass does not replace skip");
	cow_sample_verdict(&s, COW_FAIL, "%d copies missing", 3);
	cow_sample_verdict(&s, COW_PASS, "fine");
	cow_sample_verdict(&s, COW_SKIP, "skip");
	cow_sample_verdict(&s, COW_FAIL, "later");
	tap_ok(s.verdict == COW_FAIL && !strcmp(s.reason, "3 copies missing"),
	       "fail is sticky and keeps the first reason");
}

static void test_kv(void)
{
	struct cow_sample s;
	char key[8];
	int i;

	cow_sample_init(&s, "x");
	for (i = 0; i < COW_MAX_METRICS + 3; i++) {
		snprintf(key, sizeof(key), "m%d", i);
		cow_sample_metric(&s, key, i);
	}
	cow_sample_metric(&s, "m0", 42);
	tap_ok(s.nmetrics == COW_MAX_METRICS && s.metrics[0].num == 42,
	       "metrics beyond the array ignored, a key set twice updated");
	cow_sample_param_num(&s, "size", 1);
	cow_sample_param_str(&s, "size", "2M");
	tap_ok(s.nparams == 1 && s.params[0].is_str &&
	       !strcmp(s.params[0].str, "2M"), "param replaced by a string");
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(p);
}

int main(int argc, char **argv)
{
	struct cow_results r = { 0 };
	const char *tmp = getenv("TMPDIR");

	if (cow_events_init(NULL))
		tap_diag("no events: %s", strerror(errno));
	snprintf(dir, sizeof(dir), "%s/test-results.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp failed");
	/* a directory that is not there yet: written with mkdir -p */
	snprintf(out, sizeof(out), "%s/a/b", dir);
	snprintf(path, sizeof(path), "%s/results.json", out);

	cow_results_collect_meta(&r, argc, argv);
	snprintf(r.kernel_log, sizeof(r.kernel_log), "not readable: test");
	make_samples(&r);
	r.partial = true;
	tap_ok(cow_results_write(&r, out) == 0, "first write");
	snprintf(r.end, sizeof(r.end), "2026-11-25T20:31:02Z");
	tap_ok(cow_results_write(&r, out) == 0, "write over it");
	test_no_temp_files();
	test_roundtrip(&r);
	test_json_types();
	test_tsv(&r);
	test_bad_input();
	test_old_file();
	test_verdicts();
	test_kv();
	cow_results_free(&r);
	tap_ok(!r.samples && !r.n && !r.command_line, "free empties the set");

	if (tap_failed)
		tap_diag("files kept in %s", dir);
	else
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
