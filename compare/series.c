// SPDX-License-Identifier: GPL-2.0-only
/*
 * series.c - `cowbench series RUN RUN...`: runs in the order given (the
 * nights of a lab, the kernels of a release history) as one table, and
 * with --data-dir the data of one gnuplot chart per metric across them
 * (plots/series.gp draws it).
 *
 * It lives in libcompare.a rather than a room of its own because a
 * series is a comparison read along a line: the runs are read, pooled
 * (RUN,RUN...), labelled and matched point by point exactly as compare
 * does it (compare.c's cmp_load_run(), cmp_set_labels() and
 * cmp_build_points()), so that a point of a series is the point compare
 * would judge between any two of its runs.  It tests nothing: a series
 * answers "when did this change", not "is this change real".
 *
 * Per point and run: the verdict (FAIL over PASS over SKIP, as compare),
 * the median ns/op, and the median of each exact count (copied, required,
 * extra, missing, the kernel's wpcopy) over the passing repetitions, or
 * over the failing ones when none passed (export takes them so too: a
 * FAIL on counts rests on them).  A count that differs between the
 * repetitions of one run is not exact; it is shown with a "~" and never
 * marked.  For every exact count, the first run whose value differs from
 * the run before it that measured the point (runs without it are passed
 * over, not counted as a change) is marked with a "*"; so is the first
 * change of verdict.  That mark is what a bisection or a nightly trend
 * looks for, and a count decides it without any test because counts are
 * deterministic.
 *
 * Runs that share no point, or a list in which no point is measured by
 * every run, are refused (one line, exit 2): such a series has no line
 * to draw and a mark would be meaningless.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare-int.h"

#define SER_MAX_RUNS	1000	/* nights of a few years */

/* The counts marked, in the table's order, then ns/op (shown, not marked). */
static const char *const counts[] = {
	"pages_copied", "pages_required", "extra_copies", "copies_missing",
	"kernel_wpcopy",
};
static const char *const count_show[] = {
	"copied", "required", "extra", "missing", "wpcopy",
};
#define NCOUNTS	COW_ARRAY_SIZE(counts)
#define NCOLS	(NCOUNTS + 1)		/* the counts, then ns/op */
#define COL_NS	NCOUNTS

struct ser_cell {
	double v;		/* NaN: not measured in this run */
	bool exact;		/* every repetition counted the same */
	bool first;		/* the first change along the series */
};

struct ser_point {
	struct ser_cell *cell;	/* [run * NCOLS + col] */
	size_t first_verdict;	/* run of the first verdict change, or 0 */
	size_t nchanges;	/* changes of any count or verdict */
};

struct series {
	struct cmp c;
	enum { SER_TEXT, SER_MARKDOWN, SER_TSV } fmt;
	bool changed_only;
	const char *data_dir;
	const char *prog;
	struct ser_point *pt;	/* one per c.points[] */
	long midx[NCOLS];	/* index in c.metrics, or -1 */
};

static void help(void)
{
	printf("Usage: cowbench series [OPTION]... RUN RUN...\n"
"Show runs in the order given (nights, kernels) as one table: per scenario\n"
"and params, per run, the verdict, the median ns/op and the exact counts\n"
"(pages copied, required, extra, missing, the kernel's wpcopy).  For every\n"
"exact count and the verdict, the first run where it changed is marked\n"
"with '*' and listed first.  A run is a results directory or its\n"
"results.json; RUN,RUN... pools runs (hosts of one lab) as compare does.\n"
"\n"
"  -c, --changed          in the table, only the points where something\n"
"                         changed\n"
"  -d, --data-dir DIR     also write the data of one chart per metric\n"
"                         (scripts/plot DIR draws them)\n"
"  -f, --format FMT       text (default), markdown, tsv\n"
"  -h, --help             this text\n"
"  -i, --ignore-param K   match points regardless of param K (e.g. size)\n"
"  -l, --labels L1,L2...  names of the runs (default: kernel release, or\n"
"                         the directory name when those agree)\n"
"\n"
"A count that differs between one run's repetitions is shown with '~' and\n"
"never marked.  A run made under TCG emulation has ' [tcg]' after its\n"
"label: its ns/op are an emulated CPU's.  Runs with no point in common are\n"
"refused.\n"
"\n"
"Exit status: 0 the table written, 2 error (bad input, nothing in common).\n");
}

