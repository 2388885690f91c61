// SPDX-License-Identifier: GPL-2.0-only
/*
 * guards.c - refuse a run that cannot fit before it starts: too much
 * memory for MemAvailable or a cgroup, more tasks than the pid limits
 * allow, scratch files larger than the filesystem's free space.  A run
 * that is OOM-killed or fills the disk halfway has changed knobs and
 * written partial results for nothing; a one-line refusal costs nothing.
 */

#include "cli.h"

/*
 * The most any scenario holds at once is three times its region: the
 * region, the copies the writes make (fork.*: a child's or the parent's
 * side of every page; fork.many: the children's shares, the region again
 * in all) and the free memory warmed for them; ksm.cow warms twice the
 * region beside its own.  Page tables, pagemap arrays and a fork.many
 * child's stack are small change next to that.
 */
#define MEM_FACTOR	3
/*
 * Tasks besides fork.many's children: the sample process, a holder
 * child or a forked writer, and the I/O thread of the race scenarios.
 */
#define BASE_TASKS	4
/*
 * results.json and samples.tsv are rewritten through a temporary copy
 * after every sample: about 1.5 KiB a sample each, twice while renamed.
 */
#define RESULTS_PER_SAMPLE	(4ull << 10)
#define RESULTS_SLACK		(1ull << 20)

static int guard_memory(const struct bench_plan *p, char *err, size_t elen)
{
	const struct cow_scenario *const *sc;
	struct cow_limit l;
	uint64_t size = 0, s;
	char a[32], b[32];

	for (sc = p->sel; *sc; sc++) {
		s = p->max_size(*sc, p->o);
		if (s > size)
			size = s;
	}
	cow_limit_memory(&l);
	if (l.avail == UINT64_MAX || size <= l.avail / MEM_FACTOR)
		return 0;
	if (size > p->o->size)
		return cow_errf(err, elen,
				  "--full sweeps sizes up to %s: needs ~%s, %s",
				  cow_size_str(size, a, sizeof(a)),
				  cow_size_approx(size * MEM_FACTOR, b, sizeof(b)),
				  l.what);
	return cow_errf(err, elen, "--size %s: needs ~%s, %s",
			  cow_size_str(size, a, sizeof(a)),
			  cow_size_approx(size * MEM_FACTOR, b, sizeof(b)),
			  l.what);
}

static int guard_tasks(const struct bench_plan *p, char *err, size_t elen)
{
	const struct cow_scenario *const *sc;
	unsigned children = 0;
	struct cow_limit l;

	for (sc = p->sel; *sc; sc++)
		if ((*sc)->flags & COW_F_CHILDREN)
			children = p->o->children ? p->o->children :
						    cow_nr_allowed_cpus();
	cow_limit_tasks(&l);
	if (l.avail == UINT64_MAX || children + BASE_TASKS <= l.avail)
		return 0;
	if (children)
		return cow_errf(err, elen,
				  "%s%u%s: needs %u tasks, %s",
				  p->o->children ? "--children " : "fork.many: ",
				  children, p->o->children ? "" : " children",
				  children + BASE_TASKS, l.what);
	return cow_errf(err, elen, "a run needs %u tasks, %s", BASE_TASKS,
			  l.what);
}

/*
 * The scratch files go to --dir (one at a time: each point removes its
 * own in cleanup), the results to the output directory; one filesystem
 * holding both must have room for both.
 */
static int guard_disk(const struct bench_plan *p, char *err, size_t elen)
{
	const struct cow_scenario *const *sc;
	struct cow_limit ls, lo;
	uint64_t scratch = 0, results, s;
	dev_t ds, dout;
	const char *dir = p->o->dir ? p->o->dir : p->out;
	char a[32];

	for (sc = p->sel; *sc; sc++) {
		if (!(*sc)->scratch_bytes)
			continue;
		s = (*sc)->scratch_bytes(p->o, p->max_size(*sc, p->o));
		if (s > scratch)
			scratch = s;
	}
	results = p->samples * RESULTS_PER_SAMPLE + RESULTS_SLACK;
	if (cow_limit_disk(p->out, &lo, &dout))
		return 0;	/* not even "/" to stat: --out will say why */
	if (p->o->dir && cow_limit_disk(p->o->dir, &ls, &ds))
		return 0;	/* --dir will say why */
	if (!p->o->dir || ds == dout) {
		if (scratch + results <= lo.avail)
			return 0;
		return cow_errf(err, elen,
				  "%s %s: needs ~%s for scratch files and results, %s",
				  p->o->dir ? "--dir" : "--out", dir,
				  cow_size_approx(scratch + results, a, sizeof(a)),
				  lo.what);
	}
	if (results > lo.avail)
		return cow_errf(err, elen, "--out %s: needs ~%s for results, %s",
				  p->out, cow_size_approx(results, a, sizeof(a)),
				  lo.what);
	if (scratch > ls.avail)
		return cow_errf(err, elen,
				  "--dir %s: needs ~%s for scratch files, %s",
				  p->o->dir, cow_size_approx(scratch, a, sizeof(a)),
				  ls.what);
	return 0;
}

int bench_guards(const struct bench_plan *p, char *err, size_t elen)
{
	if (guard_memory(p, err, elen) || guard_tasks(p, err, elen) ||
	    guard_disk(p, err, elen))
		return -1;
	return 0;
}
