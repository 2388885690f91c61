// SPDX-License-Identifier: GPL-2.0-only
/*
 * perf.c - perf_event counters around the measured phase.
 *
 * Names are encoded by libpfm4 when we have it, else from a small table of
 * generic events; "sys:name" tracepoints libpfm4 does not know are resolved
 * through tracefs.  Whether an event can be counted is decided once, at
 * init, so an unsupported event costs nothing later and is never fatal.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LIBPFM
#include <perfmon/pfmlib_perf_event.h>
#endif

#include "cow.h"

#define DEFAULT_EVENTS	"minor-faults,major-faults,context-switches," \
			"cycles,instructions"

static struct cow_event_info ev_info[COW_MAX_EVENTS];
static struct perf_event_attr ev_attr[COW_MAX_EVENTS];
static unsigned ev_count;

/* Used when libpfm4 is missing or does not know the name. */
static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} builtin_events[] = {
	{ "minor-faults",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "page-faults",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "context-switches",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "task-clock",		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "cycles",		PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions",	PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
};

#define TP_CHARS	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

/* tracefs proper first; the debugfs path is where older setups have it. */
static const char *const tracing_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static int perf_open(struct perf_event_attr *attr)
{
	return (int)syscall(SYS_perf_event_open, attr, 0, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static int encode_pfm(const char *name, struct perf_event_attr *attr)
{
#ifdef HAVE_LIBPFM
	static int pfm_state;	/* 0 not tried, 1 usable, -1 failed */
	pfm_perf_encode_arg_t arg;

	if (!pfm_state)
		pfm_state = pfm_initialize() == PFM_SUCCESS ? 1 : -1;
	if (pfm_state < 0)
		return -1;

	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	if (pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3,
				      PFM_OS_PERF_EVENT_EXT, &arg) != PFM_SUCCESS)
		return -1;
	return 0;
#else
	return -1;
#endif
}

static int encode_builtin(const char *name, struct perf_event_attr *attr)
{
	size_t i;

	for (i = 0; i < COW_ARRAY_SIZE(builtin_events); i++) {
		if (strcmp(name, builtin_events[i].name))
			continue;
		attr->type = builtin_events[i].type;
		attr->config = builtin_events[i].config;
		return 0;
	}
	return -1;
}

static bool tracing_dir_usable(const char *dir)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/events", dir);
	return access(path, X_OK) == 0;
}

/*
 * A minimal system may have tracefs mounted nowhere; as root we mount it
 * where systemd would, once.  The run unmounts it again like any knob: a
 * run that cannot register the undo (no state directory) does not mount.
 */
static void tracefs_mount_once(void)
{
	static bool tried;

	if (tried || geteuid() != 0 || tracing_dir_usable(tracing_dirs[0]))
		return;
	tried = true;
	if (cow_undo_umount(tracing_dirs[0]))
		return;
	mount("tracefs", tracing_dirs[0], "tracefs",
	      MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, NULL);
}

static int encode_tracepoint(const char *name, struct perf_event_attr *attr,
			     char *reason, size_t rlen)
{
	const char *colon = strchr(name, ':');
	size_t syslen = colon ? (size_t)(colon - name) : 0;
	bool have_tracefs = false, denied = false;
	char path[192], buf[24];
	ssize_t n;
	size_t i;
	int fd;

	/* The name becomes part of a path: only what trace systems use. */
	if (!syslen || strspn(name, TP_CHARS) != syslen || !colon[1] ||
	    strspn(colon + 1, TP_CHARS) != strlen(colon + 1))
		return -1;

	tracefs_mount_once();
	for (i = 0; i < COW_ARRAY_SIZE(tracing_dirs); i++) {
		if (!tracing_dir_usable(tracing_dirs[i])) {
			denied |= errno == EACCES;
			continue;
		}
		have_tracefs = true;
		snprintf(path, sizeof(path), "%s/events/%.*s/%s/id",
			 tracing_dirs[i], (int)syslen, name, colon + 1);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		attr->type = PERF_TYPE_TRACEPOINT;
		attr->config = strtoull(buf, NULL, 10);
		return 0;
	}
	snprintf(reason, rlen, "%s", have_tracefs ? "unknown event" :
		 denied ? "EACCES: tracefs is for root only" :
		 "unknown event (tracefs not mounted)");
	return -2;
}

static void open_failure_reason(int err, char *reason, size_t rlen)
{
	static const struct {
		int err;
		const char *text;
	} why[] = {
		{ ENOENT,	"ENOENT: not supported on this machine" },
		{ ENODEV,	"ENODEV: not supported on this machine" },
		{ EOPNOTSUPP,	"EOPNOTSUPP: not supported on this machine" },
		{ EACCES,	"EACCES: perf_event_paranoid" },
		{ EPERM,	"EPERM: perf_event_paranoid" },
		{ EINVAL,	"EINVAL: attributes rejected by this kernel" },
	};
	size_t i;

	for (i = 0; i < COW_ARRAY_SIZE(why); i++) {
		if (why[i].err == err) {
			snprintf(reason, rlen, "%s", why[i].text);
			return;
		}
	}
	snprintf(reason, rlen, "errno %d: %s", err, strerror(err));
}

static void setup_event(struct cow_event_info *info,
			struct perf_event_attr *attr)
{
	int fd, r;

	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	info->available = false;
	info->reason[0] = '\0';

	r = encode_pfm(info->name, attr);
	if (r < 0) {
		memset(attr, 0, sizeof(*attr));
		attr->size = sizeof(*attr);
		r = encode_builtin(info->name, attr);
	}
	if (r < 0) {
		r = encode_tracepoint(info->name, attr, info->reason,
				      sizeof(info->reason));
		if (r == -1)
			snprintf(info->reason, sizeof(info->reason),
				 "unknown event");
	}
	if (r < 0)
		return;

	/*
	 * No groups: the kernel refuses group reads of inherited events, and
	 * the children a workload forks must be counted.
	 */
	attr->size = sizeof(*attr);
	attr->disabled = 1;
	attr->inherit = 1;
	attr->exclude_hv = 1;
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			    PERF_FORMAT_TOTAL_TIME_RUNNING;

	fd = perf_open(attr);
	if (fd < 0) {
		open_failure_reason(errno, info->reason, sizeof(info->reason));
		return;
	}
	close(fd);
	info->available = true;
}

/* Syntax only: non-empty names that fit, at most COW_MAX_EVENTS of them. */
static int split_list(const char *list, bool store)
{
	const char *p = list, *end;
	unsigned n;
	size_t len;

	for (n = 0;; n++, p = end + 1) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!len || len >= sizeof(ev_info[0].name) || n == COW_MAX_EVENTS) {
			errno = !len ? EINVAL : n == COW_MAX_EVENTS ? E2BIG :
				ENAMETOOLONG;
			return -1;
		}
		if (store) {
			memcpy(ev_info[n].name, p, len);
			ev_info[n].name[len] = '\0';
		}
		if (!*end)
			return (int)n + 1;
	}
}

