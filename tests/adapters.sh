#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# adapters.sh - cowbench's files for kernel labs (contrib/, cowbench
# export), checked by the labs' own code: lkp-tests (programs/cowbench
# run and parse, sbin/dump-stat, the compare in lib/stats.rb), mmtests
# (the shellpack through bin/run-single-test.sh, extract-mmtests.pl,
# compare-mmtests.pl), LAVA (lava-schema.py, lava_common.schemas),
# Linaro's test-definitions (validate.py, test-runner.py, kselftest's
# parse-output.py), kcidb-io (LATEST.validate) and automake's TAP driver.
# Real runs are tiny (--quick --size 1M, two fork scenarios); a failing
# point and extra copies are synthetic results (tests/mkresults.sh), and
# each must come out of each engine as a failure or a visible change.
#
# The peers: $LKP_SRC, $MMTESTS_SRC, $TEST_DEFINITIONS_SRC, $KCIDB_IO_SRC
# (a checkout of one's own, never written: the test works on a copy), or
# else the snapshots in $COWBENCH_PEERS (default ../shared/peers beside
# the source tree; see its README). A check whose peer or tool is
# missing skips with the reason; with COWBENCH_REQUIRE_PEERS=1 (CI) it
# fails instead.
. "${COW_SRCDIR:-.}/tests/lib.sh"
. "${COW_SRCDIR:-.}/tests/mkresults.sh"

src=$(cd "${COW_SRCDIR:-.}" && pwd)
peers=${COWBENCH_PEERS:-$src/../shared/peers}
require=${COWBENCH_REQUIRE_PEERS:-0}
# Debian's python: the Debian python modules (lava_common, tap, ...) are
# there, whatever python3 comes first in PATH.
py=/usr/bin/python3
d=$scratch
root=0
[ "$(id -u)" -eq 0 ] && root=1


# skip N REASON: N checks that cannot run here; failures where they must.
skip() {
	i=0
	while [ $i -lt "$1" ]; do
		i=$((i + 1))
		tap_n=$((tap_n + 1))
		if [ "$require" = 1 ]; then
			echo "not ok $tap_n - $2 (COWBENCH_REQUIRE_PEERS=1)"
			tap_failed=$((tap_failed + 1))
		else
			echo "ok $tap_n # SKIP $2"
		fi
	done
}
# check RC DESCRIPTION [FILE...]: ok RC, and the files as comments if
# it failed.
check() {
	c_rc=$1 c_desc=$2
	shift 2
	ok "$c_rc" "$c_desc"
	[ "$c_rc" -eq 0 ] || [ $# -eq 0 ] ||
		sed 's/^/# /' "$@" 2>/dev/null | head -n 80
}

# peer VAR NAME: a copy of the peer in $d/peers/NAME, from $VAR or the
# snapshot NAME.tar.gz; $why says why not.
mkdir -p "$d/peers"
peer() {
	eval "given=\${$1:-}"
	why=
	[ -d "$d/peers/$2" ] && return 0
	if [ -n "$given" ]; then
		[ -d "$given" ] || { why="$1=$given is no directory"; return 1; }
		if ! { cp -a "$given" "$d/peers/$2" &&
		       chmod -R u+w "$d/peers/$2"; }; then
			why="cannot copy $given"
			return 1
		fi
	elif [ -f "$peers/$2.tar.gz" ]; then
		if ! { tar -xzf "$peers/$2.tar.gz" -C "$d/peers" &&
		       [ -d "$d/peers/$2" ]; }; then
			why="cannot unpack $peers/$2.tar.gz"
			return 1
		fi
	else
		why="no \$$1 and no $peers/$2.tar.gz"
		return 1
	fi
}
# need WHAT...: each a command, or a python (py:), ruby (rb:) or perl
# (pl:) module; $why says which is missing.
need() {
	for w; do
		case $w in
		py:*) "$py" -c "import ${w#py:}" 2>/dev/null ||
			{ why="no python module ${w#py:} in $py $packages"; return 1; } ;;
		rb:*) ruby -e "require '${w#rb:}'" 2>/dev/null ||
			{ why="no ruby library ${w#rb:} $packages"; return 1; } ;;
		pl:*) perl -M"${w#pl:}" -e 1 2>/dev/null ||
			{ why="no perl module ${w#pl:} $packages"; return 1; } ;;
		*) command -v "$w" >/dev/null 2>&1 ||
			{ why="no $w $packages"; return 1; } ;;
		esac
	done
}
packages="(apt-get install \$(cat scripts/debian-packages-peers))"

