// SPDX-License-Identifier: GPL-2.0-only
/*
 * backing.c - the backings of the kernel's COW selftest (mm/cow.c), as
 * memory a workload writes: THP mapped by PTEs, one PTE of a THP, half a
 * THP moved by mremap(), a THP shared in part, THP swapped out whole (by
 * its PMD or by PTEs), one PTE of a THP swapped out, the THP shapes at
 * the mTHP sizes too, hugetlb of each size, the shared and the huge zero
 * page, and files (memfd, O_TMPFILE, hugetlb memfd) mapped MAP_PRIVATE.
 *
 * cow_mem_map() makes the backing and then checks it page by page (PFN,
 * kpageflags, swap entry, the folio's size): a backing that could not be
 * had is a reason to skip, never numbers measured on another backing.
 * The hugetlb pool is grown here only by what the run needs, through the
 * knob journal, so that the original size comes back on every exit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cow.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT	26
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT	26
#endif

#define HUGETLB_DIR	"/sys/kernel/mm/hugepages"
#define USE_ZERO_PAGE	"/sys/kernel/mm/transparent_hugepage/use_zero_page"

/*
 * MADV_PAGEOUT calls before a THP region not all swapped out is a skip:
 * a folio in another CPU's LRU batch or under writeback is passed over.
 */
#define PAGEOUT_TRIES		8
#define PAGEOUT_RETRY_US	1000

static const char *const names[] = {
	[COW_BACK_SMALL] = "small",
	[COW_BACK_THP] = "thp",
	[COW_BACK_LARGE] = "large",
	[COW_BACK_THP_PTE] = "thp-pte",
	[COW_BACK_THP_SINGLE] = "thp-single-pte",
	[COW_BACK_THP_MREMAP] = "thp-mremap",
	[COW_BACK_THP_SWAP] = "thp-swap",
	[COW_BACK_HUGETLB] = "hugetlb",
	[COW_BACK_ZERO] = "zero",
	[COW_BACK_HUGE_ZERO] = "huge-zero",
	[COW_BACK_MEMFD] = "memfd",
	[COW_BACK_TMPFILE] = "tmpfile",
	[COW_BACK_MEMFD_HUGETLB] = "memfd-hugetlb",
	[COW_BACK_THP_PTE_SWAP] = "thp-pte-swap",
	[COW_BACK_THP_SINGLE_SWAP] = "thp-single-pte-swap",
	[COW_BACK_THP_SHARED_PART] = "thp-partial-shared",
};

const char *cow_backing_name(enum cow_backing b, size_t hsize, char *buf,
			     size_t len)
{
	char sz[32];

	if ((unsigned)b >= COW_ARRAY_SIZE(names))
		snprintf(buf, len, "?");
	else if ((cow_backing_is_hugetlb(b) && hsize) ||
		 (cow_backing_is_thp_shape(b) && hsize &&
		  hsize != cow_thp_pmd_size()))
		snprintf(buf, len, "%s-%s", names[b],
			 cow_size_str(hsize, sz, sizeof(sz)));
	else
		snprintf(buf, len, "%s", names[b]);
	return buf;
}

bool cow_backing_is_thp_shape(enum cow_backing b)
{
	switch (b) {
	case COW_BACK_THP_PTE:
	case COW_BACK_THP_SINGLE:
	case COW_BACK_THP_MREMAP:
	case COW_BACK_THP_SWAP:
	case COW_BACK_THP_PTE_SWAP:
	case COW_BACK_THP_SINGLE_SWAP:
	case COW_BACK_THP_SHARED_PART:
		return true;
	default:
		return false;
	}
}

bool cow_backing_has_mthp(enum cow_backing b)
{
	/* A THP smaller than a PMD is never mapped by one. */
	return cow_backing_is_thp_shape(b) && b != COW_BACK_THP_SWAP;
}

bool cow_backing_is_swapped(enum cow_backing b)
{
	return b == COW_BACK_THP_SWAP || b == COW_BACK_THP_PTE_SWAP ||
	       b == COW_BACK_THP_SINGLE_SWAP;
}

/* The folio size of a THP shape: the mTHP size asked for, or the PMD's. */
static size_t thp_size(const struct cow_mem *m)
{
	return m->hsize ? m->hsize : cow_thp_pmd_size();
}

