#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# iouring.sh - the io_uring scenarios at a small size: fork copies every
# registered page into the child (none with MADV_DONTFORK) and leaves the
# parent's pages in place, so that fixed-buffer I/O after the forks meets
# the parent's own writes, and READ_FIXED data lands in the parent while
# it forks.
#
# Then on every other backing of the fork workloads: THP in every shape
# and hugetlb pass with exact counts (fork copies every registered unit,
# a hugetlb page one, into the child and moves none of the parent's;
# none with MADV_DONTFORK; every fork of the race copies them all), and
# the backings a pin replaces (swapped out, zero pages, private files)
# skip saying so; the knobs are as they were afterwards.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

"$COWBENCH" --list | grep -q '^iouring\.' ||
	skip_all "cowbench was built without liburing"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs in pagemap)"

out=$scratch/run
dir=$scratch/dir
mkdir "$dir" || exit 99

"$COWBENCH" --reps 3 --warmup 1 --size 4M --dir "$dir" --out "$out" \
	--backing small 'iouring.*' >"$scratch/stdout" 2>"$scratch/stderr"
rc=$?
if cr --scenario 'iouring.*' --expect-verdict skip 2>/dev/null; then
	skip_all "io_uring refused here: $(cr --scenario iouring.fork-fixed --print reason | head -1)"
fi

ok $rc "cowbench iouring.* exits 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/stdout" "$scratch/stderr"

cr --scenario iouring.fork-fixed --expect-verdict pass --min-samples 6
ok $? "iouring.fork-fixed: 3 samples each without and with MADV_DONTFORK pass"
cr --scenario iouring.fork-fixed --print params.madvise >"$scratch/mad"
cr --scenario iouring.fork-fixed --print pages_copied >"$scratch/cop"
cr --scenario iouring.fork-fixed --print extra_copies >"$scratch/ext"
paste "$scratch/mad" "$scratch/cop" "$scratch/ext" >"$scratch/fixed"
sed 's/^/# /' "$scratch/fixed"
awk '$1 == "none" { n++; if ($2 != 1024) bad = 1 } END { exit bad || n != 3 }' \
	"$scratch/fixed"
ok $? "fork copies all 1024 registered pages into the child"
awk '$1 == "dontfork" { n++; if ($2 != 0) bad = 1 } END { exit bad || n != 3 }' \
	"$scratch/fixed"
ok $? "with MADV_DONTFORK fork copies none"
awk '{ n++; if ($3 != 0) bad = 1 } END { exit bad || n != 6 }' "$scratch/fixed"
ok $? "the parent's registered pages never move (0 extra copies)"
cr --scenario iouring.fork-fixed --param madvise=none --expect-value copies_missing=0
ok $? "no registered page is shared with the child (copies_missing 0)"
cr --scenario iouring.fork-fixed --expect-value metrics.io_write_stale_pages=0 &&
	cr --scenario iouring.fork-fixed --expect-value metrics.io_read_lost_pages=0
ok $? "WRITE_FIXED and READ_FIXED after the forks met the parent's own pages (data check ran)"
ratio=$(cr --scenario iouring.fork-fixed --print metrics.registered_over_unregistered | head -1)
[ -n "$ratio" ] && [ "$ratio" != null ]
ok $? "the registered/unregistered fork-latency ratio is reported ($ratio)"

cr --scenario iouring.read-fixed-race --expect-verdict pass --min-samples 3 \
	--expect-required 0
ok $? "iouring.read-fixed-race: READ_FIXED data landed in the parent in every pass"
per=$(cr --scenario iouring.read-fixed-race --print metrics.child_copies_per_fork_io | sort -u)
[ "$per" = 1024 ]
ok $? "every fork during the I/O copied all 1024 registered pages ($per)"
[ -z "$(ls -A "$dir")" ]
ok $? "the scratch file is gone after the run"

# ---- every other backing ----
serialize_knob_tests
before=$(knob_snapshot)
backings=$(backings_of iouring.read-fixed-race)
out=$scratch/backings
run_ok "cowbench iouring.* on the backings but small" --reps 2 --warmup 0 \
	--size 4M --dir "$dir" --out "$out" --backing '[!s]*' 'iouring.*'
