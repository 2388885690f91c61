// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - the statistics `cowbench compare` rests on: medians and
 * quantiles, a seeded PRNG, bootstrap intervals for a ratio of medians,
 * the Mann-Whitney U test and corrections for multiple comparisons.
 *
 * Benchmark timings are skewed and heavy-tailed (a preempted repetition is
 * twice as slow, never twice as fast), so everything here is rank- or
 * median-based: no mean, no t-test, no normality assumed anywhere except
 * the large-sample approximation of U, which holds whatever the data.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cow.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void cow_sort_doubles(double *v, size_t n)
{
	size_t i, j;

	/* bootstrap resamples are tiny and sorted by the million */
	if (n > 24) {
		qsort(v, n, sizeof(*v), cmp_double);
		return;
	}
	for (i = 1; i < n; i++) {
		double x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

double cow_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	cow_sort_doubles(v, n);
	/*
	 * Halves first: (a + b) / 2 overflows to inf for two values past
	 * DBL_MAX / 2 (a scenario's figure in a results file); halving is
	 * exact, so for the rest this is the same number.
	 */
	return n % 2 ? v[n / 2] : v[n / 2 - 1] / 2 + v[n / 2] / 2;
}

double cow_quantile_sorted(const double *v, size_t n, double p)
{
	double h, lo;
	size_t i;

	if (!n || !(p >= 0 && p <= 1))
		return NAN;
	/* Hyndman & Fan type 7: linear between order statistics */
	h = (double)(n - 1) * p;
	lo = floor(h);
	i = (size_t)lo;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (h - lo) * (v[i + 1] - v[i]);
}

/* ---- PRNG: splitmix64 to seed xoshiro256** ------------------------------ */

/*
 * A generator of our own rather than random(3): a report states its seed
 * so that anyone can reproduce it, and that only works if the stream does
 * not depend on the C library it happens to run on.
 */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void cow_rng_seed(struct cow_rng *g, uint64_t seed)
{
	unsigned i;

	/* splitmix64 never yields four zero words, the one bad xoshiro state */
	for (i = 0; i < 4; i++)
		g->s[i] = splitmix64(&seed);
}

uint64_t cow_rng_next(struct cow_rng *g)
{
	uint64_t *s = g->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

uint64_t cow_rng_below(struct cow_rng *g, uint64_t n)
{
	uint64_t floor_, r;

	if (n < 2)
		return 0;
	/* 2^64 mod n: draws below it would make small residues likelier */
	floor_ = (0 - n) % n;
	do
		r = cow_rng_next(g);
	while (r < floor_);
	return r % n;
}

uint64_t cow_hash_str(uint64_t h, const char *s)
{
	uint64_t x;

	for (; *s; s++) {
		x = h ^ (unsigned char)*s;
		h = splitmix64(&x);
	}
	x = h;
	return splitmix64(&x);
}

/* ---- bootstrap ---------------------------------------------------------- */

static double resample_median(struct cow_rng *g, const double *v, size_t n,
			      double *buf)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = v[cow_rng_below(g, n)];
	return cow_median(buf, n);
}

int cow_boot_ratios(const double *a, size_t na, const double *b, size_t nb,
		    unsigned nboot, uint64_t seed, double *out)
{
	struct cow_rng g;
	double *buf;
	unsigned i;

	if (!na || !nb || !nboot) {
		errno = EINVAL;
		return -1;
	}
	buf = malloc((na > nb ? na : nb) * sizeof(*buf));
	if (!buf)
		return -1;
	cow_rng_seed(&g, seed);
	for (i = 0; i < nboot; i++) {
		/* base first, then other: the order is part of the seed's meaning */
		double ma = resample_median(&g, a, na, buf);
		double mb = resample_median(&g, b, nb, buf);

		out[i] = ma != 0 ? mb / ma : NAN;
	}
	free(buf);
	return 0;
}

/* Percentile interval of the finite draws; NaN when too few are. */
static void percentile_ci(double *draws, unsigned n, double level,
			  double *lo, double *hi)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(draws[i]))
			draws[k++] = draws[i];
	/* a base median of 0 in over 1% of resamples: no meaningful ratio */
	if (!k || k < n - n / 100) {
		*lo = *hi = NAN;
		return;
	}
	cow_sort_doubles(draws, k);
	*lo = cow_quantile_sorted(draws, k, (1 - level) / 2);
	*hi = cow_quantile_sorted(draws, k, 1 - (1 - level) / 2);
}

int cow_boot_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		      unsigned nboot, double level, uint64_t seed,
		      double *lo, double *hi)
{
	double *draws = malloc(nboot * sizeof(*draws));

	*lo = *hi = NAN;
	if (!draws)
		return -1;
	if (cow_boot_ratios(a, na, b, nb, nboot, seed, draws)) {
		free(draws);
		return -1;
	}
	percentile_ci(draws, nboot, level, lo, hi);
	free(draws);
	return 0;
}

