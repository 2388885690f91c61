// SPDX-License-Identifier: GPL-2.0-only
/*
 * proc.c - forking, waiting and CPU placement for workloads.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cow.h"

volatile sig_atomic_t cow_interrupted;

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
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, len, "child exited with status %d",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, len, "child killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(why, len, "child status 0x%x", status);
	return -1;
}
