// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare-report.c - what `cowbench compare` prints: a text table that
 * fits 80 columns (to paste into a mail), markdown, json and a flat tsv.
 * Every format says the same things; only the text one has to squeeze.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "compare-int.h"

#define WIDTH	78	/* a mail client's 80 less quoting room */

static const char *letter_str(const struct cmp *c, size_t r)
{
	static char s[CMP_MAX_RUNS][2];

	s[r][0] = c->runs[r].letter;
	return s[r];
}

/* Fits 9 columns whatever the magnitude. */
static const char *fmt_val(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v == trunc(v) && a < 1e9)
		snprintf(buf, len, "%.0f", v);
	else if (a < 10)
		snprintf(buf, len, "%.3f", v);
	else if (a < 1e4)
		snprintf(buf, len, "%.1f", v);
	else if (a < 1e9)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3e", v);
	return buf;
}

static const char *fmt_change(char *buf, size_t len,
			      const struct cmp *c, const struct cmp_result *r)
{
	const struct cmp_metric *m = &c->metrics[r->metric];

	if (r->cls == CMP_NODATA)
		snprintf(buf, len, "-");
	else if (r->cls == CMP_SAME)
		snprintf(buf, len, "=");
	else if (m->kind == CMP_COUNT && r->exact)
		snprintf(buf, len, "%+.0f", r->med_b - r->med_a);
	else if (isnan(r->change))
		snprintf(buf, len, "new");
	else if (fabs(r->change) >= 10)
		snprintf(buf, len, "%+.0f%%", 100 * r->change);
	else
		snprintf(buf, len, "%+.1f%%", 100 * r->change);
	return buf;
}

static const char *fmt_ci(char *buf, size_t len, const struct cmp *c,
			  const struct cmp_result *r)
{
	if (r->exact || r->cls == CMP_NODATA ||
	    c->metrics[r->metric].kind == CMP_COUNT)
		snprintf(buf, len, "%s", "");
	else if (isnan(r->lo))
		snprintf(buf, len, "-");
	else if (snprintf(buf, len, "%+.1f..%+.1f", 100 * r->lo,
			  100 * r->hi) > 15)
		snprintf(buf, len, "%+.0f..%+.0f", 100 * r->lo, 100 * r->hi);
	return buf;
}

static const char *fmt_q(char *buf, size_t len, double q)
{
	if (isnan(q))
		snprintf(buf, len, "%s", "");
	else if (q < 0.001)
		snprintf(buf, len, "<.001");
	else
		snprintf(buf, len, "%.3f", q);
	return buf;
}

/*
 * A blank that wrap() never breaks at: list items ("thp.fork-write 64M,
 * shared-all") are joined with it so that one is never split in two.
 */
#define NOBREAK	'\x1f'

static void put_word(FILE *f, const char *s, size_t n)
{
	for (; n; n--, s++)
		putc(*s == NOBREAK ? ' ' : *s, f);
}

/*
 * Words of s wrapped at WIDTH: the first line after first, the others
 * after cont.  A word longer than a line (a path) keeps its tail, which
 * is the part that tells paths apart.
 */
static void wrap(FILE *f, const char *first, const char *cont, const char *s)
{
	size_t col = strlen(first), len, keep;
	bool empty = true;	/* nothing but the prefix on this line yet */

	fputs(first, f);
	for (;;) {
		s += strspn(s, " ");
		if (!*s)
			break;
		len = strcspn(s, " ");
		if (!empty && col + 1 + len > WIDTH) {
			fprintf(f, "\n%s", cont);
			col = strlen(cont);
			empty = true;
		}
		if (!empty) {
			putc(' ', f);
			col++;
		}
		if (col + len > WIDTH && WIDTH > col + 3) {
			keep = WIDTH - col - 3;
			fputs("...", f);
			put_word(f, s + len - keep, keep);
			col += keep + 3;
		} else {
			put_word(f, s, len);
			col += len;
		}
		empty = false;
		s += len;
	}
	putc('\n', f);
}

/* No trailing blanks: some mail clients mangle them. */
static void put_trimmed(FILE *f, char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	fprintf(f, "%s\n", line);
}

