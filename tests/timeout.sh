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
# back before the next point starts.
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

# The option's own input.
"$COWBENCH" --sample-timeout 0 fork.latency >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$scratch/stderr")" -eq 1 ] &&
	[ ! -s "$scratch/stdout" ]
ok $? "--sample-timeout 0: one line, exit 2 (rc $rc: $(cat "$scratch/stderr"))"

done_testing