static const struct cow_word format_words[] = {
	{ "text",	SER_TEXT },
	{ "markdown",	SER_MARKDOWN },
	{ "md",		SER_MARKDOWN },
	{ "tsv",	SER_TSV },
	{ NULL, 0 },
};

static const struct option long_options[] = {
	{ "changed",	  no_argument,		NULL, 'c' },
	{ "data-dir",	  required_argument,	NULL, 'd' },
	{ "format",	  required_argument,	NULL, 'f' },
	{ "help",	  no_argument,		NULL, 'h' },
	{ "ignore-param", required_argument,	NULL, 'i' },
	{ "labels",	  required_argument,	NULL, 'l' },
	{ NULL, 0, NULL, 0 },
};

/* 0, 1 for --help; dies on bad options. */
static int parse_options(int argc, char **argv, struct series *s)
{
	unsigned nignore = 0;
	char err[256];
	int ch, w;

	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "cd:f:hi:l:", long_options,
				 NULL)) != -1) {
		switch (ch) {
		case 'c':
			s->changed_only = true;
			break;
		case 'd':
			s->data_dir = optarg;
			break;
		case 'f':
			if (cow_parse_word(format_words, "format", optarg,
					   " (try --help)", &w, err,
					   sizeof(err)))
				cmp_die("%s", err);
			s->fmt = w;
			break;
		case 'h':
			return 1;
		case 'i':
			if (nignore >= COW_MAX_PARAMS)
				cmp_die("--ignore-param: more than %d", COW_MAX_PARAMS);
			s->c.o.ignore[nignore++] = optarg;
			break;
		case 'l':
			s->c.o.labels = optarg;
			break;
		default:
			cmp_die("unknown option or missing value in '%s' (try --help)",
				argv[optind - 1]);
		}
	}
	return 0;
}

/*
 * A run made in a guest without KVM (meta.vm.accelerator tcg) times an
 * emulated CPU: its label says so wherever it appears (tables, charts),
 * so that no ns/op of it is read beside a native one as a kernel's.
 */
static void mark_emulated(struct cmp *c)
{
	struct cmp_run *run;
	size_t r, n;

	for (r = 0; r < c->nruns; r++) {
		run = &c->runs[r];
		if (!cmp_same_str(cmp_meta(run, "vm.accelerator"), "tcg"))
			continue;
		n = strlen(run->label);
		snprintf(run->label + n, sizeof(run->label) - n, " [tcg]");
	}
}

static long metric_by_name(const struct cmp *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nmetrics; i++)
		if (!strcmp(c->metrics[i].name, name))
			return (long)i;
	return -1;
}

/*
 * The median of a metric over the side's passing repetitions, or its
 * failing ones when none passed; exact when they all agree.
 */
static struct ser_cell side_cell(const struct cmp_side *sd,
				 const struct cmp_metric *m, double *buf)
{
	struct ser_cell cell = { .v = NAN };
	enum cow_verdict want = sd->npass ? COW_PASS : COW_FAIL;
	size_t i, n = 0;
	double v;

	for (i = 0; i < sd->n; i++)
		if (sd->s[i]->verdict == want &&
		    !isnan(v = cmp_sample_value(sd->s[i], m)))
			buf[n++] = v;
	if (!n)
		return cell;
	cell.exact = true;
	for (i = 1; i < n; i++)
		if (buf[i] != buf[0])
			cell.exact = false;
	cell.v = cow_median(buf, n);
	return cell;
}