bool cow_backing_is_hugetlb(enum cow_backing b)
{
	return b == COW_BACK_HUGETLB || b == COW_BACK_MEMFD_HUGETLB;
}

bool cow_backing_is_file(enum cow_backing b)
{
	return b == COW_BACK_MEMFD || b == COW_BACK_TMPFILE ||
	       b == COW_BACK_MEMFD_HUGETLB;
}

bool cow_backing_is_zero(enum cow_backing b)
{
	return b == COW_BACK_ZERO || b == COW_BACK_HUGE_ZERO;
}

/* ---- hugetlb sizes and the pool ----------------------------------------- */

static int hugetlb_log2(size_t hsize)
{
	return __builtin_ctzll((unsigned long long)hsize);
}


static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

unsigned cow_hugetlb_sizes(size_t *sizes, unsigned max)
{
	unsigned long kb;
	struct dirent *d;
	unsigned n = 0;
	DIR *dir;

	dir = opendir(HUGETLB_DIR);
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < max)
		if (sscanf(d->d_name, "hugepages-%lukB", &kb) == 1 && kb)
			sizes[n++] = (size_t)kb << 10;
	closedir(dir);
	qsort(sizes, n, sizeof(*sizes), cmp_size);
	return n;
}

static int64_t pool_num(size_t hsize, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), HUGETLB_DIR "/hugepages-%zukB/%s",
		 hsize >> 10, name);
	return cow_knob_read_num(path);
}

/* Pages of the pool nobody holds or has reserved: ours to take. */
static int64_t pool_unclaimed(size_t hsize)
{
	int64_t fr = pool_num(hsize, "free_hugepages");
	int64_t rs = pool_num(hsize, "resv_hugepages");

	return fr < 0 || rs < 0 ? -1 : fr - rs;
}

int cow_hugetlb_reserve(size_t hsize, uint64_t npages, char *reason,
			size_t rlen)
{
	int64_t nr = pool_num(hsize, "nr_hugepages");
	int64_t have = pool_unclaimed(hsize);
	char path[PATH_MAX], val[32], sz[32];
	int r;

	cow_size_str(hsize, sz, sizeof(sz));
	if (nr < 0 || have < 0) {
		snprintf(reason, rlen, "no hugetlb pool of %s pages here", sz);
		return -ENOENT;
	}
	if ((uint64_t)have >= npages)
		return 0;
	/*
	 * Grow the pool by what is missing only: free pages another user
	 * reserved stay theirs, and the journal puts the old size back.
	 */
	snprintf(path, sizeof(path), HUGETLB_DIR "/hugepages-%zukB/nr_hugepages",
		 hsize >> 10);
	snprintf(val, sizeof(val), "%lld",
		 (long long)(nr + (int64_t)npages - have));
	r = cow_knob_set_why(path, val, reason, rlen);
	if (r)
		return r;
	have = pool_unclaimed(hsize);
	if (have < 0 || (uint64_t)have < npages) {
		snprintf(reason, rlen,
			 "the kernel gave %lld of the %llu %s hugetlb pages needed (memory fragmented?)",
			 (long long)(have < 0 ? 0 : have),
			 (unsigned long long)npages, sz);
		cow_knob_reset(path);
		return -ENOMEM;
	}
	return 0;
}

void cow_hugetlb_reset(size_t hsize)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), HUGETLB_DIR "/hugepages-%zukB/nr_hugepages",
		 hsize >> 10);
	cow_knob_reset(path);
}

int cow_huge_zero_enable(char *reason, size_t rlen)
{
	if (access(USE_ZERO_PAGE, F_OK)) {
		snprintf(reason, rlen, "no huge zero page here (%s)",
			 USE_ZERO_PAGE);
		return -ENOENT;
	}
	return cow_knob_ensure(USE_ZERO_PAGE, "1", reason, rlen);
}

void cow_huge_zero_reset(void)
{
	cow_knob_reset(USE_ZERO_PAGE);
}

