// SPDX-License-Identifier: GPL-2.0-only
/*
 * selfcheck.c - the instruments check themselves at the start of a run.
 *
 * Every verdict rests on something the kernel reports: PFNs from
 * /proc/self/pagemap, page flags from /proc/kpageflags, the wpcopy count
 * over taskstats, /proc/vmstat.  Any of them can be wrong on a kernel
 * whose memory management is right: 6.12's stable_page_flags() tests
 * mapping & PAGE_MAPPING_KSM, which is ANON|MOVABLE, so every anonymous
 * page reads KSM there.  A suite that believed it would report a broken
 * unmerge every night.  So each instrument is tried, before the first
 * scenario, on pages whose state the harness itself made: a written
 * private page (present, stable PFN, not KSM, not THP, not the zero
 * page), a read-faulted fresh page (the zero page), an aligned
 * MADV_HUGEPAGE region the kernel verifiably gave a THP, one COW in a
 * forked child.  What fails here is marked unreliable, and the scenarios
 * use a second way or skip, naming it, instead of failing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cow.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

struct cow_selfcheck cow_instruments;

static const char *const instr_names[COW_INSTR_N] = {
	[COW_INSTR_PAGEMAP_PFN] = "pagemap_pfn",
	[COW_INSTR_PAGEMAP_SWAP] = "pagemap_swap",
	[COW_INSTR_KPF_KSM] = "kpageflags_ksm",
	[COW_INSTR_KPF_THP] = "kpageflags_thp",
	[COW_INSTR_KPF_ZERO_PAGE] = "kpageflags_zero_page",
	[COW_INSTR_WPCOPY] = "taskstats_wpcopy",
	[COW_INSTR_VMSTAT] = "vmstat",
};

static const char *const state_names[] = {
	[COW_INSTR_NOT_CHECKED] = "not checked",
	[COW_INSTR_OK] = "ok",
	[COW_INSTR_UNRELIABLE] = "unreliable",
	[COW_INSTR_UNAVAILABLE] = "unavailable",
};

const char *cow_instr_name(enum cow_instr i)
{
	return (unsigned)i < COW_INSTR_N ? instr_names[i] : "?";
}

void cow_instr_describe(const struct cow_instr_check *c, char *buf,
			size_t len)
{
	const char *st = (unsigned)c->state < COW_ARRAY_SIZE(state_names) ?
			 state_names[c->state] : "?";

	if (c->state == COW_INSTR_OK || !c->reason[0])
		snprintf(buf, len, "%s", st);
	else
		snprintf(buf, len, "%s: %s", st, c->reason);
}

bool cow_instr_trusted(enum cow_instr i, char *why, size_t len)
{
	const struct cow_instr_check *c = &cow_instruments.c[i];

	/* Page flags are looked up by PFN: a wrong PFN, a wrong page. */
	if ((i == COW_INSTR_KPF_KSM || i == COW_INSTR_KPF_THP ||
	     i == COW_INSTR_KPF_ZERO_PAGE) &&
	    !cow_instr_trusted(COW_INSTR_PAGEMAP_PFN, why, len))
		return false;
	if (c->state != COW_INSTR_UNRELIABLE)
		return true;
	if (why && len)
		snprintf(why, len, "%s unreliable: %s", cow_instr_name(i),
			 c->reason);
	return false;
}

static void set(struct cow_selfcheck *sc, enum cow_instr i,
		enum cow_instr_state st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set(struct cow_selfcheck *sc, enum cow_instr i,
		enum cow_instr_state st, const char *fmt, ...)
{
	va_list ap;

	sc->c[i].state = st;
	va_start(ap, fmt);
	vsnprintf(sc->c[i].reason, sizeof(sc->c[i].reason), fmt, ap);
	va_end(ap);
}

int64_t cow_smaps_kb(const void *addr, const char *field)
{
	uintptr_t a = (uintptr_t)addr;
	unsigned long lo, hi;
	size_t fl = strlen(field);
	bool inside = false;
	char line[512];
	int64_t v = -1;
	long long x;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A mapping's header line: "lo-hi perms offset dev inode path". */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (inside)
				break;
			inside = a >= lo && a < hi;
			continue;
		}
		if (inside && !strncmp(line, field, fl) && line[fl] == ':' &&
		    sscanf(line + fl + 1, "%lld", &x) == 1) {
			v = x;
			break;
		}
	}
	fclose(f);
	return v;
}

