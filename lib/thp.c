// SPDX-License-Identifier: GPL-2.0-only
/*
 * thp.c - the transparent huge page sizes this kernel offers and the
 * knobs that decide which of them a MADV_HUGEPAGE region gets.
 *
 * Every change goes through cow_knob_set(), so the run puts it back.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow.h"

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define DEFAULT_PMD	(2ul << 20)

size_t cow_thp_pmd_size(void)
{
	int64_t v = cow_knob_read_num(THP_DIR "/hpage_pmd_size");

	return v > 0 ? (size_t)v : DEFAULT_PMD;
}

static void size_knob(char *buf, size_t len, size_t size, const char *name)
{
	snprintf(buf, len, THP_DIR "/hugepages-%zukB/%s", size >> 10, name);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

unsigned cow_thp_sizes(size_t *sizes, unsigned max)
{
	char path[PATH_MAX];
	struct dirent *d;
	unsigned n = 0;
	unsigned long kb;
	DIR *dir;

	dir = opendir(THP_DIR);
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < max) {
		if (sscanf(d->d_name, "hugepages-%lukB", &kb) != 1 || !kb)
			continue;
		/* Sizes without "enabled" are for shmem and files only. */
		size_knob(path, sizeof(path), (size_t)kb << 10, "enabled");
		if (access(path, F_OK))
			continue;
		sizes[n++] = (size_t)kb << 10;
	}
	closedir(dir);
	qsort(sizes, n, sizeof(*sizes), cmp_size);
	return n;
}

int64_t cow_thp_size_stat(size_t size, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), THP_DIR "/hugepages-%zukB/stats/%s",
		 size >> 10, name);
	return cow_knob_read_num(path);
}

int cow_thp_enable_pmd(char *reason, size_t rlen)
{
	char path[PATH_MAX], cur[64];
	int r;

	if (access(THP_DIR "/enabled", F_OK)) {
		snprintf(reason, rlen, "no transparent huge pages here (%s)",
			 THP_DIR "/enabled");
		return -ENOENT;
	}
	size_knob(path, sizeof(path), cow_thp_pmd_size(), "enabled");
	r = cow_knob_read(path, cur, sizeof(cur));
	if (!r && !strcmp(cur, "never"))
		return cow_knob_ensure(path, "madvise", reason, rlen);
	/* "inherit", or no per-size knobs: the global one decides. */
	if (r || !strcmp(cur, "inherit")) {
		r = cow_knob_read(THP_DIR "/enabled", cur, sizeof(cur));
		if (!r && !strcmp(cur, "never"))
			return cow_knob_ensure(THP_DIR "/enabled", "madvise", reason,
				      rlen);
	}
	return 0;
}

void cow_thp_reset(void)
{
	size_t sizes[COW_THP_SIZES_MAX];
	char path[PATH_MAX];
	unsigned i, n;

	cow_knob_reset(THP_DIR "/enabled");
	n = cow_thp_sizes(sizes, COW_THP_SIZES_MAX);
	for (i = 0; i < n; i++) {
		size_knob(path, sizeof(path), sizes[i], "enabled");
		cow_knob_reset(path);
	}
}

int cow_thp_enable_only(size_t size, char *reason, size_t rlen)
{
	size_t sizes[COW_THP_SIZES_MAX];
	char path[PATH_MAX];
	unsigned i, n;
	int r;

	n = cow_thp_sizes(sizes, COW_THP_SIZES_MAX);
	for (i = 0; i < n && sizes[i] != size; i++)
		;
	if (i == n) {
		snprintf(reason, rlen, "no anonymous %zukB THP size here",
			 size >> 10);
		return -ENOENT;
	}
	/* Turn the others off first: never two sizes on at once. */
	for (i = 0; i < n; i++) {
		if (sizes[i] == size)
			continue;
		size_knob(path, sizeof(path), sizes[i], "enabled");
		r = cow_knob_ensure(path, "never", reason, rlen);
		if (r)
			return r;
	}
	size_knob(path, sizeof(path), size, "enabled");
	return cow_knob_ensure(path, "madvise", reason, rlen);
}
