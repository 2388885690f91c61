// SPDX-License-Identifier: GPL-2.0-only
/*
 * report.c - what a run prints: progress on a terminal, and a summary of
 * each scenario and parameter point (medians over the repetitions).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>

#include "cli.h"

static bool same_point(const struct cow_sample *a, const struct cow_sample *b)
{
	char pa[128], pb[128];

	if (strcmp(a->scenario, b->scenario))
		return false;
	cow_params_str(a, NULL, pa, sizeof(pa));
	cow_params_str(b, NULL, pb, sizeof(pb));
	return !strcmp(pa, pb);
}

/* A figure, or "-" when no sample gave one (all skipped, say). */
static void fmt_num(char *buf, size_t len, int prec, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", prec, v);
}

/* Median of a count over the group; "-" when no sample measured it. */
static void count_col(char *buf, size_t len, double *tmp,
		      const struct cow_sample *const *g, size_t n,
		      size_t field)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int64_t v = *(const int64_t *)((const char *)g[i] + field);

		if (v >= 0)
			tmp[k++] = (double)v;
	}
	if (!k)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f", cow_median(tmp, k));
}

static void point_note(FILE *f, const struct cow_point_info *p)
{
	if (!p->set || p->target <= 0 || p->met || p->stop == COW_STOP_SKIP)
		return;
	if (isnan(p->rel))
		fprintf(f, "    precision: no interval (%u of %u reps timed), target +-%.1f%%, stopped: %s\n",
			p->timed, p->reps, 100 * p->target,
			cow_stop_name(p->stop));
	else
		fprintf(f, "    precision: +-%.1f%% not +-%.1f%% after %u reps, stopped: %s\n",
			100 * p->rel, 100 * p->target, p->reps,
			cow_stop_name(p->stop));
}

static void summary_line(FILE *f, const struct cow_sample *const *g, size_t n,
			 int sw, int pw)
{
	double *tmp = calloc(n + 1, sizeof(double));
	char params[128], copied[24], req[24], extra[24], kern[24];
	char s_nsop[24], s_cv[16], s_flt[16];
	const char *verdict = "skip", *reason = "", *evidence = NULL;
	double nsop, flt, mean = 0, var = 0, cv;
	size_t i, k = 0;

	if (!tmp)
		return;
	for (i = 0; i < n; i++) {
		if (g[i]->verdict == COW_FAIL && strcmp(verdict, "fail")) {
			verdict = "fail";
			reason = g[i]->reason;
			evidence = cow_evidence_name(g[i]->evidence);
		} else if (g[i]->verdict == COW_PASS && !strcmp(verdict, "skip")) {
			verdict = "pass";
		} else if (g[i]->verdict == COW_SKIP && !*reason) {
			reason = g[i]->reason;
		}
		if (g[i]->verdict != COW_SKIP && g[i]->ops)
			tmp[k++] = (double)g[i]->ns / (double)g[i]->ops;
	}
	for (i = 0; i < k; i++)
		mean += tmp[i] / (double)k;
	for (i = 0; i < k; i++)
		var += (tmp[i] - mean) * (tmp[i] - mean) / (k > 1 ? k - 1 : 1);
	cv = mean > 0 ? 100.0 * sqrt(var) / mean : NAN;
	nsop = cow_median(tmp, k);
	for (i = k = 0; i < n; i++)
		if (g[i]->ops && g[i]->faults_minor >= 0)
			tmp[k++] = (double)(g[i]->faults_minor +
				    (g[i]->faults_major > 0 ?
				     g[i]->faults_major : 0)) / (double)g[i]->ops;
	flt = cow_median(tmp, k);
	count_col(copied, sizeof(copied), tmp, g, n,
		  offsetof(struct cow_sample, pages_copied));
	count_col(req, sizeof(req), tmp, g, n,
		  offsetof(struct cow_sample, pages_required));
	count_col(extra, sizeof(extra), tmp, g, n,
		  offsetof(struct cow_sample, extra_copies));
	count_col(kern, sizeof(kern), tmp, g, n,
		  offsetof(struct cow_sample, kernel_wpcopy));
	cow_params_str(g[0], NULL, params, sizeof(params));
	fmt_num(s_nsop, sizeof(s_nsop), 1, nsop);
	fmt_num(s_cv, sizeof(s_cv), 1, cv);
	fmt_num(s_flt, sizeof(s_flt), 2, flt);
	fprintf(f, "%-*s %-*s %3zu %10s %5s %6s %7s %7s %6s %7s %s\n",
		sw, g[0]->scenario, pw, params, n, s_nsop, s_cv, s_flt, copied,
		req, extra, kern, verdict);
	/* A point that did not reach its precision target says how far it got. */
	point_note(f, &g[n - 1]->point);
	/* What a FAIL rests on: "fail (data)" is COW, "(instrument)" a reading. */
	if (evidence && *reason)
		fprintf(f, "    %s (%s): %s\n", verdict, evidence, reason);
	else if (strcmp(verdict, "pass") && *reason)
		fprintf(f, "    %s: %s\n", verdict, reason);
	free(tmp);
}

/*
 * Every instrument the self-check did not find ok, so that no reader
 * takes a verdict for more than its instruments allow: from the run
 * itself, or from meta.instruments of a results file read back.
 */
