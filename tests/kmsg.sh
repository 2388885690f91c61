#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# kmsg.sh - a warning in the kernel log during a run fails the sample it
# came during, and the results say so.  Userspace cannot write kernel-
# facility records (the kernel makes them LOG_USER), so the runs take
# COWBENCH_KMSG_ANY_FACILITY=1 (test only) and a loop writes a warning
# to /dev/kmsg for as long as the run lasts.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "writing /dev/kmsg needs root"
{ [ -w /dev/kmsg ] && [ -r /dev/kmsg ]; } || skip_all "/dev/kmsg not readable and writable"


line="WARNING: cowbench injected test warning"
# Several samples, long enough (about 1.5 s here) for the loop's writes
# to land inside the run whatever the machine's load.
args="--reps 20 --warmup 1 --size 64M fork.latency"

# inject OUT [ENV...]: the run with the warning written every 0.2 s while
# it lasts; rc is its exit status.  Each echo opens /dev/kmsg anew, and
# the kernel's rate limit on writers is per open file, so none is lost.
inject() {
	out=$1
	shift
	# shellcheck disable=SC2086 # $args: options, split on purpose
	env "$@" "$COWBENCH" --out "$out" $args >"$scratch/stdout" 2>"$scratch/stderr" &
	pid=$!
	while kill -s 0 $pid 2>/dev/null; do
		echo "<4>$line" >/dev/kmsg
		sleep 0.2
	done
	wait $pid
	rc=$?
}

out=$scratch/clean
# shellcheck disable=SC2086 # $args: options, split on purpose
COWBENCH_KMSG_ANY_FACILITY=1 "$COWBENCH" --out "$out" $args \
	>"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
ok $rc "a run with nothing injected exits 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"
cr --min-samples 20
ok $? "its results are valid"
hits=$(cr --print kernel_log | grep -vc '^null$')
[ "$hits" -eq 0 ]
ok $? "no sample has a kernel_log ($hits)"
grep -q '"kernel_log": *"/dev/kmsg"' "$out/results.json"
ok $? "meta.kernel_log is /dev/kmsg"

inject "$scratch/hit" COWBENCH_KMSG_ANY_FACILITY=1
[ "$rc" -eq 1 ]
ok $? "the run with a warning injected exits 1 (rc $rc)"
cr --min-samples 20
ok $? "its results are valid (a kernel_log only on a failed sample)"
n=$(cr --print reason | grep -cxF "kernel: $line")
[ "$n" -ge 1 ]
ok $? "$n samples failed with \"kernel: $line\""
k=$(cr --print kernel_log | grep -cxF "$line")
[ "$k" -eq "$n" ]
ok $? "kernel_log holds the line on each of them ($k)"
grep -q "fail (kernel_log): kernel: $line" "$scratch/stdout"
ok $? "the summary gives the kernel's line as the reason"

# Without the test switch, a userspace record is not the kernel's.
inject "$scratch/user"
ok $rc "the same injection without COWBENCH_KMSG_ANY_FACILITY exits 0 (rc $rc)"
hits=$(cr --print kernel_log | grep -vc '^null$')
[ "$hits" -eq 0 ]
ok $? "and records no kernel_log ($hits)"

done_testing
