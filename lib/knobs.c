// SPDX-License-Identifier: GPL-2.0-only
/*
 * knobs.c - sysfs/sysctl values and scratch files that must not outlive
 * the run, not even a run killed with SIGKILL.
 *
 * Each change is appended to <state_dir>/state and synced before it is
 * made, so the state file is always a superset of what needs undoing.
 * An flock on <state_dir>/lock tells a live run's state file from a dead
 * one's; the next start (or `cowbench --restore`) replays a dead run's
 * file backwards.
 *
 * State file lines: "pid N", then "knob\t<path>\t<old value>",
 * "unlink\t<path>", "swapoff\t<path>" (swapoff, then unlink),
 * "umount\t<path>" (a filesystem the run mounted) and "rmdir\t<path>"
 * (a directory the run created, removed only if it is empty).
 *
 * A run's worker processes (cli/supervise.c) append their own changes
 * to the same file (cow_knobs_attach); when a worker ends, however it
 * ends, its supervisor undoes the lines the worker added, newest first
 * (cow_knobs_undo_since), so a worker that dies leaves nothing changed
 * for the next point.  The supervisor has those undone by a helper
 * process (cow_knobs_undo_since_by, cow_knobs_undo_lines) under a time
 * limit: a line given up on is marked stuck, and stays in the file for
 * the next start instead of blocking this run's end as well.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/un.h>
#include <unistd.h>

#include "cow.h"

#define UNDO_MAX	COW_UNDO_MAX
#define VAL_MAX		COW_UNDO_VAL_MAX
/* sysfs never returns more than a page; a longer file is no knob. */
#define READ_MAX	4096
/* How long a dead run's children may keep its lock: 3 s. */
#define LOCK_WAIT_TRIES	60
#define LOCK_WAIT_US	50000

static const char *const kind_names[COW_UNDO_NKINDS] = {
	[COW_UNDO_KNOB] = "knob",
	[COW_UNDO_UNLINK] = "unlink",
	[COW_UNDO_SWAPOFF] = "swapoff",
	[COW_UNDO_UMOUNT] = "umount",
	[COW_UNDO_RMDIR] = "rmdir",
	[COW_UNDO_ZRAM] = "zram",
};

/*
 * Static, so that the undo (atexit, signal handler) needs no malloc.
 * An entry is filled before nundo counts it, for the signal handler's sake.
 */
static struct cow_undo undos[UNDO_MAX];
static volatile sig_atomic_t nundo;
static volatile sig_atomic_t restoring;
static pid_t owner;			/* the process that ran cow_knobs_init */
/* A worker appends to its supervisor's journal and undoes nothing itself. */
static bool attached;
static int lock_fd = -1;
static int state_fd = -1;
static off_t state_len;
static char state_path[PATH_MAX];

static const char *num_str(long v, char buf[24])
{
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	char *p = buf + 23;

	*p = '\0';
	do
		*--p = '0' + u % 10;
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return p;
}

/*
 * Join the strings up to a NULL with sep and write them as one line with
 * a single write(), so that a crash can cut off only the last line.  By
 * hand, as snprintf() is not async-signal-safe.  Length or -errno.
 */
static int put_line(int fd, char sep, const char *s, ...)
{
	char buf[PATH_MAX + VAL_MAX + 64];
	size_t n, len = 0;
	ssize_t r;
	va_list ap;

	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *)) {
		n = strnlen(s, sizeof(buf) - 1 - len);
		memcpy(buf + len, s, n);
		len += n;
		if (len < sizeof(buf) - 1)
			buf[len++] = sep;
	}
	va_end(ap);
	buf[len - 1] = '\n';
	r = write(fd, buf, len);
	if (r < 0)
		return -errno;
	return (size_t)r == len ? (int)len : -EIO;
}

static int put_pid(int fd, pid_t pid)
{
	char num[24];

	return put_line(fd, ' ', "pid", num_str(pid, num), NULL);
}