static const char *verdict_word(enum cow_verdict v)
{
	return v == COW_FAIL ? "FAIL" : cow_verdict_name(v);
}

static void run_line(char *buf, size_t len, const struct cmp_run *r)
{
	const char *rel = cow_results_meta(&r->r, "uname.release");
	const char *tool = cow_results_meta(&r->r, "tool_version");

	char pool[48] = "";

	if (r->npool > 1)
		snprintf(pool, sizeof(pool), ", %zu runs pooled", r->npool);
	snprintf(buf, len, "%s, %s, %zu samples%s, cowbench %s%s",
		 rel ? rel : "unknown kernel", r->r.start[0] ? r->r.start : "?",
		 r->r.n, pool, tool ? tool : "?", r->r.partial ? ", PARTIAL" : "");
}

/* The hosts of a pooled run, comma separated. */
static void hosts_line(char *buf, size_t len, const struct cmp_run *r)
{
	size_t off = 0, h;

	buf[0] = '\0';
	for (h = 0; h < r->npool && off < len; h++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					h ? ", " : "", r->pool_hosts[h]);
}

/* (hi - lo) / lo: how far apart the hosts' medians are. */
static double spread_of(double lo, double hi)
{
	return lo > 0 ? hi / lo - 1 : NAN;
}

static void method_line(char *buf, size_t len, const struct cmp *c)
{
	snprintf(buf, len, "Method: medians of the passing repetitions; "
		 "Mann-Whitney U, %s, q < %g; 95%% interval of the change: "
		 "bootstrap, seed %llu, %u resamples.  A regression is "
		 "significant and worse with its whole interval beyond %g%%; "
		 "a count, any increase of extra copies.",
		 cow_padjust_name(c->o.padj), c->o.alpha,
		 (unsigned long long)c->o.seed, c->o.nboot,
		 100 * c->o.threshold);
}

static void ignore_line(char *buf, size_t len, const struct cmp *c)
{
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; c->o.ignore[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "Points matched regardless of: ",
					c->o.ignore[i]);
	if (off && off < len)
		snprintf(buf + off, len - off, ".");
}

/* ---- text --------------------------------------------------------------- */

static void text_diffs(FILE *f, const struct cmp *c)
{
	size_t i, r, col = (WIDTH - 2 - 22) / c->nruns;
	char first[64];

	if (!c->ndiffs) {
		fprintf(f, "\nThe runs' meta data agree (kernel, knobs, CPU, tool).\n");
		return;
	}
	fprintf(f, "\nWhat differs between the runs:\n");
	for (i = 0; i < c->ndiffs; i++) {
		const struct cmp_meta_diff *d = &c->diffs[i];
		bool fits = strlen(d->key) <= 21;

		for (r = 0; r < c->nruns; r++)
			if (d->val[r] && strlen(d->val[r]) + 3 > col)
				fits = false;
		if (fits && c->nruns * col + 24 <= WIDTH) {
			char line[256];
			size_t off;

			off = (size_t)snprintf(line, sizeof(line), "  %-21s", d->key);
			for (r = 0; r < c->nruns && off < sizeof(line); r++)
				off += (size_t)snprintf(line + off, sizeof(line) - off,
							" %c %-*s", c->runs[r].letter,
							(int)col - 3, d->val[r] ?
							d->val[r] : "(none)");
			put_trimmed(f, line);
			continue;
		}
		wrap(f, "  ", "  ", d->key);
		for (r = 0; r < c->nruns; r++) {
			snprintf(first, sizeof(first), "    %c ", c->runs[r].letter);
			wrap(f, first, "      ", d->val[r] ? d->val[r] : "(none)");
		}
	}
}

static void text_result(FILE *f, const struct cmp *c, const struct cmp_result *r)
{
	const struct cmp_metric *m = &c->metrics[r->metric];
	char a[32], b[32], ch[32], ci[40], q[16], line[160];

	if (m->kind == CMP_COUNT && !m->always && r->cls == CMP_SAME)
		return;
	if (strlen(m->show) > 20)
		fprintf(f, "  %s\n", m->show);
	snprintf(line, sizeof(line), "  %-20s %9s %9s %8s %-15s %5s %s",
		 strlen(m->show) > 20 ? "" : m->show,
		 fmt_val(a, sizeof(a), r->med_a),
		 fmt_val(b, sizeof(b), r->med_b),
		 fmt_change(ch, sizeof(ch), c, r), fmt_ci(ci, sizeof(ci), c, r),
		 fmt_q(q, sizeof(q), r->q), cmp_class_mark(r->cls));
	put_trimmed(f, line);
}

