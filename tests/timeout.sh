#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# timeout.sh - a hang is a verdict, not the end of the run, and a harness
# worker that dies costs its point only.  The runs take the test-only
# switches COWBENCH_TEST_HANG=SCENARIO:PHASE (that phase of that scenario
# stops for ever) and COWBENCH_TEST_CRASH=SCENARIO (that scenario's worker
# aborts once prepare() has run, as a harness whose memory a broken COW
# corrupted did).  Each time: the point ends as a FAIL that names what
# happened and in which phase, the scenarios after it still run and pass,
# results.json is complete and valid, no process of the run is left, and
# every knob is as before -- a knob the dead worker's prepare() set is
# back before the next point starts.  COWBENCH_TEST_STUCK_UNDO=PATH makes
# the helper that undoes a worker's knobs stop before that path, as a
# swapoff stuck in a kernel that oopsed did: the undo is given up on at
# the limit, the run goes on, and the journal keeps the line for the
# next start.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (the KSM knobs, the journal)"
[ -w /sys/kernel/mm/ksm/run ] || skip_all "no writable KSM knobs"


before=$(knob_snapshot)
ksm_knobs() { knob_snapshot | grep '^/sys/kernel/mm/ksm/'; }
ksm_before=$(ksm_knobs)

# Processes of a run: those whose environment carries its tag.
tagged() {
	grep -lasF "TIMEOUT_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null |
		sed 's,/proc/\([0-9]*\)/environ,\1,'
}
# none_left: no process of the run 5 s after it ended, else their pids.
none_left() {
	n=50
	while [ -n "$(tagged)" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	left=$(tagged | tr '\n' ' ')
	for p in $left; do kill -s KILL "$p" 2>/dev/null; done
	[ -z "$left" ]
}

# start NAME ENV... -- ARGS...: a run in the background, pid in $pid.
start() {
	out=$scratch/$1
	tag=cowbench-timeout-$$-$1
	shift
	set -- env TIMEOUT_TAG="$tag" "$@"
	"$@" >"$out.stdout" 2>"$out.stderr" &
	pid=$!
}
finish() {
	wait "$pid"
	rc=$?
	[ "$rc" -eq 1 ] || sed 's/^/# /' "$out.stdout" "$out.stderr"
}
# reason SCENARIO: the reasons its samples give, one a line.
reason() { cr --scenario "$1" --print reason; }

# 1. A sample that hangs in its measured phase.
start hang COWBENCH_TEST_HANG=fork.child-write:measured \
	"$COWBENCH" --reps 2 --warmup 0 --size 4M --sample-timeout 2 \
	--backing small --out "$scratch/hang" fork.child-write fork.latency
finish
[ "$rc" -eq 1 ]
ok $? "a run with a hang in fork.child-write's measured phase ends, exit 1 (rc $rc)"
cr
ok $? "its results.json is valid"
! grep -q '"partial": *true' "$out/results.json"
ok $? "and complete, not partial"
r=$(reason fork.child-write)
[ "$r" = "timed out after 2 s in phase measured" ]
ok $? "fork.child-write: one FAIL, \"$r\""
cr --scenario fork.child-write --expect-verdict fail --expect-evidence harness >/dev/null
ok $? "its verdict is fail, on the evidence harness"
cr --scenario fork.latency --expect-verdict pass --min-samples 2 >/dev/null
ok $? "fork.latency after it still ran, and passed twice"
grep -q 'fail (harness): timed out after 2 s in phase measured' "$out.stdout"
ok $? "the summary gives the reason"
none_left
ok $? "no process of the run is left${left:+: $left}"
knobs_equal "$before"
ok $? "every knob is as before"

# 2. A worker that crashes after ksm.merge's prepare() has set the KSM
# knobs; the next point hangs in turn, which keeps the run going while
# the knobs are looked at.
start crash COWBENCH_TEST_CRASH=ksm.merge \
	COWBENCH_TEST_HANG=fork.latency:measured \
	"$COWBENCH" --reps 2 --warmup 0 --size 4M --sample-timeout 3 \
	--backing small --out "$scratch/crash" ksm.merge fork.latency \
	fork.child-write
# The supervisor undoes the dead worker's knobs before it records the FAIL.
n=100
until grep -q 'harness worker died' "$out/results.json" 2>/dev/null ||
	[ $n -eq 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
now=$(ksm_knobs)
kill -s 0 "$pid" 2>/dev/null && [ "$now" = "$ksm_before" ]
ok $? "once ksm.merge's FAIL is recorded, with the run still going, the KSM knobs are back"
[ "$now" = "$ksm_before" ] ||
	printf '%s\n' "$ksm_before" "-- now:" "$now" | sed 's/^/# /'
finish
[ "$rc" -eq 1 ]
ok $? "the run ends, exit 1 (rc $rc)"
cr
ok $? "its results.json is valid"
! grep -q '"partial": *true' "$out/results.json"
ok $? "and complete"
r=$(reason ksm.merge)
[ "$r" = "harness worker died: killed by signal 6 (Aborted) in phase setup" ]
ok $? "ksm.merge: one FAIL, \"$r\""
r=$(reason fork.latency)
[ "$r" = "timed out after 3 s in phase measured" ]
ok $? "fork.latency: \"$r\""
cr --scenario fork.child-write --expect-verdict pass --min-samples 2 >/dev/null
ok $? "fork.child-write after them passed twice"
none_left
ok $? "no process of the run is left${left:+: $left}"
knobs_equal "$before"
ok $? "every knob is as before"

# 3. A worker killed for a hang right after prepare(): the KSM knobs it
# set were changed while it hung, and are back after.
start setup COWBENCH_TEST_HANG=ksm.merge:setup \
	"$COWBENCH" --reps 1 --warmup 0 --size 4M --sample-timeout 3 \
	--out "$scratch/setup" ksm.merge
n=30
while [ "$(ksm_knobs)" = "$ksm_before" ] && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
[ "$(ksm_knobs)" != "$ksm_before" ]
ok $? "ksm.merge hanging after its prepare() has the KSM knobs changed"
finish
r=$(reason ksm.merge)
[ $rc -eq 1 ] && [ "$r" = "timed out after 3 s in phase setup" ]
ok $? "it ends as \"$r\" (rc $rc)"
none_left && knobs_equal "$before"
ok $? "no process is left and every knob is as before${left:+ (left: $left)}"

# 4. The undo of a knob the killed worker left changed never finishes:
# its helper is killed at the limit, the point gets a FAIL naming the
# knob, the run goes on; the knob stays in the journal, and the next
# start (here --restore) puts it back.
pts=/sys/kernel/mm/ksm/pages_to_scan
start stuck COWBENCH_TEST_HANG=ksm.merge:setup COWBENCH_TEST_STUCK_UNDO=$pts \
	"$COWBENCH" --reps 2 --warmup 0 --size 4M --sample-timeout 3 \
	--out "$scratch/stuck" ksm.merge fork.latency
finish
cr && ! grep -q '"partial": *true' "$out/results.json"
ok $? "a run whose undo of $pts never finishes ends, complete (rc $rc)"
r=$(cr --scenario ksm.merge --expect-verdict fail --expect-evidence harness --print reason)
[ "$r" = "timed out after 3 s in phase setup
undo after the point: knob $pts not done in 3 s (stuck in the kernel?); left in the knob journal" ]
ok $? "ksm.merge: the timeout, then the undo given up on: \"$(squeeze "$r")\""
cr --scenario fork.latency --expect-verdict pass --min-samples 2 >/dev/null
ok $? "fork.latency after it passed twice"
grep -q "could not undo knob $pts - it did not finish in its time limit" "$out.stderr" &&
	grep -q "not undone: knob $pts - stuck in the kernel earlier in this run - left in" "$out.stderr"
ok $? "stderr names the knob, after the point and at the end"
grep -q "^knob	$pts	" "$COWBENCH_STATE_DIR/state" &&
	[ "$(grep -c . "$COWBENCH_STATE_DIR/state")" -eq 2 ]
ok $? "the journal keeps that line, and only it"
none_left
ok $? "no process of the run is left, its undo helpers neither${left:+: $left}"
"$COWBENCH" --restore >"$scratch/stdout" 2>&1 && knobs_equal "$before" &&
	[ ! -e "$COWBENCH_STATE_DIR/state" ]
ok $? "the next start puts it back: every knob is as before"

# The option's own input.
"$COWBENCH" --sample-timeout 0 fork.latency >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$scratch/stderr")" -eq 1 ] &&
	[ ! -s "$scratch/stdout" ]
ok $? "--sample-timeout 0: one line, exit 2 (rc $rc: $(cat "$scratch/stderr"))"

done_testing
