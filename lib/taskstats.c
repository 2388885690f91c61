// SPDX-License-Identifier: GPL-2.0-only
/*
 * taskstats.c - the kernel's own count of write-protect copies of a task
 * (wpcopy_count, delay accounting, taskstats v13+), over generic netlink.
 *
 * The usual caller is a forked child counting its own copies between two
 * queries, so nothing here may dirty a page the first query did not: all
 * message buffers are static and both of them are written before the first
 * request leaves, and the family id is looked up only once.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "cow.h"

#if defined(TASKSTATS_VERSION) && TASKSTATS_VERSION >= 13
#define TS_WPCOPY_OFF	offsetof(struct taskstats, wpcopy_count)
#define TS_WPDELAY_OFF	offsetof(struct taskstats, wpcopy_delay_total)
#else
/* Where taskstats v13 put them; older headers do not name them. */
#define TS_WPCOPY_OFF	400
#define TS_WPDELAY_OFF	408
#endif
#define TS_WPCOPY_VERSION	13

#define TS_BUFSZ	16384
#define TS_STRIDE	4096	/* smallest page size: touches every page */

static char ts_tx[TS_BUFSZ] __attribute__((aligned(TS_STRIDE)));
static char ts_rx[TS_BUFSZ] __attribute__((aligned(TS_STRIDE)));

/*
 * One small aligned block: the sequence number is written before a request
 * goes out, so the version written after the reply lands on a page that
 * has already been copied.
 */
static struct {
	uint32_t seq;
	uint16_t family;
	uint16_t version;	/* of the last reply, for the probe's reason */
} ts __attribute__((aligned(16)));

static const struct sockaddr_nl ts_kernel = { .nl_family = AF_NETLINK };

static void *put_attr(void *p, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = p;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	return (char *)a + NLA_ALIGN(a->nla_len);
}

static const struct nlattr *find_attr(const void *buf, size_t len,
				      uint16_t type)
{
	size_t off = 0;

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)((const char *)buf + off);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static inline const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/*
 * Send the request built in ts_tx and wait for its reply in ts_rx.  On
 * success, payload and plen are the attributes after the genl header.
 */
static int ts_transact(int sock, const void **payload, size_t *plen)
{
	struct nlmsghdr *req = (struct nlmsghdr *)ts_tx;
	uint32_t seq = req->nlmsg_seq;
	size_t off;

	/* Copy-on-write the receive pages now, not inside recv(). */
	for (off = 0; off < sizeof(ts_rx); off += TS_STRIDE)
		((volatile char *)ts_rx)[off] = 0;

	while (sendto(sock, req, req->nlmsg_len, 0,
		      (const struct sockaddr *)&ts_kernel, sizeof(ts_kernel)) < 0)
		if (errno != EINTR)
			return -errno;

	for (;;) {
		ssize_t n = recv(sock, ts_rx, sizeof(ts_rx), 0);
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		len = (size_t)n;
		for (off = 0; off + NLMSG_HDRLEN <= len;) {
			const struct nlmsghdr *h = (const void *)(ts_rx + off);

			if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
			/* A stale reply to an earlier, interrupted request. */
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				return e->error ? e->error : -ENODATA;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				return -EPROTO;
			*payload = (const char *)NLMSG_DATA(h) + GENL_HDRLEN;
			*plen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
			return 0;
		}
	}
}

/* Start a generic netlink request in ts_tx; returns where attributes go. */
static void *ts_begin(uint16_t type, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *h = (struct nlmsghdr *)ts_tx;
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(h, 0, NLMSG_LENGTH(GENL_HDRLEN));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = ++ts.seq;
	g->cmd = cmd;
	g->version = version;
	return (char *)g + GENL_HDRLEN;
}

static void ts_end(void *end)
{
	struct nlmsghdr *h = (struct nlmsghdr *)ts_tx;

	h->nlmsg_len = (uint32_t)((char *)end - ts_tx);
}