static void text_point_head(FILE *f, const struct cmp *c,
			    const struct cmp_other *o, size_t pi)
{
	const struct cmp_point *p = &c->points[pi];
	const struct cmp_side *sa = &p->side[0], *sb = &p->side[o->run];
	char right[64];
	int room;

	if (sa->verdict == sb->verdict)
		snprintf(right, sizeof(right), "n %zu/%zu %s", sa->npass,
			 sb->npass, verdict_word(sa->verdict));
	else
		snprintf(right, sizeof(right), "n %zu/%zu %s -> %s", sa->npass,
			 sb->npass, verdict_word(sa->verdict),
			 verdict_word(sb->verdict));
	room = WIDTH - (int)strlen(right) - 1;
	if ((int)strlen(p->label) > room)
		fprintf(f, "%.*s~ %s\n", room - 1, p->label, right);
	else
		fprintf(f, "%-*s %s\n", room, p->label, right);
}

/*
 * The regressions (or improvements) of one other run, verdicts first: as
 * indented, wrapped lines for text, as a bullet list for markdown.
 */
static void listing(FILE *f, const struct cmp *c, const struct cmp_other *o,
		    enum cmp_class cls, const char *title, bool md)
{
	char line[512], ch[32], ci[40], q[16];
	size_t i, n = 0;

	for (i = 0; i < o->nver + o->nres; i++) {
		const struct cmp_verdict *v = i < o->nver ? &o->ver[i] : NULL;
		const struct cmp_result *r = v ? NULL : &o->res[i - o->nver];
		const struct cmp_point *p = &c->points[v ? v->point : r->point];
		const char *q1 = md ? "`" : "";

		if ((v ? v->cls : r->cls) != cls)
			continue;
		if (!n++)
			fprintf(f, md ? "\n**%s**\n\n" : "%s:\n", title);
		if (v)
			snprintf(line, sizeof(line), "%s%s%s: %s -> %s%s%s", q1,
				 p->label, q1, verdict_word(v->a),
				 verdict_word(v->b), cls == CMP_REGRESSED ? ": " : "",
				 cls == CMP_REGRESSED ? p->side[o->run].reason : "");
		else if (r->exact)
			snprintf(line, sizeof(line), "%s%s%s: %s %.0f -> %.0f (exact)",
				 q1, p->label, q1, c->metrics[r->metric].show,
				 r->med_a, r->med_b);
		else
			snprintf(line, sizeof(line), "%s%s%s: %s %s (95%% CI %s%%, q %s)",
				 q1, p->label, q1, c->metrics[r->metric].show,
				 fmt_change(ch, sizeof(ch), c, r),
				 fmt_ci(ci, sizeof(ci), c, r),
				 fmt_q(q, sizeof(q), r->q));
		if (md)
			fprintf(f, "- %s\n", line);
		else
			wrap(f, "  ", "      ", line);
	}
}

static void text_only(FILE *f, const struct cmp *c, const size_t *l, size_t n,
		      char who)
{
	char *s = NULL, head[32];
	size_t i, len = 1;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		len += strlen(c->points[l[i]].label) + 2;
	s = cmp_xcalloc(len, 1);
	for (i = 0; i < n; i++) {
		char *item = s + strlen(s) + (i ? 2 : 0);

		/* "; ": the params have commas of their own */
		if (i)
			strcat(s, "; ");
		strcat(s, c->points[l[i]].label);
		/* one point, one unbreakable item */
		for (; *item; item++)
			if (*item == ' ')
				*item = NOBREAK;
	}
	snprintf(head, sizeof(head), "Only in %c: ", who);
	wrap(f, head, "  ", s);
	free(s);
}

