// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare-data.c - `cowbench compare --data-dir DIR`: the numbers the
 * gnuplot templates under plots/ draw, so that no chart computes a
 * statistic of its own (gnuplot has no bootstrap, and two programs
 * computing one median would one day disagree).
 *
 * Each chart gets NAME.tsv (tab separated; blocks separated by two blank
 * lines where the chart needs gnuplot's `index`) and NAME.gp, gnuplot
 * variables (counts, labels) the template loads.  vars.gp holds what
 * every chart shares.  NaN marks a value not measured.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare-int.h"

struct out {
	FILE *f;
	char path[4096];
};

static int out_open(struct out *o, const char *dir, const char *name,
		    const char *ext)
{
	snprintf(o->path, sizeof(o->path), "%s/%s.%s", dir, name, ext);
	o->f = fopen(o->path, "we");
	if (!o->f)
		fprintf(stderr, "cowbench compare: %s: %s\n", o->path,
			strerror(errno));
	return o->f ? 0 : -1;
}

static int out_close(struct out *o)
{
	if (ferror(o->f) | fclose(o->f)) {
		fprintf(stderr, "cowbench compare: %s: write error\n", o->path);
		return -1;
	}
	return 0;
}

/* A gnuplot double-quoted string; a newline stays one (a title's lines). */
static void gp_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '\n')
			putc('\\', f);
		putc(*s == '\n' ? 'n' : *s, f);
	}
	putc('"', f);
}

/* A TSV cell: tabs and newlines would move columns. */
static void tsv_str(FILE *f, const char *s)
{
	for (; *s; s++)
		putc(*s == '\t' || *s == '\n' ? ' ' : *s, f);
}

static void gp_label_array(FILE *f, const char *name, const char *const *l,
			   size_t n)
{
	size_t i;

	fprintf(f, "array %s[%zu] = [", name, n ? n : 1);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		gp_str(f, l[i]);
	}
	fputs(n ? "]\n" : "\"\"]\n", f);
}

static const struct cmp_metric *metric_named(const struct cmp *c,
					     const char *name)
{
	size_t i;

	for (i = 0; i < c->nmetrics; i++)
		if (!strcmp(c->metrics[i].name, name))
			return &c->metrics[i];
	return NULL;
}

/* Median and bootstrap interval of a metric on one side. */
static void side_stat(const struct cmp *c, size_t run, const struct cmp_point *p,
		      const char *metric, double *med, double *lo, double *hi)
{
	const struct cmp_metric *m = metric_named(c, metric);
	const struct cmp_side *sd = &p->side[run];
	double *v;
	size_t n;

	*med = *lo = *hi = NAN;
	if (!m || !sd->n)
		return;
	v = cmp_xcalloc(sd->n, sizeof(double));
	n = cmp_values(c, sd, m, v);
	if (n && lo != hi) {
		cow_boot_median_ci(v, n, c->o.nboot, 0.95,
				   cmp_seed(c, c->runs[run].letter, p, m), lo, hi);
	}
	*med = cow_median(v, n);
	free(v);
}

static int verdict_code(const struct cmp_side *sd)
{
	return !sd->n ? -1 : sd->verdict == COW_PASS ? 0 :
	       sd->verdict == COW_SKIP ? 1 : 2;
}

static void run_labels(const struct cmp *c, const char **l, char (*buf)[80])
{
	size_t r;

	for (r = 0; r < c->nruns; r++) {
		snprintf(buf[r], 80, "%c %s%s", c->runs[r].letter,
			 c->runs[r].label, r ? "" : " (base)");
		l[r] = buf[r];
	}
}

/*
 * " (emulated: TCG)" when the runs were made in a VM without KVM (see
 * scripts/vm-run), naming the runs when only some were: timings under
 * emulation are many times slower and say little about real hardware.
 */
