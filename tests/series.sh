#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# series.sh - `cowbench series` on synthetic nights made here: the first
# run where each exact count (and the verdict) changed is marked and
# listed, a count varying between repetitions is never marked, runs
# missing a point are passed over, runs with nothing in common and bad
# input are refused (one line, exit 2); the chart data, and the charts
# when gnuplot is installed; scripts/nightly --trend-only on nights made
# here; scripts/atlas's and scripts/bisect-kernel's refusals of bad usage.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"
# shellcheck source=tests/mkresults.sh
. "${COW_SRCDIR:-.}/tests/mkresults.sh"

d=$scratch
# ser OUT ARGS...: run series, stdout to $d/OUT, stderr to $d/OUT.err
ser() {
	o=$1
	shift
	"$COWBENCH" series "$@" >"$d/$o" 2>"$d/$o.err"
	rc=$?
}
has() { grep -q -- "$2" "$d/$1"; }
# refused OUT: exit 2, one line on stderr naming the program, no table
refused() {
	[ $rc -eq 2 ] && [ "$(wc -l <"$d/$1.err")" -eq 1 ] &&
		grep -q '^cowbench series: ' "$d/$1.err" && [ ! -s "$d/$1" ]
}

# Four nights: night 3 makes extra copies in parent-after-exit (the
# never-reuse kernel's signature), night 4 fails child-write and lacks
# exec-window, whose window count varies between repetitions throughout.
mkresults "$d/n1" release=6.18.0-a <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 700000,705000,698000 0 0 0
fork.exec-window 4194304 pass 1024 900000,910000,905000 100,120,90 100,120,90 0
EOF
mkresults "$d/n2" release=6.18.0-b <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 700000,705000,698000 0 0 0
fork.exec-window 4194304 pass 1024 900000,910000,905000 110,130,95 110,130,95 0
EOF
mkresults "$d/n3" release=6.18.0-c <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 900000,905000,898000 1024 0 1024
fork.exec-window 4194304 pass 1024 900000,910000,905000 90,100,80 90,100,80 0
EOF
mkresults "$d/n4" release=6.18.0-d <<'EOF'
fork.child-write 4194304 fail 1024 2200000,2210000,2190000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 900000,905000,898000 1024 0 1024
EOF

ser four.out "$d/n1" "$d/n2" "$d/n3" "$d/n4"
[ $rc -eq 0 ] && [ ! -s "$d/four.out.err" ]
ok $? "four runs: exit $rc, nothing on stderr"
has four.out "fork.parent-after-exit 4M: extra 0 -> 1024 first at run 3 (6.18.0-c)" &&
	has four.out "fork.parent-after-exit 4M: copied 0 -> 1024 first at run 3 (6.18.0-c)"
ok $? "the extra copies' first change is listed at run 3"
grep -A5 '^fork.parent-after-exit 4M' "$d/four.out" |
	grep -q '^  3  *pass  *[0-9.]*  *[-+][0-9.]*%  *1024\*  *0  *1024\* '
ok $? "run 3's copied and extra counts are marked in the table"
grep -A5 '^fork.parent-after-exit 4M' "$d/four.out" |
	grep -q '^  1  *pass  *[0-9.]*  *base '
ok $? "ns/op is read against run 1's too, run 1 the base"
! grep -A5 '^fork.parent-after-exit 4M' "$d/four.out" | grep '^  4 ' | grep -q '\*'
ok $? "run 4, unchanged since run 3, is not marked"
has four.out "fork.child-write 4M: verdict pass -> FAIL first at run 4 (6.18.0-d)"
ok $? "the verdict's first change is listed at run 4"
! has four.out "fork.child-write 4M: [a-z]* [0-9]* -> " &&
	! has four.out "fork.exec-window 4M: "
ok $? "no count change listed where none was exact and different"
grep -A5 '^fork.exec-window 4M' "$d/four.out" | grep '^  2 ' | grep -q '~' &&
	! grep -A5 '^fork.exec-window 4M' "$d/four.out" | grep -q '[0-9]\*'
ok $? "a count varying between repetitions shows '~' and is never marked"
grep -A5 '^fork.exec-window 4M' "$d/four.out" | grep -q '^  4  *-  *-'
ok $? "a point a run lacks is shown as not measured"

# the same in reverse: the change is then at run 2 (night 3 is second)
ser rev.out "$d/n4" "$d/n3" "$d/n2" "$d/n1"
[ $rc -eq 0 ] && has rev.out "fork.parent-after-exit 4M: extra 1024 -> 0 first at run 3 (6.18.0-b)" &&
	has rev.out "fork.child-write 4M: verdict FAIL -> pass first at run 2 (6.18.0-c)"
