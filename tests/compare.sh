#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# compare.sh - `cowbench compare` on small synthetic results directories
# made here: identical runs, a shifted timing, a missing scenario, a
# verdict change, extra copies, corrupt and mismatched input; the report,
# its width and the exit status (0 no regression, 1 regression, 2 error).
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"
# shellcheck source=tests/mkresults.sh
. "${COW_SRCDIR:-.}/tests/mkresults.sh"


d=$scratch
# cmp OUT ARGS...: run compare, stdout to $d/OUT, stderr to $d/OUT.err
cmp_run() {
	o=$1
	shift
	"$COWBENCH" compare "$@" >"$d/$o" 2>"$d/$o.err"
	rc=$?
}
has() { grep -q -- "$2" "$d/$1"; }
# the text with its lines joined: for phrases a wrapped line may split
says() { tr '\n' ' ' <"$d/$1" | sed 's/  */ /g' | grep -q -- "$2"; }
width_ok() { awk 'length > 80 { bad = 1 } END { exit bad }' "$d/$1"; }

# 8 repetitions: the exact two-sided Mann-Whitney p of two separated
# samples is then 2/C(16,8) = 0.00016, significant after any correction.
cat >"$d/base.txt" <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000,2205000,2199000,2230000,2201000,2208000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 700000,705000,698000,702000,701000,699000,703000,704000 0 0 0
fork.latency 4194304 pass 8 800000,810000,790000,805000,799000,830000,801000,808000 0 0 0 fork_exec_ns=2000,2100,2050,2070,2020,2090,2030,2060
fork.exec-window 4194304 pass 1024 900000,910000,905000,899000,903000,907000,901000,902000 100,120,90,110,100,105,95,115 100,120,90,110,100,105,95,115 0
EOF
mkresults "$d/base" <"$d/base.txt"
cp -r "$d/base" "$d/same"

# --- identical ---------------------------------------------------------
cmp_run same.out "$d/base" "$d/same"
[ $rc -eq 0 ] && [ ! -s "$d/same.out.err" ]
ok $? "identical runs: exit $rc, nothing on stderr"
has same.out "B against A: 0 regressions, 0 improvements" &&
	has same.out "0 significant at p < 0.05, 0 after Benjamini-Hochberg"
ok $? "identical runs: no regression, nothing significant"
has same.out "The runs' meta data agree"
ok $? "identical runs: the meta data agree"
! grep -q -- '-> FAIL\|REG$\| imp$' "$d/same.out"
ok $? "identical runs: no row marked"
width_ok same.out
ok $? "identical runs: the report fits 80 columns"
"$COWBENCH" compare "$d/base" "$d/same" >"$d/same2.out" 2>/dev/null
cmp -s "$d/same.out" "$d/same2.out"
ok $? "the same inputs give the same report (seeded bootstrap)"
"$COWBENCH" compare "$d/base/results.json" "$d/same/results.json" \
	>"$d/files.out" 2>&1
ok $? "results.json files are accepted as well as directories"

# --- shifted: child-write 50 % slower, after-exit 30 % faster, latency 2 %
mkresults "$d/shift" <<'EOF'
fork.child-write 4194304 pass 1024 3300000,3310000,3290000,3305000,3299000,3330000,3301000,3308000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 490000,493000,489000,491000,492000,488000,494000,495000 0 0 0
fork.latency 4194304 pass 8 816000,826000,806000,821000,815000,847000,817000,824000 0 0 0 fork_exec_ns=2000,2100,2050,2070,2020,2090,2030,2060
fork.exec-window 4194304 pass 1024 900000,910000,905000,899000,903000,907000,901000,902000 100,120,90,110,100,105,95,115 100,120,90,110,100,105,95,115 0
EOF
cmp_run shift.out "$d/base" "$d/shift"
[ $rc -eq 1 ]
ok $? "a 50 % slowdown is a regression: exit $rc"
# medians (3301+3305)/2 against (2201+2205)/2: +49.9 %
grep -q '^  fork.child-write 4M: ns/op +49.9%' "$d/shift.out" &&
	grep -A1 '^fork.child-write 4M' "$d/shift.out" | grep -q 'ns/op .* +49.9% .*REG$'
