// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-stats.c - lib/stats.c against reference values computed without it.
 *
 * Unless a comment says "by hand", each reference was printed by
 * tests/stats-reference.py (Python 3.11 standard library: no scipy or R
 * was installed), which computes them by another method than the code
 * under test: every permutation enumerated for the exact Mann-Whitney p
 * (stats.c counts them by dynamic programming), every bootstrap resample
 * enumerated for the bootstrap distribution (stats.c draws at random),
 * statistics.quantiles() for the type-7 quantile, and the published
 * splitmix64/xoshiro256** algorithms ported to Python for the PRNG.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cow.h"
#include "tap.h"

#define N(a)	COW_ARRAY_SIZE(a)

static bool close_to(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want) + 1e-300;
}

static void test_median_quantile(void)
{
	double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 };
	/* by hand: sorted 1 1.5 2.6 3 4 9 */
	double v[] = { 3.0, 1.0, 4.0, 1.5, 9.0, 2.6 };

	tap_ok(cow_median(odd, 3) == 2, "median of 3 1 2 is 2 (by hand)");
	tap_ok(cow_median(even, 4) == 2.5, "median of 4 1 3 2 is 2.5 (by hand)");
	tap_ok(isnan(cow_median(odd, 0)), "median of nothing is NaN");
	cow_sort_doubles(v, N(v));
	/* statistics.quantiles(v, n=40, method="inclusive")[0], [19], [38] */
	tap_ok(close_to(cow_quantile_sorted(v, N(v), 0.025), 1.0625, 1e-12) &&
	       close_to(cow_quantile_sorted(v, N(v), 0.5), 2.8, 1e-12) &&
	       close_to(cow_quantile_sorted(v, N(v), 0.975), 8.375, 1e-12),
	       "type-7 quantiles 0.025 0.5 0.975 = 1.0625 2.8 8.375");
}

static void test_rng(void)
{
	/* xoshiro256** after splitmix64(42) seeding, Python port */
	static const uint64_t want[] = {
		0x15780b2e0c2ec716ull, 0x6104d9866d113a7eull,
		0xae17533239e499a1ull, 0xecb8ad4703b360a1ull,
	};
	/*
	 * splitmix64 from 1234567: 6457827717110365317, 3203168211198807973,
	 * ... (Python port; also the vector published with splitmix64
	 * implementations).  The seeding state is those outputs.
	 */
	struct cow_rng g;
	unsigned i, counts[7] = { 0 }, n = 70000;
	double chi2 = 0;
	bool same = true;

	cow_rng_seed(&g, 1234567);
	tap_ok(g.s[0] == 6457827717110365317ull &&
	       g.s[1] == 3203168211198807973ull &&
	       g.s[2] == 9817491932198370423ull,
	       "splitmix64 seeding matches the reference vector");
	cow_rng_seed(&g, 42);
	for (i = 0; i < N(want); i++)
		same &= cow_rng_next(&g) == want[i];
	tap_ok(same, "xoshiro256** stream from seed 42 matches the Python port");

	/*
	 * Uniformity of cow_rng_below(7): chi-square with 6 degrees of
	 * freedom stays below 22.46 (p = 0.001) for a fair generator.
	 */
	for (i = 0; i < n; i++)
		counts[cow_rng_below(&g, 7)]++;
	for (i = 0; i < 7; i++)
		chi2 += (counts[i] - n / 7.0) * (counts[i] - n / 7.0) / (n / 7.0);
	tap_ok(chi2 < 22.46, "cow_rng_below(7) is uniform (chi2 %.2f < 22.46)",
	       chi2);
	tap_ok(cow_rng_below(&g, 1) == 0 && cow_rng_below(&g, 0) == 0,
	       "cow_rng_below of 0 and 1 is 0");
	tap_ok(cow_hash_str(1, "fork.latency") != cow_hash_str(1, "fork.many") &&
	       cow_hash_str(1, "x") == cow_hash_str(1, "x") &&
	       cow_hash_str(1, "x") != cow_hash_str(2, "x"),
	       "cow_hash_str separates names and seeds, and is stable");
}

struct mwu_case {
	const char *name;
	double a[16], b[16];
	size_t na, nb;
	double u, p;
};

