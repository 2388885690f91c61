// SPDX-License-Identifier: GPL-2.0-only
/*
 * check-results.c - schema check of a results.json and expectations on its
 * samples, for the shell tests.
 *
 * Reads the file with json-c directly rather than cow_results_read(), so
 * that a writer and reader agreeing on a wrong schema are still caught.
 * Exit 0: all good; 1: an expectation failed; 2: bad input or usage.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define T_NULL	(1u << 0)
#define T_BOOL	(1u << 1)
#define T_INT	(1u << 2)
#define T_NUM	(1u << 3)	/* int or double */
#define T_STR	(1u << 4)
#define T_OBJ	(1u << 5)
#define T_ARR	(1u << 6)

struct key {
	const char *name;
	unsigned types;
};

static const struct key meta_keys[] = {
	{ "tool_version", T_STR },
	{ "command_line", T_STR | T_NULL },
	{ "start", T_STR | T_NULL },
	{ "end", T_STR | T_NULL },
	{ "partial", T_BOOL },
	{ "uname", T_OBJ },
	{ "kernel_cmdline", T_STR | T_NULL },
	{ "cpu_model", T_STR | T_NULL },
	{ "nr_cpus", T_INT },
	{ "numa_nodes", T_INT },
	{ "page_size", T_INT },
	{ "knobs", T_OBJ },
	{ "events", T_ARR },
	{ "kernel_log", T_STR },
};

/* meta.vm, added by scripts/vm-run after the guest finished. */
static const struct key vm_keys[] = {
	{ "accelerator", T_STR }, { "emulated", T_BOOL },
	{ "vcpus", T_INT }, { "memory_mib", T_INT },
	{ "qemu_version", T_STR }, { "kernel_release", T_STR },
	{ "guest_release", T_STR }, { "guest_cpus", T_INT | T_NULL },
};

/* How the guest ended: vm-run since it brings partial results back. */
static const struct key vm_end_keys[] = {
	{ "outcome", T_STR }, { "finished", T_BOOL },
	{ "console_first", T_STR | T_NULL },
};

static const struct key uname_keys[] = {
	{ "sysname", T_STR }, { "release", T_STR },
	{ "version", T_STR }, { "machine", T_STR },
};

static const struct key event_keys[] = {
	{ "name", T_STR }, { "available", T_BOOL }, { "reason", T_STR | T_NULL },
};

static const struct key sample_keys[] = {
	{ "scenario", T_STR },
	{ "params", T_OBJ },
	{ "rep", T_INT },
	{ "ns", T_INT },
	{ "ops", T_INT },
	{ "ns_per_op", T_NUM | T_NULL },
	{ "faults_minor", T_INT | T_NULL },
	{ "faults_major", T_INT | T_NULL },
	{ "pages_written", T_INT | T_NULL },
	{ "pages_copied", T_INT | T_NULL },
	{ "pages_required", T_INT | T_NULL },
	{ "extra_copies", T_INT | T_NULL },
	{ "copies_missing", T_INT | T_NULL },
	{ "kernel_wpcopy", T_INT | T_NULL },
	{ "kernel_wpcopy_delay_ns", T_INT | T_NULL },
	{ "kernel_wpcopy_reason", T_STR | T_NULL },
	{ "vmstat", T_OBJ },
	{ "events", T_OBJ },
	{ "metrics", T_OBJ },
	{ "verdict", T_STR },
	{ "reason", T_STR },
	{ "kernel_log", T_STR | T_NULL },
};

static const char *file;

__attribute__((format(printf, 1, 2), noreturn))
static void bad_input(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "check-results: %s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static unsigned type_of(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return T_NULL;
	case json_type_boolean:
		return T_BOOL;
	case json_type_int:
		return T_INT | T_NUM;
	case json_type_double:
		return T_NUM;
	case json_type_string:
		return T_STR;
	case json_type_object:
		return T_OBJ;
	case json_type_array:
		return T_ARR;
	}
	return 0;
}