static int resolve_family(int sock)
{
	static const char name[] = TASKSTATS_GENL_NAME;
	const struct nlattr *a;
	const void *payload;
	size_t plen;
	void *p;
	int err;

	p = ts_begin(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	p = put_attr(p, CTRL_ATTR_FAMILY_NAME, name, sizeof(name));
	ts_end(p);
	err = ts_transact(sock, &payload, &plen);
	if (err)
		return err;
	a = find_attr(payload, plen, CTRL_ATTR_FAMILY_ID);
	if (!a || attr_len(a) < sizeof(uint16_t))
		return -EPROTO;
	memcpy(&ts.family, attr_data(a), sizeof(ts.family));
	return 0;
}

int cow_taskstats_open(void)
{
	/* Never blocks in practice; a bound on it keeps a bug from hanging a run. */
	const struct timeval tmo = { .tv_sec = 5 };
	int sock, err;

	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sock < 0)
		return -errno;
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	if (!ts.family) {
		err = resolve_family(sock);
		if (err) {
			close(sock);
			return err;
		}
	}
	return sock;
}

void cow_taskstats_close(int sock)
{
	if (sock >= 0)
		close(sock);
}

int cow_taskstats_wpcopy(int sock, pid_t tid, struct cow_wpcopy *out)
{
	const struct nlattr *aggr, *st;
	uint32_t pid = (uint32_t)tid;
	const void *payload;
	uint64_t count, delay;
	uint16_t version;
	size_t plen;
	void *p;
	int err;

	out->count = -1;
	out->delay_ns = -1;
	if (!ts.family)
		return -ENOENT;

	p = ts_begin(ts.family, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION);
	p = put_attr(p, TASKSTATS_CMD_ATTR_PID, &pid, sizeof(pid));
	ts_end(p);
	err = ts_transact(sock, &payload, &plen);
	if (err)
		return err;

	aggr = find_attr(payload, plen, TASKSTATS_TYPE_AGGR_PID);
	if (!aggr)
		return -EPROTO;
	st = find_attr(attr_data(aggr), attr_len(aggr), TASKSTATS_TYPE_STATS);
	if (!st || attr_len(st) < sizeof(version))
		return -EPROTO;

	/* The payload is only 4-byte aligned: copy, do not cast. */
	memcpy(&version, attr_data(st), sizeof(version));
	ts.version = version;
	if (version < TS_WPCOPY_VERSION)
		return -EOPNOTSUPP;
	if (attr_len(st) < TS_WPDELAY_OFF + sizeof(delay))
		return -EPROTO;
	memcpy(&count, (const char *)attr_data(st) + TS_WPCOPY_OFF, sizeof(count));
	memcpy(&delay, (const char *)attr_data(st) + TS_WPDELAY_OFF, sizeof(delay));
	out->count = (int64_t)count;
	out->delay_ns = (int64_t)delay;
	return 0;
}

static int delayacct_enabled(void)
{
	char c = 0;
	int fd;

	fd = open("/proc/sys/kernel/task_delayacct", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '1';
}

const char *cow_taskstats_probe(void)
{
	static char why[96];
	struct cow_wpcopy wp;
	int sock, err;

	sock = cow_taskstats_open();
	if (sock == -ENOENT || sock == -EPROTONOSUPPORT)
		return "no TASKSTATS genetlink family";
	if (sock < 0) {
		snprintf(why, sizeof(why), "taskstats: %s", strerror(-sock));
		return why;
	}
	err = cow_taskstats_wpcopy(sock, (pid_t)syscall(SYS_gettid), &wp);
	cow_taskstats_close(sock);
	switch (err) {
	case 0:
		break;
	case -EPERM:
		return "taskstats: EPERM (needs CAP_NET_ADMIN)";
	case -EOPNOTSUPP:
		snprintf(why, sizeof(why),
			 "taskstats version %u < %d: no wpcopy_count",
			 (unsigned)ts.version, TS_WPCOPY_VERSION);
		return why;
	default:
		snprintf(why, sizeof(why), "taskstats query: %s", strerror(-err));
		return why;
	}

	switch (delayacct_enabled()) {
	case 1:
		return NULL;
	case 0:
		return "kernel.task_delayacct is 0";
	default:
		return "no kernel.task_delayacct (CONFIG_TASK_DELAY_ACCT off)";
	}
}