ok $? "shifted: child-write ns/op +49.9% listed and marked REG"
has shift.out "Improvements:" &&
	grep -A1 '^fork.parent-after-exit 4M' "$d/shift.out" | grep -q ' -29.9% .* imp$'
ok $? "shifted: after-exit 30 % faster is an improvement"
grep -A1 '^fork.latency 4M' "$d/shift.out" | grep -q ' +2.0% .* \*$'
ok $? "shifted: latency +2 % is significant but within the 5 % threshold"
has shift.out "1 regression, 1 improvement"
ok $? "shifted: one regression, one improvement"
cmp_run shift20.out --threshold 60 "$d/base" "$d/shift"
[ $rc -eq 0 ] && says shift20.out "beyond 60%"
ok $? "--threshold 60: the 50 % slowdown is no regression (exit $rc)"
cmp_run holm.out --correction holm "$d/base" "$d/shift"
[ $rc -eq 1 ] && has holm.out "after Holm"
ok $? "--correction holm names Holm"
cmp_run seed.out --seed 12345 "$d/base" "$d/shift"
says seed.out "seed 12345"
ok $? "the seed is printed"
width_ok shift.out
ok $? "shifted: the report fits 80 columns"

# --- every scenario slower: the machine, more likely than the kernel ---
awk '{ n = split($5, v, ","); s = ""
	for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") int(v[i] * 1.4)
	$5 = s; print }' "$d/base.txt" | mkresults "$d/slow"
cmp_run slow.out "$d/base" "$d/slow"
[ $rc -eq 1 ] && says slow.out "warning: B: 4 of 4 scenarios' ns/op moved up (median +40%, 4 of them significantly)"
ok $? "all four scenarios 40 % slower: regressions, and a warning about the machine"
! says shift.out "scenarios' ns/op moved"
ok $? "changes in both directions draw no such warning"
# Load spread over a run moves most scenarios without making each one
# significant: 5 of 6 scenarios 15 % slower within a wide spread (none
# significant), one 5 % faster.
scale() {
	awk -v f="$1" -v last="$2" '{ n = split($5, v, ","); s = ""
		k = NR == 6 ? last : f
		for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") int(v[i] * k)
		$5 = s; print }'
}
wide() {
	for i in 1 2 3 4 5 6; do
		echo "fork.s$i 4194304 pass 1000 1000000,1300000,900000,1250000,1100000 0 0 0"
	done
}
wide | mkresults "$d/wide-a"
wide | scale 1.15 0.95 | mkresults "$d/wide-b"
cmp_run wide.out "$d/wide-a" "$d/wide-b"
[ $rc -eq 0 ] && says wide.out "warning: B: 5 of 6 scenarios' ns/op moved up (median +15%, 0 of them significantly)"
ok $? "5 of 6 scenarios 15 % slower, none significantly: warned all the same (exit $rc)"
wide | scale 1.01 1.01 | mkresults "$d/wide-c"
cmp_run wide1.out "$d/wide-a" "$d/wide-c"
[ $rc -eq 0 ] && ! says wide1.out "scenarios' ns/op moved"
ok $? "every scenario 1 % slower, below half the threshold: no warning (exit $rc)"
wide | scale 1.03 1.03 | mkresults "$d/wide-d"
cmp_run wide3.out "$d/wide-a" "$d/wide-d"
[ $rc -eq 0 ] && ! says wide3.out "scenarios' ns/op moved"
ok $? "every scenario 3 % slower, none significantly, below the threshold: no warning (exit $rc)"
cmp_run wide.json --format json "$d/wide-a" "$d/wide-b"
tr -d ' \n' <"$d/wide.json" | grep -q '"drift":{"direction":"up","scenarios":5,"of":6,'
ok $? "json: the drift, for a job to read"