static void check_keys(struct json_object *o, const char *where,
		       const struct key *keys, size_t n)
{
	struct json_object *v;
	size_t i;

	if (!json_object_is_type(o, json_type_object))
		bad_input("%s is not an object", where);
	for (i = 0; i < n; i++) {
		if (!json_object_object_get_ex(o, keys[i].name, &v))
			bad_input("%s has no \"%s\"", where, keys[i].name);
		if (!(type_of(v) & keys[i].types))
			bad_input("%s: \"%s\" has the wrong type (%s)", where,
				  keys[i].name, json_type_to_name(json_object_get_type(v)));
	}
}

static struct json_object *get(struct json_object *o, const char *key)
{
	return json_object_object_get(o, key);
}

/* What the host says it booted is what the guest says it ran. */
static void check_vm(struct json_object *vm, struct json_object *meta)
{
	static const char *const outcomes[] = {
		"complete", "oops", "stall", "panic", "timeout", "stopped",
	};
	struct json_object *uname = get(meta, "uname");
	const char *acc, *rel, *out;
	size_t i;

	check_keys(vm, "meta.vm", vm_keys, sizeof(vm_keys) / sizeof(vm_keys[0]));
	acc = json_object_get_string(get(vm, "accelerator"));
	if (strcmp(acc, "kvm") && strcmp(acc, "tcg"))
		bad_input("meta.vm: unknown accelerator \"%s\"", acc);
	if (json_object_get_boolean(get(vm, "emulated")) != !strcmp(acc, "tcg"))
		bad_input("meta.vm: emulated does not match accelerator %s", acc);
	rel = json_object_get_string(get(uname, "release"));
	if (strcmp(json_object_get_string(get(vm, "guest_release")), rel))
		bad_input("meta.vm: guest_release %s, but the run's uname says %s",
			  json_object_get_string(get(vm, "guest_release")), rel);
	if (get(vm, "guest_cpus") &&
	    json_object_get_int64(get(vm, "guest_cpus")) !=
	    json_object_get_int64(get(vm, "vcpus")))
		bad_input("meta.vm: %" PRId64 " vCPUs asked, the guest saw %" PRId64,
			  json_object_get_int64(get(vm, "vcpus")),
			  json_object_get_int64(get(vm, "guest_cpus")));
	if (!get(vm, "outcome"))
		return;
	check_keys(vm, "meta.vm", vm_end_keys,
		   sizeof(vm_end_keys) / sizeof(vm_end_keys[0]));
	out = json_object_get_string(get(vm, "outcome"));
	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (!strcmp(out, outcomes[i]))
			break;
	if (i == sizeof(outcomes) / sizeof(outcomes[0]))
		bad_input("meta.vm: unknown outcome \"%s\"", out);
	/* A guest that did not finish cannot have left complete results. */
	if (!json_object_get_boolean(get(vm, "finished")) &&
	    !json_object_get_boolean(get(meta, "partial")))
		bad_input("meta.vm: the guest did not finish, but meta.partial is false");
	if (!strcmp(out, "complete") &&
	    (!json_object_get_boolean(get(vm, "finished")) ||
	     !json_object_is_type(get(vm, "console_first"), json_type_null)))
		bad_input("meta.vm: outcome complete, but unfinished or a console report");
}

/* A self-checked instrument's state: "ok", or "<state>: <reason>". */
static bool instrument_state_ok(const char *st)
{
	static const char *const with_reason[] = {
		"unreliable: ", "unavailable: ", "not checked: ",
	};
	size_t i, l;

	if (!strcmp(st, "ok"))
		return true;
	for (i = 0; i < sizeof(with_reason) / sizeof(with_reason[0]); i++) {
		l = strlen(with_reason[i]);
		if (!strncmp(st, with_reason[i], l) && st[l])
			return true;
	}
	return false;
}

static void check_instruments(struct json_object *ins)
{
	if (!json_object_is_type(ins, json_type_object))
		bad_input("meta.instruments is not an object");
	json_object_object_foreach(ins, k, v) {
		if (!json_object_is_type(v, json_type_string))
			bad_input("meta.instruments.%s is not a string", k);
		if (!instrument_state_ok(json_object_get_string(v)))
			bad_input("meta.instruments.%s: \"%s\" is not ok, or unreliable, unavailable or not checked with a reason",
				  k, json_object_get_string(v));
	}
}

