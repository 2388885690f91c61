// SPDX-License-Identifier: GPL-2.0-only
/*
 * export-ktap.c - `export --format ktap`: KTAP version 1, as kselftest
 * prints it, one test per point: its result line, then a failure's or a
 * skip's reason as "# reason: ..." and its figures as "# NAME: VALUE
 * UNIT" diagnostic lines.  After the result, not before: LKFT's
 * parse-output.py gives a test the diagnostic lines that follow it (they
 * become a failing test's log file), and those before it to the test
 * before.  The exit status is
 * kselftest's: 0, 1 when a point failed, 4 when every point skipped.
 *
 * No diagnostic line reads as a result line: LKFT's parse-output.py reads
 * the lines before a result, uncommented, as a nested KTAP block, so a
 * figure named "ok-1" would be a test there.  Figure names are of
 * [A-Za-z0-9_-] (no space, no "Bail out!", no plan) and one that starts
 * with "ok" or "not" gets a '_' before it.  Names and reasons carry no
 * '#', which would open a directive.
 */
#include <string.h>

#include "export-int.h"

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

struct ktap_state {
	size_t n, nskip, nfail;
};

static struct ktap_state st;

static int ktap_begin(struct exp *e, FILE *f)
{
	const char *tool = exp_meta(e, "tool_version");
	const char *rel = exp_meta(e, "uname.release");
	char t[128], r[128];

	memset(&st, 0, sizeof(st));
	exp_text(t, sizeof(t), tool ? tool : "?");
	exp_text(r, sizeof(r), rel ? rel : "?");
	fprintf(f, "KTAP version 1\n# cowbench: tool %s, kernel %s\n1..%zu\n",
		t, r, e->npoints);
	return 0;
}

static int ktap_point(struct exp *e, FILE *f, const struct exp_point *p)
{
	const char *name = exp_unique(e, p->name, e->o.fmt->max_name);
	char num[400], reason[200], fig[COW_NAME_LEN];
	size_t i;

	st.n++;
	exp_text(reason, sizeof(reason), p->reason);
	switch (p->verdict) {
	case COW_PASS:
		fprintf(f, "ok %zu %s\n", st.n, name);
		break;
	case COW_SKIP:
		/*
		 * Not "# SKIP reason": LKFT's parse-output.py makes the words
		 * after SKIP part of the test's name, which would then change
		 * with the reason.
		 */
		st.nskip++;
		fprintf(f, "ok %zu %s # SKIP\n", st.n, name);
		break;
	default:
		st.nfail++;
		fprintf(f, "not ok %zu %s\n", st.n, name);
		break;
	}
	if (p->verdict != COW_PASS && reason[0])
		fprintf(f, "# reason: %s\n", reason);
	for (i = 0; i < p->nval; i++) {
		exp_component(fig, sizeof(fig), p->val[i].name);
		fprintf(f, "# %s%s: %s%s%s\n",
			!strncmp(fig, "ok", 2) || !strncmp(fig, "not", 3) ? "_" : "",
			fig, exp_num(p->val[i].v, num, sizeof(num)),
			p->val[i].unit ? " " : "",
			p->val[i].unit ? p->val[i].unit : "");
	}
	return ferror(f) ? -1 : 0;
}

static int ktap_end(struct exp *e, FILE *f, int *status)
{
	fprintf(f, "# Totals: pass:%zu fail:%zu xfail:0 xpass:0 skip:%zu error:0\n",
		st.n - st.nskip - st.nfail, st.nfail, st.nskip);
	*status = st.nfail ? KSFT_FAIL : st.nskip == st.n ? KSFT_SKIP : KSFT_PASS;
	return 0;
}

const struct exp_format exp_ktap = {
	.name = "ktap",
	.help = "KTAP version 1 (kselftest), one test per point",
	.rules = "test names of [A-Za-z0-9._-]; figures as '# NAME: VALUE UNIT'",
	.begin = ktap_begin,
	.point = ktap_point,
	.end = ktap_end,
};
