#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# plot.sh - the charts render to valid, non-empty PNG and SVG files from
# synthetic runs (a comparison, a size sweep, a single run), and
# compare-kernels leaves reports and charts with compare's exit status.
# Skipped without gnuplot.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"
# shellcheck source=tests/mkresults.sh
. "${COW_SRCDIR:-.}/tests/mkresults.sh"

command -v gnuplot >/dev/null 2>&1 || skip_all "gnuplot not installed"
src=${COW_SRCDIR:-.}
# the scripts find the binary under test through $COWBENCH
export COWBENCH

d=$scratch

mkresults "$d/a" <<'EOF2'
fork.child-write 1048576 pass 256 600000,601000,599000,602000,600500,600200 256 256 0
fork.child-write 4194304 pass 1024 2400000,2410000,2390000,2405000,2399000,2402000 1024 1024 0
fork.latency 4194304 pass 8 800000,810000,790000,805000,799000,801000 0 0 0
thp.child-write 4194304 pass 2 90000,91000,89000,90500,90200,90100 2 2 0
EOF2
mkresults "$d/b" release=6.19.0-patched <<'EOF2'
fork.child-write 1048576 pass 256 600000,601000,599000,602000,600500,600200 256 256 0
fork.child-write 4194304 pass 1024 3400000,3410000,3390000,3405000,3399000,3402000 1024 1024 0
fork.latency 4194304 fail 8 800000,810000,790000,805000,799000,801000 0 0 0
thp.child-write 4194304 pass 2 60000,61000,59000,60500,60200,60100 2 2 4
EOF2

# valid PNG: the 8-byte signature first, the IEND chunk last
png_ok() {
	[ -s "$1" ] &&
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	[ "$(tail -c 8 "$1" | head -c 4)" = IEND ]
}
# valid SVG: an svg root with a size, closed
svg_ok() {
	[ -s "$1" ] && grep -q '<svg' "$1" && grep -q 'width="[0-9]' "$1" &&
	tail -n 3 "$1" | grep -q '</svg>'
}

"$COWBENCH" compare --data-dir "$d/data" "$d/a" "$d/b" >/dev/null
"$src/scripts/plot" "$d/data" "$d/charts" >"$d/made" 2>"$d/err"
rc=$?
ok $rc "scripts/plot renders the comparison (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$d/err"
for name in summary group-fork group-thp sweep-fork; do
	png_ok "$d/charts/$name.png" && svg_ok "$d/charts/$name.svg"
	ok $? "$name: a valid non-empty PNG and SVG"
done
[ "$(wc -l <"$d/made")" -eq 8 ]
ok $? "scripts/plot lists the 8 files it wrote"
"$src/scripts/plot" --only 'group-*' "$d/data" "$d/only" >/dev/null &&
	[ -s "$d/only/group-fork.png" ] && [ ! -e "$d/only/summary.png" ]
ok $? "--only draws just the charts asked for"
"$src/scripts/plot" "$d/a" "$d/x" 2>"$d/err"
[ $? -eq 2 ] && [ "$(wc -l <"$d/err")" -eq 1 ]
ok $? "a directory without chart data: one line, exit 2"

# A whisker cut at the axis (arrow heads), and another metric's
# regression named beside a grey bar.
mkresults "$d/clip-a" <<'EOF2'
fork.s1 4194304 pass 1000 1000000,1001000,999000,1002000,1000500,1000200,999800,1000100 0 0 0 fork_exec_ns=2000,2010,1990,2005,2001,1999,2003,2002
fork.s2 4194304 pass 1000 1000000,1001000,999000,1002000,1000500,1000200,999800,1000100 0 0 0
EOF2
mkresults "$d/clip-b" <<'EOF2'
fork.s1 4194304 pass 1000 1030000,1031000,1029000,1032000,1030500,1030200,1029800,1030100 0 0 0 fork_exec_ns=4000,4010,3990,4005,4001,3999,4003,4002
fork.s2 4194304 pass 1000 1000000,1010000,6000000,990000,5000000,1005000,7000000,995000 0 0 0
EOF2
"$COWBENCH" compare --data-dir "$d/clip" "$d/clip-a" "$d/clip-b" >/dev/null
"$src/scripts/plot" --only summary "$d/clip" >/dev/null 2>"$d/err" &&
	png_ok "$d/clip/summary.png" && svg_ok "$d/clip/summary.svg" &&
	grep -q 'fork.s1 4M (slower fork_exec_ns)' "$d/clip/summary.svg" &&
	grep -q '(to +[0-9]*%)' "$d/clip/summary.svg"
