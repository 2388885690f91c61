// SPDX-License-Identifier: GPL-2.0-only
/*
 * export-lkp.c - `export --format lkp`: the stats lines an lkp-tests
 * program's parse prints, one record (each key once) for the whole run:
 * "POINT.FIGURE: VALUE", no whitespace in a key, numeric values only;
 * lkp's sbin/dump-stat prefixes the program's name.
 *
 * The verdict is a functional stat in lkp's own convention (etc/pass:
 * .pass, etc/failure: .fail): POINT.pass, POINT.fail or POINT.skip, 1.
 *
 * dump-stat drops a stat that is 0 in every record, and lkp compare
 * skips a non-functional stat the base lacks: an extra_copies of 0 in
 * the base is no stat there, so its 0 -> N would never be shown.  Hence
 * POINT.copies_exact.pass: 1 (no extra and no missing copy) or
 * POINT.copies_exact.fail: 1, a functional pair that is nonzero on each
 * side: lkp compare shows a .fail whose .pass the base had, however the
 * counts moved (stats.rb, StatCompare#skip_function_stat?).  The counts
 * themselves are there too, for a change between nonzero values.
 */
#include <string.h>

#include "export-int.h"

static int lkp_line(struct exp *e, FILE *f, const struct exp_point *p,
		    const char *what, const char *value)
{
	const char *key_u;
	char key[1024];

	snprintf(key, sizeof(key), "%s.%s", p->name, what);
	key_u = exp_unique(e, key, e->o.fmt->max_name);
	return fprintf(f, "%s: %s\n", key_u, value) < 0 ? -1 : 0;
}

static int lkp_begin(struct exp *e, FILE *f)
{
	const char *tool = exp_meta(e, "tool_version");
	const char *rel = exp_meta(e, "uname.release");
	char t[128], r[128];

	/* dump-stat skips lines starting with '#'; one line, whatever meta holds */
	exp_text(t, sizeof(t), tool ? tool : "?");
	exp_text(r, sizeof(r), rel ? rel : "?");
	fprintf(f, "# cowbench export: tool %s, kernel %s, %zu run%s\n",
		t, r, e->nruns,
		e->nruns == 1 ? "" : "s pooled");
	return 0;
}

static int lkp_point(struct exp *e, FILE *f, const struct exp_point *p)
{
	const struct exp_value *extra = exp_builtin(p, EXP_EXTRA_COPIES);
	const struct exp_value *missing = exp_builtin(p, EXP_COPIES_MISSING);
	char num[400], fig[COW_NAME_LEN];
	size_t i;

	if (lkp_line(e, f, p, cow_verdict_name(p->verdict), "1"))
		return -1;
	for (i = 0; i < p->nval; i++) {
		exp_component(fig, sizeof(fig), p->val[i].name);
		if (lkp_line(e, f, p, fig, exp_num(p->val[i].v, num, sizeof(num))))
			return -1;
	}
	/* only where the copies were counted: a null is not "exact" */
	if (extra && lkp_line(e, f, p, extra->v == 0 && (!missing || missing->v == 0) ?
			      "copies_exact.pass" : "copies_exact.fail", "1"))
		return -1;
	return 0;
}

const struct exp_format exp_lkp = {
	.name = "lkp",
	.help = "lkp-tests stats (a program's parse output, for dump-stat)",
	.rules = "'KEY: VALUE' lines, KEY of [A-Za-z0-9._-], VALUE a decimal",
	.begin = lkp_begin,
	.point = lkp_point,
};
