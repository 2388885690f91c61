// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagemap.c - read /proc/self/pagemap and /proc/kpageflags.
 *
 * Copy accounting compares each page's PFN before and after the measured
 * writes: a page whose PFN changed was copied.  The backing check reads the
 * page flags so that a run never reports 4 KiB numbers as THP or vice versa.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow.h"

size_t cow_page_size = 4096;

static int pm_fd = -1;
static pid_t pm_pid;

static int pagemap_fd(void)
{
	/* /proc/self resolves at open time: a forked child must reopen. */
	if (pm_fd >= 0 && pm_pid == getpid())
		return pm_fd;
	if (pm_fd >= 0)
		close(pm_fd);
	pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	pm_pid = getpid();
	return pm_fd;
}

/*
 * The test-only fakes (cow.h): read once, and only looked at when set, so
 * that a run without them takes no other path.
 */
static bool fake_on(const char *env, int *cache)
{
	if (*cache < 0) {
		const char *v = getenv(env);

		*cache = v && !strcmp(v, "1");
	}
	return *cache;
}

static bool fake_pfn_unstable(void)
{
	static int on = -1;

	return fake_on(COW_FAKE_PFN_UNSTABLE_ENV, &on);
}

static bool fake_kpf_ksm(void)
{
	static int on = -1;

	return fake_on(COW_FAKE_KPF_KSM_ENV, &on);
}

/* Every other read sees each PFN's neighbour: no two reads agree. */
static void unsettle_pfns(uint64_t *entries, size_t npages)
{
	static unsigned reads;
	size_t i;

	if (!(++reads & 1))
		return;
	for (i = 0; i < npages; i++)
		if (cow_pm_pfn(entries[i]))
			entries[i] ^= 1;
}

int cow_pagemap_read(const void *addr, size_t npages, uint64_t *entries)
{
	off_t off = (off_t)((uintptr_t)addr / cow_page_size) * 8;
	size_t want = npages * 8, got = 0;
	int fd = pagemap_fd();

	if (fd < 0)
		return -errno;
	while (got < want) {
		ssize_t n = pread(fd, (char *)entries + got, want - got,
				  off + (off_t)got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		got += (size_t)n;
	}
	if (fake_pfn_unstable())
		unsettle_pfns(entries, npages);
	return 0;
}

ssize_t cow_pagemap_count_swapped(const void *buf, size_t len)
{
	size_t n = len / cow_page_size, i, swapped = 0;
	uint64_t *pm = malloc(n * sizeof(*pm));
	int err;

	if (!pm)
		return -ENOMEM;
	err = cow_pagemap_read(buf, n, pm);
	for (i = 0; !err && i < n; i++)
		swapped += !!(pm[i] & COW_PM_SWAP);
	free(pm);
	return err ? err : (ssize_t)swapped;
}

bool cow_pagemap_pfns_visible(const char **reason)
{
	static volatile uint64_t probe = 1;
	uint64_t e;

	probe++;
	if (cow_pagemap_read((const void *)&probe, 1, &e)) {
		if (reason)
			*reason = "cannot read /proc/self/pagemap";
		return false;
	}
	if (!(e & COW_PM_PRESENT) || !cow_pm_pfn(e)) {
		if (reason)
			*reason = "pagemap hides PFNs (needs CAP_SYS_ADMIN)";
		return false;
	}
	return true;
}

void cow_pagemap_diff(const uint64_t *a, const uint64_t *b, size_t npages,
		      uint8_t *differs, struct cow_pm_diff *d)
{
	size_t i;

	d->both = d->differ = 0;
	for (i = 0; i < npages; i++) {
		uint64_t pa = cow_pm_pfn(a[i]), pb = cow_pm_pfn(b[i]);
		bool diff = pa && pb && pa != pb;

		d->both += pa && pb;
		d->differ += diff;
		if (differs)
			differs[i] = diff;
	}
}

int cow_kpageflags(uint64_t pfn, uint64_t *flags)
{
	static int fd = -1;
	ssize_t n;

	if (fd < 0)
		fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, flags, 8, (off_t)(pfn * 8));
	if (n != 8)
		return n < 0 ? -errno : -EIO;
	/* 6.12's lie: mapping & (ANON|MOVABLE) is true of every anon page. */
	if (fake_kpf_ksm() && (*flags & (1ull << COW_KPF_ANON)))
		*flags |= 1ull << COW_KPF_KSM;
	return 0;
}

static const char *backing_name(enum cow_backing b)
{
	switch (b) {
	case COW_BACK_SMALL:
		return "4 KiB pages";
	case COW_BACK_THP:
		return "PMD THP";
	case COW_BACK_LARGE:
		return "large folios";
	default:
		return "?";
	}
}