void cow_mem_warm(const struct cow_mem *m)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE;
	void *p;

	if (!cow_backing_is_hugetlb(m->b)) {
		cow_warm_free_memory(m->len);
		return;
	}
	/*
	 * The copies come from the pool: fault free pool pages in once (the
	 * kernel zeroes each whole), so that the host has backed them.
	 */
	flags |= hugetlb_log2(m->hsize) << MAP_HUGE_SHIFT;
	p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p != MAP_FAILED)
		munmap(p, m->len);
}

/* ---- data --------------------------------------------------------------- */

ssize_t cow_mem_data_check(const void *addr, size_t len, uint64_t seed)
{
	size_t i, n = len / cow_page_size;

	if (seed != COW_SEED_ZERO)
		return cow_region_verify(addr, len, seed);
	for (i = 0; i < n; i++) {
		const uint64_t *w = (const uint64_t *)
				    ((const char *)addr + i * cow_page_size);

		if (w[0] || w[1])
			return (ssize_t)i;
	}
	return -1;
}

void cow_mem_present(const struct cow_mem *m)
{
	volatile uint64_t sum = 0;
	size_t off;

	for (off = 0; off < m->len; off += cow_page_size)
		sum += *(const volatile uint64_t *)(m->buf + off);
	(void)sum;	/* read for the faults only */
}

ssize_t cow_mem_file_check(const struct cow_mem *m)
{
	ssize_t bad;
	void *p;

	if (m->fd < 0)
		return -1;
	/* A shared view of the file: hugetlbfs has no read(2). */
	p = mmap(NULL, m->file_len, PROT_READ, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED)
		return -2;
	bad = cow_region_verify(p, m->file_len, m->seed);
	munmap(p, m->file_len);
	return bad;
}

/* ---- checking a backing page by page ------------------------------------ */

struct pg {
	uint64_t e;	/* pagemap entry */
	uint64_t fl;	/* kpageflags, 0 when not present */
};

#define FL(p, bit)	(!!((p)->fl & (1ull << (bit))))

/* Entries and flags of every page of the range; NULL with a reason. */
static struct pg *read_pages(const char *addr, size_t npages, char *reason,
			     size_t rlen)
{
	uint64_t *pm = malloc(npages * sizeof(*pm));
	struct pg *pg = calloc(npages, sizeof(*pg));
	size_t i;
	int err;

	if (!pm || !pg) {
		snprintf(reason, rlen, "out of memory");
		goto fail;
	}
	err = cow_pagemap_read(addr, npages, pm);
	if (err) {
		snprintf(reason, rlen, "pagemap: %s", strerror(-err));
		goto fail;
	}
	for (i = 0; i < npages; i++) {
		pg[i].e = pm[i];
		if (!(pm[i] & COW_PM_PRESENT))
			continue;
		if (!cow_pm_pfn(pm[i])) {
			snprintf(reason, rlen,
				 "pagemap hides PFNs (needs CAP_SYS_ADMIN)");
			goto fail;
		}
		err = cow_kpageflags(cow_pm_pfn(pm[i]), &pg[i].fl);
		if (err) {
			snprintf(reason, rlen, "/proc/kpageflags: %s",
				 strerror(-err));
			goto fail;
		}
	}
	free(pm);
	return pg;
fail:
	free(pm);
	free(pg);
	return NULL;
}

