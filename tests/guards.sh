#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# guards.sh - a run that cannot fit is refused before any work: a size
# beyond the memory (MemAvailable, a cgroup's memory limit), more children
# than a cgroup's pids.max, scratch files beyond the free space of --dir
# or of the results' filesystem.  Each refusal is exit 2, one line on
# stderr naming the figures, and no results directory.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"


mnt=$scratch/small
cg=
# At exit (lib.sh's on_exit), before $scratch is removed.
cleanup() {
	mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
	[ -n "$cg" ] && [ -d "$cg" ] && rmdir "$cg"
}

# refused DESCRIPTION PATTERN COWBENCH-ARGS...: exit 2, one line matching
# PATTERN, nothing written to --out $scratch/out.
refused() {
	desc=$1
	pat=$2
	shift 2
	"$@" --out "$scratch/out" >"$scratch/stdout" 2>"$scratch/stderr"
	rc=$?
	lines=$(wc -l <"$scratch/stderr")
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$scratch/stderr" &&
		[ ! -e "$scratch/out" ]
	ok $? "$desc: rc $rc, $lines line(s): $(head -c 150 "$scratch/stderr")"
	rm -rf "$scratch/out"
}

refused "--size beyond MemAvailable (or a cgroup limit)" 'needs ~192T, ' \
	"$COWBENCH" --size 64T fork.latency

# A child of our own cgroup with a limit on controller $1, in $cg; v2
# where the controller is already enabled for our cgroup's children (so
# nothing on the machine changes), else a v1 hierarchy holding it.
make_cgroup() {
	c=$1
	v2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") {
		if ($(i + 1) == "cgroup2") print $5; break } }' /proc/self/mountinfo | head -n 1)
	if [ -n "$v2" ]; then
		p=$v2$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
		if grep -qw "$c" "$p/cgroup.subtree_control" 2>/dev/null; then
			cgv=2
			cg=${p%/}/cowbench-test.$$
			mkdir "$cg" && return 0
		fi
	fi
	v1=$(awk -v c="$c" '{ for (i = 7; i <= NF; i++) if ($i == "-") {
		if ($(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ ("," c ",")) print $5
		break } }' /proc/self/mountinfo | head -n 1)
	[ -n "$v1" ] || return 1
	p=$v1$(awk -F: -v c="$c" '("," $2 ",") ~ ("," c ",") { print $3 }' /proc/self/cgroup)
	cgv=1
	cg=${p%/}/cowbench-test.$$
	mkdir "$cg"
}

# in_cgroup COWBENCH-ARGS...: cowbench as a process of $cg.
in_cgroup() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$COWBENCH" "$@"
}

if [ "$(id -u)" -ne 0 ]; then
	ok 0 "# SKIP cgroup memory limit: making a cgroup needs root"
	ok 0 "# SKIP cgroup pids limit: making a cgroup needs root"
	ok 0 "# SKIP small --dir: mounting a tmpfs needs root"
	ok 0 "# SKIP small --out: mounting a tmpfs needs root"
	ok 0 "# SKIP: not root"
	done_testing
	exit
fi

if make_cgroup memory; then
	if [ "$cgv" -eq 2 ]; then f=memory.max; else f=memory.limit_in_bytes; fi
	echo $((256 * 1024 * 1024)) >"$cg/$f"
	refused "--size beyond a cgroup v$cgv $f of 256M" "needs ~384M, cgroup .*$f 256M" \
		in_cgroup --size 128M fork.latency
	rmdir "$cg"
	cg=
else
	ok 0 "# SKIP cgroup memory limit: no cgroup hierarchy with the memory controller enabled for children"
fi

if make_cgroup pids; then
	echo 10 >"$cg/pids.max"
	refused "--children beyond a cgroup v$cgv pids.max of 10" \
		'--children 20: needs 24 tasks, cgroup .*pids.max 10' \
		in_cgroup --children 20 fork.many
	rmdir "$cg"
	cg=
else
	ok 0 "# SKIP cgroup pids limit: no cgroup hierarchy with the pids controller enabled for children"
fi

mkdir "$mnt" && mount -t tmpfs -o size=8M cowbench-test "$mnt"
ok $? "an 8M tmpfs at $mnt"
refused "--dir on a filesystem without room for the O_DIRECT file" \
	"--dir $mnt: needs ~64M for scratch files, 8M free" \
	"$COWBENCH" --dir "$mnt" --size 64M odirect.fork-race
# Without --dir the scratch files go beside the results: the swapfile
# (4M and 16M of slack) and the results must fit together.
"$COWBENCH" --out "$mnt/run" --size 4M swap.cow >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$scratch/stderr")" -eq 1 ] &&
	grep -q -- "--out $mnt/run: needs ~21M for scratch files and results" "$scratch/stderr" &&
	[ ! -e "$mnt/run" ]
ok $? "--out on a filesystem without room for the swapfile: rc $rc: $(head -c 150 "$scratch/stderr")"

done_testing
