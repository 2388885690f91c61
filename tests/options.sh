#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# options.sh - bad input is a one-line error and exit 2, and writes nothing.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"


# expect_usage DESCRIPTION ARGS...: exit 2, exactly one line on stderr.
expect_usage() {
	desc=$1
	shift
	"$COWBENCH" "$@" >"$scratch/out" 2>"$scratch/err"
	rc=$?
	lines=$(wc -l <"$scratch/err")
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$scratch/out" ]
	ok $? "$desc: exit $rc, $lines line(s): $(head -c 100 "$scratch/err")"
}

expect_usage "size with a bad unit" --size 12x fork.latency
expect_usage "size zero" --size 0 fork.latency
expect_usage "size not page-aligned" --size 5000 fork.latency
expect_usage "size overflowing" --size 99999999999999999999 fork.latency
expect_usage "size bigger than memory" --size 64T fork.latency
expect_usage "negative reps" --reps -1 fork.latency
expect_usage "reps not a number" --reps abc fork.latency
expect_usage "reps zero" --reps 0 fork.latency
expect_usage "warmup with junk" --warmup 3x fork.latency
expect_usage "precision not a number" --precision abc fork.latency
expect_usage "precision zero" --precision 0 fork.latency
expect_usage "precision above 50%" --precision 60% fork.latency
expect_usage "precision with junk after %" --precision 2%x fork.latency
expect_usage "fixed reps with a precision" --reps 5 --precision 2 fork.latency
expect_usage "fixed reps with max-reps" --reps 5 --max-reps 9 fork.latency
expect_usage "min-reps above max-reps" --min-reps 10 --max-reps 5 fork.latency
expect_usage "min-reps 1 (no interval of one sample)" --min-reps 1 fork.latency
expect_usage "budget not a number" --budget 1m fork.latency
expect_usage "unknown format" --format xml fork.latency
expect_usage "quick and full" --quick --full fork.latency
expect_usage "reversed cpu range" --cpu 5-1 fork.latency
expect_usage "unknown option" --frobnicate fork.latency
expect_usage "no scenario" --reps 1
expect_usage "unknown scenario" nosuch.thing
expect_usage "children zero" --children 0 fork.many
expect_usage "unknown --list form" --list=bogus
# found by tests/fuzz/fuzz-options: an argument's newline made two lines
nl='
'
expect_usage "a newline in a bad value" --size "1${nl}2" fork.latency
expect_usage "a newline in a scenario" "fork${nl}x"

# Nothing already written is lost: a bad invocation leaves --out alone.
mkdir -p "$scratch/keep"
echo '{"meta":{},"samples":[]}' >"$scratch/keep/results.json"
cp "$scratch/keep/results.json" "$scratch/keep.orig"
"$COWBENCH" --out "$scratch/keep" --reps nope fork.latency 2>/dev/null
cmp -s "$scratch/keep/results.json" "$scratch/keep.orig"
ok $? "a bad option leaves an existing results.json untouched"
# A --dir that cannot be used is refused before the results directory.
"$COWBENCH" --dir "$scratch/no/such/dir" --out "$scratch/baddir" \
	fork.latency 2>/dev/null
rc=$?
[ $rc -eq 2 ] && [ ! -e "$scratch/baddir" ]
ok $? "a bad --dir: exit $rc, no results directory written"

"$COWBENCH" --list >"$scratch/list"
ok $? "--list exits 0"
n=$(grep -c '^fork\.' "$scratch/list")
[ "$n" -eq 6 ]
ok $? "--list shows the six fork scenarios ($n)"
"$COWBENCH" --help | grep -q -- '--size'
ok $? "--help describes --size"
"$COWBENCH" --version | grep -q '^cowbench '
ok $? "--version"
"$COWBENCH" --list | grep -q 'fork.child-write .*required'
ok $? "--list gives a one-line description"

# --add-meta (for scripts/vm-run): adds a key to a finished run, never
# changes one, and bad input changes nothing.
run=$scratch/meta
"$COWBENCH" --reps 1 --warmup 0 --size 64k --out "$run" fork.latency >/dev/null 2>&1
rel=$(uname -r)
vm='{"accelerator":"tcg","emulated":true,"vcpus":2,"memory_mib":2048,'
vm=$vm'"qemu_version":"test","kernel_release":"'$rel'","guest_release":"'$rel'",'
vm=$vm'"guest_cpus":null}'
"$COWBENCH" --add-meta "vm=$vm" "$run"
rc=$?
[ $rc -eq 0 ] && "$CHECK_RESULTS" "$run/results.json" --min-samples 1 &&
	grep -q '"accelerator": *"tcg"' "$run/results.json"
ok $? "--add-meta adds meta.vm and results.json stays valid (rc $rc)"
cp "$run/results.json" "$scratch/meta.orig"
expect_usage "--add-meta of a key already set" --add-meta 'vm={}' "$run"
expect_usage "--add-meta with invalid JSON" --add-meta 'x={nope' "$run"
expect_usage "--add-meta without KEY=" --add-meta '{}' "$run"
expect_usage "--add-meta without a directory" --add-meta 'x=1'
# shellcheck disable=SC2010 # any name with tmp in it will do
cmp -s "$run/results.json" "$scratch/meta.orig" && ! ls "$run" | grep -q tmp
ok $? "refused --add-meta calls left results.json as it was"

done_testing