static int record(int fd, const struct cow_undo *u)
{
	return put_line(fd, '\t', kind_names[u->kind], u->path,
			u->kind == COW_UNDO_KNOB ? u->old : NULL, NULL);
}

static int write_value(const char *path, const char *val)
{
	size_t n = strlen(val);
	int fd, err = 0;
	ssize_t r;

	/* sysfs and procfs ignore O_TRUNC; a plain file (the tests) needs it. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* No retry of a short write: sysfs would take the rest as a new value. */
	r = write(fd, val, n);
	if (r < 0)
		err = -errno;
	else if ((size_t)r != n)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int undo_one(const struct cow_undo *u)
{
	int err = 0;

	switch (u->kind) {
	case COW_UNDO_NKINDS:	/* the parser keeps known kinds only */
		return -EINVAL;
	case COW_UNDO_KNOB:
		err = write_value(u->path, u->old);
		/* A knob that is gone (module unloaded) has nothing to restore. */
		return err == -ENOENT ? 0 : err;
	case COW_UNDO_UMOUNT:
		/* EINVAL: not a mount point (killed before mounting). */
		if (umount2(u->path, MNT_DETACH) && errno != EINVAL &&
		    errno != ENOENT)
			return -errno;
		return 0;
	case COW_UNDO_RMDIR:
		/* Not empty: the run wrote what it was made for; keep it. */
		if (rmdir(u->path) && errno != ENOENT && errno != ENOTEMPTY &&
		    errno != EEXIST)
			return -errno;
		return 0;
	case COW_UNDO_ZRAM:
		/* ENOENT: the module is gone, and the device with it. */
		err = cow_zram_swap_off(strrchr(u->path, '/') + 1);
		return err == -ENOENT ? 0 : err;
	case COW_UNDO_SWAPOFF:
		/* EINVAL: not an active swap area, e.g. killed before swapon. */
		if (swapoff(u->path) && errno != EINVAL && errno != ENOENT)
			err = -errno;
		/* fall through */
	case COW_UNDO_UNLINK:
		/*
		 * Unlink even after a failed swapoff: the kernel refuses to
		 * unlink an active swap file (EPERM), so a success proves no
		 * swap area is left behind.
		 */
		if (!unlink(u->path) || errno == ENOENT)
			return 0;
		/* A scratch directory: its files were undone before it. */
		if ((errno == EISDIR || errno == EPERM) && !rmdir(u->path))
			return 0;
		return err ? err : -errno;
	}
	return -EINVAL;
}

/* Undo the entries newest first; returns how many could not be undone. */
static int undo_all(bool loud)
{
	int i, r, nfail = 0;
	char num[24];

	for (i = nundo - 1; i >= 0; i--) {
		/* It would block this exit as it blocked its helper. */
		if (undos[i].stuck) {
			undos[i].err = ETIMEDOUT;
			nfail++;
			if (loud)
				put_line(STDERR_FILENO, ' ', "cowbench: not undone:",
					 kind_names[undos[i].kind], undos[i].path,
					 "- stuck in the kernel earlier in this run - left in",
					 state_path, "for the next start (or cowbench --restore)",
					 NULL);
			continue;
		}
		r = undo_one(&undos[i]);
		undos[i].err = -r;
		nfail += r != 0;
		if (r && loud)
			put_line(STDERR_FILENO, ' ', "cowbench: could not undo",
				 kind_names[undos[i].kind], undos[i].path,
				 "- errno", num_str(-r, num), "- left in",
				 state_path, NULL);
	}
	return nfail;
}

/*
 * After an undo: remove the state file, or keep just what failed so the
 * next start (or `cowbench --restore`) tries again.  fd is O_APPEND.
 */
static void settle_state(int fd, pid_t pid, int nfail)
{
	int i;

	if (!nfail || fd < 0 || ftruncate(fd, 0)) {
		if (!nfail)
			unlink(state_path);
		return;
	}
	put_pid(fd, pid);
	for (i = 0; i < nundo; i++)
		if (undos[i].err)
			record(fd, &undos[i]);
	fsync(fd);
}

static void unlock_dir(void);

/* Must stay async-signal-safe: it runs from atexit and from signal handlers. */
void cow_knobs_restore(void)
{
	int saved_errno = errno;
	sigset_t all, old;
	int nfail;

	/* A forked child exiting must not undo its parent's run. */
	if (!owner || owner != getpid() || restoring || attached)
		goto out;
	/* SIGTERM during the atexit undo must wait, not cut it short. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	restoring = 1;
	nfail = undo_all(true);
	settle_state(state_fd, owner, nfail);
	close(state_fd);
	state_fd = -1;
	/* Unlock last: until then nobody else may read a half-settled file. */
	unlock_dir();
	nundo = 0;
	owner = 0;
	restoring = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	errno = saved_errno;
}

/*
 * Relative paths are made absolute: the run may chdir before undoing.
 * Tabs and newlines would break the state file's lines.
 */
static int abs_path(const char *path, char *out)
{
	char cwd[PATH_MAX] = "";
	bool rel = *path != '/';

	if (!*path || strpbrk(path, "\t\n"))
		return -EINVAL;
	if (rel && !getcwd(cwd, sizeof(cwd)))
		return -errno;
	if ((size_t)snprintf(out, PATH_MAX, "%s%s%s", cwd, rel ? "/" : "",
			     path) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static struct cow_undo *find_undo(enum cow_undo_kind kind, const char *path)
{
	int i;

	for (i = 0; i < nundo; i++)
		if (undos[i].kind == kind && !strcmp(undos[i].path, path))
			return &undos[i];
	return NULL;
}

static bool remembered(enum cow_undo_kind kind, const char *path)
{
	return find_undo(kind, path) != NULL;
}

/* Record an undo in the state file (synced) and then in memory. */
static int remember(enum cow_undo_kind kind, const char *path, const char *old)
{
	struct cow_undo *u;
	int r;

	if (!owner || owner != getpid() || state_fd < 0)
		return -EBADF;
	if (remembered(kind, path))
		return 0;
	if (nundo >= UNDO_MAX)
		return -ENOSPC;
	/* abs_path() vetted path; old came through a VAL_MAX buffer. */
	if (strchr(old, '\n'))
		return -EINVAL;
	u = &undos[nundo];
	u->kind = kind;
	u->err = 0;
	u->stuck = false;
	strcpy(u->path, path);
	strcpy(u->old, old);
	r = record(state_fd, u);
	if (r < 0 || fsync(state_fd)) {
		r = r < 0 ? r : -errno;
		/* A partial line would swallow the next one when parsed. */
		(void)!ftruncate(state_fd, state_len);
		return r;
	}
	state_len += r;
	atomic_signal_fence(memory_order_seq_cst);
	nundo++;
	return 0;
}

int cow_knob_read(const char *path, char *buf, size_t len)
{
	char tmp[READ_MAX + 1];
	const char *val = tmp, *lb, *rb;
	size_t n = 0, vlen;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((r = read(fd, tmp + n, sizeof(tmp) - n)) > 0 &&
	       (n += r) < sizeof(tmp))
		;
	r = r < 0 ? -errno : 0;
	close(fd);
	if (r)
		return r;
	if (n > READ_MAX)
		return -EOVERFLOW;
	while (n && tmp[n - 1] == '\n')
		n--;
	tmp[n] = '\0';
	vlen = n;
	lb = strchr(tmp, '[');
	rb = lb ? strchr(lb + 1, ']') : NULL;
	if (rb && rb > lb + 1) {
		val = lb + 1;
		vlen = rb - val;
	}
	if (vlen >= len)
		return -EOVERFLOW;
	memcpy(buf, val, vlen);
	buf[vlen] = '\0';
	return 0;
}

int64_t cow_knob_read_num(const char *path)
{
	char buf[32];
	uint64_t v;

	if (cow_knob_read(path, buf, sizeof(buf)) ||
	    cow_parse_u64(buf, 0, INT64_MAX, &v))
		return -1;
	return (int64_t)v;
}

int cow_knob_set_why(const char *path, const char *value, char *reason,
		     size_t rlen)
{
	int r = cow_knob_set(path, value);

	/* EBADF: no run to restore it, which is what a non-root run has. */
	if (r)
		snprintf(reason, rlen, "cannot set %s to %s: %s", path, value,
			 r == -EBADF ? "knobs are only set as root" :
			 strerror(-r));
	return r;
}

int cow_knob_ensure(const char *path, const char *value, char *reason,
		    size_t rlen)
{
	char cur[VAL_MAX];
	int r = cow_knob_read(path, cur, sizeof(cur));

	if (r) {
		snprintf(reason, rlen, "cannot read %s: %s", path,
			 strerror(-r));
		return r;
	}
	if (!strcmp(cur, value))
		return 0;
	return cow_knob_set_why(path, value, reason, rlen);
}

int cow_knob_set(const char *path, const char *value)
{
	char abs[PATH_MAX], old[VAL_MAX];
	int r;

	r = abs_path(path, abs);
	if (r)
		return r;
	if (!remembered(COW_UNDO_KNOB, abs)) {
		r = cow_knob_read(abs, old, sizeof(old));
		if (r)
			return r;
		r = remember(COW_UNDO_KNOB, abs, old);
		if (r)
			return r;
	}
	return write_value(abs, value);
}

int cow_knob_write_registered(const char *path, const char *value)
{
	char abs[PATH_MAX];
	int r;

	r = abs_path(path, abs);
	if (r)
		return r;
	/*
	 * undos[] is inherited by a forked sample process: a knob the run's
	 * prepare() saved will be put back by the run, whoever writes it.
	 */
	if (!remembered(COW_UNDO_KNOB, abs))
		return -EPERM;
	return write_value(abs, value);
}

int cow_knob_reset(const char *path)
{
	char abs[PATH_MAX];
	int i, r;

	r = abs_path(path, abs);
	if (r)
		return r;
	for (i = 0; i < nundo; i++)
		if (undos[i].kind == COW_UNDO_KNOB && !strcmp(undos[i].path, abs))
			return write_value(abs, undos[i].old);
	return -ENOENT;
}

static int undo_register(enum cow_undo_kind kind, const char *path)
{
	char abs[PATH_MAX];
	int r;

	r = abs_path(path, abs);
	return r ? r : remember(kind, abs, "");
}

int cow_undo_unlink(const char *path)
{
	return undo_register(COW_UNDO_UNLINK, path);
}

int cow_undo_swapoff(const char *path)
{
	return undo_register(COW_UNDO_SWAPOFF, path);
}

int cow_undo_umount(const char *path)
{
	return undo_register(COW_UNDO_UMOUNT, path);
}

int cow_undo_rmdir(const char *path)
{
	return undo_register(COW_UNDO_RMDIR, path);
}

int cow_undo_zram(const char *path)
{
	/* A path without '/' could not name the device to swapoff. */
	if (!strrchr(path, '/'))
		return -EINVAL;
	return undo_register(COW_UNDO_ZRAM, path);
}

const char *cow_state_dir_default(void)
{
	const char *dir = getenv("COWBENCH_STATE_DIR");

	return dir && *dir ? dir : "/run/cowbench";
}

/* The pid on the state file's first line, or 0. */
static int state_pid(void)
{
	FILE *f = fopen(state_path, "re");
	int pid = 0;

	if (f && fscanf(f, "pid %d", &pid) != 1)
		pid = 0;
	if (f)
		fclose(f);
	return pid;
}

/* A run's pid that is gone: its lock can only be held by its children. */
static bool run_dead(int pid)
{
	return pid > 0 && kill(pid, 0) && errno == ESRCH;
}

/*
 * The children of a run killed with SIGKILL share its lock (a fork
 * shares the open file) until their parent-death signal has killed
 * them too: give them a moment rather than call them a live run.
 */
static bool wait_lock(int fd)
{
	int i;

	for (i = 0; i < LOCK_WAIT_TRIES; i++) {
		usleep(LOCK_WAIT_US);
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return true;
	}
	return false;
}

/* After a failed flock: true if it was a dead run's, now ours; errno kept. */
static bool lock_after_dead_run(int fd)
{
	int e = errno;

	if (e == EWOULDBLOCK && run_dead(state_pid()) && wait_lock(fd))
		return true;
	errno = e;
	return false;
}

/*
 * The run lock the whole kernel sees.  The knobs are global, but a run in
 * a chroot or a mount namespace of its own has a /run/cowbench of its own,
 * so the state directory's flock alone let such a run take another's
 * changed values for the originals.  A run therefore also binds a name in
 * the abstract unix socket namespace: it belongs to the network namespace,
 * which chroots and mount namespaces share, and the kernel frees it when
 * the last descriptor closes, SIGKILL included.  A run in another network
 * namespace (a container with a network of its own) has another abstract
 * namespace and is not excluded (see cowbench(1)).  Not for the test
 * suite's own state directories either: the knobs are the same.
 */
#define RUNLOCK_NAME	"cowbench-knobs"
/* Connections nobody accepts wait in the backlog, each a pid query. */
#define RUNLOCK_BACKLOG	128

static int runlock_fd = -1;

static socklen_t runlock_addr(struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* sun_path[0] stays '\0': the abstract namespace, no file. */
	memcpy(a->sun_path + 1, RUNLOCK_NAME, sizeof(RUNLOCK_NAME) - 1);
	return offsetof(struct sockaddr_un, sun_path) + sizeof(RUNLOCK_NAME);
}

/*
 * The holder's pid as this pid namespace sees it (SO_PEERCRED of the
 * listener): 0 if unknown (another pid namespace, a full backlog), -1 if
 * nobody listens (it let go, or is between its bind and its listen).
 */
static pid_t runlock_holder(void)
{
	struct sockaddr_un a;
	struct ucred cr;
	socklen_t len = runlock_addr(&a), clen = sizeof(cr);
	pid_t pid = 0;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&a, len))
		pid = errno == ECONNREFUSED ? -1 : 0;
	else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &clen))
		pid = 0;
	else
		pid = cr.pid;
	close(fd);
	return pid;
}

