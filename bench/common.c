// SPDX-License-Identifier: GPL-2.0-only
/*
 * common.c - helpers shared by the workload families.
 */
#include <errno.h>
#include <string.h>

#include "bench.h"

char *bench_region(struct cow_sample *s, size_t len, enum cow_backing b,
		   uint64_t seed)
{
	char reason[160];
	char *buf;

	buf = cow_region_alloc(len, b);
	if (!buf) {
		cow_sample_verdict(s, COW_SKIP, "cannot map %zu bytes: %s",
				   len, strerror(errno));
		return NULL;
	}
	cow_region_fill(buf, len, seed);
	/*
	 * Without PFNs the backing cannot be checked.  MADV_NOHUGEPAGE makes
	 * small pages certain; anything larger must be seen to be believed.
	 */
	if (!cow_pagemap_pfns_visible(NULL) && b == COW_BACK_SMALL)
		return buf;
	if (!cow_backing_check(buf, len, b, reason, sizeof(reason))) {
		cow_sample_verdict(s, COW_SKIP, "%s", reason);
		cow_region_free(buf, len);
		return NULL;
	}
	return buf;
}