int cow_boot_median_ci(const double *a, size_t n, unsigned nboot,
		       double level, uint64_t seed, double *lo, double *hi)
{
	double *draws, *buf;
	struct cow_rng g;
	unsigned i;

	*lo = *hi = NAN;
	if (!n || !nboot) {
		errno = EINVAL;
		return -1;
	}
	draws = malloc(nboot * sizeof(*draws));
	buf = malloc(n * sizeof(*buf));
	if (!draws || !buf) {
		free(draws);
		free(buf);
		return -1;
	}
	cow_rng_seed(&g, seed);
	for (i = 0; i < nboot; i++)
		draws[i] = resample_median(&g, a, n, buf);
	percentile_ci(draws, nboot, level, lo, hi);
	free(draws);
	free(buf);
	return 0;
}

/* ---- Mann-Whitney U ----------------------------------------------------- */

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	return cmp_double(&((const struct ranked *)x)->v,
			  &((const struct ranked *)y)->v);
}

/*
 * Exact two-sided p of the doubled rank sum t2 of a, conditional on the
 * ranks (ties included): count the subsets of na of the N doubled ranks
 * by their sum.  Counts stay below C(50,25) ~ 1.3e14, exact in a double.
 */
static int exact_p(const int *r2, size_t n, size_t na, long t2, double *p)
{
	long maxsum = 0, s;
	size_t i, k;
	double *cnt, total = 0, le = 0, ge = 0;

	for (i = 0; i < n; i++)
		maxsum += r2[i];
	cnt = calloc((na + 1) * (size_t)(maxsum + 1), sizeof(*cnt));
	if (!cnt)
		return -1;
#define CNT(k, s)	cnt[(size_t)(k) * (size_t)(maxsum + 1) + (size_t)(s)]
	CNT(0, 0) = 1;
	for (i = 0; i < n; i++)
		for (k = (i + 1 < na ? i + 1 : na); k >= 1; k--)
			for (s = maxsum; s >= r2[i]; s--)
				CNT(k, s) += CNT(k - 1, s - r2[i]);
	for (s = 0; s <= maxsum; s++) {
		double c = CNT(na, s);

		total += c;
		if (s <= t2)
			le += c;
		if (s >= t2)
			ge += c;
	}
#undef CNT
	free(cnt);
	*p = fmin(1.0, 2 * fmin(le, ge) / total);
	return 0;
}

int cow_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		     struct cow_mwu *out)
{
	size_t n = na + nb, i, j;
	struct ranked *x;
	double ties = 0, r1 = 0, mu, sigma2, d;
	long t2 = 0;
	int *r2;

	memset(out, 0, sizeof(*out));
	out->p = NAN;
	if (!na || !nb) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < na; i++)
		if (isnan(a[i]))
			return errno = EINVAL, -1;
	for (i = 0; i < nb; i++)
		if (isnan(b[i]))
			return errno = EINVAL, -1;
	x = malloc(n * sizeof(*x));
	r2 = malloc(n * sizeof(*r2));
	if (!x || !r2) {
		free(x);
		free(r2);
		return -1;
	}
	for (i = 0; i < na; i++)
		x[i] = (struct ranked){ a[i], 1 };
	for (i = 0; i < nb; i++)
		x[na + i] = (struct ranked){ b[i], 0 };
	qsort(x, n, sizeof(*x), cmp_ranked);
	/* midranks, doubled so that they stay integers: (i+1)+(j) for i..j-1 */
	for (i = 0; i < n; i = j) {
		double t;

		for (j = i + 1; j < n && x[j].v == x[i].v; j++)
			;
		t = (double)(j - i);
		ties += t * t * t - t;
		for (size_t k = i; k < j; k++) {
			r2[k] = (int)(i + 1 + j);
			if (x[k].from_a) {
				t2 += r2[k];
				r1 += r2[k] / 2.0;
			}
		}
	}
	out->u = r1 - (double)na * (double)(na + 1) / 2;
	out->ties = ties > 0;
	mu = (double)na * (double)nb / 2;
	sigma2 = (double)na * (double)nb / 12 *
		 ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
	if (sigma2 <= 0) {
		/* every value equal: nothing tells the samples apart */
		out->p = 1;
		out->exact = true;
	} else if (n <= COW_MWU_EXACT_MAX) {
		/* the distribution depends only on the multiset of ranks */
		if (exact_p(r2, n, na, t2, &out->p)) {
			free(x);
			free(r2);
			return -1;
		}
		out->exact = true;
	} else {
		/* normal approximation with tie and continuity corrections */
		d = fabs(out->u - mu) - 0.5;
		if (d < 0)
			d = 0;
		out->p = fmin(1.0, erfc(d / sqrt(sigma2) / M_SQRT2));
	}
	free(x);
	free(r2);
	return 0;
}

/* ---- multiple comparisons ----------------------------------------------- */

struct pidx {
	double p;
	size_t i;
};