static void test_mann_whitney(void)
{
	/* exact permutation p, every subset enumerated by the Python script */
	static const struct mwu_case cases[] = {
		{ "no ties 3v4", { 1.1, 2.3, 3.5 }, { 4.2, 5.0, 6.1, 7.7 },
		  3, 4, 0.0, 0.057142857142857141 },
		{ "no ties 5v5 interleaved", { 1, 3, 5, 7, 9.5 },
		  { 2, 4, 6, 8, 10 }, 5, 5, 10.0, 0.69047619047619047 },
		{ "ties 5v6", { 1, 2, 2, 3, 5 }, { 2, 3, 4, 4, 6, 7 }, 5, 6,
		  6.5, 0.12554112554112554 },
		{ "counts 6v6", { 0, 0, 1, 0, 2, 0 }, { 1, 3, 2, 2, 4, 1 }, 6, 6,
		  4.0, 0.025974025974025976 },
		{ "timings 9v11 with ties",
		  { 2205.1, 2210.4, 2198.7, 2230.0, 2201.9, 2199.5, 2250.3,
		    2207.7, 2207.7 },
		  { 2301.2, 2290.5, 2207.7, 2310.8, 2288.1, 2295.0, 2302.2,
		    2207.7, 2199.5, 2320.9, 2299.9 }, 9, 11,
		  15.5, 0.0076446773041200285 },
	};
	double a30[30], b31[31], same[4] = { 5, 5, 5, 5 };
	struct cow_mwu r, r2;
	unsigned i;

	for (i = 0; i < N(cases); i++) {
		const struct mwu_case *c = &cases[i];

		cow_mann_whitney(c->a, c->na, c->b, c->nb, &r);
		tap_ok(r.exact && r.u == c->u && close_to(r.p, c->p, 1e-12),
		       "Mann-Whitney %s: U %.1f p %.6f (want %.1f %.6f, exact)",
		       c->name, r.u, r.p, c->u, c->p);
	}
	/* swapping the samples: U becomes na*nb - U, p stays */
	cow_mann_whitney(cases[2].b, 6, cases[2].a, 5, &r2);
	tap_ok(r2.u == 30 - 6.5 && close_to(r2.p, cases[2].p, 1e-12),
	       "Mann-Whitney is symmetric in its samples");

	/* 61 values with ties: beyond the exact limit, normal approximation */
	for (i = 0; i < 30; i++)
		a30[i] = i % 7 + 0.5 * (i % 3);
	for (i = 0; i < 31; i++)
		b31[i] = i % 5 + 1 + 0.5 * (i % 2);
	cow_mann_whitney(a30, 30, b31, 31, &r);
	tap_ok(!r.exact && r.ties && r.u == 484.0 &&
	       close_to(r.p, 0.78888029443539498, 1e-9),
	       "Mann-Whitney 30v31 normal approximation: U %.1f p %.9f", r.u,
	       r.p);
	cow_mann_whitney(same, 2, same + 2, 2, &r);
	tap_ok(r.p == 1, "all values equal: p = 1 (by hand)");
	tap_ok(cow_mann_whitney(same, 0, same, 2, &r) == -1 && isnan(r.p),
	       "an empty sample is refused");
}

static void test_p_adjust(void)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005, 0.20 }, q[5];
	/* Python script; by hand too: m p / rank = .025 .025 .05 .05 .2 */
	double bh[] = { 0.025, 0.05, 0.05, 0.025, 0.2 };
	double holm[] = { 0.04, 0.09, 0.09, 0.025, 0.2 };
	double withnan[] = { 0.01, NAN, 0.02 };
	bool ok = true;
	unsigned i;

	cow_p_adjust(p, 5, COW_PADJ_BH, q);
	for (i = 0; i < 5; i++)
		ok &= close_to(q[i], bh[i], 1e-12);
	tap_ok(ok, "Benjamini-Hochberg matches the reference");
	cow_p_adjust(p, 5, COW_PADJ_HOLM, q);
	for (i = 0, ok = true; i < 5; i++)
		ok &= close_to(q[i], holm[i], 1e-12);
	tap_ok(ok, "Holm matches the reference");
	/* by hand: two tests, BH q = 2*0.01/1 -> min(0.02, 0.02) */
	cow_p_adjust(withnan, 3, COW_PADJ_BH, q);
	tap_ok(close_to(q[0], 0.02, 1e-12) && isnan(q[1]) &&
	       close_to(q[2], 0.02, 1e-12),
	       "NaN p is no test: left out of m and kept NaN");
}