static void text_other(FILE *f, const struct cmp *c, const struct cmp_other *o)
{
	char a = c->runs[0].letter, b = c->runs[o->run].letter, line[256];
	size_t i, j;

	fprintf(f, "\n%c against %c: %u regression%s, %u improvement%s\n", b, a,
		o->nregress, o->nregress == 1 ? "" : "s", o->nimprove,
		o->nimprove == 1 ? "" : "s");
	snprintf(line, sizeof(line), "%u test%s: %u significant at p < %g, %u "
		 "after %s.", o->ntests, o->ntests == 1 ? "" : "s", o->nsig_raw,
		 c->o.alpha, o->nsig_adj, cow_padjust_name(c->o.padj));
	wrap(f, "", "", line);
	listing(f, c, o, CMP_REGRESSED, "Regressions", false);
	listing(f, c, o, CMP_IMPROVED, "Improvements", false);
	text_only(f, c, o->only_base, o->nonly_base, a);
	text_only(f, c, o->only_other, o->nonly_other, b);

	fprintf(f, "\n  %-20s %9c %9c %8s %-15s %5s\n", "", a, b, "change",
		"95% CI, %", "q");
	for (i = 0; i < c->npoints; i++) {
		const struct cmp_side *sa = &c->points[i].side[0];
		const struct cmp_side *sb = &c->points[i].side[o->run];

		if (!sa->n || !sb->n)
			continue;
		text_point_head(f, c, o, i);
		/* a side without a passing repetition has nothing to compare */
		if (!sa->npass || !sb->npass) {
			const struct cmp_side *why = sb->npass ? sa : sb;
			char first[16];

			snprintf(first, sizeof(first), "  %c: ",
				 c->runs[sb->npass ? 0 : o->run].letter);
			wrap(f, first, "     ", why->reason && *why->reason ?
			     why->reason : "no passing repetition");
			continue;
		}
		for (j = 0; j < o->nres; j++)
			if (o->res[j].point == i)
				text_result(f, c, &o->res[j]);
	}
}

static void text_spread(FILE *f, const struct cmp *c)
{
	char line[1024], first[32], l[32], h[32], sp[32];
	double *med, lo, hi;
	size_t r, i;

	for (r = 0; r < c->nruns; r++) {
		const struct cmp_run *run = &c->runs[r];

		if (run->npool < 2)
			continue;
		fprintf(f, "\nSpread between the hosts pooled in %c (ns/op: lowest and highest\nhost median, and how far apart):\n",
			run->letter);
		hosts_line(line, sizeof(line), run);
		snprintf(first, sizeof(first), "  %zu hosts: ", run->npool);
		wrap(f, first, "    ", line);
		med = cmp_xcalloc(run->npool, sizeof(double));
		for (i = 0; i < c->npoints; i++) {
			const struct cmp_side *sd = &c->points[i].side[r];

			if (cmp_host_medians(c, r, sd, med, &lo, &hi) < 2)
				continue;
			snprintf(sp, sizeof(sp), "%.1f%%", 100 * spread_of(lo, hi));
			snprintf(line, sizeof(line), "  %-40.40s %10s %10s %8s",
				 c->points[i].label, fmt_val(l, sizeof(l), lo),
				 fmt_val(h, sizeof(h), hi), sp);
			put_trimmed(f, line);
		}
		free(med);
	}
}

static void text_report(FILE *f, const struct cmp *c)
{
	char line[1024], first[32];
	size_t r;

	fprintf(f, "cowbench compare: %zu run%s\n", c->nruns,
		c->nruns == 1 ? "" : "s");
	for (r = 0; r < c->nruns; r++) {
		snprintf(first, sizeof(first), "  %c %-5s ", c->runs[r].letter,
			 r ? "" : "base");
		wrap(f, first, "          ", c->runs[r].arg);
		run_line(line, sizeof(line), &c->runs[r]);
		wrap(f, "          ", "          ", line);
	}
	method_line(line, sizeof(line), c);
	wrap(f, "", "", line);
	ignore_line(line, sizeof(line), c);
	if (line[0])
		wrap(f, "", "", line);
	text_diffs(f, c);
	if (c->nwarnings)
		fputc('\n', f);
	for (r = 0; r < c->nwarnings; r++)
		wrap(f, "warning: ", "  ", c->warnings[r]);
	text_spread(f, c);
	for (r = 1; r < c->nruns; r++)
		text_other(f, c, &c->others[r - 1]);
}