# --- the reference copy: the machine's drift, told apart ------------------
# Six points 15 % slower, and the userspace copy each sample timed after
# its phase 15 % slower with them: the machine moved, and compare says so
# without ever judging the reference itself.
refd() {
	for i in 1 2 3 4 5 6; do
		echo "fork.r$i 4194304 pass 1000 1000000,1010000,990000,1005000,995000 0 0 0 ref_copy_ns=$1,$1,$1,$1,$1"
	done
}
refd 300 | mkresults "$d/ref-a"
refd 345 | scale 1.15 1.15 | mkresults "$d/ref-b"
cmp_run ref.out "$d/ref-a" "$d/ref-b"
says ref.out "warning: B: the reference copy timed after every sample (ref_copy_ns) moved +15% (median of 6 points, 6 of them the same way)"
ok $? "the reference moved with ns/op: the machine's drift is named (exit $rc)"
cmp_run ref.tsv --format tsv "$d/ref-a" "$d/ref-b"
awk -F'\t' '$5 == "ref_copy_ns" { n++; if ($18 == "regression" || $18 == "improvement") bad++ }
	END { exit !(n == 6 && !bad) }' "$d/ref.tsv"
ok $? "ref_copy_ns is compared on every point and never judged"
refd 300 | scale 1.15 1.15 | mkresults "$d/ref-c"
cmp_run ref2.out "$d/ref-a" "$d/ref-c"
! says ref2.out "the reference copy"
ok $? "ns/op 15 % slower, the reference not: no word of the machine (exit $rc)"

# --- missing scenario ---------------------------------------------------
mkresults "$d/miss" <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000,2205000,2199000,2230000,2201000,2208000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 700000,705000,698000,702000,701000,699000,703000,704000 0 0 0
fork.exec-window 4194304 pass 1024 900000,910000,905000,899000,903000,907000,901000,902000 100,120,90,110,100,105,95,115 100,120,90,110,100,105,95,115 0
vmsplice.new 4194304 pass 1024 900000,910000 1024 0 0
EOF
cmp_run miss.out "$d/base" "$d/miss"
[ $rc -eq 0 ] && has miss.out "^Only in A: fork.latency 4M" &&
	has miss.out "^Only in B: vmsplice.new 4M"
ok $? "a missing scenario is listed on its side, no regression (exit $rc)"

# --- an "Only in" list wraps between points, never inside one -----------
for i in 1 2 3 4 5 6 7 8; do
	echo "thp.scenario-with-a-long-name-$i $((i * 1048576)) pass 8 1000,1010 8 8 0"
done | mkresults "$d/many"
cmp_run many.out "$d/many" "$d/base"
n=0
for i in 1 2 3 4 5 6 7 8; do
	has many.out "thp.scenario-with-a-long-name-$i ${i}M" && n=$((n + 1))
done
[ $n -eq 8 ] && [ "$(grep -c '^  thp.scenario' "$d/many.out")" -ge 2 ] &&
	width_ok many.out
ok $? "Only in: a wrapped list of 8 points keeps each point on one line ($n of 8)"

# --- the kernel's wpcopy delay: shown, never judged ---------------------
# 8 copies timed 11 us against 15 us, ns/op the same: what a busier
# machine did to fork.latency between two runs of one build
mkresults "$d/delay-a" <<'EOF'
fork.latency 4194304 pass 8 800000,810000,790000,805000,799000,830000,801000,808000 8 8 0 kernel_wpcopy_delay_ns=11000,11100,10900,11050,11020,10950,11080,11010
EOF
mkresults "$d/delay-b" <<'EOF'
fork.latency 4194304 pass 8 800000,810000,790000,805000,799000,830000,801000,808000 8 8 0 kernel_wpcopy_delay_ns=15000,15100,14900,15050,15020,14950,15080,15010
EOF
cmp_run delay.out "$d/delay-a" "$d/delay-b"
[ $rc -eq 0 ] && has delay.out "0 regressions, 0 improvements" &&
	grep -q '^  wpcopy delay (info) *11015 *15015 *+36.3% .* \*$' "$d/delay.out"
ok $? "wpcopy delay +36 %, significant: shown and marked, no regression (exit $rc)"
cmp_run delay2.out "$d/delay-b" "$d/delay-a"
[ $rc -eq 0 ] && has delay2.out "0 regressions, 0 improvements"
ok $? "wpcopy delay -27 %: no improvement either (exit $rc)"

