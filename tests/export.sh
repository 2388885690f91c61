#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# export.sh - `cowbench export` on small synthetic results directories made
# here: per format its engine's rules for names and values, a null left
# out (never 0), a failing point and a point with extra copies visible,
# names cut and kept apart, pooled runs, the KTAP read by automake's TAP
# driver, and bad input: one line, exit 2, nothing written to --out.
# The engines' own code reads these formats in tests/adapters.sh.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"
. "${COW_SRCDIR:-.}/tests/mkresults.sh"


d=$scratch
# exp OUT ARGS...: run export, stdout to $d/OUT, stderr to $d/OUT.err
exp() {
	o=$1
	shift
	"$COWBENCH" export "$@" >"$d/$o" 2>"$d/$o.err"
	rc=$?
}
has() { grep -q -- "$2" "$d/$1"; }

# A pass with exact copies, a pass with 1024 extra copies, a failure, a
# skip, and a pass whose copies were not counted (null, as without root).
mkresults "$d/run" <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 700000,705000,698000 1024 0 1024
fork.latency 4194304 fail 8 800000,810000,790000 0 0 0 fork_exec_ns=2000,2100,2050
ksm.cow 4194304 skip 8 800000 - - -
vmsplice.unpriv 65536 pass 16 16000,16100,15900 - - -
EOF
# the same run where parent-after-exit copied nothing: the base of a lab
# that must see the extra copies appear
mkresults "$d/good" <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
fork.parent-after-exit 4194304 pass 1024 700000,705000,698000 0 0 0
EOF

# --- lkp ---------------------------------------------------------------------
exp lkp.out --format lkp "$d/run"
[ $rc -eq 0 ] && [ ! -s "$d/lkp.out.err" ]
ok $? "lkp: exit $rc, nothing on stderr"
! grep -v '^#' "$d/lkp.out" | grep -qv '^[A-Za-z0-9._-]*: -\{0,1\}[0-9][0-9]*\(\.[0-9][0-9]*\)\{0,1\}$' &&
	[ "$(grep -vc '^#' "$d/lkp.out")" -gt 20 ]
ok $? "lkp: every line 'KEY: NUMBER', the key of [A-Za-z0-9._-], no exponent"
[ "$(grep -v '^#' "$d/lkp.out" | cut -d: -f1 | sort | uniq -d | wc -l)" -eq 0 ]
ok $? "lkp: each key once (one record for dump-stat)"
has lkp.out '^fork.child-write.4M.ns_per_op: 2148.4375$' &&
	has lkp.out '^fork.child-write.4M.pass: 1$' &&
	has lkp.out '^fork.child-write.4M.extra_copies: 0$' &&
	has lkp.out '^fork.child-write.4M.copies_exact.pass: 1$'
ok $? "lkp: a pass, its median ns/op, its counts, copies_exact.pass"
has lkp.out '^fork.latency.4M.fail: 1$' && has lkp.out '^fork.latency.4M.fork_exec_ns: 2050$'
ok $? "lkp: the failing point is .fail: 1, with its figures"
has lkp.out '^fork.parent-after-exit.4M.extra_copies: 1024$' &&
	has lkp.out '^fork.parent-after-exit.4M.copies_exact.fail: 1$'
ok $? "lkp: extra copies: the count and copies_exact.fail, nonzero where the base had copies_exact.pass"
exp lkp-good.out --format lkp "$d/good"
has lkp-good.out '^fork.parent-after-exit.4M.copies_exact.pass: 1$'
ok $? "lkp: the base without extra copies has copies_exact.pass: 1"
has lkp.out '^ksm.cow.4M.skip: 1$' && ! has lkp.out '^ksm.cow.4M.ns_per_op'
ok $? "lkp: a skip is .skip: 1 and nothing measured"
has lkp.out '^vmsplice.unpriv.64k.ns_per_op: 1000$' &&
	! has lkp.out '^vmsplice.unpriv.64k.pages_copied' &&
	! has lkp.out '^vmsplice.unpriv.64k.copies_exact'
ok $? "lkp: null counts left out, never 0, and no copies_exact without them"

