#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# vmsplice.sh - the vmsplice scenarios at a small size: the pipe keeps the
# old data in every CVE-2020-29374 case, writes to pages a live child
# shares copy every page, every data check passes, and an interrupted
# run leaves no process (and so no pipe) behind.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs in pagemap)"

out=$scratch/run

# Small pages: vmsplice.leak on the other backings is tests/backings.sh's.
run_ok "cowbench vmsplice.*" --reps 3 --warmup 1 --size 4M --out "$out" \
	--backing small 'vmsplice.*'

cr --min-samples 18
ok $? "results.json has 3 samples of each of 6 points (leak has 3 cases)"
for sc in write-after-splice shared-write leak throughput; do
	cr --scenario "vmsplice.$sc" --expect-verdict pass
	ok $? "vmsplice.$sc: every sample passes its data check"
done
cr --scenario vmsplice.leak --expect-required 1024 --expect-copies-equal-written
ok $? "vmsplice.leak: each of the 1024 pages written is copied (required)"
old=$(cr --scenario vmsplice.leak --print metrics.pipe_old_pages | sort -u)
[ "$old" = 1024 ]
ok $? "vmsplice.leak: the pipe gives back the 1024 old pages in every case ($old)"
cr --scenario vmsplice.shared-write --expect-required 1024 \
	--expect-copies-equal-written
ok $? "vmsplice.shared-write copies every page the live child shares"
cr --scenario 'vmsplice.[wt]*' --expect-required 0
ok $? "write-after-splice and throughput require no copy"

# Interrupted mid-run: exit 130, and no sample process holds a pipe.
interrupt INT --reps 100000 --warmup 0 --size 4M --out "$scratch/int" \
	vmsplice.leak
[ $rc -eq 130 ]
ok $? "SIGINT stops the run (rc $rc)"
sleep 0.2
left=$(pgrep -f -- "$scratch/int" | wc -l)
[ "$left" -eq 0 ]
ok $? "no process of the run is left to hold a pipe ($left)"

done_testing
