#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# selfcheck.sh - the instruments' self-check and what scenarios make of an
# instrument that lies: with the test-only fakes (lib/cow.h) kpageflags
# reads every anonymous page as KSM, as 6.12 does, or PFNs move between
# two reads.  The self-check must mark them unreliable in meta and in the
# summary's footer, and the KSM scenarios must then pass by their second
# way (PFN identity, ksm_merging_pages) or skip naming the instrument -
# never fail.  A broken unmerge (faked by leaving MADV_UNMERGEABLE out)
# must still fail, on its counts.  Without root every instrument that
# needs it reads "unavailable" with the reason, and nothing fails.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

# Small pages only: the backings are tests/backings.sh's.
small="--reps 1 --warmup 0 --size 1M --backing small"
# cr_in DIR CHECK-RESULTS-ARGS...: lib.sh's cr on DIR/results.json.
cr_in() { f=$1; shift; "$CHECK_RESULTS" "$f/results.json" "$@"; }
# ksm_pass DIR CHECK-RESULTS-SELECTION...: the KSM point passes; or, on a
# machine too loaded for ksmd to merge within the scenario's wait, it
# skips saying so (a verdict of the load, not of the instruments): shown.
ksm_pass() {
	d=$1
	shift
	cr_in "$d" "$@" --expect-verdict pass >/dev/null 2>&1 && return 0
	cr_in "$d" "$@" --expect-verdict skip >/dev/null 2>&1 || return 1
	grep -o '"reason":"[^"]*"' "$d/results.json" | sed 's/^/# /'
	grep -q '"reason":"ksmd merged [^"]* within' "$d/results.json"
}
# The instruments' states, one "name: state" a line (results.json has a
# member a line).
states() {
	sed -n '/"instruments":{/,/}/s/^ *"\([^"]*\)":"\(.*\)",\{0,1\}$/\1: \2/p' \
		"$1/results.json"
}
# Every sample's verdict, one a line.
verdicts() {
	sed -n 's/^ *"verdict":"\([a-z]*\)".*/\1/p' "$1/results.json"
}

if [ "$(id -u)" -ne 0 ]; then
	out=$scratch/user
	# shellcheck disable=SC2086 # $small: options, split on purpose
	run_ok "cowbench fork.child-write as $(id -un)" $small --out "$out" \
		fork.child-write
	cr_in "$out" --expect-instrument pagemap_pfn=unavailable \
		--expect-instrument kpageflags_ksm=unavailable
	ok $? "not root: pagemap_pfn and kpageflags_ksm unavailable, with the reason"
	! verdicts "$out" | grep -qx fail
	ok $? "not root: no sample fails"
	grep -q '^instrument pagemap_pfn: unavailable: PFNs hidden' "$scratch/stdout"
	ok $? "not root: the footer names pagemap_pfn and why"
	done_testing
	exit
fi
[ -w /sys/kernel/mm/ksm/run ] || skip_all "no writable /sys/kernel/mm/ksm"

before=$(knob_snapshot)

# 1. No fake: every instrument as the kernel gives it.
clean=$scratch/clean
# shellcheck disable=SC2086 # $small: options, split on purpose
run_ok "cowbench without fakes" $small --out "$clean" fork.child-write ksm.merge
states "$clean" | sed 's/^/# /'
cr_in "$clean" --expect-instrument pagemap_pfn=ok --expect-instrument vmstat=ok
ok $? "pagemap_pfn and vmstat ok as root"
# 6.12 reads every anonymous page as KSM (fs/proc/page.c tests mapping &
# PAGE_MAPPING_KSM, which is ANON|MOVABLE): there the self-check must say
# so.  Anywhere else a kernel that lies is news: the test says which.
case $(uname -r) in
6.12.*) liar=kpageflags_ksm ;;
*) liar=none ;;
esac
bad=$(states "$clean" | grep ': unreliable' | grep -v "^$liar:")
[ -z "$bad" ]
ok $? "no instrument unreliable without fakes (known here: $liar)${bad:+: $bad}"
if [ "$liar" = kpageflags_ksm ]; then
	cr_in "$clean" --expect-instrument kpageflags_ksm=unreliable