# --- lava --------------------------------------------------------------------
exp lava.out --format lava "$d/run"
[ $rc -eq 0 ] &&
	! grep -Evq '^[-_a-zA-Z0-9.]{1,100} (pass|fail|skip)( -?[0-9]+(\.[0-9]+)?( [^ ]+)?)?$' "$d/lava.out"
ok $? "lava: every line 'ID pass|fail|skip [VALUE [UNITS]]', ID of [-_a-zA-Z0-9.] (exit $rc)"
[ "$(cut -d' ' -f1 "$d/lava.out" | sort | uniq -d | wc -l)" -eq 0 ]
ok $? "lava: every id once"
has lava.out '^fork.latency.4M fail$' && has lava.out '^fork.latency.4M.ns_per_op fail 100000 ns$'
ok $? "lava: the failing point and its figures fail"
has lava.out '^fork.parent-after-exit.4M.extra_copies pass 1024 pages$' &&
	has lava.out '^fork.child-write.4M.extra_copies pass 0 pages$'
ok $? "lava: extra copies measured, 1024 and 0 pages"
has lava.out '^ksm.cow.4M skip$' && ! has lava.out '^vmsplice.unpriv.64k.pages_copied'
ok $? "lava: the skip; null counts left out"

# --- ktap --------------------------------------------------------------------
exp ktap.out --format ktap "$d/run"
[ $rc -eq 1 ] && [ "$(sed -n 1p "$d/ktap.out")" = "KTAP version 1" ] && has ktap.out '^1\.\.5$'
ok $? "ktap: version 1, a plan of 5 points, exit 1 for the failure (exit $rc)"
# a test's diagnostics follow its result line
sed -n '/^not ok 3 /,/^ok 4 /p' "$d/ktap.out" | grep -q '^# reason: the fork.latency check said fail$' &&
	sed -n '/^ok 4 /,/^ok 5 /p' "$d/ktap.out" | grep -q '^# reason: the ksm.cow check said skip$' &&
	has ktap.out '^ok 4 ksm.cow.4M # SKIP$'
ok $? "ktap: the failure and the skip, each with its reason after it"
sed -n '/^ok 2 /,/^not ok 3 /p' "$d/ktap.out" | grep -q '^# extra_copies: 1024 pages$'
ok $? "ktap: the extra copies as a diagnostic of their point"
sed -n '/^ok 5 /,$p' "$d/ktap.out" | grep -q '^# ns_per_op: 1000 ns$' &&
	! sed -n '/^ok 5 /,$p' "$d/ktap.out" | grep -q pages_copied
ok $? "ktap: null counts left out"
! grep -v '^# \|^ok \|^not ok \|^KTAP version 1$\|^1\.\.5$' "$d/ktap.out" | grep -q . &&
	! grep '^ok \|^not ok ' "$d/ktap.out" | sed 's/ # SKIP.*//' |
	grep -qv '^\(not \)\{0,1\}ok [0-9]* [A-Za-z0-9._-]*$'
ok $? "ktap: only KTAP lines; test names of [A-Za-z0-9._-]"
# automake's TAP driver, as make check reads every test here
tapdrv() {
	env AM_TAP_AWK="${AWK:-awk}" "${SHELL:-/bin/sh}" "$COW_SRCDIR/build-aux/tap-driver.sh" \
		--test-name "$1" --log-file "$d/$1.log" --trs-file "$d/$1.trs" \
		--ignore-exit -- cat "$d/$1" >/dev/null 2>&1
}
tapdrv ktap.out
[ "$(grep -c '^:test-result: PASS' "$d/ktap.out.trs")" -eq 3 ] &&
	[ "$(grep -c '^:test-result: FAIL' "$d/ktap.out.trs")" -eq 1 ] &&
	[ "$(grep -c '^:test-result: SKIP' "$d/ktap.out.trs")" -eq 1 ] &&
	! grep -q '^:test-result: ERROR' "$d/ktap.out.trs"