static void check_meta(struct json_object *meta)
{
	struct json_object *evs;
	size_t i;
	char where[48];

	check_keys(meta, "meta", meta_keys, sizeof(meta_keys) / sizeof(meta_keys[0]));
	check_keys(get(meta, "uname"), "meta.uname", uname_keys,
		   sizeof(uname_keys) / sizeof(uname_keys[0]));
	if (json_object_object_get_ex(meta, "vm", NULL))
		check_vm(get(meta, "vm"), meta);
	/* Newer than the rest, and absent where the self-check did not run. */
	if (json_object_object_get_ex(meta, "instruments", NULL))
		check_instruments(get(meta, "instruments"));
	evs = get(meta, "events");
	for (i = 0; i < json_object_array_length(evs); i++) {
		snprintf(where, sizeof(where), "meta.events[%zu]", i);
		check_keys(json_object_array_get_idx(evs, i), where, event_keys,
			   sizeof(event_keys) / sizeof(event_keys[0]));
	}
}

static const struct key point_keys[] = {
	{ "reps", T_INT }, { "timed", T_INT },
	{ "precision_target", T_NUM | T_NULL },
	{ "interval", T_ARR | T_NULL }, { "interval_rel", T_NUM | T_NULL },
	{ "met", T_BOOL | T_NULL }, { "stop", T_STR }, { "time_ns", T_OBJ },
	{ "visits", T_INT },
};

static const struct key time_keys[] = {
	{ "wall", T_INT }, { "setup", T_INT }, { "measured", T_INT },
	{ "checks", T_INT },
};

/*
 * A sample's point (absent in files from before it; null while its point
 * was in progress): its repetitions, the interval they reached, and the
 * split of its wall time, each consistent with the others.
 */
static void check_point(struct json_object *p, const char *where)
{
	static const char *const stops[] = {
		"none", "reps", "precision", "max_reps", "budget", "skip",
	};
	struct json_object *t, *ci, *target, *rel, *met;
	int64_t reps, sum = 0;
	const char *stop;
	size_t i;

	check_keys(p, where, point_keys, sizeof(point_keys) / sizeof(point_keys[0]));
	t = get(p, "time_ns");
	check_keys(t, where, time_keys, sizeof(time_keys) / sizeof(time_keys[0]));
	reps = json_object_get_int64(get(p, "reps"));
	if (reps < 1 || json_object_get_int64(get(p, "timed")) < 0 ||
	    json_object_get_int64(get(p, "timed")) > reps)
		bad_input("%s: point reps must be >= 1 and timed in 0..reps", where);
	if (json_object_get_int64(get(p, "visits")) < 1 ||
	    json_object_get_int64(get(p, "visits")) > reps)
		bad_input("%s: point visits must be in 1..reps", where);
	stop = json_object_get_string(get(p, "stop"));
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (!strcmp(stop, stops[i]))
			break;
	if (i == sizeof(stops) / sizeof(stops[0]))
		bad_input("%s: unknown point stop \"%s\"", where, stop);
	target = get(p, "precision_target");
	met = get(p, "met");
	rel = get(p, "interval_rel");
	ci = get(p, "interval");
	if (!target != !met)
		bad_input("%s: point met must be null exactly without a precision_target",
			  where);
	/* Without a target only fixed --reps, a skip or a harness FAIL ends it. */
	if (target ? !strcmp(stop, "reps") :
	    strcmp(stop, "reps") && strcmp(stop, "skip") && strcmp(stop, "none"))
		bad_input("%s: point stop \"%s\" %s a precision_target", where,
			  stop, target ? "with" : "without");
	if (target && !(json_object_get_double(target) > 0))
		bad_input("%s: point precision_target is not above 0", where);
	if (!ci != !rel)
		bad_input("%s: point interval and interval_rel null together or neither",
			  where);
	if (ci && (json_object_array_length(ci) != 2 ||
		   !(type_of(json_object_array_get_idx(ci, 0)) & T_NUM) ||
		   !(type_of(json_object_array_get_idx(ci, 1)) & T_NUM) ||
		   json_object_get_double(json_object_array_get_idx(ci, 0)) >
		   json_object_get_double(json_object_array_get_idx(ci, 1))))
		bad_input("%s: point interval is not [low, high]", where);
	if (rel && json_object_get_double(rel) < 0)
		bad_input("%s: point interval_rel is negative", where);
	/* Met is what the figures say, and precision stops only when met. */
	if (met && json_object_get_boolean(met) !=
	    (rel && json_object_get_double(rel) <= json_object_get_double(target)))
		bad_input("%s: point met disagrees with interval_rel and precision_target",
			  where);
	if (!strcmp(stop, "precision") && !(met && json_object_get_boolean(met)))
		bad_input("%s: point stopped for precision without meeting it", where);
	for (i = 1; i < sizeof(time_keys) / sizeof(time_keys[0]); i++) {
		if (json_object_get_int64(get(t, time_keys[i].name)) < 0)
			bad_input("%s: point time_ns.%s is negative", where,
				  time_keys[i].name);
		sum += json_object_get_int64(get(t, time_keys[i].name));
	}
	if (json_object_get_int64(get(t, "wall")) < sum)
		bad_input("%s: point time_ns.wall is less than setup + measured + checks",
			  where);
}