/*
 * Refuse rather than wait: a run that waited would start at a time
 * nobody chose, behind a run that may never end.  A dead run's children
 * keep the name until their parent-death signal has killed them (they
 * share the socket as they share the flock): give them a moment.
 */
static int runlock_take(char *err, size_t elen)
{
	struct sockaddr_un a;
	socklen_t len = runlock_addr(&a);
	pid_t pid;
	int fd, e, i;

	for (i = 0;; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			snprintf(err, elen, "cannot create the run lock socket: %m");
			return -1;
		}
		if (!bind(fd, (struct sockaddr *)&a, len)) {
			/* Without listen() the lock holds; only the pid is lost. */
			listen(fd, RUNLOCK_BACKLOG);
			runlock_fd = fd;
			return 0;
		}
		e = errno;
		close(fd);
		if (e != EADDRINUSE) {
			snprintf(err, elen, "cannot take the run lock @%s: %s",
				 RUNLOCK_NAME, strerror(e));
			return -1;
		}
		pid = runlock_holder();
		if (i < LOCK_WAIT_TRIES && (pid < 0 || run_dead(pid))) {
			usleep(LOCK_WAIT_US);
			continue;
		}
		if (pid > 0)
			snprintf(err, elen,
				 "another cowbench run (pid %d) is running",
				 (int)pid);
		else
			snprintf(err, elen,
				 "another cowbench run (pid unknown: another pid namespace) is running");
		return -1;
	}
}