ok $? "ktap: automake's tap-driver.sh reads 3 PASS, 1 FAIL, 1 SKIP, no ERROR"
exp ktap-good.out --format ktap "$d/good"
tapdrv ktap-good.out
[ $rc -eq 0 ] && grep -q '^:global-test-result: PASS' "$d/ktap-good.out.trs"
ok $? "ktap: a run that passed: exit 0, PASS for the TAP driver (exit $rc)"
mkresults "$d/skips" <<'EOF'
ksm.cow 4194304 skip 8 800000 - - -
ksm.merge 4194304 skip 8 800000 - - -
EOF
exp ktap-skip.out --format ktap "$d/skips"
[ $rc -eq 4 ]
ok $? "ktap: every point skipped: exit 4, as kselftest (exit $rc)"

# --- kcidb -------------------------------------------------------------------
exp kcidb.out --format kcidb --origin lab_1 --build-id b42 --checkout-id c42 "$d/run"
[ $rc -eq 0 ]
ok $? "kcidb: exit $rc"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$d/kcidb.out" >"$d/kcidb.py.out" 2>&1 <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == {"major": 5, "minor": 3}, d["version"]
assert d["checkouts"] == [{"id": "lab_1:c42", "origin": "lab_1"}]
assert d["builds"] == [{"id": "lab_1:b42", "origin": "lab_1",
                        "checkout_id": "lab_1:c42"}]
t = {x["path"]: x for x in d["tests"]}
assert len(t) == len(d["tests"]), "paths repeat"
assert len({x["id"] for x in d["tests"]}) == len(d["tests"]), "ids repeat"
path = re.compile(r"^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$")
for x in d["tests"]:
    assert path.match(x["path"]), x["path"]
    assert re.match(r"^[a-z0-9_]+:.*$", x["id"]), x["id"]
    assert x["build_id"] == "lab_1:b42" and x["origin"] == "lab_1"
    assert x["status"] in ("PASS", "FAIL", "SKIP", "DONE")
    assert ("number" in x) == (x["status"] == "DONE"), x
p = "cowbench.fork.child-write.4M"
assert t[p]["status"] == "PASS"
assert t[p + ".ns_per_op"]["number"] == {"value": 2148.4375, "unit": "ns"}
assert t["cowbench.fork.latency.4M"]["status"] == "FAIL"
assert t["cowbench.ksm.cow.4M"]["status"] == "SKIP"
e = t["cowbench.fork.parent-after-exit.4M.extra_copies"]
assert e["status"] == "DONE" and e["number"]["value"] == 1024, e
assert "cowbench.vmsplice.unpriv.64k.pages_copied" not in t
assert "cowbench.vmsplice.unpriv.64k.ns_per_op" in t
PY
	ok $? "kcidb: schema 5.3 ids and paths, PASS/FAIL/SKIP per point, DONE with number per figure, extra copies there, nulls left out"
	[ -s "$d/kcidb.py.out" ] && sed 's/^/# /' "$d/kcidb.py.out"
else
	ok 0 "kcidb: checked # SKIP no python3 to read it"
fi

# --- mmtests ------------------------------------------------------------------
exp mm.out --format mmtests "$d/run"
[ $rc -eq 0 ] && awk -F'\t' 'NF != 6 || $1 !~ /^[A-Za-z0-9._-]+$/ ||
	$2 !~ /^[A-Za-z0-9._-]+$/ || $3 != "_" || $4 != 1 ||
	$5 !~ /^-?[0-9]+(\.[0-9]+)?$/ || $6 != "_" { bad = 1 }
	END { exit bad || NR < 20 }' "$d/mm.out"
ok $? "mmtests: rows METRIC POINT _ 1 VALUE _, tab-separated (exit $rc)"
[ "$(cut -f1,2 "$d/mm.out" | sort | uniq -d | wc -l)" -eq 0 ]
ok $? "mmtests: one row per operation (metric, point)"
has mm.out "$(printf '^failed\tfork.latency.4M\t_\t1\t1\t_$')" &&
	has mm.out "$(printf '^failed\tfork.child-write.4M\t_\t1\t0\t_$')" &&
	has mm.out "$(printf '^extra_copies\tfork.parent-after-exit.4M\t_\t1\t1024\t_$')"
ok $? "mmtests: failed 1 for the failure, 0 for a pass; the extra copies"
! has mm.out 'ksm.cow' && ! has mm.out "$(printf '^pages_copied\tvmsplice')"
ok $? "mmtests: nothing for the skip; null counts left out"

