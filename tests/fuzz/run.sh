#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# run.sh - `make fuzz`: each libFuzzer target for SECONDS, one after the
# other, on a scratch copy of its committed seed corpus.  Prints
# "fuzz-X: N executions, K crashes" per target; fails on any crash,
# sanitizer report, leak, timeout or out-of-memory.
#
# usage: run.sh SRCDIR WORKDIR SECONDS TARGET...
# Extra libFuzzer flags: FUZZ_FLAGS (e.g. FUZZ_FLAGS=-runs=1000000).
set -u
top=${1:-.}
prog=fuzz/run.sh
# shellcheck source=scripts/common.sh
. "$top/scripts/common.sh"
[ $# -ge 4 ] || die "usage: $prog SRCDIR WORKDIR SECONDS TARGET..."
posint SECONDS "$3"
srcdir=$1 workdir=$2 seconds=$3
shift 3

fail=0
for t in "$@"; do
	name=${t##*/}
	dir=$workdir/$name
	# a fresh scratch corpus: the committed seeds are never written to
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	cp "$srcdir/tests/fuzz/corpus/$name"/* "$dir/corpus/"
	dict=
	[ -f "$srcdir/tests/fuzz/$name.dict" ] &&
		dict=-dict=$srcdir/tests/fuzz/$name.dict
	# scratch files a target writes (fuzz-results' chart data) stay here
	# shellcheck disable=SC2086 # $dict: one word or none; FUZZ_FLAGS: a list
	TMPDIR=$dir "$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/" $dict ${FUZZ_FLAGS:-} \
		"$dir/corpus" >"$dir/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	[ -n "$runs" ] ||
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$dir/log" | tail -n 1)
	crashes=$(find "$dir/artifacts" -type f | wc -l)
	# a report without an artifact (e.g. an abort in libFuzzer itself)
	if [ $rc -ne 0 ] && [ "$crashes" -eq 0 ]; then
		crashes=1
	fi
	echo "$name: ${runs:-?} executions, $crashes crashes"
	if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$runs" ]; then
		fail=1
		grep -E -m 5 'ERROR|WARNING|SUMMARY|property violated|runtime error' \
			"$dir/log" | sed "s|^|$name: |"
		echo "$name: log $dir/log, inputs $dir/artifacts/"
	fi
done
exit $fail