/* Why page i is not as backing b needs it, or NULL. */
static const char *page_bad(const struct cow_mem *m, const struct pg *pg,
			    size_t i)
{
	const struct pg *p = &pg[i];
	size_t nthp = (cow_backing_is_thp_shape(m->b) ? thp_size(m) :
		       cow_thp_pmd_size()) / cow_page_size;
	size_t half = nthp / 2;
	bool present = p->e & COW_PM_PRESENT;
	bool large = FL(p, COW_KPF_COMPOUND_HEAD) || FL(p, COW_KPF_COMPOUND_TAIL);
	uint64_t pfn = cow_pm_pfn(p->e);

	if (cow_backing_is_swapped(m->b))
		return p->e & COW_PM_SWAP ? NULL : "is not a swap entry";
	if (!present)
		return "is not present";
	switch (m->b) {
	case COW_BACK_THP_SINGLE:
		/* The head of a THP of the size, the rest of it unmapped. */
		if (!FL(p, COW_KPF_THP) || !FL(p, COW_KPF_COMPOUND_HEAD))
			return "is not the head page of a THP";
		if (pfn % nthp)
			return "is not the first page of a folio of the THP size";
		if (i && cow_pm_pfn(pg[i - 1].e) / nthp == pfn / nthp)
			return "shares its THP with the page before it";
		return NULL;
	case COW_BACK_THP_MREMAP:
		/* The second half of a THP of the size, consecutive. */
		if (!FL(p, COW_KPF_THP) || !FL(p, COW_KPF_COMPOUND_TAIL))
			return "is not a tail page of a THP";
		if (pfn % nthp != half + i % half)
			return "is not in the second half of its THP";
		return NULL;
	case COW_BACK_ZERO:
		if (!FL(p, COW_KPF_ZERO_PAGE) || large)
			return "is not the shared zero page";
		if (i && pfn != cow_pm_pfn(pg[0].e))
			return "is another zero page than page 0";
		return NULL;
	case COW_BACK_HUGE_ZERO:
		if (!FL(p, COW_KPF_ZERO_PAGE) || !FL(p, COW_KPF_THP))
			return "is not the huge zero page";
		if (pfn % nthp != i % nthp)
			return "is not at its offset in the huge zero page";
		return NULL;
	case COW_BACK_MEMFD:
	case COW_BACK_TMPFILE:
	case COW_BACK_MEMFD_HUGETLB:
		if (!(p->e & COW_PM_FILE) || FL(p, COW_KPF_ANON))
			return "is not a page of the file";
		if (m->b == COW_BACK_MEMFD_HUGETLB && !FL(p, COW_KPF_HUGE))
			return "is not a hugetlb page";
		return NULL;
	case COW_BACK_HUGETLB:
		return FL(p, COW_KPF_HUGE) && FL(p, COW_KPF_ANON) ? NULL :
		       "is not an anonymous hugetlb page";
	default:
		return NULL;
	}
}

int cow_mem_verify(const struct cow_mem *m, char *reason, size_t rlen)
{
	size_t npages = m->len / cow_page_size, i, bad = 0, first = 0;
	const char *why = NULL, *w;
	char name[32];
	struct pg *pg;
	int64_t kb;

	switch (m->b) {
	case COW_BACK_SMALL:
	case COW_BACK_THP:
	case COW_BACK_LARGE:
		return cow_backing_check(m->buf, m->len, m->b, reason, rlen) ?
		       0 : -1;
	case COW_BACK_THP_PTE:
	case COW_BACK_THP_SHARED_PART:
		/* Whole folios of the size, none of them mapped by a PMD. */
		if (!cow_folio_size_check(m->buf, m->len, thp_size(m), reason,
					  rlen))
			return -1;
		kb = cow_smaps_kb(m->buf, "AnonHugePages");
		if (kb != 0) {
			snprintf(reason, rlen,
				 "the THPs are still mapped by PMDs (AnonHugePages %lld kB)",
				 (long long)kb);
			return -1;
		}
		return 0;
	default:
		break;
	}
	/* The flags of hugetlb and zero pages are read by PFN as THP's are. */
	if (!cow_instr_trusted(cow_backing_is_zero(m->b) ?
			       COW_INSTR_KPF_ZERO_PAGE : COW_INSTR_KPF_THP,
			       reason, rlen))
		return -1;
	pg = read_pages(m->buf, npages, reason, rlen);
	if (!pg)
		return -1;
	for (i = 0; i < npages; i++) {
		w = page_bad(m, pg, i);
		if (w && !bad++) {
			first = i;
			why = w;
		}
	}
	free(pg);
	if (bad) {
		snprintf(reason, rlen, "asked for %s, but page %zu %s (%zu of %zu pages)",
			 cow_backing_name(m->b, m->hsize, name, sizeof(name)),
			 first, why, bad, npages);
		return -1;
	}
	/* Hugetlb: whole pages of the size asked for, each one folio. */
	if (cow_backing_is_hugetlb(m->b))
		return cow_folio_size_check(m->buf, m->len, m->hsize, reason,
					    rlen) ? 0 : -1;
	return 0;
}

/* ---- making each backing ------------------------------------------------ */

