// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare-meta.c - what differs between the runs being compared (kernel,
 * command line, knobs, CPU, tool version), as mmtests lists it, and the
 * warnings that make a comparison doubtful.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare-int.h"

/* Counters and times that differ in every run: not settings. */
static bool volatile_key(const char *k)
{
	return cow_meta_volatile(k);
}

/* The command line without the program path and the output directory. */
static char *command_options(const struct cmp_run *run)
{
	const char *cl = cmp_meta(run, "command_line");
	char *s, *tok, *save = NULL, *out;
	size_t len;
	bool skip = false, first = true;

	if (!cl)
		return NULL;
	s = strdup(cl);
	if (!s)
		cmp_die("out of memory");
	len = strlen(cl) + 1;
	out = cmp_xcalloc(len, 1);
	for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (first || skip) {
			first = skip = false;
			continue;
		}
		if (!strcmp(tok, "--out") || !strcmp(tok, "-o")) {
			skip = true;
			continue;
		}
		if (!strncmp(tok, "--out=", 6) || !strncmp(tok, "-o", 2))
			continue;
		if (*out)
			strcat(out, " ");
		strcat(out, tok);
	}
	free(s);
	return out;
}

static int key_rank(const char *k)
{
	static const char *const first[] = {
		"uname.release", "uname.version", "kernel_cmdline",
		"tool_version", "command options", "cpu_model", "nr_cpus",
		"numa_nodes", "page_size", "hostname",
	};
	size_t i;

	for (i = 0; i < COW_ARRAY_SIZE(first); i++)
		if (!strcmp(k, first[i]))
			return (int)i;
	return strncmp(k, "knobs.", 6) ? 200 : 100;
}

static void add_diff(struct cmp *c, const char *key, const char **vals)
{
	size_t i;

	for (i = 1; i < c->nruns; i++)
		if (!cmp_same_str(vals[0], vals[i]))
			break;
	if (i == c->nruns)
		return;
	c->diffs = cmp_xrealloc(c->diffs, c->ndiffs + 1, sizeof(*c->diffs));
	c->diffs[c->ndiffs].key = key;
	c->diffs[c->ndiffs].val = cmp_xcalloc(c->nruns, sizeof(char *));
	memcpy(c->diffs[c->ndiffs].val, vals, c->nruns * sizeof(char *));
	c->ndiffs++;
}

static int cmp_diff_rank(const void *a, const void *b)
{
	const struct cmp_meta_diff *x = a, *y = b;
	int d = key_rank(x->key) - key_rank(y->key);

	return d ? d : strcmp(x->key, y->key);
}

void cmp_meta_diffs(struct cmp *c)
{
	const char **vals = cmp_xcalloc(c->nruns, sizeof(char *));
	size_t r, i, s, t;

	c->cmd_options = cmp_xcalloc(c->nruns, sizeof(char *));
	for (r = 0; r < c->nruns; r++)
		vals[r] = c->cmd_options[r] = command_options(&c->runs[r]);
	add_diff(c, "command options", vals);
	/* every key of every run, once */
	for (r = 0; r < c->nruns; r++) {
		for (i = 0; i < c->runs[r].r.nmeta; i++) {
			const char *k = c->runs[r].r.meta[i].key;
			bool seen = false;

			for (s = 0; s < r && !seen; s++)
				seen = cow_results_meta(&c->runs[s].r, k) != NULL;
			if (seen || volatile_key(k))
				continue;
			for (t = 0; t < c->nruns; t++)
				vals[t] = cmp_meta(&c->runs[t], k);
			add_diff(c, k, vals);
		}
	}
	free(vals);
	if (c->ndiffs)
		qsort(c->diffs, c->ndiffs, sizeof(*c->diffs), cmp_diff_rank);
}

static void __attribute__((format(printf, 2, 3)))
warn(struct cmp *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		cmp_die("out of memory");
	va_end(ap);
	c->warnings = cmp_xrealloc(c->warnings, c->nwarnings + 1, sizeof(char *));
	c->warnings[c->nwarnings++] = s;
}

/*
 * When most scenarios' ns/op moved the same way, the likelier cause is the
 * machine (another job, the host, the clock speed) rather than a change
 * in each of the kernel paths the scenarios guard: two runs here seconds
 * apart, on the same kernel, once differed by 2x everywhere because
 * another benchmark ran beside one of them.
 *
 * Every tested ns/op counts, significant or not: load spread over a run
 * moves nearly every scenario, but a scenario with a wide spread of its
 * own stays short of significance, and requiring that hid a run where 37
 * of 39 scenarios were slower (29 significantly, one short of the 3/4
 * then asked for).  Two thirds in one direction is what "most" means
 * here; with no shift, each direction is a coin toss, and 26 of 39 or
 * more the same way happens about once in 20 A/A pairs, so the median
 * change over all of them must also reach half the threshold: an A/A's
 * median sits near 0, a busy machine's far beyond.  Below the threshold
 * itself, one of them must also be significant: a run-wide +3 % with
 * nothing flagged (seen in an idle A/A here) casts doubt on nothing.  A
 * real kernel change that slows every fork also fires it; the warning
 * says to check, not that nothing changed, and the regressions stand.
 */
