// SPDX-License-Identifier: GPL-2.0-only
/*
 * reps.c - how many measured samples a point takes: exactly --reps, or
 * (--precision) until the 95% interval of its median ns_per_op is within
 * the target, bounded by --min-reps, --max-reps and the point's share of
 * --budget.  The worker asks after each measured sample; the decision
 * itself is cow_rep_decide() (lib/stats.c), a pure function a unit test
 * drives with a clock of its own.
 *
 * Only the time per op decides: counts (pages copied, faults) are exact
 * in every sample whatever the number of samples, so more repetitions buy
 * them nothing.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdlib.h>

#include "cli.h"

void bench_reps_begin(struct bench_reps *rp, const struct cow_opts *o,
		      uint64_t budget_ns, const struct bench_visit *v,
		      const double *prior)
{
	rp->pol.target = o->precision;
	rp->pol.reps = o->reps;
	rp->pol.min_reps = o->min_reps;
	rp->pol.pass_min = v->pass_min;
	rp->pol.max_reps = o->max_reps;
	rp->pol.budget_ns = o->budget_s ? budget_ns : 0;
	rp->t0 = cow_now_ns();
	/* The interval is of every pass's figures, not this visit's. */
	rp->n = 0;
	rp->v = v->nprior ? malloc(v->nprior * sizeof(*rp->v)) : NULL;
	if (rp->v) {
		for (; rp->n < v->nprior; rp->n++)
			rp->v[rp->n] = prior[rp->n];
	}
	rp->reps = v->prior_reps;
}

bool bench_reps_after(struct bench_reps *rp, struct cow_sample *s)
{
	enum cow_stop stop;
	double *v, *tmp;

	rp->reps++;
	if (s->verdict != COW_SKIP && s->ops) {
		v = realloc(rp->v, (rp->n + 1) * sizeof(*v));
		if (v) {
			rp->v = v;
			v[rp->n++] = (double)s->ns / (double)s->ops;
		}
	}
	/* cow_rep_decide() reorders what it is given: a copy. */
	tmp = malloc((rp->n + 1) * sizeof(*tmp));
	if (!tmp) {
		/* Cannot judge: stop, as fixed --reps would at its count. */
		s->point.stop = COW_STOP_MAX_REPS;
		return true;
	}
	for (size_t i = 0; i < rp->n; i++)
		tmp[i] = rp->v[i];
	stop = cow_rep_decide(&rp->pol, rp->reps, tmp, rp->n,
			      cow_now_ns() - rp->t0, &s->point);
	free(tmp);
	/* A skip will not change with repetition. */
	if (s->verdict == COW_SKIP)
		stop = COW_STOP_SKIP;
	s->point.stop = stop;
	return stop != COW_STOP_NONE;
}

void bench_reps_end(struct bench_reps *rp)
{
	free(rp->v);
	rp->v = NULL;
}