static int errf(char *reason, size_t rlen, const char *what)
{
	snprintf(reason, rlen, "%s: %s", what, strerror(errno));
	return -1;
}

/*
 * THPs of the size filled with the pattern, checked as such: PMD-mapped
 * at the PMD size; at an mTHP size, folios of exactly that size (the
 * caller enabled it alone, so a fault gets no other).
 */
static int map_thp(struct cow_mem *m, size_t len, char *reason, size_t rlen)
{
	size_t tsz = thp_size(m);
	bool pmd = tsz == cow_thp_pmd_size();

	m->map = cow_region_alloc(len, pmd ? COW_BACK_THP : COW_BACK_LARGE);
	if (!m->map)
		return errf(reason, rlen, "mmap");
	m->map_len = len;
	cow_region_fill(m->map, len, m->seed);
	if (pmd ? !cow_backing_check(m->map, len, COW_BACK_THP, reason, rlen) :
	    !cow_folio_size_check(m->map, len, tsz, reason, rlen))
		return -1;
	return 0;
}

/*
 * Map a single page of each THP R/O and back: the PMD becomes PTEs.  An
 * mTHP is mapped by PTEs already (cow.c's mprotect() is a no-op there).
 */
static int pte_map(const struct cow_mem *m, char *p, size_t len, char *reason,
		   size_t rlen)
{
	size_t pmd = cow_thp_pmd_size(), off;

	if (thp_size(m) != pmd)
		return 0;
	for (off = 0; off < len; off += pmd)
		if (mprotect(p + off + cow_page_size, cow_page_size, PROT_READ) ||
		    mprotect(p + off + cow_page_size, cow_page_size,
			     PROT_READ | PROT_WRITE))
			return errf(reason, rlen, "mprotect");
	return 0;
}

/* A range of len bytes for mremap() to move pieces into. */
static char *placeholder(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Move piece bytes at offset from of each THP to consecutive places of a
 * new range: one PTE of each (THP_SINGLE, THP_SINGLE_SWAP) or each second
 * half (THP_MREMAP).  What stays behind is unmapped (single) or kept
 * mapped (mremap: the THP is then mapped in two places, as in cow.c).
 */
static int gather(struct cow_mem *m, size_t from, size_t piece, char *reason,
		  size_t rlen)
{
	size_t tsz = thp_size(m), n = m->map_len / tsz, i;
	char *dst;

	m->len = n * piece;
	dst = placeholder(m->len);
	if (!dst)
		return errf(reason, rlen, "mmap");
	m->buf = dst;
	for (i = 0; i < n; i++)
		if (mremap(m->map + i * tsz + from, piece, piece,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst + i * piece) == MAP_FAILED)
			return errf(reason, rlen, "mremap");
	if (m->b != COW_BACK_THP_MREMAP) {
		munmap(m->map, m->map_len);
		m->map = NULL;
	}
	/* The range's own pattern: these writes reuse, the pages are ours. */
	cow_region_fill(m->buf, m->len, m->seed);
	return 0;
}

static int64_t vmstat_one(const char *key)
{
	char line[128];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			sscanf(line + kl + 1, "%lld", &v);
			break;
		}
	fclose(f);
	return v;
}

/*
 * Folios of size tsz swapped out whole, or split on the way out
 * (fallback): vmstat's thp_swpout counts the PMD size on every kernel
 * with THP swap-out and vm event counters; the size's own stats (6.10+)
 * count any size, without those counters too.
 */
static int64_t swpout_stat(size_t tsz, bool fallback)
{
	int64_t v = -1;

	if (tsz == cow_thp_pmd_size())
		v = vmstat_one(fallback ? "thp_swpout_fallback" : "thp_swpout");
	return v >= 0 ? v :
	       cow_thp_size_stat(tsz, fallback ? "swpout_fallback" : "swpout");
}

/*
 * Page the range out.  With whole (THP_SWAP, THP_PTE_SWAP), the THPs
 * must go whole: every one of them counted by swpout_stat(); a THP split
 * on the way out is swapped 4 KiB pages, which is the base page backing,
 * not this one.  One PTE of a THP (THP_SINGLE_SWAP) goes as a page of
 * its own: the kernel splits a partly mapped folio before it swaps it,
 * and cow.c asks only for swap entries there.
 */