static void test_bootstrap(void)
{
	/* exact bootstrap CDF of median(b*)/median(a*), all 27*27 resamples */
	static const double x[] = { 0.75, 1.0, 1.5, 2.0, 3.5 };
	static const double cdf[] = {
		0.19204389574759945, 0.3168724279835391, 0.54869684499314131,
		0.6831275720164609, 0.9327846364883402,
	};
	double a[] = { 1, 2, 4 }, b[] = { 2, 3, 7 };
	double ca[] = { 10, 10, 10 }, cb[] = { 20, 20, 20, 20 };
	double zero[] = { 0, 0, 0 };
	unsigned nboot = 200000, i, j;
	double *d = malloc(nboot * sizeof(*d)), *d2 = malloc(nboot * sizeof(*d));
	double lo, hi, lo2, hi2, worst = 0;

	if (!d || !d2)
		exit(99);
	cow_boot_ratios(a, 3, b, 3, nboot, 7, d);
	for (j = 0; j < N(x); j++) {
		double f = 0, se = sqrt(cdf[j] * (1 - cdf[j]) / nboot);

		for (i = 0; i < nboot; i++)
			f += d[i] <= x[j];
		f /= nboot;
		worst = fmax(worst, fabs(f - cdf[j]) / se);
	}
	/* 5 sigma: a fair resampler fails this once in millions of seeds */
	tap_ok(worst < 5, "bootstrap draws follow the exact bootstrap distribution (worst %.2f sigma)",
	       worst);
	cow_boot_ratios(a, 3, b, 3, nboot, 7, d2);
	tap_ok(!memcmp(d, d2, nboot * sizeof(*d)),
	       "the same seed gives the same draws");
	cow_boot_ratios(a, 3, b, 3, nboot, 8, d2);
	tap_ok(memcmp(d, d2, nboot * sizeof(*d)) != 0,
	       "another seed gives other draws");

	cow_boot_ratio_ci(ca, 3, cb, 4, 1000, 0.95, 1, &lo, &hi);
	tap_ok(lo == 2 && hi == 2, "constant samples 10 vs 20: interval [2, 2] (by hand)");
	cow_boot_ratio_ci(a, 3, b, 3, 20000, 0.95, 1, &lo, &hi);
	cow_boot_ratio_ci(a, 3, b, 3, 20000, 0.95, 1, &lo2, &hi2);
	/* exact distribution: P(<=0.75)=0.19 > 0.025 and P(<=3.5)=0.93 < 0.975 */
	tap_ok(lo == lo2 && hi == hi2 && lo <= 0.75 && hi > 3.5,
	       "ratio interval [%.3f, %.3f] is reproducible and spans the 2.5..97.5%% mass",
	       lo, hi);
	cow_boot_ratio_ci(zero, 3, b, 3, 1000, 0.95, 1, &lo, &hi);
	tap_ok(isnan(lo) && isnan(hi), "a base median of 0 has no ratio interval");
	cow_boot_median_ci(b, 3, 1000, 0.95, 1, &lo, &hi);
	tap_ok(lo >= 2 && hi <= 7 && lo <= 3 && hi >= 3,
	       "median interval [%g, %g] lies within the sample and holds the median",
	       lo, hi);
	free(d);
	free(d2);
}

/*
 * The repetition policy driven as the worker drives it, with figures and
 * a clock of the test's own: what it decides depends on nothing else.
 */
static enum cow_stop decide(const struct cow_rep_policy *p, unsigned reps,
			    const double *v, uint64_t spent,
			    struct cow_point_info *info)
{
	double tmp[64];

	memcpy(tmp, v, reps * sizeof(*v));
	return cow_rep_decide(p, reps, tmp, reps, spent, info);
}