/* ---- markdown ----------------------------------------------------------- */

/* Table cells: a | would end the cell. */
static void md_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++) {
		if (*s == '|')
			putc('\\', f);
		putc(*s, f);
	}
	putc(' ', f);
}

static void md_report(FILE *f, const struct cmp *c)
{
	char line[1024], a[32], b[32], ch[32], ci[40], q[16];
	size_t r, i, j;

	fprintf(f, "# cowbench compare\n\n| run | results | kernel, start, samples, tool |\n|---|---|---|\n");
	for (r = 0; r < c->nruns; r++) {
		run_line(line, sizeof(line), &c->runs[r]);
		fprintf(f, "| **%c**%s | `%s` ", c->runs[r].letter,
			r ? "" : " (base)", c->runs[r].arg);
		md_cell(f, line);
		fputs("|\n", f);
	}
	method_line(line, sizeof(line), c);
	fprintf(f, "\n%s\n", line);
	ignore_line(line, sizeof(line), c);
	if (line[0])
		fprintf(f, "\n%s\n", line);
	if (c->ndiffs) {
		fprintf(f, "\n## What differs between the runs\n\n| |");
		for (r = 0; r < c->nruns; r++)
			fprintf(f, " %c |", c->runs[r].letter);
		fprintf(f, "\n|---|");
		for (r = 0; r < c->nruns; r++)
			fprintf(f, "---|");
		fputc('\n', f);
		for (i = 0; i < c->ndiffs; i++) {
			md_cell(f, c->diffs[i].key);
			for (r = 0; r < c->nruns; r++)
				md_cell(f, c->diffs[i].val[r] ?
					c->diffs[i].val[r] : "(none)");
			fputs("|\n", f);
		}
	}
	for (i = 0; i < c->nwarnings; i++)
		fprintf(f, "%s> **Warning:** %s\n", i ? ">\n" : "\n",
			c->warnings[i]);
	for (r = 0; r < c->nruns; r++) {
		const struct cmp_run *run = &c->runs[r];
		double *med, lo, hi;

		if (run->npool < 2)
			continue;
		hosts_line(line, sizeof(line), run);
		fprintf(f, "\n## Spread between the hosts pooled in %c\n\n%zu hosts: ",
			run->letter, run->npool);
		md_cell(f, line);
		fprintf(f, "\n\n| scenario | lowest host median ns/op | highest | apart |\n|---|--:|--:|--:|\n");
		med = cmp_xcalloc(run->npool, sizeof(double));
		for (i = 0; i < c->npoints; i++) {
			if (cmp_host_medians(c, r, &c->points[i].side[r], med,
					     &lo, &hi) < 2)
				continue;
			fprintf(f, "| %s | %s | %s | %.1f%% |\n",
				c->points[i].label, fmt_val(a, sizeof(a), lo),
				fmt_val(b, sizeof(b), hi), 100 * spread_of(lo, hi));
		}
		free(med);
	}
	for (r = 1; r < c->nruns; r++) {
		const struct cmp_other *o = &c->others[r - 1];

		fprintf(f, "\n## %c against %c: %u regression%s, %u improvement%s\n\n",
			c->runs[r].letter, c->runs[0].letter, o->nregress,
			o->nregress == 1 ? "" : "s", o->nimprove,
			o->nimprove == 1 ? "" : "s");
		fprintf(f, "%u tests: %u significant at p < %g, %u after %s.\n",
			o->ntests, o->nsig_raw, c->o.alpha, o->nsig_adj,
			cow_padjust_name(c->o.padj));
		listing(f, c, o, CMP_REGRESSED, "Regressions", true);
		listing(f, c, o, CMP_IMPROVED, "Improvements", true);
		for (i = 0; i < o->nver; i++)
			if (o->ver[i].cls == CMP_DIFF)
				fprintf(f, "- `%s`: %s -> %s\n",
					c->points[o->ver[i].point].label,
					verdict_word(o->ver[i].a),
					verdict_word(o->ver[i].b));
		for (i = 0; i < o->nonly_base; i++)
			fprintf(f, "- only in %c: `%s`\n", c->runs[0].letter,
				c->points[o->only_base[i]].label);
		for (i = 0; i < o->nonly_other; i++)
			fprintf(f, "- only in %c: `%s`\n", c->runs[r].letter,
				c->points[o->only_other[i]].label);
		fprintf(f, "\n| scenario | metric | %c | %c | change | 95%% CI, %% | q | |\n"
			"|---|---|--:|--:|--:|--:|--:|---|\n", c->runs[0].letter,
			c->runs[r].letter);
		for (i = 0; i < c->npoints; i++) {
			for (j = 0; j < o->nres; j++) {
				const struct cmp_result *res = &o->res[j];
				const struct cmp_metric *m = &c->metrics[res->metric];
				bool bold = res->cls == CMP_REGRESSED;

				if (res->point != i || (m->kind == CMP_COUNT &&
				    !m->always && res->cls == CMP_SAME))
					continue;
				fprintf(f, "| %s | %s | %s | %s | %s%s%s | %s | %s | %s%s%s |\n",
					c->points[i].label, m->show,
					fmt_val(a, sizeof(a), res->med_a),
					fmt_val(b, sizeof(b), res->med_b),
					bold ? "**" : "",
					fmt_change(ch, sizeof(ch), c, res),
					bold ? "**" : "", fmt_ci(ci, sizeof(ci), c, res),
					fmt_q(q, sizeof(q), res->q), bold ? "**" : "",
					res->cls == CMP_SIG ? "\\*" :
					cmp_class_mark(res->cls), bold ? "**" : "");
			}
		}
	}
}

