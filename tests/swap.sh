#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# swap.sh - the swap-cache scenarios at a small size on a swapfile of the
# run's own: the copies the semantics require, and no swapfile left.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (swapon, PFNs)"

before=$(knob_snapshot)
out=$scratch/run
mkdir "$scratch/dir"

run_ok "cowbench swap.*" --reps 2 --warmup 0 --size 4M --dir "$scratch/dir" --out "$out" \
	'swap.*'

cr --scenario swap.cow --min-samples 4 --expect-verdict pass
ok $? "swap.cow: every page swapped out, read back, written; data intact"
cr --scenario swap.cow --param sharing=exclusive --expect-required 0
ok $? "swap.cow exclusive: no copy required"
cr --scenario swap.cow --param sharing=child --expect-copies-equal-written
ok $? "swap.cow child: every page shared through swap is copied"
cr --scenario swap.loop --min-samples 2 --expect-verdict pass \
	--expect-required 0
ok $? "swap.loop: 8 pageout-read-write rounds, no copy required"
! grep -q cowbench.swap /proc/swaps
ok $? "no cowbench swap area left in /proc/swaps"
[ -z "$(ls -A "$scratch/dir")" ]
ok $? "no swapfile left in --dir"
knobs_equal "$before"
ok $? "every KSM, THP, swap and delayacct value is as before the run"

done_testing
