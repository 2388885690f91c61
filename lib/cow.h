/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cow.h - the cowbench harness.
 *
 * A workload allocates and populates its region, arranges the sharing it
 * wants to measure (fork, vmsplice, pin, KSM merge, ...), then brackets the
 * measured writes with cow_meas_start()/cow_meas_stop().  Everything else -
 * clock, perf counters, /proc/vmstat deltas, the kernel's wpcopy count and
 * the pagemap copy accounting - is done here, outside the timed region.
 */
#ifndef COW_H
#define COW_H

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define COW_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define COW_CACHELINE		64

/* Exit status conventions, as in automake/kselftest. */
#define COW_EXIT_OK		0
#define COW_EXIT_FAIL		1
#define COW_EXIT_USAGE		2
#define COW_EXIT_SKIP		77

enum cow_verdict {
	COW_PASS = 0,
	COW_SKIP,
	COW_FAIL,
};

const char *cow_verdict_name(enum cow_verdict v);

/* ---- parse.c: option values ------------------------------------------- */

/* "4096", "4k", "64M", "1G", "2T" (binary units).  0 or -1 with errno. */
int cow_parse_size(const char *s, uint64_t *out);
/* Decimal unsigned in [min, max].  0 or -1 with errno (EINVAL, ERANGE). */
int cow_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* "0-3,6,8-9".  0 or -1 with errno. */
int cow_parse_cpulist(const char *s, cpu_set_t *set);

/*
 * An option's words and what each means, ended by { NULL, 0 }: one table
 * is what the parse accepts and what its error lists, so the two cannot
 * drift.  A row for a value an earlier row already has is an alias
 * ("md" after "markdown"): accepted, never listed.
 */
struct cow_word {
	const char *word;
	int value;
};

/* The words of w in table order, aliases left out: "text, json or tsv". */
const char *cow_word_list(const struct cow_word *w, char *buf, size_t len);
/*
 * arg one of w's words (exactly, case and all): 0 and its value in *out.
 * Else -1, *out untouched, and err holds
 * "--opt: 'arg' is not a, b or c<suffix>" for the caller's usage error.
 */
int cow_parse_word(const struct cow_word *w, const char *opt,
		   const char *arg, const char *suffix, int *out, char *err,
		   size_t elen);

/* Control characters (a newline in an argument) to '?': one-line messages. */
char *cow_one_line(char *s);
/* Decode the \ooo escapes /proc/swaps and /proc/mounts put in names. */
char *cow_unescape_octal(char *s);
/* "prog: message<suffix>" on stderr as one line, and exit 2. */
void cow_vdie(const char *prog, const char *suffix, const char *fmt,
	      va_list ap) __attribute__((noreturn));