# --- a scenario's metric names are shown in full -------------------------
mkresults "$d/names-a" <<'EOF'
odirect.fork-race 4194304 pass 8 800000,810000 8 8 0 child_copies_per_fork_idle=1,1 child_copies_per_fork_io=2,3 registered_over_unregistered=18,19
EOF
mkresults "$d/names-b" <<'EOF'
odirect.fork-race 4194304 pass 8 800000,810000 8 8 0 child_copies_per_fork_idle=1,1 child_copies_per_fork_io=2,4 registered_over_unregistered=18,19
EOF
cmp_run names.out "$d/names-a" "$d/names-b"
has names.out '^  child_copies_per_fork_idle$' &&
	has names.out '^  child_copies_per_fork_io$' &&
	has names.out '^  registered_over_unregistered$' && width_ok names.out
ok $? "text: metric names longer than the column on a line of their own, in full"
cmp_run names.md --format markdown "$d/names-a" "$d/names-b"
has names.md '| child_copies_per_fork_idle |' &&
	has names.md '| child_copies_per_fork_io |' &&
	has names.md '| registered_over_unregistered |'
ok $? "markdown: metric names in full"

# --- verdict change, and extra copies -----------------------------------
mkresults "$d/fail" <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000,2205000,2199000,2230000,2201000,2208000 1024 1024 3
fork.parent-after-exit 4194304 pass 1024 700000,705000,698000,702000,701000,699000,703000,704000 0 0 0
fork.latency 4194304 fail 8 800000,810000,790000,805000,799000,830000,801000,808000 0 0 0
fork.exec-window 4194304 pass 1024 900000,910000,905000,899000,903000,907000,901000,902000 100,120,90,110,100,105,95,115 100,120,90,110,100,105,95,115 0
EOF
cmp_run fail.out "$d/base" "$d/fail"
[ $rc -eq 1 ]
ok $? "pass -> fail: exit $rc"
sed -n '/^Regressions:/{n;p;}' "$d/fail.out" |
	grep -q '^  fork.latency 4M: pass -> FAIL: the fork.latency check said fail'
ok $? "the verdict change is the first regression listed, with its reason"
has fail.out "fork.child-write 4M: extra copies 0 -> 3 (exact)" &&
	grep -A5 '^fork.child-write 4M' "$d/fail.out" | grep -q 'extra copies .* +3 .*REG$'
ok $? "3 more extra copies, constant: an exact regression"
has fail.out "2 regressions"
ok $? "two regressions counted"
cmp_run fixed.out "$d/fail" "$d/base"
has fixed.out "Improvements:" && grep -q 'fork.latency 4M: FAIL -> pass' "$d/fixed.out"
ok $? "fail -> pass is listed as an improvement"

# --- counts that vary are tested, not compared exactly -----------------
mkresults "$d/window" <<'EOF'
fork.exec-window 4194304 pass 1024 900000,910000,905000,899000,903000,907000,901000,902000 101,119,91,112,100,104,96,113 101,119,91,112,100,104,96,113 0
EOF
mkresults "$d/window-base" <<'EOF'
fork.exec-window 4194304 pass 1024 900000,910000,905000,899000,903000,907000,901000,902000 100,120,90,110,100,105,95,115 100,120,90,110,100,105,95,115 0
EOF
cmp_run window.out "$d/window-base" "$d/window"
[ $rc -eq 0 ] && grep -A2 '^fork.exec-window' "$d/window.out" | grep -q 'copied .* +0.*[0-9]$'
ok $? "a count varying between repetitions is tested, not a regression (exit $rc)"

# --- meta: tool version and knobs ---------------------------------------
mkresults "$d/newtool" tool=test-2 thp=never <"$d/base.txt"
cmp_run ver.out "$d/base" "$d/newtool"
[ $rc -eq 0 ]
ok $? "tool version mismatch alone is no regression: exit $rc"
has ver.out "^  tool_version *A test-1 *B test-2$" &&
	has ver.out "^warning: the runs were made by different tool versions"
ok $? "tool version mismatch: shown and warned about"
has ver.out "^  knobs.thp.enabled *A always *B never$" &&
	has ver.out "^warning: the runs started with different knobs"
ok $? "a knob difference is shown and warned about"
! has ver.out "ksm.full_scans"
ok $? "counters among the knobs (ksm.full_scans) are not differences"
width_ok ver.out
ok $? "meta differences fit 80 columns"

