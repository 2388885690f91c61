#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# odirect.sh - the O_DIRECT scenarios at a small size: the data lands in
# the parent in every pass of the fork race, reads in flight across a
# fork land in the parent beside its own writes, a read into pages a live
# child shares copies each of them, and the scratch file is gone after
# the run, after SIGINT and, through --restore, after kill -9.
#
# Then on every other backing of the fork workloads, each passing with the
# counts every correct kernel gives or skipping saying why:
# - odirect.read-into-shared: a read into a shared anonymous page copies
#   it (copies = required = units read, a hugetlb page one), a zero page
#   is replaced by a new page (zero_allocs = pages, none copied), a page
#   of a private file mapping is copied shared or not (the baseline read
#   copies every page too);
# - odirect.fork-race and odirect.fork-inflight: the data lands on THP
#   and hugetlb; swapped-out pages, zero pages and private files skip
#   (the first pin replaces them), the knobs as they were afterwards.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs in pagemap, scratch-file registry)"

out=$scratch/run
dir=$scratch/dir
mkdir "$dir" || exit 99
empty() { [ -z "$(ls -A "$1")" ]; }

run_ok "cowbench odirect.*" --reps 3 --warmup 1 --size 4M --dir "$dir" \
	--out "$out" --backing small 'odirect.*'

cr --scenario odirect.fork-race --expect-verdict pass --min-samples 3
ok $? "odirect.fork-race: the data landed in the parent after every pass"
forks=$(cr --scenario odirect.fork-race --print metrics.forks_io | sort -n | head -1)
[ "${forks:-0}" -ge 1 ] 2>/dev/null
ok $? "odirect.fork-race: forks overlapped the I/O (at least $forks a sample)"
# A machine whose disk answers before a fork returns never overlaps: each
# sample then says so (SKIP); a correct kernel never fails.
if cr --scenario odirect.fork-inflight --expect-verdict pass --min-samples 3 \
	2>"$scratch/infl"; then
	ok 0 "odirect.fork-inflight: reads in flight at fork landed in the parent, its writes stayed"
elif grep -q 'verdict skip, .*no fork overlapped a read in flight in' \
	"$scratch/infl" && ! grep -q 'verdict fail' "$scratch/infl"; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP no fork overlapped a read in flight here"
else
	ok 1 "odirect.fork-inflight: reads in flight at fork landed in the parent, its writes stayed"
	sed 's/^/# /' "$scratch/infl"
fi
cr --scenario odirect.fork-inflight --print metrics.overlap_rate >"$scratch/rate"
sed 's/^/# overlap_rate /' "$scratch/rate"
awk '{ n++; if (!($1 > 0 && $1 <= 1)) bad = 1 } END { exit bad }' "$scratch/rate"
ok $? "odirect.fork-inflight: every sample that passed reports a read overlap rate in (0, 1]"
cr --scenario odirect.fork-inflight --print metrics.forks >"$scratch/forks"
awk '{ n++; if (!($1 >= 32 && $1 <= 256)) bad = 1 } END { exit bad }' \
	"$scratch/forks" &&
	cr --scenario odirect.fork-inflight --expect-value metrics.reads_lost=0 &&
	cr --scenario odirect.fork-inflight --expect-value metrics.writes_lost=0 &&
	cr --scenario odirect.fork-inflight --expect-value metrics.child_saw_write=0
ok $? "odirect.fork-inflight: 32 to 256 forks a sample, every data check ran and held"
cr --scenario odirect.read-into-shared --expect-verdict pass --min-samples 3
ok $? "odirect.read-into-shared: the parent got the file, the child kept its data"
cr --scenario odirect.read-into-shared --expect-required 1024 \
	--expect-copies-equal-written
ok $? "odirect.read-into-shared: every page read into was unshared (copied)"
empty "$dir"
ok $? "the scratch files are gone after the run"

# ---- every other backing ----
serialize_knob_tests
before=$(knob_snapshot)
backings=$(backings_of odirect.read-into-shared)
out=$scratch/backings
run_ok "cowbench odirect.* on the backings but small" --reps 2 --warmup 0 \
	--size 4M --dir "$dir" --out "$out" --backing '[!s]*' 'odirect.*'
