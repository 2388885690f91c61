// SPDX-License-Identifier: GPL-2.0-only
/*
 * limits.c - how much memory, how many tasks and how much disk this run
 * may use: the tightest of the machine's figures and of every cgroup
 * above the process, so that a run that cannot fit is refused before it
 * changes anything rather than OOM-killed halfway with knobs changed.
 *
 * cgroups: v2 (memory.max, pids.max) and, on hybrid machines where the
 * memory or pids controller is still bound to a v1 hierarchy, v1
 * (memory.limit_in_bytes, pids.max), each walked from the process's
 * cgroup up to the root of its mount: a parent's limit binds its
 * children too.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cow.h"

static void limit_init(struct cow_limit *l)
{
	l->avail = UINT64_MAX;
	l->what[0] = '\0';
}

__attribute__((format(printf, 3, 4)))
static void limit_offer(struct cow_limit *l, uint64_t avail,
			const char *fmt, ...)
{
	va_list ap;

	if (avail >= l->avail)
		return;
	l->avail = avail;
	va_start(ap, fmt);
	vsnprintf(l->what, sizeof(l->what), fmt, ap);
	va_end(ap);
}

/* A file holding one number ("max" is none): 0, or -1. */
static int read_u64(const char *path, uint64_t *v, bool *max)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	int ret = -1;

	if (!f)
		return -1;
	*max = false;
	if (fgets(buf, sizeof(buf), f)) {
		if (!strncmp(buf, "max", 3)) {
			*max = true;
			ret = 0;
		} else if (sscanf(buf, "%" SCNu64, v) == 1) {
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

/*
 * The directory of this process's cgroup in the hierarchy holding
 * controller (NULL: the v2 one), and the mount point it may be walked up
 * to.  0, or -1 when there is no such hierarchy.
 */
static int cgroup_dir(const char *controller, char *dir, size_t dlen,
		      size_t *mnt_len)
{
	char *line = NULL, cgpath[PATH_MAX] = "", root[PATH_MAX], mnt[PATH_MAX];
	char fstype[32], opts[512];
	size_t cap = 0, rlen;
	bool found = false;
	FILE *f;

	/* "ID:controllers:path"; v2 is "0::path" */
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -1;
	while (!found && getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char *tok, *save, *list;

		if (!c2)
			continue;
		*c2 = '\0';
		list = c1 + 1;
		if (!controller) {
			found = !*list;
		} else {
			for (tok = strtok_r(list, ",", &save); tok && !found;
			     tok = strtok_r(NULL, ",", &save))
				found = !strcmp(tok, controller);
		}
		if (found)
			snprintf(cgpath, sizeof(cgpath), "%s", c2 + 1);
	}
	fclose(f);
	cgpath[strcspn(cgpath, "\n")] = '\0';
	if (!found)
		goto out;
	/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - TYPE SRC SUPER */
	found = false;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		goto out;
	while (!found && getline(&line, &cap, f) > 0) {
		char *dash = strstr(line, " - "), *tok, *save;

		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root,
				    mnt) != 2 ||
		    sscanf(dash + 3, "%31s %*s %511s", fstype, opts) != 2)
			continue;
		if (controller) {
			if (strcmp(fstype, "cgroup"))
				continue;
			for (tok = strtok_r(opts, ",", &save); tok && !found;
			     tok = strtok_r(NULL, ",", &save))
				found = !strcmp(tok, controller);
		} else {
			found = !strcmp(fstype, "cgroup2");
		}
		if (!found)
			continue;
		/* A mount of a subtree (containers) shows only what is below. */
		rlen = strcmp(root, "/") ? strlen(root) : 0;
		if (strncmp(cgpath, root, rlen) ||
		    (cgpath[rlen] && cgpath[rlen] != '/')) {
			found = false;
			continue;
		}
		*mnt_len = strlen(mnt);
		snprintf(dir, dlen, "%s%s", mnt, cgpath + rlen);
		/* "/" as the cgroup: the mount point itself */
		if (strlen(dir) > *mnt_len && dir[strlen(dir) - 1] == '/')
			dir[strlen(dir) - 1] = '\0';
	}
	fclose(f);
out:
	free(line);
	return found ? 0 : -1;
}

/*
 * Offer limit - usage of every cgroup from ours up to the root of the
 * hierarchy holding controller.
 */
static void cgroup_walk(struct cow_limit *l, const char *controller,
			const char *max_file, const char *cur_file,
			bool bytes, size_t mnt_len, char *dir)
{
	char path[PATH_MAX + 32], a[32], b[32];
	uint64_t max, cur;
	bool unlimited, m2;
	char *slash;

	(void)controller;
	for (;;) {
		snprintf(path, sizeof(path), "%s/%s", dir, max_file);
		if (!read_u64(path, &max, &unlimited) && !unlimited) {
			snprintf(path, sizeof(path), "%s/%s", dir, cur_file);
			if (read_u64(path, &cur, &m2))
				cur = 0;
			if (bytes)
				limit_offer(l, cur < max ? max - cur : 0,
					    "cgroup %s %s %s (%s in use)",
					    dir[mnt_len] ? dir + mnt_len : "/",
					    max_file,
					    cow_size_approx(max, a, sizeof(a)),
					    cow_size_approx(cur, b, sizeof(b)));
			else
				limit_offer(l, cur < max ? max - cur : 0,
					    "cgroup %s %s %" PRIu64 " (%" PRIu64 " in use)",
					    dir[mnt_len] ? dir + mnt_len : "/",
					    max_file, max, cur);
		}
		if (strlen(dir) <= mnt_len)
			break;
		slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) < mnt_len)
			break;
		*slash = '\0';
	}
}