/* printf into err (if elen), then cow_one_line: for error paths, -1. */
int cow_errf(char *err, size_t elen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 64M -> "64M", 4096 -> "4k", 1000 -> "1000". */
const char *cow_size_str(uint64_t bytes, char *buf, size_t len);
/* For messages: 24776740864 -> "23G", 1610612736 -> "1.5G", 1000 -> "1000". */
const char *cow_size_approx(uint64_t bytes, char *buf, size_t len);

/* ---- limits.c: what this run may use ------------------------------------ */

struct cow_limit {
	uint64_t avail;		/* UINT64_MAX: no limit found */
	char what[160];		/* the tightest limit and its figures */
};
/* Memory: MemAvailable, and limit - usage of every cgroup above us. */
void cow_limit_memory(struct cow_limit *l);
/*
 * New tasks: kernel.pid_max and kernel.threads-max less the tasks there
 * are, every cgroup's pids.max - pids.current, RLIMIT_NPROC (not root).
 */
void cow_limit_tasks(struct cow_limit *l);
/*
 * Free space for an unprivileged writer on the filesystem of path, or of
 * its nearest existing ancestor; dev gets that filesystem's device.
 * 0 or -1.
 */
int cow_limit_disk(const char *path, struct cow_limit *l, dev_t *dev);

/* ---- clock.c ------------------------------------------------------------ */

static inline uint64_t cow_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- refcopy.c: the machine's speed beside each sample ------------------ */

/* ns per 4 KiB page of the userspace reference copy after each phase. */
#define COW_REF_METRIC		"ref_copy_ns"
/* Buffers once per process (children share them); if none, no metric. */
void cow_ref_init(void);
/*
 * The pass cow_meas_stop() takes right after a measured phase: NaN if
 * this process took one in the last few milliseconds (the rounds of one
 * sample share the first round's) or has no buffers.
 */
double cow_ref_after_phase(void);
/* The next phase's pass is taken, however soon: a new sample begins. */
void cow_ref_new_sample(void);

/* ---- pagemap.c ---------------------------------------------------------- */

#define COW_PM_PFN_MASK		((1ull << 55) - 1)
#define COW_PM_SOFT_DIRTY	(1ull << 55)
#define COW_PM_MMAP_EXCL	(1ull << 56)	/* mapped once, not AnonExclusive */
#define COW_PM_FILE		(1ull << 61)
#define COW_PM_SWAP		(1ull << 62)
#define COW_PM_PRESENT		(1ull << 63)

/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
#define COW_KPF_COMPOUND_HEAD	15
#define COW_KPF_COMPOUND_TAIL	16
#define COW_KPF_HUGE		17
#define COW_KPF_ANON		12
#define COW_KPF_SWAPCACHE	14
#define COW_KPF_KSM		21
#define COW_KPF_THP		22
#define COW_KPF_ZERO_PAGE	24

static inline uint64_t cow_pm_pfn(uint64_t e)
{
	return (e & COW_PM_PRESENT) ? (e & COW_PM_PFN_MASK) : 0;
}

/*
 * Raw pagemap entries of npages pages from addr in the calling process.
 * The fd is reopened after a fork (it names the opener's mm).
 * Returns 0 or -errno.
 */
int cow_pagemap_read(const void *addr, size_t npages, uint64_t *entries);
/* How many pages of [buf, buf+len) are swap entries, or -errno. */
ssize_t cow_pagemap_count_swapped(const void *buf, size_t len);
/* Whether PFNs are visible to us (CAP_SYS_ADMIN); reason set if not. */
bool cow_pagemap_pfns_visible(const char **reason);
/*
 * Compare two pagemap snapshots of one range, e.g. a parent's just before
 * fork() and its child's just after: both = pages present in each, differ
 * = those of them whose PFNs differ (copied, for a child).  differs, if
 * not NULL, gets a 0/1 per page.
 */
struct cow_pm_diff {
	size_t both;
	size_t differ;
};
void cow_pagemap_diff(const uint64_t *a, const uint64_t *b, size_t npages,
		      uint8_t *differs, struct cow_pm_diff *d);
/* Flags of one PFN from /proc/kpageflags.  0 or -errno. */
int cow_kpageflags(uint64_t pfn, uint64_t *flags);

/*
 * Backing check: every page of [addr, addr+len) present and either all
 * small (not part of a large folio) or all THP.  Returns true when the
 * backing is as asked; otherwise false with a reason for a SKIP.
 */
enum cow_backing {
	COW_BACK_SMALL,		/* 4 KiB pages, no large folios */
	COW_BACK_THP,		/* PMD-sized THP */
	COW_BACK_LARGE,		/* any large folio (mTHP or THP) */
	/* The rest are made and checked by cow_mem_map() (backing.c). */
	COW_BACK_THP_PTE,	/* PMD-sized THP mapped by PTEs (mprotect) */
	COW_BACK_THP_SINGLE,	/* one PTE of each THP, the rest unmapped */
	COW_BACK_THP_MREMAP,	/* the second half of each THP, mremap()ed */
	COW_BACK_THP_SWAP,	/* PMD THP swapped out whole: swap entries */
	COW_BACK_HUGETLB,	/* private anonymous hugetlb */
	COW_BACK_ZERO,		/* the shared zero page, read-faulted */
	COW_BACK_HUGE_ZERO,	/* the huge zero page, read-faulted */
	COW_BACK_MEMFD,		/* a memfd mapped MAP_PRIVATE, read-faulted */
	COW_BACK_TMPFILE,	/* an O_TMPFILE file, the same */
	COW_BACK_MEMFD_HUGETLB,	/* a hugetlb memfd, the same */
	/* cow.c's other THP shapes, after the first ones: names keep values. */
	COW_BACK_THP_PTE_SWAP,	/* THP mapped by PTEs, swapped out whole */
	COW_BACK_THP_SINGLE_SWAP, /* one PTE of each THP, swapped out */
	COW_BACK_THP_SHARED_PART, /* THP of which only the first page was
				   * shared with a child, now gone */
};
bool cow_backing_check(const void *addr, size_t len, enum cow_backing b,
		       char *reason, size_t rlen);

/*
 * Every page of [addr, addr+len) present and in a large folio of exactly
 * folio_size bytes, each folio starting at a folio_size-aligned offset of
 * the range: kpageflags COMPOUND_HEAD there, COMPOUND_TAIL on the
 * following pages with consecutive PFNs.  False with a reason if not.
 */
bool cow_folio_size_check(const void *addr, size_t len, size_t folio_size,
			  char *reason, size_t rlen);

/* ---- backing.c: the backings of the kernel's COW selftest -------------- */

/* The "seed" of memory that must read as zeros (the zero page backings). */
#define COW_SEED_ZERO		(~0ull)

/*
 * Memory of one backing.  The caller sets b, hsize (the hugetlb
 * backings' page size; for the THP shapes the folio size, an mTHP size
 * the caller has enabled alone, 0 for the PMD size), dir
 * (COW_BACK_TMPFILE), size (the memory the backing takes) and seed (the
 * pattern to fill it with); cow_mem_map() sets the rest.  buf/len is the
 * range a workload writes: size bytes, except for THP_SINGLE and
 * THP_SINGLE_SWAP (one page per THP of size) and THP_MREMAP (half of
 * each).
 */
struct cow_mem {
	enum cow_backing b;
	size_t hsize;
	const char *dir;
	size_t size;
	uint64_t seed;		/* COW_SEED_ZERO for the zero page backings */

	char *buf;
	size_t len;
	size_t unit;		/* bytes one copy copies: hsize for hugetlb */
	int fd;			/* the file backings' file, else -1 */
	size_t file_len;
	char *map;		/* what gather left of the THPs (private) */
	size_t map_len;
};

/*
 * "thp-pte", "thp-pte-64k", "hugetlb-2M", "memfd": what a point's backing
 * param says (a THP shape's size is named unless it is the PMD size).
 */
const char *cow_backing_name(enum cow_backing b, size_t hsize, char *buf,
			     size_t len);
bool cow_backing_is_hugetlb(enum cow_backing b);
/* Made of THPs by cow_mem_map(): thp-pte ... thp-partial-shared. */
bool cow_backing_is_thp_shape(enum cow_backing b);
/* A THP shape that mTHP sizes have too (mapped by PTEs: not thp-swap). */
bool cow_backing_has_mthp(enum cow_backing b);
/* The THP shapes whose pages are swap entries once made. */
bool cow_backing_is_swapped(enum cow_backing b);
bool cow_backing_is_file(enum cow_backing b);
bool cow_backing_is_zero(enum cow_backing b);
/*
 * Map, fill, arrange (split, move, page out) and check.  0, or -1 with
 * the reason for a SKIP (nothing left mapped).
 */
int cow_mem_map(struct cow_mem *m, char *reason, size_t rlen);
/* Check again, page by page, that the range is of its backing.  0 or -1. */
int cow_mem_verify(const struct cow_mem *m, char *reason, size_t rlen);
void cow_mem_unmap(struct cow_mem *m);
/*
 * cow_warm_free_memory() for the copies of this backing: for hugetlb,
 * the pool's free pages.
 */
void cow_mem_warm(const struct cow_mem *m);
/* Read every page: swapped pages come back in, for the writer to write. */
void cow_mem_present(const struct cow_mem *m);
/* cow_region_verify(), and for COW_SEED_ZERO the first page not zero. */
ssize_t cow_mem_data_check(const void *addr, size_t len, uint64_t seed);
/*
 * The file of a file backing still holds the pattern: -1, the first page
 * that does not, or -2 if it cannot be read.  -1 for a backing without.
 */
ssize_t cow_mem_file_check(const struct cow_mem *m);
/* The hugetlb page sizes of /sys/kernel/mm/hugepages, ascending. */
unsigned cow_hugetlb_sizes(size_t *sizes, unsigned max);
/*
 * For prepare(): npages pages of hsize free and unreserved, growing the
 * pool (nr_hugepages, through the knob journal) by what is missing only.
 * 0, or -errno with the reason.
 */
int cow_hugetlb_reserve(size_t hsize, uint64_t npages, char *reason,
			size_t rlen);
/* For cleanup(): the pool back at the size it had. */
void cow_hugetlb_reset(size_t hsize);
/* use_zero_page on (journalled), and back. */
int cow_huge_zero_enable(char *reason, size_t rlen);
void cow_huge_zero_reset(void);

/* ---- region.c: workload memory ----------------------------------------- */

/*
 * Private anonymous region for a workload.  COW_BACK_SMALL asks for
 * MADV_NOHUGEPAGE so the result does not depend on the THP setting;
 * COW_BACK_THP and COW_BACK_LARGE align to the PMD size and ask for
 * MADV_HUGEPAGE (which folio size comes is up to the THP knobs).
 * Returns NULL with errno.
 */
void *cow_region_alloc(size_t len, enum cow_backing b);
void cow_region_free(void *addr, size_t len);
/* Write a per-page pattern (seed ^ page index) to every page. */
void cow_region_fill(void *addr, size_t len, uint64_t seed);
/*
 * The pattern itself, for one page: its first two words are k and ~k,
 * k = seed ^ page index.  Inline: workloads write it in measured loops.
 */
static inline void cow_page_mark(void *page, uint64_t k)
{
	uint64_t *w = (uint64_t *)page;

	w[0] = k;
	w[1] = ~k;
}
static inline bool cow_page_marked(const void *page, uint64_t k)
{
	const uint64_t *w = (const uint64_t *)page;

	return w[0] == k && w[1] == ~k;
}
/* Index of the first page not holding the pattern for seed, or -1. */
ssize_t cow_region_verify(const void *addr, size_t len, uint64_t seed);
/*
 * Touch and release len bytes of fresh memory so the pages the next
 * measured phase allocates are ones the host has backed (this VM's host
 * reclaims idle memory and first touch is several times slower).
 */
void cow_warm_free_memory(size_t len);
/* Shared (MAP_SHARED|MAP_ANONYMOUS), zeroed, pre-faulted: visible to children. */
void *cow_shared_alloc(size_t len);
void cow_shared_free(void *addr, size_t len);

extern size_t cow_page_size;

/* ---- perf.c: perf_event counters through libpfm4 ------------------------ */

#define COW_MAX_EVENTS		16

struct cow_event_info {
	char name[64];
	bool available;
	char reason[96];	/* why not, when !available */
};

/* Parse "minor-faults,kmem:mm_page_alloc,cycles"; NULL = default set. */
int cow_events_init(const char *list);
unsigned cow_events_count(void);
const struct cow_event_info *cow_event_info(unsigned i);
/* The index of the named event in the configured set, or -1. */
int cow_event_index(const char *name);

struct cow_evfds {
	int fd[COW_MAX_EVENTS];
};
/* Open the configured events on the calling thread, inherited, disabled. */
void cow_events_open(struct cow_evfds *ev);
void cow_events_enable(struct cow_evfds *ev);
void cow_events_disable(struct cow_evfds *ev);
/*
 * Scaled counts into vals[0..cow_events_count()); an event that did not
 * open reads as -1.  Closes the fds.  The fds belong to the opening task.
 */
void cow_events_read_close(struct cow_evfds *ev, int64_t *vals);

/* ---- vmstat.c ----------------------------------------------------------- */

#define COW_VMSTAT_MAX		24
extern const char *const cow_vmstat_keys[];
extern const unsigned cow_vmstat_nkeys;
/* Values of cow_vmstat_keys; a key this kernel lacks reads as -1. */
int cow_vmstat_read(int64_t *vals);

/* ---- taskstats.c: the kernel's own copy count --------------------------- */

struct cow_wpcopy {
	int64_t count;		/* -1 when unavailable */
	int64_t delay_ns;
};
/* Open a generic netlink socket for TASKSTATS.  fd or -errno. */
int cow_taskstats_open(void);
/* wpcopy_count / wpcopy_delay_total of thread tid.  0 or -errno. */
int cow_taskstats_wpcopy(int sock, pid_t tid, struct cow_wpcopy *out);
void cow_taskstats_close(int sock);
/* NULL if the count can be had here, else why not (set by cow_taskstats_probe). */
const char *cow_taskstats_probe(void);

/* ---- knobs.c: sysfs/sysctl values changed for the run ------------------- */

/*
 * The state file records each change before it is made, so a run killed
 * with SIGKILL is undone by the next start.  cow_knobs_init() takes the
 * lock (a second concurrent run is refused) and undoes a dead run's state.
 */
int cow_knobs_init(const char *state_dir, char *err, size_t elen);
/* Current value; for "always [madvise] never" the bracketed word. */
int cow_knob_read(const char *path, char *buf, size_t len);
/* A knob holding one number (a counter, a size): its value, or -1. */
int64_t cow_knob_read_num(const char *path);
/* Save the current value (once per path) then write value.  0 or -errno. */
int cow_knob_set(const char *path, const char *value);
/* For prepare(): cow_knob_set(), and on failure a skip reason. */
int cow_knob_set_why(const char *path, const char *value, char *reason,
		     size_t rlen);
/* The same, but leaves a knob that already reads value untouched. */
int cow_knob_ensure(const char *path, const char *value, char *reason,
		    size_t rlen);
/*
 * Write a knob that cow_knob_set() already saved in this run (or in the
 * run process this one was forked from), without saving it again: how a
 * sample process switches ksmd on and off between its phases.  -EPERM
 * for a path the run has not saved, so nothing escapes the restore.
 */
int cow_knob_write_registered(const char *path, const char *value);
/*
 * Put a knob the run saved back to its saved value, early (a scenario's
 * cleanup(), so the next scenario finds the machine as it was); it stays
 * saved.  -ENOENT for a path the run has not saved.
 */
int cow_knob_reset(const char *path);
/*
 * Register a file (or swapfile, or an empty directory) that must not
 * outlive the run: register it before creating it.
 */
int cow_undo_unlink(const char *path);
int cow_undo_swapoff(const char *path);
/* A mount point the run is about to mount something on (tracefs). */
int cow_undo_umount(const char *path);
/*
 * A directory the run is about to create that stays only if something
 * was put in it: removed at the end (or at the next start, after a kill)
 * if it is empty, kept if not.
 */
int cow_undo_rmdir(const char *path);
/*
 * A zram device (path /sys/block/zramN) the run is about to size and
 * swapon: swapoff /dev/zramN and write its reset file at the end.
 */
int cow_undo_zram(const char *path);
/* Undo everything in reverse order; safe to call twice and from atexit. */
void cow_knobs_restore(void);
/*
 * For a supervisor and its workers (cli/supervise.c).  The supervisor
 * passes its lock and state file to a worker (cow_knobs_fds), which
 * appends its changes there (cow_knobs_attach, after which the worker's
 * exit undoes nothing); when the worker is gone the supervisor undoes
 * every line after the length it noted before (cow_knobs_mark), newest
 * first.  cow_knobs_undo_since returns how many could not be undone (they
 * are tried again at the end), or -1.
 */
int cow_knobs_fds(int *lock_fd, int *state_fd);
off_t cow_knobs_mark(void);
int cow_knobs_undo_since(off_t mark);
int cow_knobs_attach(int lock_fd, int state_fd, char *err, size_t elen);
/* Only restore a crashed run's state and exit: `cowbench --restore`. */
int cow_knobs_recover_only(const char *state_dir, char *err, size_t elen);

/* One line of a state file: what a run must undo, newest last. */
enum cow_undo_kind {
	COW_UNDO_KNOB,		/* write old back to path */
	COW_UNDO_UNLINK,
	COW_UNDO_SWAPOFF,	/* swapoff, then unlink */
	COW_UNDO_UMOUNT,
	COW_UNDO_RMDIR,		/* rmdir if still empty */
	COW_UNDO_ZRAM,		/* swapoff /dev/zramN, then reset the device */
	COW_UNDO_NKINDS
};
#define COW_UNDO_MAX		128
#define COW_UNDO_VAL_MAX	256
struct cow_undo {
	enum cow_undo_kind kind;
	int err;			/* errno of a failed undo, else 0 */
	/*
	 * Given up on past its time limit (a swapoff stuck in a kernel that
	 * oopsed): not tried again by this run, whose end would block the
	 * same way; kept in the state file for the next start.
	 */
	bool stuck;
	char path[PATH_MAX];
	char old[COW_UNDO_VAL_MAX];
};
/* "knob", "unlink"...: the state file's word for kind. */
const char *cow_undo_kind_name(enum cow_undo_kind kind);
/*
 * Parse a state file (name for messages) into u[0..max), undoing
 * nothing: *pid from its "pid N" line, else 0; lines that cannot be acted
 * on are dropped.  Number of entries, or -1 with err.
 */
int cow_knobs_parse_state(FILE *f, const char *name, pid_t *pid,
			  struct cow_undo *u, int max, char *err, size_t elen);
/*
 * cow_knobs_undo_since, the undo itself left to run(t, n, arg): it
 * undoes t[n-1] down to t[0] (newest first) and sets each one's err and
 * stuck.  A supervisor runs them in a helper process under a time limit,
 * since an undo can block in the kernel for ever (cli/supervise.c).
 */
typedef void cow_undo_runner(struct cow_undo *t, int n, void *arg);
int cow_knobs_undo_since_by(off_t mark, cow_undo_runner *run, void *arg);
/* One undo, here and now: 0 or -errno. */
int cow_undo_apply(const struct cow_undo *u);
/*
 * That helper's side: undo the lines after mark in the state file open
 * at state_fd, newest first, leaving out the skip newest; before and
 * after each, a struct cow_undo_report on report_fd.  0, or -errno if
 * the lines cannot be read.
 */
struct cow_undo_report {
	int32_t idx;	/* the entry, 0 the oldest after the mark */
	int32_t err;	/* COW_UNDO_BEGUN, then 0 or the errno */
};
#define COW_UNDO_BEGUN	(-1)
int cow_knobs_undo_lines(int state_fd, off_t mark, int skip, int report_fd);
/*
 * Test-only: an undo helper stops for ever before undoing this path, as
 * a swapoff stuck in a kernel that oopsed does (tests/timeout.sh).
 */
#define COW_TEST_STUCK_UNDO_ENV	"COWBENCH_TEST_STUCK_UNDO"
const char *cow_state_dir_default(void);

/* ---- thp.c: THP sizes and the knobs that choose them --------------------- */

#define COW_THP_SIZES_MAX	16

/* hpage_pmd_size, or 2 MiB where the kernel does not say. */
size_t cow_thp_pmd_size(void);
/*
 * The anonymous THP sizes this kernel offers (hugepages-*kB with an
 * "enabled" file), ascending, the PMD size included.  Returns the count.
 */
unsigned cow_thp_sizes(size_t *sizes, unsigned max);
/* hugepages-*kB/stats/NAME of one size, or -1. */
int64_t cow_thp_size_stat(size_t size, const char *name);
/*
 * For prepare(), every change through cow_knob_set().  Make MADV_HUGEPAGE
 * regions get PMD THPs; or give them only the given size (it "madvise",
 * every other size "never").  0, or -errno with the reason.
 */
int cow_thp_enable_pmd(char *reason, size_t rlen);
int cow_thp_enable_only(size_t size, char *reason, size_t rlen);
/* For cleanup(): every THP "enabled" knob the run changed back as it was. */
void cow_thp_reset(void);

/* ---- swap.c: a swapfile for the run ------------------------------------ */

/*
 * Create a swap area of bytes (whole pages, at least 16) at path, which
 * must not exist: written out in full, with the version-1 header mkswap(8)
 * writes.  Register path with cow_undo_swapoff() first.  0 or -errno.
 */
int cow_swapfile_create(const char *path, uint64_t bytes);
/* swapon(2) at the default priority, below any area already there. */
int cow_swapfile_on(const char *path);
/* swapoff(2) (if active) and unlink.  0 or -errno. */
int cow_swapfile_remove(const char *path);
/*
 * A zram device nobody set up (disksize 0), as "zramN" into name.  THP
 * swap-out needs a swap block device that is not rotational; a swapfile
 * on a spinning disk takes 4 KiB pages only.  0 or -ENODEV.
 */
int cow_zram_find(char *name, size_t len);
/*
 * Size zram device name (register cow_undo_zram() first), write a swap
 * header to it and swapon it at the default priority.  0 or -errno.
 */
int cow_zram_swap_on(const char *name, uint64_t bytes);
/* swapoff and reset it.  0 or -errno. */
int cow_zram_swap_off(const char *name);
/* Whether path is an active swap area in /proc/swaps. */
bool cow_swap_active(const char *path);

/* ---- samples and results (results.c) ------------------------------------ */

#define COW_MAX_PARAMS		8
#define COW_MAX_METRICS		12
#define COW_NAME_LEN		48

struct cow_kv {
	char key[32];
	bool is_str;
	char str[32];
	double num;
};

/*
 * What a FAIL rests on, so that a reader can tell "COW broke" from "a
 * /proc file lied" (results.json: "evidence", null unless a FAIL).
 */
enum cow_evidence {
	COW_EV_NONE = 0,	/* not a FAIL, or a FAIL that did not say */
	COW_EV_DATA,		/* a side's view of memory, a pipe's or a file's data */
	COW_EV_COUNTS,		/* PFNs or a kernel counter the semantics contradict */
	COW_EV_INSTRUMENT,	/* one /proc reading alone, with no second way */
	COW_EV_KERNEL_LOG,	/* the kernel warned during the sample */
	COW_EV_HARNESS,		/* the harness could not run the sample */
	COW_EV_N
};
/* "data", "counts", ...; NULL for COW_EV_NONE. */
const char *cow_evidence_name(enum cow_evidence e);

/*
 * How a point's repetitions ended and where its wall time went: the worker
 * fills the precision part on each sample it sends (as of that sample),
 * the supervisor the time part at the point's end, on every sample of the
 * point.  See doc/results.md, "point".
 */
enum cow_stop {
	COW_STOP_NONE,		/* the point did not end (yet) */
	COW_STOP_REPS,		/* fixed --reps: no target */
	COW_STOP_PRECISION,	/* the interval reached the target */
	COW_STOP_MAX_REPS,	/* --max-reps taken first */
	COW_STOP_BUDGET,	/* the point's share of --budget spent first */
	COW_STOP_SKIP,		/* a skip, which repetition does not change */
	COW_STOP_N
};

struct cow_point_info {
	bool set;		/* the point ended: every field below is its */
	enum cow_stop stop;
	unsigned reps;		/* measured samples taken */
	unsigned timed;		/* of them, with a time per op (not skipped) */
	unsigned visits;	/* workers it took, one per pass (--passes) */
	double target;		/* --precision as a fraction; 0: fixed --reps */
	/* 95% bootstrap interval of the median ns_per_op; NaN: under 2 timed */
	double ci_lo, ci_hi;
	double rel;		/* (ci_hi - ci_lo) / 2 / median: precision reached */
	bool met;		/* rel <= target (false without a target) */
	/* Wall time of the point as the supervisor saw it, ns. */
	uint64_t wall_ns, setup_ns, measured_ns, checks_ns;
};

const char *cow_stop_name(enum cow_stop s);

struct cow_sample {
	char scenario[COW_NAME_LEN];
	struct cow_kv params[COW_MAX_PARAMS];
	unsigned nparams;
	unsigned rep;
	uint64_t ns;
	uint64_t ops;
	/* -1 means null (not measured here); the reason says why. */
	int64_t faults_minor;
	int64_t faults_major;
	int64_t pages_written;
	int64_t pages_copied;
	int64_t pages_required;
	int64_t extra_copies;
	int64_t copies_missing;
	int64_t kernel_wpcopy;
	int64_t kernel_wpcopy_delay_ns;
	char kernel_wpcopy_reason[96];
	int64_t vmstat[COW_VMSTAT_MAX];
	int64_t events[COW_MAX_EVENTS];
	/* Scenario-specific figures, e.g. a latency ratio. */
	struct cow_kv metrics[COW_MAX_METRICS];
	unsigned nmetrics;
	enum cow_verdict verdict;
	char reason[160];
	enum cow_evidence evidence;	/* of a FAIL: what its reason rests on */
	/* What the kernel warned of during the sample ("" if nothing). */
	char kernel_log[160];
	struct cow_point_info point;
};

void cow_sample_init(struct cow_sample *s, const char *scenario);
void cow_sample_param_num(struct cow_sample *s, const char *key, double v);
void cow_sample_param_str(struct cow_sample *s, const char *key, const char *v);
void cow_sample_metric(struct cow_sample *s, const char *key, double v);
/* A numeric metric of s; NaN if s has none of that key, or a string. */
double cow_sample_metric_num(const struct cow_sample *s, const char *key);
/* Set verdict and reason (printf format); FAIL overrides PASS, never back. */
void cow_sample_verdict(struct cow_sample *s, enum cow_verdict v,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* COW_FAIL with the evidence it rests on; the first FAIL's reason stays. */
void cow_sample_fail(struct cow_sample *s, enum cow_evidence ev,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct cow_selfcheck;

/* One meta entry read back, flattened: "uname.release", "knobs.thp.enabled". */
struct cow_meta_kv {
	char *key;
	char *val;		/* scalars as JSON text, strings unquoted */
};

struct cow_results {
	struct cow_sample *samples;
	size_t n, cap;
	/* meta */
	char *command_line;
	char start[32], end[32];
	bool partial;
	/* Where kernel warnings were read from, or why they were not. */
	char kernel_log[128];
	char knobs_json[8192];	/* filled by cow_results_collect_meta() */
	/* The run's self-check (meta.instruments), NULL if it did not run. */
	const struct cow_selfcheck *instruments;
	/* Filled by cow_results_read() only: every meta scalar, in file order. */
	struct cow_meta_kv *meta;
	size_t nmeta;
};

int cow_results_add(struct cow_results *r, const struct cow_sample *s);
/*
 * A sample at pos (0..n), the later ones moved up: a point's samples stay
 * together when it is sampled again later in the run.
 */
int cow_results_insert(struct cow_results *r, size_t pos,
		       const struct cow_sample *s);
/*
 * uname, cmdline, cpu model, knobs, events... at the start of the run:
 * after cow_events_init() and before any knob is changed.
 */
void cow_results_collect_meta(struct cow_results *r, int argc, char **argv);
/* meta.c hands the meta object to results.c (one results set a process). */
struct json_object;
void cow_results_meta_set(const struct cow_results *r, struct json_object *m);
/*
 * results.json and samples.tsv in dir, each via temp file + rename.
 * 0, or -1 with errno set.
 */
int cow_results_write(const struct cow_results *r, const char *dir);
/*
 * Before the first cow_results_write() of a run with knobs initialised:
 * the directories of dir it will create (removed if the run leaves them
 * empty) and its temporary files, so that not even SIGKILL leaves a
 * .tmp file or an empty results directory behind.  0 or -errno.
 */
int cow_results_register_undo(const char *dir);
void cow_results_free(struct cow_results *r);
/*
 * A sample's parameters as "64M,2048kB,n=4": size as a size, strings bare,
 * other numbers key=value; keys in skip (NULL-terminated, or NULL) are
 * left out.  What the summary and compare name a point by.
 */
void cow_params_str(const struct cow_sample *s, const char *const *skip,
		    char *buf, size_t len);
/* Parse a results.json back (tests, compare) into r, which it overwrites
 * without freeing.  0 or -1 with a one-line err naming the file. */
int cow_results_read(const char *path, struct cow_results *r,
		     char *err, size_t elen);
/* The same for len bytes at buf (need not be NUL-terminated), read from name. */
int cow_results_parse(const char *buf, size_t len, const char *name,
		      struct cow_results *r, char *err, size_t elen);
/*
 * Add meta.KEY (not set yet) with the JSON text json to dir/results.json,
 * atomically; the file must read back as results first.  0 or -1 with a
 * one-line err.  For tools that wrap a run, e.g. scripts/vm-run (meta.vm).
 */
int cow_results_add_meta(const char *dir, const char *key, const char *json,
			 char *err, size_t elen);
/* A flattened meta value read back ("tool_version", "uname.release"), or NULL. */
const char *cow_results_meta(const struct cow_results *r, const char *key);
/*
 * results-pool.c: meta that differs in every run (times, KSM's counters),
 * never a setting; and whether two runs may be pooled (same tool version,
 * same knobs), 0 or -1 with a one-line err naming both.
 */
bool cow_meta_volatile(const char *key);
int cow_results_poolable(const struct cow_results *a, const char *aname,
			 const struct cow_results *b, const char *bname,
			 char *err, size_t elen);

/* ---- stats.c: what `cowbench compare` decides with ---------------------- */

void cow_sort_doubles(double *v, size_t n);
/* Sorts v in place; NaN for n == 0. */
double cow_median(double *v, size_t n);
/* Quantile p of sorted v, linear between order statistics (type 7). */
double cow_quantile_sorted(const double *v, size_t n, double p);

/* xoshiro256** seeded through splitmix64: same stream on every libc. */
struct cow_rng {
	uint64_t s[4];
};
void cow_rng_seed(struct cow_rng *g, uint64_t seed);
uint64_t cow_rng_next(struct cow_rng *g);
/* Uniform in [0, n), without modulo bias. */
uint64_t cow_rng_below(struct cow_rng *g, uint64_t n);
/* Mix a string into h: per-comparison seeds derived from one printed seed. */
uint64_t cow_hash_str(uint64_t h, const char *s);

/*
 * nboot bootstrap draws of median(b*)/median(a*), each side resampled with
 * replacement from itself (a first, then b, per draw); NaN where the
 * resampled median of a is 0.  0 or -1 with errno.
 */
int cow_boot_ratios(const double *a, size_t na, const double *b, size_t nb,
		    unsigned nboot, uint64_t seed, double *out);
/* Percentile interval at level (0.95) of those draws; NaN if undefined. */
int cow_boot_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		      unsigned nboot, double level, uint64_t seed,
		      double *lo, double *hi);
/* The same for one sample's median. */
int cow_boot_median_ci(const double *a, size_t n, unsigned nboot,
		       double level, uint64_t seed, double *lo, double *hi);

/*
 * When a point has sampled enough (--precision): the policy, and the
 * decision after each measured sample.  A pure function of the samples'
 * ns_per_op and the time spent so far, so that a test can drive it with
 * figures and a clock of its own.
 */
struct cow_rep_policy {
	double target;		/* relative half-width of the interval; 0: fixed */
	unsigned reps;		/* fixed: exactly this many */
	unsigned min_reps, max_reps;
	uint64_t budget_ns;	/* the point's share of the run's budget; 0: none */
	/*
	 * In a pass before the last (--passes), from this many reps the
	 * budget may end the visit short of min_reps, since the next pass
	 * samples the point again; 0: not so.
	 */
	unsigned pass_min;
};
#define COW_PREC_LEVEL	0.95
#define COW_PREC_NBOOT	2000
/*
 * The interval of the median of v[0..n-1] (reordered) and its relative
 * half-width; NaN for fewer than 2 values or a median of 0.
 */
void cow_precision_of(double *v, size_t n, double *lo, double *hi,
		      double *rel);
/*
 * After reps measured samples, timed of them with a ns_per_op in v (which
 * this reorders), spent_ns into the point: COW_STOP_NONE to go on, else
 * why to stop; info gets the figures either way.
 */
enum cow_stop cow_rep_decide(const struct cow_rep_policy *p, unsigned reps,
			     double *v, size_t timed, uint64_t spent_ns,
			     struct cow_point_info *info);
/*
 * A point's budget: what is left of the run's budget_ns after spent_ns,
 * over the points_left still to run (this one included); 0 for no budget,
 * at least 1 when there is one.
 */
uint64_t cow_budget_share(uint64_t budget_ns, uint64_t spent_ns,
			  unsigned points_left);

/* Exact distribution up to this many values in all, normal beyond. */
#define COW_MWU_EXACT_MAX	50

struct cow_mwu {
	double u;	/* U of a: pairs (a_i, b_j) with a_i > b_j, ties 1/2 */
	double p;	/* two-sided */
	bool exact;	/* permutation distribution (ties kept), else normal */
	bool ties;
};
/* Two-sided Mann-Whitney U test of a against b.  0 or -1 with errno. */
int cow_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		     struct cow_mwu *out);

enum cow_padjust {
	COW_PADJ_NONE,
	COW_PADJ_HOLM,		/* family-wise error rate */
	COW_PADJ_BH,		/* false discovery rate */
};
/* Adjusted p-values q[i] for p[i]; NaN entries are no test, kept NaN. */
int cow_p_adjust(const double *p, size_t n, enum cow_padjust method,
		 double *q);
const char *cow_padjust_name(enum cow_padjust method);

/* ---- measure.c: the measured phase -------------------------------------- */

/*
 * One measured phase.  Lives in shared memory so that a child that does
 * the writes can fill it for the parent.  Per-page arrays too: writing
 * them never causes a COW of the harness's own memory in the child.
 */
struct cow_meas {
	/* what is tracked (set by cow_meas_new / the workload) */
	const char *addr;
	size_t npages;
	uint64_t *pm_before;		/* raw pagemap entries */
	uint64_t *pm_after;
	uint8_t *required;		/* per page: semantics require a copy */
	int64_t pages_written;		/* set by the workload; default npages */
	/*
	 * Set by cow_meas_backing(): pages (of cow_page_size) per copy unit
	 * (a hugetlb page is one copy, counted at its first page), and
	 * whether zero-page PFNs are told apart: a write there allocates,
	 * it copies nothing, so it goes to zero_allocs, not pages_copied.
	 */
	size_t unit_pages;
	bool zero_apart;
	int64_t zero_allocs;

	/* filled by start/stop */
	uint64_t t_start, t_stop;
	int64_t faults_minor, faults_major;
	int64_t pages_copied, pages_required, extra_copies, copies_missing;
	int64_t kernel_wpcopy, kernel_wpcopy_delay_ns;
	char kernel_wpcopy_reason[96];
	int64_t vmstat[COW_VMSTAT_MAX];
	int64_t events[COW_MAX_EVENTS];
	bool accounted;			/* pagemap accounting ran */
	char acct_reason[96];		/* why not */
	/* ns busy-waited inside the measured phase (test-hooks build only) */
	int64_t test_slowdown_ns;
	/* filled by cow_meas_round_add(): rounds added, their summed time */
	unsigned rounds;
	uint64_t rounds_ns;
	/* the reference copy's ns a page right after the phase (refcopy.c) */
	double ref_ns;
	unsigned ref_n;			/* phases it is the mean of; 0: none */

	/* private to measure.c */
	struct cow_evfds ev;
	int ts_sock;
	struct cow_wpcopy wp0;
	int64_t vm0[COW_VMSTAT_MAX];
	int64_t ru_minflt0, ru_majflt0;
	uint64_t test_slowdown_per;	/* ns per page, read before the clock */
	unsigned nadded;		/* cow_meas_add() calls since start */
	size_t map_len;
};

/* Track [addr, addr+len) (may be NULL/0: timing and counters only). */
struct cow_meas *cow_meas_new(const void *addr, size_t len);
void cow_meas_free(struct cow_meas *m);
/* Required copies: every tracked page, none, or page by page. */
void cow_meas_require_all(struct cow_meas *m);
void cow_meas_require_none(struct cow_meas *m);
static inline void cow_meas_require_page(struct cow_meas *m, size_t i)
{
	m->required[i] = 1;
}

/*
 * Count in the backing's units (hugetlb pages), zero-page writes apart;
 * pages_written becomes the number of units.  After cow_meas_new().
 */
void cow_meas_backing(struct cow_meas *m, const struct cow_mem *mem);
/* Bracket the measured writes; call both in the writing task. */
void cow_meas_start(struct cow_meas *m);
void cow_meas_stop(struct cow_meas *m);
/*
 * Add another task's accounting (copies, faults, wpcopy, events) into m,
 * keeping m's clock: fork.many times in the parent, counts in children.
 */
void cow_meas_add(struct cow_meas *m, const struct cow_meas *other);
/*
 * Rounds: a measured phase too short to time well on its own, repeated
 * within one sample, each round's set-up (populate, fork, splice) outside
 * the clock.  total is a cow_meas of its own, never started: begin it,
 * then time each round in another cow_meas with cow_meas_start()/stop()
 * and add it.  The sum is exact: times, faults, events, vmstat, wpcopy
 * and copy counts added up (a count one round could not take is unknown
 * in the sum, with that round's reason).  cow_meas_to_sample() of total
 * gives the sample the summed time and a "rounds" metric.
 */
void cow_meas_rounds_begin(struct cow_meas *total);
void cow_meas_round_add(struct cow_meas *total, const struct cow_meas *round);
/* Copy a finished measurement into a sample. ops = operations timed. */
void cow_meas_to_sample(const struct cow_meas *m, struct cow_sample *s,
			uint64_t ops);

/* ---- proc.c: processes ------------------------------------------------- */

/* fork() with stdio flushed; the child dies with its parent. */
pid_t cow_fork(void);
/* waitpid; 0 if the child exited 0, else -1 with a description in why. */
int cow_wait(pid_t pid, char *why, size_t len);
/* The same, and the wait status in *status (-1 if waitpid failed). */
int cow_wait_status(pid_t pid, int *status, char *why, size_t len);
/* Pin the calling thread to the n-th CPU of the run's allowed set. */
int cow_pin_nth_cpu(unsigned n);
unsigned cow_nr_allowed_cpus(void);
/* Set by SIGINT/SIGTERM: stop after the current sample. */
extern volatile sig_atomic_t cow_interrupted;
/*
 * Set in the process that owns the run (the supervisor, cli/supervise.c):
 * cow_fork() there is a bug, and aborts.  See supervise.c for why.
 */
extern bool cow_fork_forbidden;
/* "killed by signal 11 (Segmentation fault)", "exited with status 3". */
const char *cow_status_str(int status, char *buf, size_t len);
/*
 * The processes of a process group, as /proc shows them: for telling,
 * after SIGKILL, a CPU that no longer runs what is queued on it (a task
 * spinning for ever in a kernel that oopsed under it, preemption off)
 * from a process merely slow to die.
 */
#define COW_GROUP_MAX	64
struct cow_group_snap {
	unsigned n;
	struct {
		pid_t pid;
		char state;			/* R, S, D, Z... */
		int cpu;			/* the one it last ran on */
		unsigned long long ticks;	/* utime + stime */
	} p[COW_GROUP_MAX];
};
void cow_group_snapshot(pid_t pgrp, struct cow_group_snap *snap);
/*
 * The CPUs of processes runnable (R) in both snapshots that were given no
 * CPU time in between; how many.
 */
int cow_group_starved_cpus(const struct cow_group_snap *a,
			   const struct cow_group_snap *b, cpu_set_t *cpus);

/* ---- proc.c: what a worker reports to the supervisor -------------------- */

/*
 * Where a point is, for a time limit and a reason that names it: the
 * worker marks prepare, setup (each sample, before its fork) and cleanup;
 * lib/measure.c marks measured before the clock starts and checks after
 * it stops.
 */
enum cow_phase {
	COW_PHASE_PREPARE,
	COW_PHASE_SETUP,
	COW_PHASE_MEASURED,
	COW_PHASE_CHECKS,
	COW_PHASE_CLEANUP,
	COW_PHASE_N
};
const char *cow_phase_name(enum cow_phase p);
/* Phase name to value, or -1. */
int cow_phase_parse(const char *name);

/*
 * A worker's message on its pipe: one write(2) each, at most PIPE_BUF
 * bytes, so that the worker and its sample processes never interleave.
 */
#define COW_MSG_MAGIC		0x636f776du	/* "cowm" */
enum cow_msg_type {
	COW_MSG_PHASE,		/* phase only */
	COW_MSG_SAMPLE,		/* a finished sample (flags below) */
	COW_MSG_END,		/* the point is done, cleanup included */
	COW_MSG_NTYPES
};
#define COW_MSG_WARMUP		(1u << 0)	/* discarded repetition */
#define COW_MSG_PREPARE_SKIP	(1u << 1)	/* prepare() said SKIP */
struct cow_msg_hdr {
	uint32_t magic;
	uint32_t type;
	uint32_t phase;
	uint32_t flags;
	uint32_t len;		/* payload bytes: 0 or sizeof(struct cow_sample) */
};

/*
 * The worker's end of the pipe (-1: not a worker, marks are no-ops) and
 * the scenario of its point, for the test-only hang below.
 */
extern int cow_msg_fd;
extern const char *cow_msg_scenario;
/*
 * Test-only: "SCENARIO:PHASE" makes the process that reaches that phase
 * mark of that scenario stop there for ever, as a sample waiting on a
 * pipe a broken COW corrupted would, so that tests/timeout.sh can show
 * a hang turning into a timed-out FAIL.  Read only when set, only in a
 * worker.
 */
#define COW_TEST_HANG_ENV	"COWBENCH_TEST_HANG"
/* Send one message; 0 or -errno.  s may be NULL for a phase or the end. */
int cow_msg_send(enum cow_msg_type type, enum cow_phase phase,
		 unsigned flags, const struct cow_sample *s);
/* cow_msg_send(COW_MSG_PHASE) and the test-only hang. */
void cow_phase_mark(enum cow_phase p);

/* ---- numa.c ------------------------------------------------------------- */

int cow_numa_nodes(void);		/* 0 when libnuma is unavailable */
int cow_numa_bind(int node, char *err, size_t elen);

/* ---- kmsg.c: kernel warnings during the run ----------------------------- */

/*
 * Test-only: "1" makes user-facility records count too, so that a test
 * can write a warning to /dev/kmsg (the kernel forces LOG_USER on
 * everything userspace writes there).
 */
#define COW_KMSG_ANY_FACILITY_ENV	"COWBENCH_KMSG_ANY_FACILITY"

struct cow_kmsg_record {
	int facility;		/* 0: the kernel's own */
	int level;
	const char *msg;	/* the message, up to but not with its '\n' */
	size_t msglen;
};
/* One record as read(2) from /dev/kmsg returned it.  0, or -1 if malformed. */
int cow_kmsg_record_parse(const char *rec, size_t len,
			  struct cow_kmsg_record *out);
/*
 * Whether a record is a kernel warning (WARNING:, BUG:, Oops, Bad page,
 * ...; the kernel facility only unless any_facility); if so line gets
 * its message, whitespace trimmed, cut to llen.  Pure: for tests.
 */
bool cow_kmsg_record_match(const char *rec, size_t len, bool any_facility,
			   char *line, size_t llen);

struct cow_kmsg {
	int fd;			/* -1: not readable here */
	bool any_facility;	/* COW_KMSG_ANY_FACILITY_ENV */
	unsigned lost;		/* times records were overwritten unread */
	char source[128];	/* "/dev/kmsg" or "not readable: <why>" */
};
/* Open /dev/kmsg at its end.  0 or -errno, source saying why. */
int cow_kmsg_open(struct cow_kmsg *k);
/*
 * Read every record printed since the last scan (or the open): 1 with the
 * first warning's line, 0 if none (also when not open), or -errno.
 */
int cow_kmsg_scan(struct cow_kmsg *k, char *line, size_t llen);
void cow_kmsg_close(struct cow_kmsg *k);

/* ---- selfcheck.c: instruments that check themselves --------------------- */

/*
 * Test-only: "1" makes cow_kpageflags() report every anonymous page as
 * KSM, as 6.12's stable_page_flags() does (mapping & PAGE_MAPPING_KSM,
 * which is ANON|MOVABLE, is true for every anonymous folio).
 */
#define COW_FAKE_KPF_KSM_ENV		"COWBENCH_FAKE_KPF_KSM"
/*
 * Test-only: "1" makes cow_pagemap_read() shift every present PFN by a
 * count that grows with each read, so no two reads of a page agree.
 */
#define COW_FAKE_PFN_UNSTABLE_ENV	"COWBENCH_FAKE_PFN_UNSTABLE"
/*
 * Test-only: "1" makes ksm.merge leave out its MADV_UNMERGEABLE, as a
 * kernel whose unmerge does nothing would: the FAIL a broken unmerge
 * must give, on a kernel whose unmerge works.
 */
#define COW_FAKE_NO_UNMERGE_ENV		"COWBENCH_FAKE_NO_UNMERGE"

/*
 * The instruments a verdict may rest on.  Each is checked once, at the
 * start of a run, on pages whose state the harness knows.
 */
enum cow_instr {
	COW_INSTR_PAGEMAP_PFN,		/* PFNs present, stable */
	COW_INSTR_PAGEMAP_SWAP,		/* pagemap's swapped bit */
	COW_INSTR_KPF_KSM,		/* a fresh anonymous page is not KSM */
	COW_INSTR_KPF_THP,		/* a verified THP reads THP, head, tail */
	COW_INSTR_KPF_ZERO_PAGE,	/* the zero page reads ZERO_PAGE */
	COW_INSTR_WPCOPY,		/* taskstats wpcopy: one COW is 1 */
	COW_INSTR_VMSTAT,		/* /proc/vmstat pgfault moves */
	COW_INSTR_N
};

enum cow_instr_state {
	COW_INSTR_NOT_CHECKED = 0,	/* no way to check it cheaply here */
	COW_INSTR_OK,
	COW_INSTR_UNRELIABLE,		/* it reads, but reads wrong */
	COW_INSTR_UNAVAILABLE,		/* it cannot be read here */
};

struct cow_instr_check {
	enum cow_instr_state state;
	char reason[120];
};

/* Plain data: it can be copied to another process as it is. */
struct cow_selfcheck {
	bool ran;
	struct cow_instr_check c[COW_INSTR_N];
	uint64_t zero_pfn;		/* the zero page's PFN, 0 if unknown */
	uint64_t ns;			/* what the self-check took */
};

/*
 * What the scenarios consult (cow_instr_trusted()).  Zeroed, that is
 * "not checked", until the run sets it from cow_selfcheck_run(); every
 * process that runs samples must hold the run's copy (forked sample
 * processes inherit it; a spawned worker must be handed the struct).
 */
extern struct cow_selfcheck cow_instruments;
/* Every instrument "not checked", the reason naming why the check did not run. */
void cow_selfcheck_none(struct cow_selfcheck *sc, const char *why);

/*
 * Check every instrument on pages of its own and fill out.  May fork
 * (the wpcopy check); changes no knob (kernel.task_delayacct must be on
 * already for wpcopy); a few ms.  Call outside any timed region.
 */
void cow_selfcheck_run(struct cow_selfcheck *out);
/* "pagemap_pfn", "kpageflags_ksm", ...: the key in meta.instruments. */
const char *cow_instr_name(enum cow_instr i);
/* "ok", "unreliable: a fresh anonymous page reads KSM", ... */
void cow_instr_describe(const struct cow_instr_check *c, char *buf,
			size_t len);
/*
 * Whether a reading of i may decide a verdict: true unless the self-check
 * found it unreliable (not checked and unavailable are the callers' own
 * business: an unavailable reading fails on its own), and for the
 * kpageflags ones, which are looked up by PFN, pagemap_pfn as well.  If
 * not, why gets "kpageflags_ksm unreliable: <reason>".
 */
bool cow_instr_trusted(enum cow_instr i, char *why, size_t len);
/*
 * The value of field ("KSM", "AnonHugePages") in kB of the /proc/self/smaps
 * entry that contains addr, or -1 (no such field, or smaps unreadable).
 */
int64_t cow_smaps_kb(const void *addr, const char *field);

#endif /* COW_H */