ok $? "the order given is the series' order"

# a run without the point in between is passed over, not a change
ser gap.out "$d/n1" "$d/n4" "$d/n3"
[ $rc -eq 0 ] && ! has gap.out "fork.exec-window 4M: " &&
	has gap.out "fork.parent-after-exit 4M: extra 0 -> 1024 first at run 2"
ok $? "a run lacking a point is passed over along that point's line"

ser same.out "$d/n1" "$d/n1"
[ $rc -eq 0 ] && has same.out "no exact count and no verdict changed along the series"
ok $? "a series with no change says so"

ser changed.out --changed --labels a,b,c,d "$d/n1" "$d/n2" "$d/n3" "$d/n4"
[ $rc -eq 0 ] && has changed.out '^fork.parent-after-exit 4M$' &&
	! has changed.out '^fork.exec-window 4M$' &&
	has changed.out "first at run 3 (c)"
ok $? "--changed: only the points that changed; --labels names the runs"

ser md.out --format markdown "$d/n1" "$d/n2" "$d/n3" "$d/n4"
[ $rc -eq 0 ] &&
	has md.out '^| fork.parent-after-exit 4M | 3 | pass | [0-9.]* | [-+][0-9.]*% | 1024\\\* | 0 | 1024\\\* | 0 | 1024\\\* |$'
ok $? "markdown: the table row of run 3, marks escaped"

ser tsv.out --format tsv "$d/n1" "$d/n2" "$d/n3" "$d/n4"
[ $rc -eq 0 ] &&
	has tsv.out "$(printf 'fork.parent-after-exit 4M\t3\t6.18.0-c\textra_copies\t1024\t1\t1')" &&
	has tsv.out "$(printf 'fork.parent-after-exit 4M\t4\t6.18.0-d\textra_copies\t1024\t1\t0')"
ok $? "tsv: one line per point, run and metric, the first change flagged"

# --- refused ---------------------------------------------------------
mkresults "$d/ksm" <<'EOF'
ksm.merge 4194304 pass 1024 2200000 0 0 0
EOF
ser none.out "$d/n1" "$d/ksm"
refused none.out && has none.out.err "no point in common"
ok $? "runs with nothing in common: refused, one line, exit $rc"
mkresults "$d/half" <<'EOF'
fork.exec-window 4194304 pass 1024 900000 100 100 0
ksm.merge 4194304 pass 1024 2200000 0 0 0
EOF
mkresults "$d/half2" <<'EOF'
fork.child-write 4194304 pass 1024 2200000 1024 1024 0
ksm.merge 4194304 pass 1024 2200000 0 0 0
EOF
# each shares a point with the first, no point is in all three
ser allnone.out "$d/n1" "$d/half" "$d/half2"
refused allnone.out && has allnone.out.err "no point is measured by all 3 runs"
ok $? "no point every run measured: refused, one line, exit $rc"
ser one.out "$d/n1"
refused one.out
ok $? "a single run: refused, exit $rc"
ser missing.out "$d/n1" "$d/nonexistent"
refused missing.out
ok $? "a run that does not exist: refused, exit $rc"
printf '{"meta": {}, "samples": [' >"$d/bad.json"
ser corrupt.out "$d/n1" "$d/bad.json"
refused corrupt.out
ok $? "a truncated results.json: refused, exit $rc"
ser opt.out --frobnicate "$d/n1" "$d/n2"
refused opt.out
ok $? "an unknown option: refused, exit $rc"
ser fmt.out --format csv "$d/n1" "$d/n2"
refused fmt.out
ok $? "an unknown format: refused, exit $rc"
ser lab.out --labels a,b,c "$d/n1" "$d/n2"
refused lab.out
ok $? "--labels of the wrong length: refused, exit $rc"
"$COWBENCH" series --help | grep -q '^Usage: cowbench series'
ok $? "--help"

# --- chart data ------------------------------------------------------
ser data.out --data-dir "$d/data" "$d/n1" "$d/n2" "$d/n3" "$d/n4"
[ $rc -eq 0 ] && [ -f "$d/data/series-ns_per_op.tsv" ] &&
	[ -f "$d/data/series-copies_missing.gp" ]
ok $? "--data-dir: a .tsv and a .gp per metric"
# extra_copies: only after-exit is drawn (the others are 0 throughout),
# and its ring is at run 3
grep -q '^npoints = 1$' "$d/data/series-extra_copies.gp" &&
	grep -q '^nflat = 2$' "$d/data/series-extra_copies.gp" &&
	grep -q "$(printf '^3\t6.18.0-c\t1024\t1024$')" "$d/data/series-extra_copies.tsv" &&
	grep -q "$(printf '^4\t6.18.0-d\t1024\tNaN$')" "$d/data/series-extra_copies.tsv"