static int swap_out(struct cow_mem *m, bool whole, char *reason, size_t rlen)
{
	size_t tsz = thp_size(m), n = m->len / cow_page_size;
	size_t nthp = m->len / tsz;
	int64_t out0 = swpout_stat(tsz, false), fb0 = swpout_stat(tsz, true);
	int64_t out1, fb1;
	unsigned tries;
	ssize_t got = 0;
	char sz[32];

	for (tries = 0; tries < PAGEOUT_TRIES; tries++) {
		if (tries)
			usleep(PAGEOUT_RETRY_US << tries);
		if (madvise(m->buf, m->len, MADV_PAGEOUT))
			return errf(reason, rlen, errno == EINVAL ?
				    "MADV_PAGEOUT (5.4+)" : "MADV_PAGEOUT");
		got = cow_pagemap_count_swapped(m->buf, m->len);
		if (got < 0 || (size_t)got == n)
			break;
	}
	out1 = swpout_stat(tsz, false);
	fb1 = swpout_stat(tsz, true);
	if (got < 0) {
		snprintf(reason, rlen, "pagemap: %s", strerror((int)-got));
		return -1;
	}
	if ((size_t)got != n) {
		snprintf(reason, rlen,
			 "only %zd of %zu pages were swapped out (no swap space?)",
			 got, n);
		return -1;
	}
	if (!whole)
		return 0;
	cow_size_str(tsz, sz, sizeof(sz));
	if (out0 < 0 || out1 < 0) {
		snprintf(reason, rlen,
			 "no thp_swpout in /proc/vmstat nor stats/swpout for %s THPs: cannot tell THPs from split pages",
			 sz);
		return -1;
	}
	if ((size_t)(out1 - out0) < nthp) {
		snprintf(reason, rlen,
			 "%lld of %zu %s THPs went to swap whole (%lld split on the way out): the THP swap-out path was not taken",
			 (long long)(out1 - out0), nthp, sz,
			 (long long)(fb1 >= 0 && fb0 >= 0 ? fb1 - fb0 : -1));
		return -1;
	}
	return 0;
}

/*
 * In the child: whether it was given the first page of each THP and no
 * other.  pm has room for the child's entries (no malloc() after fork).
 */
static int child_sees_part(const struct cow_mem *m, const uint64_t *parent,
			   uint64_t *pm)
{
	size_t n = m->len / cow_page_size, nf = thp_size(m) / cow_page_size;
	size_t i;

	if (cow_pagemap_read(m->buf, n, pm))
		return 3;
	for (i = 0; i < n; i++) {
		if (i % nf ? pm[i] & (COW_PM_PRESENT | COW_PM_SWAP) :
		    !(pm[i] & COW_PM_PRESENT) ||
		    cow_pm_pfn(pm[i]) != cow_pm_pfn(parent[i]))
			return i % nf ? 2 : 1;
	}
	return 0;
}

/*
 * cow.c's partially shared THP: the first page of each THP goes to a
 * child (MADV_DONTFORK on the rest of it, which splits a PMD into PTEs),
 * and the child exits.  That page was shared and lost its exclusive mark;
 * the rest of the THP never was.  The child checks what it was given.
 */
