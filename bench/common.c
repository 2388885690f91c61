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

bool bench_setup(struct cow_run *r, struct cow_sample *s,
		 struct bench_setup *f)
{
	f->len = r->size;
	f->npages = f->len / cow_page_size;
	f->buf = bench_region(s, f->len, COW_BACK_SMALL, SEED_PARENT);
	if (!f->buf)
		return false;
	f->m = cow_meas_new(f->buf, f->len);
	if (!f->m) {
		cow_sample_verdict(s, COW_FAIL, "cow_meas_new: %s",
				   strerror(errno));
		cow_region_free(f->buf, f->len);
		return false;
	}
	/* The copies the measured writes need must land on warm memory. */
	cow_warm_free_memory(f->len);
	return true;
}

void bench_teardown(struct bench_setup *f)
{
	cow_meas_free(f->m);
	cow_region_free(f->buf, f->len);
}

void bench_check_region(struct cow_sample *s, const char *who,
			const char *buf, size_t len, uint64_t seed)
{
	ssize_t bad = cow_region_verify(buf, len, seed);

	if (bad >= 0)
		cow_sample_verdict(s, COW_FAIL,
				   "%s: page %zd does not hold its own data",
				   who, bad);
}