# --- too few samples, partial run ----------------------------------------
mkresults "$d/few-a" <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
EOF
mkresults "$d/few-b" partial=true <<'EOF'
fork.child-write 4194304 pass 1024 4400000,4410000,4390000 1024 1024 0
EOF
cmp_run few.out "$d/few-a" "$d/few-b"
[ $rc -eq 0 ] && says few.out "too few samples to ever be significant (smallest possible p 0.1 > 0.05)"
ok $? "3 against 3 repetitions: warned that nothing can be significant (exit $rc)"
says few.out "run B is partial"
ok $? "a partial run is warned about"

# --- the precision each run reached (results.json "point") --------------
head -n 1 "$d/base.txt" | mkresults "$d/prec-a" prec=0.01
head -n 1 "$d/base.txt" | mkresults "$d/prec-b" prec=0.08
cmp_run prec.out "$d/prec-a" "$d/prec-b"
[ $rc -eq 0 ] && says prec.out "B: 1 of 1 points' ns/op (either run) did not reach their precision target, the widest +-8.0% (fork.child-write 4M)"
ok $? "a point short of its precision target is warned about, with the interval it reached (exit $rc)"
cmp_run prec1.out "$d/prec-a" "$d/prec-a"
[ $rc -eq 0 ] && ! says prec1.out "precision target"
ok $? "both runs met their target: no precision warning (exit $rc)"
wide | mkresults "$d/wide-pa" prec=0.03
wide | scale 1.15 0.95 | mkresults "$d/wide-pb" prec=0.03
cmp_run widep.out "$d/wide-pa" "$d/wide-pb"
[ $rc -eq 0 ] && says widep.out "0 of them significantly); their medians' intervals reached +-3.0% (median)"
ok $? "the drift warning gives the intervals the points reached (exit $rc)"

# --- several others, ignored params ---------------------------------------
cmp_run three.out "$d/base" "$d/same" "$d/shift"
[ $rc -eq 1 ] && has three.out "^B against A: 0 regressions" &&
	has three.out "^C against A: 1 regression"
ok $? "three runs: each other against the base (exit $rc)"
mkresults "$d/size8" <<'EOF'
fork.child-write 8388608 pass 2048 4400000,4420000,4380000,4410000,4398000,4460000,4402000,4416000 2048 2048 0
EOF
cmp_run nomatch.out "$d/base" "$d/size8"
[ $rc -eq 2 ] && has nomatch.out "Only in B: fork.child-write 8M" &&
	[ "$(wc -l <"$d/nomatch.out.err")" -eq 1 ] &&
	grep -q "size8/results.json: no scenario in common" "$d/nomatch.out.err"
ok $? "different sizes are different points; nothing in common is an error (exit $rc)"
cmp_run ignore.out --ignore-param size "$d/base" "$d/size8"
[ $rc -eq 0 ] && has ignore.out "regardless of: size" &&
	grep -A3 '^fork.child-write ' "$d/ignore.out" | grep -q 'copied *1024 *2048 *+1024$'
ok $? "--ignore-param size matches them: copies 1024 -> 2048 shown"

# --- other formats ----------------------------------------------------------
cmp_run md.out --format markdown "$d/base" "$d/fail"
# shellcheck disable=SC2016 # the backquotes are markdown's
[ $rc -eq 1 ] && has md.out '^| scenario | metric | A | B | change' &&
	sed -n '/^\*\*Regressions\*\*$/,/^$/{n;n;p;q;}' "$d/md.out" |
	grep -q '^- `fork.latency 4M`: pass -> FAIL: the fork.latency check said fail$'
ok $? "markdown: table and the regression (exit $rc)"
cmp_run json.out --format json "$d/base" "$d/fail"
[ $rc -eq 1 ] && has json.out '"regressions": *2' && has json.out '"seed": *1,'
ok $? "json: regressions and seed (exit $rc)"
if command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool "$d/json.out" >/dev/null 2>&1
	ok $? "json: valid JSON"
else
	ok 0 "json: valid JSON # SKIP no python3 to check it"
