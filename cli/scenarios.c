// SPDX-License-Identifier: GPL-2.0-only
/*
 * scenarios.c - what the harness does with a scenario's declaration
 * (bench/scenario.h): joins the families' tables into one list, gives a
 * point its --quick size, checks the needs before prepare(), and prints
 * the declarations for --list in its forms.  The manual's scenario
 * section and doc/scenarios.md's reference are --list=man and --list=md
 * output (make update-docs), so that no description is kept twice.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* A listing line: the backings of a fork workload, each mTHP size named. */
#define BACKINGS_LEN	4096

const struct cow_scenario **bench_scenarios(void)
{
	const struct cow_scenario *const *const *fam;
	const struct cow_scenario *const *sc;
	const struct cow_scenario **all;
	size_t n = 0;

	for (fam = cow_families; *fam; fam++)
		for (sc = *fam; *sc; sc++)
			n++;
	all = calloc(n + 1, sizeof(*all));
	if (!all)
		return NULL;
	n = 0;
	for (fam = cow_families; *fam; fam++)
		for (sc = *fam; *sc; sc++)
			all[n++] = *sc;
	return all;
}

uint64_t bench_quick_cap(const struct cow_scenario *sc,
			 const struct cow_opts *o, unsigned variant,
			 uint64_t size)
{
	uint64_t q = sc->quick_size;
	char name[48];

	/* Not declared (a test fails on it): the point keeps its size. */
	if (!o->quick || o->size_set || !q)
		return size;
	/* A backing but small pages: a check of its path, at 16M. */
	if (sc->backing_name &&
	    sc->backing_name(o, variant, name, sizeof(name)) &&
	    strcmp(name, "small") && q > COW_QUICK_SIZE)
		q = COW_QUICK_SIZE;
	return size > q ? q : size;
}

int bench_needs_check(const struct cow_scenario *sc, char *reason,
		      size_t len)
{
	const struct cow_need *n;
	char why[160];
	unsigned i;

	for (i = 0; i < COW_NEEDS_MAX && sc->needs[i].kind; i++) {
		n = &sc->needs[i];
		switch (n->kind) {
		case COW_NEED_ROOT:
			if (!geteuid())
				continue;
			snprintf(reason, len, "needs root (%s)", n->why);
			return -1;
		case COW_NEED_FILE:
		case COW_NEED_WRITABLE:
			if (!access(n->what, n->kind == COW_NEED_FILE ?
				    F_OK : W_OK))
				continue;
			snprintf(reason, len, "needs %s%s (%s): %s", n->what,
				 n->kind == COW_NEED_FILE ? "" : " writable",
				 n->why, strerror(errno));
			return -1;
		case COW_NEED_PROBE:
			why[0] = '\0';
			if (!n->probe(why, sizeof(why)))
				continue;
			snprintf(reason, len, "needs %s (%s): %s", n->what,
				 n->why, why);
			return -1;
		case COW_NEED_NONE:
		case COW_NEED_PREPARE:
			break;
		}
	}
	return 0;
}

/* ---- the listings ------------------------------------------------------- */

/* The form a text takes in one output format. */
enum text_form { TF_TEXT, TF_MAN, TF_MD };

/*
 * Whether a word at the start of a line would make Markdown begin a list
 * item, a quote or a heading: such a word stays on the line before.
 */
static bool md_marker(const char *w, size_t wl)
{
	size_t d = strspn(w, "0123456789");

	if (wl == 1 && strchr("-+*>#", w[0]))
		return true;
	return d && d + 1 == wl && (w[d] == '.' || w[d] == ')');
}

/*
 * Words of s to f, filled to width after indent: each line but the first
 * starts with indent spaces (the first is where the caller left it, at
 * col).  In the manual, \ - and `code` are escaped, and a line may not
 * begin with a dot or a quote, which troff would take for a request.
 */
static void put_words(FILE *f, const char *s, enum text_form tf, int col,
		      int indent, int width)
{
	bool code = false;
	const char *w;
	size_t wl, i;

	/* An undeclared text prints nothing (tests/docs.sh fails on it). */
	while (s && *s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && *s != ' ')
			s++;
		wl = (size_t)(s - w);
		if (col > indent && col + 1 + (int)wl > width &&
		    !(tf == TF_MD && md_marker(w, wl))) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		if (tf == TF_MAN && col == indent &&
		    (w[0] == '.' || w[0] == '\''))
			fputs("\\&", f);
		for (i = 0; i < wl; i++) {
			char c = w[i];

			/* Plain text shows code as it is, unmarked. */
			if (tf == TF_TEXT && c == '`')
				continue;
			if (tf != TF_MAN) {
				fputc(c, f);
				continue;
			}
			if (c == '`')
				fputs((code = !code) ? "\\fB" : "\\fR", f);
			else if (c == '\\')
				fputs("\\e", f);
			else if (c == '-')
				fputs("\\-", f);
			else
				fputc(c, f);
		}
		col += (int)wl;
	}
}