/* ---- json --------------------------------------------------------------- */

static struct json_object *jnum(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static const char *class_name(enum cmp_class cls)
{
	static const char *const names[] = {
		[CMP_NODATA] = "no data", [CMP_SAME] = "same",
		[CMP_NS] = "not significant", [CMP_DIFF] = "differs",
		[CMP_SIG] = "significant", [CMP_IMPROVED] = "improvement",
		[CMP_REGRESSED] = "regression",
	};

	return names[cls];
}

static struct json_object *json_result(const struct cmp *c,
				       const struct cmp_result *r)
{
	struct json_object *o = json_object_new_object();
	const struct cmp_point *p = &c->points[r->point];
	const struct cmp_metric *m = &c->metrics[r->metric];

	json_object_object_add(o, "scenario", jstr(p->scenario));
	json_object_object_add(o, "params", jstr(p->params));
	json_object_object_add(o, "metric", jstr(m->name));
	json_object_object_add(o, "kind", jstr(m->kind == CMP_COUNT ?
					     "count" : "continuous"));
	json_object_object_add(o, "n_base", json_object_new_int64((int64_t)r->na));
	json_object_object_add(o, "n_other", json_object_new_int64((int64_t)r->nb));
	json_object_object_add(o, "median_base", jnum(r->med_a));
	json_object_object_add(o, "median_other", jnum(r->med_b));
	json_object_object_add(o, "change", jnum(r->change));
	json_object_object_add(o, "ci_low", jnum(r->lo));
	json_object_object_add(o, "ci_high", jnum(r->hi));
	json_object_object_add(o, "p", jnum(r->p));
	json_object_object_add(o, "p_exact", json_object_new_boolean(r->p_exact));
	json_object_object_add(o, "q", jnum(r->q));
	json_object_object_add(o, "exact_count", json_object_new_boolean(r->exact));
	json_object_object_add(o, "class", jstr(class_name(r->cls)));
	return o;
}

static struct json_object *json_points(const struct cmp *c, const size_t *l,
				       size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, jstr(c->points[l[i]].label));
	return a;
}

/* A pooled run's hosts and, per point, each host's median ns/op. */
static struct json_object *json_pool(const struct cmp *c, size_t r)
{
	const struct cmp_run *run = &c->runs[r];
	struct json_object *o, *a, *pts, *pt, *m;
	double *med, lo, hi;
	size_t i, h;