static void runlock_release(void)
{
	if (runlock_fd >= 0)
		close(runlock_fd);
	runlock_fd = -1;
}

/*
 * Leaves the run lock taken, lock_fd locked and state_path set, or
 * returns -1 with err.
 */
static int lock_dir(const char *dir, char *err, size_t elen)
{
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/lock", dir) >= sizeof(path) ||
	    (size_t)snprintf(state_path, sizeof(state_path), "%s/state", dir) >=
	    sizeof(state_path)) {
		snprintf(err, elen, "state directory name too long: %s", dir);
		return -1;
	}
	if (runlock_take(err, elen))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, elen, "cannot open %s: %m", path);
		runlock_release();
		return -1;
	}
	/* The lock file itself stays: unlinking it would race other starts. */
	if (flock(fd, LOCK_EX | LOCK_NB) && !lock_after_dead_run(fd)) {
		int e = errno;
		/* No pid when the holder is a `--restore` of a dead run. */
		int pid = e == EWOULDBLOCK ? state_pid() : 0;

		if (pid > 0)
			snprintf(err, elen,
				 "another cowbench run (pid %d) is running", pid);
		else if (e == EWOULDBLOCK)
			snprintf(err, elen,
				 "another cowbench run (pid unknown) is running");
		else
			snprintf(err, elen, "cannot lock %s: %s", path,
				 strerror(e));
		close(fd);
		runlock_release();
		return -1;
	}
	lock_fd = fd;
	return 0;
}

