// SPDX-License-Identifier: GPL-2.0-only
/*
 * swap.c - a swapfile for the run, so that the swap-cache workloads run on
 * a machine without swap and never touch the swap areas it already has.
 *
 * The header is written here rather than by mkswap(8): one dependency
 * less, and the format is small and stable (version 1 since 2.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/swap.h>
#include <unistd.h>

#include "cow.h"

#define SWAP_MAGIC	"SWAPSPACE2"
#define SWAP_MAGIC_LEN	10
#define SWAP_VERSION	1
/* The kernel refuses smaller areas; leave room for the header too. */
#define SWAP_MIN_PAGES	16
#define WRITE_CHUNK	(1u << 20)

/* The start of page 0 of a version-1 swap area (include/linux/swap.h). */
struct swap_info_header {
	char bootbits[1024];
	uint32_t version;
	uint32_t last_page;
	uint32_t nr_badpages;
	unsigned char uuid[16];
	char volume[16];
};

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int cow_swapfile_create(const char *path, uint64_t bytes)
{
	uint64_t npages = bytes / cow_page_size, done;
	struct swap_info_header *h;
	char *buf;
	int fd, err = 0;

	if (npages < SWAP_MIN_PAGES || npages - 1 > UINT32_MAX)
		return -EINVAL;
	buf = calloc(1, WRITE_CHUNK > cow_page_size ? WRITE_CHUNK :
		     cow_page_size);
	if (!buf)
		return -ENOMEM;
	/* O_EXCL: never turn somebody's file into swap. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	h = (struct swap_info_header *)buf;
	h->version = SWAP_VERSION;
	h->last_page = (uint32_t)(npages - 1);
	memcpy(h->volume, "cowbench", 8);
	memcpy(buf + cow_page_size - SWAP_MAGIC_LEN, SWAP_MAGIC,
	       SWAP_MAGIC_LEN);
	err = write_all(fd, buf, cow_page_size);
	memset(buf, 0, cow_page_size);
	/* Written out, not fallocated: swapon refuses files with holes. */
	for (done = 1; !err && done < npages;) {
		uint64_t n = (npages - done) * cow_page_size;

		if (n > WRITE_CHUNK)
			n = WRITE_CHUNK;
		err = write_all(fd, buf, (size_t)n);
		done += n / cow_page_size;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		unlink(path);
out:
	free(buf);
	return err;
}

int cow_swapfile_on(const char *path)
{
	/* No SWAP_FLAG_PREFER: the default priority is below any other. */
	return swapon(path, 0) ? -errno : 0;
}

int cow_swapfile_remove(const char *path)
{
	int off_err = swapoff(path) ? errno : 0;

	/*
	 * The kernel refuses to unlink an active swapfile: a file gone is
	 * no swap area left, whatever swapoff said (EINVAL: not active).
	 */
	if (!unlink(path) || errno == ENOENT)
		return 0;
	return -(off_err && off_err != EINVAL ? off_err : errno);
}

/* "/sys/block/NAME/FILE" holds a number: it, or -1. */
static int64_t zram_num(const char *name, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/block/%s/%s", name, file);
	return cow_knob_read_num(path);
}

static int zram_write(const char *name, const char *file, const char *val)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/block/%s/%s", name, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

int cow_zram_find(char *name, size_t len)
{
	char n[32];
	int i;

	for (i = 0; i < 16; i++) {
		snprintf(n, sizeof(n), "zram%d", i);
		/* disksize 0: not set up, so nobody's swap or filesystem. */
		if (zram_num(n, "disksize") == 0) {
			snprintf(name, len, "%s", n);
			return 0;
		}
	}
	return -ENODEV;
}

int cow_zram_swap_on(const char *name, uint64_t bytes)
{
	uint64_t npages = bytes / cow_page_size;
	struct swap_info_header *h;
	char dev[PATH_MAX], val[32];
	char *buf;
	int fd, err;

	if (npages < SWAP_MIN_PAGES || npages - 1 > UINT32_MAX)
		return -EINVAL;
	snprintf(val, sizeof(val), "%llu",
		 (unsigned long long)(npages * cow_page_size));
	err = zram_write(name, "disksize", val);
	if (err)
		return err;
	buf = calloc(1, cow_page_size);
	if (!buf)
		return -ENOMEM;
	/* The device reads as zeros: a header page is all mkswap writes. */
	h = (struct swap_info_header *)buf;
	h->version = SWAP_VERSION;
	h->last_page = (uint32_t)(npages - 1);
	memcpy(h->volume, "cowbench", 8);
	memcpy(buf + cow_page_size - SWAP_MAGIC_LEN, SWAP_MAGIC,
	       SWAP_MAGIC_LEN);
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
	} else {
		err = write_all(fd, buf, cow_page_size);
		if (!err && fsync(fd))
			err = -errno;
		close(fd);
	}
	free(buf);
	if (!err && swapon(dev, 0))
		err = -errno;
	return err;
}

int cow_zram_swap_off(const char *name)
{
	char dev[PATH_MAX];
	int err = 0;

	snprintf(dev, sizeof(dev), "/dev/%s", name);
	/* EINVAL: not swap (killed before swapon); ENOENT: no device. */
	if (swapoff(dev) && errno != EINVAL && errno != ENOENT)
		err = -errno;
	/* Reset frees its memory and makes disksize 0: as it was found. */
	if (zram_num(name, "disksize") > 0) {
		int r = zram_write(name, "reset", "1");

		if (r && !err)
			err = r;
	}
	return err;
}

bool cow_swap_active(const char *path)
{
	char real[PATH_MAX], line[PATH_MAX + 128], *sp;
	bool found = false;
	FILE *f;

	if (!realpath(path, real))
		return false;
	f = fopen("/proc/swaps", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		sp = strpbrk(line, " \t");
		if (!sp)
			continue;
		*sp = '\0';
		cow_unescape_octal(line);
		found = !strcmp(line, real);
	}
	fclose(f);
	return found;
}
