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

#include "compare.h"

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

/* A gnuplot double-quoted string. */
static void gp_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', f);
		putc(*s == '\n' ? ' ' : *s, f);
	}
	putc('"', f);
}

/* A TSV cell: tabs and newlines would move columns. */
static void tsv_str(FILE *f, const char *s)
{
	for (; *s; s++)
		putc(*s == '\t' || *s == '\n' ? ' ' : *s, f);
}

static void tsv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "\t%.10g", v);
	else
		fputs("\tNaN", f);
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
	free(l);
	free(buf);
	return out_close(&o);
}

/* One row per point that has an ns/op result or a verdict change. */
/* 0 not significant, 1 significant, 2 better, 3 worse: the charts' colours */
static int class_code(enum cmp_class cls)
{
	return cls == CMP_REGRESSED ? 3 : cls == CMP_IMPROVED ? 2 :
	       cls == CMP_SIG ? 1 : 0;
}

static int write_summary(const struct cmp *c, const char *dir)
{
	const char **labels = cmp_xcalloc(c->npoints, sizeof(char *));
	char (*lbuf)[COW_NAME_LEN + 180] = cmp_xcalloc(c->npoints, sizeof(*lbuf));
	size_t i, j, r, n = 0, nfails = 0;
	struct out t, g;

	if (out_open(&t, dir, "summary", "tsv"))
		return -1;
	fputs("# point", t.f);
	for (r = 1; r < c->nruns; r++)
		fprintf(t.f, "\tchange_%c\tlow_%c\thigh_%c\tclass_%c\tlabel_%c"
			"\tlabel_x_%c\tside_%c", c->runs[r].letter,
			c->runs[r].letter, c->runs[r].letter, c->runs[r].letter,
			c->runs[r].letter, c->runs[r].letter, c->runs[r].letter);
	fputc('\n', t.f);
	for (i = 0; i < c->npoints; i++) {
		double ch[CMP_MAX_RUNS], lo[CMP_MAX_RUNS], hi[CMP_MAX_RUNS];
		int cls[CMP_MAX_RUNS];
		bool any = false, fails = false, copies = false;

		for (r = 1; r < c->nruns; r++) {
			const struct cmp_other *o = &c->others[r - 1];

			ch[r] = lo[r] = hi[r] = NAN;
			cls[r] = -1;
			for (j = 0; j < o->nres; j++) {
				const struct cmp_result *x = &o->res[j];

				/* a count that regressed: say so beside the name */
				if (x->point == i && x->cls == CMP_REGRESSED &&
				    c->metrics[x->metric].kind == CMP_COUNT)
					copies = any = true;
				if (x->point != i || x->cls == CMP_NODATA ||
				    strcmp(c->metrics[x->metric].name, "ns_per_op"))
					continue;
				ch[r] = 100 * x->change;
				any = true;
				lo[r] = 100 * x->lo;
				hi[r] = 100 * x->hi;
				cls[r] = class_code(x->cls);
			}
			/* 4: fails, and no ns/op to draw */
			for (j = 0; j < o->nver; j++)
				if (o->ver[j].point == i &&
				    o->ver[j].cls == CMP_REGRESSED) {
					cls[r] = isnan(ch[r]) ? 4 : 3;
					fails = any = true;
				}
		}
		if (!any)
			continue;
		snprintf(lbuf[n], sizeof(lbuf[n]), "%s%s%s", c->points[i].label,
			 fails ? " (FAILS)" : "",
			 copies ? " (more copies)" : "");
		labels[n] = lbuf[n];
		tsv_str(t.f, lbuf[n]);
		/*
		 * The label, where it goes (beyond the whisker) and on which
		 * side (1 right, -1 left, 0 none), never NaN: gnuplot 5.4 turns
		 * a label whose expression reads NaN into "NaN", and crashes on
		 * a label plot with no defined point.
		 */
		for (r = 1; r < c->nruns; r++) {
			double x = 0;
			int side = 0;

			tsv_num(t.f, ch[r]);
			tsv_num(t.f, lo[r]);
			tsv_num(t.f, hi[r]);
			fprintf(t.f, "\t%d\t", cls[r]);
			if (c->nruns > 2)
				fprintf(t.f, "%c ", c->runs[r].letter);
			if (cls[r] == 4) {
				fputs("now fails", t.f);
				nfails++;
			} else if (isfinite(ch[r])) {
				fprintf(t.f, "%+.1f%%", ch[r]);
				side = ch[r] >= 0 ? 1 : -1;
				x = side > 0 ? fmax(ch[r], isfinite(hi[r]) ? hi[r] : ch[r]) :
				    fmin(ch[r], isfinite(lo[r]) ? lo[r] : ch[r]);
			} else {
				fputs("-", t.f);
			}
			fprintf(t.f, "\t%.10g\t%d", x, side);
		}
		fputc('\n', t.f);
		n++;
	}
	if (out_close(&t))
		return -1;
	/* nothing in common: no chart rather than an empty one */
	if (!n) {
		unlink(t.path);
		free(labels);
		free(lbuf);
		return 0;
	}
	if (out_open(&g, dir, "summary", "gp"))
		return -1;
	/* gnuplot 5.4 crashes drawing labels with points when none is defined */
	fprintf(g.f, "npoints = %zu\nnothers = %zu\nnfails = %zu\n", n,
		c->nruns - 1, nfails);
	gp_label_array(g.f, "plabel", labels, n);
	/* what the chart cannot show: the verdicts over every metric */
	fprintf(g.f, "array note[%zu] = [", c->nruns - 1);
	for (r = 1; r < c->nruns; r++) {
		const struct cmp_other *o = &c->others[r - 1];
		char note[256];

		snprintf(note, sizeof(note), "%c, all metrics: %u regression%s, %u "
			 "improvement%s; %u tests, %u significant after %s",
			 c->runs[r].letter, o->nregress, o->nregress == 1 ? "" : "s",
			 o->nimprove, o->nimprove == 1 ? "" : "s", o->ntests,
			 o->nsig_adj, cow_padjust_name(c->o.padj));
		if (r > 1)
			fputs(", ", g.f);
		gp_str(g.f, note);
	}
	fputs("]\n", g.f);
	free(labels);
	free(lbuf);
	return out_close(&g);
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
			tsv_num(t.f, med);
			tsv_num(t.f, lo);
			tsv_num(t.f, hi);
			side_stat(c, r, p, "pages_copied", &v, &v, &v);
			tsv_num(t.f, v);
			side_stat(c, r, p, "pages_required", &v, &v, &v);
			tsv_num(t.f, v);
			side_stat(c, r, p, "extra_copies", &v, &v, &v);
			tsv_num(t.f, v);
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
				tsv_num(t.f, med);
				tsv_num(t.f, lo);
				tsv_num(t.f, hi);
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
	char title[256];
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
		tsv_num(t.f, med);
		tsv_num(t.f, lo);
		tsv_num(t.f, hi);
		side_stat(c, 0, p, "pages_copied", &v, &v, &v);
		tsv_num(t.f, v);
		side_stat(c, 0, p, "pages_required", &v, &v, &v);
		tsv_num(t.f, v);
		side_stat(c, 0, p, "extra_copies", &v, &v, &v);
		tsv_num(t.f, v);
		fprintf(t.f, "\t%d\t%zu\n", verdict_code(&p->side[0]),
			p->side[0].npass);
	}
	if (out_close(&t) || out_open(&g, dir, "overview", "gp"))
		return -1;
	snprintf(title, sizeof(title), "cowbench run on %s, %s%s",
		 rel ? rel : "unknown kernel", run->r.start,
		 run->r.partial ? " (partial)" : "");
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