static int share_part(struct cow_mem *m, char *reason, size_t rlen)
{
	static const char *const what[] = {
		[1] = "did not map the first page of a THP at the parent's PFN",
		[2] = "mapped a page of a THP marked MADV_DONTFORK",
		[3] = "could not read its pagemap",
	};
	size_t tsz = thp_size(m), n = m->len / cow_page_size, off;
	/* The parent's entries, then room for the child's. */
	uint64_t *pm = malloc(2 * n * sizeof(*pm));
	int status, r = -1, err;
	char why[96];
	pid_t pid;

	if (!pm) {
		snprintf(reason, rlen, "out of memory");
		return -1;
	}
	err = cow_pagemap_read(m->buf, n, pm);
	if (err) {
		snprintf(reason, rlen, "pagemap: %s", strerror(-err));
		goto out;
	}
	for (off = 0; off < m->len; off += tsz)
		if (madvise(m->buf + off + cow_page_size, tsz - cow_page_size,
			    MADV_DONTFORK)) {
			errf(reason, rlen, errno == ENOMEM ?
			     "MADV_DONTFORK (a VMA per THP: vm.max_map_count?)" :
			     "MADV_DONTFORK");
			goto out;
		}
	pid = cow_fork();
	if (pid < 0) {
		errf(reason, rlen, "fork");
		goto out;
	}
	if (!pid)
		_exit(child_sees_part(m, pm, pm + n));
	if (cow_wait_status(pid, &status, why, sizeof(why))) {
		if (WIFEXITED(status) && WEXITSTATUS(status) < 4 &&
		    WEXITSTATUS(status))
			snprintf(reason, rlen, "no THP shared in part: the child %s",
				 what[WEXITSTATUS(status)]);
		else
			snprintf(reason, rlen, "no THP shared in part: %s", why);
		goto out;
	}
	for (off = 0; off < m->len; off += tsz)
		if (madvise(m->buf + off + cow_page_size, tsz - cow_page_size,
			    MADV_DOFORK)) {
			errf(reason, rlen, "MADV_DOFORK");
			goto out;
		}
	r = 0;
out:
	free(pm);
	return r;
}

static int map_hugetlb(struct cow_mem *m, char *reason, size_t rlen)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
		    hugetlb_log2(m->hsize) << MAP_HUGE_SHIFT;
	void *p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (p == MAP_FAILED)
		return errf(reason, rlen, "mmap(MAP_HUGETLB)");
	m->buf = p;
	cow_region_fill(m->buf, m->len, m->seed);
	return 0;
}

/* The zero page in every page: reads only, THP kept out (or asked for). */
static int map_zero(struct cow_mem *m, char *reason, size_t rlen)
{
	m->buf = cow_region_alloc(m->len, m->b == COW_BACK_ZERO ?
				  COW_BACK_SMALL : COW_BACK_THP);
	if (!m->buf)
		return errf(reason, rlen, "mmap");
	cow_mem_present(m);
	return 0;
}

static int open_file(struct cow_mem *m, char *reason, size_t rlen)
{
	switch (m->b) {
	case COW_BACK_MEMFD:
		m->fd = memfd_create("cowbench", MFD_CLOEXEC);
		return m->fd < 0 ? errf(reason, rlen, "memfd_create") : 0;
	case COW_BACK_MEMFD_HUGETLB:
		m->fd = memfd_create("cowbench", MFD_CLOEXEC | MFD_HUGETLB |
				     hugetlb_log2(m->hsize) << MFD_HUGE_SHIFT);
		return m->fd < 0 ? errf(reason, rlen,
					"memfd_create(MFD_HUGETLB)") : 0;
	default:
		/* Nameless: no file to leave behind, whatever kills us. */
		m->fd = open(m->dir ? m->dir : ".",
			     O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (m->fd < 0) {
			snprintf(reason, rlen, "O_TMPFILE in %s: %s",
				 m->dir ? m->dir : ".", strerror(errno));
			return -1;
		}
		return 0;
	}
}

/*
 * The file holds the pattern (written through a shared mapping: hugetlbfs
 * has no write(2)); the private mapping is read-faulted, so its PTEs map
 * the page cache and the first write to each page must copy from it.
 */
static int map_file(struct cow_mem *m, char *reason, size_t rlen)
{
	void *p;

	if (open_file(m, reason, rlen))
		return -1;
	m->file_len = m->len;
	if (ftruncate(m->fd, (off_t)m->len))
		return errf(reason, rlen, "ftruncate");
	p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED)
		return errf(reason, rlen, "mmap(MAP_SHARED)");
	cow_region_fill(p, m->len, m->seed);
	munmap(p, m->len);
	p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, m->fd, 0);
	if (p == MAP_FAILED)
		return errf(reason, rlen, "mmap(MAP_PRIVATE)");
	m->buf = p;
	cow_mem_present(m);
	return 0;
}

