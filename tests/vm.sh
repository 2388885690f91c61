#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# vm.sh - scripts/vm-run boots Debian's stock kernel (downloaded, never
# installed) with fork.child-write inside: the results come back with the
# exact copy count and meta.vm.  A guest that panics, hangs mid-run or
# shows an Oops or RCU stall on its console is recognised (exit 4, 5, 3),
# the console from the report on is shown, and the results written so far
# come back, marked partial when the guest did not finish.  The hang and
# the console reports come from vm-run's test-only --test-guest: the
# guest's init stops cowbench after its first sample, and writes the
# report's text to /dev/kmsg (it reaches the console as the kernel's own
# lines do; a real Oops would take a broken kernel).  Opt-in (it downloads
# a ~70 MB kernel package): COWBENCH_VM_TESTS=1, or `make check-vm`.
# COWBENCH_VM_KERNEL=FILE uses that kernel instead of downloading one.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "${COWBENCH_VM_TESTS:-0}" = 1 ] || skip_all "set COWBENCH_VM_TESTS=1 (make check-vm) to boot a kernel in QEMU"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (dpkg-deb -x of a kernel, PFNs in the guest)"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip_all "no qemu-system-x86_64: apt-get install \$(cat scripts/debian-packages-vm)"

vmrun=$top/scripts/vm-run
kernel=${COWBENCH_VM_KERNEL:-}
if [ -z "$kernel" ]; then
	kernel=$("$top/scripts/get-debian-kernel" 2>"$scratch/get.err")
	[ -n "$kernel" ] || sed 's/^/# /' "$scratch/get.err"
fi
[ -f "$kernel" ]
ok $? "a stock Debian kernel to boot: ${kernel:-none}"
# vm-run puts $COWBENCH, the build under test, into the guest.
export COWBENCH

out=$scratch/vm
t0=$(date +%s)
"$vmrun" "$kernel" --out "$out" -- --only fork.child-write -- \
	--backing small --size 4M --reps 3 --warmup 1 >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
t=$(($(date +%s) - t0))
ok $rc "vm-run fork.child-write exits 0 (rc $rc, ${t}s)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"
probe=$(sed -n 's/.*"accelerator_probe": *"\([^"]*\)".*/\1/p' "$out/results.json" | head -n 1)
diag "vm-run on $(basename "$kernel"): ${t}s ($probe)"
cr --expect-vm --scenario fork.child-write --min-samples 3 --expect-verdict pass
ok $? "results.json came back over 9p, 3 passing samples, meta.vm consistent"
cr --scenario fork.child-write --expect-copies-equal-written
ok $? "in the guest fork.child-write copies exactly the 1024 pages written"
acc=$(sed -n 's/.*"accelerator": *"\([a-z]*\)".*/\1/p' "$out/results.json" | head -n 1)
[ "$acc" = kvm ] || [ "$acc" = tcg ]
ok $? "meta.vm.accelerator is recorded ($acc)"
# shellcheck disable=SC2010 # any name with .tmp in it will do
[ -s "$out/console.log" ] && ! ls -A "$out" | grep -q '\.tmp'
ok $? "the console log is kept and nothing temporary is left"
# vmget DIR KEY: a string (quoted) or literal of meta.vm, one a line.
vmget() {
	sed -n "s/^ *\"$2\": *\\(\"[^\"]*\"\\|[a-z]*\\),\\{0,1\\}\$/\\1/p" \
		"$1/results.json" | head -n 1
}
[ "$(vmget "$out" outcome)" = '"complete"' ] &&
	[ "$(vmget "$out" finished)" = true ] &&
	grep -q '"partial":false' "$out/results.json"
ok $? "meta.vm: outcome complete, finished, not partial"

# The console from the first report on: the line after the heading.
shown() {
	sed -n '/the console from its first report on/{n;p;q}' "$1" | grep -q -- "$2"
}

# A guest kernel that panics: no init it can run.
"$vmrun" "$kernel" --accel tcg --timeout 120 --out "$scratch/panic" \
	--append rdinit=/nonexistent >/dev/null 2>"$scratch/panic.err"
rc=$?
[ $rc -eq 4 ] && grep -q 'panicked' "$scratch/panic.err" &&
	shown "$scratch/panic.err" '^  | .*Kernel panic - not syncing'
ok $? "a panicking guest: exit 4 ($rc), the console from the panic on"
[ $rc -eq 4 ] || sed 's/^/# /' "$scratch/panic.err"
[ ! -e "$scratch/panic" ]
ok $? "... and no results directory (there were none)"

