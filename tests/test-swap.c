// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-swap.c - the swapfile lib/swap.c writes, read back without root:
 * the header mkswap(8) would write, the whole size written out, and no
 * existing file turned into swap.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cow.h"
#include "tap.h"

int main(void)
{
	char dir[] = "/tmp/cowbench-swap-XXXXXX", path[64];
	uint32_t hdr[3];
	char *page;
	struct stat st;
	int fd;

	cow_page_size = (size_t)sysconf(_SC_PAGESIZE);
	page = malloc(cow_page_size);
	if (!page || !mkdtemp(dir))
		return 99;
	snprintf(path, sizeof(path), "%s/swap", dir);

	tap_ok(cow_swapfile_create(path, 8 * cow_page_size) == -EINVAL &&
	       access(path, F_OK), "an area under 16 pages is refused");
	tap_ok(cow_swapfile_create(path, 64 * cow_page_size + 100) == 0,
	       "create a 64-page swapfile");
	tap_ok(!stat(path, &st) && st.st_size == (off_t)(64 * cow_page_size) &&
	       (st.st_mode & 0777) == 0600 &&
	       st.st_blocks * 512 >= st.st_size,
	       "whole pages, mode 0600, written out without holes");
	fd = open(path, O_RDONLY);
	tap_ok(fd >= 0 && read(fd, page, cow_page_size) ==
	       (ssize_t)cow_page_size, "read page 0");
	memcpy(hdr, page + 1024, sizeof(hdr));
	tap_ok(!memcmp(page + cow_page_size - 10, "SWAPSPACE2", 10),
	       "SWAPSPACE2 at the end of page 0");
	tap_ok(hdr[0] == 1 && hdr[1] == 63 && hdr[2] == 0,
	       "version 1, last_page 63, no bad pages (%u %u %u)", hdr[0],
	       hdr[1], hdr[2]);
	if (fd >= 0)
		close(fd);
	tap_ok(!cow_swap_active(path), "not an active swap area");
	tap_ok(cow_swapfile_create(path, 64 * cow_page_size) == -EEXIST,
	       "an existing file is never overwritten");
	tap_ok(cow_swapfile_remove(path) == 0 && access(path, F_OK),
	       "remove an inactive swapfile");
	tap_ok(cow_swapfile_remove(path) == 0, "removing it twice is no error");
	tap_ok(rmdir(dir) == 0, "temporary directory removed");
	free(page);
	return tap_done();
}