ok $? "summary: a whisker cut at the axis and a tagged point render"

"$src/scripts/plot-run" "$d/a" >/dev/null
png_ok "$d/a/overview.png" && svg_ok "$d/a/overview.svg"
ok $? "plot-run draws a single run's overview"

"$src/scripts/compare-kernels" --out "$d/ck" "$d/a" "$d/b" >"$d/ck.out" 2>&1
rc=$?
[ $rc -eq 1 ]
ok $? "compare-kernels exits 1 on a regression (rc $rc)"
[ -s "$d/ck/report.txt" ] && [ -s "$d/ck/report.md" ] &&
	[ -s "$d/ck/report.json" ] && png_ok "$d/ck/summary.png" &&
	svg_ok "$d/ck/summary.svg"
ok $? "compare-kernels leaves the reports and the charts"
"$src/scripts/compare-kernels" --out "$d/ck2" "$d/a" "$d/a" >/dev/null 2>&1
rc=$?
"$src/scripts/compare-kernels" --out "$d/ck3" "$d/a" "$d/nosuch" >/dev/null 2>"$d/err"
rc3=$?
[ $rc -eq 0 ] && [ $rc3 -eq 2 ] && [ "$(wc -l <"$d/err")" -eq 1 ]
ok $? "compare-kernels: identical runs exit $rc, a missing run exits $rc3 with one line"
[ ! -e "$d/ck3" ]
ok $? "compare-kernels: a failed comparison leaves no empty --out directory"
mkdir "$d/cwd" "$d/keep"
echo mine >"$d/keep/mine"
(cd "$d/cwd" && "$src/scripts/compare-kernels" "$d/a" "$d/nosuch") >/dev/null 2>&1
rc=$?
"$src/scripts/compare-kernels" --out "$d/new/deeper" "$d/a" "$d/nosuch" >/dev/null 2>&1
rc2=$?
"$src/scripts/compare-kernels" --out "$d/keep" "$d/a" "$d/nosuch" >/dev/null 2>&1
rc3=$?
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] && [ -z "$(ls -A "$d/cwd")" ] &&
	[ ! -e "$d/new" ] && [ "$(ls -A "$d/keep")" = mine ]
ok $? "on error: no compare-TIMESTAMP/, no new parents, a directory that was there kept as it was"

# Edge cases gnuplot has failed or crashed on: one point only, copies not
# measured (a run as non-root), a point skipped everywhere, and runs with
# no point in common.
mkresults "$d/nr-a" <<'EOF2'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000,2230000,2205000 - - -
thp.skipped 4194304 skip 1024 0 - - -
EOF2
mkresults "$d/nr-b" <<'EOF2'
fork.child-write 4194304 pass 1024 2300000,2310000,2290000,2330000,2305000 - - -
thp.skipped 4194304 skip 1024 0 - - -
EOF2
"$src/scripts/compare-kernels" --out "$d/nr" "$d/nr-a" "$d/nr-b" >/dev/null 2>"$d/err"
rc=$?
[ $rc -eq 0 ] && png_ok "$d/nr/summary.png" && png_ok "$d/nr/group-thp.png" &&
	png_ok "$d/nr/group-fork.png"
ok $? "one point, copies not measured, a point skipped everywhere: charts drawn (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$d/err"
"$src/scripts/plot-run" "$d/nr-a" >/dev/null && png_ok "$d/nr-a/overview.png"
ok $? "plot-run on that run"
mkresults "$d/8m" <<'EOF2'
fork.child-write 8388608 pass 2048 4400000,4420000,4380000,4410000,4398000 2048 2048 0
EOF2
"$src/scripts/compare-kernels" --out "$d/apart" "$d/nr-a" "$d/8m" >/dev/null 2>"$d/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$d/err")" -eq 1 ] && grep -q "no scenario in common" "$d/err" &&
	[ ! -e "$d/apart" ]
ok $? "runs with no point in common: an error, one line, nothing left (rc $rc)"

done_testing