/* The cells of every point and run, and the first change of each. */
static void fill(struct series *s)
{
	const struct cmp *c = &s->c;
	size_t p, r, k, cap = 1;
	double *buf;

	for (k = 0; k < NCOLS; k++)
		s->midx[k] = metric_by_name(c, k == COL_NS ? "ns_per_op" : counts[k]);
	for (p = 0; p < c->npoints; p++)
		for (r = 0; r < c->nruns; r++)
			if (c->points[p].side[r].n > cap)
				cap = c->points[p].side[r].n;
	buf = cmp_xcalloc(cap, sizeof(double));
	s->pt = cmp_xcalloc(c->npoints, sizeof(*s->pt));
	for (p = 0; p < c->npoints; p++) {
		struct ser_point *sp = &s->pt[p];
		const struct cmp_point *cp = &c->points[p];
		const struct cmp_side *prev = NULL;

		sp->cell = cmp_xcalloc(c->nruns * NCOLS, sizeof(*sp->cell));
		for (r = 0; r < c->nruns; r++)
			for (k = 0; k < NCOLS; k++) {
				struct ser_cell *cell = &sp->cell[r * NCOLS + k];

				cell->v = NAN;
				if (s->midx[k] >= 0 && cp->side[r].n)
					*cell = side_cell(&cp->side[r],
							  &c->metrics[s->midx[k]], buf);
			}
		for (k = 0; k < NCOUNTS; k++) {
			const struct ser_cell *last = NULL;
			bool seen = false;

			for (r = 0; r < c->nruns; r++) {
				struct ser_cell *cell = &sp->cell[r * NCOLS + k];

				/* a count that varies is no evidence either way */
				if (isnan(cell->v) || !cell->exact)
					continue;
				if (last && cell->v != last->v) {
					sp->nchanges++;
					if (!seen)
						cell->first = seen = true;
				}
				last = cell;
			}
		}
		for (r = 0; r < c->nruns; r++) {
			const struct cmp_side *sd = &cp->side[r];

			if (!sd->n)
				continue;
			if (prev && sd->verdict != prev->verdict) {
				sp->nchanges++;
				if (!sp->first_verdict)
					sp->first_verdict = r;
			}
			prev = sd;
		}
	}
	free(buf);
}

/*
 * A series needs a line to draw: every run must share a point with the
 * first, and some point must be measured by all of them.
 */
static void check_common(const struct series *s)
{
	const struct cmp *c = &s->c;
	size_t p, r, nall = 0;
	bool shared;

	for (r = 1; r < c->nruns; r++) {
		shared = false;
		for (p = 0; p < c->npoints && !shared; p++)
			shared = c->points[p].side[0].n && c->points[p].side[r].n;
		if (!shared)
			cmp_die("%s: no point in common with %s: no series to show",
				c->runs[r].path, c->runs[0].path);
	}
	for (p = 0; p < c->npoints; p++) {
		for (r = 0; r < c->nruns && c->points[p].side[r].n; r++)
			;
		nall += r == c->nruns;
	}
	if (!nall)
		cmp_die("no point is measured by all %zu runs: no series to show",
			c->nruns);
}

static const char *verdict_str(const struct cmp_side *sd)
{
	if (!sd->n)
		return "-";
	return sd->verdict == COW_PASS ? "pass" :
	       sd->verdict == COW_FAIL ? "FAIL" : "skip";
}

/* A cell as text: "1024", "1024*" (first change), "~12" (varies), "-". */
static const char *cell_str(const struct ser_cell *cell, bool ns, bool md,
			    char *buf, size_t len)
{
	if (isnan(cell->v))
		return "-";
	snprintf(buf, len, "%s%.*f%s", cell->exact || ns ? "" : "~",
		 ns ? 1 : 0, cell->v, !cell->first ? "" : md ? "\\*" : "*");
	return buf;
}

/*
 * Run r's ns/op against the first run's, "+12.3%": how a kernel's time
 * moved, which the absolute figures of two machines or an emulated CPU
 * would not say.  "base" for the first run, "-" where either is missing.
 */
static const char *rel_str(const struct ser_point *sp, size_t r, char *buf,
			   size_t len)
{
	double a = sp->cell[COL_NS].v, b = sp->cell[r * NCOLS + COL_NS].v;

	if (!r)
		return isnan(a) ? "-" : "base";
	if (isnan(a) || isnan(b) || a <= 0)
		return "-";
	snprintf(buf, len, "%+.1f%%", (b / a - 1) * 100);
	return buf;
}

