#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# kernels.sh - the never-reuse experiment end to end (`make check-kernels`,
# ~15 min on 2 cores): build stock 6.1 and 6.1 with
# scripts/patches/6.1-never-reuse-anon.patch from Debian's linux-source-6.1
# with the same config, run the fork scenarios under each in a VM, and
# check that fork.parent-after-exit copies nothing on stock and every
# written page on the patched kernel, while the copies the semantics
# require stay exact on both.  Opt-in: COWBENCH_KERNEL_TESTS=1.
# COWBENCH_KERNEL_SRC=PATH builds from another 6.1 tree or tarball;
# COWBENCH_KERNEL_OUT=DIR keeps the kernels and results there.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

need_kernel_lab COWBENCH_KERNEL_TESTS check-kernels \
	"build and boot two kernels" \
	COWBENCH_KERNEL_SRC /usr/src/linux-source-6.1.tar.xz

export COWBENCH
keep=${COWBENCH_KERNEL_OUT:-$scratch/kernels}
mkdir -p "$keep"
size=${COWBENCH_KERNEL_SIZE:-16M}

for k in stock never-reuse; do
	t0=$(date +%s)
	if [ $k = stock ]; then
		"$top/scripts/build-kernel" "$src" --out "$keep/$k" \
			>"$scratch/$k.build" 2>&1
	else
		"$top/scripts/build-kernel" "$src" --out "$keep/$k" \
			--patch "$top/scripts/patches/6.1-never-reuse-anon.patch" \
			>"$scratch/$k.build" 2>&1
	fi
	rc=$?
	ok $rc "build-kernel $k (rc $rc, $(($(date +%s) - t0))s)"
	[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/$k.build"
	diag "$(grep -E '^(release|build_seconds)=' "$keep/$k/build-info" 2>/dev/null | tr '\n' ' ')$(grep -q 'cached build' "$scratch/$k.build" && echo '(from the cache)')"
done
cmp -s "$keep/stock/config" "$keep/never-reuse/config"
ok $? "stock and never-reuse are built with the same config"

out=$keep/runs
rm -rf "$out"
t0=$(date +%s)
"$top/scripts/compare-kernels" --kernel "stock=$keep/stock" \
	--kernel "never-reuse=$keep/never-reuse" --out "$out" -- \
	--only 'fork.*' -- --backing small --size "$size" \
	>"$scratch/compare.out" 2>&1
rc=$?
# 1: the comparison found a regression, as it must here.
[ $rc -eq 1 ]
ok $? "compare-kernels --kernel stock --kernel never-reuse: exit 1, a regression (rc $rc, $(($(date +%s) - t0))s)"
sed 's/^/# /' "$scratch/compare.out"
written=$("$CHECK_RESULTS" "$out/never-reuse/results.json" \
	--scenario fork.parent-after-exit --print pages_written | sort -u)
# (the lines under "Regressions:", up to the next unindented one)
sed -n '/^Regressions:/,/^[^ R]/p' "$out/compare/report.txt" |
	grep -qF "fork.parent-after-exit $size: extra copies 0 -> $written (exact)"
ok $? "the report flags fork.parent-after-exit: extra copies 0 -> ${written:-?}, a regression"
[ -s "$out/compare/summary.png" ] && [ -s "$out/compare/report.md" ] &&
	grep -q 'emulated' "$out/report-header.txt"
ok $? "charts and reports in $out/compare, and the note on emulated times"

for k in stock never-reuse; do
	r=$out/$k/results.json
	"$CHECK_RESULTS" "$r" --expect-vm --scenario 'fork.*' --expect-verdict pass
	ok $? "$k: every fork.* sample passes its integrity check"
	"$CHECK_RESULTS" "$r" --scenario fork.child-write --expect-copies-equal-written &&
		"$CHECK_RESULTS" "$r" --scenario fork.parent-write-alive --expect-copies-equal-written
	ok $? "$k: the copies the semantics require are exact (child-write, parent-write-alive)"
done
"$CHECK_RESULTS" "$out/stock/results.json" --scenario fork.parent-after-exit --expect-value extra_copies=0
ok $? "stock 6.1 reuses: fork.parent-after-exit makes 0 extra copies"
"$CHECK_RESULTS" "$out/never-reuse/results.json" --scenario fork.parent-after-exit \
	--expect-equal extra_copies,pages_written
ok $? "never-reuse copies: fork.parent-after-exit extra copies = pages written"
diag "fork.exec-window extra copies, stock: $("$CHECK_RESULTS" "$out/stock/results.json" --scenario fork.exec-window --print extra_copies | tr '\n' ' ')"
diag "fork.exec-window extra copies, never-reuse: $("$CHECK_RESULTS" "$out/never-reuse/results.json" --scenario fork.exec-window --print extra_copies | tr '\n' ' ')"
"$CHECK_RESULTS" "$out/never-reuse/results.json" --scenario fork.parent-after-exit \
	--expect-wpcopy-equal-copies
ok $? "never-reuse: the kernel's own wpcopy count agrees with the pagemap count"

done_testing