static void *map_pages(size_t n)
{
	void *p = mmap(NULL, n * cow_page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* 4 KiB pages whatever the THP setting: THP is checked on its own. */
	madvise(p, n * cow_page_size, MADV_NOHUGEPAGE);
	return p;
}

/* Present, a PFN we may see, the same twice: the PFN, else 0 and the state. */
static uint64_t check_pfn(struct cow_selfcheck *sc, const char *page)
{
	uint64_t e[2];
	int err;

	err = cow_pagemap_read(page, 1, &e[0]);
	if (!err)
		err = cow_pagemap_read(page, 1, &e[1]);
	if (err) {
		set(sc, COW_INSTR_PAGEMAP_PFN, COW_INSTR_UNAVAILABLE,
		    "/proc/self/pagemap: %s", strerror(-err));
		return 0;
	}
	if (!(e[0] & COW_PM_PRESENT) || !(e[1] & COW_PM_PRESENT)) {
		set(sc, COW_INSTR_PAGEMAP_PFN, COW_INSTR_UNRELIABLE,
		    "a page just written reads not present");
		return 0;
	}
	if (!cow_pm_pfn(e[0]) && !cow_pm_pfn(e[1])) {
		set(sc, COW_INSTR_PAGEMAP_PFN, COW_INSTR_UNAVAILABLE,
		    "PFNs hidden (needs CAP_SYS_ADMIN)");
		return 0;
	}
	if (cow_pm_pfn(e[0]) != cow_pm_pfn(e[1])) {
		set(sc, COW_INSTR_PAGEMAP_PFN, COW_INSTR_UNRELIABLE,
		    "two reads of a page untouched in between gave PFNs %#" PRIx64
		    " and %#" PRIx64, cow_pm_pfn(e[0]), cow_pm_pfn(e[1]));
		return 0;
	}
	set(sc, COW_INSTR_PAGEMAP_PFN, COW_INSTR_OK, "%s", "");
	return cow_pm_pfn(e[0]);
}

/* Every kpageflags check at once: they have the same preconditions. */
static void kpf_not_checked(struct cow_selfcheck *sc, enum cow_instr_state st,
			    const char *why)
{
	set(sc, COW_INSTR_KPF_KSM, st, "%s", why);
	set(sc, COW_INSTR_KPF_THP, st, "%s", why);
	set(sc, COW_INSTR_KPF_ZERO_PAGE, st, "%s", why);
}

/*
 * A written private page: anonymous, not KSM (nothing was merged: the
 * range was never MADV_MERGEABLE and the self-check runs before any
 * prctl), not in a large folio, not the zero page.
 */
static bool check_small_flags(struct cow_selfcheck *sc, uint64_t pfn)
{
	uint64_t fl;
	int err = cow_kpageflags(pfn, &fl);

	if (err) {
		char why[96];

		snprintf(why, sizeof(why), "/proc/kpageflags: %s",
			 strerror(-err));
		kpf_not_checked(sc, COW_INSTR_UNAVAILABLE, why);
		return false;
	}
	if (fl & (1ull << COW_KPF_KSM))
		set(sc, COW_INSTR_KPF_KSM, COW_INSTR_UNRELIABLE,
		    "a fresh anonymous page reads KSM");
	else
		set(sc, COW_INSTR_KPF_KSM, COW_INSTR_OK, "%s", "");
	if (fl & ((1ull << COW_KPF_THP) | (1ull << COW_KPF_COMPOUND_HEAD) |
		  (1ull << COW_KPF_COMPOUND_TAIL)))
		set(sc, COW_INSTR_KPF_THP, COW_INSTR_UNRELIABLE,
		    "a 4 KiB page (MADV_NOHUGEPAGE) reads THP or compound");
	if (fl & (1ull << COW_KPF_ZERO_PAGE))
		set(sc, COW_INSTR_KPF_ZERO_PAGE, COW_INSTR_UNRELIABLE,
		    "a written page reads ZERO_PAGE");
	return true;
}

/*
 * Two fresh pages, read-faulted: both map the zero page, so their PFNs
 * agree - that identifies it without kpageflags - and its flags must
 * say ZERO_PAGE.
 */
static void check_zero_page(struct cow_selfcheck *sc)
{
	volatile const char *p = map_pages(2);
	uint64_t e[2], fl;
	int err;

	if (!p) {
		set(sc, COW_INSTR_KPF_ZERO_PAGE, COW_INSTR_NOT_CHECKED,
		    "mmap: %s", strerror(errno));
		return;
	}
	(void)p[0];
	(void)p[cow_page_size];
	err = cow_pagemap_read((const void *)p, 2, e);
	if (err || !cow_pm_pfn(e[0]) || cow_pm_pfn(e[0]) != cow_pm_pfn(e[1])) {
		if (sc->c[COW_INSTR_KPF_ZERO_PAGE].state == COW_INSTR_NOT_CHECKED)
			set(sc, COW_INSTR_KPF_ZERO_PAGE, COW_INSTR_NOT_CHECKED,
			    "read faults here do not map one shared zero page");
		goto out;
	}
	sc->zero_pfn = cow_pm_pfn(e[0]);
	if (sc->c[COW_INSTR_KPF_ZERO_PAGE].state == COW_INSTR_UNRELIABLE)
		goto out;
	err = cow_kpageflags(sc->zero_pfn, &fl);
	if (err)
		set(sc, COW_INSTR_KPF_ZERO_PAGE, COW_INSTR_UNAVAILABLE,
		    "/proc/kpageflags: %s", strerror(-err));
	else if (!(fl & (1ull << COW_KPF_ZERO_PAGE)))
		set(sc, COW_INSTR_KPF_ZERO_PAGE, COW_INSTR_UNRELIABLE,
		    "the zero page (a read-faulted fresh page) does not read ZERO_PAGE");
	else if (fl & (1ull << COW_KPF_KSM) &&
		 sc->c[COW_INSTR_KPF_KSM].state == COW_INSTR_OK)
		set(sc, COW_INSTR_KPF_KSM, COW_INSTR_UNRELIABLE,
		    "the zero page reads KSM");
	else
		set(sc, COW_INSTR_KPF_ZERO_PAGE, COW_INSTR_OK, "%s", "");
out:
	munmap((void *)p, 2 * cow_page_size);
}

/*
 * An aligned MADV_HUGEPAGE region, one write: if smaps says the kernel
 * gave it a PMD THP (AnonHugePages), its first page must read THP and
 * COMPOUND_HEAD, its second THP and COMPOUND_TAIL at the next PFN.
 */
static void check_thp(struct cow_selfcheck *sc)
{
	size_t pmd = cow_thp_pmd_size();
	uint64_t e[2], fl[2];
	int64_t kb;
	char *p;

	if (sc->c[COW_INSTR_KPF_THP].state == COW_INSTR_UNRELIABLE)
		return;
	p = cow_region_alloc(pmd, COW_BACK_THP);
	if (!p) {
		set(sc, COW_INSTR_KPF_THP, COW_INSTR_NOT_CHECKED,
		    "no MADV_HUGEPAGE region: %s", strerror(errno));
		return;
	}
	p[0] = 1;
	kb = cow_smaps_kb(p, "AnonHugePages");
	if ((uintptr_t)p % pmd || kb < (int64_t)(pmd >> 10)) {
		set(sc, COW_INSTR_KPF_THP, COW_INSTR_NOT_CHECKED,
		    "an aligned MADV_HUGEPAGE region got no THP here");
		goto out;
	}
	if (cow_pagemap_read(p, 2, e) || !cow_pm_pfn(e[0]) ||
	    cow_pm_pfn(e[1]) != cow_pm_pfn(e[0]) + 1) {
		set(sc, COW_INSTR_KPF_THP, COW_INSTR_NOT_CHECKED,
		    "the THP's first two pages have no consecutive PFNs");
		goto out;
	}
	if (cow_kpageflags(cow_pm_pfn(e[0]), &fl[0]) ||
	    cow_kpageflags(cow_pm_pfn(e[1]), &fl[1]))
		set(sc, COW_INSTR_KPF_THP, COW_INSTR_UNAVAILABLE,
		    "/proc/kpageflags: %s", strerror(errno));
	else if (!(fl[0] & (1ull << COW_KPF_THP)) ||
		 !(fl[0] & (1ull << COW_KPF_COMPOUND_HEAD)))
		set(sc, COW_INSTR_KPF_THP, COW_INSTR_UNRELIABLE,
		    "the head page of a THP (smaps AnonHugePages) does not read THP and COMPOUND_HEAD");
	else if (!(fl[1] & (1ull << COW_KPF_THP)) ||
		 !(fl[1] & (1ull << COW_KPF_COMPOUND_TAIL)))
		set(sc, COW_INSTR_KPF_THP, COW_INSTR_UNRELIABLE,
		    "a tail page of a THP (smaps AnonHugePages) does not read THP and COMPOUND_TAIL");
	else
		set(sc, COW_INSTR_KPF_THP, COW_INSTR_OK, "%s", "");
out:
	cow_region_free(p, pmd);
}

static bool swap_in_use(void)
{
	char line[256];
	bool any = false;
	FILE *f = fopen("/proc/swaps", "re");

	if (!f)
		return false;
	/* The header line, then one line per active area. */
	if (fgets(line, sizeof(line), f))
		any = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	return any;
}

/*
 * Only where swap is already on: the suite sets up no swap for this.  A
 * page MADV_PAGEOUT reclaimed must read swapped, not present.
 */
static void check_swap(struct cow_selfcheck *sc)
{
	uint64_t e;
	char *p;

	if (!swap_in_use()) {
		set(sc, COW_INSTR_PAGEMAP_SWAP, COW_INSTR_NOT_CHECKED,
		    "no swap area active");
		return;
	}
	p = map_pages(1);
	if (!p) {
		set(sc, COW_INSTR_PAGEMAP_SWAP, COW_INSTR_NOT_CHECKED,
		    "mmap: %s", strerror(errno));
		return;
	}
	p[0] = 1;
	if (madvise(p, cow_page_size, MADV_PAGEOUT))
		set(sc, COW_INSTR_PAGEMAP_SWAP, COW_INSTR_NOT_CHECKED,
		    "MADV_PAGEOUT: %s", strerror(errno));
	else if (cow_pagemap_read(p, 1, &e))
		set(sc, COW_INSTR_PAGEMAP_SWAP, COW_INSTR_UNAVAILABLE,
		    "/proc/self/pagemap: %s", strerror(errno));
	else if (e & COW_PM_PRESENT)
		set(sc, COW_INSTR_PAGEMAP_SWAP, COW_INSTR_NOT_CHECKED,
		    "MADV_PAGEOUT left the page in memory");
	else if (!(e & COW_PM_SWAP))
		set(sc, COW_INSTR_PAGEMAP_SWAP, COW_INSTR_UNRELIABLE,
		    "a paged-out page reads neither present nor swapped");
	else
		set(sc, COW_INSTR_PAGEMAP_SWAP, COW_INSTR_OK, "%s", "");
	munmap(p, cow_page_size);
}

/* What the wpcopy child reports, in memory the fork does not COW. */
struct wp_report {
	int err;
	int64_t delta;
	uint64_t pfn_before, pfn_after;
};

/*
 * In the child: the write to a page the parent populated is one COW.
 * Everything the last query touches is touched before the first one it
 * is compared with (the pagemap fd reopened, the stack, the buffers), so
 * that the only copy in between is the page's.
 */
static void wp_child(char *page, struct wp_report *rep)
{
	struct cow_wpcopy a, b;
	uint64_t e;
	int sock;

	rep->err = cow_pagemap_read(page, 1, &e);
	rep->pfn_before = rep->err ? 0 : cow_pm_pfn(e);
	sock = cow_taskstats_open();
	if (sock < 0) {
		rep->err = sock;
		_exit(0);
	}
	/*
	 * Into b first: b can sit on a stack page a does not, and its first
	 * write after the fork would be a second COW (where the page breaks
	 * depends on the environment's size: it counted 2 in some runs).
	 */
	cow_taskstats_wpcopy(sock, (pid_t)syscall(SYS_gettid), &b);
	rep->err = cow_taskstats_wpcopy(sock, (pid_t)syscall(SYS_gettid), &a);
	*(volatile char *)page = 2;
	if (!rep->err)
		rep->err = cow_taskstats_wpcopy(sock,
						(pid_t)syscall(SYS_gettid), &b);
	if (!rep->err)
		rep->delta = b.count - a.count;
	rep->pfn_after = cow_pagemap_read(page, 1, &e) ? 0 : cow_pm_pfn(e);
	cow_taskstats_close(sock);
	_exit(0);
}

static void check_wpcopy(struct cow_selfcheck *sc)
{
	const char *why = cow_taskstats_probe();
	struct wp_report *rep;
	char *page, werr[96];
	pid_t pid;

	if (why) {
		set(sc, COW_INSTR_WPCOPY, COW_INSTR_UNAVAILABLE, "%s", why);
		return;
	}
	page = map_pages(1);
	rep = cow_shared_alloc(sizeof(*rep));
	if (!page || !rep) {
		set(sc, COW_INSTR_WPCOPY, COW_INSTR_NOT_CHECKED,
		    "out of memory");
		goto out;
	}
	page[0] = 1;
	pid = cow_fork();
	if (pid == 0)
		wp_child(page, rep);
	if (pid < 0 || cow_wait(pid, werr, sizeof(werr))) {
		set(sc, COW_INSTR_WPCOPY, COW_INSTR_NOT_CHECKED,
		    "the child: %s", pid < 0 ? strerror(errno) : werr);
		goto out;
	}
	if (rep->err)
		set(sc, COW_INSTR_WPCOPY, COW_INSTR_UNAVAILABLE,
		    "taskstats in a child: %s", strerror(-rep->err));
	/*
	 * A kernel that reused the page is broken, not the counter: that is
	 * for the scenarios to find, and the count cannot be judged here.
	 */
	else if (rep->pfn_before && rep->pfn_before == rep->pfn_after &&
		 sc->c[COW_INSTR_PAGEMAP_PFN].state == COW_INSTR_OK)
		set(sc, COW_INSTR_WPCOPY, COW_INSTR_NOT_CHECKED,
		    "the child's write to a shared page kept its PFN (no COW to count)");
	else if (rep->delta != 1)
		set(sc, COW_INSTR_WPCOPY, COW_INSTR_UNRELIABLE,
		    "one COW in a child counted %" PRId64, rep->delta);
	else
		set(sc, COW_INSTR_WPCOPY, COW_INSTR_OK, "%s", "");
out:
	if (page)
		munmap(page, cow_page_size);
	cow_shared_free(rep, sizeof(*rep));
}

#define VMSTAT_PAGES	16

/* pgfault is there and counts at least the faults we take. */
static void check_vmstat(struct cow_selfcheck *sc)
{
	int64_t v0[COW_VMSTAT_MAX], v1[COW_VMSTAT_MAX];
	unsigned i, pf = 0;
	char *p;

	for (i = 0; i < cow_vmstat_nkeys; i++)
		if (!strcmp(cow_vmstat_keys[i], "pgfault"))
			pf = i;
	p = map_pages(VMSTAT_PAGES);
	if (!p) {
		set(sc, COW_INSTR_VMSTAT, COW_INSTR_NOT_CHECKED, "mmap: %s",
		    strerror(errno));
		return;
	}
	if (cow_vmstat_read(v0)) {
		set(sc, COW_INSTR_VMSTAT, COW_INSTR_UNAVAILABLE,
		    "/proc/vmstat: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < VMSTAT_PAGES; i++)
		p[i * cow_page_size] = 1;
	cow_vmstat_read(v1);
	if (v0[pf] < 0 || v1[pf] < 0)
		set(sc, COW_INSTR_VMSTAT, COW_INSTR_UNAVAILABLE,
		    "no pgfault in /proc/vmstat");
	else if (v1[pf] - v0[pf] < VMSTAT_PAGES)
		set(sc, COW_INSTR_VMSTAT, COW_INSTR_UNRELIABLE,
		    "%d page faults moved pgfault by %" PRId64, VMSTAT_PAGES,
		    v1[pf] - v0[pf]);
	else
		set(sc, COW_INSTR_VMSTAT, COW_INSTR_OK, "%s", "");
out:
	munmap(p, VMSTAT_PAGES * cow_page_size);
}

static void selfcheck(struct cow_selfcheck *out)
{
	struct cow_selfcheck sc = { .ran = true };
	char *page = map_pages(1);
	uint64_t pfn;

	if (!page) {
		set(&sc, COW_INSTR_PAGEMAP_PFN, COW_INSTR_NOT_CHECKED,
		    "mmap: %s", strerror(errno));
		kpf_not_checked(&sc, COW_INSTR_NOT_CHECKED, "no page to check");
	} else {
		page[0] = 1;
		pfn = check_pfn(&sc, page);
		if (pfn) {
			if (check_small_flags(&sc, pfn)) {
				check_zero_page(&sc);
				check_thp(&sc);
			}
		} else if (sc.c[COW_INSTR_PAGEMAP_PFN].state ==
			   COW_INSTR_UNAVAILABLE) {
			kpf_not_checked(&sc, COW_INSTR_UNAVAILABLE,
					"no PFN to look up (pagemap_pfn unavailable)");
		} else {
			kpf_not_checked(&sc, COW_INSTR_NOT_CHECKED,
					"no PFN to trust (pagemap_pfn unreliable)");
		}
		munmap(page, cow_page_size);
	}
	check_swap(&sc);
	check_wpcopy(&sc);
	check_vmstat(&sc);
	*out = sc;
}

void cow_selfcheck_none(struct cow_selfcheck *sc, const char *why)
{
	unsigned i;

	memset(sc, 0, sizeof(*sc));
	sc->ran = true;
	for (i = 0; i < COW_INSTR_N; i++)
		set(sc, i, COW_INSTR_NOT_CHECKED, "the self-check: %s", why);
}

/*
 * In a process of its own: what the checks write (the readers' static
 * buffers, the heap, open files) must not become pages that the sample
 * processes, forked from this one later, find COW-shared and copy inside
 * a measured phase.  The vmstat reader's buffer, dirtied here, made every
 * sample's kernel_wpcopy one too many.
 */
void cow_selfcheck_run(struct cow_selfcheck *out)
{
	struct cow_selfcheck *sh = cow_shared_alloc(sizeof(*sh));
	uint64_t t0 = cow_now_ns();
	char why[96];
	pid_t pid;

	if (!sh) {
		cow_selfcheck_none(out, "no shared memory");
		return;
	}
	pid = cow_fork();
	if (pid == 0) {
		selfcheck(sh);
		_exit(0);
	}
	if (pid < 0)
		cow_selfcheck_none(out, strerror(errno));
	else if (cow_wait(pid, why, sizeof(why)))
		cow_selfcheck_none(out, why);
	else
		*out = *sh;
	out->ns = cow_now_ns() - t0;
	cow_shared_free(sh, sizeof(*sh));
}