/*
 * Each point's samples agree on its "point", and there are as many as it
 * says it took (a point repeated later in the file is a new point).
 */
static void check_point_counts(struct json_object *samples, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i = j) {
		struct json_object *a = json_object_array_get_idx(samples, i);
		const char *pa = json_object_to_json_string(get(a, "point"));
		char where[32];

		for (j = i + 1; j < n; j++) {
			struct json_object *b = json_object_array_get_idx(samples, j);

			if (strcmp(json_object_get_string(get(a, "scenario")),
				   json_object_get_string(get(b, "scenario"))) ||
			    strcmp(json_object_to_json_string(get(a, "params")),
				   json_object_to_json_string(get(b, "params"))))
				break;
		}
		if (!get(a, "point"))
			continue;
		snprintf(where, sizeof(where), "sample %zu", i);
		for (size_t k = i; k < j; k++)
			if (strcmp(pa, json_object_to_json_string(
				get(json_object_array_get_idx(samples, k), "point"))))
				bad_input("%s: samples of one point disagree on its \"point\"",
					  where);
		if (json_object_get_int64(get(get(a, "point"), "reps")) !=
		    (int64_t)(j - i))
			bad_input("%s: point says %" PRId64 " reps, it has %zu samples",
				  where, json_object_get_int64(get(get(a, "point"), "reps")),
				  j - i);
	}
}

/* Every sample the same shape, and counted events those meta lists. */
static void check_sample(struct json_object *s, size_t idx,
			 struct json_object *meta_events)
{
	struct json_object *v;
	const char *verdict;
	char where[32];
	size_t i, n;