/* One need as the listings show it, into buf. */
static const char *need_str(const struct cow_need *n, char *buf, size_t len)
{
	switch (n->kind) {
	case COW_NEED_ROOT:
		snprintf(buf, len, "root (%s)", n->why);
		break;
	case COW_NEED_FILE:
		snprintf(buf, len, "`%s` (%s)", n->what, n->why);
		break;
	case COW_NEED_WRITABLE:
		snprintf(buf, len, "`%s` writable (%s)", n->what, n->why);
		break;
	case COW_NEED_PROBE:
		snprintf(buf, len, "%s (%s; probed)", n->what, n->why);
		break;
	case COW_NEED_PREPARE:
		snprintf(buf, len, "%s (%s; checked by prepare)", n->what,
			 n->why);
		break;
	case COW_NEED_NONE:
		buf[0] = '\0';
		break;
	}
	return buf;
}

/* The needs, "a; b", or that there are none, into buf. */
static const char *needs_str(const struct cow_scenario *sc, char *buf,
			     size_t len)
{
	char one[256];
	size_t at = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < COW_NEEDS_MAX && sc->needs[i].kind && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       i ? "; " : "",
				       need_str(&sc->needs[i], one,
						sizeof(one)));
	if (!i)
		snprintf(buf, len, "nothing beyond the harness's own");
	return buf;
}

static const char *commits_str(const struct cow_scenario *sc, char *buf,
			       size_t len)
{
	size_t at = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < COW_COMMITS_MAX && sc->commits[i].id && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s`%s` %s",
				       i ? "; " : "", sc->commits[i].id,
				       sc->commits[i].what);
	if (!i)
		snprintf(buf, len, "none named");
	return buf;
}

static void backings_str(const struct cow_scenario *sc,
			 const struct cow_opts *o, char *buf, size_t len,
			 bool generic);

/* Whether the backing list in "a, b, c" form has name in it. */
static bool in_list(const char *list, const char *name)
{
	size_t nl = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += nl)
		if ((p == list || p[-1] == ' ') && (!p[nl] || p[nl] == ','))
			return true;
	return false;
}

static void quick_str(const struct cow_scenario *sc, char *buf, size_t len)
{
	char sz[32];

	if (sc->quick_size == COW_QUICK_FULL)
		snprintf(buf, len, "keeps its size");
	else if (!sc->quick_size)
		snprintf(buf, len, "not declared");
	else
		snprintf(buf, len, "at most %s",
			 cow_size_str(sc->quick_size, sz, sizeof(sz)));
	if (sc->backing_name && sc->nvariants) {
		struct cow_opts quick = { .quick = true }, full = { .full = true };
		size_t at = strlen(buf);

		char fl[BACKINGS_LEN], ql[BACKINGS_LEN], *w, *save;
		unsigned nq = sc->nvariants(&quick);

		/* Fewer variants in --quick: the backings are left out there. */
		backings_str(sc, &quick, ql, sizeof(ql), true);
		if (nq < sc->nvariants(&full) && !strcmp(ql, "small")) {
			snprintf(buf + at, len - at,
				 "; small pages only (the other backings "
				 "without --quick)");
			return;
		}
		if (sc->quick_size > COW_QUICK_SIZE)
			at += (size_t)snprintf(buf + at, len - at,
					       "; every backing but small at most %s",
					       cow_size_str(COW_QUICK_SIZE, sz,
							    sizeof(sz)));
		if (nq == sc->nvariants(&full) || at >= len)
			return;
		/* Some left out: named as the docs name them. */
		backings_str(sc, &full, fl, sizeof(fl), true);
		at += (size_t)snprintf(buf + at, len - at,
				       "; without --quick only:");
		for (w = strtok_r(fl, ", ", &save); w && at < len;
		     w = strtok_r(NULL, ", ", &save))
			if (!in_list(ql, w))
				at += (size_t)snprintf(buf + at, len - at,
						       " %s,", w);
		if (at < len && buf[at - 1] == ',')
			buf[at - 1] = '\0';
	}
}

/*
 * "small, thp, pte-thp, ...": the backings of a scenario that has them,
 * under options o, in variant order, each once (variants may cross them
 * with something else, and the list then starts over); "" for one
 * without.  With generic, a backing named with a size (hugetlb, the THP
 * shapes at mTHP sizes) is "hugetlb-SIZE", "thp-pte-SIZE" whatever sizes
 * this machine has, for the docs generated from the list, which must
 * read the same everywhere.
 */