# The points of the real runs, as export names them: scenario and size.
scen="fork.child-write fork.exec-window"
p1=fork.child-write.1M
p2=fork.exec-window.1M

# A real run, the baseline of the others' checks: small pages, whose
# points these are (the other backings are tests/backings.sh's).
# shellcheck disable=SC2086 # $scen: the scenario names, split on purpose
run_ok "a real run, --quick --size 1M $scen" --quick --size 1M \
	--backing small --out "$d/r1" $scen

# Synthetic results at the same point: base, one where the point fails,
# one with 7 extra copies.
mkresults "$d/base" <<'EOF'
fork.child-write 1048576 pass 256 600000,601000,599000,602000,600500 256 256 0
fork.exec-window 1048576 pass 256 900000,901000,899000,902000,900500 0 0 0
EOF
mkresults "$d/failing" <<'EOF'
fork.child-write 1048576 fail 256 600000,601000,599000,602000,600500 256 256 0
fork.exec-window 1048576 pass 256 900000,901000,899000,902000,900500 0 0 0
EOF
mkresults "$d/extra" <<'EOF'
fork.child-write 1048576 pass 256 600000,601000,599000,602000,600500 263 256 7
fork.exec-window 1048576 pass 256 900000,901000,899000,902000,900500 0 0 0
EOF

# ---- lkp-tests ----------------------------------------------------------
if peer LKP_SRC lkp-tests && need ruby rb:git rb:active_support \
	rb:tty-command; then
	lkp=$d/peers/lkp-tests
	prog=$src/contrib/lkp/programs/cowbench
	rr=$d/lkp-result
	mkdir -p "$rr" "$d/lkp-bench/cowbench/bin"
	ln -s "$COWBENCH" "$d/lkp-bench/cowbench/bin/cowbench"
	# As lkp runs a job's program: its parameters in the environment,
	# its output kept as $RESULT_ROOT/cowbench.
	LKP_SRC=$lkp BENCHMARK_ROOT=$d/lkp-bench TMP_RESULT_ROOT=$rr \
		RESULT_ROOT=$rr scenario="$scen" size=1M quick=1 \
		"$prog/run" >"$rr/cowbench" 2>"$rr/run.err"
	rc=$?
	[ $rc -eq 0 ] && grep -q '^# cowbench export' "$rr/cowbench"
	check $? "lkp: programs/cowbench/run on lkp's libraries runs cowbench and prints the stats (rc $rc)" "$rr/cowbench" "$rr/run.err"

	# shellcheck disable=SC2094 # the log is only read, the stats written apart
	"$prog/parse" "$rr/cowbench" <"$rr/cowbench" >"$rr/stats"
	bad=$(grep -cvE '^[A-Za-z0-9._-]+: -?[0-9][0-9.eE+-]*$' "$rr/stats")
	[ "$bad" -eq 0 ] && grep -q '^run\.pass: 1$' "$rr/stats" &&
		grep -qE "^$p1\.(pass|fail|skip): 1$" "$rr/stats" &&
		grep -qE "^$p2\.(pass|fail|skip): 1$" "$rr/stats"
	check $? "lkp: parse gives 'key: number' lines only, a verdict per point, run.pass ($bad other lines)"

	(cd "$rr" && LKP_SRC=$lkp RESULT_ROOT=$rr ruby "$lkp/sbin/dump-stat" \
		cowbench <"$rr/stats" >"$rr/dump.out" 2>&1)
	"$py" - "$rr/cowbench.json" "$root" "$p1" "$p2" >"$rr/check" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
root = sys.argv[2] == "1"
for p in sys.argv[3:]:
    k = "cowbench." + p
    v = [d.get(k + "." + x) for x in ("pass", "fail", "skip")]
    assert [x for x in v if x is not None] == [[1]], (k, "verdict", v)
    assert d[k + ".ns_per_op"][0] > 0, (k, "ns_per_op")
    if root:
        assert (k + ".copies_exact.pass" in d) != (k + ".copies_exact.fail" in d), \
            (k, "copies_exact")
