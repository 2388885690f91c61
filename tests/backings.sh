#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# backings.sh - the fork workloads on every backing of the kernel's COW
# selftest that this machine can give: each one runs and passes with the
# counts every correct kernel gives, or skips saying why; the hugetlb pool
# and use_zero_page are as before afterwards.
#
# What holds on every correct kernel, per backing that ran:
# - anonymous (THP in its shapes, at the PMD size and each mTHP size,
#   swapped out or not, shared in part; hugetlb): a write to a page the
#   other side still maps copies it, once: copies = pages written (a
#   hugetlb page is one); after the child exited none is required;
# - the THP shapes write what their shape leaves mapped: one page per THP
#   (thp-single-pte*), half of each (thp-mremap*), else all of it;
# - the zero pages: no data to copy, but every write allocates:
#   metrics.zero_allocs = pages written, pages_copied = 0;
# - files mapped private: the first write to each page copies it from the
#   page cache, shared or not: copies = required = pages written.
# Extra copies after the child exited are reported, not judged.
# vmsplice.leak (cow.c's vmsplice cases) on each backing: the write must
# copy every page (allocate, for a zero page) and the pipe keep the old
# data: it passes and copies as fork.child-write does; anonymous hugetlb
# skips (a known leak).
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs, kpageflags, the hugetlb pool)"

out=$scratch/run
cr() { "$CHECK_RESULTS" "$out/results.json" "$@"; }
before=$(knob_snapshot)

backings=$(backings_of fork.child-write)

run_ok "cowbench fork.child-write, fork.parent-*, vmsplice.leak" --reps 2 --warmup 0 \
	--size 4M --dir "$scratch" --out "$out" fork.child-write \
	fork.parent-write-alive fork.parent-after-exit vmsplice.leak
cp "$scratch/stdout" "$out.stdout"
pmd=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null ||
	echo 2097152)
size=$((4 * 1048576))

# units B: the 4 KiB pages backing B's writer writes at 4M.
units() {
	sz=${1##*-}
	case $sz in
	[0-9]*k) t=$((${sz%k} * 1024)) ;;
	[0-9]*M) t=$((${sz%M} * 1048576)) ;;
	*) t=$pmd ;;
	esac
	case $1 in
	thp-single-pte*) echo $((size / t)) ;;
	thp-mremap*) echo $((size / 8192)) ;;
	*) echo $((size / 4096)) ;;
	esac
}

[ -n "$backings" ] && [ "${backings%% *}" = small ]
ok $? "--list shows the $(echo "$backings" | wc -w) backings of fork.child-write, small first"

for b in $backings; do
	[ "$b" = small ] && continue
	p="backing=$b"
	# --print leaves skipped samples out: nothing printed, all skipped.
	verdicts=$(cr --scenario 'fork.*' --param "$p" --print verdict 2>/dev/null |
		   sort -u | tr '\n' ' ')
	if [ -z "$verdicts" ]; then
		# The summary's line under the point says why.
		ok 0 "# SKIP $b: $(skip_line "$out.stdout" fork.child-write "4M,$b")"
		continue
	fi
	cr --scenario 'fork.*' --param "$p" --min-samples 6 --expect-verdict pass
	ok $? "$b: every sample of the three workloads passes ($verdicts)"
	case $b in
	zero|huge-zero)
		cr --scenario 'fork.*' --param "$p" --expect-equal metrics.zero_allocs,pages_written &&
			cr --scenario 'fork.*' --param "$p" --expect-value pages_copied=0
		ok $? "$b: every write allocates (zero_allocs = $(cr --scenario fork.child-write --param "$p" --print metrics.zero_allocs | head -1)), none copies"
		;;
	memfd|tmpfile|memfd-hugetlb*)
		cr --scenario 'fork.*' --param "$p" --expect-copies-equal-written &&
			cr --scenario 'fork.parent-after-exit' --param "$p" --expect-equal pages_required,pages_written
		ok $? "$b: every first write copies from the page cache ($(cr --scenario fork.parent-after-exit --param "$p" --print pages_copied | head -1) after exit), and the file kept its data"
		;;
	*)
		case $b in thp|thp-?*)
			n=$(units "$b")
			# fork.child-write takes rounds of a small region
			# (metrics.rounds, a child each): n in each.
			rounds=$(cr --scenario fork.child-write --param "$p" \
				--print metrics.rounds | sort -u)
			case $rounds in ''|null) rounds=1 ;; esac
			cr --scenario 'fork.parent-*' --param "$p" --expect-value "pages_written=$n" &&
				[ "$(cr --scenario fork.child-write --param "$p" \
					--print pages_written | sort -u)" = $((n * rounds)) ]
			ok $? "$b: every workload writes the $n pages the shape maps at 4M (fork.child-write in each of its $rounds rounds)"
		esac
		cr --scenario 'fork.child-write' --param "$p" --expect-copies-equal-written &&
			cr --scenario 'fork.parent-write-alive' --param "$p" --expect-copies-equal-written
		ok $? "$b: a write while shared copies exactly the $(cr --scenario fork.child-write --param "$p" --print pages_written | head -1) units written, from either side"
		cr --scenario 'fork.parent-after-exit' --param "$p" --expect-required 0
		ok $? "$b: after the child exited no copy is required ($(cr --scenario fork.parent-after-exit --param "$p" --print extra_copies | head -1) extra)"
		;;
	esac
	case $b in
	hugetlb-*)
		cr --scenario vmsplice.leak --param "$p" --expect-verdict skip
		ok $? "$b: vmsplice.leak skips (the known hugetlb leak)"
		;;
	*)
		copies=--expect-copies-equal-written
		case $b in zero|huge-zero)
			copies=--expect-equal=metrics.zero_allocs,pages_written ;;
		esac
		cr --scenario vmsplice.leak --param "$p" --min-samples 6 \
			--expect-verdict pass && cr --scenario vmsplice.leak --param "$p" $copies
		ok $? "$b: vmsplice.leak: the pipe keeps the old data in all 3 cases, every write copies"
		;;
	esac
done

knobs_equal "$before"
ok $? "the hugetlb pool, use_zero_page and the THP knobs are as before"
done_testing
