#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# lock.sh - one run per kernel, whatever its root: runs in two mount
# namespaces, each with a private tmpfs over /run (so each has a
# /run/cowbench of its own, as a chroot or a container does), exclude
# each other through the run lock in the abstract socket namespace.  Two
# started at once: one runs, the other refuses in one line naming the
# first's pid, and afterwards every KSM, THP, mTHP and delayacct value is
# as it was.  A run held elsewhere refuses a --restore and a run with
# another state directory; a run killed with SIGKILL frees the lock.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (knobs, mount namespaces)"
command -v unshare >/dev/null 2>&1 || skip_all "no unshare(1) (util-linux)"
unshare --mount --propagation private sh -c 'mount -t tmpfs tmpfs /run' \
	2>/dev/null || skip_all "cannot make a mount namespace with its own /run"
[ -d /sys/kernel/mm/ksm ] || skip_all "no /sys/kernel/mm/ksm (CONFIG_KSM)"
[ -f /sys/kernel/mm/transparent_hugepage/enabled ] ||
	skip_all "no transparent_hugepage/enabled (CONFIG_TRANSPARENT_HUGEPAGE)"


# The values a run changes, set first to ones it must change: a run that
# took another's changed values for the originals leaves them changed.
# The values found are put back at the end.
ksm=/sys/kernel/mm/ksm
thp=/sys/kernel/mm/transparent_hugepage
mthp=$thp/hugepages-64kB/enabled
[ -f "$mthp" ] || mthp=
cur() { sed 's/.*\[\(.*\)\].*/\1/' "$1"; }
found="$ksm/run=$(cat $ksm/run) $ksm/pages_to_scan=$(cat $ksm/pages_to_scan)"
found="$found $ksm/sleep_millisecs=$(cat $ksm/sleep_millisecs)"
found="$found $thp/enabled=$(cur $thp/enabled)"
found="$found /proc/sys/kernel/task_delayacct=$(cat /proc/sys/kernel/task_delayacct)"
[ -z "$mthp" ] || found="$found $mthp=$(cur "$mthp")"
put_back() {
	for kv in $found; do
		echo "${kv#*=}" >"${kv%%=*}" 2>/dev/null
	done
}
# At exit (lib.sh's on_exit), whatever happened.
cleanup() { put_back; }
echo 0 >$ksm/run && echo 100 >$ksm/pages_to_scan &&
	echo 20 >$ksm/sleep_millisecs && echo always >$thp/enabled &&
	echo 0 >/proc/sys/kernel/task_delayacct &&
	{ [ -z "$mthp" ] || echo inherit >"$mthp"; }
ok $? "knobs set to values a run changes (THP always, mTHP 64K inherit, delayacct 0)"
before=$(knob_snapshot)

# inroot NAME [VAR=VALUE]... COWBENCH-ARGS...: cowbench in a mount
# namespace of its own with an empty /run, in the background; pid is
# its pid (unshare and sh exec it).  Without a VAR, the state directory
# is the default /run/cowbench, the namespace's own.
inroot() {
	n=$1
	shift
	unshare --mount --propagation private sh -c \
		'mount -t tmpfs tmpfs /run && exec env -u COWBENCH_STATE_DIR "$@"' \
		sh "$@" >"$scratch/$n.out" 2>&1 &
	pid=$!
}

knobs_changed() { [ "$(knob_snapshot)" != "$before" ]; }
# The KSM and THP scenarios, short: they change every value above.
args="--reps 1 --warmup 0 --size 4M --out"
scen="ksm.merge thp.mthp thp.fork-write"

# Two runs at once, each in its own root.
# shellcheck disable=SC2086 # $args and $scen: lists, split on purpose
inroot a "$COWBENCH" $args "$scratch/a" $scen
pa=$pid
# shellcheck disable=SC2086 # $args and $scen: lists, split on purpose
inroot b "$COWBENCH" $args "$scratch/b" $scen
pb=$pid
wait $pa
ra=$?
wait $pb
rb=$?
diag "run a (pid $pa): rc $ra; run b (pid $pb): rc $rb"
# refused NAME PID: its output is the one line naming PID.
refused() {
	[ "$(cat "$scratch/$1.out")" = "cowbench: another cowbench run (pid $2) is running" ]
}
ran() { [ "$1" -eq 0 ] || [ "$1" -eq 1 ]; }
if [ $rb -eq 2 ]; then
	ran $ra && refused b $pa
else
	ran $rb && [ $ra -eq 2 ] && refused a $pb
fi
r=$?
ok $r "two runs in two roots at once: one ran, the other refused naming its pid"
[ $r -eq 0 ] || sed 's/^/# /' "$scratch/a.out" "$scratch/b.out"
knobs_equal "$before"
ok $? "afterwards every value is as before"
[ ! -e "$scratch/a/results.json" ] || [ ! -e "$scratch/b/results.json" ]
ok $? "the refused run left no results"

# A run held in one root refuses others, whatever their state directory.
inroot held "$COWBENCH" --reps 100000 --warmup 0 --size 4M \
	--out "$scratch/held" ksm.cow
held=$pid
wait_until 20 knobs_changed && sleep 0.5
ok $? "a long ksm.cow in its own root has changed KSM values"
# ksmd's run switch is the held run's to flip between its samples.
steady() { knob_snapshot | grep -v '^/sys/kernel/mm/ksm/run='; }
during=$(steady)
# (Without a state directory --restore has nothing to undo and says so.)
mkdir "$scratch/restore-state"
inroot restore COWBENCH_STATE_DIR="$scratch/restore-state" "$COWBENCH" --restore
wait $pid
r=$?
[ $r -eq 2 ] && refused restore "$held"
ok $? "cowbench --restore of a state directory in a third root refused, naming it (rc $r)"
# shellcheck disable=SC2086 # $args: options, split on purpose
"$COWBENCH" $args "$scratch/here" fork.latency >"$scratch/here.out" 2>&1
r=$?
[ $r -eq 2 ] && refused here "$held" && [ ! -e "$COWBENCH_STATE_DIR/state" ]
ok $? "a run here with COWBENCH_STATE_DIR of its own refused (rc $r)"
now=$(steady)
[ "$now" = "$during" ]
r=$?
ok $r "the refused ones changed nothing"
[ $r -eq 0 ] || { echo "$during" >"$scratch/d1"; echo "$now" >"$scratch/d2"; diff "$scratch/d1" "$scratch/d2" | sed "s/^/# /"; }
kill -s TERM $held
wait $held
r=$?
[ $r -eq 143 ] && knobs_equal "$before"
ok $? "SIGTERM: the held run restored every value (rc $r)"

# Killed with SIGKILL, the holder's lock is the kernel's to free; its
# state file (on the shared /tmp here) is undone from another root.
inroot killed COWBENCH_STATE_DIR="$scratch/killed-state" "$COWBENCH" \
	--reps 100000 --warmup 0 --size 4M --out "$scratch/killed" ksm.cow
killed=$pid
wait_until 20 knobs_changed && sleep 0.5
ok $? "another long ksm.cow has changed KSM values"
kill -s KILL $killed
wait $killed 2>/dev/null
knobs_changed
ok $? "kill -9 left them changed"
inroot recover COWBENCH_STATE_DIR="$scratch/killed-state" "$COWBENCH" --restore
wait $pid
r=$?
[ $r -eq 0 ] && knobs_equal "$before"
ok $? "cowbench --restore from another root takes the freed lock and restores (rc $r)"
[ $r -eq 0 ] || sed 's/^/# /' "$scratch/recover.out"

done_testing