int cow_events_init(const char *list)
{
	int n;
	unsigned i;

	if (!list)
		list = DEFAULT_EVENTS;
	/* Validate first so a bad list leaves the previous set in place. */
	n = split_list(list, false);
	if (n < 0)
		return -1;

	memset(ev_info, 0, sizeof(ev_info));
	split_list(list, true);
	ev_count = (unsigned)n;
	for (i = 0; i < ev_count; i++)
		setup_event(&ev_info[i], &ev_attr[i]);
	return 0;
}

unsigned cow_events_count(void)
{
	return ev_count;
}

const struct cow_event_info *cow_event_info(unsigned i)
{
	return i < ev_count ? &ev_info[i] : NULL;
}

int cow_event_index(const char *name)
{
	unsigned i;

	for (i = 0; i < ev_count; i++)
		if (!strcmp(ev_info[i].name, name))
			return (int)i;
	return -1;
}

void cow_events_open(struct cow_evfds *ev)
{
	unsigned i;

	for (i = 0; i < COW_MAX_EVENTS; i++) {
		ev->fd[i] = -1;
		if (i < ev_count && ev_info[i].available)
			ev->fd[i] = perf_open(&ev_attr[i]);
		if (ev->fd[i] < 0)
			ev->fd[i] = -1;
	}
}

void cow_events_enable(struct cow_evfds *ev)
{
	unsigned i;

	for (i = 0; i < ev_count; i++)
		if (ev->fd[i] >= 0)
			ioctl(ev->fd[i], PERF_EVENT_IOC_ENABLE, 0);
}

void cow_events_disable(struct cow_evfds *ev)
{
	unsigned i;

	for (i = 0; i < ev_count; i++)
		if (ev->fd[i] >= 0)
			ioctl(ev->fd[i], PERF_EVENT_IOC_DISABLE, 0);
}

static int64_t read_scaled(int fd)
{
	uint64_t v[3];	/* value, time enabled, time running */

	if (fd < 0 || read(fd, v, sizeof(v)) != (ssize_t)sizeof(v))
		return -1;
	/* Never on a PMU: no count at all, not a zero one. */
	if (!v[2])
		return -1;
	if (v[2] >= v[1])
		return (int64_t)v[0];
	/* Multiplexed: extrapolate, as perf stat does. */
	return (int64_t)((long double)v[0] * v[1] / v[2] + 0.5L);
}

void cow_events_read_close(struct cow_evfds *ev, int64_t *vals)
{
	unsigned i;

	for (i = 0; i < COW_MAX_EVENTS; i++) {
		if (i < ev_count)
			vals[i] = read_scaled(ev->fd[i]);
		if (ev->fd[i] >= 0)
			close(ev->fd[i]);
		ev->fd[i] = -1;
	}
}