static bool point_shown(const struct series *s, size_t p)
{
	return !s->changed_only || s->pt[p].nchanges;
}

/* "first changed" lines: what a reader of a series looks for first. */
static void report_changes(FILE *f, const struct series *s, bool md)
{
	const struct cmp *c = &s->c;
	size_t p, r, k, n = 0;
	char a[64], b[64];

	for (p = 0; p < c->npoints; p++) {
		const struct ser_point *sp = &s->pt[p];

		for (k = 0; k < NCOUNTS; k++) {
			const struct ser_cell *last = NULL;

			for (r = 0; r < c->nruns; r++) {
				const struct ser_cell *cell = &sp->cell[r * NCOLS + k];

				if (isnan(cell->v) || !cell->exact)
					continue;
				if (cell->first) {
					snprintf(a, sizeof(a), "%.0f", last->v);
					snprintf(b, sizeof(b), "%.0f", cell->v);
					fprintf(f, "%s%s: %s %s -> %s first at run %zu (%s)\n",
						md ? "- " : "  ", c->points[p].label,
						count_show[k], a, b, r + 1,
						c->runs[r].label);
					n++;
					break;
				}
				last = cell;
			}
		}
		if (sp->first_verdict) {
			size_t rv = sp->first_verdict, q = rv;

			while (q-- > 0 && !c->points[p].side[q].n)
				;
			fprintf(f, "%s%s: verdict %s -> %s first at run %zu (%s)\n",
				md ? "- " : "  ", c->points[p].label,
				verdict_str(&c->points[p].side[q]),
				verdict_str(&c->points[p].side[rv]), rv + 1,
				c->runs[rv].label);
			n++;
		}
	}
	if (!n)
		fprintf(f, "%sno exact count and no verdict changed along the series\n",
			md ? "- " : "  ");
}

static void report_text(FILE *f, const struct series *s)
{
	const struct cmp *c = &s->c;
	size_t p, r, k;
	char buf[64], v[16];

	fprintf(f, "Series of %zu runs, in this order:\n", c->nruns);
	for (r = 0; r < c->nruns; r++)
		fprintf(f, "  %3zu  %s  %s\n", r + 1, c->runs[r].label,
			c->runs[r].path);
	fputs("\nFirst changes (of exact counts and verdicts):\n", f);
	report_changes(f, s, false);
	fputs("\n'*' first change along the series, '~' varies between repetitions,\n"
	      "'-' not measured.\n", f);
	for (p = 0; p < c->npoints; p++) {
		const struct ser_point *sp = &s->pt[p];

		if (!point_shown(s, p))
			continue;
		fprintf(f, "\n%s\n  %-4s %-7s %10s %8s", c->points[p].label,
			"run", "verdict", "ns/op", "vs 1");
		for (k = 0; k < NCOUNTS; k++)
			fprintf(f, " %9s", count_show[k]);
		fputc('\n', f);
		for (r = 0; r < c->nruns; r++) {
			snprintf(v, sizeof(v), "%s%s",
				 verdict_str(&c->points[p].side[r]),
				 sp->first_verdict == r && r ? "*" : "");
			fprintf(f, "  %-4zu %-7s %10s", r + 1, v,
				cell_str(&sp->cell[r * NCOLS + COL_NS], true,
					 false, buf, sizeof(buf)));
			fprintf(f, " %8s", rel_str(sp, r, buf, sizeof(buf)));
			for (k = 0; k < NCOUNTS; k++)
				fprintf(f, " %9s",
					cell_str(&sp->cell[r * NCOLS + k], false,
						 false, buf, sizeof(buf)));
			fputc('\n', f);
		}
	}
}

/* Table cells must not break the table: a '|' in a label is escaped. */
static void md_str(FILE *f, const char *t)
{
	for (; *t; t++) {
		if (*t == '|')
			putc('\\', f);
		putc(*t == '\n' ? ' ' : *t, f);
	}
}