# --- names: the engines' characters, cut and kept apart -----------------------
# Two points whose params differ only past LAVA's 100 characters (their
# last param, "variant", sorts last), one with bytes no engine takes.
mkresults "$d/names" <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
fork.child-write 8388608 pass 1024 2200000,2210000,2190000 1024 1024 0
fork.child-write 4096 pass 1024 2200000,2210000,2190000 1024 1024 0
EOF
long='"mode": "mode-with-a-long-name-number-xx", "phase": "and-a-long-phase-name-too-yyyyy"'
sed -e "s|{\"size\": 4194304}|{\"size\": 4194304, $long, \"variant\": \"a-rather-long-variant-name-xx01\"}|" \
    -e "s|{\"size\": 8388608}|{\"size\": 4194304, $long, \"variant\": \"a-rather-long-variant-name-xx02\"}|" \
    -e 's|{"size": 4096}|{"size": 4096, "how": "a b/c#d\\\\e"}|' \
	"$d/names/results.json" >"$d/names.json"
exp names.out --format lava "$d/names.json"
[ $rc -eq 0 ] && awk '{ if (length($1) > 100) bad = 1 } END { exit bad }' "$d/names.out" &&
	[ "$(cut -d' ' -f1 "$d/names.out" | sort | uniq -d | wc -l)" -eq 0 ] &&
	[ "$(awk 'length($1) == 100' "$d/names.out" | wc -l)" -ge 4 ] &&
	[ "$(cut -d' ' -f1 "$d/names.out" | grep -Ec '^.{81}-[0-9a-f]{8}\.ns_per_op$')" -eq 2 ]
ok $? "lava: ids over 100 characters cut to 100 with the figure kept, points that differ past the cut kept apart"
has names.out '^fork.child-write.a_b_c_d_e.4k pass$'
ok $? "names: bytes outside [A-Za-z0-9_-] in a param made '_'"
exp names-lkp.out --format lkp "$d/names.json"
[ "$(grep -v '^#' "$d/names-lkp.out" | cut -d: -f1 | sort | uniq -d | wc -l)" -eq 0 ] &&
	! grep -v '^#' "$d/names-lkp.out" | cut -d: -f1 | grep -q '[^A-Za-z0-9._-]'
ok $? "lkp: the same points, keys unique and of [A-Za-z0-9._-]"

# the median of two figures past DBL_MAX / 2 is no "inf"
mkresults "$d/big" <<'EOF'
fork.latency 4194304 pass 8 800000,810000 0 0 0 huge_ns=1.7e308,1.7e308
EOF
exp big.out --format lkp "$d/big"
grep -q '^fork.latency.4M.huge_ns: 1[0-9]\{308\}$' "$d/big.out"
ok $? "a median of two huge figures is a decimal, not inf"
# and a tiny one keeps its digits: no 0 for a figure that is not 0
mkresults "$d/tiny" <<'EOF'
fork.latency 4194304 pass 8 800000,810000,790000 0 0 0 ratio=1.5e-12,1.5e-12,1.5e-12
EOF
exp tiny.out --format lava "$d/tiny"
grep -q '^fork.latency.4M.ratio pass 0.0000000000015$' "$d/tiny.out"
ok $? "a tiny figure in decimals, not 0 (0.0000000000015)"

# --- pooled runs ------------------------------------------------------------------
mkresults "$d/good2" host=other <<'EOF'
fork.child-write 4194304 pass 1024 4400000,4410000,4390000 1024 1024 0
EOF
exp pool.out --format lkp "$d/good" "$d/good2"
# six samples: 2148.4375 x3 and 4296.875 x3, median their middle two
[ $rc -eq 0 ] && has pool.out '^fork.child-write.4M.ns_per_op: 3222.65625$' &&
	has pool.out '2 runs pooled'
ok $? "two runs: pooled per point, the median over both (exit $rc)"

# --- --help and the man page: every format ----------------------------------------
exp help.out --help
missing=
for f in lkp lava ktap kcidb mmtests; do
	grep -q "^  $f  " "$d/help.out" || missing="$missing help:$f"
	sed -n '/^\.SH EXPORT/,/^\.SH /p' "$COW_SRCDIR/doc/cowbench.1" |
		grep -q "^\.B $f$" || missing="$missing man:$f"