cp "$scratch/stdout" "$out.stdout"
[ -n "$backings" ] && [ "${backings%% *}" = small ]
ok $? "--list shows the backings of iouring.read-fixed-race: $backings"
# why SCENARIO POINT: the skip line under the point in the summary.
why() { skip_line "$out.stdout" "$1" "$2"; }
pmd=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null ||
	echo 2097152)
# units BACKING: the copy units iouring registers of it at 4M.
units() {
	case $1 in
	thp-single-pte*)			# one page a THP of its size
		sz=${1##*-}
		case $sz in
		[0-9]*k) echo $((4096 / ${sz%k})) ;;
		[0-9]*M) echo $((4 / ${sz%M})) ;;
		*) echo $((4194304 / pmd)) ;;
		esac ;;
	thp-mremap*) echo 512 ;;		# half of each
	hugetlb-*)
		echo "${1#hugetlb-}" | awk '{ n = $0 + 0; u = substr($0, length($0))
			kb = n * (u == "K" ? 1 : u == "M" ? 1024 : 1048576)
			print int(4096 / kb) }' ;;
	*) echo 1024 ;;
	esac
}
for b in $backings; do
	[ "$b" = small ] && continue
	p=backing=$b
	case $b in
	*swap*|zero|huge-zero|memfd*|tmpfile)
		for pt in fork-fixed:4M,$b,none fork-fixed:4M,$b,dontfork \
			  read-fixed-race:4M,$b; do
			sc=iouring.${pt%%:*}
			cr --scenario "$sc" --param "$p" --expect-verdict skip &&
				why "$sc" "${pt#*:}" | grep -q 'the first pin'
			ok $? "$sc ${pt#*:} skips: $(why "$sc" "${pt#*:}")"
		done
		continue
		;;
	esac
	n=$(units "$b")
	sc=iouring.fork-fixed
	if ! point_ran $sc "$b"; then
		ok 0 "# SKIP $sc $b: $(why $sc "4M,$b,none")"
	else
		cr --scenario $sc --param "$p" --min-samples 4 --expect-verdict pass
		ok $? "$sc $b: 2 samples each without and with MADV_DONTFORK pass, the fixed I/O after the forks met the parent's pages"
		cr --scenario $sc --param "$p" --print params.madvise >"$scratch/mad"
		cr --scenario $sc --param "$p" --print pages_copied >"$scratch/cop"
		cr --scenario $sc --param "$p" --print pages_required >"$scratch/req"
		cr --scenario $sc --param "$p" --print extra_copies >"$scratch/ext"
		paste "$scratch/mad" "$scratch/cop" "$scratch/req" "$scratch/ext" >"$scratch/fixed"
		sed "s/^/# $b /" "$scratch/fixed"
		awk -v n="$n" '$1 == "none" { k++; if ($2 != n || $3 != n || $4 != 0) bad = 1 }
			$1 == "dontfork" { d++; if ($2 != 0 || $3 != 0 || $4 != 0) bad = 1 }
			END { exit bad || k != 2 || d != 2 }' "$scratch/fixed"
		ok $? "$sc $b: fork copies all $n registered units into the child (none with MADV_DONTFORK), none of the parent's moves"
	fi
	sc=iouring.read-fixed-race
	if ! point_ran $sc "$b"; then
		ok 0 "# SKIP $sc $b: $(why $sc "4M,$b")"
	else
		cr --scenario $sc --param "$p" --min-samples 2 --expect-verdict pass \
			--expect-required 0
		ok $? "$sc $b: READ_FIXED data landed in the parent in every pass"
		per=$(cr --scenario $sc --param "$p" --print metrics.child_copies_per_fork_io | sort -u)
		[ "$per" = "$n" ]
		ok $? "$sc $b: every fork during the I/O copied all $n registered units ($per)"
	fi
done
[ -z "$(ls -A "$dir")" ]
ok $? "the scratch files of the backings' run are gone"
knobs_equal "$before"
ok $? "the hugetlb pool, use_zero_page and the THP knobs are as before"

done_testing