	snprintf(where, sizeof(where), "sample %zu", idx);
	check_keys(s, where, sample_keys, sizeof(sample_keys) / sizeof(sample_keys[0]));
	verdict = json_object_get_string(get(s, "verdict"));
	if (strcmp(verdict, "pass") && strcmp(verdict, "skip") &&
	    strcmp(verdict, "fail"))
		bad_input("%s: unknown verdict \"%s\"", where, verdict);
	if (json_object_get_int64(get(s, "rep")) < 0 ||
	    json_object_get_int64(get(s, "ns")) < 0 ||
	    json_object_get_int64(get(s, "ops")) < 0)
		bad_input("%s: negative rep, ns or ops", where);
	if (!get(s, "ns_per_op") != !json_object_get_int64(get(s, "ops")))
		bad_input("%s: ns_per_op must be null exactly when ops is 0", where);
	if (get(s, "kernel_wpcopy") && get(s, "kernel_wpcopy_reason"))
		bad_input("%s: kernel_wpcopy_reason set with a kernel_wpcopy count",
			  where);
	/* A kernel warning fails its sample and is the first reason given. */
	if (get(s, "kernel_log") && (strcmp(verdict, "fail") ||
	    strncmp(json_object_get_string(get(s, "reason")), "kernel: ", 8)))
		bad_input("%s: kernel_log set but not failed with \"kernel: \"",
			  where);
	/* What a FAIL rests on: null for the other verdicts (newer key). */
	if (json_object_object_get_ex(s, "evidence", &v) && v) {
		static const char *const ev[] = {
			"data", "counts", "instrument", "kernel_log", "harness",
		};

		if (!json_object_is_type(v, json_type_string))
			bad_input("%s: evidence is not a string", where);
		if (strcmp(verdict, "fail"))
			bad_input("%s: evidence set on a sample that did not fail",
				  where);
		for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
			if (!strcmp(json_object_get_string(v), ev[i]))
				break;
		if (i == sizeof(ev) / sizeof(ev[0]))
			bad_input("%s: unknown evidence \"%s\"", where,
				  json_object_get_string(v));
	}
	if (json_object_object_get_ex(s, "point", &v) && v)
		check_point(v, where);
	v = get(s, "events");
	n = json_object_array_length(meta_events);
	if ((size_t)json_object_object_length(v) != n)
		bad_input("%s: %d events, meta lists %zu", where,
			  json_object_object_length(v), n);
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(
			get(json_object_array_get_idx(meta_events, i), "name"));

		if (!json_object_object_get_ex(v, name, NULL))
			bad_input("%s: no count for event \"%s\"", where, name);
	}
	for (i = 0; i < 2; i++) {
		json_object_object_foreach(get(s, i ? "events" : "vmstat"), k, c)
			if (!(type_of(c) & (T_INT | T_NULL)))
				bad_input("%s: %s.%s is not an integer or null",
					  where, i ? "events" : "vmstat", k);
	}
}

/* json_object_from_file() would not say where a bad file goes wrong. */
static struct json_object *load(void)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root;
	enum json_tokener_error e;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f = fopen(file, "r");

	if (!f)
		bad_input("%s", strerror(errno));
	len = getdelim(&buf, &cap, '\0', f);
	if (ferror(f))
		bad_input("%s", strerror(errno));
	fclose(f);
	if (len <= 0)
		bad_input("empty file");
	if (buf[len - 1] == '\0')
		bad_input("NUL byte at offset %zd", len - 1);
	root = json_tokener_parse_ex(tok, buf, len);
	e = json_tokener_get_error(tok);
	if (e == json_tokener_continue)
		bad_input("truncated JSON");
	if (e != json_tokener_success)
		bad_input("not valid JSON at offset %zu: %s",
			  json_tokener_get_parse_end(tok), json_tokener_error_desc(e));
	if (buf[json_tokener_get_parse_end(tok) +
		strspn(buf + json_tokener_get_parse_end(tok), " \t\r\n")])
		bad_input("data after the JSON text");
	json_tokener_free(tok);
	free(buf);
	return root;
}

static void usage(FILE *f)
{
	fputs("usage: check-results FILE [--scenario NAME] [--param KEY=VALUE]\n"
	      "         [--expect-copies-equal-written] [--expect-wpcopy-equal-copies]\n"
	      "         [--expect-required N] [--expect-equal FIELD,FIELD]\n"
	      "         [--expect-at-least FIELD,FIELD]\n"
	      "         [--expect-value FIELD=N] [--expect-verdict pass|skip|fail]\n"
	      "         [--min-samples N] [--print FIELD] [--expect-vm]\n"
	      "         [--expect-evidence EV] [--expect-instrument NAME=STATE]\n"
	      "         [--expect-point]\n"
	      "Expectations apply to the non-skip samples of the scenario (NAME may be\n"
	      "a glob) whose params.KEY is VALUE; --expect-verdict looks at skipped ones\n"
	      "too.  A null value never meets an expectation.  FIELD may name a member:\n"
	      "params.size, vmstat.pgfault, metrics.control_copies.  Only one of\n"
	      "--expect-equal and --expect-at-least (the first FIELD >= the second).\n"
	      "--expect-vm: the run has a meta.vm (scripts/vm-run); its shape is\n"
	      "checked whenever it is there (with an outcome: a known one, and\n"
	      "partial if the guest did not finish).\n"
	      "--expect-evidence EV: every selected FAIL rests on EV (data, counts,\n"
	      "instrument, kernel_log, harness).  --expect-instrument NAME=STATE\n"
	      "(repeatable): meta.instruments.NAME is STATE (ok, unreliable,\n"
	      "unavailable, not checked), with or without its reason.\n"
	      "--expect-point: every selected sample has a \"point\" (its point\n"
	      "ended); a point's shape is checked whenever it is there.\n",
	      f);
}