done
for o in --format --out --origin --build-id --checkout-id; do
	grep -q -- "$o" "$d/help.out" || missing="$missing help:$o"
	sed -n '/^\.SH EXPORT/,/^\.SH /p' "$COW_SRCDIR/doc/cowbench.1" |
		grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" || missing="$missing man:$o"
done
[ $rc -eq 0 ] && [ -z "$missing" ]
ok $? "export --help and the man page's EXPORT cover every format and option (exit $rc)${missing:+, missing$missing}"

# --- errors: one line, exit 2, --out untouched ----------------------------------
# expect_err DESCRIPTION PATTERN ARGS...: and --out (holding "old") kept
expect_err() {
	desc=$1 pat=$2
	shift 2
	echo old >"$d/out.txt"
	"$COWBENCH" export "$@" --out "$d/out.txt" >"$d/err.out" 2>"$d/err.err"
	rc=$?
	lines=$(wc -l <"$d/err.err")
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$d/err.out" ] &&
		[ "$(cat "$d/out.txt")" = old ] &&
		[ -z "$(find "$d" -maxdepth 1 -name 'out.txt.tmp*')" ] &&
		grep -q -- "$pat" "$d/err.err"
	ok $? "$desc: exit $rc, $lines line, --out untouched: $(head -c 100 "$d/err.err")"
}
mkdir -p "$d/trunc" "$d/empty"
head -c 300 "$d/run/results.json" >"$d/trunc/results.json"
mkresults "$d/partial" partial=true <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
EOF
mkresults "$d/knob" thp=never <<'EOF'
fork.child-write 4194304 pass 1024 2200000,2210000,2190000 1024 1024 0
EOF
mkresults "$d/nosamples" </dev/null
expect_err "truncated results.json" "trunc/results.json: truncated JSON" --format lkp "$d/trunc"
expect_err "a partial run" "partial run" --format ktap "$d/partial"
expect_err "a run without samples" "no samples" --format lava "$d/nosamples"
expect_err "runs whose knobs differ" "cannot pool runs whose knobs differ" --format mmtests "$d/good" "$d/knob"
expect_err "kcidb without --origin" "needs --origin" --format kcidb --build-id b "$d/run"
expect_err "kcidb without --build-id" "needs --build-id" --format kcidb --origin o "$d/run"
expect_err "kcidb, a bad origin" "origin: 'Lab 1'" --format kcidb --origin 'Lab 1' --build-id b "$d/run"
expect_err "an unknown format" "is not lkp, lava, ktap, kcidb or mmtests" --format junit "$d/run"
expect_err "no format" "format is required" "$d/run"
expect_err "no results" "needs at least one results directory" --format lkp

# and a good export to --out writes the file whole
"$COWBENCH" export --format lkp --out "$d/out.txt" "$d/run" >"$d/stdout" 2>&1 &&
	[ ! -s "$d/stdout" ] && cmp -s "$d/out.txt" "$d/lkp.out"
ok $? "--out FILE: the export in FILE, nothing on stdout"
# a FIFO (as /dev/stdout) is written to, not replaced by a renamed file
mkfifo "$d/fifo"
cat "$d/fifo" >"$d/fifo.out" &
"$COWBENCH" export --format lkp --out "$d/fifo" "$d/run" >/dev/null 2>&1
frc=$?
wait
[ $frc -eq 0 ] && [ -p "$d/fifo" ] && cmp -s "$d/fifo.out" "$d/lkp.out"
ok $? "--out FIFO: written through, still a FIFO (exit $frc)"
if [ -c /dev/full ]; then
	"$COWBENCH" export --format lkp "$d/run" >/dev/full 2>"$d/full.err"
	frc=$?
	[ $frc -eq 2 ] && [ "$(wc -l <"$d/full.err")" -eq 1 ] &&
		grep -q "writing: No space left on device" "$d/full.err"
	ok $? "a write that fails (stdout on /dev/full): one line, exit $frc"
else
	ok 0 "a write that fails # SKIP no /dev/full"
fi

done_testing