/* Async-signal-safe: cow_knobs_restore() calls it. */
static void unlock_dir(void)
{
	close(lock_fd);
	lock_fd = -1;
	runlock_release();
}

const char *cow_undo_kind_name(enum cow_undo_kind kind)
{
	return kind < COW_ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

int cow_knobs_parse_state(FILE *f, const char *name, pid_t *pid,
			  struct cow_undo *u, int max, char *err, size_t elen)
{
	char *line = NULL, *kind, *path, *rest;
	size_t cap = 0;
	ssize_t len;
	int k, n = 0;

	*pid = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		/*
		 * A line is synced before the change it announces is made,
		 * so one cut short by a crash announces a change never made.
		 */
		if (line[len - 1] != '\n')
			break;
		line[len - 1] = '\0';
		if (sscanf(line, "pid %d", pid) == 1)
			continue;
		rest = line;
		kind = strsep(&rest, "\t");
		path = strsep(&rest, "\t");
		for (k = 0; k < (int)COW_ARRAY_SIZE(kind_names); k++)
			if (!strcmp(kind, kind_names[k]))
				break;
		/*
		 * Lines that cannot be acted on are dropped; so is a relative
		 * path, which no run writes: undone from another directory,
		 * it would remove or write some other file.
		 */
		if (k == (int)COW_ARRAY_SIZE(kind_names) || !path ||
		    *path != '/' || (k == COW_UNDO_KNOB && !rest) ||
		    strlen(path) >= PATH_MAX || (rest && strlen(rest) >= VAL_MAX))
			continue;
		if (n >= max) {
			snprintf(err, elen, "%s: more than %d entries", name,
				 max);
			n = -1;
			break;
		}
		u[n].kind = k;
		u[n].err = 0;
		u[n].stuck = false;
		strcpy(u[n].path, path);
		strcpy(u[n].old, k == COW_UNDO_KNOB ? rest : "");
		n++;
	}
	free(line);
	return n;
}