static void backings_str(const struct cow_scenario *sc,
			 const struct cow_opts *o, char *buf, size_t len,
			 bool generic)
{
	char name[48], first[48] = "", last[48] = "";
	size_t at = 0;
	unsigned v;
	char *dash;

	buf[0] = '\0';
	if (!sc->backing_name)
		return;
	for (v = 0; (!sc->nvariants || v < sc->nvariants(o)) &&
		    sc->backing_name(o, v, name, sizeof(name)) && at < len;
	     v++) {
		if (v && !strcmp(name, first))
			break;
		if (!v)
			snprintf(first, sizeof(first), "%s", name);
		dash = strrchr(name, '-');
		/* Sizes are the only parts of a name that start with a digit. */
		if (generic && dash && isdigit((unsigned char)dash[1]))
			snprintf(dash + 1, sizeof(name) - (size_t)(dash + 1 - name),
				 "SIZE");
		if (!strcmp(name, last))
			continue;
		snprintf(last, sizeof(last), "%s", name);
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       v ? ", " : "", name);
	}
}

/* The lines after a scenario's head, in form tf. */
static void list_details(FILE *f, const struct cow_scenario *sc,
			 enum text_form tf)
{
	static const char *const label[][4] = {
		[TF_TEXT] = { "needs", "--quick", "commits", "backings" },
		[TF_MAN] = { "Needs", "\\-\\-quick", "Kernel commits",
			     "Backings" },
		[TF_MD] = { "needs", "`--quick`", "kernel commits",
			    "backings" },
	};
	struct cow_opts full = { .full = true };
	char buf[4][BACKINGS_LEN];
	unsigned i;
	int col;

	needs_str(sc, buf[0], sizeof(buf[0]));
	quick_str(sc, buf[1], sizeof(buf[1]));
	commits_str(sc, buf[2], sizeof(buf[2]));
	backings_str(sc, &full, buf[3], sizeof(buf[3]), tf != TF_TEXT);
	for (i = 0; i < 4; i++) {
		if (!buf[i][0])
			continue;
		switch (tf) {
		case TF_TEXT:
			col = fprintf(f, "    %s:", label[tf][i]);
			put_words(f, buf[i], tf, col, 8, 78);
			break;
		case TF_MD:
			col = fprintf(f, "  - %s:", label[tf][i]);
			put_words(f, buf[i], tf, col, 4, 76);
			break;
		case TF_MAN:
			col = fprintf(f, ".br\n%s:", label[tf][i]) - 4;
			put_words(f, buf[i], tf, col, 0, 72);
			break;
		}
		fputc('\n', f);
	}
}

void bench_list(FILE *f, const struct cow_scenario *const *sel,
		enum bench_list_form form)
{
	const struct cow_scenario *const *sc;
	struct cow_opts full = { .full = true };
	char buf[BACKINGS_LEN];
	int col;

	for (sc = sel; *sc; sc++) {
		switch (form) {
		case BENCH_LIST_SHORT:
			fprintf(f, "%-28s %s\n", (*sc)->name, (*sc)->desc);
			backings_str(*sc, &full, buf, sizeof(buf), false);
			if (buf[0])
				fprintf(f, "%-28s   backings: %s\n", "", buf);
			break;
		case BENCH_LIST_LONG:
			fprintf(f, "%s%s\n    ", sc == sel ? "" : "\n",
				(*sc)->name);
			put_words(f, (*sc)->desc, TF_TEXT, 4, 4, 78);
			fputs("\n    ", f);
			put_words(f, (*sc)->help, TF_TEXT, 4, 4, 78);
			fputc('\n', f);
			list_details(f, *sc, TF_TEXT);
			break;
		case BENCH_LIST_MD:
			col = fprintf(f, "- `%s`:", (*sc)->name);
			put_words(f, (*sc)->desc, TF_MD, col, 2, 76);
			fputs(".\n  ", f);
			put_words(f, (*sc)->help, TF_MD, 2, 2, 76);
			fputc('\n', f);
			list_details(f, *sc, TF_MD);
			break;
		case BENCH_LIST_MAN:
			fputs(".TP\n.B", f);
			put_words(f, (*sc)->name, TF_MAN, 2, 0, 1000);
			fputs("\n", f);
			put_words(f, (*sc)->desc, TF_MAN, 0, 0, 72);
			fputs(".\n", f);
			put_words(f, (*sc)->help, TF_MAN, 0, 0, 72);
			fputc('\n', f);
			list_details(f, *sc, TF_MAN);
			break;
		}
	}
}
