#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# stats-reference.py - the reference values tests/test-stats.c checks
# lib/stats.c against, computed independently of it: Python's standard
# library only (no scipy or R on the machine they were made on), and where
# possible by a different method - brute-force enumeration of every
# permutation or bootstrap resample instead of lib/stats.c's dynamic
# programming and Monte Carlo.  Run it to see every value the test uses;
# it is not run by `make check` (the values are copied into the test).
import itertools
import math
import statistics
from fractions import Fraction

M64 = (1 << 64) - 1


def splitmix64(state):
    # Steele, Lea, Flood 2014 / Vigna's splitmix64.c, from the description.
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Xoshiro256ss:
    # Blackman & Vigna, "Scrambled linear pseudorandom number generators".
    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed, z = splitmix64(seed)
            self.s.append(z)

    def next(self):
        s = self.s
        r = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return r


def midranks(values):
    order = sorted(values)
    rank = {}
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and order[j] == order[i]:
            j += 1
        rank[order[i]] = Fraction(i + 1 + j, 2)
        i = j
    return [rank[v] for v in values]


def mwu_exact(a, b):
    """Two-sided permutation p: every way of choosing which len(a) of the
    pooled values are 'a', ties kept as midranks; 2 * the smaller tail."""
    pooled = list(a) + list(b)
    r = midranks(pooled)
    t_obs = sum(r[: len(a)])
    le = ge = total = 0
    for idx in itertools.combinations(range(len(pooled)), len(a)):
        t = sum(r[i] for i in idx)
        total += 1
        le += t <= t_obs
        ge += t >= t_obs
    u = t_obs - Fraction(len(a) * (len(a) + 1), 2)
    return float(u), min(1.0, 2 * min(le, ge) / total)


def mwu_normal(a, b):
    """Normal approximation: tie-corrected variance, continuity 0.5."""
    n1, n2 = len(a), len(b)
    n = n1 + n2
    pooled = list(a) + list(b)
    r = midranks(pooled)
    u = float(sum(r[:n1])) - n1 * (n1 + 1) / 2
    counts = {}
    for v in pooled:
        counts[v] = counts.get(v, 0) + 1
    tie = sum(t ** 3 - t for t in counts.values())
    var = n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1)))
    z = max(0.0, abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return u, min(1.0, 2 * (1 - statistics.NormalDist().cdf(z)))


def bh(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [0.0] * m
    prev = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        prev = min(prev, p[i] * m / rank)
        q[i] = prev
    return q


def holm(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [0.0] * m
    prev = 0.0
    for k, i in enumerate(order):
        prev = max(prev, min(1.0, (m - k) * p[i]))
        q[i] = prev
    return q


def boot_ratio_cdf(a, b, xs):
    """Exact bootstrap distribution of median(b*)/median(a*): all
    len(a)^len(a) * len(b)^len(b) equally likely resample pairs."""
    ma = [statistics.median(s) for s in itertools.product(a, repeat=len(a))]
    mb = [statistics.median(s) for s in itertools.product(b, repeat=len(b))]
    ratios = [y / x for x in ma for y in mb]
    return [sum(r <= x for r in ratios) / len(ratios) for x in xs]


if __name__ == "__main__":
    print("quantiles type 7 (statistics.quantiles inclusive, n=40):")
    q = statistics.quantiles([3.0, 1.0, 4.0, 1.5, 9.0, 2.6], n=40,
                             method="inclusive")
    print("  p=0.025 %.17g  p=0.5 %.17g  p=0.975 %.17g" % (q[0], q[19], q[38]))

    print("splitmix64 from 1234567:")
    st = 1234567
    for _ in range(3):
        st, z = splitmix64(st)
        print("  %d" % z)
    g = Xoshiro256ss(42)
    print("xoshiro256** seeded with splitmix64(42):",
          " ".join("0x%016x" % g.next() for _ in range(4)))

    cases = {
        "no ties 3v4": ([1.1, 2.3, 3.5], [4.2, 5.0, 6.1, 7.7]),
        "no ties 5v5 interleaved": ([1, 3, 5, 7, 9.5], [2, 4, 6, 8, 10]),
        "ties 5v6": ([1, 2, 2, 3, 5], [2, 3, 4, 4, 6, 7]),
        "counts 6v6": ([0, 0, 1, 0, 2, 0], [1, 3, 2, 2, 4, 1]),
        "timings 9v11 with ties": (
            [2205.1, 2210.4, 2198.7, 2230.0, 2201.9, 2199.5, 2250.3, 2207.7,
             2207.7],
            [2301.2, 2290.5, 2207.7, 2310.8, 2288.1, 2295.0, 2302.2, 2207.7,
             2199.5, 2320.9, 2299.9]),
    }
    for name, (a, b) in cases.items():
        u, p = mwu_exact(a, b)
        print("mwu exact %-24s U %.1f p %.17g" % (name, u, p))
    a = [i % 7 + 0.5 * (i % 3) for i in range(30)]
    b = [i % 5 + 1 + 0.5 * (i % 2) for i in range(31)]
    print("a30 =", a)
    print("b31 =", b)
    u, p = mwu_normal(a, b)
    print("mwu normal 30v31 with ties U %.1f p %.17g" % (u, p))

    p = [0.01, 0.04, 0.03, 0.005, 0.20]
    print("p    ", p)
    print("BH   ", ["%.17g" % x for x in bh(p)])
    print("Holm ", ["%.17g" % x for x in holm(p)])

    xs = [0.75, 1.0, 1.5, 2.0, 3.5]
    cdf = boot_ratio_cdf([1.0, 2.0, 4.0], [2.0, 3.0, 7.0], xs)
    print("bootstrap P(ratio <= x), a=[1,2,4] b=[2,3,7]:")
    for x, c in zip(xs, cdf):
        print("  x=%-4g %.17g" % (x, c))