/*
 * Load a dead run's state file into undos[].  1 if there was one, 0 if
 * not, -1 with err.
 */
static int load_state(pid_t *pid, char *err, size_t elen)
{
	FILE *f;
	int n;

	f = fopen(state_path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, elen, "cannot read %s: %m", state_path);
		return -1;
	}
	nundo = 0;
	n = cow_knobs_parse_state(f, state_path, pid, undos, UNDO_MAX, err,
				  elen);
	fclose(f);
	if (n < 0)
		return -1;
	nundo = n;
	return 1;
}

/* With the lock held: undo a dead run's state file, if there is one. */
static int recover(char *err, size_t elen)
{
	pid_t pid;
	int fd, i, nfail, r;

	r = load_state(&pid, err, elen);
	if (r <= 0)
		return r;
	nfail = undo_all(false);
	fd = nfail ? open(state_path, O_WRONLY | O_APPEND | O_CLOEXEC) : -1;
	settle_state(fd, pid, nfail);
	if (fd >= 0)
		close(fd);
	if (nfail) {
		for (i = nundo - 1; !undos[i].err; i--)
			;
		snprintf(err, elen,
			 "cannot undo %d change(s) of dead run %d, first %s %s: %s (see %s)",
			 nfail, (int)pid, kind_names[undos[i].kind],
			 undos[i].path, strerror(undos[i].err), state_path);
	}
	nundo = 0;
	return nfail ? -1 : 0;
}

