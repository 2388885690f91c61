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
trap 'rm -rf "$scratch"' EXIT

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