fi
cmp_run tsv.out --format tsv "$d/base" "$d/shift"
[ $rc -eq 1 ] && awk -F'\t' 'NR == 1 { n = NF } NF != n { exit 1 }
	NR > 1 { rows++ } END { exit !(n == 18 && rows > 10) }' "$d/tsv.out"
ok $? "tsv: a header and rectangular rows (exit $rc)"
grep -q '^B	A	fork.child-write	4M	ns_per_op	continuous	8	8	.*	regression$' "$d/tsv.out"
ok $? "tsv: the regression row"

# --- chart data ---------------------------------------------------------------
cmp_run data.out --data-dir "$d/data" "$d/base" "$d/shift"
[ -s "$d/data/vars.gp" ] && [ -s "$d/data/summary.tsv" ] &&
	[ -s "$d/data/group-fork.tsv" ] && [ -s "$d/data/group-fork.gp" ]
ok $? "--data-dir writes vars, summary and per-family data"
[ "$(awk -F'\t' 'NR > 1 && $5 == 3' "$d/data/summary.tsv" | wc -l)" -eq 1 ]
ok $? "summary.tsv: one point of class 3 (regression)"
# The summary chart's title counts the bars it draws (ns/op); a regression
# of another metric is counted apart and named after its point.
mkresults "$d/exec2" <<'EOF'
fork.latency 4194304 pass 8 800000,810000,790000,805000,799000,830000,801000,808000 0 0 0 fork_exec_ns=4000,4200,4100,4140,4040,4180,4060,4120
EOF
cmp_run exec2.out --data-dir "$d/data-exec2" "$d/base" "$d/exec2"
[ $rc -eq 1 ] && has data-exec2/summary.gp '"fork.latency 4M (slower fork_exec_ns)"' &&
	has data-exec2/summary.gp '"B: 0 ns/op regressions or failures (red), 0 ns/op improvements (green)\\nB, other metrics: 1 regression (named after the scenario), 0 improvements: see the report"'
ok $? "summary data: the title counts the ns/op bars, fork_exec_ns counted apart and named (exit $rc)"

# One interval far wider than every bar is cut at the axis, not allowed
# to squeeze the others into the pixels around 0.
cat >"$d/wide-base.txt" <<'EOF'
fork.s1 4194304 pass 1000 1000000,1001000,999000,1002000,1000500,1000200,999800,1000100 0 0 0
fork.s2 4194304 pass 1000 2000000,2001000,1999000,2002000,2000500,2000200,1999800,2000100 0 0 0
fork.s3 4194304 pass 1000 3000000,3001000,2999000,3002000,3000500,3000200,2999800,3000100 0 0 0
fork.s4 4194304 pass 1000 1000000,1001000,999000,1002000,1000500,1000200,999800,1000100 0 0 0
EOF
mkresults "$d/clip-a" <"$d/wide-base.txt"
mkresults "$d/clip-b" <<'EOF'
fork.s1 4194304 pass 1000 1030000,1031000,1029000,1032000,1030500,1030200,1029800,1030100 0 0 0
fork.s2 4194304 pass 1000 1960000,1961000,1959000,1962000,1960500,1960200,1959800,1960100 0 0 0
fork.s3 4194304 pass 1000 3060000,3061000,3059000,3062000,3060500,3060200,3059800,3060100 0 0 0
fork.s4 4194304 pass 1000 1000000,1010000,6000000,990000,5000000,1005000,7000000,995000 0 0 0
EOF
cmp_run clip.out --data-dir "$d/data-clip" "$d/clip-a" "$d/clip-b"
vhi=$(sed -n 's/^view_hi = //p' "$d/data-clip/summary.gp")
awk -F'\t' -v vhi="$vhi" '
	$1 == "fork.s4 4M" { s4 = ($11 == 2 && $4 > vhi && $10 == vhi && $6 ~ /\(to \+[0-9]+%\)$/) }
	$1 == "fork.s1 4M" { s1 = ($11 == 0 && $10 == $4) }
	END { exit !(s4 && s1 && vhi + 0 > 3 && vhi + 0 < 20) }' "$d/data-clip/summary.tsv"
ok $? "summary data: an interval reaching +400 % cut at ${vhi}%, its end in the label"

