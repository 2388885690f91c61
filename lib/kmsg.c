// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmsg.c - kernel warnings printed while the run went on.
 *
 * A benchmark that makes the kernel WARN or BUG has found a kernel bug
 * (or a broken test), however good its figures look: like liburing's
 * runner, the harness reads /dev/kmsg from where it stood when the run
 * began and fails the sample during which the kernel complained.
 *
 * /dev/kmsg hands out one record per read(2) (Documentation/ABI/testing/
 * dev-kmsg): "pri,seq,ts,flags[,...];message\n", then dictionary lines
 * (" SUBSYSTEM=...") that each start with a space.  Newlines and other
 * unprintable bytes inside the message are escaped as \xNN, so the
 * message is always the rest of the first line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow.h"

#define KMSG_PATH	"/dev/kmsg"
/* CONSOLE_EXT_LOG_MAX: a read with less room for a record is EINVAL. */
#define KMSG_RECORD_MAX	8192

/*
 * What the kernel prints when it finds itself broken.  WARNING: WARN_ON
 * and lockdep; BUG: bad spinlocks, sleeping in atomic context, soft
 * lockups, KASAN/KFENCE reports and page faults in the kernel; Oops: the
 * header of an oops; "Bad page": bad page state/map/cache (the mm
 * consistency checks COW bugs trip first).  BUG_ON() prints "kernel BUG
 * at file:line!" with no "BUG:", and an x86 GPF printed
 * "general protection fault: ..." without "Oops" before 6.9, so both are
 * matched too: a kernel engineer triaging a run expects them to be.
 * UBSAN reports start "UBSAN:" and nothing else above.
 */
static const char *const patterns[] = {
	"WARNING:", "BUG:", "Oops", "Bad page", "kernel BUG at",
	"general protection fault", "UBSAN:",
};

int cow_kmsg_record_parse(const char *rec, size_t len,
			  struct cow_kmsg_record *out)
{
	const char *semi, *nl, *p;
	char *end;
	unsigned long pri;

	semi = memchr(rec, ';', len);
	nl = memchr(rec, '\n', len);
	/* A prefix, a ';' and a message ended by '\n', or it is no record. */
	if (!semi || !nl || nl < semi || !isdigit((unsigned char)rec[0]))
		return -1;
	errno = 0;
	pri = strtoul(rec, &end, 10);
	if (errno || end >= semi || *end != ',' || pri > 1023)
		return -1;
	for (p = end + 1; p < semi; p++)
		if (!isdigit((unsigned char)*p) && *p != ',' && *p != '-' &&
		    !isalpha((unsigned char)*p) && *p != '=')
			return -1;
	out->facility = (int)(pri >> 3);
	out->level = (int)(pri & 7);
	out->msg = semi + 1;
	out->msglen = (size_t)(nl - (semi + 1));
	return 0;
}

/* A needle in a counted, not NUL-terminated, message. */
static bool contains(const char *msg, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (!memcmp(msg + i, needle, n))
			return true;
	return false;
}

bool cow_kmsg_record_match(const char *rec, size_t len, bool any_facility,
			   char *line, size_t llen)
{
	struct cow_kmsg_record r;
	size_t i, a, b;

	if (cow_kmsg_record_parse(rec, len, &r))
		return false;
	/* Userspace writes to /dev/kmsg too; only the kernel's count. */
	if (r.facility != 0 && !any_facility)
		return false;
	for (i = 0; i < COW_ARRAY_SIZE(patterns); i++)
		if (contains(r.msg, r.msglen, patterns[i]))
			break;
	if (i == COW_ARRAY_SIZE(patterns))
		return false;
	if (!llen)
		return true;
	a = 0;
	b = r.msglen;
	while (a < b && isspace((unsigned char)r.msg[a]))
		a++;
	while (b > a && isspace((unsigned char)r.msg[b - 1]))
		b--;
	if (b - a >= llen)
		b = a + llen - 1;
	memcpy(line, r.msg + a, b - a);
	line[b - a] = '\0';
	return true;
}

int cow_kmsg_open(struct cow_kmsg *k)
{
	const char *env = getenv(COW_KMSG_ANY_FACILITY_ENV);

	memset(k, 0, sizeof(*k));
	k->any_facility = env && !strcmp(env, "1");
	k->fd = open(KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		int e = errno;

		snprintf(k->source, sizeof(k->source), "not readable: %s",
			 strerror(e));
		return -e;
	}
	/* From now on: what the log held before is not this run's. */
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		int e = errno;

		snprintf(k->source, sizeof(k->source), "not readable: lseek: %s",
			 strerror(e));
		close(k->fd);
		k->fd = -1;
		return -e;
	}
	snprintf(k->source, sizeof(k->source), "%s", KMSG_PATH);
	return 0;
}

int cow_kmsg_scan(struct cow_kmsg *k, char *line, size_t llen)
{
	char *buf;
	ssize_t n;
	int hit = 0, err = 0;

	if (llen)
		line[0] = '\0';
	if (k->fd < 0)
		return 0;
	buf = malloc(KMSG_RECORD_MAX);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = read(k->fd, buf, KMSG_RECORD_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {
			/* Overwritten before we read them: the next read goes on. */
			k->lost++;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			err = -errno;
		if (n <= 0)
			break;
		/* The first hit is the cause; the rest are read to move on. */
		if (!hit && cow_kmsg_record_match(buf, (size_t)n,
						  k->any_facility, line, llen))
			hit = 1;
	}
	free(buf);
	return hit ? hit : err;
}

void cow_kmsg_close(struct cow_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