static void test_rep_decide(void)
{
	static const double tight[] = {
		1000, 1001, 999, 1000.5, 999.5, 1000.2, 999.8, 1000.1,
	};
	static const double wide[] = {
		1000, 1500, 800, 2000, 700, 1200, 900, 1800, 650, 1300,
	};
	struct cow_rep_policy adapt = {
		.target = 0.02, .min_reps = 5, .max_reps = 8,
		.budget_ns = 1000000000ull,
	};
	struct cow_rep_policy fixed = { .target = 0, .reps = 3 };
	struct cow_point_info info;
	enum cow_stop stop;
	struct cow_rng g;
	double v[64];
	unsigned n;

	tap_ok(decide(&adapt, 4, tight, 0, &info) == COW_STOP_NONE,
	       "tight figures, 4 of --min-reps 5: go on");
	/* Decided first: the message's arguments are read before the call. */
	stop = decide(&adapt, 5, tight, 0, &info);
	tap_ok(stop == COW_STOP_PRECISION && info.met && info.rel <= 0.02 && info.reps == 5 &&
	       info.ci_lo <= 1000 && info.ci_hi >= 1000,
	       "tight figures at --min-reps: met (+-%.3f%%), interval [%g, %g]",
	       100 * info.rel, info.ci_lo, info.ci_hi);
	stop = decide(&adapt, 7, wide, 0, &info);
	tap_ok(stop == COW_STOP_NONE && !info.met && info.rel > 0.02,
	       "wide figures, 7 reps: +-%.1f%%, go on", 100 * info.rel);
	tap_ok(decide(&adapt, 8, wide, 0, &info) == COW_STOP_MAX_REPS &&
	       !info.met, "wide figures stop at --max-reps 8, not met");
	tap_ok(decide(&adapt, 6, wide, 999999999ull, &info) == COW_STOP_NONE,
	       "wide figures, budget 1 s, 0.999999999 s spent: go on");
	tap_ok(decide(&adapt, 6, wide, 1000000000ull, &info) == COW_STOP_BUDGET,
	       "wide figures, budget 1 s spent: stop for the budget");
	tap_ok(decide(&adapt, 3, wide, 5000000000ull, &info) == COW_STOP_NONE,
	       "the budget spent does not cut a point below --min-reps");
	adapt.pass_min = 3;
	tap_ok(decide(&adapt, 3, wide, 1000000000ull, &info) == COW_STOP_BUDGET &&
	       decide(&adapt, 2, wide, 1000000000ull, &info) == COW_STOP_NONE &&
	       decide(&adapt, 3, wide, 999999999ull, &info) == COW_STOP_NONE,
	       "a pass before the last: its budget spent ends the visit from pass_min 3, below --min-reps 5");
	adapt.pass_min = 0;
	tap_ok(decide(&fixed, 2, wide, 0, &info) == COW_STOP_NONE &&
	       decide(&fixed, 3, wide, 0, &info) == COW_STOP_REPS &&
	       !info.met && info.target == 0,
	       "fixed --reps 3: exactly 3, no target, never 'met'");
	tap_ok(decide(&adapt, 1, tight, 0, &info) == COW_STOP_NONE &&
	       isnan(info.rel) && isnan(info.ci_lo),
	       "one figure has no interval");

	/* 1 % noise, the loop as the worker runs it: met within bounds. */
	adapt.max_reps = 60;
	adapt.budget_ns = 0;
	cow_rng_seed(&g, 7);
	for (n = 1; n <= 60; n++) {
		v[n - 1] = 1000 * (1 + 0.01 * ((double)cow_rng_below(&g, 2001) /
					       1000 - 1));
		if (decide(&adapt, n, v, 0, &info) != COW_STOP_NONE)
			break;
	}
	tap_ok(info.met && n >= 5 && n <= 60,
	       "figures within +-1%%: target +-2%% met after %u reps (+-%.2f%%)",
	       n, 100 * info.rel);
	/* 10 s over 5 points: 2 s each, until some points leave time. */
	tap_ok(cow_budget_share(10000000000ull, 0, 5) == 2000000000ull &&
	       cow_budget_share(10000000000ull, 2000000000ull, 4) ==
	       2000000000ull,
	       "budget 10 s over 5 points: 2 s each while each takes its share");
	tap_ok(cow_budget_share(10000000000ull, 1000000000ull, 3) ==
	       3000000000ull,
	       "two points left 1 s between them: the 3 after get 3 s each");
	tap_ok(cow_budget_share(10000000000ull, 9000000000ull, 2) ==
	       500000000ull,
	       "points that overran take their excess from the points after");
	tap_ok(cow_budget_share(10000000000ull, 12000000000ull, 2) == 1 &&
	       cow_budget_share(10000000000ull, 0, 0) == 1,
	       "a budget spent leaves 1 ns (the --min-reps floor), not 0 (no limit)");
	tap_ok(cow_budget_share(0, 5, 3) == 0, "no budget: no share");
	tap_ok(!strcmp(cow_stop_name(COW_STOP_BUDGET), "budget") &&
	       !strcmp(cow_stop_name(COW_STOP_N), "?"),
	       "stop reasons are named, an unknown one '?'");
}

int main(void)
{
	test_median_quantile();
	test_rng();
	test_mann_whitney();
	test_p_adjust();
	test_bootstrap();
	test_rep_decide();
	return tap_done();
}
