// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-pagemap.c - pagemap decoding, the region pattern checker, and the
 * copy accounting of cow_meas on a COW the test makes itself.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cow.h"
#include "tap.h"

static void test_decode(void)
{
	uint64_t present = COW_PM_PRESENT | COW_PM_MMAP_EXCL | 0x1234;
	uint64_t swapped = COW_PM_SWAP | 0x77;

	tap_ok(cow_pm_pfn(present) == 0x1234, "PFN of a present entry");
	tap_ok(cow_pm_pfn(swapped) == 0, "a swapped entry has no PFN");
	tap_ok(cow_pm_pfn(0) == 0, "an empty entry has no PFN");
	tap_ok(cow_pm_pfn(COW_PM_PRESENT | COW_PM_SOFT_DIRTY | 5) == 5,
	       "soft-dirty does not leak into the PFN");
	tap_ok(cow_pm_pfn(COW_PM_PRESENT | COW_PM_PFN_MASK) == COW_PM_PFN_MASK,
	       "the PFN field is 55 bits");
}

static void test_verify(void)
{
	size_t len = 8 * cow_page_size;
	char *p = cow_region_alloc(len, COW_BACK_SMALL);

	tap_ok(p != NULL, "cow_region_alloc small");
	if (!p)
		return;
	cow_region_fill(p, len, 42);
	tap_ok(cow_region_verify(p, len, 42) == -1, "pattern verifies");
	tap_ok(cow_region_verify(p, len, 43) == 0,
	       "the wrong seed fails at page 0");
	p[5 * cow_page_size] ^= 1;
	tap_ok(cow_region_verify(p, len, 42) == 5,
	       "a corrupted page is found by index");
	cow_region_free(p, len);
}

static void test_present(void)
{
	size_t len = 4 * cow_page_size;
	uint64_t e[4];
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	tap_ok(cow_pagemap_read(p, 4, e) == 0, "pagemap read");
	tap_ok(!(e[0] & COW_PM_PRESENT) && !(e[3] & COW_PM_PRESENT),
	       "untouched pages are not present");
	p[2 * cow_page_size] = 1;
	cow_pagemap_read(p, 4, e);
	tap_ok((e[2] & COW_PM_PRESENT) && !(e[1] & COW_PM_PRESENT),
	       "a written page is present, its neighbour not");
	munmap(p, len);
}

/* A child writes half the pages of a shared region: exactly those copy. */
static void test_accounting(void)
{
	size_t n = 64, len = n * cow_page_size, i;
	char *p = cow_region_alloc(len, COW_BACK_SMALL);
	struct cow_meas *m;
	char why[128];
	pid_t pid;

	cow_region_fill(p, len, 1);
	m = cow_meas_new(p, len);
	tap_ok(m != NULL, "cow_meas_new");
	if (!m)
		return;
	for (i = 0; i < n; i += 2)
		cow_meas_require_page(m, i);
	pid = cow_fork();
	if (pid == 0) {
		cow_meas_start(m);
		for (i = 0; i < n; i += 2)
			p[i * cow_page_size] = 7;
		cow_meas_stop(m);
		_exit(0);
	}
	tap_ok(cow_wait(pid, why, sizeof(why)) == 0, "child ran");
	tap_ok(m->accounted, "accounting ran (%s)", m->acct_reason);
	tap_ok(m->pages_copied == 32, "32 pages copied (%lld)",
	       (long long)m->pages_copied);
	tap_ok(m->pages_required == 32 && m->extra_copies == 0 &&
	       m->copies_missing == 0, "required 32, extra 0, missing 0");
	tap_ok(m->t_stop > m->t_start, "the clock ran");
	tap_ok(cow_region_verify(p, len, 1) == -1, "parent kept its data");
	cow_meas_free(m);
	cow_region_free(p, len);
}

static void test_backing(void)
{
	size_t len = 16 * cow_page_size;
	char *p = cow_region_alloc(len, COW_BACK_SMALL);
	char reason[160];

	cow_region_fill(p, len, 3);
	tap_ok(cow_backing_check(p, len, COW_BACK_SMALL, reason,
				 sizeof(reason)), "small pages verified");
	tap_ok(!cow_backing_check(p, len, COW_BACK_THP, reason,
				  sizeof(reason)) &&
	       strstr(reason, "not a THP"),
	       "small pages are not reported as THP: %s", reason);
	tap_ok(cow_folio_size_check(p, len, cow_page_size, reason,
				    sizeof(reason)),
	       "small pages are folios of one page");
	reason[0] = '\0';
	tap_ok(!cow_folio_size_check(p, len, 16 * cow_page_size, reason,
				     sizeof(reason)) && reason[0],
	       "nor are they seen as 16-page folios: %s", reason);
	cow_region_free(p, len);
}

int main(void)
{
	const char *why = NULL;
	bool pfns;

	cow_page_size = (size_t)sysconf(_SC_PAGESIZE);
	cow_events_init(NULL);
	pfns = cow_pagemap_pfns_visible(&why);
	test_decode();
	test_verify();
	test_present();
	if (pfns) {
		test_accounting();
		test_backing();
	} else {
		tap_skip(11, why);
	}
	return tap_done();
}
