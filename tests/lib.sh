# SPDX-License-Identifier: GPL-2.0-only
# lib.sh - TAP helpers for the shell tests; sourced, not run.  It sources
# scripts/common.sh ($top is the source tree, $prog the test's name).
#
# The plan is counted, not written by hand: done_testing prints "1..N"
# for the N tests that ran, at the end, where TAP allows it.  A test that
# stops before done_testing prints no plan, and automake's tap-driver
# reports the missing plan as an ERROR, not a short pass.
# shellcheck shell=sh

top=${COW_SRCDIR:-.}
prog=${0##*/}
# shellcheck source=scripts/common.sh
. "$top/scripts/common.sh"

: "${COWBENCH:=$(pwd)/bench/cowbench}"
: "${CHECK_RESULTS:=$(pwd)/tests/check-results}"
tap_n=0
tap_failed=0
tap_planned=

# skip_all REASON: the whole test skips, before it runs any.
skip_all() {
	if [ "$tap_n" -gt 0 ]; then
		echo "Bail out! skip_all after $tap_n tests: $*"
		exit 99
	fi
	echo "1..0 # SKIP $*"
	tap_planned=1
	exit 0
}
diag() { echo "# $*"; }
ok() {
	# ok STATUS DESCRIPTION: STATUS 0 passes.
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
# done_testing: the plan, for the tests that ran; its status is 0 if none
# failed.  No test at all is a failure: the test did not do its job.
done_testing() {
	[ "$tap_n" -gt 0 ] || ok 1 "the test ran no test"
	echo "1..$tap_n"
	tap_planned=1
	[ "$tap_failed" -eq 0 ]
}

# cr CHECK-RESULTS-ARGS...: tests/check-results on $out/results.json.
# shellcheck disable=SC2154 # $out is set by the test
cr() { "$CHECK_RESULTS" "$out/results.json" "$@"; }

# The test's scratch directory: removed at exit, after the test's own
# cleanup (if it defines one: see common.sh).
make_workdir cowbench-test
scratch=$work
# Tests keep their own state directory: a real run elsewhere is not disturbed.
COWBENCH_STATE_DIR=$scratch/state
export COWBENCH_STATE_DIR
# In a sanitizer build (configure --enable-sanitizers) every report goes
# to a file here as well, whichever process made it and whatever the
# test did with its output and exit status: any report fails the test.
ASAN_OPTIONS="${ASAN_OPTIONS-}:log_path=$scratch/sanitizer"
UBSAN_OPTIONS="${UBSAN_OPTIONS-}:log_path=$scratch/sanitizer"
export ASAN_OPTIONS UBSAN_OPTIONS
sanitizer_reports() {
	set -- "$scratch"/sanitizer.*
	[ -e "$1" ] || return 0
	echo "# sanitizer reports ($#):"
	sed 's/^/# /' "$@"
	return 1
}
# At exit (common.sh's EXIT trap): the test's cleanup; a word if it
# stopped before its plan; any sanitizer report fails it.
on_exit() {
	_status=$?
	cleanup
	[ -n "$tap_planned" ] ||
		diag "stopped (exit status $_status) after $tap_n tests, before done_testing"
	sanitizer_reports || { rm -rf "$work"; exit 1; }
	rm -rf "$work"
}

# run_ok DESCRIPTION COWBENCH-ARGS...: run cowbench, one TAP line for its
# exit status, and its output as comments when it failed.
run_ok() {
	desc=$1
	shift
	"$COWBENCH" "$@" >"$scratch/stdout" 2>"$scratch/stderr"
	rc=$?
	ok $rc "$desc exits 0 (rc $rc)"
	[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"
}

# interrupt SIGNAL COWBENCH-ARGS...: run cowbench for 2 s, send SIGNAL;
# rc is its exit status.
interrupt() {
	sig=$1
	shift
	"$COWBENCH" "$@" >/dev/null 2>&1 &
	pid=$!
	sleep 2
	kill -s "$sig" $pid
	wait $pid 2>/dev/null
	rc=$?
}

# Tests that change kernel knobs run one at a time even under make -j:
# each has a state directory of its own, so nothing else keeps one from
# changing a knob under another's before/after comparison.
serialize_knob_tests() {
	command -v flock >/dev/null 2>&1 || return 0
	exec 9>"${TMPDIR:-/tmp}/cowbench-knob-tests.lock"
	flock 9
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s.
wait_until() {
	n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# Every KSM, THP, mTHP and khugepaged knob (files with a write bit),
# kernel.task_delayacct and the active swap areas, one "path=value" a line.
knob_snapshot() {
	for f in /proc/sys/kernel/task_delayacct /sys/kernel/mm/ksm/* \
		 /sys/kernel/mm/transparent_hugepage/* \
		 /sys/kernel/mm/transparent_hugepage/khugepaged/* \
		 /sys/kernel/mm/transparent_hugepage/hugepages-*/* \
		 /sys/kernel/mm/hugepages/hugepages-*/nr_hugepages \
		 /sys/block/zram*/disksize; do
		{ [ -f "$f" ] && [ -n "$(find "$f" -maxdepth 0 -perm /222)" ]; } ||
			continue
		printf '%s=%s\n' "$f" "$(cat "$f" 2>/dev/null)"
	done
	printf 'swaps=%s\n' "$(awk 'NR > 1 { print $1 }' /proc/swaps | sort | tr '\n' ' ')"
}

# ok if the knobs equal the snapshot in $1, else the differences as diag.
knobs_equal() {
	now=$(knob_snapshot)
	[ "$now" = "$1" ] && return 0
	printf '%s\n' "$1" >"$scratch/knobs.want"
	printf '%s\n' "$now" >"$scratch/knobs.got"
	diff "$scratch/knobs.want" "$scratch/knobs.got" | sed 's/^/# /'
	return 1
}

# Kernel release at least MAJOR.MINOR?
kernel_at_least() {
	rel=$(uname -r)
	maj=${rel%%.*}
	min=${rel#*.}
	min=${min%%[!0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

# As root every test that runs cowbench changes kernel.task_delayacct at
# least, and each has a state directory of its own: under make -j one
# test's restore would switch another's accounting off mid-run.
# A test that sets lock_per_trial before sourcing this takes the lock
# itself, around each step, and lets go of it between them.
[ "$(id -u)" -ne 0 ] || [ -n "${lock_per_trial:-}" ] || serialize_knob_tests

# need_kernel_lab OPTIN TARGET WHAT SRCVAR DEFAULT: the preamble of the
# opt-in tests that build kernels and boot them under QEMU.  Skips unless
# $OPTIN is 1 (make TARGET sets it), we are root, the kernel source
# ($SRCVAR, else DEFAULT) and QEMU are here; sets src.
need_kernel_lab() {
	eval "[ \"\${$1:-0}\" = 1 ]" ||
		skip_all "set $1=1 (make $2) to $3"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs in the guest)"
	src=$5
	eval "[ -z \"\${$4:-}\" ] || src=\$$4"
	[ -e "$src" ] ||
		skip_all "no $src: apt-get install \$(cat scripts/debian-packages-kernel)"
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		skip_all "no qemu-system-x86_64: apt-get install \$(cat scripts/debian-packages-vm)"
}

# backings_of SCENARIO: the backings cowbench --list names for it, small
# first, on one line.
backings_of() {
	"$COWBENCH" --list | sed -n "/^$1 /{n;s/^ *backings: //;s/,//g;p;}"
}

# point_ran SCENARIO BACKING: some sample of that point of the run in
# $out did not skip.
point_ran() {
	[ -n "$(cr --scenario "$1" --param "backing=$2" --print verdict 2>/dev/null)" ]
}

# skip_line SUMMARY SCENARIO POINT: the reason on the skip line under the
# point's line of a run's summary (its standard output, kept in SUMMARY).
skip_line() {
	awk -v sc="$2" -v pt="$3" '$1 == sc && $2 == pt {
		getline; sub(/^ *skip: */, ""); print; exit }' "$1"
}