static void report_markdown(FILE *f, const struct series *s)
{
	const struct cmp *c = &s->c;
	size_t p, r, k;
	char buf[64];

	fprintf(f, "## Series of %zu runs\n\n| run | label | results |\n|---:|---|---|\n",
		c->nruns);
	for (r = 0; r < c->nruns; r++) {
		fprintf(f, "| %zu | ", r + 1);
		md_str(f, c->runs[r].label);
		fputs(" | ", f);
		md_str(f, c->runs[r].path);
		fputs(" |\n", f);
	}
	fputs("\n### First changes\n\n", f);
	report_changes(f, s, true);
	fputs("\n### Table\n\n\\* first change along the series, ~ varies between repetitions, - not measured.\n\n"
	      "| point | run | verdict | ns/op | vs run 1 |", f);
	for (k = 0; k < NCOUNTS; k++)
		fprintf(f, " %s |", count_show[k]);
	fputs("\n|---|---:|---|---:|---:|", f);
	for (k = 0; k < NCOUNTS; k++)
		fputs("---:|", f);
	fputc('\n', f);
	for (p = 0; p < c->npoints; p++) {
		const struct ser_point *sp = &s->pt[p];

		if (!point_shown(s, p))
			continue;
		for (r = 0; r < c->nruns; r++) {
			fputs("| ", f);
			md_str(f, c->points[p].label);
			fprintf(f, " | %zu | %s%s | %s |", r + 1,
				verdict_str(&c->points[p].side[r]),
				sp->first_verdict == r && r ? "\\*" : "",
				cell_str(&sp->cell[r * NCOLS + COL_NS], true,
					 true, buf, sizeof(buf)));
			fprintf(f, " %s |", rel_str(sp, r, buf, sizeof(buf)));
			for (k = 0; k < NCOUNTS; k++)
				fprintf(f, " %s |",
					cell_str(&sp->cell[r * NCOLS + k], false,
						 true, buf, sizeof(buf)));
			fputc('\n', f);
		}
	}
}

static void tsv_cell(FILE *f, const char *t)
{
	for (; *t; t++)
		putc(*t == '\t' || *t == '\n' ? ' ' : *t, f);
}

/* Long format, one line per point, run and metric: for scripts. */
static void report_tsv(FILE *f, const struct series *s)
{
	const struct cmp *c = &s->c;
	size_t p, r, k;

	fputs("point\trun\tlabel\tmetric\tvalue\texact\tfirst_change\n", f);
	for (p = 0; p < c->npoints; p++) {
		const struct ser_point *sp = &s->pt[p];

		if (!point_shown(s, p))
			continue;
		for (r = 0; r < c->nruns; r++) {
			if (!c->points[p].side[r].n)
				continue;
			tsv_cell(f, c->points[p].label);
			fprintf(f, "\t%zu\t", r + 1);
			tsv_cell(f, c->runs[r].label);
			fprintf(f, "\tverdict\t%s\t1\t%d\n",
				verdict_str(&c->points[p].side[r]),
				sp->first_verdict == r && r);
			for (k = 0; k < NCOLS; k++) {
				const struct ser_cell *cell = &sp->cell[r * NCOLS + k];

				if (isnan(cell->v))
					continue;
				tsv_cell(f, c->points[p].label);
				fprintf(f, "\t%zu\t", r + 1);
				tsv_cell(f, c->runs[r].label);
				fprintf(f, "\t%s", k == COL_NS ? "ns_per_op" : counts[k]);
				cmp_tsv_num(f, cell->v);
				fprintf(f, "\t%d\t%d\n", cell->exact, cell->first);
			}
		}
	}
}

/* A gnuplot double-quoted string. */
static void gp_str(FILE *f, const char *t)
{
	putc('"', f);
	for (; *t; t++) {
		if (*t == '"' || *t == '\\')
			putc('\\', f);
		putc(*t == '\n' ? ' ' : *t, f);
	}
	putc('"', f);
}

/*
 * series-METRIC.tsv: one row per run (x), per point drawn two columns:
 * the value and the value again where it first changed (else NaN), so
 * the template circles the marks.  ns/op is drawn relative to the first
 * run that measured the point: points of 1 us and 1 ms share one axis.
 * A count that is 0 in every run is left out of its chart (its line says
 * nothing and a full run has dozens), and counted in the title.
 */