ok $? "extra_copies data: the one point not 0 throughout, its first change at run 3"
# heatmap: extra copies per page written (1024 of 1024 written: 1) and
# the verdict per run; exec-window absent from night 4 (-1)
grep -q "$(printf '^fork.parent-after-exit 4M\t0\t0\t0\t0\t1\t0\t1\t0$')" "$d/data/heatmap.tsv" &&
	grep -q "$(printf '^fork.child-write 4M\t0\t0\t0\t0\t0\t0\t0\t2$')" "$d/data/heatmap.tsv" &&
	grep -q "$(printf '\tNaN\t-1$')" "$d/data/heatmap.tsv" &&
	grep -q '^nfail = 1$' "$d/data/heatmap.gp"
ok $? "heatmap data: extra copies per page written and the verdicts, points x runs"
if command -v gnuplot >/dev/null 2>&1; then
	"$top/scripts/plot" "$d/data" "$d/png" >"$d/plot.out" 2>&1 &&
		[ "$(grep -c '\.png$' "$d/plot.out")" -eq 8 ] &&
		[ -s "$d/png/series-extra_copies.png" ] &&
		[ -s "$d/png/series-copies_missing.svg" ]
	ok $? "scripts/plot draws the six charts, the all-zero one too, the trend and the heatmap"
else
	diag "gnuplot not installed: charts not drawn"
fi

# --- scripts/nightly --trend-only: the last nights as a series ---------
lab=$d/lab
mkdir -p "$lab/nightly"
cp -r "$d/n1" "$lab/nightly/20261201T023000Z"
cp -r "$d/n2" "$lab/nightly/20261202T023000Z"
cp -r "$d/n3" "$lab/nightly/20261203T023000Z"
# a night's second try (--confirm) is not a night of its own
cp -r "$d/n1" "$lab/nightly/20261203T023000Z-confirm"
cp -r "$d/n4" "$lab/nightly/20261204T023000Z"
last=$lab/nightly/20261204T023000Z/compare
"$top/scripts/nightly" --results "$lab" --trend-only 3 >"$d/trend.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -s "$last/trend.md" ] &&
	grep -q "fork.parent-after-exit 4M: extra 0 -> 1024 first at run 2 (20261203T023000Z)" "$last/trend.md" &&
	grep -q '^| 1 | 20261202T023000Z |' "$last/trend.md" &&
	! grep -q -- '-confirm' "$last/trend.md"
ok $? "nightly --trend-only 3: the last three nights, the -confirm run left out, the change at the second (rc $rc)"
if command -v gnuplot >/dev/null 2>&1; then
	[ -s "$last/trend.png" ] && [ -s "$last/trend.svg" ] &&
		[ -s "$last/trend/series-extra_copies.png" ]
	ok $? "nightly --trend-only: trend.png beside the report, the other charts in trend/"
fi
"$top/scripts/nightly" --results "$lab" --trend-only x >"$d/trendx.out" 2>&1
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$d/trendx.out")" -eq 1 ]
ok $? "nightly --trend-only x: one line, exit $rc"
mkdir -p "$d/lab1/nightly"
cp -r "$d/n1" "$d/lab1/nightly/20261201T023000Z"
"$top/scripts/nightly" --results "$d/lab1" --trend-only 5 >"$d/trend1.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "1 night(s) with results: no trend" "$d/trend1.out"
ok $? "nightly --trend-only with one night: no trend, exit $rc"

# --- the scripts built on series: bad usage, before anything runs ------
# usage_err OUT CMD...: exit 2, one line on stderr
usage_err() {
	o=$1
	shift
	"$@" >"$d/$o" 2>"$d/$o.err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$d/$o.err")" -eq 1 ] && [ ! -s "$d/$o" ]
}
usage_err atlas1.out "$top/scripts/atlas" --out "$d/atlas1" "$d/n1"
ok $? "atlas with one kernel: one line, exit $rc"
usage_err atlas2.out "$top/scripts/atlas" --out "$d/atlas2" "$d/nosuch.deb" host
ok $? "atlas with a kernel that does not exist: one line, exit $rc"
usage_err bis1.out "$top/scripts/bisect-kernel" --src "$d" --good a --bad b \
	--scenario fork.parent-after-exit
ok $? "bisect-kernel on a directory that is no git tree: one line, exit $rc"
usage_err bis2.out "$top/scripts/bisect-kernel" --src "$d" --good a --bad b \
	--scenario fork.parent-after-exit --metric ns_per_op
ok $? "bisect-kernel --metric ns_per_op (no exact count): one line, exit $rc"

done_testing