/* Whether a THP shape can be had at its size, with the reason if not. */
static int thp_shape_ok(const struct cow_mem *m, char *reason, size_t rlen)
{
	size_t tsz = thp_size(m), pmd = cow_thp_pmd_size();
	char name[32];

	cow_backing_name(m->b, m->hsize, name, sizeof(name));
	if (tsz != pmd && (!cow_backing_has_mthp(m->b) || tsz > pmd ||
			   tsz < 2 * cow_page_size || tsz & (tsz - 1))) {
		snprintf(reason, rlen, "%s: no such THP shape at %zu kB",
			 name, tsz >> 10);
		return -1;
	}
	if (m->size % tsz) {
		snprintf(reason, rlen, "%zu bytes are not whole %zu kB THPs",
			 m->size, tsz >> 10);
		return -1;
	}
	return 0;
}

int cow_mem_map(struct cow_mem *m, char *reason, size_t rlen)
{
	size_t tsz = 0;
	int r = -1;

	m->buf = m->map = NULL;
	m->map_len = 0;
	m->fd = -1;
	m->len = m->size;
	m->unit = cow_page_size;
	if (cow_backing_is_zero(m->b))
		m->seed = COW_SEED_ZERO;
	if (cow_backing_is_hugetlb(m->b)) {
		if (!m->hsize || m->size % m->hsize) {
			snprintf(reason, rlen, "%zu bytes are not whole %zu kB hugetlb pages",
				 m->size, m->hsize >> 10);
			return -1;
		}
		m->unit = m->hsize;
	}
	if (cow_backing_is_thp_shape(m->b)) {
		if (thp_shape_ok(m, reason, rlen))
			return -1;
		tsz = thp_size(m);
	}
	switch (m->b) {
	case COW_BACK_SMALL:
	case COW_BACK_THP:
	case COW_BACK_LARGE:
		m->buf = cow_region_alloc(m->len, m->b);
		if (!m->buf)
			return errf(reason, rlen, "mmap");
		cow_region_fill(m->buf, m->len, m->seed);
		r = 0;
		break;
	case COW_BACK_THP_PTE:
	case COW_BACK_THP_SWAP:
	case COW_BACK_THP_PTE_SWAP:
	case COW_BACK_THP_SHARED_PART:
		r = map_thp(m, m->len, reason, rlen);
		/* The range is the mapping itself: freed as m->buf. */
		m->buf = m->map;
		m->map = NULL;
		/* cow.c splits the shared-in-part THP by MADV_DONTFORK alone. */
		if (!r && (m->b == COW_BACK_THP_PTE ||
			   m->b == COW_BACK_THP_PTE_SWAP))
			r = pte_map(m, m->buf, m->len, reason, rlen);
		if (!r && m->b == COW_BACK_THP_SHARED_PART)
			r = share_part(m, reason, rlen);
		if (!r && cow_backing_is_swapped(m->b))
			r = swap_out(m, true, reason, rlen);
		break;
	case COW_BACK_THP_SINGLE:
	case COW_BACK_THP_SINGLE_SWAP:
	case COW_BACK_THP_MREMAP:
		r = map_thp(m, m->size, reason, rlen);
		if (!r)
			r = pte_map(m, m->map, m->map_len, reason, rlen);
		if (!r && m->b == COW_BACK_THP_MREMAP)
			r = gather(m, tsz / 2, tsz / 2, reason, rlen);
		else if (!r)
			r = gather(m, 0, cow_page_size, reason, rlen);
		if (!r && m->b == COW_BACK_THP_SINGLE_SWAP)
			r = swap_out(m, false, reason, rlen);
		break;
	case COW_BACK_HUGETLB:
		r = map_hugetlb(m, reason, rlen);
		break;
	case COW_BACK_ZERO:
	case COW_BACK_HUGE_ZERO:
		r = map_zero(m, reason, rlen);
		break;
	case COW_BACK_MEMFD:
	case COW_BACK_TMPFILE:
	case COW_BACK_MEMFD_HUGETLB:
		r = map_file(m, reason, rlen);
		break;
	}
	if (!r)
		r = cow_mem_verify(m, reason, rlen);
	if (r)
		cow_mem_unmap(m);
	return r;
}

void cow_mem_unmap(struct cow_mem *m)
{
	if (m->buf)
		munmap(m->buf, m->len);
	if (m->map)
		munmap(m->map, m->map_len);
	if (m->fd >= 0)
		close(m->fd);
	m->buf = m->map = NULL;
	m->fd = -1;
}
