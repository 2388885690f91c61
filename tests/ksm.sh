#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ksm.sh - the KSM scenarios at a small size: every merged page written is
# copied (and counted as cow_ksm), the never-merged control is not,
# MADV_UNMERGEABLE copies every page, and every KSM knob is put back.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs, KSM knobs)"
[ -w /sys/kernel/mm/ksm/run ] || skip_all "no writable /sys/kernel/mm/ksm"

before=$(knob_snapshot)
out=$scratch/run

ksm_run() {
	"$COWBENCH" --reps 2 --warmup 0 --size 4M --out "$out" 'ksm.*' \
		>"$scratch/stdout" 2>"$scratch/stderr"
}
ksm_run
rc=$?
# ksmd given too little CPU to merge in time (a loaded machine, a
# sanitizer build) skips, saying so: that is the load's verdict, so the
# run is made once more before anything is judged.
if grep -q '"reason":"ksmd merged [^"]* within' "$out/results.json" 2>/dev/null; then
	diag "ksmd did not merge in time; once more:"
	grep -o '"reason":"ksmd merged [^"]*"' "$out/results.json" | sed 's/^/# /'
	rm -rf "$out"
	ksm_run
	rc=$?
fi
ok $rc "cowbench ksm.* exits 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"

cr --scenario 'ksm.cow' --min-samples 6 --expect-verdict pass
ok $? "ksm.cow: 3 variants x 2 samples, each merged and passing"
cr --scenario ksm.cow --expect-copies-equal-written
ok $? "ksm.cow copies every one of the 1024 merged pages written"
if grep -q '^cow_ksm ' /proc/vmstat; then
	# System-wide: another mergeable process (a VM) may add its own.
	cr --scenario ksm.cow --expect-at-least vmstat.cow_ksm,pages_copied
	ok $? "ksm.cow: the cow_ksm delta counts every pagemap copy"
else
	ok 0 "# SKIP no cow_ksm in /proc/vmstat (5.19+)"
fi
cr --scenario ksm.cow --expect-wpcopy-equal-copies
ok $? "ksm.cow: the kernel's wpcopy_count equals the pagemap count"
cr --scenario ksm.cow --expect-value metrics.control_copies=0
ok $? "ksm.cow: the never-merged control region copies nothing"
cr --scenario ksm.merge --min-samples 2 --expect-verdict pass
ok $? "ksm.merge: the region merged and unmerged, data intact"
cr --scenario ksm.merge --expect-required 1024 \
	--expect-equal pages_copied,pages_required
ok $? "ksm.merge: MADV_UNMERGEABLE copies every page"
if [ -e /sys/kernel/mm/ksm/use_zero_pages ]; then
	cr --scenario ksm.zero-pages --min-samples 2 --expect-verdict pass
	ok $? "ksm.zero-pages: zero pages merged into the zero page, passing"
	cr --scenario ksm.zero-pages --expect-copies-equal-written
	ok $? "ksm.zero-pages: every page written off the zero page is copied"
else
	ok 0 "# SKIP no use_zero_pages"
	ok 0 "# SKIP no use_zero_pages"
fi
knobs_equal "$before"
ok $? "every KSM, THP, swap and delayacct value is as before the run"

done_testing
