// SPDX-License-Identifier: GPL-2.0-only
/*
 * region.c - the memory a workload writes, and memory the harness shares
 * with the children it forks.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cow.h"

#define COW_PMD_SIZE	(2ul << 20)

void *cow_region_alloc(size_t len, enum cow_backing b)
{
	size_t map_len = len;
	char *p, *aligned;

	/*
	 * A THP needs a range aligned to its size, mTHP too (any size up
	 * to the PMD's): over-allocate and trim.
	 */
	if (b != COW_BACK_SMALL)
		map_len = len + COW_PMD_SIZE;
	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	aligned = p;
	if (b != COW_BACK_SMALL) {
		aligned = (char *)(((uintptr_t)p + COW_PMD_SIZE - 1) &
				   ~(COW_PMD_SIZE - 1));
		if (aligned > p)
			munmap(p, (size_t)(aligned - p));
		if (aligned + len < p + map_len)
			munmap(aligned + len,
			       (size_t)(p + map_len - (aligned + len)));
	}
	/*
	 * Ask explicitly either way: the answer must not depend on the
	 * machine's THP setting ("always" would make 4 KiB runs THP).
	 */
	if (madvise(aligned, len,
		    b == COW_BACK_SMALL ? MADV_NOHUGEPAGE : MADV_HUGEPAGE) &&
	    b != COW_BACK_SMALL) {
		int e = errno;

		munmap(aligned, len);
		errno = e;
		return NULL;
	}
	return aligned;
}

void cow_region_free(void *addr, size_t len)
{
	if (addr)
		munmap(addr, len);
}

void cow_region_fill(void *addr, size_t len, uint64_t seed)
{
	size_t i, n = len / cow_page_size;

	for (i = 0; i < n; i++)
		cow_page_mark((char *)addr + i * cow_page_size, seed ^ i);
}

ssize_t cow_region_verify(const void *addr, size_t len, uint64_t seed)
{
	size_t i, n = len / cow_page_size;

	for (i = 0; i < n; i++)
		if (!cow_page_marked((const char *)addr + i * cow_page_size,
				     seed ^ i))
			return (ssize_t)i;
	return -1;
}

void cow_warm_free_memory(size_t len)
{
	char *p;
	size_t i;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	/* Small pages: the measured phase allocates small pages too. */
	madvise(p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += cow_page_size)
		p[i] = 1;
	munmap(p, len);
}

void *cow_shared_alloc(size_t len)
{
	void *p;

	if (!len)
		len = 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Pre-fault: no first-touch fault may land inside a timed region. */
	memset(p, 0, len);
	return p;
}

void cow_shared_free(void *addr, size_t len)
{
	if (addr)
		munmap(addr, len ? len : 1);
}
