// SPDX-License-Identifier: GPL-2.0-only
/*
 * results-pool.c - whether the samples of two runs may be pooled as if
 * one run had made them all (compare's --base A1,A2, export RESULTS...):
 * only when the same cowbench measured under the same knobs.  A pool of
 * runs of different tool versions mixes two ways of counting; one of
 * different knobs (THP always against never) mixes two workloads, and
 * its spread would be the knob's effect, not the hosts'.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cow.h"

bool cow_meta_volatile(const char *key)
{
	/* counters and times that differ in every run: not settings */
	static const char *const keys[] = {
		"start", "end", "partial", "command_line",
		"knobs.ksm.full_scans", "knobs.ksm.pages_scanned",
		"knobs.ksm.pages_shared", "knobs.ksm.pages_sharing",
		"knobs.ksm.pages_unshared", "knobs.ksm.pages_volatile",
		"knobs.ksm.general_profit", "knobs.ksm.ksm_zero_pages",
		"knobs.ksm.pages_skipped", "knobs.ksm.stable_node_chains",
		"knobs.ksm.stable_node_dups", "instruments_check_us",
	};
	size_t i;

	for (i = 0; i < COW_ARRAY_SIZE(keys); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The first knob of a that b lacks or holds otherwise, or NULL. */
static const char *knob_differs(const struct cow_results *a,
				const struct cow_results *b)
{
	size_t i;

	for (i = 0; i < a->nmeta; i++) {
		const char *k = a->meta[i].key;

		if (strncmp(k, "knobs.", 6) || cow_meta_volatile(k))
			continue;
		if (!same_str(a->meta[i].val, cow_results_meta(b, k)))
			return k;
	}
	return NULL;
}

int cow_results_poolable(const struct cow_results *a, const char *aname,
			 const struct cow_results *b, const char *bname,
			 char *err, size_t elen)
{
	const char *ta = cow_results_meta(a, "tool_version");
	const char *tb = cow_results_meta(b, "tool_version");
	const char *k;

	if (!same_str(ta, tb))
		return cow_errf(err, elen, "%s and %s: cannot pool runs of different tool versions (%s, %s)",
				aname, bname, ta ? ta : "none", tb ? tb : "none");
	k = knob_differs(a, b);
	if (!k)
		k = knob_differs(b, a);
	if (k) {
		const char *va = cow_results_meta(a, k);
		const char *vb = cow_results_meta(b, k);

		return cow_errf(err, elen, "%s and %s: cannot pool runs whose knobs differ (%s: %s, %s)",
				aname, bname, k, va ? va : "absent",
				vb ? vb : "absent");
	}
	return 0;
}