static void emulated_note(const struct cmp *c, char *buf, size_t len)
{
	size_t r, n = 0, off;

	for (r = 0; r < c->nruns; r++)
		n += cmp_same_str(cmp_meta(&c->runs[r], "vm.accelerator"), "tcg");
	if (!n || n == c->nruns) {
		snprintf(buf, len, "%s", n ? " (emulated: TCG)" : "");
		return;
	}
	off = (size_t)snprintf(buf, len, " (emulated: TCG:");
	for (r = 0; r < c->nruns && off < len; r++)
		if (cmp_same_str(cmp_meta(&c->runs[r], "vm.accelerator"), "tcg"))
			off += (size_t)snprintf(buf + off, len - off, " %c",
						c->runs[r].letter);
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

static int write_vars(const struct cmp *c, const char *dir)
{
	const char **l = cmp_xcalloc(c->nruns, sizeof(char *));
	char (*buf)[80] = cmp_xcalloc(c->nruns, sizeof(*buf));
	struct out o;

	if (out_open(&o, dir, "vars", "gp"))
		return -1;
	fprintf(o.f, "# written by cowbench compare: what every chart shares\n");
	fprintf(o.f, "nruns = %zu\nthreshold = %g\nalpha = %g\nseed = %llu\n",
		c->nruns, 100 * c->o.threshold, c->o.alpha,
		(unsigned long long)c->o.seed);
	run_labels(c, l, buf);
	gp_label_array(o.f, "run_label", l, c->nruns);
	emulated_note(c, buf[0], sizeof(buf[0]));
	fputs("emulated = ", o.f);
	gp_str(o.f, buf[0]);
	fputc('\n', o.f);
	free(l);
	free(buf);
	return out_close(&o);
}

/* 0 not significant, 1 significant, 2 better, 3 worse: the charts' colours */
static int class_code(enum cmp_class cls)
{
	return cls == CMP_REGRESSED ? 3 : cls == CMP_IMPROVED ? 2 :
	       cls == CMP_SIG ? 1 : 0;
}

static bool is_nsop(const struct cmp *c, const struct cmp_result *x)
{
	return !strcmp(c->metrics[x->metric].name, "ns_per_op");
}

/* One point of the summary: what each other run's bar shows. */
struct sum_row {
	double ch[CMP_MAX_RUNS], lo[CMP_MAX_RUNS], hi[CMP_MAX_RUNS];
	int cls[CMP_MAX_RUNS];
	char tag[160];		/* the regressions the bar cannot show */
};

/* Adds what to the tag list of a row, once; "..." after three. */
static void tag_add(struct sum_row *row, unsigned *ntags, const char *what)
{
	size_t len = strlen(row->tag);

	if (strstr(row->tag, what))
		return;
	if (++*ntags > 3) {
		if (*ntags == 4)
			snprintf(row->tag + len, sizeof(row->tag) - len, ", ...");
		return;
	}
	snprintf(row->tag + len, sizeof(row->tag) - len, "%s%s",
		 len ? ", " : "", what);
}

/*
 * The row of point i; false when no other run has anything to draw there.
 * Tags name the regressions of other metrics (a count: "more extra
 * copies"; a timing: "slower fork_exec_ns"), so that a point listed as a
 * regression is never an unmarked grey bar.
 */
static bool summary_row(const struct cmp *c, size_t i, struct sum_row *row)
{
	unsigned ntags = 0;
	bool any = false;
	size_t r, j;

	memset(row, 0, sizeof(*row));
	for (r = 1; r < c->nruns; r++) {
		const struct cmp_other *o = &c->others[r - 1];

		row->ch[r] = row->lo[r] = row->hi[r] = NAN;
		row->cls[r] = -1;
		for (j = 0; j < o->nres; j++) {
			const struct cmp_result *x = &o->res[j];
			const struct cmp_metric *m = &c->metrics[x->metric];
			char what[COW_NAME_LEN + 16];

			if (x->point != i || x->cls == CMP_NODATA)
				continue;
			if (!is_nsop(c, x)) {
				if (x->cls != CMP_REGRESSED)
					continue;
				if (m->kind == CMP_COUNT)
					snprintf(what, sizeof(what), "more %s",
						 m->show);
				else
					snprintf(what, sizeof(what), "%s %s",
						 m->better == CMP_BETTER_HIGHER ?
						 "fewer" : "slower", m->show);
				tag_add(row, &ntags, what);
				any = true;
				continue;
			}
			row->ch[r] = 100 * x->change;
			row->lo[r] = 100 * x->lo;
			row->hi[r] = 100 * x->hi;
			row->cls[r] = class_code(x->cls);
			any = true;
		}
		/* 4: fails, and no ns/op to draw */
		for (j = 0; j < o->nver; j++)
			if (o->ver[j].point == i && o->ver[j].cls == CMP_REGRESSED) {
				row->cls[r] = isnan(row->ch[r]) ? 4 : 3;
				any = true;
				if (!isnan(row->ch[r]))
					tag_add(row, &ntags, "FAILS");
			}
	}
	return any;
}

/*
 * The axis: the bars' extent (and both thresholds), whiskers allowed a
 * quarter of that beyond; a whisker reaching further is cut at that edge
 * and drawn with an arrow head, its end written in the label.  One point
 * with an interval to +530 % would otherwise squeeze every other bar
 * into the few pixels around 0.
 */
static void summary_view(const struct cmp *c, const struct sum_row *rows,
			 size_t n, double *vlo, double *vhi)
{
	double t = 100 * c->o.threshold, blo = -t, bhi = t, wlo, whi, span;
	size_t i, r;

	for (i = 0; i < n; i++)
		for (r = 1; r < c->nruns; r++)
			if (isfinite(rows[i].ch[r])) {
				blo = fmin(blo, rows[i].ch[r]);
				bhi = fmax(bhi, rows[i].ch[r]);
			}
	wlo = blo;
	whi = bhi;
	for (i = 0; i < n; i++)
		for (r = 1; r < c->nruns; r++) {
			if (isfinite(rows[i].lo[r]))
				wlo = fmin(wlo, rows[i].lo[r]);
			if (isfinite(rows[i].hi[r]))
				whi = fmax(whi, rows[i].hi[r]);
		}
	span = bhi - blo;
	*vlo = fmax(wlo, blo - span / 4);
	*vhi = fmin(whi, bhi + span / 4);
}

static int write_summary(const struct cmp *c, const char *dir)
{
	struct sum_row *rows = cmp_xcalloc(c->npoints, sizeof(*rows));
	const char **labels = cmp_xcalloc(c->npoints, sizeof(char *));
	char (*lbuf)[COW_NAME_LEN + 300] = cmp_xcalloc(c->npoints, sizeof(*lbuf));
	size_t i, j, r, n = 0, nfails = 0, nclipped = 0;
	double vlo, vhi, pad_lo = 0.06, pad_hi = 0.06;
	struct out t, g;

	for (i = 0; i < c->npoints; i++) {
		if (!summary_row(c, i, &rows[n]))
			continue;
		snprintf(lbuf[n], sizeof(lbuf[n]), "%s%s%s%s", c->points[i].label,
			 rows[n].tag[0] ? " (" : "", rows[n].tag,
			 rows[n].tag[0] ? ")" : "");
		labels[n] = lbuf[n];
		n++;
	}
	/* nothing in common: no chart rather than an empty one */
	if (!n)
		goto done;
	summary_view(c, rows, n, &vlo, &vhi);
	if (out_open(&t, dir, "summary", "tsv"))
		goto fail;
	fputs("# point", t.f);
	for (r = 1; r < c->nruns; r++) {
		char k = c->runs[r].letter;

		fprintf(t.f, "\tchange_%c\tlow_%c\thigh_%c\tclass_%c\tlabel_%c"
			"\tlabel_x_%c\tside_%c\tdrawn_low_%c\tdrawn_high_%c"
			"\tclipped_%c", k, k, k, k, k, k, k, k, k, k);
	}
	fputc('\n', t.f);
	for (i = 0; i < n; i++) {
		const struct sum_row *row = &rows[i];

		tsv_str(t.f, labels[i]);
		/*
		 * The label, where it goes (beyond the whisker) and on which
		 * side (1 right, -1 left, 0 none), never NaN: gnuplot 5.4 turns
		 * a label whose expression reads NaN into "NaN", and crashes on
		 * a label plot with no defined point.  Then the whisker as
		 * drawn, and which ends were cut (1 low, 2 high).
		 */
		for (r = 1; r < c->nruns; r++) {
			double x = 0, ch = row->ch[r], lo = row->lo[r], hi = row->hi[r];
			double len;
			char text[64];
			int off;
			double dlo = isfinite(lo) ? fmax(lo, vlo) : NAN;
			double dhi = isfinite(hi) ? fmin(hi, vhi) : NAN;
			int side = 0, clip = (lo < vlo) | (hi > vhi) << 1;

			cmp_tsv_num(t.f, ch);
			cmp_tsv_num(t.f, lo);
			cmp_tsv_num(t.f, hi);
			fprintf(t.f, "\t%d\t", row->cls[r]);
			if (c->nruns > 2)
				fprintf(t.f, "%c ", c->runs[r].letter);
			if (row->cls[r] == 4) {
				fputs("now fails", t.f);
				nfails++;
			} else if (isfinite(ch)) {
				off = snprintf(text, sizeof(text), "%+.1f%%", ch);
				if (clip == 3)
					snprintf(text + off, sizeof(text) - (size_t)off,
						 " (%+.0f..%+.0f%%)", lo, hi);
				else if (clip)
					snprintf(text + off, sizeof(text) - (size_t)off,
						 " (%s %+.0f%%)", clip == 2 ? "to" : "from",
						 clip == 2 ? hi : lo);
				fputs(text, t.f);
				side = ch >= 0 ? 1 : -1;
				x = side > 0 ? fmax(ch, isfinite(dhi) ? dhi : ch) :
				    fmin(ch, isfinite(dlo) ? dlo : ch);
				/*
				 * room for the labels, in parts of the span: a
				 * character is about 1/40 of a plot ~600 pixels wide
				 */
				len = (double)strlen(text) + 2;
				if (side > 0)
					pad_hi = fmax(pad_hi, len / 40);
				else
					pad_lo = fmax(pad_lo, len / 40);
			} else {
				fputs("-", t.f);
			}
			nclipped += clip != 0;
			fprintf(t.f, "\t%.10g\t%d", x, side);
			cmp_tsv_num(t.f, dlo);
			cmp_tsv_num(t.f, dhi);
			fprintf(t.f, "\t%d", clip);
		}
		fputc('\n', t.f);
	}
	if (out_close(&t) || out_open(&g, dir, "summary", "gp"))
		goto fail;
	/* gnuplot 5.4 crashes drawing labels with points when none is defined */
	fprintf(g.f, "npoints = %zu\nnothers = %zu\nnfails = %zu\n"
		"nclipped = %zu\nview_lo = %.10g\nview_hi = %.10g\n"
		"pad_lo = %g\npad_hi = %g\n", n, c->nruns - 1, nfails, nclipped,
		vlo, vhi, pad_lo, pad_hi);
	gp_label_array(g.f, "plabel", labels, n);
	/*
	 * The title counts what the bars show; what they cannot (regressions
	 * of other metrics, tagged beside the name) is counted apart, and the
	 * drift warning repeated: a chart is often read without the report.
	 */
	fprintf(g.f, "array note[%zu] = [", c->nruns - 1);
	for (r = 1; r < c->nruns; r++) {
		const struct cmp_other *o = &c->others[r - 1];
		unsigned red = 0, green = 0, oreg = 0, oimp = 0;
		char note[512];
		int off;

		for (i = 0; i < n; i++) {
			red += rows[i].cls[r] >= 3;
			green += rows[i].cls[r] == 2;
		}
		for (j = 0; j < o->nres; j++) {
			oreg += !is_nsop(c, &o->res[j]) &&
				o->res[j].cls == CMP_REGRESSED;
			oimp += !is_nsop(c, &o->res[j]) &&
				o->res[j].cls == CMP_IMPROVED;
		}
		for (j = 0; j < o->nver; j++)
			oimp += o->ver[j].cls == CMP_IMPROVED;
		off = snprintf(note, sizeof(note), "%c: %u ns/op "
			"regression%s or failure%s (red), %u ns/op improvement%s "
			"(green)", c->runs[r].letter, red, red == 1 ? "" : "s",
			red == 1 ? "" : "s", green, green == 1 ? "" : "s");
		if (oreg || oimp)
			snprintf(note + off, sizeof(note) - (size_t)off, "\n%c, other "
				 "metrics: %u regression%s%s, %u improvement%s: "
				 "see the report", c->runs[r].letter, oreg,
				 oreg == 1 ? "" : "s",
				 oreg ? " (named after the scenario)" : "", oimp,
				 oimp == 1 ? "" : "s");
		if (r > 1)
			fputs(", ", g.f);
		gp_str(g.f, note);
	}
	fputs("]\n", g.f);
	fprintf(g.f, "array drift[%zu] = [", c->nruns - 1);
	for (r = 1; r < c->nruns; r++) {
		const struct cmp_other *o = &c->others[r - 1];
		char note[256] = "";

		if (o->drift)
			snprintf(note, sizeof(note), "warning: %c: %u of %u ns/op "
				 "moved %s (median %+.0f%%): a machine busier "
				 "or quieter in one run does that",
				 c->runs[r].letter, o->drift_most, o->drift_of,
				 o->drift > 0 ? "up" : "down",
				 100 * o->drift_median);
		if (r > 1)
			fputs(", ", g.f);
		gp_str(g.f, note);
	}
	fputs("]\n", g.f);
	if (out_close(&g))
		goto fail;
done:
	free(rows);
	free(labels);
	free(lbuf);
	return 0;
fail:
	free(rows);
	free(labels);
	free(lbuf);
	return -1;
}

/*
 * The ns/op change of run r against the base at point pi, as text, and
 * its class (0 not significant .. 3 regression, -1 none) in *cls.
 */
static const char *nsop_change(const struct cmp *c, size_t r, size_t pi,
			       double *cls)
{
	static char buf[32];
	const struct cmp_other *o;
	size_t j;

	*cls = -1;
	snprintf(buf, sizeof(buf), "NaN");
	if (!r)
		return buf;
	o = &c->others[r - 1];
	for (j = 0; j < o->nres; j++) {
		const struct cmp_result *x = &o->res[j];

		if (x->point != pi || x->cls == CMP_NODATA ||
		    strcmp(c->metrics[x->metric].name, "ns_per_op"))
			continue;
		if (isfinite(x->change))
			snprintf(buf, sizeof(buf), "%.10g", 100 * x->change);
		*cls = class_code(x->cls);
	}
	return buf;
}

static bool in_family(const struct cmp_point *p, const char *fam)
{
	return !strcmp(p->family, fam);
}

/*
 * Per family: one block per point, one row per run; the template draws
 * one row of panels per point (ns/op, and copies/required/extra).
 */
static int write_group(const struct cmp *c, const char *dir, const char *fam)
{
	const char **labels = cmp_xcalloc(c->npoints, sizeof(char *));
	char name[COW_NAME_LEN + 8];
	size_t i, r, n = 0;
	struct out t, g;

	snprintf(name, sizeof(name), "group-%s", fam);
	if (out_open(&t, dir, name, "tsv"))
		return -1;
	/*
	 * verdict: 0 pass, 1 skip, 2 fail, -1 not in this run; change (%) and
	 * class of ns/op against the base as in summary.tsv, NaN/-1 for it.
	 */
	fputs("# run\tletter\tmedian\tlow\thigh\tcopied\trequired\textra"
	      "\tverdict\tchange\tclass\n", t.f);
	for (i = 0; i < c->npoints; i++) {
		const struct cmp_point *p = &c->points[i];

		if (!in_family(p, fam))
			continue;
		if (n)
			fputs("\n\n", t.f);
		labels[n++] = p->label;
		for (r = 0; r < c->nruns; r++) {
			double med, lo, hi, v;
			const char *ch;

			fprintf(t.f, "%zu\t%c", r, c->runs[r].letter);
			side_stat(c, r, p, "ns_per_op", &med, &lo, &hi);
			cmp_tsv_num(t.f, med);
			cmp_tsv_num(t.f, lo);
			cmp_tsv_num(t.f, hi);
			side_stat(c, r, p, "pages_copied", &v, &v, &v);
			cmp_tsv_num(t.f, v);
			side_stat(c, r, p, "pages_required", &v, &v, &v);
			cmp_tsv_num(t.f, v);
			side_stat(c, r, p, "extra_copies", &v, &v, &v);
			cmp_tsv_num(t.f, v);
			fprintf(t.f, "\t%d", verdict_code(&p->side[r]));
			ch = nsop_change(c, r, i, &v);
			fprintf(t.f, "\t%s\t%d\n", ch, (int)v);
		}
	}
	if (out_close(&t) || out_open(&g, dir, name, "gp"))
		return -1;
	fprintf(g.f, "family = ");
	gp_str(g.f, fam);
	fprintf(g.f, "\nnpoints = %zu\n", n);
	gp_label_array(g.f, "plabel", labels, n);
	free(labels);
	return out_close(&g);
}

/*
 * Size sweeps (--full): per scenario-without-size and run, one block of
 * (size, median, interval) rows sorted by size; block = sweep*nruns + run.
 */
static int write_sweep(const struct cmp *c, const char *dir, const char *fam)
{
	size_t *first = cmp_xcalloc(c->npoints, sizeof(size_t));
	const char **labels = cmp_xcalloc(c->npoints, sizeof(char *));
	char name[COW_NAME_LEN + 8];
	size_t i, j, k, r, ns = 0, most = 0;
	struct out t, g;
	int ret = 0;

	/* the sweeps: distinct sweep keys, by first point */
	for (i = 0; i < c->npoints; i++) {
		const struct cmp_point *p = &c->points[i];
		size_t sizes = 0;

		if (!in_family(p, fam) || isnan(p->size))
			continue;
		for (j = 0; j < ns; j++)
			if (!strcmp(c->points[first[j]].sweep_key, p->sweep_key))
				break;
		if (j < ns)
			continue;
		for (k = 0; k < c->npoints; k++)
			sizes += !strcmp(c->points[k].sweep_key, p->sweep_key) &&
				 !isnan(c->points[k].size);
		if (sizes > most)
			most = sizes;
		first[ns] = i;
		labels[ns++] = p->sweep_label;
	}
	if (most < 2)
		goto out;
	snprintf(name, sizeof(name), "sweep-%s", fam);
	if (out_open(&t, dir, name, "tsv")) {
		ret = -1;
		goto out;
	}
	fputs("# size\tmedian\tlow\thigh\n", t.f);
	for (j = 0; j < ns; j++) {
		for (r = 0; r < c->nruns; r++) {
			size_t *idx = cmp_xcalloc(c->npoints, sizeof(size_t)), m = 0;

			if (j || r)
				fputs("\n\n", t.f);
			for (k = 0; k < c->npoints; k++)
				if (!strcmp(c->points[k].sweep_key,
					    c->points[first[j]].sweep_key) &&
				    !isnan(c->points[k].size) &&
				    c->points[k].side[r].n)
					idx[m++] = k;
			/* by size: the points came in run order */
			for (i = 1; i < m; i++)
				for (k = i; k > 0 && c->points[idx[k - 1]].size >
				     c->points[idx[k]].size; k--) {
					size_t x = idx[k];

					idx[k] = idx[k - 1];
					idx[k - 1] = x;
				}
			for (i = 0; i < m; i++) {
				double med, lo, hi;

				side_stat(c, r, &c->points[idx[i]], "ns_per_op",
					  &med, &lo, &hi);
				fprintf(t.f, "%.0f", c->points[idx[i]].size);
				cmp_tsv_num(t.f, med);
				cmp_tsv_num(t.f, lo);
				cmp_tsv_num(t.f, hi);
				fputc('\n', t.f);
			}
			/* an empty block would end gnuplot's index early */
			if (!m)
				fputs("NaN\tNaN\tNaN\tNaN\n", t.f);
			free(idx);
		}
	}
	if (out_close(&t) || out_open(&g, dir, name, "gp")) {
		ret = -1;
		goto out;
	}
	fprintf(g.f, "family = ");
	gp_str(g.f, fam);
	fprintf(g.f, "\nnsweeps = %zu\n", ns);
	gp_label_array(g.f, "slabel", labels, ns);
	ret = out_close(&g);
out:
	free(first);
	free(labels);
	return ret;
}

/* A single run: one row per point. */
static int write_overview(const struct cmp *c, const char *dir)
{
	const char **labels = cmp_xcalloc(c->npoints, sizeof(char *));
	const struct cmp_run *run = &c->runs[0];
	const char *rel = cow_results_meta(&run->r, "uname.release");
	char title[320], emu[80];
	struct out t, g;
	size_t i;

	if (out_open(&t, dir, "overview", "tsv"))
		return -1;
	fputs("# point\tmedian\tlow\thigh\tcopied\trequired\textra\tverdict"
	      "\tn\n", t.f);
	for (i = 0; i < c->npoints; i++) {
		const struct cmp_point *p = &c->points[i];
		double med, lo, hi, v;

		labels[i] = p->label;
		tsv_str(t.f, p->label);
		side_stat(c, 0, p, "ns_per_op", &med, &lo, &hi);
		cmp_tsv_num(t.f, med);
		cmp_tsv_num(t.f, lo);
		cmp_tsv_num(t.f, hi);
		side_stat(c, 0, p, "pages_copied", &v, &v, &v);
		cmp_tsv_num(t.f, v);
		side_stat(c, 0, p, "pages_required", &v, &v, &v);
		cmp_tsv_num(t.f, v);
		side_stat(c, 0, p, "extra_copies", &v, &v, &v);
		cmp_tsv_num(t.f, v);
		fprintf(t.f, "\t%d\t%zu\n", verdict_code(&p->side[0]),
			p->side[0].npass);
	}
	if (out_close(&t) || out_open(&g, dir, "overview", "gp"))
		return -1;
	emulated_note(c, emu, sizeof(emu));
	snprintf(title, sizeof(title), "cowbench run on %s, %s%s%s",
		 rel ? rel : "unknown kernel", run->r.start,
		 run->r.partial ? " (partial)" : "", emu);
	fprintf(g.f, "npoints = %zu\ntitle = ", c->npoints);
	gp_str(g.f, title);
	fputc('\n', g.f);
	gp_label_array(g.f, "plabel", labels, c->npoints);
	free(labels);
	return out_close(&g);
}

int cmp_write_data(const struct cmp *c, const char *dir)
{
	size_t i, j;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "cowbench compare: --data-dir %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	if (write_vars(c, dir))
		return -1;
	if (c->nruns == 1)
		return write_overview(c, dir);
	if (write_summary(c, dir))
		return -1;
	for (i = 0; i < c->npoints; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(c->points[j].family, c->points[i].family))
				break;
		if (j < i)
			continue;
		if (write_group(c, dir, c->points[i].family) ||
		    write_sweep(c, dir, c->points[i].family))
			return -1;
	}
	return 0;
}