static int cmp_pidx(const void *x, const void *y)
{
	const struct pidx *a = x, *b = y;

	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return (a->i > b->i) - (a->i < b->i);
}

/* Indices of p sorted ascending; NaN p (no test) are left out. */
static struct pidx *sort_p(const double *p, size_t n, size_t *m)
{
	struct pidx *s = malloc((n ? n : 1) * sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	for (i = *m = 0; i < n; i++)
		if (!isnan(p[i]))
			s[(*m)++] = (struct pidx){ p[i], i };
	qsort(s, *m, sizeof(*s), cmp_pidx);
	return s;
}

int cow_p_adjust(const double *p, size_t n, enum cow_padjust method,
		 double *q)
{
	struct pidx *s;
	size_t m, k, i;
	double acc;

	for (i = 0; i < n; i++)
		q[i] = p[i];
	if (method == COW_PADJ_NONE)
		return 0;
	s = sort_p(p, n, &m);
	if (!s)
		return -1;
	if (method == COW_PADJ_HOLM) {
		/* step down: max over the smaller ones of (m - rank) p */
		for (k = 0, acc = 0; k < m; k++) {
			acc = fmax(acc, fmin(1.0, (double)(m - k) * s[k].p));
			q[s[k].i] = acc;
		}
	} else {
		/* Benjamini-Hochberg step up: min over the larger ones of m p / rank */
		for (k = m, acc = 1; k > 0; k--) {
			acc = fmin(acc, (double)m * s[k - 1].p / (double)k);
			q[s[k - 1].i] = acc;
		}
	}
	free(s);
	return 0;
}

const char *cow_padjust_name(enum cow_padjust method)
{
	switch (method) {
	case COW_PADJ_NONE:
		return "none";
	case COW_PADJ_HOLM:
		return "Holm";
	case COW_PADJ_BH:
		return "Benjamini-Hochberg";
	}
	return "?";
}

/* ---- repetitions until the interval is tight ----------------------------- */

const char *cow_stop_name(enum cow_stop s)
{
	static const char *const names[COW_STOP_N] = {
		[COW_STOP_NONE] = "none",
		[COW_STOP_REPS] = "reps",
		[COW_STOP_PRECISION] = "precision",
		[COW_STOP_MAX_REPS] = "max_reps",
		[COW_STOP_BUDGET] = "budget",
		[COW_STOP_SKIP] = "skip",
	};

	return (unsigned)s < COW_STOP_N ? names[s] : "?";
}

void cow_precision_of(double *v, size_t n, double *lo, double *hi,
		      double *rel)
{
	double med;

	*lo = *hi = *rel = NAN;
	if (n < 2)
		return;
	/*
	 * The seed is fixed: the same samples always give the same verdict,
	 * so that a results file's interval can be recomputed from it.
	 */
	if (cow_boot_median_ci(v, n, COW_PREC_NBOOT, COW_PREC_LEVEL,
			       0x70726563ull, lo, hi))
		return;
	med = cow_median(v, n);
	if (med > 0 && isfinite(*lo) && isfinite(*hi))
		*rel = (*hi - *lo) / 2 / med;
}

/*
 * A point's share of --budget: what is left of it, spread evenly over the
 * points still to run.  Time a point leaves (its target met early, a
 * skip, a target out of its reach) so goes to the points after it,
 * rather than being lost, and a point that overran takes its excess from
 * them, not from the run's end.
 */
uint64_t cow_budget_share(uint64_t budget_ns, uint64_t spent_ns,
			  unsigned points_left)
{
	uint64_t share;

	if (!budget_ns)
		return 0;
	/* Spent: the floor, --min-reps, and no more (0 would be no limit). */
	if (!points_left || spent_ns >= budget_ns)
		return 1;
	share = (budget_ns - spent_ns) / points_left;
	return share ? share : 1;
}

enum cow_stop cow_rep_decide(const struct cow_rep_policy *p, unsigned reps,
			     double *v, size_t timed, uint64_t spent_ns,
			     struct cow_point_info *info)
{
	info->reps = reps;
	info->timed = (unsigned)timed;
	info->target = p->target;
	cow_precision_of(v, timed, &info->ci_lo, &info->ci_hi, &info->rel);
	info->met = p->target > 0 && info->rel <= p->target;
	if (p->target <= 0)
		return reps >= p->reps ? COW_STOP_REPS : COW_STOP_NONE;
	/* The floor first: a tight interval of two samples is luck. */
	if (reps < p->min_reps) {
		/* Unless the next pass takes it on, once this one's is spent. */
		if (p->pass_min && reps >= p->pass_min && p->budget_ns &&
		    spent_ns >= p->budget_ns)
			return COW_STOP_BUDGET;
		return COW_STOP_NONE;
	}
	if (info->met)
		return COW_STOP_PRECISION;
	if (reps >= p->max_reps)
		return COW_STOP_MAX_REPS;
	if (p->budget_ns && spent_ns >= p->budget_ns)
		return COW_STOP_BUDGET;
	return COW_STOP_NONE;
}
