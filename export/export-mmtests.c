// SPDX-License-Identifier: GPL-2.0-only
/*
 * export-mmtests.c - `export --format mmtests`: the rows a shellpack's
 * parse-results prints for mmtests' generic extraction
 * (MMTests::ExtractShellpack): tab-separated "METRIC FACTORA FACTORB
 * INTERVAL VALUE EXTRA", reported as the operation METRIC-FACTORA.
 *
 * METRIC is the figure (ns_per_op, pages_copied, ..., or a scenario's
 * own), FACTORA the point, FACTORB and EXTRA "_", INTERVAL 1: one median
 * per point, as every format carries.  A shellpack picks its metrics by
 * the first column (shellpack.yaml for times, shellpack-copies.yaml for
 * counts).  mmtests has no verdicts: each point also gets "failed", 1
 * when it failed and 0 when it passed (none for a skip), so a point that
 * starts failing is a change in compare-mmtests' table.
 */
#include <string.h>

#include "export-int.h"

static int mm_row(struct exp *e, FILE *f, const char *metric,
		  const struct exp_point *p, const char *value)
{
	char key[1024];
	const char *u;

	/*
	 * One operation per (point, metric): two figures whose names differ
	 * only in the bytes made '_' get "-N" (a point's name has no tab).
	 */
	snprintf(key, sizeof(key), "%s\t%s", p->name, metric);
	u = strchr(exp_unique(e, key, e->o.fmt->max_name), '\t') + 1;
	return fprintf(f, "%s\t%s\t_\t1\t%s\t_\n", u, p->name, value) < 0 ?
	       -1 : 0;
}

static int mm_point(struct exp *e, FILE *f, const struct exp_point *p)
{
	char num[400], fig[COW_NAME_LEN];
	size_t i;

	if (p->verdict != COW_SKIP &&
	    mm_row(e, f, "failed", p, p->verdict == COW_FAIL ? "1" : "0"))
		return -1;
	for (i = 0; i < p->nval; i++) {
		exp_component(fig, sizeof(fig), p->val[i].name);
		if (mm_row(e, f, fig, p, exp_num(p->val[i].v, num, sizeof(num))))
			return -1;
	}
	return 0;
}

const struct exp_format exp_mmtests = {
	.name = "mmtests",
	.help = "mmtests parse-results rows (METRIC POINT _ 1 VALUE _, tabs)",
	.rules = "METRIC and POINT of [A-Za-z0-9._-], VALUE a decimal",
	.point = mm_point,
};