else
	cr_in "$clean" --expect-instrument kpageflags_ksm=ok
fi
ok $? "kpageflags_ksm as this kernel reports it"
ksm_pass "$clean" --scenario ksm.merge
ok $? "ksm.merge passes without fakes"

# 2. kpageflags reads every anonymous page as KSM (6.12's lie).
ksm=$scratch/fake-ksm
# shellcheck disable=SC2086 # $small: options, split on purpose
COWBENCH_FAKE_KPF_KSM=1 run_ok "cowbench ksm.* with kpageflags faking KSM" \
	$small --out "$ksm" 'ksm.*'
cr_in "$ksm" --expect-instrument kpageflags_ksm=unreliable
ok $? "the fake KSM flag: meta.instruments.kpageflags_ksm unreliable"
grep -q '^instrument kpageflags_ksm: unreliable: a fresh anonymous page reads KSM' \
	"$scratch/stdout"
ok $? "the summary's footer names kpageflags_ksm and why"
grep -q 'instrument kpageflags_ksm unreliable' "$scratch/stderr"
ok $? "the run warns of it on stderr"
! verdicts "$ksm" | grep -qx fail
ok $? "the fake KSM flag: no KSM sample fails"
ksm_pass "$ksm" --scenario ksm.merge
ok $? "ksm.merge passes by PFN identity"
ksm_pass "$ksm" --scenario ksm.cow --param pages=identical
ok $? "ksm.cow passes by PFN identity (its control region left alone)"

# 3. A broken unmerge still fails, with or without the lying flag.
# shellcheck disable=SC2086 # $small: options, split on purpose
COWBENCH_FAKE_KPF_KSM=1 COWBENCH_FAKE_NO_UNMERGE=1 \
	"$COWBENCH" $small --out "$scratch/nounmerge" ksm.merge \
	>"$scratch/stdout" 2>&1
rc=$?
if [ $rc -eq 0 ] &&
   grep -q '"reason":"ksmd merged [^"]* within' "$scratch/nounmerge/results.json"; then
	# Nothing merged in time, so there was nothing to unmerge: the load's
	# verdict, not the check's.
	for d in "cowbench exits 1" "FAILs on its counts" "the summary says so"; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - an unmerge that does nothing: $d # SKIP ksmd did not merge in time"
	done
else
	[ $rc -eq 1 ]
	ok $? "an unmerge that does nothing: cowbench exits 1"
	cr_in "$scratch/nounmerge" --scenario ksm.merge --expect-verdict fail \
		--expect-evidence counts
	ok $? "an unmerge that does nothing FAILs on its counts (PFNs still shared)"
	grep -q 'fail (counts): .* still share a PFN' "$scratch/stdout"
	ok $? "the summary says what the FAIL rests on"
fi

# 4. PFNs that move between two reads.
pfn=$scratch/fake-pfn
# shellcheck disable=SC2086 # $small: options, split on purpose
COWBENCH_FAKE_PFN_UNSTABLE=1 run_ok "cowbench with unstable PFNs" \
	$small --out "$pfn" fork.child-write ksm.merge
cr_in "$pfn" --expect-instrument pagemap_pfn=unreliable \
	--expect-instrument "kpageflags_ksm=not checked"
ok $? "unstable PFNs: pagemap_pfn unreliable, kpageflags not checked"
! verdicts "$pfn" | grep -qx fail
ok $? "unstable PFNs: no sample fails"
cr_in "$pfn" --scenario fork.child-write --expect-verdict pass \
	--print pages_copied >"$scratch/copied" 2>&1 &&
	grep -qx null "$scratch/copied"
ok $? "unstable PFNs: fork.child-write passes on its data, copies not counted"

"$COWBENCH" compare "$clean" "$ksm" >"$scratch/compare" 2>&1
grep -q 'instrument kpageflags_ksm read differently' "$scratch/compare"
ok $? "compare warns that the runs' kpageflags_ksm differ"

knobs_equal "$before"
ok $? "every KSM, THP, swap and delayacct value is as before the runs"

done_testing
