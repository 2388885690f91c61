#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# precision.sh - the repetitions a point takes, on real runs: under
# --precision each point stops between --min-reps and --max-reps (or for
# its budget) and records why, the interval it reached and where its wall
# time went; --reps N takes exactly N; the summary says what missed its
# target and which points took longest; the test-only slowdown
# (COWBENCH_TEST_SLOWDOWN) is honoured by a build configured with
# --enable-test-hooks only.  Behaviour only: no figure is judged, since
# whether a point meets its target depends on the machine.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (pagemap PFNs, the knob journal)"

out=$scratch/adaptive
# One field of every sample of fork.child-write, one per line.
fields() { cr --scenario fork.child-write --print "$1"; }

"$COWBENCH" --quick --size 1M --backing small --min-reps 3 --max-reps 4 \
	--precision 0.1 --out "$out" fork.child-write fork.latency \
	>"$scratch/adaptive.out" 2>&1
rc=$?
[ $rc -eq 0 ] && cr --expect-point
ok $? "--precision: exit $rc, every sample has a valid point (reps, interval, time split)"
reps=$(fields point.reps | sort -u)
stop=$(fields point.stop | sort -u)
[ "$reps" -ge 3 ] && [ "$reps" -le 4 ] &&
	[ "$(fields rep | wc -l)" -eq "$reps" ] &&
	case $stop in precision|max_reps|budget) true ;; *) false ;; esac
ok $? "--min-reps 3 --max-reps 4: $reps reps recorded, stopped for '$stop'"
[ "$(fields point.precision_target | sort -u)" = 0.001 ]
ok $? "the target recorded is --precision 0.1 as a fraction"
grep -q '^precision: [0-9]* of 2 timed points met their target$' "$scratch/adaptive.out" &&
	grep -q '^time: [0-9.]* s in 2 points; the longest' "$scratch/adaptive.out" &&
	grep -q '^  *[0-9.]* s fork.child-write 1M, [34] reps (' "$scratch/adaptive.out"
ok $? "the summary's footer: points that met the target, the longest points with their split"
if [ "$stop" != precision ]; then
	grep -q "^    precision: +-[0-9.]*% not +-0.1% after $reps reps, stopped: $stop$" "$scratch/adaptive.out"
	ok $? "a point short of its target is marked under its summary line"
fi

out=$scratch/fixed
"$COWBENCH" --quick --size 1M --backing small --reps 2 --out "$out" \
	fork.child-write >"$scratch/fixed.out" 2>&1
rc=$?
[ $rc -eq 0 ] && cr --expect-point &&
	[ "$(fields point.reps | sort -u)" = 2 ] &&
	[ "$(fields point.stop | sort -u)" = reps ] &&
	[ "$(fields point.precision_target | sort -u)" = null ] &&
	[ "$(fields point.met | sort -u)" = null ] &&
	! grep -q '^precision:' "$scratch/fixed.out"
ok $? "--reps 2: exactly 2, stop 'reps', no target and nothing met or missed (exit $rc)"
# The machine's speed beside each sample (lib/refcopy.c): a positive time
# in results.json and the same figure in samples.tsv's last column.
refs=$(fields metrics.ref_copy_ns)
tsv=$(awk -F'\t' 'NR > 1 && $1 == "fork.child-write" { print $NF }' "$out/samples.tsv")
[ "$(printf '%s\n' "$refs" | wc -l)" -eq 2 ] &&
	printf '%s\n' "$refs" | awk '!($1 > 0) { exit 1 }' &&
	[ "$(printf '%s\n' "$refs" | awk '{ printf "%.3f\n", $1 }')" = "$tsv" ]
ok $? "every sample timed the reference copy: $(printf "%s" "$refs" | tr "\n" " ") ns a page, as in samples.tsv"

# 0.1 % is out of reach in a few samples: the budget (1 s over 2 points)
# or the target ends each point, long before --max-reps.
out=$scratch/budget
"$COWBENCH" --quick --size 1M --backing small --min-reps 2 --max-reps 1000 \
	--precision 0.1 --budget 1 --out "$out" fork.child-write fork.latency \
	>"$scratch/budget.out" 2>&1
rc=$?
stop=$(fields point.stop | sort -u)
reps=$(fields point.reps | sort -u)
[ $rc -eq 0 ] && cr --expect-point && [ "$reps" -lt 1000 ] &&
	case $stop in budget|precision) true ;; *) false ;; esac
ok $? "--budget 1: stopped for '$stop' after $reps reps, not at --max-reps 1000 (exit $rc)"

# Passes: a budget far too small for the target ends each point's first
# visit at pass_min (2 of --min-reps 4); the second pass samples it again
# with a new worker.  The point's samples stay together, numbered on, and
# it ends with --min-reps at least.
out=$scratch/passes
"$COWBENCH" --quick --size 1M --backing small --min-reps 4 --max-reps 1000 \
	--precision 0.1 --budget 1 --passes 2 --out "$out" fork.child-write \
	fork.latency >"$scratch/passes.out" 2>&1
rc=$?
reps=$(fields point.reps | sort -u)
[ $rc -eq 0 ] && cr --expect-point &&
	[ "$(fields point.visits | sort -u)" = 2 ] && [ "$reps" -ge 4 ] &&
	[ "$(fields rep | tr '\n' ' ')" = "$(seq 0 $((reps - 1)) | tr '\n' ' ')" ] &&
	[ "$(cr --print scenario | uniq | wc -l)" -eq 2 ]
ok $? "--passes 2: each point visited twice, $reps reps numbered on, its samples together (exit $rc)"
"$COWBENCH" --reps 3 --passes 2 fork.latency >"$scratch/passes-reps.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q -- '--reps fixes the repetitions' "$scratch/passes-reps.out"
ok $? "--passes with --reps: refused, exit $rc"

# The slowdown, on in a test-hooks build only.
out=$scratch/slow
COWBENCH_TEST_SLOWDOWN=fork.child-write:1000 "$COWBENCH" --quick --size 1M \
	--backing small --reps 2 --out "$out" fork.child-write \
	>"$scratch/slow.out" 2>&1
rc=$?
if grep -q '^#define COW_TEST_HOOKS 1' config.h 2>/dev/null; then
	# 1000 ns per page written: the metric is pages_written * 1000.
	fields metrics.test_slowdown_ns >"$scratch/slow.ns"
	[ $rc -eq 0 ] && fields pages_written | awk '{ print $1 * 1000 }' |
		cmp -s - "$scratch/slow.ns"
	ok $? "test-hooks build: COWBENCH_TEST_SLOWDOWN recorded as 1000 ns per page written (exit $rc)"
else
	[ $rc -eq 0 ] && [ "$(fields metrics.test_slowdown_ns | sort -u)" = null ]
	ok $? "normal build: COWBENCH_TEST_SLOWDOWN does nothing, no sample says it was slowed (exit $rc)"
fi

done_testing