int cow_knobs_init(const char *state_dir, char *err, size_t elen)
{
	static bool atexit_done;
	int r;

	if (owner) {
		snprintf(err, elen, "cowbench knobs already initialised");
		return -1;
	}
	if (!state_dir)
		state_dir = cow_state_dir_default();
	if (mkdir(state_dir, 0700) && errno != EEXIST) {
		snprintf(err, elen, "cannot create %s: %m", state_dir);
		return -1;
	}
	if (lock_dir(state_dir, err, elen))
		return -1;
	if (recover(err, elen))
		goto fail;
	state_fd = open(state_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
			O_CLOEXEC, 0600);
	if (state_fd < 0) {
		snprintf(err, elen, "cannot create %s: %m", state_path);
		goto fail;
	}
	r = put_pid(state_fd, getpid());
	if (r >= 0 && fsync(state_fd))
		r = -errno;
	if (r < 0) {
		snprintf(err, elen, "cannot write %s: %s", state_path,
			 strerror(-r));
		close(state_fd);
		state_fd = -1;
		unlink(state_path);
		goto fail;
	}
	state_len = r;
	owner = getpid();
	if (!atexit_done && !atexit(cow_knobs_restore))
		atexit_done = true;
	return 0;
fail:
	unlock_dir();
	return -1;
}

int cow_knobs_recover_only(const char *state_dir, char *err, size_t elen)
{
	struct stat st;
	int r;

	if (owner) {
		snprintf(err, elen, "this process has a run in progress");
		return -1;
	}
	if (!state_dir)
		state_dir = cow_state_dir_default();
	/* No directory, no dead run; and do not leave one behind. */
	if (stat(state_dir, &st) && errno == ENOENT)
		return 0;
	if (lock_dir(state_dir, err, elen))
		return -1;
	r = recover(err, elen);
	unlock_dir();
	return r;
}

off_t cow_knobs_mark(void)
{
	return owner == getpid() && !attached ? state_len : -1;
}

int cow_knobs_fds(int *lock, int *state)
{
	if (!owner || owner != getpid() || attached)
		return -1;
	*lock = lock_fd;
	*state = state_fd;
	return 0;
}

/*
 * Static: a worker may have added up to COW_UNDO_MAX lines, too many for
 * a stack; only the supervisor, which never forks, and its undo helper
 * come here.
 */
static struct cow_undo tail[UNDO_MAX];

/* The lines after mark into tail[]: how many, or -1 (said on stderr). */
static int read_tail(const char *name, FILE *f, off_t mark)
{
	char err[256] = "";
	pid_t pid;
	int n;

	if (!f || fseeko(f, mark, SEEK_SET)) {
		put_line(STDERR_FILENO, ' ', "cowbench: cannot read", name,
			 "to undo a worker's changes: left for the end of the run",
			 NULL);
		return -1;
	}
	n = cow_knobs_parse_state(f, name, &pid, tail, UNDO_MAX, err,
				  sizeof(err));
	if (n < 0)
		fprintf(stderr, "cowbench: %s\n", err);
	return n;
}

/* The default runner: each undo here, in turn. */
static void undo_here(struct cow_undo *t, int n, void *arg)
{
	int i;

	(void)arg;
	for (i = n - 1; i >= 0; i--)
		t[i].err = -undo_one(&t[i]);
}

int cow_knobs_undo_since(off_t mark)
{
	return cow_knobs_undo_since_by(mark, NULL, NULL);
}