static void instruments_footer(FILE *f, const struct cow_results *r)
{
	const char *prefix = "instruments.";
	size_t i, pl = strlen(prefix);
	char buf[160];

	if (r->instruments && r->instruments->ran) {
		for (i = 0; i < COW_INSTR_N; i++) {
			if (r->instruments->c[i].state == COW_INSTR_OK)
				continue;
			cow_instr_describe(&r->instruments->c[i], buf,
					   sizeof(buf));
			fprintf(f, "instrument %s: %s\n", cow_instr_name(i),
				buf);
		}
		return;
	}
	for (i = 0; i < r->nmeta; i++)
		if (!strncmp(r->meta[i].key, prefix, pl) &&
		    strcmp(r->meta[i].val, "ok"))
			fprintf(f, "instrument %s: %s\n", r->meta[i].key + pl,
				r->meta[i].val);
}

#define TOP_POINTS	5

static int cmp_wall(const void *a, const void *b)
{
	const struct cow_sample *x = *(const struct cow_sample *const *)a;
	const struct cow_sample *y = *(const struct cow_sample *const *)b;

	return (x->point.wall_ns < y->point.wall_ns) -
	       (x->point.wall_ns > y->point.wall_ns);
}

/*
 * How many points met their precision target, and the points that took
 * longest, with where their time went: the first place to look when a
 * run takes longer than it should.
 */
static void time_footer(FILE *f, const struct cow_results *r)
{
	const struct cow_sample **pts = calloc(r->n + 1, sizeof(*pts));
	unsigned npts = 0, ntarget = 0, nmet = 0;
	uint64_t total = 0;
	char params[128];
	size_t i;

	if (!pts)
		return;
	/* One sample of each point: the first of a run of its samples. */
	for (i = 0; i < r->n; i++) {
		const struct cow_sample *s = &r->samples[i];

		if (!s->point.set || (i && same_point(&r->samples[i - 1], s)))
			continue;
		pts[npts++] = s;
		total += s->point.wall_ns;
		if (s->point.target > 0 && s->point.stop != COW_STOP_SKIP) {
			ntarget++;
			nmet += s->point.met;
		}
	}
	if (ntarget)
		fprintf(f, "precision: %u of %u timed points met their target\n",
			nmet, ntarget);
	if (npts) {
		qsort(pts, npts, sizeof(*pts), cmp_wall);
		fprintf(f, "time: %.1f s in %u points; the longest (setup / measured / checks):\n",
			(double)total / 1e9, npts);
	}
	for (i = 0; i < npts && i < TOP_POINTS; i++) {
		const struct cow_point_info *p = &pts[i]->point;

		cow_params_str(pts[i], NULL, params, sizeof(params));
		fprintf(f, "  %6.2f s %s %s, %u reps (%.2f / %.2f / %.2f s)\n",
			(double)p->wall_ns / 1e9, pts[i]->scenario, params,
			p->reps, (double)p->setup_ns / 1e9,
			(double)p->measured_ns / 1e9,
			(double)p->checks_ns / 1e9);
	}
	free(pts);
}

static void cat_file(FILE *f, const char *dir, const char *name)
{
	char path[4096], buf[65536];
	size_t n;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in = fopen(path, "r");
	if (!in)
		return;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, f);
	fclose(in);
}

void cow_report(FILE *f, const struct cow_results *r, const char *dir,
		enum cow_format fmt)
{
	const struct cow_sample **g;
	bool *done;
	size_t i, j, n;
	int pw = 6, sw = 8;

	if (fmt == COW_FMT_JSON) {
		cat_file(f, dir, "results.json");
		return;
	}
	if (fmt == COW_FMT_TSV) {
		cat_file(f, dir, "samples.tsv");
		return;
	}
	g = calloc(r->n + 1, sizeof(*g));
	done = calloc(r->n + 1, sizeof(*done));
	if (!g || !done)
		goto free_arrays;
	for (i = 0; i < r->n; i++) {
		char p[128];

		cow_params_str(&r->samples[i], NULL, p, sizeof(p));
		if ((int)strlen(p) > pw)
			pw = (int)strlen(p);
		if ((int)strlen(r->samples[i].scenario) > sw)
			sw = (int)strlen(r->samples[i].scenario);
	}
	fprintf(f, "%-*s %-*s %3s %10s %5s %6s %7s %7s %6s %7s %s\n",
		sw, "scenario", pw, "params", "n", "ns/op", "cv%", "flt/op",
		"copied", "req", "extra", "kernel", "verdict");
	for (i = 0; i < r->n; i++) {
		if (done[i])
			continue;
		for (j = i, n = 0; j < r->n; j++) {
			if (!done[j] && same_point(&r->samples[i],
						   &r->samples[j])) {
				g[n++] = &r->samples[j];
				done[j] = true;
			}
		}
		summary_line(f, g, n, sw, pw);
	}
	instruments_footer(f, r);
	time_footer(f, r);
	fprintf(f, "results: %s/results.json%s\n", dir,
		r->partial ? " (partial)" : "");
free_arrays:
	free(g);
	free(done);
}

void cow_progress(const struct cow_sample *s, unsigned done, unsigned total)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r\033[K[%3u/%3u] %s %s", done, total, s->scenario,
		cow_verdict_name(s->verdict));
	if (s->ops && s->verdict != COW_SKIP)
		fprintf(stderr, " %.0f ns/op", (double)s->ns / (double)s->ops);
	if (done >= total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

void cow_progress_end(void)
{
	if (!isatty(STDERR_FILENO))
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}