# the child writes every page: copies that are never 0 (dump-stat drops
# a stat that is 0 in every record, as exec-window's may be)
if root:
    assert d["cowbench." + sys.argv[3] + ".pages_copied"][0] > 0
EOF
	check $? "lkp: sbin/dump-stat writes cowbench.json with each point's verdict and ns/op$([ $root = 1 ] && echo ', copies_exact, the copies of the child')" \
		"$rr/check" "$rr/dump.out" "$rr/stats"

	# The engine's verdict on the synthetic runs: lkp compare's own
	# comparison (get_changed_stats, lib/stats.rb) of each with base.
	for r in base failing extra; do
		mkdir -p "$d/lkp-$r"
		"$COWBENCH" export --format lkp "$d/$r" | "$prog/parse" |
			(cd "$d/lkp-$r" && LKP_SRC=$lkp RESULT_ROOT=$d/lkp-$r \
			 ruby "$lkp/sbin/dump-stat" cowbench >/dev/null 2>&1)
	done
	cp "$d/lkp-base/cowbench.json" "$d/lkp-same.json"
	changed() {
		LKP_SRC=$lkp ruby -e 'require "#{ENV["LKP_SRC"]}/lib/stats"
			c = get_changed_stats(ARGV[0], ARGV[1], {}) || {}
			puts c.keys' "$1" "$2" 2>&1
	}
	changed "$d/lkp-failing/cowbench.json" "$d/lkp-base/cowbench.json" \
		>"$d/lkp-failing.changed"
	grep -qx "cowbench.$p1.fail" "$d/lkp-failing.changed"
	check $? "lkp: compare of a failing point with its base shows cowbench.$p1.fail" "$d/lkp-failing.changed"
	changed "$d/lkp-extra/cowbench.json" "$d/lkp-base/cowbench.json" \
		>"$d/lkp-extra.changed"
	changed "$d/lkp-same.json" "$d/lkp-base/cowbench.json" >"$d/lkp-same.changed"
	grep -qx "cowbench.$p1.copies_exact.fail" "$d/lkp-extra.changed" &&
		[ ! -s "$d/lkp-same.changed" ]
	check $? "lkp: compare shows 7 extra copies (copies_exact.fail; the base's extra_copies 0 is dropped), and nothing for the same run" "$d/lkp-extra.changed" "$d/lkp-same.changed"
	grep -q extra_copies "$d/lkp-base/cowbench.json" &&
		diag "lkp: dump-stat kept a zero extra_copies now"

	# The job as lkp schedules it: split-job makes one job per scenario
	# family (only if programs/cowbench/run declares the parameters), and
	# job2sh's script runs the program with them.
	cp -r "$prog" "$lkp/programs/" && cp "$src/contrib/lkp/jobs/cowbench.yaml" \
		"$lkp/jobs/" && chmod -R u+w "$lkp/programs/cowbench" &&
		mkdir -p "$d/lkp-jobs" &&
		(cd "$lkp" && LKP_SRC=$lkp ruby sbin/split-job -t vm-snb \
			-o "$d/lkp-jobs" jobs/cowbench.yaml) >"$d/lkp-split" 2>&1
	n=$(find "$d/lkp-jobs" -name 'cowbench-*.yaml' | wc -l)
	fork_job=$(grep -l "scenario: fork\.\*" "$d"/lkp-jobs/*.yaml 2>/dev/null | head -n 1)
	[ "$n" -eq 7 ] && [ -n "$fork_job" ] &&
		(cd "$lkp" && LKP_SRC=$lkp ruby sbin/job2sh "$fork_job") \
		>"$d/lkp-job.sh" 2>>"$d/lkp-split" &&
		grep -q "run_test scenario='fork\.\*' size=67108864 reps=10 .*/bin/run-test cowbench$" \
			"$d/lkp-job.sh" &&
		grep -q "run-stats cowbench$" "$d/lkp-job.sh"
	check $? "lkp: split-job makes jobs/cowbench.yaml 7 jobs ($n), job2sh's script runs programs/cowbench and its stats" \
		"$d/lkp-split" "$d/lkp-job.sh"

	# contrib/lkp/etc: the lines appended to lkp's own files.
	for f in index-perf-all.yaml index-perf.yaml linux-perf-test-cases; do
		grep -v '^#' "$src/contrib/lkp/etc/$f" >>"$lkp/etc/$f"
	done
	dir=$(LKP_SRC=$lkp ruby -e 'require "#{ENV["LKP_SRC"]}/lib/stats"
		puts kpi_stat_direction(ARGV[0], 10), kpi_stat_direction(ARGV[1], 100),
		     kpi_stat_direction(ARGV[0], -10)' \
		"cowbench.$p1.ns_per_op" "cowbench.$p1.extra_copies" 2>&1 | tr '\n' ' ')
	[ "$dir" = "regression regression improvement " ]
	check $? "lkp: with contrib/lkp/etc, slower ns/op and more extra copies are regressions ($dir)"
else
	skip 7 "lkp: $why"
fi

# ---- mmtests ------------------------------------------------------------
# mm_layout NAME RESULTS: logs as cowbench-bench leaves them, for
# extract-mmtests.pl -n NAME.
mm_layout() {
	l=$mm/work/log/$1/iter-0/cowbench/logs
	mkdir -p "$l" && cp -r "$2" "$l/cowbench" &&
		"$COWBENCH" export --format mmtests "$l/cowbench" >"$l/cowbench.rows"
}
# mm_row FILE OP A B: compare-mmtests' row for OP goes from A to B.
mm_row() {
	awk -v op="$2" -v a="$3" -v b="$4" '
		$1 == "Ops" && $2 == op && $3 == a && $6 == b { f = 1 }
		END { exit !f }' "$1"
}
if peer MMTESTS_SRC mmtests && need perl pl:YAML::PP pl:File::Which \
	pl:File::Slurp; then
	mm=$d/peers/mmtests
	# (chmod: make distcheck's tree is read-only, and so its copies)
	cp -r "$src/contrib/mmtests/." "$mm/" && chmod -R u+w "$mm" &&
		"$mm/shellpack_src/src/refresh.sh" cowbench >"$d/mm-refresh" 2>&1 &&
		[ -x "$mm/shellpacks/shellpack-bench-cowbench" ] &&
		[ -x "$mm/shellpacks/shellpack-install-cowbench" ] &&
		! grep -q '###SHELLPACK' "$mm/shellpacks/shellpack-bench-cowbench"
	check $? "mmtests: contrib/mmtests in an mmtests tree; refresh.sh builds the shellpacks" "$d/mm-refresh"

	# Installed as cowbench-install would: the build tree's binary.
	mkdir -p "$mm/work/sources/cowbench-main-installed/bin"
	ln -s "$COWBENCH" "$mm/work/sources/cowbench-main-installed/bin/cowbench"
	mm_rc=
	for n in A B; do
		# shellcheck disable=SC1091 # mmtests' config, in the peer's copy
		(cd "$mm" && . ./configs/config-workload-cowbench &&
		 COWBENCH_SCENARIOS=$scen COWBENCH_SIZE=1M COWBENCH_QUICK=yes \
		 SHELLPACK_LOG=$mm/work/log/$n/iter-0 HOME=$d \
		 bin/run-single-test.sh cowbench) >"$d/mm-$n.out" 2>&1
		mm_rc="$mm_rc$?"
	done
	l=$mm/work/log
	[ "$mm_rc" = 00 ] &&
		[ -s "$l/A/iter-0/cowbench/logs/cowbench/results.json" ] &&
		[ -s "$l/B/iter-0/cowbench/logs/cowbench.rows" ]
	check $? "mmtests: two real runs through bin/run-single-test.sh cowbench (rc $mm_rc) leave results.json and cowbench.rows" "$d/mm-A.out" "$d/mm-B.out"

	(cd "$mm" && bin/extract-mmtests.pl -d work/log -b cowbench -n A) \
		>"$d/mm-extract" 2>&1
	grep -q "^ns_per_op-$p1" "$d/mm-extract" &&
		grep -q "^ns_per_op-$p2" "$d/mm-extract"
	check $? "mmtests: extract-mmtests.pl reads ns_per_op of both points" "$d/mm-extract"

	(cd "$mm" && bin/compare-mmtests.pl -d work/log -b cowbench -n A,B) \
		>"$d/mm-compare" 2>&1
	grep -q "^Ops ns_per_op-$p1 " "$d/mm-compare" &&
		grep -q "^Ops ns_per_op-$p2 " "$d/mm-compare" &&
		grep -q "^Ops failed-$p1 " "$d/mm-compare"
	check $? "mmtests: compare-mmtests.pl's table of the two runs names the scenarios" "$d/mm-compare"

	if [ $root = 1 ]; then
		(cd "$mm" && bin/compare-mmtests.pl -d work/log -b cowbench \
			-n A,B -a copies) >"$d/mm-copies" 2>&1
		grep -q "^Ops extra_copies-$p1 " "$d/mm-copies" &&
			grep -q "^Ops pages_copied-$p1 " "$d/mm-copies"
		check $? "mmtests: the copies report (-a copies) of the two runs" "$d/mm-copies"
	else
		skip 1 "mmtests: copies are counted as root only"
	fi

	mm_layout base "$d/base" && mm_layout failing "$d/failing" &&
		mm_layout extra "$d/extra" && (cd "$mm" &&
		bin/compare-mmtests.pl -d work/log -b cowbench -n base,failing &&
		bin/compare-mmtests.pl -d work/log -b cowbench -n base,extra \
			-a copies) >"$d/mm-synth" 2>&1
	mm_row "$d/mm-synth" "failed-$p1" 0.00 1.00
	check $? "mmtests: a failing point is failed-$p1 0 -> 1 in compare-mmtests.pl" "$d/mm-synth"
	mm_row "$d/mm-synth" "extra_copies-$p1" 0.00 7.00
	check $? "mmtests: extra copies are extra_copies-$p1 0 -> 7 in the copies report" "$d/mm-synth"
else
	skip 7 "mmtests: $why"
fi

# ---- LAVA and Linaro's test-definitions ---------------------------------
job=$src/contrib/lava/jobs/qemu-x86_64-cowbench.yaml
def=$src/contrib/lava/automated/linux/cowbench
schema=/usr/share/lava-common/lava-schema.py
if need py:lava_common.schemas py:jinja2 &&
	{ [ -f "$schema" ] || { why="no $schema"; false; }; }; then
	"$py" "$schema" job "$job" --strict >"$d/lava-job" 2>&1
	check $? "lava: lava-schema.py job --strict accepts the sample job" "$d/lava-job"
	sed 's/^visibility: public$/visibility: public\nbogus: 1/' "$job" >"$d/bad-job.yaml"
	! "$py" "$schema" job "$d/bad-job.yaml" --strict >/dev/null 2>&1
	check $? "lava: and rejects it with an unknown key"
	"$py" - "$def/cowbench.yaml" >"$d/lava-def" 2>&1 <<'EOF'
import sys, yaml
from lava_common.schemas.test.testdef import validate
validate(yaml.safe_load(open(sys.argv[1])))
EOF
	check $? "lava: lava_common.schemas accepts the test definition" "$d/lava-def"
else
	skip 3 "lava: lava-common: $why"
fi

# tr_run NAME PARAM=VALUE...: the definition run by test-runner.py as on
# a board; its result.json in $d/tr-NAME.json.
tr_run() {
	n=$1
	shift
	rm -rf "$d/tr-$n"
	(cd "$td" && REPO_PATH=$td "$py" automated/utils/test-runner.py \
		-d automated/linux/cowbench/cowbench.yaml -o "$d/tr-$n" -e \
		-r COWBENCH="$COWBENCH" SKIP_INSTALL=true "$@") \
		>"$d/tr-$n.out" 2>&1
	cp "$d/tr-$n"/*/result.json "$d/tr-$n.json" 2>/dev/null
}
# tr_has NAME CASE RESULT [MEASUREMENT [UNITS]]: result.json has the case
# (RESULT and MEASUREMENT are regular expressions).
tr_has() {
	"$py" - "$d/tr-$1.json" "$2" "$3" "${4:-}" "${5:-}" <<'EOF'
import json, re, sys
f, case, res, meas, units = sys.argv[1:]
for m in json.load(open(f))[0]["metrics"]:
    if m["test_case_id"] != case or not re.fullmatch(res, m["result"]):
        continue
    if meas and not re.fullmatch(meas, str(m["measurement"])):
        continue
    if units and m["units"] != units:
        continue
    sys.exit(0)
sys.exit(1)
EOF
}
if peer TEST_DEFINITIONS_SRC test-definitions &&
	need py:yaml py:pexpect py:pycodestyle py:magic shellcheck git; then
	td=$d/peers/test-definitions
	cp -r "$def" "$td/automated/linux/" && chmod -R u+w "$td"
	(cd "$td" && "$py" validate.py -f automated/linux/cowbench/cowbench.yaml &&
	 "$py" validate.py -f automated/linux/cowbench/cowbench.sh) \
		>"$d/validate" 2>&1
	check $? "test-definitions: validate.py passes cowbench.yaml (metadata) and cowbench.sh (shellcheck)" "$d/validate"

	if [ $root = 1 ]; then
		# test-runner.py records the tree's commit: a lab's is a clone.
		(cd "$td" && git init -q && git add -A &&
		 git -c user.name=cowbench -c user.email=cowbench@localhost \
			commit -q -m snapshot) >"$d/git.out" 2>&1
		tr_run run SCENARIOS="$scen" OPTIONS="--quick --size 1M" \
			BASELINE="$d/r1"
		num='[0-9.]+'
		tr_has run cowbench-run pass && tr_has run "$p1" 'pass|fail|skip' &&
			tr_has run "$p2" 'pass|fail|skip' &&
			tr_has run "$p1.ns_per_op" 'pass|fail|skip' "$num" ns &&
			tr_has run "$p2.ns_per_op" 'pass|fail|skip' "$num" ns &&
			tr_has run cowbench-compare 'pass|fail'
		check $? "test-definitions: test-runner.py runs the definition: both points, ns/op measured, cowbench-compare against a baseline" "$d/tr-run.out"

		tr_run failing RESULTS="$d/failing"
		tr_has failing "$p1" fail && tr_has failing "$p1.ns_per_op" fail "$num" ns &&
			tr_has failing "$p2" pass
		check $? "test-definitions: a failing point is a failed case ($p1 fail)" "$d/tr-failing.out"

		tr_run extra RESULTS="$d/extra" BASELINE="$d/base"
		tr_run same RESULTS="$d/base" BASELINE="$d/base"
		tr_has extra cowbench-compare fail &&
			grep -q "extra copies 0 -> 7" \
				"$d"/tr-extra/*/automated/linux/cowbench/output/cowbench-compare.log &&
			tr_has extra "$p1.extra_copies" pass '7(\.0)?' pages &&
			tr_has same cowbench-compare pass
		check $? "test-definitions: extra copies fail cowbench-compare against the base (its log says so; 7 pages measured), the base itself passes" \
			"$d/tr-extra.out" "$d/tr-same.out"
	else
		skip 3 "test-definitions: test-runner.py runs as root only"
	fi
else
	skip 4 "test-definitions: $why"
fi

# ---- KCIDB ---------------------------------------------------------------
# kcidb_check FILE PYTHON: the export validates; PYTHON asserts on data.
kcidb_check() {
	"$py" - "$kio" "$1" "$2" "$p1" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
import kcidb_io
data = json.load(open(sys.argv[2]))
kcidb_io.schema.LATEST.validate(data)
assert (kcidb_io.schema.LATEST.major, kcidb_io.schema.LATEST.minor) == (5, 3)
p1 = sys.argv[4]
tests = {t["path"]: t for t in data["tests"]}
exec(sys.argv[3])
EOF
}
kcidb_export() {
	"$COWBENCH" export --format kcidb --origin cowbench_test \
		--build-id cowbench_test:build-1 --checkout-id checkout-1 "$@"
}
if peer KCIDB_IO_SRC kcidb-io && need py:jsonschema; then
	kio=$d/peers/kcidb-io
	kcidb_export "$d/r1" >"$d/kcidb.json" 2>"$d/kcidb.err" &&
		kcidb_check "$d/kcidb.json" '
assert tests["cowbench." + p1]["status"] in ("PASS", "FAIL", "SKIP")
t = tests["cowbench." + p1 + ".ns_per_op"]
assert t["status"] == "DONE" and t["number"]["value"] > 0, t
assert data["checkouts"] and data["builds"]' >"$d/kcidb.check" 2>&1
	check $? "kcidb: the export of a real run validates with kcidb-io's LATEST (5.3): verdicts, DONE ns/op" "$d/kcidb.err" "$d/kcidb.check"
	sed 's/"path": "cowbench\./"path": "cowbench /' "$d/kcidb.json" >"$d/kcidb-bad.json"
	! kcidb_check "$d/kcidb-bad.json" '' >/dev/null 2>&1
	check $? "kcidb: and LATEST rejects it with a space in the paths"
	kcidb_export "$d/failing" >"$d/kcidb-failing.json" &&
		kcidb_export "$d/extra" >"$d/kcidb-extra.json" &&
		kcidb_check "$d/kcidb-failing.json" '
assert tests["cowbench." + p1]["status"] == "FAIL"' >"$d/kcidb.synth" 2>&1 &&
		kcidb_check "$d/kcidb-extra.json" '
t = tests["cowbench." + p1 + ".extra_copies"]
assert t["status"] == "DONE" and t["number"]["value"] == 7, t' >>"$d/kcidb.synth" 2>&1
	check $? "kcidb: a failing point is a FAIL test, extra copies a DONE test of value 7" "$d/kcidb.synth"
else
	skip 3 "kcidb: $why"
fi

# ---- KTAP ----------------------------------------------------------------
# ktap_driver NAME RESULTS: automake's TAP driver on the ktap export.
ktap_driver() {
	sh "$src/build-aux/tap-driver.sh" --test-name "$1" \
		--log-file "$d/$1.log" --trs-file "$d/$1.trs" --color-tests no \
		-- "$COWBENCH" export --format ktap "$2" >"$d/$1.out" 2>&1
}
if [ -n "${td:-}" ] || { peer TEST_DEFINITIONS_SRC test-definitions &&
	td=$d/peers/test-definitions; }; then
	if need py:tap; then
		ks=$td/automated/linux/kselftest
		mkdir -p "$d/ks/output"
		"$COWBENCH" export --format ktap "$d/r1" >"$d/r1.ktap"
		(cd "$d/ks" && "$py" "$ks/parse-output.py" <"$d/r1.ktap") >"$d/ks.out" 2>&1
		s1=$(echo "$p1" | tr . _) s2=$(echo "$p2" | tr . _)
		grep -qE "^$s1 (pass|fail|skip)$" "$d/ks.out" &&
			grep -qE "^$s2 (pass|fail|skip)$" "$d/ks.out" &&
			[ "$(wc -l <"$d/ks.out")" -eq 2 ]
		check $? "ktap: kselftest's parse-output.py reads one test per point of a real run" "$d/ks.out"

		"$COWBENCH" export --format ktap "$d/failing" >"$d/failing.ktap"
		(cd "$d/ks" && "$py" "$ks/parse-output.py" <"$d/failing.ktap") \
			>"$d/ks-failing.out" 2>&1
		grep -qx "$s1 fail" "$d/ks-failing.out" &&
			grep -qx "$s2 pass" "$d/ks-failing.out" &&
			[ -f "$d/ks/output/$s1.log" ]
		check $? "ktap: parse-output.py makes the failing point a fail (and its log)" "$d/ks-failing.out"

		# The extra copies reach the reader as the point's figure: a
		# diagnostic line after its result line.
		"$COWBENCH" export --format ktap "$d/extra" >"$d/extra.ktap"
		"$py" - "$d/extra.ktap" "$p1" >"$d/ktap-extra.check" 2>&1 <<'EOF2'
import sys
from tap import parser
test = None
for l in parser.Parser().parse_text(open(sys.argv[1]).read()):
    if l.category == "test":
        test = l
    elif l.category == "diagnostic" and test and test.description == sys.argv[2]:
        if l.text == "# extra_copies: 7 pages":
            assert test.ok
            sys.exit(0)
sys.exit(1)
EOF2
		check $? "ktap: the extra copies are the point's '# extra_copies: 7 pages' to python3-tap" "$d/ktap-extra.check"
	else
		skip 3 "ktap: $why"
	fi
else
	skip 3 "ktap: $why"
fi

ktap_driver ktap-r1 "$d/r1" && ktap_driver ktap-failing "$d/failing" &&
	[ "$(grep -c '^:test-result: PASS' "$d/ktap-r1.trs")" -eq 2 ] &&
	grep -q '^:global-test-result: PASS' "$d/ktap-r1.trs" &&
	grep -q "^FAIL: ktap-failing 1 $p1" "$d/ktap-failing.out" &&
	grep -q "^PASS: ktap-failing 2 $p2" "$d/ktap-failing.out"
check $? "ktap: automake's TAP driver passes a real run's points and fails the failing one" "$d/ktap-r1.out" "$d/ktap-failing.out"

done_testing
