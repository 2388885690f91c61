#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# iouring.sh - the io_uring scenarios at a small size: fork copies every
# registered page into the child (none with MADV_DONTFORK) and leaves the
# parent's pages in place, so that fixed-buffer I/O after the forks meets
# the parent's own writes, and READ_FIXED data lands in the parent while
# it forks.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

"$COWBENCH" --list | grep -q '^iouring\.' ||
	skip_all "cowbench was built without liburing"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs in pagemap)"

out=$scratch/run
dir=$scratch/dir
mkdir "$dir" || exit 99

"$COWBENCH" --reps 3 --warmup 1 --size 4M --dir "$dir" --out "$out" \
	'iouring.*' >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
if cr --scenario 'iouring.*' --expect-verdict skip 2>/dev/null; then
	skip_all "io_uring refused here: $(cr --scenario iouring.fork-fixed --print reason | head -1)"
fi

ok $rc "cowbench iouring.* exits 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"

cr --scenario iouring.fork-fixed --expect-verdict pass --min-samples 6
ok $? "iouring.fork-fixed: 3 samples each without and with MADV_DONTFORK pass"
cr --scenario iouring.fork-fixed --print params.madvise >"$scratch/mad"
cr --scenario iouring.fork-fixed --print pages_copied >"$scratch/cop"
cr --scenario iouring.fork-fixed --print extra_copies >"$scratch/ext"
paste "$scratch/mad" "$scratch/cop" "$scratch/ext" >"$scratch/fixed"
sed 's/^/# /' "$scratch/fixed"
awk '$1 == "none" { n++; if ($2 != 1024) bad = 1 } END { exit bad || n != 3 }' \
	"$scratch/fixed"
ok $? "fork copies all 1024 registered pages into the child"
awk '$1 == "dontfork" { n++; if ($2 != 0) bad = 1 } END { exit bad || n != 3 }' \
	"$scratch/fixed"
ok $? "with MADV_DONTFORK fork copies none"
awk '{ n++; if ($3 != 0) bad = 1 } END { exit bad || n != 6 }' "$scratch/fixed"
ok $? "the parent's registered pages never move (0 extra copies)"
cr --scenario iouring.fork-fixed --param madvise=none --expect-value copies_missing=0
ok $? "no registered page is shared with the child (copies_missing 0)"
cr --scenario iouring.fork-fixed --expect-value metrics.io_write_stale_pages=0 &&
	cr --scenario iouring.fork-fixed --expect-value metrics.io_read_lost_pages=0
ok $? "WRITE_FIXED and READ_FIXED after the forks met the parent's own pages (data check ran)"
ratio=$(cr --scenario iouring.fork-fixed --print metrics.registered_over_unregistered | head -1)
[ -n "$ratio" ] && [ "$ratio" != null ]
ok $? "the registered/unregistered fork-latency ratio is reported ($ratio)"

cr --scenario iouring.read-fixed-race --expect-verdict pass --min-samples 3 \
	--expect-required 0
ok $? "iouring.read-fixed-race: READ_FIXED data landed in the parent in every pass"
per=$(cr --scenario iouring.read-fixed-race --print metrics.child_copies_per_fork_io | sort -u)
[ "$per" = 1024 ]
ok $? "every fork during the I/O copied all 1024 registered pages ($per)"
[ -z "$(ls -A "$dir")" ]
ok $? "the scratch file is gone after the run"

done_testing