# A guest that hangs mid-run (cowbench stopped after its first sample).
t0=$(date +%s)
"$vmrun" "$kernel" --accel tcg --timeout 40 --test-guest hang \
	--out "$scratch/hang" -- --only fork.child-write -- --backing small \
	--size 4M --reps 100000 --warmup 0 >/dev/null 2>"$scratch/hang.err"
rc=$?
t=$(($(date +%s) - t0))
[ $rc -eq 5 ] && grep -q 'did not finish within --timeout 40s' "$scratch/hang.err" &&
	grep -q '^  | ' "$scratch/hang.err"
ok $? "a guest hung past --timeout: exit 5 ($rc) after ${t}s, the console's tail"
[ $rc -eq 5 ] || sed 's/^/# /' "$scratch/hang.err"
[ $t -lt 70 ]
ok $? "... it ended soon after the timeout"
out=$scratch/hang
cr --expect-vm --scenario fork.child-write --min-samples 1 --expect-verdict pass
ok $? "... the samples written before the hang came back"
grep -q '"partial":true' "$out/results.json" &&
	[ "$(vmget "$out" outcome)" = '"timeout"' ] &&
	[ "$(vmget "$out" finished)" = false ] &&
	[ "$(vmget "$out" test_guest)" = '"hang"' ]
ok $? "... marked partial, meta.vm outcome timeout, unfinished, the test hook named"

# An Oops on the console (simulated text) before a run that completes.
"$vmrun" "$kernel" --accel tcg --timeout 120 --test-guest oops \
	--out "$scratch/oops" -- --only fork.child-write -- --backing small \
	--size 4M --reps 2 --warmup 0 >/dev/null 2>"$scratch/oops.err"
rc=$?
[ $rc -eq 3 ] && grep -q 'reported an Oops or BUG: .*Oops: 0000' "$scratch/oops.err" &&
	shown "$scratch/oops.err" '^  | \[ *[0-9.]*\] .*simulates this console text: Oops: 0000'
ok $? "an Oops on the console: exit 3 ($rc), the console from the Oops on"
[ $rc -eq 3 ] || sed 's/^/# /' "$scratch/oops.err"
out=$scratch/oops
cr --expect-vm --scenario fork.child-write --min-samples 2 --expect-verdict pass &&
	grep -q '"partial":false' "$out/results.json" &&
	[ "$(vmget "$out" outcome)" = '"oops"' ] &&
	[ "$(vmget "$out" finished)" = true ] &&
	vmget "$out" console_first | grep -q 'Oops: 0000'
ok $? "... the run went on to its end: complete results, outcome oops, the line in meta.vm"

# An RCU stall (simulated text) in a hung guest, stopped 3 s after it.
t0=$(date +%s)
"$vmrun" "$kernel" --accel tcg --timeout 300 --after-oops 3 \
	--test-guest hang-stall --out "$scratch/stall" -- \
	--only fork.child-write -- --backing small --size 4M --reps 100000 \
	--warmup 0 \
	>/dev/null 2>"$scratch/stall.err"
rc=$?
t=$(($(date +%s) - t0))
[ $rc -eq 3 ] && grep -q 'reported a stall or lockup: .*rcu_sched self-detected stall' "$scratch/stall.err" &&
	grep -q 'stopped 3s after it' "$scratch/stall.err" &&
	shown "$scratch/stall.err" 'rcu: INFO: rcu_sched self-detected stall on CPU'
ok $? "an RCU stall on the console: exit 3 ($rc), the console from the stall on"
[ $rc -eq 3 ] || sed 's/^/# /' "$scratch/stall.err"
[ $t -lt 120 ]
ok $? "... stopped after --after-oops 3, not the 300 s timeout (${t}s)"
out=$scratch/stall
cr --expect-vm --scenario fork.child-write --min-samples 1 &&
	grep -q '"partial":true' "$out/results.json" &&
	[ "$(vmget "$out" outcome)" = '"stall"' ] &&
	[ "$(vmget "$out" finished)" = false ]
ok $? "... partial results back, outcome stall, unfinished"

# Bad input: one line, exit 2, nothing booted.
"$vmrun" "$kernel" --cpus zero >/dev/null 2>"$scratch/bad.err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$scratch/bad.err")" -eq 1 ]
ok $? "vm-run --cpus zero: one-line error, exit 2"
"$vmrun" "$kernel" --test-guest crash >/dev/null 2>"$scratch/bad.err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$scratch/bad.err")" -eq 1 ]
ok $? "vm-run --test-guest crash: one-line error, exit 2"

done_testing
