#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# thp.sh - the THP and mTHP scenarios at a small size (4M: two PMD THPs):
# what holds on every correct kernel, and every THP knob put back.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs in pagemap, THP knobs)"
[ -e /sys/kernel/mm/transparent_hugepage/enabled ] || skip_all "no THP"

before=$(knob_snapshot)
out=$scratch/run
# shellcheck disable=SC2010 # sysfs names, no surprises in them
nmthp=$(ls -d /sys/kernel/mm/transparent_hugepage/hugepages-*kB/enabled 2>/dev/null |
	grep -vc "hugepages-$(($(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size) / 1024))kB")

run_ok "cowbench thp.*" --reps 2 --warmup 0 --size 4M --out "$out" 'thp.*'

cr --scenario thp.fork-write --min-samples 8 --expect-verdict pass
ok $? "thp.fork-write: 4 phases x 2 samples on PMD THPs, data intact"
if kernel_at_least 5 8; then
	cr --scenario thp.fork-write --param phase=shared-byte \
		--expect-copies-equal-written
	ok $? "thp.fork-write shared-byte: one 4 KiB copy per huge page written (5.8+)"
else
	ok 0 "# SKIP before 5.8 a shared THP written is copied whole"
fi
cr --scenario thp.fork-write --param phase=shared-all --expect-required 1022 \
	--expect-value copies_missing=0
ok $? "thp.fork-write shared-all: every page not yet copied is copied"
cr --scenario thp.fork-write --param phase=exit-split --expect-required 0
ok $? "thp.fork-write exit-split: no copy required after the child exited"
cr --scenario thp.fork-write --param phase=exit-pmd --expect-required 0
ok $? "thp.fork-write exit-pmd: no copy required after the child exited"
if [ "$nmthp" -gt 0 ]; then
	cr --scenario thp.mthp --min-samples $((2 * nmthp)) --expect-verdict pass
	ok $? "thp.mthp: $nmthp sizes x 2 samples, each in folios of its size"
	cr --scenario thp.mthp --expect-value copies_missing=0
	ok $? "thp.mthp: every page written while shared is copied"
	# 64 folios of 64k in 4M, written in 8 rounds (512 folios a sample)
	cr --scenario thp.mthp --param folio=64k --expect-required 512 \
		--expect-value metrics.rounds=8
	ok $? "thp.mthp 64k: one required copy per folio and round (64 in 4M, 8 rounds)"
else
	cr --scenario thp.mthp --expect-verdict skip
	ok $? "thp.mthp skips without mTHP sizes"
	ok 0 "# SKIP no mTHP sizes"
	ok 0 "# SKIP no mTHP sizes"
fi
cr --scenario thp.collapse --min-samples 4 --expect-verdict pass
ok $? "thp.collapse: collapsed to PMD THPs, the child saw no parent write"
cr --scenario thp.collapse --param collapse=before-fork --expect-required 1024 \
	--expect-value copies_missing=0
ok $? "thp.collapse before-fork: every page copied while shared"
cr --scenario thp.collapse --param collapse=after-fork --expect-required 0
ok $? "thp.collapse after-fork: the parent's collapsed THP needs no copy"
cr --scenario thp.fork-latency --min-samples 2 --expect-verdict pass \
	--expect-required 0
ok $? "thp.fork-latency: THP and 4 KiB regions forked, nothing written"
knobs_equal "$before"
ok $? "every KSM, THP, mTHP, swap and delayacct value is as before the run"

done_testing