bool cow_backing_check(const void *addr, size_t len, enum cow_backing b,
		       char *reason, size_t rlen)
{
	size_t npages = len / cow_page_size, i, bad = 0, first_bad = 0;
	uint64_t e, fl;
	const char *why = NULL;
	char distrust[160];
	int err;

	/*
	 * Flags looked up by PFN are only as good as both readings.  Small
	 * pages are certain without them (MADV_NOHUGEPAGE), as for a reader
	 * who may not see PFNs; anything larger must be seen.
	 */
	if (!cow_instr_trusted(COW_INSTR_KPF_THP, distrust, sizeof(distrust))) {
		if (b == COW_BACK_SMALL)
			return true;
		snprintf(reason, rlen, "cannot check for %s: %s",
			 backing_name(b), distrust);
		return false;
	}
	for (i = 0; i < npages; i++) {
		const char *bad_here = NULL;
		bool large, thp;

		err = cow_pagemap_read((const char *)addr + i * cow_page_size,
				       1, &e);
		if (err) {
			snprintf(reason, rlen, "pagemap: %s", strerror(-err));
			return false;
		}
		if (!(e & COW_PM_PRESENT)) {
			snprintf(reason, rlen, "page %zu of %zu not present",
				 i, npages);
			return false;
		}
		if (!cow_pm_pfn(e)) {
			snprintf(reason, rlen,
				 "pagemap hides PFNs (needs CAP_SYS_ADMIN)");
			return false;
		}
		err = cow_kpageflags(cow_pm_pfn(e), &fl);
		if (err) {
			snprintf(reason, rlen, "/proc/kpageflags: %s",
				 strerror(-err));
			return false;
		}
		large = fl & ((1ull << COW_KPF_COMPOUND_HEAD) |
			      (1ull << COW_KPF_COMPOUND_TAIL));
		thp = fl & (1ull << COW_KPF_THP);
		switch (b) {
		case COW_BACK_SMALL:
			if (large)
				bad_here = "is part of a large folio";
			break;
		case COW_BACK_THP:
			if (!thp)
				bad_here = "is not a THP";
			break;
		case COW_BACK_LARGE:
			if (!large)
				bad_here = "is not in a large folio";
			break;
		default:
			/* The others are checked by cow_mem_verify(). */
			snprintf(reason, rlen, "backing %d: see cow_mem_verify()",
				 (int)b);
			return false;
		}
		if (!bad_here)
			continue;
		/* The first bad page names the reason; the rest are counted. */
		if (!bad++) {
			first_bad = i;
			why = bad_here;
		}
		if (b == COW_BACK_THP)
			break;
	}
	if (bad) {
		snprintf(reason, rlen,
			 "asked for %s, but page %zu %s (%zu of %zu pages)",
			 backing_name(b), first_bad, why, bad, npages);
		return false;
	}
	/* KPF_THP marks mTHP folios too: PMD size must be seen as well. */
	if (b == COW_BACK_THP)
		return cow_folio_size_check(addr, len, cow_thp_pmd_size(),
					    reason, rlen);
	return true;
}

static bool folio_page_ok(uint64_t e, uint64_t fl, size_t idx, size_t nfp,
			  uint64_t head_pfn, const char **why)
{
	bool head = fl & (1ull << COW_KPF_COMPOUND_HEAD);
	bool tail = fl & (1ull << COW_KPF_COMPOUND_TAIL);

	if (nfp == 1)
		*why = head || tail ? "is part of a large folio" : NULL;
	else if (!(idx % nfp))
		*why = head ? NULL : "does not start a large folio";
	else if (!tail)
		*why = "is not a tail page";
	else if (cow_pm_pfn(e) != head_pfn + idx % nfp)
		*why = "is not in the folio of the pages before it";
	else
		*why = NULL;
	return !*why;
}

bool cow_folio_size_check(const void *addr, size_t len, size_t folio_size,
			  char *reason, size_t rlen)
{
	size_t npages = len / cow_page_size, nfp = folio_size / cow_page_size;
	uint64_t *pm, fl, head_pfn = 0;
	const char *why = NULL;
	size_t i;
	int err;

	if (!cow_instr_trusted(COW_INSTR_KPF_THP, reason, rlen))
		return false;
	if (!nfp || len % folio_size || (uintptr_t)addr % folio_size) {
		snprintf(reason, rlen, "%zu bytes at %p cannot be %zu KiB folios",
			 len, addr, folio_size >> 10);
		return false;
	}
	pm = malloc(npages * sizeof(*pm));
	if (!pm) {
		snprintf(reason, rlen, "out of memory");
		return false;
	}
	err = cow_pagemap_read(addr, npages, pm);
	for (i = 0; !err && i < npages; i++) {
		if (!cow_pm_pfn(pm[i])) {
			why = pm[i] & COW_PM_PRESENT ?
			      "has no PFN visible (needs CAP_SYS_ADMIN)" :
			      "is not present";
			break;
		}
		err = cow_kpageflags(cow_pm_pfn(pm[i]), &fl);
		if (!(i % nfp))
			head_pfn = cow_pm_pfn(pm[i]);
		if (!err && !folio_page_ok(pm[i], fl, i, nfp, head_pfn, &why))
			break;
	}
	free(pm);
	if (err)
		snprintf(reason, rlen, "pagemap/kpageflags: %s", strerror(-err));
	else if (why)
		snprintf(reason, rlen, "asked for %zu KiB folios, but page %zu of %zu %s",
			 folio_size >> 10, i, npages, why);
	return !err && !why;
}