/*
 * The precision a side's samples of a point reached (their "point", as
 * results.json records it): the widest over a pool; NaN for files from
 * before it or a point without an interval.  *unmet: a target missed.
 */
static double side_rel(const struct cmp_side *sd, bool *unmet)
{
	double rel = NAN;
	size_t i;

	for (i = 0; i < sd->n; i++) {
		const struct cow_point_info *p = &sd->s[i]->point;

		if (!p->set || p->stop == COW_STOP_SKIP)
			continue;
		if (p->target > 0 && !p->met)
			*unmet = true;
		if (!isnan(p->rel) && !(rel >= p->rel))
			rel = p->rel;
	}
	return rel;
}

/*
 * The precision both runs reached on the ns/op points compared: their
 * median (of the wider side of each), and the points that missed their
 * target, the worst of them named.
 */
static void reached_precision(struct cmp *c, struct cmp_other *o,
			      double *median, unsigned *nunmet,
			      unsigned *nwith, double *worst,
			      const char **worst_label)
{
	double *rels = cmp_xcalloc(o->nres + 1, sizeof(double));
	size_t i;

	*nunmet = *nwith = 0;
	*worst = NAN;
	*worst_label = NULL;
	for (i = 0; i < o->nres; i++) {
		const struct cmp_result *r = &o->res[i];
		const struct cmp_point *pt = &c->points[r->point];
		bool unmet = false;
		double a, b, w;

		if (strcmp(c->metrics[r->metric].name, "ns_per_op"))
			continue;
		a = side_rel(&pt->side[0], &unmet);
		b = side_rel(&pt->side[o->run], &unmet);
		w = isnan(a) ? b : isnan(b) ? a : fmax(a, b);
		if (isnan(w))
			continue;
		rels[(*nwith)++] = w;
		if (unmet) {
			(*nunmet)++;
			if (!(*worst >= w)) {
				*worst = w;
				*worst_label = pt->label;
			}
		}
	}
	*median = *nwith ? cow_median(rels, *nwith) : NAN;
	free(rels);
}

/*
 * How one metric moved over the points: its changes (only tested ones if
 * tested), how many went up and down; the median change, NaN if none.
 * What both run-wide warnings below look at.
 */
static double moves(const struct cmp *c, const struct cmp_other *o,
		    const char *name, bool tested, unsigned *n, unsigned *up,
		    unsigned *down)
{
	double *ch = cmp_xcalloc(o->nres + 1, sizeof(double)), med;
	size_t i;

	*n = *up = *down = 0;
	for (i = 0; i < o->nres; i++) {
		const struct cmp_result *r = &o->res[i];

		if (strcmp(c->metrics[r->metric].name, name) ||
		    (tested && isnan(r->p)) || !isfinite(r->change))
			continue;
		ch[(*n)++] = r->change;
		*up += r->shift > 0;
		*down += r->shift < 0;
	}
	med = *n ? cow_median(ch, *n) : NAN;
	free(ch);
	return med;
}

/*
 * The machine's own drift: the reference copy each sample timed after its
 * phase (lib/refcopy.c) moved the same way on most points.  No kernel
 * change moves it, so a ns/op change of that size and sign may be the
 * machine's; the reader is told how far the machine moved.
 */
static void ref_warning(struct cmp *c, const struct cmp_other *o)
{
	unsigned n, up, down;
	double med = moves(c, o, COW_REF_METRIC, false, &n, &up, &down);

	if (n < 4 || fabs(med) < c->o.threshold / 2 ||
	    (med > 0 ? up : down) * 3 < n * 2)
		return;
	warn(c, "%c: the reference copy timed after every sample (ref_copy_ns) "
	     "moved %+.0f%% (median of %u points, %u of them the same way): "
	     "the machine itself was %s during one run, and a ns/op change "
	     "of that sign and size may be the machine's",
	     c->runs[o->run].letter, 100 * med, n, med > 0 ? up : down,
	     med > 0 ? "slower" : "faster");
}

