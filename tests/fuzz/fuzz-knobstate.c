// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-knobstate.c - libFuzzer target for the knob state file
 * (/run/cowbench/state), which the next start parses after a crash, as a
 * crash, a full disk or a bad block left it.  Only the parse runs: no
 * knob is written, no file removed.  Properties: every entry kept can be
 * acted on (a known kind, an absolute path without tab or newline that
 * fits); written back in the state file's format, the entries parse to
 * themselves; and more entries than room is an error, never a cut.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cow.h"
#include "fuzz.h"

static struct cow_undo u[COW_UNDO_MAX], again[COW_UNDO_MAX];

static int parse(const char *text, size_t len, pid_t *pid,
		 struct cow_undo *out, int max, char *err, size_t elen)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int n;

	FUZZ_ASSERT(f);
	n = cow_knobs_parse_state(f, "state", pid, out, max, err, elen);
	fclose(f);
	return n;
}

/* As knobs.c writes it: "pid N", then one tab-separated line each. */
static char *render(pid_t pid, const struct cow_undo *e, int n, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	int i;

	FUZZ_ASSERT(f);
	fprintf(f, "pid %d\n", (int)pid);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\t%s", cow_undo_kind_name(e[i].kind), e[i].path);
		if (e[i].kind == COW_UNDO_KNOB)
			fprintf(f, "\t%s", e[i].old);
		fputc('\n', f);
	}
	FUZZ_ASSERT(!fclose(f));
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "", *text;
	pid_t pid, pid2;
	size_t len;
	int n, n2, i;

	if (!size)
		return 0;
	n = parse((const char *)data, size, &pid, u, COW_UNDO_MAX, err,
		  sizeof(err));
	if (n < 0) {
		FUZZ_ASSERT(err[0] && !strchr(err, '\n'));
		return 0;
	}
	FUZZ_ASSERT(n <= COW_UNDO_MAX);
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(u[i].kind < COW_UNDO_NKINDS);
		FUZZ_ASSERT(u[i].path[0] == '/');
		FUZZ_ASSERT(strlen(u[i].path) < sizeof(u[i].path));
		FUZZ_ASSERT(!strpbrk(u[i].path, "\t\n"));
		FUZZ_ASSERT(strlen(u[i].old) < sizeof(u[i].old));
		FUZZ_ASSERT(!strchr(u[i].old, '\n'));
		FUZZ_ASSERT(u[i].kind == COW_UNDO_KNOB || !u[i].old[0]);
		FUZZ_ASSERT(!u[i].err);
	}
	text = render(pid, u, n, &len);
	n2 = parse(text, len, &pid2, again, COW_UNDO_MAX, err, sizeof(err));
	FUZZ_ASSERT(n2 == n && pid2 == pid);
	for (i = 0; i < n; i++)
		FUZZ_ASSERT(again[i].kind == u[i].kind &&
			    !strcmp(again[i].path, u[i].path) &&
			    !strcmp(again[i].old, u[i].old));
	if (n > 0)
		FUZZ_ASSERT(parse(text, len, &pid2, again, n - 1, err,
				  sizeof(err)) == -1);
	free(text);
	return 0;
}
