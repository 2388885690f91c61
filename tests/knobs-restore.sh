#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# knobs-restore.sh - every KSM, THP, mTHP, swap and delayacct value is
# back as it was after a run of the KSM, THP and swap scenarios, after
# Ctrl-C, and after kill -9 followed by the next start; no swapfile stays.
# The same for the hugetlb pool, use_zero_page, a zram device and an
# mTHP size's knob, which points of the fork workloads on those backings
# change.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (knobs, swapon)"

before=$(knob_snapshot)
dir=$scratch/dir
mkdir "$dir"
swapfile=$dir/cowbench.swap

no_swapfile() {
	! grep -q cowbench.swap /proc/swaps && [ ! -e "$swapfile" ]
}

swap_active() { grep -q cowbench.swap /proc/swaps; }
knobs_changed() { [ "$(knob_snapshot)" != "$before" ]; }

# start NAME SCENARIO: a run that would go on for a long time, in the
# background, in a process group of its own where setsid(1) is there.
setsid=$(command -v setsid)
start() {
	name=$1
	shift
	$setsid "$COWBENCH" --reps 100000 --warmup 0 --size 4M --dir "$dir" \
		--out "$scratch/$name" "$@" >"$scratch/$name.out" 2>&1 &
	pid=$!
}

gone() { ! kill -s 0 "$pid" 2>/dev/null; }

# Ctrl-C: SIGINT to the whole group (run, sample process, children); rc
# is the run's exit status, or 255 if it did not stop within 60 s.
interrupt_group() {
	{ [ -n "$setsid" ] && kill -s INT -- "-$pid" 2>/dev/null; } ||
		kill -s INT "$pid"
	if wait_until 60 gone; then
		wait "$pid"
		rc=$?
	else
		kill -s KILL "$pid"
		wait "$pid"
		rc=255
	fi
}

"$COWBENCH" --reps 1 --warmup 0 --size 4M --dir "$dir" --out "$scratch/all" \
	'ksm.*' 'thp.*' 'swap.*' >"$scratch/all.out" 2>&1
rc=$?
ok $rc "a run of ksm.*, thp.* and swap.* exits 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/all.out"
knobs_equal "$before"
ok $? "after the run every value is as before"
no_swapfile
ok $? "after the run no swapfile is active or on disk"

# Ctrl-C while the swapfile is in use, while mTHP knobs are changed, and
# while ksmd may be running for a sample.
start int-swap swap.cow
wait_until 20 swap_active
ok $? "swap.cow has its swapfile active"
interrupt_group
[ $rc -eq 130 ] && knobs_equal "$before" && no_swapfile
ok $? "Ctrl-C during swap.cow: rc $rc, values restored, swapfile gone"

start int-mthp thp.mthp
wait_until 20 knobs_changed
ok $? "thp.mthp has changed THP knobs"
interrupt_group
[ $rc -eq 130 ] && knobs_equal "$before"
ok $? "Ctrl-C during thp.mthp: rc $rc, values restored"

# A THP shape at an mTHP size: that size alone enabled for the point.
mthp64=/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled
if [ -w $mthp64 ]; then
	start int-mthp-bk --backing thp-pte-64k fork.child-write
	wait_until 20 knobs_changed
	ok $? "fork.child-write on thp-pte-64k has changed THP knobs ($mthp64: $(cat $mthp64))"
	interrupt_group
	[ $rc -eq 130 ] && knobs_equal "$before"
	ok $? "Ctrl-C during it: rc $rc, values restored"
else
	ok 0 "# SKIP no 64 kB mTHP size here ($mthp64)"
	ok 0 "# SKIP (the same)"
fi

# kill -9: the values stay changed until the next start or --restore.
start int-ksm ksm.cow
wait_until 20 knobs_changed && sleep 1
changed=$?
interrupt_group
[ $changed -eq 0 ] && [ $rc -eq 130 ] && knobs_equal "$before"
ok $? "Ctrl-C during ksm.cow (KSM values changed): rc $rc, values restored"

start kill-ksm ksm.cow
wait_until 20 knobs_changed && sleep 1
ok $? "ksm.cow has changed KSM knobs"
kill -s KILL $pid
wait $pid 2>/dev/null
knobs_changed
ok $? "kill -9 during ksm.cow left values changed"
"$COWBENCH" --restore >"$scratch/restore.out" 2>&1
rc=$?
[ $rc -eq 0 ] && knobs_equal "$before" && [ ! -s "$COWBENCH_STATE_DIR/state" ]
ok $? "cowbench --restore puts every value back (rc $rc)"

start kill-swap swap.cow
wait_until 20 swap_active && sleep 1
ok $? "swap.cow has its swapfile active again"
kill -s KILL $pid
wait $pid 2>/dev/null
swap_active && [ -e "$swapfile" ]
ok $? "kill -9 during swap.cow left the swapfile active"
"$COWBENCH" --restore >>"$scratch/restore.out" 2>&1
rc=$?
[ $rc -eq 0 ] && knobs_equal "$before" && no_swapfile
ok $? "cowbench --restore: swapfile off and deleted, values back (rc $rc)"

