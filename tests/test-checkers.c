// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-checkers.c - the data-integrity checks of the pinned-page
 * workloads fail when the data is wrong: each is fed deliberately wrong
 * data or wrong expectations, and must turn the sample into a FAIL.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"
#include "tap.h"

#define NPAGES	8

static void test_check_region(void)
{
	size_t len = NPAGES * cow_page_size;
	char *p = cow_region_alloc(len, COW_BACK_SMALL);
	struct cow_sample s;

	cow_region_fill(p, len, SEED_FILE);
	cow_sample_init(&s, "t");
	bench_check_region(&s, "x", p, len, SEED_FILE);
	tap_ok(s.verdict == COW_PASS, "the file's data where it must be passes");

	cow_sample_init(&s, "t");
	bench_check_region(&s, "x", p, len, SEED_PARENT);
	tap_ok(s.verdict == COW_FAIL && strstr(s.reason, "page 0"),
	       "expecting other data fails: %s", s.reason);

	/* An O_DIRECT read that landed elsewhere leaves the old page. */
	cow_region_fill(p + 5 * cow_page_size, cow_page_size, SEED_PARENT);
	cow_sample_init(&s, "t");
	bench_check_region(&s, "x", p, len, SEED_FILE);
	tap_ok(s.verdict == COW_FAIL && strstr(s.reason, "page 5"),
	       "one page missing the read fails, naming it: %s", s.reason);
	cow_region_free(p, len);
}

static void test_classify(void)
{
	size_t len = NPAGES * cow_page_size;
	char *p = cow_region_alloc(len, COW_BACK_SMALL);
	struct bench_seen seen;
	struct cow_sample s;

	cow_region_fill(p, len, SEED_PARENT);
	bench_classify(p, NPAGES, SEED_PARENT, SEED_CHILD, &seen);
	cow_sample_init(&s, "t");
	bench_check_seen(&s, "pipe", &seen, true);
	tap_ok(seen.old == NPAGES && !seen.new && !seen.other &&
	       s.verdict == COW_PASS, "old data in the pipe passes the leak check");

	bench_classify(p, NPAGES, SEED_CHILD, SEED_PARENT2, &seen);
	cow_sample_init(&s, "t");
	bench_check_seen(&s, "pipe", &seen, false);
	tap_ok(seen.other == NPAGES && seen.first_other == 0 &&
	       s.verdict == COW_FAIL,
	       "wrong expected data: every page is neither, FAIL: %s",
	       s.reason);

	/* Pages 2 and 3 written through: what a leaking kernel shows. */
	cow_region_fill(p, len, SEED_PARENT);
	{
		uint64_t *w = (uint64_t *)(p + 2 * cow_page_size);

		w[0] = SEED_CHILD ^ 2;
		w[1] = ~(SEED_CHILD ^ 2);
		w = (uint64_t *)(p + 3 * cow_page_size);
		w[0] = SEED_CHILD ^ 3;
		w[1] = ~(SEED_CHILD ^ 3);
	}
	bench_classify(p, NPAGES, SEED_PARENT, SEED_CHILD, &seen);
	cow_sample_init(&s, "t");
	bench_check_seen(&s, "pipe", &seen, true);
	tap_ok(seen.new == 2 && s.verdict == COW_FAIL,
	       "new data in the pipe fails the leak check: %s", s.reason);
	cow_sample_init(&s, "t");
	bench_check_seen(&s, "pipe", &seen, false);
	tap_ok(s.verdict == COW_PASS,
	       "and is only reported where no snapshot is promised");

	p[6 * cow_page_size] ^= 1;
	bench_classify(p, NPAGES, SEED_PARENT, SEED_CHILD, &seen);
	cow_sample_init(&s, "t");
	bench_check_seen(&s, "pipe", &seen, false);
	tap_ok(seen.other == 1 && seen.first_other == 6 &&
	       s.verdict == COW_FAIL, "a garbled page fails: %s", s.reason);
	cow_region_free(p, len);
}

/*
 * Through a real pipe: the owner of an unshared page writes it after
 * vmsplice, so the pipe hands back the new data - to the leak check that
 * is exactly a leak, and it must say so.
 */
static void test_pipe(void)
{
	size_t len = NPAGES * cow_page_size;
	char *p = cow_region_alloc(len, COW_BACK_SMALL);
	char *out = cow_region_alloc(len, COW_BACK_SMALL);
	struct iovec iov = { .iov_base = p, .iov_len = len };
	struct bench_seen seen;
	struct cow_sample s;
	size_t got = 0;
	ssize_t n = 0;
	int fd[2];

	cow_region_fill(p, len, SEED_PARENT);
	if (pipe(fd) || vmsplice(fd[1], &iov, 1, 0) != (ssize_t)len) {
		tap_ok(0, "vmsplice %zu bytes", len);
		return;
	}
	cow_region_fill(p, len, SEED_PARENT2);
	while (got < len && (n = read(fd[0], out + got, len - got)) > 0)
		got += (size_t)n;
	bench_classify(out, NPAGES, SEED_PARENT, SEED_PARENT2, &seen);
	cow_sample_init(&s, "t");
	bench_check_seen(&s, "pipe", &seen, true);
	tap_diag("pipe gave %zu old, %zu new pages", seen.old, seen.new);
	tap_ok(got == len && (seen.old == NPAGES || s.verdict == COW_FAIL),
	       "a pipe that hands back written data fails the leak check");
	close(fd[0]);
	close(fd[1]);
	cow_region_free(p, len);
	cow_region_free(out, len);
}

static void test_pagemap_diff(void)
{
	const uint64_t P = COW_PM_PRESENT;
	uint64_t parent[5] = { P | 10, P | 11, P | 12, P | 13, 0 };
	uint64_t child[5] = { P | 10, P | 99, P | 12, 0, P | 14 };
	uint8_t differs[5];
	struct cow_pm_diff d;

	cow_pagemap_diff(parent, child, 5, differs, &d);
	tap_ok(d.both == 3 && d.differ == 1 && differs[1] && !differs[0] &&
	       !differs[3] && !differs[4],
	       "pagemap diff: 3 pages in both, 1 copied (%zu, %zu)", d.both,
	       d.differ);
	cow_pagemap_diff(parent, parent, 5, NULL, &d);
	tap_ok(d.both == 4 && d.differ == 0, "a snapshot equals itself");
	memset(child, 0, sizeof(child));
	cow_pagemap_diff(parent, child, 5, NULL, &d);
	tap_ok(d.both == 0 && d.differ == 0,
	       "nothing mapped in the child (MADV_DONTFORK): nothing copied");
}

int main(void)
{
	cow_page_size = (size_t)sysconf(_SC_PAGESIZE);
	test_check_region();
	test_classify();
	test_pipe();
	test_pagemap_diff();
	return tap_done();
}
