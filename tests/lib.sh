# SPDX-License-Identifier: GPL-2.0-only
# lib.sh - TAP helpers for the shell tests; sourced, not run.

: "${COWBENCH:=$(pwd)/bench/cowbench}"
: "${CHECK_RESULTS:=$(pwd)/tests/check-results}"
tap_n=0
tap_failed=0

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
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
done_testing() { [ "$tap_failed" -eq 0 ]; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/cowbench-test.XXXXXX") || exit 99
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
trap 'sanitizer_reports || { rm -rf "$scratch"; exit 1; }; rm -rf "$scratch"' EXIT

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
	kill -"$sig" $pid
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

# Every KSM, THP, mTHP and khugepaged knob (files with a write bit),
# kernel.task_delayacct and the active swap areas, one "path=value" a line.
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

knob_snapshot() {
	for f in /proc/sys/kernel/task_delayacct /sys/kernel/mm/ksm/* \
		 /sys/kernel/mm/transparent_hugepage/* \
		 /sys/kernel/mm/transparent_hugepage/khugepaged/* \
		 /sys/kernel/mm/transparent_hugepage/hugepages-*/* \
		 /sys/kernel/mm/hugepages/hugepages-*/nr_hugepages \
		 /sys/block/zram*/disksize; do
		[ -f "$f" ] && [ -n "$(find "$f" -maxdepth 0 -perm /222)" ] ||
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