	if (run->npool < 2)
		return NULL;
	o = json_object_new_object();
	a = json_object_new_array();
	for (h = 0; h < run->npool; h++) {
		m = json_object_new_object();
		json_object_object_add(m, "path", jstr(run->pool_paths[h]));
		json_object_object_add(m, "host", jstr(run->pool_hosts[h]));
		json_object_array_add(a, m);
	}
	json_object_object_add(o, "runs", a);
	pts = json_object_new_array();
	med = cmp_xcalloc(run->npool, sizeof(double));
	for (i = 0; i < c->npoints; i++) {
		if (cmp_host_medians(c, r, &c->points[i].side[r], med, &lo, &hi) < 2)
			continue;
		pt = json_object_new_object();
		json_object_object_add(pt, "point", jstr(c->points[i].label));
		a = json_object_new_array();
		for (h = 0; h < run->npool; h++)
			json_object_array_add(a, jnum(med[h]));
		json_object_object_add(pt, "host_medians_ns_per_op", a);
		json_object_object_add(pt, "spread", jnum(spread_of(lo, hi)));
		json_object_array_add(pts, pt);
	}
	free(med);
	json_object_object_add(o, "spread", pts);
	return o;
}

static void json_report(FILE *f, const struct cmp *c)
{
	struct json_object *root = json_object_new_object(), *a, *o, *d;
	char line[1024];
	size_t r, i;

	a = json_object_new_array();
	for (r = 0; r < c->nruns; r++) {
		o = json_object_new_object();
		json_object_object_add(o, "letter", jstr(letter_str(c, r)));
		json_object_object_add(o, "path", jstr(c->runs[r].path));
		json_object_object_add(o, "label", jstr(c->runs[r].label));
		json_object_object_add(o, "release",
			jstr(cow_results_meta(&c->runs[r].r, "uname.release")));
		json_object_object_add(o, "tool_version",
			jstr(cow_results_meta(&c->runs[r].r, "tool_version")));
		json_object_object_add(o, "start", jstr(c->runs[r].r.start));
		json_object_object_add(o, "samples",
				       json_object_new_int64((int64_t)c->runs[r].r.n));
		json_object_object_add(o, "partial",
				       json_object_new_boolean(c->runs[r].r.partial));
		json_object_object_add(o, "pooled", json_pool(c, r));
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "runs", a);
	o = json_object_new_object();
	json_object_object_add(o, "seed", json_object_new_uint64(c->o.seed));
	json_object_object_add(o, "resamples", json_object_new_int64(c->o.nboot));
	json_object_object_add(o, "alpha", jnum(c->o.alpha));
	json_object_object_add(o, "threshold", jnum(c->o.threshold));
	json_object_object_add(o, "correction", jstr(cow_padjust_name(c->o.padj)));
	method_line(line, sizeof(line), c);
	json_object_object_add(o, "description", jstr(line));
	json_object_object_add(root, "method", o);
	d = json_object_new_object();
	for (i = 0; i < c->ndiffs; i++) {
		a = json_object_new_array();
		for (r = 0; r < c->nruns; r++)
			json_object_array_add(a, jstr(c->diffs[i].val[r]));
		json_object_object_add(d, c->diffs[i].key, a);
	}
	json_object_object_add(root, "meta_differences", d);
	a = json_object_new_array();
	for (i = 0; i < c->nwarnings; i++)
		json_object_array_add(a, jstr(c->warnings[i]));
	json_object_object_add(root, "warnings", a);
	a = json_object_new_array();
	for (r = 1; r < c->nruns; r++) {
		const struct cmp_other *ot = &c->others[r - 1];
		struct json_object *res = json_object_new_array();
		struct json_object *ver = json_object_new_array();

		o = json_object_new_object();
		json_object_object_add(o, "other", jstr(letter_str(c, r)));
		json_object_object_add(o, "base", jstr(letter_str(c, 0)));
		json_object_object_add(o, "regressions", json_object_new_int(ot->nregress));
		json_object_object_add(o, "improvements", json_object_new_int(ot->nimprove));
		json_object_object_add(o, "tests", json_object_new_int(ot->ntests));
		json_object_object_add(o, "significant_raw", json_object_new_int(ot->nsig_raw));
		json_object_object_add(o, "significant_adjusted",
				       json_object_new_int(ot->nsig_adj));
		/* most ns/op moved one way: the machine, as likely as the kernel */
		if (ot->drift) {
			d = json_object_new_object();
			json_object_object_add(d, "direction",
					       jstr(ot->drift > 0 ? "up" : "down"));
			json_object_object_add(d, "scenarios",
					       json_object_new_int((int)ot->drift_most));
			json_object_object_add(d, "of",
					       json_object_new_int((int)ot->drift_of));
			json_object_object_add(d, "median_change",
					       jnum(ot->drift_median));
			json_object_object_add(o, "drift", d);
		} else {
			json_object_object_add(o, "drift", NULL);
		}
		for (i = 0; i < ot->nver; i++) {
			struct json_object *v = json_object_new_object();
			const struct cmp_point *p = &c->points[ot->ver[i].point];

			json_object_object_add(v, "point", jstr(p->label));
			json_object_object_add(v, "base", jstr(cow_verdict_name(ot->ver[i].a)));
			json_object_object_add(v, "other", jstr(cow_verdict_name(ot->ver[i].b)));
			json_object_object_add(v, "reason", jstr(p->side[r].reason));
			json_object_object_add(v, "class", jstr(class_name(ot->ver[i].cls)));
			json_object_array_add(ver, v);
		}
		json_object_object_add(o, "verdict_changes", ver);
		json_object_object_add(o, "only_base",
				       json_points(c, ot->only_base, ot->nonly_base));
		json_object_object_add(o, "only_other",
				       json_points(c, ot->only_other, ot->nonly_other));
		for (i = 0; i < ot->nres; i++)
			json_object_array_add(res, json_result(c, &ot->res[i]));
		json_object_object_add(o, "results", res);
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "comparisons", a);
	json_object_object_add(root, "regressions", json_object_new_int(c->nregress));
	fprintf(f, "%s\n", json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* ---- tsv ---------------------------------------------------------------- */

static void tsv_report(FILE *f, const struct cmp *c)
{
	size_t r, i;

	fputs("other\tbase\tscenario\tparams\tmetric\tkind\tn_base\tn_other"
	      "\tmedian_base\tmedian_other\tchange_pct\tci_low_pct\tci_high_pct"
	      "\tp\tq\tverdict_base\tverdict_other\tclass\n", f);
	for (r = 1; r < c->nruns; r++) {
		const struct cmp_other *o = &c->others[r - 1];

		for (i = 0; i < o->nres; i++) {
			const struct cmp_result *x = &o->res[i];
			const struct cmp_point *p = &c->points[x->point];
			const struct cmp_metric *m = &c->metrics[x->metric];

			fprintf(f, "%c\t%c\t%s\t%s\t%s\t%s\t%zu\t%zu",
				c->runs[r].letter, c->runs[0].letter, p->scenario,
				p->params[0] ? p->params : "-", m->name,
				m->kind == CMP_COUNT ? "count" : "continuous",
				x->na, x->nb);
			cmp_tsv_num(f, x->med_a);
			cmp_tsv_num(f, x->med_b);
			cmp_tsv_num(f, 100 * x->change);
			cmp_tsv_num(f, 100 * x->lo);
			cmp_tsv_num(f, 100 * x->hi);
			cmp_tsv_num(f, x->p);
			cmp_tsv_num(f, x->q);
			fprintf(f, "\t%s\t%s\t%s\n",
				cow_verdict_name(p->side[0].verdict),
				cow_verdict_name(p->side[r].verdict),
				class_name(x->cls));
		}
	}
}

void cmp_report(FILE *f, const struct cmp *c)
{
	switch (c->o.fmt) {
	case CMP_TEXT:
		text_report(f, c);
		break;
	case CMP_MARKDOWN:
		md_report(f, c);
		break;
	case CMP_JSON:
		json_report(f, c);
		break;
	case CMP_TSV:
		tsv_report(f, c);
		break;
	}
}