static void drift_warning(struct cmp *c, struct cmp_other *o)
{
	double reached, worst;
	unsigned nunmet, nwith;
	const char *worst_label;
	char why[96] = "";
	unsigned n, up, down, sig = 0, most;
	double med = moves(c, o, "ns_per_op", true, &n, &up, &down);
	size_t i;
	int dir;

	dir = up > down ? 1 : down > up ? -1 : 0;
	most = dir > 0 ? up : down;
	for (i = 0; i < o->nres; i++) {
		const struct cmp_result *r = &o->res[i];

		sig += !strcmp(c->metrics[r->metric].name, "ns_per_op") &&
		       r->q < c->o.alpha && r->shift == dir;
	}
	reached_precision(c, o, &reached, &nunmet, &nwith, &worst,
			  &worst_label);
	/* Each point's own interval says how much of a move is noise. */
	if (nwith)
		snprintf(why, sizeof(why), "; their medians' intervals reached +-%.1f%% (median)",
			 100 * reached);
	if (n >= 4 && dir && most * 3 >= n * 2 &&
	    dir * med >= c->o.threshold / 2 &&
	    (sig || dir * med >= c->o.threshold)) {
		o->drift = dir;
		o->drift_most = most;
		o->drift_of = n;
		o->drift_median = med;
		warn(c, "%c: %u of %u scenarios' ns/op moved %s (median "
		     "%+.0f%%, %u of them significantly)%s: a machine that was "
		     "busier or quieter during one run does that; check it was "
		     "idle before believing each change",
		     c->runs[o->run].letter, most, n, dir > 0 ? "up" : "down",
		     100 * med, sig, why);
	}
	ref_warning(c, o);
	/*
	 * Too few repetitions, as the runs themselves found: a point that
	 * stopped short of its precision target cannot show a change
	 * smaller than the interval it reached.
	 */
	if (nunmet)
		warn(c, "%c: %u of %u points' ns/op (either run) did not reach "
		     "their precision target, the widest +-%.1f%% (%s): a change "
		     "smaller than its interval can go unseen there; give them "
		     "more --budget or --max-reps",
		     c->runs[o->run].letter, nunmet, nwith, 100 * worst,
		     worst_label ? worst_label : "?");
}

/*
 * One warning per instrument the self-checks of the runs judged
 * differently (meta.instruments, listed above with the other meta): a
 * count or a verdict resting on it can differ for that reason alone.
 */
static void instrument_warnings(struct cmp *c)
{
	const char *prefix = "instruments.";
	size_t i, r, pl = strlen(prefix);

	for (i = 0; i < c->ndiffs; i++) {
		const struct cmp_meta_diff *d = &c->diffs[i];
		char *list = NULL, *old;

		if (strncmp(d->key, prefix, pl))
			continue;
		for (r = 0; r < c->nruns; r++) {
			old = list;
			if (asprintf(&list, "%s%s%c %s", old ? old : "",
				     old ? ", " : "", c->runs[r].letter,
				     d->val[r] ? d->val[r] : "not recorded") < 0)
				cmp_die("out of memory");
			free(old);
		}
		warn(c, "instrument %s read differently in the runs (%s): "
		     "counts and verdicts resting on it may differ for that "
		     "reason, not the kernel's", d->key + pl, list);
		free(list);
	}
}

void cmp_warnings(struct cmp *c)
{
	bool knobs = false, hw = false, tool = false;
	size_t i, r;

	for (i = 0; i < c->ndiffs; i++) {
		const char *k = c->diffs[i].key;

		tool |= !strcmp(k, "tool_version");
		knobs |= !strncmp(k, "knobs.", 6);
		hw |= !strcmp(k, "cpu_model") || !strcmp(k, "nr_cpus") ||
		      !strcmp(k, "page_size") || !strcmp(k, "numa_nodes");
	}
	if (tool)
		warn(c, "the runs were made by different tool versions: "
		     "workloads or accounting may differ, so differences may "
		     "not be the kernel's");
	if (knobs)
		warn(c, "the runs started with different knobs (listed above): "
		     "differences may come from the settings, not the kernel");
	if (hw)
		warn(c, "the runs were made on different hardware: timings "
		     "are not comparable");
	instrument_warnings(c);
	for (r = 0; r < c->nruns; r++)
		if (c->runs[r].r.partial)
			warn(c, "run %c is partial (interrupted): points it did "
			     "not reach are missing", c->runs[r].letter);
	/*
	 * A pool is one kernel on many hosts; two kernels in one side
	 * is a mistake the header, which shows the first run's, would hide.
	 */
	for (r = 0; r < c->nruns; r++)
		for (i = 1; i < c->runs[r].npool; i++)
			if (!cmp_same_str(c->runs[r].pool_releases[0],
					  c->runs[r].pool_releases[i])) {
				warn(c, "run %c pools runs of different kernels "
				     "(%s on %s, %s on %s): its spread is the "
				     "kernels' as much as the hosts'",
				     c->runs[r].letter,
				     c->runs[r].pool_releases[0] ?
				     c->runs[r].pool_releases[0] : "unknown",
				     c->runs[r].pool_hosts[0],
				     c->runs[r].pool_releases[i] ?
				     c->runs[r].pool_releases[i] : "unknown",
				     c->runs[r].pool_hosts[i]);
				break;
			}
	for (r = 1; r < c->nruns; r++) {
		struct cmp_other *o = &c->others[r - 1];

		if (o->nfew)
			warn(c, "%c: %u of %u tests had too few samples to "
			     "ever be significant (smallest possible p %.3g > "
			     "%g): use more --reps (or --min-reps)", c->runs[r].letter, o->nfew,
			     o->ntests, o->few_min_p, c->o.alpha);
		drift_warning(c, o);
		if (!o->nres && !o->nver)
			warn(c, "%c has no scenario in common with %c: nothing "
			     "was compared", c->runs[r].letter, c->runs[0].letter);
	}
}
