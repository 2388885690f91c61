// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-export.c - libFuzzer target for `cowbench export`: results.json as
 * the reader takes it, then every format written from it, as a lab would
 * be handed bad results files.
 *
 * The input is one results.json, or two separated by a NUL byte (pooled).
 * Properties: a refused file or pair gets a one-line error; every format
 * writes from a run the checks accepted, and what it writes keeps its
 * engine's rules: LKP "KEY: DECIMAL" lines with each key once, LAVA ids
 * of [-_a-zA-Z0-9.] up to 100 characters each once, KTAP lines only,
 * KCIDB JSON whose paths are dot-separated [a-zA-Z0-9_-] components and
 * whose ids are unique, mmtests rows of six tab-separated fields.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "export-int.h"
#include "fuzz.h"

static bool name_char(char c, bool dot)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || (dot && c == '.');
}

/* A decimal as exp_num writes it: -?digits(.digits)? */
static bool decimal(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	if (i < n && s[i] == '-')
		i++;
	for (; i < n && isdigit((unsigned char)s[i]); i++)
		d++;
	if (!d)
		return false;
	if (i == n)
		return true;
	if (s[i++] != '.' || i == n)
		return false;
	for (; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Each line's first word (up to stop) is unique among lines. */
struct seen {
	char **v;
	size_t n;
};

static void once(struct seen *s, const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		FUZZ_ASSERT(strlen(s->v[i]) != n || memcmp(s->v[i], w, n));
	s->v = realloc(s->v, (s->n + 1) * sizeof(char *));
	FUZZ_ASSERT(s->v);
	s->v[s->n] = strndup(w, n);
	FUZZ_ASSERT(s->v[s->n]);
	s->n++;
}

static void seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void check_lkp(char *line, struct seen *keys)
{
	char *sep = strstr(line, ": ");
	size_t i;

	if (line[0] == '#')
		return;
	FUZZ_ASSERT(sep && sep > line);
	for (i = 0; line + i < sep; i++)
		FUZZ_ASSERT(name_char(line[i], true));
	FUZZ_ASSERT(decimal(sep + 2, strlen(sep + 2)));
	once(keys, line, (size_t)(sep - line));
}

static void check_lava(char *line, struct seen *ids)
{
	char *w[5], *save = NULL, *t;
	size_t n = 0, i;

	for (t = strtok_r(line, " ", &save); t && n < 5; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	FUZZ_ASSERT(n >= 2 && n <= 4);
	FUZZ_ASSERT(strlen(w[0]) <= 100);
	for (i = 0; w[0][i]; i++)
		FUZZ_ASSERT(name_char(w[0][i], true));
	FUZZ_ASSERT(!strcmp(w[1], "pass") || !strcmp(w[1], "fail") ||
		    !strcmp(w[1], "skip"));
	if (n >= 3)
		FUZZ_ASSERT(decimal(w[2], strlen(w[2])));
	once(ids, w[0], strlen(w[0]));
}

static void check_ktap(char *line, size_t nr)
{
	if (nr == 0) {
		FUZZ_ASSERT(!strcmp(line, "KTAP version 1"));
		return;
	}
	FUZZ_ASSERT(!strncmp(line, "# ", 2) || !strncmp(line, "ok ", 3) ||
		    !strncmp(line, "not ok ", 7) || !strncmp(line, "1..", 3));
	/* a diagnostic never reads as a result line when uncommented */
	if (!strncmp(line, "# ", 2))
		FUZZ_ASSERT(strncmp(line + 2, "ok", 2) && strncmp(line + 2, "not ok", 6));
}

static void check_mmtests(char *line, struct seen *ops)
{
	char *f[7], *save = NULL, *t, key[1100];
	size_t n = 0, i;

	for (t = strtok_r(line, "\t", &save); t && n < 7; t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	FUZZ_ASSERT(n == 6);
	for (i = 0; f[0][i]; i++)
		FUZZ_ASSERT(name_char(f[0][i], true));
	for (i = 0; f[1][i]; i++)
		FUZZ_ASSERT(name_char(f[1][i], true));
	FUZZ_ASSERT(decimal(f[4], strlen(f[4])));
	snprintf(key, sizeof(key), "%s\t%s", f[0], f[1]);
	once(ops, key, strlen(key));
}

static void check_kcidb(const char *text)
{
	struct json_object *root = json_tokener_parse(text), *tests, *t, *v;
	struct seen ids = { 0 };
	const char *path;
	size_t i, j;

	FUZZ_ASSERT(root && json_object_object_get_ex(root, "tests", &tests));
	for (i = 0; i < json_object_array_length(tests); i++) {
		t = json_object_array_get_idx(tests, i);
		FUZZ_ASSERT(json_object_object_get_ex(t, "path", &v));
		path = json_object_get_string(v);
		/* ^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$ */
		for (j = 0; path[j]; j++) {
			FUZZ_ASSERT(name_char(path[j], true));
			if (path[j] == '.')
				FUZZ_ASSERT(j > 0 && path[j + 1] && path[j + 1] != '.');
		}
		FUZZ_ASSERT(json_object_object_get_ex(t, "id", &v));
		FUZZ_ASSERT(!strncmp(json_object_get_string(v), "fuzz:", 5));
		once(&ids, json_object_get_string(v), strlen(json_object_get_string(v)));
	}
	seen_free(&ids);
	json_object_put(root);
}

static void check_output(const struct exp_format *fmt, char *text)
{
	struct seen seen = { 0 };
	char *line, *save = NULL;
	size_t nr = 0;

	if (fmt == &exp_kcidb) {
		check_kcidb(text);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), nr++) {
		if (fmt == &exp_lkp)
			check_lkp(line, &seen);
		else if (fmt == &exp_lava)
			check_lava(line, &seen);
		else if (fmt == &exp_ktap)
			check_ktap(line, nr);
		else
			check_mmtests(line, &seen);
	}
	seen_free(&seen);
}

static int read_run(struct exp_run *run, const char *name, const uint8_t *data,
		    size_t size)
{
	char err[512];

	run->arg = name;
	if (cow_results_parse((const char *)data, size, name, &run->r, err,
			      sizeof(err))) {
		FUZZ_ASSERT(!strncmp(err, name, strlen(name)));
		FUZZ_ASSERT(!strchr(err, '\n'));
		return -1;
	}
	run->path = strdup(name);
	FUZZ_ASSERT(run->path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct exp_format *const fmts[] = {
		&exp_lkp, &exp_lava, &exp_ktap, &exp_kcidb, &exp_mmtests,
	};
	const uint8_t *nul = memchr(data, '\0', size);
	size_t na = nul ? (size_t)(nul - data) : size, i;
	struct exp e = { 0 };
	char err[1024], *text;
	size_t len;
	int status;
	FILE *f;

	e.nruns = nul ? 2 : 1;
	e.runs = calloc(e.nruns, sizeof(*e.runs));
	FUZZ_ASSERT(e.runs);
	if (read_run(&e.runs[0], "a/results.json", data, na) ||
	    (nul && read_run(&e.runs[1], "b/results.json", nul + 1, size - na - 1))) {
		exp_free(&e);
		return 0;
	}
	/* kcidb's check is the strictest: it has the runs' and its own */
	e.o.fmt = &exp_kcidb;
	e.o.origin = "fuzz";
	e.o.build_id = "b1";
	e.o.checkout_id = "fuzz:c1";
	if (exp_check(&e, err, sizeof(err))) {
		FUZZ_ASSERT(err[0] && !strchr(err, '\n'));
		exp_free(&e);
		return 0;
	}
	exp_build(&e);
	for (i = 0; i < COW_ARRAY_SIZE(fmts); i++) {
		text = NULL;
		len = 0;
		f = open_memstream(&text, &len);
		FUZZ_ASSERT(f);
		e.o.fmt = fmts[i];
		FUZZ_ASSERT(!exp_write(&e, f, &status, err, sizeof(err)));
		FUZZ_ASSERT(!fclose(f));
		FUZZ_ASSERT(fmts[i] == &exp_ktap ? status == 0 || status == 1 ||
			    status == 4 : status == 0);
		FUZZ_ASSERT(strlen(text) == len);
		check_output(fmts[i], text);
		free(text);
	}
	exp_free(&e);
	return 0;
}
