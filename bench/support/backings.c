// SPDX-License-Identifier: GPL-2.0-only
/*
 * backings.c - the backing parameter of the fork workloads: the list of
 * backings a point can have (one variant each, small pages first), what
 * each needs set up for its point (THP on, the huge zero page, hugetlb
 * pages in the pool, a swapfile), and the swapfile itself, shared with
 * bench/swap.c.
 *
 * Variant 0, small pages, carries no backing parameter, so that its
 * points keep the names they had before there were backings.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define SWAPFILE_NAME	"cowbench.swap"
/* Swap room beyond the region: readahead and stragglers. */
#define SWAP_SLACK	(16ull << 20)
#define HUGETLB_MAX	8

struct bench_swapfile {
	char path[PATH_MAX];
};

enum cow_verdict bench_swapfile_make(const char *dir, uint64_t bytes,
				     struct bench_swapfile **out,
				     char *reason, size_t len)
{
	struct bench_swapfile *p;
	int err;

	*out = NULL;
	if (geteuid()) {
		snprintf(reason, len, "swapon(2) needs root");
		return COW_SKIP;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(reason, len, "out of memory");
		return COW_SKIP;
	}
	snprintf(p->path, sizeof(p->path), "%s/%s", dir, SWAPFILE_NAME);
	/*
	 * A dead run's swapfile was removed when this run started, so one
	 * here is somebody else's (registered, its undo would delete it),
	 * or this run's own, left active by a swapoff that never finished
	 * (a kernel that oopsed; that point FAILed for it).
	 */
	if (!access(p->path, F_OK)) {
		snprintf(reason, len, cow_swap_active(p->path) ?
			 "%s is still swap: a swapoff before did not finish" :
			 "%s exists and is not this run's", p->path);
		goto fail;
	}
	/* Registered first: a crash from here on still removes it. */
	err = cow_undo_swapoff(p->path);
	if (err) {
		snprintf(reason, len, "cannot register %s: %s", p->path,
			 strerror(-err));
		goto fail;
	}
	err = cow_swapfile_create(p->path, bytes);
	if (err) {
		snprintf(reason, len, "cannot create swapfile %s: %s", p->path,
			 strerror(-err));
		goto fail;
	}
	err = cow_swapfile_on(p->path);
	if (err) {
		snprintf(reason, len, "swapon %s: %s%s", p->path,
			 strerror(-err), err == -EINVAL ?
			 " (a file system that cannot hold swap?)" : "");
		cow_swapfile_remove(p->path);
		goto fail;
	}
	*out = p;
	return COW_PASS;
fail:
	free(p);
	return COW_SKIP;
}

void bench_swapfile_remove(struct bench_swapfile *p)
{
	int err;

	if (!p)
		return;
	err = cow_swapfile_remove(p->path);
	/* The undo registered in bench_swapfile_make() tries again at exit. */
	if (err)
		fprintf(stderr, "cowbench: removing swapfile %s: %s\n",
			p->path, strerror(-err));
	free(p);
}

/* ---- the backing parameter ---------------------------------------------- */

struct bk_id {
	enum cow_backing b;
	/*
	 * hugetlb: the page size (0: no hugetlb size here, the point
	 * skips); a THP shape: the mTHP size (0: the PMD size).
	 */
	size_t hsize;
};

/*
 * cow.c's THP shapes beyond the first five, at the PMD size.  --quick
 * keeps two of them, the swapped PTE-mapped THP and the THP shared in
 * part (./run-all's time budget has room for two points more); the rest
 * run without --quick.
 */
static const struct {
	enum cow_backing b;
	bool quick;
} pmd_more[] = {
	{ COW_BACK_THP_PTE_SWAP, true },
	{ COW_BACK_THP_SINGLE_SWAP, false },
	{ COW_BACK_THP_SHARED_PART, true },
};

/*
 * cow.c's shapes at every mTHP size (an mTHP is mapped by PTEs alone: no
 * PMD-mapped one, none swapped by its PMD).  Not in --quick.
 */
static const enum cow_backing mthp_shapes[] = {
	COW_BACK_THP_PTE, COW_BACK_THP_PTE_SWAP, COW_BACK_THP_SINGLE,
	COW_BACK_THP_SINGLE_SWAP, COW_BACK_THP_MREMAP,
	COW_BACK_THP_SHARED_PART,
};

