#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fork.sh - the fork scenarios at a small size: what holds on every
# correct kernel (exact copy counts where the semantics fix them, every
# integrity check passing), a valid results.json, and knobs put back.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

out=$scratch/run

# Without root the workloads and their integrity checks run all the
# same; copies are not counted (PFNs hidden), and the results say why.
if [ "$(id -u)" -ne 0 ]; then
	run_ok "cowbench fork.* as $(id -un)" --reps 2 --warmup 0 --size 1M \
		--backing small --out "$out" 'fork.*'
	cr --min-samples 12 && cr --scenario 'fork.*' --expect-verdict pass
	ok $? "results.json is valid; every sample passes its integrity check"
	[ "$(cr --scenario fork.child-write --print pages_copied | sort -u)" = null ] &&
		cr --scenario fork.child-write --print reason | grep -q 'PFN'
	ok $? "pages_copied is null, and the reason names the hidden PFNs"
	ok 0 "# SKIP needs root: exact copy counts, kernel.task_delayacct, SIGINT/kill -9 restore, tracefs"
	done_testing
	exit
fi

knob=/proc/sys/kernel/task_delayacct
before=$(cat $knob)

# Small pages: the other backings are tests/backings.sh's.
run_ok "cowbench fork.*" --reps 3 --warmup 1 --size 4M --backing small \
	--out "$out" 'fork.*'

cr --min-samples 18
ok $? "results.json has the schema and 3 samples of each of 6 scenarios"
for sc in child-write parent-write-alive parent-after-exit exec-window latency many; do
	cr --scenario "fork.$sc" --expect-verdict pass
	ok $? "fork.$sc: every sample passes its integrity check"
done
cr --scenario fork.child-write --expect-copies-equal-written
ok $? "fork.child-write copies exactly the 1024 pages written"
cr --scenario fork.child-write --expect-wpcopy-equal-copies
ok $? "fork.child-write: the kernel's wpcopy_count equals the pagemap count"
cr --scenario fork.parent-write-alive --expect-copies-equal-written
ok $? "fork.parent-write-alive copies exactly the pages written"
cr --scenario fork.many --expect-copies-equal-written
ok $? "fork.many: the children copy exactly the pages they write"
cr --scenario fork.parent-after-exit --expect-required 0
ok $? "fork.parent-after-exit requires 0 copies"
[ "$(cat $knob)" = "$before" ]
ok $? "kernel.task_delayacct is back at $before"

# Interrupted: partial but valid results, knobs restored, exit 128+SIGINT.
interrupt INT --reps 100000 --warmup 0 --size 4M --out "$scratch/int" \
	fork.child-write
[ $rc -eq 130 ] && grep -q '"partial": *true' "$scratch/int/results.json" &&
	"$CHECK_RESULTS" "$scratch/int/results.json" --min-samples 1
ok $? "SIGINT stops the run with valid partial results (rc $rc)"
[ "$(cat $knob)" = "$before" ]
ok $? "after SIGINT kernel.task_delayacct is back at $before"

# kill -9 leaves the knob changed; the next start puts it back.
interrupt KILL --reps 100000 --warmup 0 --size 4M --out "$scratch/kill" \
	fork.child-write
left=$(cat $knob)
"$COWBENCH" --restore >/dev/null
# (Where the knob was already on, there is no change to see left behind.)
{ [ "$before" = 1 ] || [ "$left" = 1 ]; } && [ "$(cat $knob)" = "$before" ] &&
	[ ! -s "$COWBENCH_STATE_DIR/state" ]
ok $? "kill -9 left kernel.task_delayacct at $left; the next start restored $before"

# A tracepoint event may make the run mount tracefs; it must unmount it.
tracefs() { grep -c ' /sys/kernel/tracing tracefs ' /proc/mounts; }
t0=$(tracefs)
"$COWBENCH" -e kmem:mm_page_alloc --reps 1 --warmup 0 --size 4M \
	--backing small --out "$scratch/tp" fork.child-write >/dev/null 2>&1
n=$("$CHECK_RESULTS" "$scratch/tp/results.json" --print events.kmem:mm_page_alloc)
[ "$(tracefs)" = "$t0" ] && [ "${n:-0}" -ge 1024 ] 2>/dev/null
ok $? "kmem:mm_page_alloc counted ($n) and tracefs mounted as before ($t0)"

done_testing