static void write_chart(const struct series *s, size_t k, FILE *tsv, FILE *gp)
{
	const struct cmp *c = &s->c;
	size_t p, r, n = 0, flat = 0;
	bool *drawn = cmp_xcalloc(c->npoints, sizeof(bool));
	double *base = cmp_xcalloc(c->npoints, sizeof(double));

	for (p = 0; p < c->npoints; p++) {
		bool any = false, nonzero = false;

		base[p] = NAN;
		for (r = 0; r < c->nruns; r++) {
			double v = s->pt[p].cell[r * NCOLS + k].v;

			if (isnan(v))
				continue;
			if (!any)
				base[p] = v;
			any = true;
			nonzero |= v != 0;
		}
		if (!any)
			continue;
		if (k == COL_NS ? !(base[p] > 0) : !nonzero) {
			flat++;
			continue;
		}
		drawn[p] = true;
		n++;
	}
	fputs("# run\tlabel\tper point: value, value where it first changed\n", tsv);
	for (r = 0; r < c->nruns; r++) {
		fprintf(tsv, "%zu\t", r + 1);
		tsv_cell(tsv, c->runs[r].label);
		for (p = 0; p < c->npoints; p++) {
			const struct ser_cell *cell = &s->pt[p].cell[r * NCOLS + k];
			double v = k == COL_NS ? cell->v / base[p] : cell->v;

			if (!drawn[p])
				continue;
			cmp_tsv_num(tsv, v);
			cmp_tsv_num(tsv, cell->first ? v : NAN);
		}
		fputc('\n', tsv);
	}
	fprintf(gp, "nruns = %zu\nnpoints = %zu\nnflat = %zu\nis_ns = %d\n",
		c->nruns, n, flat, k == COL_NS);
	fputs("metric = ", gp);
	gp_str(gp, k == COL_NS ? "median ns/op relative to the first run" :
	       counts[k]);
	fprintf(gp, "\narray plabel[%zu] = [", n ? n : 1);
	for (p = 0, r = 0; p < c->npoints; p++) {
		if (!drawn[p])
			continue;
		fputs(r++ ? ", " : "", gp);
		gp_str(gp, c->points[p].label);
	}
	fputs(n ? "]\n" : "\"\"]\n", gp);
	free(drawn);
	free(base);
}

static FILE *open_data(const char *dir, const char *name, const char *ext,
		       char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s.%s", dir, name, ext);
	f = fopen(path, "we");
	if (!f)
		cmp_die("%s: %s", path, strerror(errno));
	return f;
}

static void close_data(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		cmp_die("%s: write error", path);
}

/*
 * heatmap.tsv: extra copies per page written, one row per point (in the
 * table's order) and one column per run, with the verdict beside each
 * (0 pass, 1 skip, 2 FAIL, -1 not run), for plots/heatmap.gp: the atlas's
 * scenarios x kernels at a glance.  Per page written, so that points of
 * 4M and 64M share one scale; NaN where nothing was written or measured.
 */
