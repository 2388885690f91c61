#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# vm.sh - scripts/vm-run boots Debian's stock kernel (downloaded, never
# installed) with fork.child-write inside: the results come back with the
# exact copy count and meta.vm; a panicking or hung guest ends with exit 2,
# the console tail, and no results directory.  Opt-in (it downloads a
# ~70 MB kernel package): COWBENCH_VM_TESTS=1, or `make check-vm`.
# COWBENCH_VM_KERNEL=FILE uses that kernel instead of downloading one.
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "${COWBENCH_VM_TESTS:-0}" = 1 ] || skip_all "set COWBENCH_VM_TESTS=1 (make check-vm) to boot a kernel in QEMU"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (dpkg-deb -x of a kernel, PFNs in the guest)"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip_all "no qemu-system-x86_64: apt-get install \$(cat scripts/debian-packages-vm)"

plan 11
top=${COW_SRCDIR:-.}
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
	--size 4M --reps 3 --warmup 1 >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
t=$(($(date +%s) - t0))
ok $rc "vm-run fork.child-write exits 0 (rc $rc, ${t}s)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"
diag "vm-run on $(basename "$kernel"): ${t}s ($(sed -n 's/.*"accelerator_probe": *"\([^"]*\)".*/\1/p' "$out/results.json" | head -n 1))"
cr() { "$CHECK_RESULTS" "$out/results.json" "$@"; }
cr --expect-vm --scenario fork.child-write --min-samples 3 --expect-verdict pass
ok $? "results.json came back over 9p, 3 passing samples, meta.vm consistent"
cr --scenario fork.child-write --expect-copies-equal-written
ok $? "in the guest fork.child-write copies exactly the 1024 pages written"
acc=$(sed -n 's/.*"accelerator": *"\([a-z]*\)".*/\1/p' "$out/results.json" | head -n 1)
[ "$acc" = kvm ] || [ "$acc" = tcg ]
ok $? "meta.vm.accelerator is recorded ($acc)"
[ -s "$out/console.log" ] && ! ls -a "$out" | grep -q '\.tmp'
ok $? "the console log is kept and nothing temporary is left"

# A guest kernel that panics: no init it can run.
"$vmrun" "$kernel" --accel tcg --timeout 120 --out "$scratch/panic" \
	--append rdinit=/nonexistent >/dev/null 2>"$scratch/panic.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'panicked' "$scratch/panic.err" &&
	grep -q '^  | ' "$scratch/panic.err"
ok $? "a panicking guest: exit 2 ($rc) with the console tail"
[ ! -e "$scratch/panic" ]
ok $? "... and no results directory"

# A guest that does not finish in time.
t0=$(date +%s)
"$vmrun" "$kernel" --accel tcg --timeout 20 --out "$scratch/hang" -- \
	--only fork.child-write -- --size 4M --reps 100000 \
	>/dev/null 2>"$scratch/hang.err"
rc=$?
t=$(($(date +%s) - t0))
[ $rc -eq 2 ] && grep -q 'did not finish within --timeout 20s' "$scratch/hang.err"
ok $? "a guest past --timeout: exit 2 ($rc) after ${t}s"
[ ! -e "$scratch/hang" ] && [ $t -lt 60 ]
ok $? "... no results directory, and it ended soon after the timeout"

# Bad input: one line, exit 2, nothing booted.
"$vmrun" "$kernel" --cpus zero >/dev/null 2>"$scratch/bad.err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$scratch/bad.err")" -eq 1 ]
ok $? "vm-run --cpus zero: one-line error, exit 2"

done_testing