# The next start (a run, not --restore) undoes the dead run first.
start kill-mthp thp.mthp
wait_until 20 knobs_changed && sleep 1
kill -s KILL $pid
wait $pid 2>/dev/null
knobs_changed
ok $? "kill -9 during thp.mthp left THP knobs changed"
"$COWBENCH" --reps 1 --warmup 0 --size 4k --out "$scratch/next" \
	fork.latency >"$scratch/next.out" 2>&1
rc=$?
[ $rc -eq 0 ] && knobs_equal "$before" && [ ! -e "$COWBENCH_STATE_DIR/state" ]
ok $? "the next run restores them first (rc $rc)"

# The hugetlb pool: a hugetlb point grows it by what it needs (nothing
# where enough free pages nobody reserved are there already).
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
pool_free=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
pool_resv=/sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages
if [ -f $pool ] && [ $(($(cat $pool_free) - $(cat $pool_resv))) -lt 4 ]; then
	pool_was=$(cat $pool)
	start int-huge --backing hugetlb-2M fork.child-write
	wait_until 20 knobs_changed
	ok $? "fork.child-write on hugetlb-2M has grown the pool to $(cat $pool)"
	interrupt_group
	[ $rc -eq 130 ] && knobs_equal "$before"
	ok $? "Ctrl-C during it: rc $rc, nr_hugepages back at $(cat $pool)"
	start kill-huge --backing hugetlb-2M fork.child-write
	wait_until 20 knobs_changed && sleep 1
	kill -s KILL "$pid"
	wait "$pid" 2>/dev/null
	left=$(cat $pool)
	"$COWBENCH" --restore >>"$scratch/restore.out" 2>&1
	rc=$?
	[ "$left" != "$pool_was" ] && [ $rc -eq 0 ] && knobs_equal "$before"
	ok $? "kill -9 left nr_hugepages at $left; --restore put it back at $(cat $pool) (rc $rc)"
else
	ok 0 "# SKIP no 2 MiB hugetlb pool here, or free pages enough: nothing to grow"
	ok 0 "# SKIP (the same)"
	ok 0 "# SKIP (the same)"
fi

# THP swap-out: a free zram device sized and swapped on for the point,
# reset afterwards (where there is one; else the run's swapfile).
zram_swap() { grep -q '^/dev/zram' /proc/swaps; }
if [ "$(cat /sys/block/zram0/disksize 2>/dev/null)" = 0 ] && ! zram_swap; then
	start kill-zram --backing thp-swap fork.child-write
	wait_until 20 zram_swap && sleep 1
	ok $? "fork.child-write on thp-swap swaps to $(awk '/^\/dev\/zram/ { print $1 }' /proc/swaps)"
	kill -s KILL "$pid"
	wait "$pid" 2>/dev/null
	zram_swap
	left=$?
	"$COWBENCH" --restore >>"$scratch/restore.out" 2>&1
	rc=$?
	[ $left -eq 0 ] && [ $rc -eq 0 ] && knobs_equal "$before" && ! zram_swap
	ok $? "kill -9 left the zram device swapped on; --restore reset it (rc $rc)"
else
	ok 0 "# SKIP no free zram device (zram0 with disksize 0)"
	ok 0 "# SKIP (the same)"
fi

# use_zero_page: on by default, so turned off here first (and back on at
# the end, whatever happens) for the huge zero page point to turn on.
uzp=/sys/kernel/mm/transparent_hugepage/use_zero_page
if [ -w $uzp ]; then
	uzp_was=$(cat $uzp)
	cleanup() { echo "$uzp_was" >$uzp; }
	echo 0 >$uzp
	before0=$(knob_snapshot)
	start int-uzp --backing huge-zero fork.child-write
	wait_until 20 sh -c "[ \"\$(cat $uzp)\" = 1 ]"
	ok $? "fork.child-write on huge-zero has turned use_zero_page on"
	interrupt_group
	[ $rc -eq 130 ] && knobs_equal "$before0"
	ok $? "Ctrl-C during it: rc $rc, use_zero_page back at $(cat $uzp)"
	start kill-uzp --backing huge-zero fork.child-write
	wait_until 20 sh -c "[ \"\$(cat $uzp)\" = 1 ]" && sleep 1
	kill -s KILL "$pid"
	wait "$pid" 2>/dev/null
	left=$(cat $uzp)
	"$COWBENCH" --restore >>"$scratch/restore.out" 2>&1
	rc=$?
	[ "$left" = 1 ] && [ $rc -eq 0 ] && knobs_equal "$before0"
	ok $? "kill -9 left use_zero_page at $left; --restore put it back at $(cat $uzp) (rc $rc)"
	echo "$uzp_was" >$uzp
else
	ok 0 "# SKIP no huge zero page knob ($uzp)"
	ok 0 "# SKIP (the same)"
	ok 0 "# SKIP (the same)"
fi

! grep -q 'could not undo' "$scratch"/*.out
ok $? "no run reported a change it could not undo"

done_testing
