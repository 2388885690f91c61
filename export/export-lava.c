// SPDX-License-Identifier: GPL-2.0-only
/*
 * export-lava.c - `export --format lava`: the output/result.txt a Linaro
 * test definition writes and send-to-lava.sh turns into LAVA test cases:
 * "ID pass|fail|skip [MEASUREMENT [UNITS]]".  One case per point with its
 * verdict, then one per figure, "POINT.FIGURE RESULT VALUE UNIT", whose
 * result is the point's (a failed point's figures are not a pass's).
 *
 * LAVA takes ids of [-_a-zA-Z0-9.] up to 100 characters: a longer one has
 * its point cut, a hash of the whole id put in its place and the figure
 * kept (POINT-CUT-1a2b3c4d.ns_per_op); any id met before gets "-N", so
 * that no two cases merge into one.
 */
#include <string.h>

#include "export-int.h"

#define LAVA_ID_MAX	100

/* POINT[.FIG], its point cut to keep the figure within max */
static void lava_id(char *id, size_t len, size_t max, const char *point,
		    const char *fig)
{
	size_t tail = fig ? strlen(fig) + 1 : 0;

	snprintf(id, len, "%s%s%s", point, fig ? "." : "", fig ? fig : "");
	if (strlen(id) <= max || tail + 10 > max)
		return;
	snprintf(id, len, "%.*s-%08x%s%s", (int)(max - tail - 9), point,
		 (unsigned)cow_hash_str(0, id), fig ? "." : "", fig ? fig : "");
}

static int lava_point(struct exp *e, FILE *f, const struct exp_point *p)
{
	const char *res = cow_verdict_name(p->verdict);
	size_t max = e->o.fmt->max_name;
	char id[1024], num[400], fig[COW_NAME_LEN];
	size_t i;

	lava_id(id, sizeof(id), max, p->name, NULL);
	if (fprintf(f, "%s %s\n", exp_unique(e, id, max), res) < 0)
		return -1;
	for (i = 0; i < p->nval; i++) {
		exp_component(fig, sizeof(fig), p->val[i].name);
		lava_id(id, sizeof(id), max, p->name, fig);
		/* units are one word: "MB/s" stays, nothing with a space */
		if (fprintf(f, "%s %s %s%s%s\n", exp_unique(e, id, max),
			    res, exp_num(p->val[i].v, num, sizeof(num)),
			    p->val[i].unit ? " " : "",
			    p->val[i].unit ? p->val[i].unit : "") < 0)
			return -1;
	}
	return 0;
}

const struct exp_format exp_lava = {
	.name = "lava",
	.help = "LAVA result.txt (Linaro test-definitions, send-to-lava.sh)",
	.rules = "'ID pass|fail|skip [VALUE [UNITS]]', ID of [-_a-zA-Z0-9.], <= 100",
	.max_name = LAVA_ID_MAX,
	.point = lava_point,
};
