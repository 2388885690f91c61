#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# example.sh - the scenario doc/adding-a-scenario.md builds, as make
# extracted it from the guide (tests/cowbench-example): it is listed with
# what it declares, and a run at 1M passes its data checks; as root it
# counts exactly one copy per page written, as the guide says.  Then how
# the harness applies a declaration (tests/example-registry.c): the quick
# size and its exemption, and needs checked before prepare().
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

example=${COWBENCH_EXAMPLE:-$(pwd)/tests/cowbench-example}
out=$scratch/run
cr() { "$CHECK_RESULTS" "$out/results.json" "$@"; }

# Knobs (kernel.task_delayacct) change in a run as root.
[ "$(id -u)" -ne 0 ] || serialize_knob_tests

"$example" --list 'fork.*' >"$scratch/list" &&
	[ "$(cut -d' ' -f1 "$scratch/list")" = fork.example ]
ok $? "the guide's scenario is listed: $(cat "$scratch/list")"
"$example" --list=long fork.example >"$scratch/long" &&
	grep -q '^    --quick: at most 16M$' "$scratch/long" &&
	grep -q '^    commits: 09854ba94c6a ' "$scratch/long"
ok $? "--list=long gives its quick size and commit"

"$example" --size 1M --reps 3 --warmup 1 --out "$out" fork.example \
	>"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
ok $rc "a run of fork.example at 1M exits 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"
cr --min-samples 3 && cr --scenario fork.example --expect-verdict pass
ok $? "3 samples, each passing its data checks"
if [ "$(id -u)" -eq 0 ]; then
	cr --scenario fork.example --expect-required 256 \
		--expect-copies-equal-written
	ok $? "as root: 256 copies required, and exactly the 256 pages written copied"
else
	ok 0 "# SKIP not root: PFNs are hidden, copies are not counted"
fi

# How the harness applies the declarations: --quick's cap (16M declared,
# and an exemption), and the needs, checked before prepare() runs.
out=$scratch/quick
"$example" --quick --reps 1 --warmup 0 --out "$out" fork.example \
	'harness.*' >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
ok $rc "--quick run of the guide's and the harness's scenarios exits 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"
[ "$(cr --scenario fork.example --print params.size)" = 16777216 ] &&
	[ "$(cr --scenario harness.quick-full --print params.size)" = 67108864 ] &&
	cr --scenario fork.example --expect-verdict pass &&
	cr --scenario harness.quick-full --expect-verdict pass
ok $? "--quick: a 16M quick size caps the default 64M, COW_QUICK_FULL keeps it"
# reason SCENARIO: the reason its (skipped) sample gives.
reason() {
	cr --scenario "$1" --expect-verdict skip >/dev/null 2>&1 &&
		sed -n "/\"scenario\": *\"$1\"/,/\"reason\"/s/.*\"reason\": *\"\([^\"]*\)\".*/\1/p" \
			"$out/results.json"
}
r=$(reason harness.need-file)
[ "$r" = "needs /nonexistent/cowbench-test-need (no machine has it): No such file or directory" ]
ok $? "a missing file need skips before prepare, naming it: $r"
r=$(reason harness.need-probe)
[ "$r" = "needs a feature no machine has (test): the probe said no" ]
ok $? "a failing probe skips before prepare, naming it: $r"
done_testing