# Under emulation (scripts/vm-run without KVM) the titles say so.
cp -r "$d/base" "$d/tcg"
"$COWBENCH" --add-meta 'vm={"accelerator":"tcg","emulated":true}' "$d/tcg" >/dev/null 2>&1
cmp_run tcg1.out --data-dir "$d/data-tcg1" "$d/tcg"
cmp_run tcg2.out --data-dir "$d/data-tcg2" "$d/base" "$d/tcg"
has data-tcg1/overview.gp '^title = ".*(emulated: TCG)"$' &&
	has data-tcg2/vars.gp '^emulated = " (emulated: TCG: B)"$' &&
	has data/vars.gp '^emulated = ""$'
ok $? "meta.vm.accelerator tcg: '(emulated: TCG)' for the chart titles"
cmp_run one.out --data-dir "$d/data1" "$d/base"
[ $rc -eq 0 ] && [ -s "$d/data1/overview.tsv" ] &&
	[ "$(wc -l <"$d/data1/overview.tsv")" -eq 5 ]
ok $? "one run with --data-dir: its overview data, a row per point"

# --- pooled sides: several hosts' runs per side ---------------------------
# Host h2 is 10 % slower than h1 on every point: the spread between the
# hosts; the other side's hosts copy 1024 pages more (extra copies).
mkresults "$d/p-a1" host=h1 <<'EOF'
fork.child-write 4194304 pass 1024 1024000,1024100,1023900,1024050,1023950 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 512000,512100,511900,512050,511950 0 0 0
EOF
mkresults "$d/p-a2" host=h2 <<'EOF'
fork.child-write 4194304 pass 1024 1126400,1126500,1126300,1126450,1126350 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 563200,563300,563100,563250,563150 0 0 0
EOF
mkresults "$d/p-b1" host=h3 <<'EOF'
fork.child-write 4194304 pass 1024 1024000,1024100,1023900,1024050,1023950 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 512000,512100,511900,512050,511950 1024 0 1024
EOF
mkresults "$d/p-b2" host=h4 <<'EOF'
fork.child-write 4194304 pass 1024 1126400,1126500,1126300,1126450,1126350 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 563200,563300,563100,563250,563150 1024 0 1024
EOF
cmp_run pool.out --base "$d/p-a1,$d/p-a2" --other "$d/p-b1,$d/p-b2"
[ $rc -eq 1 ] && has pool.out "20 samples, 2 runs pooled" &&
	grep -A1 '^fork.child-write 4M' "$d/pool.out" | grep -q 'n 10/10 pass$'
ok $? "--base A1,A2 --other B1,B2: each side pools its runs' samples (exit $rc)"
has pool.out "^  fork.parent-after-exit 4M: extra copies 0 -> 1024 (exact)$"
ok $? "pooled: the extra copies of both other hosts are a regression"
has pool.out "^Spread between the hosts pooled in A" && has pool.out "^  2 hosts: h1, h2$" &&
	grep -q '^  fork.child-write 4M  *1000  *1100  *10.0%$' "$d/pool.out"
ok $? "pooled: the spread between the hosts, each host's median (1000, 1100 ns/op: 10.0%)"
width_ok pool.out
ok $? "pooled: the report fits 80 columns"
cmp_run pool2.out "$d/p-a1,$d/p-a2" "$d/p-b1,$d/p-b2"
[ $rc -eq 1 ] && cmp -s "$d/pool.out" "$d/pool2.out"
ok $? "BASE,BASE OTHER,OTHER as arguments: the same report (exit $rc)"
cmp_run pool3.out --base "$d/p-a1,$d/p-a2" "$d/p-b1"
# (the header wraps a long path: a scratch directory may be long)
[ $rc -eq 1 ] && has pool3.out "^Spread between the hosts pooled in A" &&
	! has pool3.out "pooled in B" &&
	[ "$(grep -c "samples, 2 runs pooled" "$d/pool3.out")" -eq 1 ]