static void write_heatmap(const struct series *s, FILE *tsv, FILE *gp)
{
	const struct cmp *c = &s->c;
	long wi = metric_by_name(c, "pages_written");
	long ei = metric_by_name(c, "extra_copies");
	size_t p, r, cap = 1, nfail = 0;
	double *buf;

	for (p = 0; p < c->npoints; p++)
		for (r = 0; r < c->nruns; r++)
			if (c->points[p].side[r].n > cap)
				cap = c->points[p].side[r].n;
	buf = cmp_xcalloc(cap, sizeof(double));
	fputs("# point\tper run: extra copies per page written, verdict\n", tsv);
	for (p = 0; p < c->npoints; p++) {
		tsv_cell(tsv, c->points[p].label);
		for (r = 0; r < c->nruns; r++) {
			const struct cmp_side *sd = &c->points[p].side[r];
			struct ser_cell w = { .v = NAN }, e = { .v = NAN };

			if (sd->n && wi >= 0 && ei >= 0) {
				w = side_cell(sd, &c->metrics[wi], buf);
				e = side_cell(sd, &c->metrics[ei], buf);
			}
			cmp_tsv_num(tsv, w.v > 0 ? e.v / w.v : NAN);
			fprintf(tsv, "\t%d", !sd->n ? -1 : sd->verdict == COW_PASS ? 0 :
				sd->verdict == COW_SKIP ? 1 : 2);
			nfail += sd->n && sd->verdict == COW_FAIL;
		}
		fputc('\n', tsv);
	}
	fprintf(gp, "nruns = %zu\nnpoints = %zu\nnfail = %zu\n", c->nruns,
		c->npoints, nfail);
	fprintf(gp, "array run_label[%zu] = [", c->nruns);
	for (r = 0; r < c->nruns; r++) {
		fputs(r ? ", " : "", gp);
		gp_str(gp, c->runs[r].label);
	}
	fprintf(gp, "]\narray plabel[%zu] = [", c->npoints ? c->npoints : 1);
	for (p = 0; p < c->npoints; p++) {
		fputs(p ? ", " : "", gp);
		gp_str(gp, c->points[p].label);
	}
	fputs(c->npoints ? "]\n" : "\"\"]\n", gp);
	free(buf);
}

static void write_data(const struct series *s)
{
	char name[COW_NAME_LEN + 16], tp[4096], gp[4096];
	FILE *ft, *fg;
	size_t k;

	if (mkdir(s->data_dir, 0777) && errno != EEXIST)
		cmp_die("%s: %s", s->data_dir, strerror(errno));
	for (k = 0; k < NCOLS; k++) {
		snprintf(name, sizeof(name), "series-%s",
			 k == COL_NS ? "ns_per_op" : counts[k]);
		ft = open_data(s->data_dir, name, "tsv", tp, sizeof(tp));
		fg = open_data(s->data_dir, name, "gp", gp, sizeof(gp));
		write_chart(s, k, ft, fg);
		close_data(ft, tp);
		close_data(fg, gp);
	}
	ft = open_data(s->data_dir, "heatmap", "tsv", tp, sizeof(tp));
	fg = open_data(s->data_dir, "heatmap", "gp", gp, sizeof(gp));
	write_heatmap(s, ft, fg);
	close_data(ft, tp);
	close_data(fg, gp);
}

static void series_free(struct series *s)
{
	size_t p;

	for (p = 0; s->pt && p < s->c.npoints; p++)
		free(s->pt[p].cell);
	free(s->pt);
	cmp_free(&s->c);
}

int cow_series_main(int argc, char **argv)
{
	struct series s = { .fmt = SER_TEXT };
	size_t i;

	cmp_set_prog("cowbench series");
	if (parse_options(argc, argv, &s)) {
		help();
		return COW_EXIT_OK;
	}
	s.c.nruns = (size_t)(argc - optind);
	if (s.c.nruns < 2)
		cmp_die("needs at least two runs, in their order (try --help)");
	if (s.c.nruns > SER_MAX_RUNS)
		cmp_die("at most %d runs", SER_MAX_RUNS);
	s.c.runs = cmp_xcalloc(s.c.nruns, sizeof(*s.c.runs));
	for (i = 0; i < s.c.nruns; i++) {
		s.c.runs[i].arg = argv[optind + (int)i];
		s.c.runs[i].letter = 'A';
		cmp_load_run(&s.c.runs[i]);
	}
	cmp_set_labels(&s.c);
	mark_emulated(&s.c);
	cmp_build_points(&s.c);
	check_common(&s);
	fill(&s);
	if (s.data_dir)
		write_data(&s);
	if (s.fmt == SER_TEXT)
		report_text(stdout, &s);
	else if (s.fmt == SER_MARKDOWN)
		report_markdown(stdout, &s);
	else
		report_tsv(stdout, &s);
	if (fflush(stdout) || ferror(stdout))
		cmp_die("writing the table: %s", strerror(errno));
	series_free(&s);
	return COW_EXIT_OK;
}