cp "$scratch/stdout" "$out.stdout"
[ -n "$backings" ] && [ "${backings%% *}" = small ]
ok $? "--list shows the backings of odirect.read-into-shared: $backings"
# why SCENARIO BACKING: the skip line under the point in the summary.
why() { skip_line "$out.stdout" "$1" "4M,$2"; }
for b in $backings; do
	[ "$b" = small ] && continue
	p=backing=$b
	sc=odirect.read-into-shared
	if ! point_ran $sc "$b"; then
		ok 0 "# SKIP $sc $b: $(why $sc "$b")"
	else
		cr --scenario $sc --param "$p" --min-samples 2 --expect-verdict pass
		ok $? "$sc $b: the parent got the file's data, the child kept its own"
		case $b in
		zero|huge-zero)
			cr --scenario $sc --param "$p" --expect-equal metrics.zero_allocs,pages_written &&
				cr --scenario $sc --param "$p" --expect-value pages_copied=0
			ok $? "$sc $b: every zero page pinned is replaced by a new page, none copied"
			;;
		memfd|tmpfile|memfd-hugetlb*)
			cr --scenario $sc --param "$p" --expect-copies-equal-written &&
				cr --scenario $sc --param "$p" --expect-equal pages_required,pages_written &&
				cr --scenario $sc --param "$p" --expect-equal metrics.baseline_pages_copied,pages_written
			ok $? "$sc $b: every private file page pinned is copied, shared or not ($(cr --scenario $sc --param "$p" --print pages_written | head -1) units), the file kept its data"
			;;
		*)
			cr --scenario $sc --param "$p" --expect-copies-equal-written &&
				cr --scenario $sc --param "$p" --expect-equal pages_required,pages_written
			ok $? "$sc $b: the pin unshared every unit the child shares, once ($(cr --scenario $sc --param "$p" --print pages_written | head -1))"
			;;
		esac
	fi
	case $b in
	*swap*|zero|huge-zero|memfd*|tmpfile)
		for sc in odirect.fork-race odirect.fork-inflight; do
			cr --scenario $sc --param "$p" --expect-verdict skip &&
				why $sc "$b" | grep -q 'the first pin'
			ok $? "$sc $b skips: $(why $sc "$b")"
		done
		continue
		;;
	esac
	sc=odirect.fork-race
	if ! point_ran $sc "$b"; then
		ok 0 "# SKIP $sc $b: $(why $sc "$b")"
	else
		cr --scenario $sc --param "$p" --min-samples 2 --expect-verdict pass
		ok $? "$sc $b: the data landed in the parent after every pass"
	fi
	sc=odirect.fork-inflight
	if ! point_ran $sc "$b"; then
		ok 0 "# SKIP $sc $b: $(why $sc "$b")"
	else
		# A sample whose forks overlapped no read skips (as above):
		# --print leaves it out, every other must pass.
		[ "$(cr --scenario $sc --param "$p" --print verdict | sort -u)" = pass ] &&
			cr --scenario $sc --param "$p" --expect-value metrics.reads_lost=0 &&
			cr --scenario $sc --param "$p" --expect-value metrics.writes_lost=0 &&
			cr --scenario $sc --param "$p" --expect-value metrics.child_saw_write=0
		ok $? "$sc $b: reads in flight at fork landed in the parent, its writes stayed"
	fi
done
empty "$dir"
ok $? "the scratch files of the backings' run are gone"
knobs_equal "$before"
ok $? "the hugetlb pool, use_zero_page and the THP knobs are as before"

interrupt INT --reps 100000 --warmup 0 --size 4M --dir "$dir" \
	--out "$scratch/int" odirect.fork-race
[ $rc -eq 130 ]
ok $? "SIGINT stops the run (rc $rc)"
empty "$dir"
ok $? "the scratch file is gone after SIGINT"

# The file is there while the run is (sampled just before the kill).
# shellcheck disable=SC2012 # only counts the names
( sleep 1.9; ls "$dir" | wc -l >"$scratch/left" ) &
interrupt KILL --reps 100000 --warmup 0 --size 4M --dir "$dir" \
	--out "$scratch/kill" odirect.read-into-shared
wait
left=$(cat "$scratch/left")
[ "$left" -eq 1 ]
ok $? "the run had its scratch file in --dir ($left)"
# Its sample process dies of PDEATHSIG and holds the run's lock till then.
n=0
while pgrep -f -- "$scratch/kill" >/dev/null && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
"$COWBENCH" --restore >/dev/null
rc=$?
[ $rc -eq 0 ]
ok $? "cowbench --restore after kill -9 (rc $rc)"
empty "$dir"
ok $? "and the file kill -9 left behind is gone"

done_testing
