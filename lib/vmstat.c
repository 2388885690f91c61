// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmstat.c - the /proc/vmstat counters that tell how a fault was resolved
 * (copied, reused, THP split, swapped...), sampled around the measured phase.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow.h"

const char *const cow_vmstat_keys[] = {
	"pgfault",
	"pgmajfault",
	"pgreuse",
	"cow_ksm",
	"ksm_swpin_copy",
	"thp_fault_alloc",
	"thp_fault_fallback",
	"thp_split_pmd",
	"thp_split_page",
	"thp_deferred_split_page",
	"thp_collapse_alloc",
	"pswpin",
	"pswpout",
	"pgpgin",
	"pgpgout",
	"swap_ra",
	"pgalloc_normal",
	"numa_hint_faults",
	"thp_swpout",
};

const unsigned cow_vmstat_nkeys = COW_ARRAY_SIZE(cow_vmstat_keys);

_Static_assert(COW_ARRAY_SIZE(cow_vmstat_keys) <= COW_VMSTAT_MAX,
	       "more vmstat keys than struct cow_meas has room for");

/*
 * Static so that a forked child taking its "before" sample does not fault
 * in and copy fresh heap pages of its own inside the measurement; a few
 * times what 6.x kernels print, which is about 4 KiB.
 */
static char vmstat_buf[32768];

static int64_t parse_value(const char *p)
{
	int64_t v = 0;

	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	return v;
}

int cow_vmstat_read(int64_t *vals)
{
	size_t len = 0, klen;
	unsigned i, found = 0;
	const char *line, *nl;
	ssize_t n = 0;
	int fd;

	for (i = 0; i < cow_vmstat_nkeys; i++)
		vals[i] = -1;

	fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/*
	 * One read is normally all of it; seq_file hands out at most its
	 * buffer (a page to start with) per call, so go on until EOF.
	 */
	while (len < sizeof(vmstat_buf) - 1) {
		n = read(fd, vmstat_buf + len, sizeof(vmstat_buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0)
		return -1;
	vmstat_buf[len] = '\0';

	for (line = vmstat_buf; *line && found < cow_vmstat_nkeys; line = nl + 1) {
		const char *sp = strchr(line, ' ');

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		if (!sp || sp > nl)
			continue;
		klen = (size_t)(sp - line);
		for (i = 0; i < cow_vmstat_nkeys; i++) {
			if (vals[i] >= 0 || strncmp(line, cow_vmstat_keys[i], klen) ||
			    cow_vmstat_keys[i][klen])
				continue;
			vals[i] = parse_value(sp + 1);
			found++;
			break;
		}
	}
	return 0;
}