ok $? "--base pooled, an argument alone as the other side (exit $rc)"
cmp_run poolj.out --format json "$d/p-a1,$d/p-a2" "$d/p-b1"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$d/poolj.out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runs"]
p = r[0]["pooled"]
assert [h["host"] for h in p["runs"]] == ["h1", "h2"], p
s = {x["point"]: x for x in p["spread"]}
assert s["fork.child-write 4M"]["host_medians_ns_per_op"] == [1000.0, 1100.0]
assert abs(s["fork.child-write 4M"]["spread"] - 0.1) < 1e-9
assert r[1]["pooled"] is None
PY
	ok $? "json: the pooled runs' hosts, each host's median and the spread"
else
	ok 0 "json: the pooled runs' hosts # SKIP no python3 to read it"
fi
mkdir -p "$d/with,comma"
cp "$d/p-a1/results.json" "$d/with,comma/"
cmp_run comma.out "$d/with,comma" "$d/p-a1"
[ $rc -eq 0 ] && ! has comma.out "pooled"
ok $? "an existing path with a comma is one run (exit $rc)"
mkresults "$d/p-rel" release=6.19.0-test host=h7 <<'EOF'
fork.child-write 4194304 pass 1024 1024000,1024100,1023900,1024050,1023950 1024 1024 0
EOF
cmp_run poolrel.out "$d/p-a1,$d/p-rel" "$d/p-b1"
[ $rc -eq 1 ] && says poolrel.out "warning: run A pools runs of different kernels (6.18.0-test on h1, 6.19.0-test on h7)"
ok $? "two kernels in one pool: warned, naming both (exit $rc)"
mkresults "$d/p-tool" tool=test-2 host=h5 <<'EOF'
fork.child-write 4194304 pass 1024 1024000,1024100,1023900,1024050,1023950 1024 1024 0
EOF
mkresults "$d/p-knob" thp=never host=h6 <<'EOF'
fork.child-write 4194304 pass 1024 1024000,1024100,1023900,1024050,1023950 1024 1024 0
EOF

# --- errors: one line naming the file, exit 2 --------------------------------
# expect_err DESCRIPTION PATTERN ARGS...
expect_err() {
	desc=$1 pat=$2
	shift 2
	"$COWBENCH" compare "$@" >"$d/err.out" 2>"$d/err.err"
	rc=$?
	lines=$(wc -l <"$d/err.err")
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$d/err.out" ] &&
		grep -q -- "$pat" "$d/err.err"
	ok $? "$desc: exit $rc, $lines line: $(head -c 120 "$d/err.err")"
}
mkdir -p "$d/trunc" "$d/garbage" "$d/schema" "$d/empty" "$d/nodir"
head -c 300 "$d/base/results.json" >"$d/trunc/results.json"
echo 'not json at all' >"$d/garbage/results.json"
sed 's/"samples": \[/"samples": {"x": [/; s/^ \]$/ ]}/' "$d/base/results.json" \
	>"$d/schema/results.json"
: >"$d/empty/results.json"
expect_err "truncated file" "trunc/results.json: truncated JSON" "$d/base" "$d/trunc"
expect_err "not JSON" "garbage/results.json: not valid JSON" "$d/garbage" "$d/base"
expect_err "wrong schema" 'schema/results.json: "samples" is not an array' "$d/base" "$d/schema"
expect_err "empty file" "empty/results.json: empty file" "$d/base" "$d/empty"
expect_err "directory without results" "nodir: no results.json" "$d/base" "$d/nodir"
expect_err "no such path" "nosuch: No such file" "$d/base" "$d/nosuch"
expect_err "one run only" "needs a baseline" "$d/base"
expect_err "bad threshold" "threshold" --threshold x "$d/base" "$d/same"
expect_err "bad format" "format" --format xml "$d/base" "$d/same"
expect_err "pooling two tool versions" \
	"cannot pool runs of different tool versions (test-1, test-2)" \
	--base "$d/p-a1,$d/p-tool" --other "$d/p-b1"
expect_err "pooling two knob settings" \
	"cannot pool runs whose knobs differ (knobs.thp.enabled: always, never)" \
	"$d/p-a1" "$d/p-b1,$d/p-knob"
expect_err "a run pooled twice" "pooled twice" "$d/p-a1,$d/p-a1" "$d/p-b1"
expect_err "--other without a base" "needs a baseline" --other "$d/p-b1"

done_testing