/* The anonymous THP sizes below the PMD size, ascending. */
static unsigned mthp_sizes(size_t *sizes)
{
	size_t all[COW_THP_SIZES_MAX], pmd = cow_thp_pmd_size();
	unsigned i, n = cow_thp_sizes(all, COW_THP_SIZES_MAX), k = 0;

	for (i = 0; i < n; i++)
		if (all[i] < pmd)
			sizes[k++] = all[i];
	return k;
}

/*
 * Every backing, in the order of cow.c's runs: small and THP ones (the
 * PMD size, then each shape at each mTHP size), the hugetlb sizes, the
 * zero pages, the files.  One hugetlb entry of size 0 where the kernel
 * has none, so that its skip is reported.  A kernel without mTHP sizes
 * (before 6.8) has no mTHP entries, as cow.c has no such runs there
 * (thp.mthp's skip says so).  --quick leaves out what it does not run.
 */
static unsigned backing_list(const struct cow_opts *o, struct bk_id *ids,
			     unsigned max)
{
	static const enum cow_backing head[] = {
		COW_BACK_SMALL, COW_BACK_THP, COW_BACK_THP_PTE,
		COW_BACK_THP_SINGLE, COW_BACK_THP_MREMAP, COW_BACK_THP_SWAP,
	};
	static const enum cow_backing tail[] = {
		COW_BACK_ZERO, COW_BACK_HUGE_ZERO, COW_BACK_MEMFD,
		COW_BACK_TMPFILE,
	};
	size_t hs[HUGETLB_MAX], ms[COW_THP_SIZES_MAX];
	unsigned nh = cow_hugetlb_sizes(hs, HUGETLB_MAX), n = 0, i, j;
	unsigned nm = o->quick ? 0 : mthp_sizes(ms);

	for (i = 0; i < COW_ARRAY_SIZE(head) && n < max; i++)
		ids[n++] = (struct bk_id){ head[i], 0 };
	for (i = 0; i < COW_ARRAY_SIZE(pmd_more) && n < max; i++)
		if (!o->quick || pmd_more[i].quick)
			ids[n++] = (struct bk_id){ pmd_more[i].b, 0 };
	/* Shape by shape: --list then names each once, "thp-pte-SIZE". */
	for (i = 0; i < COW_ARRAY_SIZE(mthp_shapes); i++)
		for (j = 0; j < nm && n < max; j++)
			ids[n++] = (struct bk_id){ mthp_shapes[i], ms[j] };
	for (i = 0; i < (nh ? nh : 1) && n < max; i++)
		ids[n++] = (struct bk_id){ COW_BACK_HUGETLB, nh ? hs[i] : 0 };
	for (i = 0; i < COW_ARRAY_SIZE(tail) && n < max; i++)
		ids[n++] = (struct bk_id){ tail[i], 0 };
	for (i = 0; i < (nh ? nh : 1) && n < max; i++)
		ids[n++] = (struct bk_id){ COW_BACK_MEMFD_HUGETLB,
					   nh ? hs[i] : 0 };
	return n;
}

#define BK_MAX	(16 + COW_ARRAY_SIZE(pmd_more) + \
		 COW_ARRAY_SIZE(mthp_shapes) * COW_THP_SIZES_MAX + \
		 2 * HUGETLB_MAX)

unsigned bench_backings_all(const struct cow_opts *o)
{
	struct bk_id ids[BK_MAX];

	return backing_list(o, ids, BK_MAX);
}

unsigned bench_backings_full(const struct cow_opts *o)
{
	return o->quick ? 1 : bench_backings_all(o);
}

const char *bench_backing_variant_name(const struct cow_opts *o, unsigned v,
				       char *buf, size_t len)
{
	struct bk_id ids[BK_MAX];
	unsigned n = backing_list(o, ids, BK_MAX);

	if (v >= n)
		return NULL;
	if (cow_backing_is_hugetlb(ids[v].b) && !ids[v].hsize)
		snprintf(buf, len, "%s",
			 ids[v].b == COW_BACK_HUGETLB ? "hugetlb" :
			 "memfd-hugetlb");
	else
		cow_backing_name(ids[v].b, ids[v].hsize, buf, len);
	return buf;
}