int cow_knobs_undo_since_by(off_t mark, cow_undo_runner *run, void *arg)
{
	struct cow_undo *u;
	char num[24];
	int i, n, nfail = 0;
	FILE *f;

	if (!owner || owner != getpid() || attached || mark < 0)
		return 0;
	f = fopen(state_path, "re");
	n = read_tail(state_path, f, mark);
	if (f)
		fclose(f);
	if (n < 0)
		return -1;
	if (!n)
		return 0;
	(run ? run : undo_here)(tail, n, arg);
	for (i = n - 1; i >= 0; i--) {
		if (!tail[i].err)
			continue;
		nfail++;
		if (tail[i].stuck)
			put_line(STDERR_FILENO, ' ', "cowbench: could not undo",
				 kind_names[tail[i].kind], tail[i].path,
				 "- it did not finish in its time limit (stuck in the kernel?) - not tried again in this run: left in",
				 state_path, "for the next start (or cowbench --restore)",
				 NULL);
		else
			put_line(STDERR_FILENO, ' ', "cowbench: could not undo",
				 kind_names[tail[i].kind], tail[i].path,
				 "- errno", num_str(tail[i].err, num),
				 "- tried again at the end of the run", NULL);
	}
	/*
	 * The lines undone go; one that failed comes back as the run's own,
	 * for the undo at the end (and a next start, after a crash).
	 */
	if (ftruncate(state_fd, mark) || fsync(state_fd))
		return -1;
	state_len = mark;
	for (i = 0; i < n; i++) {
		if (!tail[i].err)
			continue;
		remember(tail[i].kind, tail[i].path, tail[i].old);
		u = find_undo(tail[i].kind, tail[i].path);
		if (u && tail[i].stuck)
			u->stuck = true;
	}
	return nfail;
}

int cow_undo_apply(const struct cow_undo *u)
{
	return undo_one(u);
}

/* Test-only: stop for ever before the path COW_TEST_STUCK_UNDO_ENV names. */
static void test_stuck_undo(const char *path)
{
	const char *v = getenv(COW_TEST_STUCK_UNDO_ENV);

	if (!v || strcmp(v, path))
		return;
	for (;;)
		pause();
}

static int report(int fd, int idx, int err)
{
	struct cow_undo_report r = { .idx = idx, .err = err };

	return write(fd, &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : -1;
}

int cow_knobs_undo_lines(int sfd, off_t mark, int skip, int report_fd)
{
	char path[64];
	FILE *f;
	int i, n, r;

	/* A description of its own: the supervisor's offset stays as it was. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sfd);
	f = fopen(path, "re");
	r = f ? -EINVAL : -errno;
	n = read_tail(path, f, mark);
	if (f)
		fclose(f);
	if (n < 0)
		return r;
	for (i = n - 1 - skip; i >= 0; i--) {
		if (report(report_fd, i, COW_UNDO_BEGUN))
			return -errno;
		test_stuck_undo(tail[i].path);
		r = undo_one(&tail[i]);
		if (report(report_fd, i, -r))
			return -errno;
	}
	return 0;
}

int cow_knobs_attach(int lfd, int sfd, char *err, size_t elen)
{
	char path[64];
	struct stat st;
	pid_t pid;
	FILE *f;
	int n;

	if (owner) {
		snprintf(err, elen, "cowbench knobs already initialised");
		return -1;
	}
	/* What the run saved already: known to cow_knob_write_registered(). */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sfd);
	f = fopen(path, "re");
	if (!f || fstat(sfd, &st)) {
		snprintf(err, elen, "the run's state file (fd %d): %m", sfd);
		if (f)
			fclose(f);
		return -1;
	}
	n = cow_knobs_parse_state(f, path, &pid, undos, UNDO_MAX, err, elen);
	fclose(f);
	if (n < 0)
		return -1;
	nundo = n;
	lock_fd = lfd;
	state_fd = sfd;
	state_len = st.st_size;
	attached = true;
	owner = getpid();
	return 0;
}
