// SPDX-License-Identifier: GPL-2.0-only
/*
 * proc.c - forking, waiting and CPU placement for workloads, and what a
 * worker process reports to the supervisor (phase marks, samples).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cow.h"

volatile sig_atomic_t cow_interrupted;
bool cow_fork_forbidden;
int cow_msg_fd = -1;
const char *cow_msg_scenario;

_Static_assert(sizeof(struct cow_msg_hdr) + sizeof(struct cow_sample) <=
	       PIPE_BUF, "a worker's message must be one atomic pipe write");

static const char *const phase_names[COW_PHASE_N] = {
	[COW_PHASE_PREPARE] = "prepare",
	[COW_PHASE_SETUP] = "setup",
	[COW_PHASE_MEASURED] = "measured",
	[COW_PHASE_CHECKS] = "checks",
	[COW_PHASE_CLEANUP] = "cleanup",
};

static cpu_set_t allowed;
static int nr_allowed = -1;

static void capture_cpus(void)
{
	if (nr_allowed >= 0)
		return;
	if (sched_getaffinity(0, sizeof(allowed), &allowed)) {
		CPU_ZERO(&allowed);
		CPU_SET(0, &allowed);
	}
	nr_allowed = CPU_COUNT(&allowed);
}

unsigned cow_nr_allowed_cpus(void)
{
	capture_cpus();
	return (unsigned)nr_allowed;
}

int cow_pin_nth_cpu(unsigned n)
{
	cpu_set_t one;
	unsigned seen = 0;
	int cpu;

	capture_cpus();
	n %= (unsigned)nr_allowed;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		if (seen++ == n)
			break;
	}
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) ? -errno : 0;
}

pid_t cow_fork(void)
{
	pid_t parent = getpid(), pid;

	if (cow_fork_forbidden) {
		fputs("cowbench: internal error: fork() in the supervisor\n",
		      stderr);
		abort();
	}
	/* Unflushed stdio would be written twice, once by each process. */
	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	/* A child must never outlive an interrupted or crashed harness. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	return 0;
}

int cow_wait(pid_t pid, char *why, size_t len)
{
	int status;

	return cow_wait_status(pid, &status, why, len);
}

int cow_wait_status(pid_t pid, int *statusp, char *why, size_t len)
{
	int status = 0;

	*statusp = -1;
	for (;;) {
		if (waitpid(pid, &status, 0) == pid)
			break;
		if (errno != EINTR) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return -1;
		}
		/* Interrupted: the child is not worth waiting for. */
		if (cow_interrupted)
			kill(pid, SIGKILL);
	}
	*statusp = status;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(why, len, "child ");
	cow_status_str(status, why + strlen(why), len - strlen(why));
	return -1;
}

const char *cow_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
	return buf;
}

const char *cow_phase_name(enum cow_phase p)
{
	return (unsigned)p < COW_PHASE_N ? phase_names[p] : "?";
}

int cow_phase_parse(const char *name)
{
	int p;

	for (p = 0; p < COW_PHASE_N; p++)
		if (!strcmp(name, phase_names[p]))
			return p;
	return -1;
}

int cow_msg_send(enum cow_msg_type type, enum cow_phase phase,
		 unsigned flags, const struct cow_sample *s)
{
	char buf[sizeof(struct cow_msg_hdr) + sizeof(struct cow_sample)];
	struct cow_msg_hdr h = {
		.magic = COW_MSG_MAGIC,
		.type = type,
		.phase = phase,
		.flags = flags,
		.len = s ? sizeof(*s) : 0,
	};
	size_t len = sizeof(h) + h.len;
	ssize_t r;

	if (cow_msg_fd < 0)
		return 0;
	/* Packed: the reader reads the header, then exactly len bytes. */
	memcpy(buf, &h, sizeof(h));
	if (s)
		memcpy(buf + sizeof(h), s, sizeof(*s));
	/* One write: under PIPE_BUF it is whole or not at all. */
	do
		r = write(cow_msg_fd, buf, len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return (size_t)r == len ? 0 : -EIO;
}

/* Whether COW_TEST_HANG_ENV names this scenario and phase. */
static bool test_hang(enum cow_phase p)
{
	const char *v = getenv(COW_TEST_HANG_ENV), *colon;

	if (!v || !cow_msg_scenario)
		return false;
	colon = strrchr(v, ':');
	return colon && !strcmp(colon + 1, cow_phase_name(p)) &&
	       strlen(cow_msg_scenario) == (size_t)(colon - v) &&
	       !strncmp(v, cow_msg_scenario, colon - v);
}

void cow_phase_mark(enum cow_phase p)
{
	if (cow_msg_fd < 0)
		return;
	cow_msg_send(COW_MSG_PHASE, p, 0, NULL);
	if (test_hang(p))
		for (;;)
			pause();
}

/* /proc/PID/stat's fields from state on: comm, in parentheses, may hold spaces. */
static bool read_stat(const char *pid, char *buf, size_t len, char **rest)
{
	char path[sizeof("/proc//stat") + NAME_MAX];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	*rest = ok ? strrchr(buf, ')') : NULL;
	return *rest && (*rest)[1] == ' ';
}

void cow_group_snapshot(pid_t pgrp, struct cow_group_snap *snap)
{
	char buf[1024], *rest, *tok, *save;
	unsigned long long utime = 0;
	struct dirent *d;
	long long v;
	int field;
	DIR *dir;

	snap->n = 0;
	dir = opendir("/proc");
	if (!dir)
		return;
	while ((d = readdir(dir)) && snap->n < COW_GROUP_MAX) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' ||
		    !read_stat(d->d_name, buf, sizeof(buf), &rest))
			continue;
		snap->p[snap->n].pid = (pid_t)atoi(d->d_name);
		snap->p[snap->n].cpu = -1;
		/* Field 3 (state) is the first after the comm. */
		for (field = 3, tok = strtok_r(rest + 2, " ", &save); tok;
		     field++, tok = strtok_r(NULL, " ", &save)) {
			v = strtoll(tok, NULL, 10);
			if (field == 3)
				snap->p[snap->n].state = tok[0];
			else if (field == 5 && v != pgrp)
				break;
			else if (field == 14)
				utime = (unsigned long long)v;
			else if (field == 15)
				snap->p[snap->n].ticks = utime +
							 (unsigned long long)v;
			else if (field == 39)
				snap->p[snap->n].cpu = (int)v;
		}
		if (field > 39)
			snap->n++;
	}
	closedir(dir);
}

int cow_group_starved_cpus(const struct cow_group_snap *a,
			   const struct cow_group_snap *b, cpu_set_t *cpus)
{
	unsigned i, j;

	CPU_ZERO(cpus);
	for (i = 0; i < b->n; i++) {
		if (b->p[i].state != 'R' || b->p[i].cpu < 0 ||
		    b->p[i].cpu >= CPU_SETSIZE)
			continue;
		for (j = 0; j < a->n; j++)
			if (a->p[j].pid == b->p[i].pid && a->p[j].state == 'R' &&
			    a->p[j].ticks == b->p[i].ticks &&
			    a->p[j].cpu == b->p[i].cpu)
				CPU_SET(b->p[i].cpu, cpus);
	}
	return CPU_COUNT(cpus);
}