static bool thp_based(enum cow_backing b)
{
	return cow_backing_is_thp_shape(b) || b == COW_BACK_THP ||
	       b == COW_BACK_HUGE_ZERO;
}

/*
 * Swap for THPs to go to whole: the kernel gives a THP one run of swap
 * entries only on a block device that is not rotational, so a free zram
 * device is taken (sized, swapped on, reset at the end: nobody's, since
 * its disksize was 0); else the run's swapfile, where a THP may well be
 * split on the way out, and the sample says so.
 */
static enum cow_verdict thp_swap_prepare(struct cow_run *r,
					 struct bench_backing *bk,
					 char *reason, size_t len)
{
	uint64_t bytes = r->size + SWAP_SLACK;
	char name[16], path[64];
	int err;

	if (cow_zram_find(name, sizeof(name)))
		return bench_swapfile_make(r->opts->dir, bytes, &bk->swap,
					   reason, len);
	snprintf(path, sizeof(path), "/sys/block/%s", name);
	/* Registered first: a crash from here on still resets it. */
	err = cow_undo_zram(path);
	if (err) {
		snprintf(reason, len, "cannot register %s: %s", path,
			 strerror(-err));
		return COW_SKIP;
	}
	snprintf(bk->zram, sizeof(bk->zram), "%s", name);
	err = cow_zram_swap_on(name, bytes);
	if (err) {
		snprintf(reason, len, "swap on /dev/%s: %s", name,
			 strerror(-err));
		return COW_SKIP;
	}
	return COW_PASS;
}

enum cow_verdict bench_backing_prepare(struct cow_run *r, char *reason,
				       size_t len)
{
	enum cow_verdict v = bench_backing_prepare_idx(r, r->variant, reason,
							len);

	/*
	 * The harness calls no cleanup() after a prepare() that skipped:
	 * what was set up so far goes now (the knobs' journal would put
	 * them back anyway, but not free the memory).
	 */
	if (v != COW_PASS)
		bench_backing_cleanup(r);
	return v;
}

enum cow_verdict bench_backing_prepare_idx(struct cow_run *r, unsigned idx,
					   char *reason, size_t len)
{
	struct bk_id ids[BK_MAX];
	unsigned n = backing_list(r->opts, ids, BK_MAX);
	struct bench_backing *bk;
	uint64_t need;

	if (idx >= n) {
		snprintf(reason, len, "no backing %u here", idx);
		return COW_SKIP;
	}
	bk = calloc(1, sizeof(*bk));
	if (!bk) {
		snprintf(reason, len, "out of memory");
		return COW_SKIP;
	}
	r->priv = bk;
	bk->b = ids[idx].b;
	bk->hsize = ids[idx].hsize;
	bench_backing_variant_name(r->opts, idx, bk->name, sizeof(bk->name));
	if (bk->b == COW_BACK_SMALL)
		return COW_PASS;
	/* Every other backing is believed only when seen in kpageflags. */
	if (geteuid()) {
		snprintf(reason, len,
			 "needs root: the %s backing is checked by PFN and kpageflags",
			 bk->name);
		return COW_SKIP;
	}
	if (cow_backing_is_hugetlb(bk->b)) {
		if (!bk->hsize) {
			snprintf(reason, len,
				 "no hugetlb page sizes here (%s is empty)",
				 "/sys/kernel/mm/hugepages");
			return COW_SKIP;
		}
		if (r->size % bk->hsize) {
			char sz[32];

			cow_size_str(bk->hsize, sz, sizeof(sz));
			snprintf(reason, len,
				 "the size is not whole %s hugetlb pages (try --size %s)",
				 sz, sz);
			return COW_SKIP;
		}
		/*
		 * The pages, and one more each for the copies a write while
		 * shared makes; a private mapping of the memfd reserves its
		 * own as well.
		 */
		need = r->size / bk->hsize *
		       (bk->b == COW_BACK_MEMFD_HUGETLB ? 3 : 2);
		if (cow_hugetlb_reserve(bk->hsize, need, reason, len))
			return COW_SKIP;
		bk->reserved = true;
	}
	if (cow_backing_is_thp_shape(bk->b) && bk->hsize) {
		char sz[32];

		cow_size_str(bk->hsize, sz, sizeof(sz));
		if (r->size % bk->hsize) {
			snprintf(reason, len,
				 "the size is not whole %s THPs (try --size %s)",
				 sz, sz);
			return COW_SKIP;
		}
		/* That size alone, as cow.c: no fault gets another one. */
		if (cow_thp_enable_only(bk->hsize, reason, len))
			return COW_SKIP;
	} else if (thp_based(bk->b) && cow_thp_enable_pmd(reason, len)) {
		return COW_SKIP;
	}
	if (bk->b == COW_BACK_HUGE_ZERO && cow_huge_zero_enable(reason, len))
		return COW_SKIP;
	if (cow_backing_is_swapped(bk->b))
		return thp_swap_prepare(r, bk, reason, len);
	return COW_PASS;
}

