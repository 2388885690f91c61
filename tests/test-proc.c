// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-proc.c - the /proc reading by which the supervisor tells a CPU
 * that no longer runs anything queued on it (a kernel that oopsed and
 * spins there for ever) from processes merely slow to die: the snapshot
 * of a process group, and which CPUs starved its runnable processes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cow.h"
#include "tap.h"

/* One process of a synthetic snapshot. */
static void put(struct cow_group_snap *s, pid_t pid, char state, int cpu,
		unsigned long long ticks)
{
	s->p[s->n].pid = pid;
	s->p[s->n].state = state;
	s->p[s->n].cpu = cpu;
	s->p[s->n].ticks = ticks;
	s->n++;
}

static int starved(const struct cow_group_snap *a,
		   const struct cow_group_snap *b, int cpu)
{
	cpu_set_t set;
	int n = cow_group_starved_cpus(a, b, &set);

	return cpu < 0 ? n == 0 : n == 1 && CPU_ISSET(cpu, &set);
}

static void synthetic(void)
{
	struct cow_group_snap a = { 0 }, b = { 0 };

	put(&a, 100, 'R', 3, 10);
	put(&a, 101, 'S', 0, 5);
	put(&b, 100, 'R', 3, 10);
	put(&b, 101, 'R', 0, 5);
	tap_ok(starved(&a, &b, 3),
	       "runnable in both, no CPU time in between: its CPU starved it");
	b.p[0].ticks = 11;
	tap_ok(starved(&a, &b, -1), "a tick in between: nothing starved");
	b.p[0].ticks = 10;
	b.p[0].state = 'D';
	tap_ok(starved(&a, &b, -1), "asleep (D) at the end: nothing starved");
	b.p[0].state = 'R';
	b.p[0].cpu = 2;
	tap_ok(starved(&a, &b, -1), "moved to another CPU: nothing starved");
	b.p[0].cpu = 3;
	b.p[0].pid = 102;
	tap_ok(starved(&a, &b, -1), "not in the first snapshot: nothing starved");
}

/* A process group of two children: one spins, one sleeps. */
static void live(void)
{
	struct cow_group_snap a, b;
	pid_t spin, sleeper;
	unsigned i, found = 0;
	int status;

	spin = fork();
	if (spin == 0) {
		setpgid(0, 0);
		for (;;)
			;
	}
	setpgid(spin, spin);
	sleeper = fork();
	if (sleeper == 0) {
		setpgid(0, spin);
		pause();
		_exit(0);
	}
	setpgid(sleeper, spin);
	usleep(200000);
	cow_group_snapshot(spin, &a);
	for (i = 0; i < a.n; i++) {
		if (a.p[i].pid == spin && a.p[i].state == 'R' && a.p[i].cpu >= 0)
			found |= 1;
		if (a.p[i].pid == sleeper && a.p[i].state == 'S')
			found |= 2;
	}
	tap_ok(a.n == 2 && found == 3,
	       "a group's snapshot: its 2 processes, spinning R and sleeping S (%u, %u)",
	       a.n, found);
	sleep(1);
	cow_group_snapshot(spin, &b);
	tap_ok(starved(&a, &b, -1),
	       "a second later the spinner has had CPU time: nothing starved");
	kill(-spin, SIGKILL);
	while (waitpid(-spin, &status, 0) > 0)
		;
	cow_group_snapshot(spin, &b);
	tap_ok(b.n == 0, "reaped, the group is gone from /proc (%u left)", b.n);
}

int main(void)
{
	synthetic();
	live();
	return tap_done();
}
