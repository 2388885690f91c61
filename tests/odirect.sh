#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# odirect.sh - the O_DIRECT scenarios at a small size: the data lands in
# the parent in every pass of the fork race, a read into pages a live
# child shares copies each of them, and the scratch file is gone after
# the run, after SIGINT and, through --restore, after kill -9.
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs in pagemap, scratch-file registry)"

plan 11
out=$scratch/run
dir=$scratch/dir
mkdir "$dir" || exit 99
cr() { "$CHECK_RESULTS" "$out/results.json" "$@"; }
empty() { [ -z "$(ls -A "$1")" ]; }

"$COWBENCH" --reps 3 --warmup 1 --size 4M --dir "$dir" --out "$out" \
	'odirect.*' >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
ok $rc "cowbench odirect.* exits 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"

cr --scenario odirect.fork-race --expect-verdict pass --min-samples 3
ok $? "odirect.fork-race: the data landed in the parent after every pass"
forks=$(cr --scenario odirect.fork-race --print metrics.forks_io | sort -n | head -1)
[ "${forks:-0}" -ge 1 ] 2>/dev/null
ok $? "odirect.fork-race: forks overlapped the I/O (at least $forks a sample)"
cr --scenario odirect.read-into-shared --expect-verdict pass --min-samples 3
ok $? "odirect.read-into-shared: the parent got the file, the child kept its data"
cr --scenario odirect.read-into-shared --expect-required 1024 \
	--expect-copies-equal-written
ok $? "odirect.read-into-shared: every page read into was unshared (copied)"
empty "$dir"
ok $? "the scratch files are gone after the run"

"$COWBENCH" --reps 100000 --warmup 0 --size 4M --dir "$dir" \
	--out "$scratch/int" odirect.fork-race >/dev/null 2>&1 &
pid=$!
sleep 2
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ]
ok $? "SIGINT stops the run (rc $rc)"
empty "$dir"
ok $? "the scratch file is gone after SIGINT"

"$COWBENCH" --reps 100000 --warmup 0 --size 4M --dir "$dir" \
	--out "$scratch/kill" odirect.read-into-shared >/dev/null 2>&1 &
pid=$!
sleep 2
left=$(ls "$dir" | wc -l)
kill -KILL $pid
wait $pid 2>/dev/null
[ "$left" -eq 1 ]
ok $? "the run had its scratch file in --dir ($left)"
"$COWBENCH" --restore >/dev/null
rc=$?
[ $rc -eq 0 ]
ok $? "cowbench --restore after kill -9 (rc $rc)"
empty "$dir"
ok $? "and the file kill -9 left behind is gone"

done_testing
