#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# faults.sh - fault injection: ./run-all and single scenarios stopped by
# SIGINT (to the process group, as Ctrl-C), SIGTERM, SIGHUP or SIGKILL (to
# the main process) at a random moment, from startup on.  After each trial
# (after SIGKILL: after the next start, itself killed once in a while
# before a last one) every knob is as before, no
# process of the run is left, no swapfile or temporary file remains, and
# the results directory is absent or holds a valid results.json, marked
# partial unless the run ended before the signal.
#
# FAULT_TRIALS trials (default 5; `make check-faults`: 200), drawn from
# FAULT_SEED (default: from the clock; printed, to run a trial again).
lock_per_trial=1
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (knobs, swapon, PFNs)"
command -v setsid >/dev/null 2>&1 || skip_all "no setsid(1) for a process group"
env --default-signal=INT true 2>/dev/null ||
	skip_all "env(1) without --default-signal (coreutils < 8.31)"

trials=${FAULT_TRIALS:-5}
seed=${FAULT_SEED:-$(( $(date +%s) % 1000000 + $$ ))}
case $trials$seed in
*[!0-9]*) echo "faults.sh: FAULT_TRIALS and FAULT_SEED must be numbers" >&2
	  exit 99 ;;
esac
runall=${COW_SRCDIR:-.}/run-all
case $runall in /*) ;; *) runall=$(pwd)/$runall ;; esac

diag "seed $seed, $trials trials (FAULT_SEED=$seed FAULT_TRIALS=$trials to repeat)"

# A 31-bit LCG: the same seed draws the same trials in any sh (each
# trial draws the same numbers whatever happens in it).
rnd=$seed
pick() {
	rnd=$(( (rnd * 1103515245 + 12345) % 2147483648 ))
	r=$(( (rnd / 65536) % $1 ))
}

# The scenarios that change knobs or create files, and some that fork
# many children or hold pipes to readers.
set -- 'ksm.*' ksm.cow ksm.merge ksm.zero-pages 'swap.*' swap.cow \
	swap.loop 'thp.*' thp.mthp thp.collapse thp.fork-write \
	'odirect.*' odirect.fork-race 'iouring.*' iouring.read-fixed-race \
	'fork.*' fork.many fork.exec-window 'vmsplice.*' vmsplice.leak \
	vmsplice.throughput
npat=$#
pool="$*"
# nth N: p is the pool's pattern N (from 0).
nth() {
	k=$1
	set -f
	# shellcheck disable=SC2086 # the pool of patterns, globbing off
	set -- $pool
	set +f
	shift "$k"
	p=$1
}

# Processes whose environment carries the trial's tag: the run's, down
# to the last grandchild (children inherit it; only cmdline could name it
# otherwise, and that is not searched).
tagged() {
	grep -lasF "FAULT_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null |
		sed 's,/proc/\([0-9]*\)/environ,\1,'
}
# wait_untagged SECONDS: until no process has the tag.
wait_untagged() {
	n=$(($1 * 10))
	while [ -n "$(tagged)" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}
# Running, not an exited child waiting to be reaped (signals do nothing).
alive() {
	kill -s 0 "$pid" 2>/dev/null &&
		[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

# What files a trial may leave: in the results directory only these.
leftovers() {
	find "$t/dir" "$t/tmp" "$t/cwd" -mindepth 1 2>/dev/null
	[ ! -d "$t/out" ] ||
		find "$t/out" -mindepth 1 ! -name results.json \
			! -name samples.tsv ! -name overview.png \
			! -name overview.svg
	find "$scratch" -name '*.tmp.*' 2>/dev/null
	[ ! -e "$COWBENCH_STATE_DIR/state" ] || echo "$COWBENCH_STATE_DIR/state"
}

n_partial=0 n_complete=0 n_absent=0 n_runall=0 n_cowbench=0
n_INT=0 n_TERM=0 n_HUP=0 n_KILL=0 n_early=0 n_restore=0 n_nextrun=0
n_rekill=0
i=0
while [ "$i" -lt "$trials" ]; do
	i=$((i + 1))
	t=$scratch/trial
	rm -rf "$t"
	mkdir -p "$t/dir" "$t/tmp" "$t/cwd"
	out=$t/out
	tag=cowbench-fault-$seed-$i

	# The trial: what runs, how long, which signal after how long.
	pick "$npat"; nth "$r"; pats=$p
	pick 3
	if [ "$r" -eq 0 ]; then
		pick "$npat"; nth "$r"; pats="$pats $p"
	fi
	pick 5
	reps=$(echo 3 10 30 100 300 | cut -d' ' -f$((r + 1)))
	extra=
	case $pats in
	*fork*) pick 3
		extra="--children $(echo 8 64 256 | cut -d' ' -f$((r + 1)))" ;;
	esac
	pick 4
	sig=$(echo INT TERM HUP KILL | cut -d' ' -f$((r + 1)))
	pick 10
	if [ "$r" -lt 3 ]; then
		pick 150			# startup: options, knobs, meta
		n_early=$((n_early + 1))
	else
		pick 4000
	fi
	delay_ms=$r
	delay=$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))
	pick 2
	restore=$r			# after SIGKILL: --restore or a next run
	pick 3
	rekill=$r			# 0: that start is killed too, after
	pick 60				# rekill_ms, and a --restore follows
	rekill_ms=$r
	pick 10
	set -f
	# shellcheck disable=SC2086 # lists of options and patterns, no globbing
	if [ "$r" -lt 3 ]; then
		target=run-all
		n_runall=$((n_runall + 1))
		only=
		for p in $pats; do only="$only --only $p"; done
		set -- "$runall" --out "$out" $only -- --reps "$reps" \
			--warmup 0 --size 4M --dir "$t/dir" $extra
	else
		target=cowbench
		n_cowbench=$((n_cowbench + 1))
		set -- "$COWBENCH" --reps "$reps" --warmup 0 --size 4M \
			--dir "$t/dir" --out "$out" $extra $pats
	fi
	set +f
	desc="trial $i: $target $pats reps $reps${extra:+ $extra}, SIG$sig after $delay s"
	eval "n_$sig=\$((n_$sig + 1))"

	# One trial at a time holds the machine-wide lock, not all of them.
	serialize_knob_tests
	before=$(knob_snapshot)
	# A process group of its own, with SIGINT not ignored as sh does
	# for background jobs; the lock's fd stays here.
	(cd "$t/cwd" && exec setsid env --default-signal=INT \
		FAULT_TAG="$tag" TMPDIR="$t/tmp" "$@" \
		>"$t/log" 2>&1 9>&-) &
	pid=$!
	# The delay counts from the new group, which Ctrl-C needs to exist.
	n=100
	while ! kill -s 0 -- "-$pid" 2>/dev/null && alive && [ $n -gt 0 ]; do
		sleep 0.01
		n=$((n - 1))
	done
	sleep "$delay"
	why=
	if alive; then
		ended=no
		sig_at=$(date +%s.%N)
		case $sig in
		INT) kill -s INT -- "-$pid" 2>/dev/null ;;
		*) kill -s "$sig" "$pid" 2>/dev/null ;;
		esac
	else
		ended=yes
	fi
	# Stopped by a signal, a run restores and writes in seconds.
	n=600
	while alive && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	if alive; then
		why="$why; still running 60 s after SIG$sig"
		kill -s KILL -- "-$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?

	# Once the run has exited, its children are dying at most; after
	# SIGKILL they die by their parent-death signal, and run-all's
	# cowbench stops as on SIGTERM, restoring: give it time for that.
	grace=5
	[ "$target/$sig" != run-all/KILL ] || grace=20
	wait_untagged $grace ||
		why="$why; processes left ${grace} s after: $(tagged | tr '\n' ' ')"
	for p in $(tagged); do kill -s KILL "$p" 2>/dev/null; done
	if [ "$sig" = KILL ] && [ $ended = no ] && [ "$rekill" -eq 0 ]; then
		# The recovery itself killed halfway through its undo (or a
		# next run halfway through its start): a later start must
		# still put everything back.
		n_rekill=$((n_rekill + 1))
		if [ "$restore" -eq 0 ]; then
			set -- --restore
		else
			set -- --reps 1 --warmup 0 --size 4k --out "$t/cwd/next" \
				fork.latency
		fi
		(exec env FAULT_TAG="$tag" "$COWBENCH" "$@" \
			>"$t/rekill.log" 2>&1 9>&-) &
		rk=$!
		sleep "$(printf '0.%03d' "$rekill_ms")"
		kill -s KILL "$rk" 2>/dev/null
		wait "$rk"
		wait_untagged 5 ||
			why="$why; processes left after the killed start: $(tagged | tr '\n' ' ')"
		desc="$desc, its next start killed after $rekill_ms ms"
		restore=0		# what must still put it all back
		rm -rf "$t/cwd/next"
	fi
	if [ "$sig" = KILL ] && [ $ended = no ]; then
		if [ "$restore" -eq 0 ]; then
			next="cowbench --restore"
			n_restore=$((n_restore + 1))
			"$COWBENCH" --restore >"$t/next.log" 2>&1
			r=$?
		else
			next="next run"
			n_nextrun=$((n_nextrun + 1))
			"$COWBENCH" --reps 1 --warmup 0 --size 4k \
				--out "$t/cwd/next" fork.latency \
				>"$t/next.log" 2>&1
			r=$?
			rm -rf "$t/cwd/next"
		fi
		[ $r -eq 0 ] || why="$why; $next exits $r"
		desc="$desc, then $next"
	fi

	if ! knobs_equal "$before"; then
		why="$why; values changed"
		# A run outside the lock (by hand) would be someone else's.
		other=$(pgrep -d' ' -x cowbench)
		[ -z "$other" ] || why="$why (cowbench pids $other not ours)"
	fi
	! grep -q cowbench.swap /proc/swaps || why="$why; swapfile active"
	left=$(leftovers)
	[ -z "$left" ] ||
		why="$why; left behind: $(echo "$left" | sort -u | tr '\n' ' ')"

	# The results: absent, partial, or complete if the run was done.
	if [ ! -e "$out" ]; then
		res=absent
		n_absent=$((n_absent + 1))
	elif "$CHECK_RESULTS" "$out/results.json" >"$t/check" 2>&1; then
		if grep -q '^ *"partial": *true' "$out/results.json"; then
			res=partial
			n_partial=$((n_partial + 1))
		else
			res=complete
			n_complete=$((n_complete + 1))
		fi
	else
		res=invalid
		why="$why; results.json invalid: $(head -1 "$t/check")"
	fi
	# Stopped by the signal: its exit status says so.
	case $res/$sig/$rc in
	partial/INT/130|partial/TERM/143|partial/HUP/129|partial/KILL/137) ;;
	absent/INT/130|absent/TERM/143|absent/HUP/129|absent/KILL/137) ;;
	complete/*/0|complete/*/1) ;;
	complete/INT/130|complete/TERM/143|complete/HUP/129|complete/KILL/137) ;;
	*) why="$why; $res results with exit status $rc" ;;
	esac
	[ $ended = no ] || [ $res = complete ] ||
		why="$why; ended before the signal, but $res"
	# Complete results after the signal: it was lost, or the run went
	# on without its launcher.  (mtime lags by a clock tick at most, so
	# this never blames a file written before the signal.)
	if [ $ended = no ] && [ $res = complete ] && awk -v a="$sig_at" \
	   -v m="$(stat -c %.9Y "$out/results.json")" 'BEGIN { exit !(m > a) }'
	then
		why="$why; complete results written after the signal"
	fi
	[ $ended = no ] || desc="$desc (ended before it)"
	grep -h 'could not undo' "$t/log" "$t/next.log" 2>/dev/null |
		head -1 >"$t/undo"
	[ ! -s "$t/undo" ] || why="$why; $(cat "$t/undo")"
	flock -u 9 2>/dev/null

	ok "$([ -z "$why" ]; echo $?)" "$desc: $res, rc $rc${why:+ -- ${why#; }}"
	[ -z "$why" ] || sed 's/^/# /' "$t/log" "$t/next.log" 2>/dev/null
	rm -f "$t/next.log"
done
rm -rf "$scratch/trial"

diag "targets: cowbench $n_cowbench, run-all $n_runall; signals: INT $n_INT, TERM $n_TERM, HUP $n_HUP, KILL $n_KILL ($n_restore then --restore, $n_nextrun then a next run; $n_rekill of those after a start killed too); $n_early in the first 150 ms"
diag "results: $n_partial partial, $n_complete complete (ended before the signal), $n_absent absent"
# (Each trial reports once: the count is also the plan's.)
[ "$tap_failed" -eq 0 ] && [ "$tap_n" -eq "$trials" ]
ok $? "$trials trials ($tap_n reported), seed $seed: $tap_failed failed"
done_testing
