// SPDX-License-Identifier: GPL-2.0-only
/*
 * refcopy.c - the machine's own speed, timed right after every measured
 * phase: a userspace copy of 4 KiB pages, from memory to memory.
 *
 * On a shared machine the time of a COW fault drifts with whatever else
 * the host runs (doc/measurements.md: fork.child-write's median moved
 * 2700-3343 ns a page between quick runs minutes apart, each run's own
 * interval a few per cent).  The reference tells a reader of two runs
 * whether the machine moved between them: compare shows its change
 * beside the points' (ref_copy_ns, never judged).  It is not divided
 * out of ns_per_op: measured, the faults move more than the copy, and
 * not by one factor on every point, so the ratio halved the drift where
 * the machine moved and added noise where it did not (doc/measurements.md,
 * "The reference copy").
 *
 * The reference never enters the kernel: its buffers are populated and
 * locked once, shared (so no fork of the workload's makes them COW, and
 * KSM, which skips shared mappings, never merges them even under
 * PR_SET_MEMORY_MERGE) and kept to small pages.  So no kernel change
 * moves it; only the machine does.
 */
#include <math.h>
#include <string.h>
#include <sys/mman.h>

#include "cow.h"

/* A pass: some 80 us of copying here (300 ns a page), short beside a sample. */
#define REF_BYTES	(1u << 20)

static char *ref_src, *ref_dst;
/* When a pass last ended, in the shared page after the buffers: see below. */
static volatile uint64_t *ref_last;

/*
 * Out of every cache, as a COW fault finds its source page and the new
 * page it copies into: so the copy is timed from memory each time, not
 * from whichever level the sample before left it in.
 */
static void ref_evict(void)
{
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
	size_t i;

	for (i = 0; i < 2 * REF_BYTES; i += 64) {
#if defined(__aarch64__)
		__asm__ __volatile__("dc civac, %0" : : "r"(ref_src + i) : "memory");
#else
		__asm__ __volatile__("clflush %0" : "+m"(ref_src[i]));
#endif
	}
#if defined(__aarch64__)
	__asm__ __volatile__("dsb ish" : : : "memory");
#else
	__asm__ __volatile__("mfence" : : : "memory");
#endif
#endif
}

static double ref_copy_ns(void)
{
	uint64_t t0, t1;
	size_t i;

	if (!ref_src)
		return NAN;
	ref_evict();
	t0 = cow_now_ns();
	for (i = 0; i < REF_BYTES; i += 4096)
		memcpy(ref_dst + i, ref_src + i, 4096);
	/* The copies are to memory the compiler must assume is read. */
	__asm__ __volatile__("" : : "r"(ref_dst) : "memory");
	t1 = cow_now_ns();
	return (double)(t1 - t0) / (REF_BYTES / 4096);
}

void cow_ref_init(void)
{
	size_t i;

	if (ref_src)
		return;
	ref_src = mmap(NULL, 2 * REF_BYTES + 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ref_src == MAP_FAILED) {
		ref_src = NULL;
		return;
	}
	ref_dst = ref_src + REF_BYTES;
	ref_last = (volatile uint64_t *)(ref_src + 2 * REF_BYTES);
	madvise(ref_src, 2 * REF_BYTES + 4096, MADV_NOHUGEPAGE);
	for (i = 0; i < 2 * REF_BYTES; i += 64)
		ref_src[i] = (char)(i >> 12);
	/* Best effort: unprivileged, the limit may be lower; it still runs. */
	mlock(ref_src, 2 * REF_BYTES);
	/* Once untimed: the first pass after the locking is not typical. */
	ref_copy_ns();
}

/*
 * Phases of one sample closer together than this share one pass: its
 * rounds, each perhaps in a child of its own, and children measuring at
 * once; each sample's first phase takes one (cow_ref_new_sample()).  The
 * time is in shared memory, so a child's pass counts for its siblings; a
 * race between two of them costs one pass more, no more.
 */
#define REF_GAP_NS	(20 * 1000 * 1000ull)

void cow_ref_new_sample(void)
{
	if (ref_last)
		*ref_last = 0;
}

double cow_ref_after_phase(void)
{
	uint64_t last, now = cow_now_ns();
	double ns;

	if (!ref_src)
		return NAN;
	last = *ref_last;
	if (last && now - last < REF_GAP_NS)
		return NAN;
	ns = ref_copy_ns();
	*ref_last = cow_now_ns();
	return ns;
}
