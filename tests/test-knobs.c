// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-knobs.c - knobs.c without root: plain temporary files stand in for
 * sysfs knobs, and a state directory under /tmp for /run/cowbench.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cow.h"
#include "tap.h"

static char dir[64], state_dir[128], state[160];
static char thp[128], ksm[128], pts[128], slink[128], scratch[128], swapf[128];

static void put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror(path);
		exit(99);
	}
	close(fd);
}

/* The raw file content, or "<missing>". */
static const char *get(const char *path)
{
	static char buf[8192];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return "<missing>";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

static const char *knob_line(const char *path, const char *old)
{
	static char line[256];

	snprintf(line, sizeof(line), "knob\t%s\t%s\n", path, old);
	return line;
}

static void reset_knobs(void)
{
	put(thp, "always [madvise] never\n");
	put(ksm, "0\n");
	put(pts, "100\n");
}

static void test_read(void)
{
	char buf[64];

	tap_ok(cow_knob_read(thp, buf, sizeof(buf)) == 0 &&
	       !strcmp(buf, "madvise"), "read THP style knob: \"%s\"", buf);
	tap_ok(cow_knob_read(ksm, buf, sizeof(buf)) == 0 && !strcmp(buf, "0"),
	       "read plain knob: \"%s\"", buf);
	tap_ok(cow_knob_read(scratch, buf, sizeof(buf)) == -ENOENT,
	       "read of a missing knob is -ENOENT");
	tap_ok(cow_knob_read(thp, buf, 4) == -EOVERFLOW,
	       "read into a short buffer is -EOVERFLOW");
	tap_ok(cow_knob_set(ksm, "1") < 0 && !strcmp(get(ksm), "0\n"),
	       "set before init fails and writes nothing");
}

static void test_run(void)
{
	char err[256] = "", want[64], rel[160];
	const char *st;
	int status = 0;
	pid_t pid;

	tap_ok(cow_knobs_init(NULL, err, sizeof(err)) == 0,
	       "init in $COWBENCH_STATE_DIR %s", err);
	snprintf(want, sizeof(want), "pid %d\n", (int)getpid());
	tap_ok(!strcmp(get(state), want), "fresh state file names our pid");
	tap_ok(cow_knobs_init(NULL, err, sizeof(err)) == -1 && *err,
	       "second init in one process refused: %s", err);

	tap_ok(cow_knob_set(thp, "always") == 0 && !strcmp(get(thp), "always"),
	       "set THP style knob");
	tap_ok(strstr(get(state), knob_line(thp, "madvise")) != NULL,
	       "state records the bracketed old value");
	tap_ok(cow_knob_set(ksm, "1") == 0 && cow_knob_set(ksm, "2") == 0 &&
	       !strcmp(get(ksm), "2"), "set plain knob twice");
	st = get(state);
	tap_ok(strstr(st, knob_line(ksm, "0")) && count(st, ksm) == 1,
	       "state records the first old value only");
	tap_ok(cow_knob_write_registered(pts, "1") == -EPERM &&
	       !strcmp(get(pts), "100\n"),
	       "write_registered refuses a knob the run did not save");
	pid = fork();
	if (pid == 0)
		_exit(cow_knob_write_registered(ksm, "4") ? 1 : 0);
	tap_ok(pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && !WEXITSTATUS(status) &&
	       !strcmp(get(ksm), "4") && count(get(state), ksm) == 1,
	       "a forked child writes a saved knob, which is not saved again");
	tap_ok(cow_knob_write_registered(ksm, "2") == 0, "and so does the run");
	tap_ok(cow_knob_reset(ksm) == 0 && !strcmp(get(ksm), "0") &&
	       cow_knob_reset(pts) == -ENOENT && !strcmp(get(pts), "100\n"),
	       "reset writes the saved value back, and only for a saved knob");
	tap_ok(cow_knob_set(ksm, "2") == 0 && count(get(state), ksm) == 1,
	       "a reset knob stays saved: set again, not saved again");
	tap_ok(cow_knob_set(scratch, "1") == -ENOENT && !strstr(get(state), scratch),
	       "set of a missing knob fails and records nothing");
	tap_ok(cow_knob_set("/tmp/a\tb", "1") == -EINVAL,
	       "path with a tab is refused");

	put(scratch, "x");
	put(swapf, "not a swap area");
	tap_ok(cow_undo_unlink(scratch) == 0 && cow_undo_swapoff(swapf) == 0,
	       "register an unlink and a swapoff");
	snprintf(rel, sizeof(rel), "%s/rel", dir);
	put(rel, "y");
	tap_ok(chdir(dir) == 0 && cow_undo_unlink("rel") == 0 && chdir("/") == 0,
	       "register a relative path");
	st = get(state);
	tap_ok(count(st, "\nunlink\t") == 2 && count(st, "\nswapoff\t") == 1 &&
	       strstr(st, rel) != NULL, "state records files by absolute path");
	tap_ok(cow_undo_unlink(scratch) == 0 &&
	       count(get(state), scratch) == 1, "a file is recorded once");

	/*
	 * Registered before it exists, then used: only a newest-first undo
	 * writes the old value through the link before removing it.
	 */
	tap_ok(cow_undo_unlink(slink) == 0 && symlink(pts, slink) == 0 &&
	       cow_knob_set(slink, "5") == 0 && !strcmp(get(pts), "5"),
	       "set a knob through a registered symlink");

	pid = fork();
	if (pid == 0) {
		cow_knobs_restore();
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	tap_ok(!strcmp(get(thp), "always") && exists(scratch) && exists(state),
	       "restore in a forked child leaves the run alone");

	cow_knobs_restore();
	tap_ok(!strcmp(get(thp), "madvise"), "restore writes back the bare word");
	tap_ok(cow_knob_read(thp, want, sizeof(want)) == 0 &&
	       !strcmp(want, "madvise"), "which reads back as madvise");
	tap_ok(!strcmp(get(ksm), "0"), "restore writes back the plain value");
	tap_ok(!exists(scratch) && !exists(swapf) && !exists(rel),
	       "restore removes registered files and the (non-)swapfile");
	tap_ok(!strcmp(get(pts), "100") && !exists(slink),
	       "restore undoes newest first");
	tap_ok(!exists(state), "restore removes the state file");

	put(scratch, "x");
	put(ksm, "7");
	cow_knobs_restore();
	tap_ok(exists(scratch) && !strcmp(get(ksm), "7"),
	       "second restore is a no-op");
	unlink(scratch);
	reset_knobs();
}

static void test_crash(void)
{
	char err[256] = "", want[64], empty[160], full[160], kept[176];
	int status = 0;
	pid_t pid;

	/* Results directories: one the run wrote into, one it did not. */
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	snprintf(full, sizeof(full), "%s/full", dir);
	snprintf(kept, sizeof(kept), "%s/results.json", full);
	pid = fork();
	if (pid == 0) {
		if (cow_knobs_init(NULL, err, sizeof(err)) ||
		    cow_undo_rmdir(full) || mkdir(full, 0700) ||
		    cow_undo_rmdir(empty) || mkdir(empty, 0700) ||
		    cow_knob_set(thp, "never") || cow_knob_set(ksm, "1") ||
		    cow_undo_unlink(scratch))
			_exit(1);
		put(scratch, "x");
		put(kept, "{}");
		raise(SIGKILL);
		_exit(2);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	tap_ok(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "child killed with SIGKILL (status %#x)", status);
	tap_ok(!strcmp(get(thp), "never") && !strcmp(get(ksm), "1") &&
	       exists(scratch) && exists(state),
	       "the dead run left its changes and state file");

	tap_ok(cow_knobs_init(NULL, err, sizeof(err)) == 0,
	       "next init succeeds %s", err);
	tap_ok(!strcmp(get(thp), "madvise") && !strcmp(get(ksm), "0"),
	       "next init restored the knobs");
	tap_ok(!exists(scratch), "next init removed the file");
	tap_ok(!exists(empty) && exists(kept),
	       "and the empty directory, not the one with a file in it");
	unlink(kept);
	rmdir(full);
	snprintf(want, sizeof(want), "pid %d\n", (int)getpid());
	tap_ok(!strcmp(get(state), want), "state file is ours and empty");
	cow_knobs_restore();
	tap_ok(!exists(state), "and gone after restore");
	reset_knobs();
}

static void test_truncated(void)
{
	char err[256] = "", buf[512];

	/* The thp line was cut short: that change was never made. */
	snprintf(buf, sizeof(buf), "pid 999999\n%sknob\t%s\tne",
		 knob_line(ksm, "0"), thp);
	put(state, buf);
	put(ksm, "5");
	put(thp, "always");
	tap_ok(cow_knobs_recover_only(NULL, err, sizeof(err)) == 0,
	       "recover_only with a truncated last line %s", err);
	tap_ok(!strcmp(get(ksm), "0") && !strcmp(get(thp), "always"),
	       "complete line undone, truncated one ignored");
	tap_ok(!exists(state), "recover_only removes the state file");
	reset_knobs();
}

static void test_failed_undo(void)
{
	char err[256] = "";
	const char *st;

	tap_ok(cow_knobs_init(NULL, err, sizeof(err)) == 0 &&
	       cow_knob_set(ksm, "3") == 0 && cow_knob_set(thp, "never") == 0,
	       "init and set two knobs %s", err);
	/* A directory cannot be written: this undo must fail. */
	tap_ok(unlink(ksm) == 0 && mkdir(ksm, 0700) == 0, "knob made unwritable");
	tap_diag("a \"could not undo\" message on stderr is expected");
	cow_knobs_restore();
	tap_ok(!strcmp(get(thp), "madvise"), "the other knob is still restored");
	/* get() reuses its buffer: no get() while st is in use. */
	st = get(state);
	tap_ok(strstr(st, knob_line(ksm, "0")) && !strstr(st, thp),
	       "state file keeps only the failed undo");

	rmdir(ksm);
	put(ksm, "3");
	tap_ok(cow_knobs_recover_only(NULL, err, sizeof(err)) == 0 &&
	       !strcmp(get(ksm), "0") && !exists(state),
	       "a later recover_only finishes it %s", err);

	/* Like a module unloaded mid-run: nothing left to restore. */
	put(scratch, "1");
	tap_ok(cow_knobs_init(NULL, err, sizeof(err)) == 0 &&
	       cow_knob_set(scratch, "2") == 0 && unlink(scratch) == 0,
	       "set a knob that then vanishes %s", err);
	cow_knobs_restore();
	tap_ok(!exists(state) && !exists(scratch),
	       "a vanished knob is no failure");
	reset_knobs();
}

static void test_concurrent(void)
{
	int up[2], down[2], status = 0;
	char err[256] = "", c = 0, want[64];
	pid_t pid;

	if (pipe(up) || pipe(down)) {
		perror("pipe");
		exit(99);
	}
	pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		c = cow_knobs_init(NULL, err, sizeof(err)) ? 'f' : 'r';
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(1);
		cow_knobs_restore();
		_exit(exists(state) ? 2 : 0);
	}
	close(up[1]);
	close(down[0]);
	tap_ok(read(up[0], &c, 1) == 1 && c == 'r', "child run holds the lock");
	snprintf(want, sizeof(want), "(pid %d)", (int)pid);
	tap_ok(cow_knobs_init(NULL, err, sizeof(err)) == -1 &&
	       strstr(err, "another cowbench run") && strstr(err, want),
	       "concurrent init refused: %s", err);
	err[0] = '\0';
	tap_ok(cow_knobs_recover_only(NULL, err, sizeof(err)) == -1 &&
	       strstr(err, "another cowbench run"),
	       "concurrent recover_only refused: %s", err);
	tap_ok(exists(state), "the live run's state file is left alone");
	c = 'x';
	if (write(down[1], &c, 1) != 1 || waitpid(pid, &status, 0) != pid)
		status = -1;
	tap_ok(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "child restored and exited (status %#x)", status);
	close(up[0]);
	close(down[1]);
	err[0] = '\0';
	tap_ok(cow_knobs_init(NULL, err, sizeof(err)) == 0,
	       "init succeeds once the lock is free %s", err);
	cow_knobs_restore();
}

/*
 * The knobs are the kernel's: a run with a state directory of its own
 * (a chroot's /run, another COWBENCH_STATE_DIR) still excludes this one,
 * by the run lock in the abstract socket namespace.
 */
static void test_other_state_dir(void)
{
	int up[2], down[2], status = 0;
	char err[256] = "", c = 0, want[64], other[160];
	pid_t pid;

	snprintf(other, sizeof(other), "%s/other-run", dir);
	if (pipe(up) || pipe(down) || mkdir(other, 0700)) {
		perror("pipe/mkdir");
		exit(99);
	}
	pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		c = cow_knobs_init(other, err, sizeof(err)) ? 'f' : 'r';
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(1);
		cow_knobs_restore();
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	tap_ok(read(up[0], &c, 1) == 1 && c == 'r',
	       "a run with another state directory holds the run lock");
	snprintf(want, sizeof(want), "another cowbench run (pid %d)", (int)pid);
	tap_ok(cow_knobs_init(NULL, err, sizeof(err)) == -1 &&
	       strstr(err, want) && !exists(state),
	       "init in this state directory refused, nothing written: %s", err);
	err[0] = '\0';
	tap_ok(cow_knobs_recover_only(NULL, err, sizeof(err)) == -1 &&
	       strstr(err, want), "recover_only refused too: %s", err);
	c = 'x';
	if (write(down[1], &c, 1) != 1 || waitpid(pid, &status, 0) != pid)
		status = -1;
	close(up[0]);
	close(down[1]);
	err[0] = '\0';
	tap_ok(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	       cow_knobs_init(NULL, err, sizeof(err)) == 0,
	       "init succeeds once the other run has ended %s", err);
	cow_knobs_restore();
	rmdir(other);
}

/*
 * A run killed with SIGKILL whose child still holds the lock for a
 * moment (a fork shares the locked file): the next start waits for it.
 */
static void test_dead_run_child(void)
{
	char err[256] = "";
	int status = 0;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (cow_knobs_init(NULL, err, sizeof(err)) ||
		    cow_knob_set(ksm, "6"))
			_exit(1);
		if (fork() == 0) {
			usleep(300000);
			_exit(0);
		}
		raise(SIGKILL);
		_exit(2);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	tap_ok(status != -1 && WIFSIGNALED(status) && !strcmp(get(ksm), "6"),
	       "run killed, its child still running, knob left at 6");
	tap_ok(cow_knobs_recover_only(NULL, err, sizeof(err)) == 0 &&
	       !strcmp(get(ksm), "0") && !exists(state),
	       "recover_only waits for the dead run's child, then restores %s",
	       err);
	reset_knobs();
}

/*
 * The run lock is the whole kernel's, fake knobs or not: under make -j
 * this waits for the shell tests' cowbench runs as they wait for each
 * other (tests/lib.sh serialize_knob_tests, the same file).  As root
 * only, as there: no other user's test runs cowbench with knobs.
 */
static void serialize(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (geteuid())
		return;
	snprintf(path, sizeof(path), "%s/cowbench-knob-tests.lock",
		 tmp && *tmp ? tmp : "/tmp");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd >= 0)
		flock(fd, LOCK_EX);	/* held until exit */
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

/* The parse alone, as the fuzzer calls it: what is kept, what dropped. */
static void test_parse(void)
{
	static char text[] = "pid 42\n"
		"knob\t/sys/x\tmadvise\n"
		"unlink\trelative/file\n"	/* no run writes one */
		"frob\t/sys/y\n"		/* unknown kind */
		"knob\t/sys/z\n"		/* a knob without its value */
		"umount\t/mnt/t\n"
		"swapoff\t/cut";		/* cut short by a crash */
	struct cow_undo u[4];
	char err[128] = "";
	pid_t pid;
	FILE *f = fmemopen(text, strlen(text), "r");
	int n = f ? cow_knobs_parse_state(f, "state", &pid, u, 4, err,
					  sizeof(err)) : -1;

	if (f)
		fclose(f);
	tap_ok(n == 2 && pid == 42 && u[0].kind == COW_UNDO_KNOB &&
	       !strcmp(u[0].path, "/sys/x") && !strcmp(u[0].old, "madvise") &&
	       u[1].kind == COW_UNDO_UMOUNT && !strcmp(u[1].path, "/mnt/t"),
	       "state parse: 2 entries kept, relative, unknown, valueless and cut lines dropped (%d)",
	       n);
	f = fmemopen(text, strlen(text), "r");
	n = f ? cow_knobs_parse_state(f, "state", &pid, u, 1, err,
				      sizeof(err)) : 0;
	if (f)
		fclose(f);
	tap_ok(n == -1 && !strcmp(err, "state: more than 1 entries"),
	       "state parse: more entries than room is an error: %s", err);
}

int main(void)
{
	char err[256] = "", missing[160];

	serialize();
	strcpy(dir, "/tmp/cowbench-knobs-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(state_dir, sizeof(state_dir), "%s/run", dir);
	snprintf(state, sizeof(state), "%s/state", state_dir);
	snprintf(thp, sizeof(thp), "%s/thp-enabled", dir);
	snprintf(ksm, sizeof(ksm), "%s/ksm-run", dir);
	snprintf(pts, sizeof(pts), "%s/pages-to-scan", dir);
	snprintf(slink, sizeof(slink), "%s/link", dir);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	snprintf(swapf, sizeof(swapf), "%s/swapfile", dir);
	reset_knobs();

	unsetenv("COWBENCH_STATE_DIR");
	tap_ok(!strcmp(cow_state_dir_default(), "/run/cowbench"),
	       "default state dir is /run/cowbench");
	setenv("COWBENCH_STATE_DIR", state_dir, 1);
	tap_ok(!strcmp(cow_state_dir_default(), state_dir),
	       "COWBENCH_STATE_DIR overrides it");

	test_parse();
	test_read();
	test_run();
	test_crash();
	test_truncated();
	test_failed_undo();
	test_concurrent();
	test_other_state_dir();
	test_dead_run_child();

	snprintf(missing, sizeof(missing), "%s/nothing", dir);
	tap_ok(cow_knobs_recover_only(missing, err, sizeof(err)) == 0 &&
	       !exists(missing), "recover_only without a state dir: nothing to do");

	tap_ok(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) == 0 && !exists(dir),
	       "temporary directory removed");
	return tap_done();
}
