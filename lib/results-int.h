/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * results-int.h - what results.c (writing) and results-read.c (reading)
 * must agree on: the int64 fields of a sample and their JSON names.
 */
#ifndef COW_RESULTS_INT_H
#define COW_RESULTS_INT_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cow.h"

/* Truncating copy; dst is always terminated. */
static inline void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* The int64 counters, in results.json order; -1 is null in every one. */
#define I64(f, tsv)	{ #f, offsetof(struct cow_sample, f), tsv }
static const struct {
	const char *name;
	size_t off;
	bool tsv;		/* also a samples.tsv column */
} i64_fields[] = {
	I64(faults_minor, true), I64(faults_major, true),
	I64(pages_written, true), I64(pages_copied, true),
	I64(pages_required, true), I64(extra_copies, true),
	I64(copies_missing, false), I64(kernel_wpcopy, true),
	I64(kernel_wpcopy_delay_ns, false),
};

static inline int64_t *i64_at(const struct cow_sample *s, unsigned i)
{
	return (int64_t *)((char *)s + i64_fields[i].off);
}


static inline unsigned nvmstat(void)
{
	return cow_vmstat_nkeys < COW_VMSTAT_MAX ? cow_vmstat_nkeys
						 : COW_VMSTAT_MAX;
}

static inline void free_meta_kv(struct cow_meta_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
}

#endif