/* A dotted path below a sample; NULL when absent or null. */
static struct json_object *field(struct json_object *o, const char *path)
{
	char buf[256], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o;
	     tok = strtok_r(NULL, ".", &save))
		o = json_object_is_type(o, json_type_object) ? get(o, tok) : NULL;
	return o;
}

static void print_field(struct json_object *s, const char *path)
{
	struct json_object *v = field(s, path);

	if (!v)
		puts("null");
	else if (json_object_is_type(v, json_type_string))
		puts(json_object_get_string(v));
	else
		puts(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static bool failed;

__attribute__((format(printf, 2, 3)))
static void expect_fail(struct json_object *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "check-results: %s: %s rep %" PRId64 ": ", file,
		json_object_get_string(get(s, "scenario")),
		json_object_get_int64(get(s, "rep")));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failed = true;
}

/* a == b, both counted; the message has both values and why not. */
static void expect_equal(struct json_object *s, const char *a, const char *b)
{
	struct json_object *va = get(s, a), *vb = get(s, b);

	if (!va || !vb) {
		const char *null = !va ? a : b;
		/* only the kernel's count comes with its own reason */
		const char *why = json_object_get_string(get(s,
				!strcmp(null, "kernel_wpcopy") ?
				"kernel_wpcopy_reason" : "reason"));

		expect_fail(s, "%s is null, cannot compare with %s%s%s", null,
			    !va ? b : a, why && *why ? ": " : "", why ? why : "");
	} else if (json_object_get_int64(va) != json_object_get_int64(vb)) {
		expect_fail(s, "%s %" PRId64 " != %s %" PRId64, a,
			    json_object_get_int64(va), b, json_object_get_int64(vb));
	}
}

/* Dotted fields a and b both numbers, and a == b (or a >= b). */
static void expect_fields(struct json_object *s, const char *a,
			  const char *b, bool at_least)
{
	struct json_object *va = field(s, a), *vb = field(s, b);
	double x, y;

	if (!va || !vb) {
		expect_fail(s, "%s is null, cannot compare with %s: %s",
			    !va ? a : b, !va ? b : a,
			    json_object_get_string(get(s, "reason")));
		return;
	}
	x = json_object_get_double(va);
	y = json_object_get_double(vb);
	if (at_least ? x < y : x != y)
		expect_fail(s, "%s %s %s %s %s", a, json_object_get_string(va),
			    at_least ? "<" : "!=", b,
			    json_object_get_string(vb));
}

static void expect_field_value(struct json_object *s, const char *f,
			       long long want)
{
	struct json_object *v = field(s, f);

	if (!v)
		expect_fail(s, "%s is null, expected %lld: %s", f, want,
			    json_object_get_string(get(s, "reason")));
	else if (json_object_get_double(v) != (double)want)
		expect_fail(s, "%s %s, expected %lld", f,
			    json_object_get_string(v), want);
}

/* "KEY=VALUE" matches a string or numeric params.KEY. */
static bool param_matches(struct json_object *s, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[64];
	struct json_object *v;

	snprintf(key, sizeof(key), "params.%.*s", (int)(eq - kv), kv);
	v = field(s, key);
	return v && !strcmp(json_object_get_string(v), eq + 1);
}

/* "A<sep>B" with both parts non-empty, else exit 2. */
static void split_arg(const char *opt, const char *arg, char sep)
{
	const char *p = strchr(arg, sep);

	if (!p || p == arg || !p[1]) {
		fprintf(stderr, "check-results: %s: expected A%cB, not %s\n",
			opt, sep, arg);
		exit(2);
	}
}

static long long number_arg(const char *opt, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "check-results: %s: not a count: %s\n", opt, s);
		exit(2);
	}
	return v;
}