void bench_backing_cleanup(struct cow_run *r)
{
	struct bench_backing *bk = r->priv;

	if (!bk)
		return;
	bench_swapfile_remove(bk->swap);
	if (bk->zram[0] && cow_zram_swap_off(bk->zram))
		/* The undo registered in prepare tries again at exit. */
		fprintf(stderr, "cowbench: resetting /dev/%s failed\n",
			bk->zram);
	if (bk->reserved)
		cow_hugetlb_reset(bk->hsize);
	if (bk->b == COW_BACK_HUGE_ZERO)
		cow_huge_zero_reset();
	if (thp_based(bk->b))
		cow_thp_reset();
	free(bk);
	r->priv = NULL;
}

/* ---- a workload's memory of a backing ----------------------------------- */

bool bench_setup_mem(struct cow_run *r, struct cow_sample *s,
		     struct bench_setup *f, const struct bench_backing *bk)
{
	char reason[160];

	if (!bk || bk->b == COW_BACK_SMALL) {
		memset(&f->mem, 0, sizeof(f->mem));
		f->mem.fd = -1;
		return bench_setup(r, s, f);
	}
	memset(&f->mem, 0, sizeof(f->mem));
	f->mem.b = bk->b;
	f->mem.hsize = bk->hsize;
	f->mem.dir = r->opts->dir;
	f->mem.size = r->size;
	f->mem.seed = SEED_PARENT;
	if (cow_mem_map(&f->mem, reason, sizeof(reason))) {
		cow_sample_verdict(s, COW_SKIP, "%s%s", reason,
				   bk->swap ? " (swap: a swapfile, no free zram device)" : "");
		return false;
	}
	f->buf = f->mem.buf;
	f->len = f->mem.len;
	f->npages = f->len / cow_page_size;
	f->nunits = f->len / f->mem.unit;
	f->orig = f->mem.seed;
	f->m = cow_meas_new(f->buf, f->len);
	if (!f->m) {
		cow_sample_fail(s, COW_EV_HARNESS, "cow_meas_new: %s",
				strerror(errno));
		cow_mem_unmap(&f->mem);
		return false;
	}
	cow_meas_backing(f->m, &f->mem);
	cow_mem_warm(&f->mem);
	return true;
}

void bench_require(struct bench_setup *f, bool shared)
{
	/* A private file page is copied on its first write, shared or not. */
	if (shared || cow_backing_is_file(f->mem.b))
		cow_meas_require_all(f->m);
	else
		cow_meas_require_none(f->m);
}

/*
 * fork() copies no page table of a VMA without anonymous pages (a private
 * file mapping only read, a region of zero pages): the child would meet
 * the pages as first-touch faults.  A read first maps them in the writer
 * as in the parent, so that every measured write is a write fault on the
 * backing's own page.  Swapped pages come back in the same way.
 */
void bench_present(const struct bench_setup *f)
{
	if (f->mem.buf)
		cow_mem_present(&f->mem);
}

void bench_check_file(struct cow_sample *s, const struct bench_setup *f)
{
	ssize_t bad;

	if (!cow_backing_is_file(f->mem.b))
		return;
	bad = cow_mem_file_check(&f->mem);
	if (bad == -2)
		cow_sample_fail(s, COW_EV_HARNESS, "cannot map the file back: %s",
				strerror(errno));
	else if (bad >= 0)
		cow_sample_fail(s, COW_EV_DATA,
				"the file's page %zd lost its data to a private write",
				bad);
}