static void cgroup_limits(struct cow_limit *l, const char *controller,
			  const char *v2_max, const char *v2_cur,
			  const char *v1_max, const char *v1_cur, bool bytes)
{
	char dir[PATH_MAX];
	size_t mnt_len;

	if (!cgroup_dir(NULL, dir, sizeof(dir), &mnt_len))
		cgroup_walk(l, controller, v2_max, v2_cur, bytes, mnt_len, dir);
	if (!cgroup_dir(controller, dir, sizeof(dir), &mnt_len))
		cgroup_walk(l, controller, v1_max, v1_cur, bytes, mnt_len, dir);
}

void cow_limit_memory(struct cow_limit *l)
{
	char *line = NULL, buf[32];
	size_t cap = 0;
	uint64_t kb;
	FILE *f;

	limit_init(l);
	f = fopen("/proc/meminfo", "re");
	if (f) {
		while (getline(&line, &cap, f) > 0)
			if (sscanf(line, "MemAvailable: %" SCNu64, &kb) == 1)
				limit_offer(l, kb << 10, "MemAvailable %s",
					    cow_size_approx(kb << 10, buf,
							 sizeof(buf)));
		free(line);
		fclose(f);
	}
	cgroup_limits(l, "memory", "memory.max", "memory.current",
		      "memory.limit_in_bytes", "memory.usage_in_bytes", true);
}

/* A sysctl holding one number, or 0. */
static uint64_t sysctl_u64(const char *path)
{
	uint64_t v = 0;
	bool max;

	return read_u64(path, &v, &max) ? 0 : v;
}

/* Processes whose /proc entry is owned by uid. */
static uint64_t user_tasks(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct stat st;
	uint64_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' &&
		    !fstatat(dirfd(d), de->d_name, &st, 0) && st.st_uid == uid)
			n++;
	closedir(d);
	return n;
}

void cow_limit_tasks(struct cow_limit *l)
{
	uint64_t pid_max = sysctl_u64("/proc/sys/kernel/pid_max");
	uint64_t threads_max = sysctl_u64("/proc/sys/kernel/threads-max");
	uint64_t running = 0, tasks = 0;
	struct rlimit rl;
	FILE *f;

	limit_init(l);
	/* loadavg's "running/total": total is every thread on the machine */
	f = fopen("/proc/loadavg", "re");
	if (f) {
		if (fscanf(f, "%*s %*s %*s %" SCNu64 "/%" SCNu64, &running,
			   &tasks) != 2)
			tasks = 0;
		fclose(f);
	}
	if (pid_max)
		limit_offer(l, pid_max > tasks ? pid_max - tasks : 0,
			    "kernel.pid_max %" PRIu64 " (%" PRIu64 " tasks)",
			    pid_max, tasks);
	if (threads_max)
		limit_offer(l, threads_max > tasks ? threads_max - tasks : 0,
			    "kernel.threads-max %" PRIu64 " (%" PRIu64 " tasks)",
			    threads_max, tasks);
	cgroup_limits(l, "pids", "pids.max", "pids.current", "pids.max",
		      "pids.current", false);
	/* Root is not held to RLIMIT_NPROC (CAP_SYS_RESOURCE). */
	if (geteuid() && !getrlimit(RLIMIT_NPROC, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY) {
		uint64_t mine = user_tasks(getuid());

		limit_offer(l, rl.rlim_cur > mine ? rl.rlim_cur - mine : 0,
			    "RLIMIT_NPROC %" PRIu64 " (%" PRIu64 " processes)",
			    (uint64_t)rl.rlim_cur, mine);
	}
}

int cow_limit_disk(const char *path, struct cow_limit *l, dev_t *dev)
{
	char *p = strdup(path), *slash, buf[32];
	struct statvfs sv;
	struct stat st;
	int ret = -1;

	limit_init(l);
	if (!p)
		return -1;
	/* The directory may not exist yet: its nearest ancestor that does. */
	for (;;) {
		if (!stat(p, &st) && !statvfs(p, &sv))
			break;
		slash = strrchr(p, '/');
		if (slash == p) {
			p[1] = '\0';
		} else if (slash) {
			*slash = '\0';
		} else {
			strcpy(p, ".");
		}
		if (!strcmp(p, "/") || !strcmp(p, ".")) {
			if (stat(p, &st) || statvfs(p, &sv))
				goto out;
			break;
		}
	}
	*dev = st.st_dev;
	limit_offer(l, (uint64_t)sv.f_bavail * sv.f_frsize, "%s free on %s",
		    cow_size_approx((uint64_t)sv.f_bavail * sv.f_frsize, buf,
				 sizeof(buf)), p);
	ret = 0;
out:
	free(p);
	return ret;
}