/* NAME=STATE: meta.instruments.NAME is STATE ("ok") or "STATE: reason". */
static void expect_instrument(struct json_object *meta, const char *arg)
{
	const char *eq = strchr(arg, '='), *st = eq + 1, *got = NULL;
	struct json_object *ins, *v;
	char name[64];
	size_t sl = strlen(st);

	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	if (json_object_object_get_ex(meta, "instruments", &ins) &&
	    json_object_object_get_ex(ins, name, &v))
		got = json_object_get_string(v);
	if (got && !strncmp(got, st, sl) && (!got[sl] || got[sl] == ':'))
		return;
	fprintf(stderr, "check-results: %s: meta.instruments.%s is %s, expected %s\n",
		file, name, got ? got : "absent", st);
	failed = true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "expect-copies-equal-written", no_argument, NULL, 'c' },
		{ "expect-wpcopy-equal-copies", no_argument, NULL, 'w' },
		{ "expect-required", required_argument, NULL, 'r' },
		{ "expect-verdict", required_argument, NULL, 'v' },
		{ "min-samples", required_argument, NULL, 'm' },
		{ "print", required_argument, NULL, 'p' },
		{ "param", required_argument, NULL, 'P' },
		{ "expect-equal", required_argument, NULL, 'e' },
		{ "expect-at-least", required_argument, NULL, 'a' },
		{ "expect-value", required_argument, NULL, 'x' },
		{ "expect-vm", no_argument, NULL, 'M' },
		{ "expect-evidence", required_argument, NULL, 'E' },
		{ "expect-instrument", required_argument, NULL, 'I' },
		{ "expect-point", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *scenario = NULL, *verdict = NULL, *print = NULL;
	const char *param = NULL, *equal = NULL, *value = NULL;
	const char *evidence = NULL, *instruments[16];
	size_t ninstruments = 0;
	bool at_least = false;
	char eq_a[128], eq_b[128], val_f[128];
	long long val_n = 0;
	bool copies_written = false, wpcopy_copies = false, want_vm = false;
	bool want_point = false;
	long long required = -1, min_samples = -1, matched = 0, used = 0;
	struct json_object *root, *meta, *samples;
	size_t i, n;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			scenario = optarg;
			break;
		case 'c':
			copies_written = true;
			break;
		case 'w':
			wpcopy_copies = true;
			break;
		case 'r':
			required = number_arg("--expect-required", optarg);
			break;
		case 'v':
			verdict = optarg;
			if (strcmp(verdict, "pass") && strcmp(verdict, "skip") &&
			    strcmp(verdict, "fail")) {
				fprintf(stderr, "check-results: --expect-verdict: pass, skip or fail, not %s\n",
					verdict);
				return 2;
			}
			break;
		case 'm':
			min_samples = number_arg("--min-samples", optarg);
			break;
		case 'p':
			print = optarg;
			break;
		case 'P':
			split_arg("--param", optarg, '=');
			param = optarg;
			break;
		case 'a':
			at_least = true;
			/* fall through */
		case 'e':
			split_arg(at_least ? "--expect-at-least" :
				  "--expect-equal", optarg, ',');
			equal = optarg;
			snprintf(eq_a, sizeof(eq_a), "%.*s",
				 (int)(strchr(equal, ',') - equal), equal);
			snprintf(eq_b, sizeof(eq_b), "%s", strchr(equal, ',') + 1);
			break;
		case 'x':
			split_arg("--expect-value", optarg, '=');
			value = optarg;
			snprintf(val_f, sizeof(val_f), "%.*s",
				 (int)(strchr(value, '=') - value), value);
			val_n = number_arg("--expect-value",
					   strchr(value, '=') + 1);
			break;
		case 'M':
			want_vm = true;
			break;
		case 'E':
			evidence = optarg;
			break;
		case 'T':
			want_point = true;
			break;
		case 'I':
			split_arg("--expect-instrument", optarg, '=');
			if (ninstruments == sizeof(instruments) /
					    sizeof(instruments[0])) {
				fprintf(stderr, "check-results: too many --expect-instrument\n");
				return 2;
			}
			instruments[ninstruments++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	file = argv[optind];

	root = load();
	if (!json_object_is_type(root, json_type_object))
		bad_input("the top level is not an object");
	if (!json_object_object_get_ex(root, "meta", &meta))
		bad_input("no \"meta\"");
	check_meta(meta);
	if (want_vm && !json_object_object_get_ex(meta, "vm", NULL)) {
		fprintf(stderr, "check-results: %s: no meta.vm\n", file);
		failed = true;
	}
	for (i = 0; i < ninstruments; i++)
		expect_instrument(meta, instruments[i]);
	if (!json_object_object_get_ex(root, "samples", &samples) ||
	    !json_object_is_type(samples, json_type_array))
		bad_input("no \"samples\" array");
	n = json_object_array_length(samples);
	for (i = 0; i < n; i++)
		check_sample(json_object_array_get_idx(samples, i), i,
			     get(meta, "events"));
	check_point_counts(samples, n);

	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(samples, i);
		const char *v = json_object_get_string(get(s, "verdict"));

		if (scenario &&
		    fnmatch(scenario, json_object_get_string(get(s, "scenario")), 0))
			continue;
		if (param && !param_matches(s, param))
			continue;
		matched++;
		if (want_point && !get(s, "point"))
			expect_fail(s, "no \"point\" (repetitions, interval, time split)");
		if (verdict && strcmp(v, verdict))
			expect_fail(s, "verdict %s, expected %s: %s", v, verdict,
				    json_object_get_string(get(s, "reason")));
		if (evidence && !strcmp(v, "fail") &&
		    (!get(s, "evidence") ||
		     strcmp(json_object_get_string(get(s, "evidence")), evidence)))
			expect_fail(s, "evidence %s, expected %s: %s",
				    get(s, "evidence") ?
				    json_object_get_string(get(s, "evidence")) :
				    "null", evidence,
				    json_object_get_string(get(s, "reason")));
		/* a skipped sample has nothing to check, unless skips are wanted */
		if (!strcmp(v, "skip") && !(verdict && !strcmp(verdict, "skip")))
			continue;
		used++;
		if (copies_written)
			expect_equal(s, "pages_copied", "pages_written");
		if (wpcopy_copies)
			expect_equal(s, "kernel_wpcopy", "pages_copied");
		if (required >= 0) {
			struct json_object *pr = get(s, "pages_required");

			if (!pr)
				expect_fail(s, "pages_required is null, expected %lld",
					    required);
			else if (json_object_get_int64(pr) != required)
				expect_fail(s, "pages_required %" PRId64 ", expected %lld",
					    json_object_get_int64(pr), required);
		}
		if (equal)
			expect_fields(s, eq_a, eq_b, at_least);
		if (value)
			expect_field_value(s, val_f, val_n);
		if (print)
			print_field(s, print);
	}
	if (scenario && !matched) {
		fprintf(stderr, "check-results: %s: no sample of scenario %s\n",
			file, scenario);
		failed = true;
	} else if (matched && !used) {
		fprintf(stderr, "check-results: %s: all %lld selected samples skipped\n",
			file, matched);
	}
	if (min_samples >= 0 && used < min_samples) {
		fprintf(stderr, "check-results: %s: %lld samples%s%s, expected at least %lld\n",
			file, used, scenario ? " of " : "", scenario ? scenario : "",
			min_samples);
		failed = true;
	}
	json_object_put(root);
	return failed ? 1 : 0;
}
