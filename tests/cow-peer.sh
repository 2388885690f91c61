#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# cow-peer.sh - the kernel's own COW selftest (tools/testing/selftests/mm/
# cow.c) and cowbench's fork workloads on the same kernel, side by side,
# backing by backing: cow.c's pass/fail/skip counts beside cowbench's
# verdicts (points of fork.child-write, fork.parent-write-alive,
# fork.parent-after-exit and vmsplice.leak's three cases).  A backing where one suite fails and the other
# passes is a failure of this test.  cow.c comes from the source tree or
# tarball in KSRC, else Debian's linux-source-6.12 when it is installed
# (scripts/build-cow-selftest).  Neither suite changes the hugetlb pool
# for cow.c: its hugetlb cases run only where free pages are there.
# Opt-in: COWBENCH_PEER_TESTS=1, or `make check-peer`; the table goes to
# COWBENCH_PEER_TABLE (markdown) when that names a file.
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "${COWBENCH_PEER_TESTS:-0}" = 1 ] ||
	skip_all "set COWBENCH_PEER_TESTS=1 (make check-peer) to run the kernel's cow.c beside cowbench"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (PFNs, kpageflags, the knobs)"
top=${COW_SRCDIR:-.}
src=${KSRC:-}
[ -n "$src" ] || [ ! -f /usr/src/linux-source-6.12.tar.xz ] ||
	src=/usr/src/linux-source-6.12.tar.xz
[ -n "$src" ] ||
	skip_all "no kernel source: set KSRC to a tree or tarball, or apt-get install linux-source-6.12"

"$top/scripts/build-cow-selftest" "$src" --out "$scratch/cow" \
	>"$scratch/build.out" 2>&1
rc=$?
ok $rc "cow.c of $src built (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/build.out"

# cow.c reads the knobs and the pool, and changes none of them.
(cd "$scratch" && ./cow) >"$scratch/cow.out" 2>&1
grep -q '^# Totals: ' "$scratch/cow.out"
ok $? "cow.c ran to its end ($(grep '^# Totals: ' "$scratch/cow.out" | cut -c3-))"

run_ok "cowbench on every backing" --reps 1 --warmup 0 --size 4M \
	--dir "$scratch" --out "$scratch/run" fork.child-write \
	fork.parent-write-alive fork.parent-after-exit vmsplice.leak

# cow.c: "# [RUN] <test> ... with <backing>", then its "ok"/"not ok" line;
# the backing in cowbench's words where cowbench has it, else cow.c's own.
# A THP shape at the PMD size is named without a size, as in cowbench;
# at an mTHP size with it ("PTE-mapped THP (64 kB)": thp-pte-64k).
pmd_kb=$(($(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null ||
	echo 2097152) / 1024))
awk -v pmdkb="$pmd_kb" '
function size(kb) {
	if (kb % 1048576 == 0) return kb / 1048576 "G"
	if (kb % 1024 == 0) return kb / 1024 "M"
	return kb "k"
}
function shape(s) {
	if (s == "THP") return "thp"
	if (s == "swapped-out THP") return "thp-swap"
	if (s == "PTE-mapped THP") return "thp-pte"
	if (s == "swapped-out, PTE-mapped THP") return "thp-pte-swap"
	if (s == "single PTE of THP") return "thp-single-pte"
	if (s == "single PTE of swapped-out THP") return "thp-single-pte-swap"
	# (its quote matched as any character: no quote in the awk program)
	if (s ~ /^partially mremap\(\).ed THP$/) return "thp-mremap"
	if (s == "partially shared THP") return "thp-partial-shared"
	return ""
}
function name(b,   kb, s) {
	if (b == "base page") return "small"
	if (b == "shared zeropage") return "zero"
	if (b == "huge zeropage") return "huge-zero"
	if (b == "memfd" || b == "tmpfile") return b
	if (b !~ / \([0-9]+ kB\)$/) return "cow.c: " b
	kb = b; sub(/.*\(/, "", kb); sub(/ kB\)/, "", kb)
	kb += 0
	s = b; sub(/ \([0-9]+ kB\)$/, "", s)
	if (s == "hugetlb" || s == "memfd hugetlb")
		return (s == "hugetlb" ? "hugetlb-" : "memfd-hugetlb-") size(kb)
	if (shape(s) != "")
		return shape(s) (kb == pmdkb ? "" : "-" size(kb))
	return "cow.c: " b
}
/^# \[RUN\] / {
	b = $0
	if (b ~ / \.\.\. with /) sub(/.* \.\.\. with /, "", b)
	else if (b ~ /collapsing/) b = "THP collapse"
	else b = "other"
	cur = name(b)
	next
}
/^(not )?ok [0-9]+/ && cur != "" {
	if (!(cur in seen)) { seen[cur] = 1; order[n++] = cur }
	# An expected fail (a known leak) is counted with the skips.
	if ($0 ~ /# (SKIP|XFAIL)/) skip[cur]++
	else if ($0 ~ /^not ok/) fail[cur]++
	else pass[cur]++
	cur = ""
}
END {
	for (i = 0; i < n; i++)
		printf "%s\t%d\t%d\t%d\n", order[i], pass[order[i]], fail[order[i]], skip[order[i]]
}' "$scratch/cow.out" >"$scratch/cow.tab"
[ -s "$scratch/cow.tab" ]
ok $? "cow.c's results read, $(wc -l <"$scratch/cow.tab") backings"

# cowbench's summary: "fork.child-write 4M,hugetlb-2M ... verdict",
# "vmsplice.leak 4M,thp,child-splice ... verdict".
awk '($1 ~ /^fork\./ || $1 == "vmsplice.leak") && $2 ~ /^[0-9]/ {
	n2 = split($2, a, ","); b = "small"
	for (i = 2; i <= n2; i++)
		if (a[i] !~ /^(child-splice|splice-fork|fork-splice)$/) b = a[i]
	v = $NF
	if (!(b in seen)) { seen[b] = 1; order[n++] = b }
	if (v == "pass") pass[b]++; else if (v == "fail") fail[b]++
	else if (v == "skip") skip[b]++
}
END {
	for (i = 0; i < n; i++)
		printf "%s\t%d\t%d\t%d\n", order[i], pass[order[i]], fail[order[i]], skip[order[i]]
}' "$scratch/stdout" >"$scratch/cb.tab"

# Side by side, cowbench's backings first; a disagreement is a backing
# one suite fails on while the other passes on it and fails nowhere.
awk -F '\t' -v kernel="$(uname -r)" '
NR == FNR { cp[$1] = $2; cf[$1] = $3; cs[$1] = $4; corder[nc++] = $1; next }
{ bp[$1] = $2; bf[$1] = $3; bs[$1] = $4; border[nb++] = $1 }
function cell(p, f, s, known) {
	return known ? sprintf("%d / %d / %d", p, f, s) : "-"
}
function row(b,   c, k, d) {
	c = b in cp; k = b in bp
	d = (c && k && ((cf[b] > 0 && bf[b] == 0 && bp[b] > 0) ||
			(bf[b] > 0 && cf[b] == 0 && cp[b] > 0)))
	if (d) disagree++
	printf "| %s | %s | %s | %s |\n", b, cell(cp[b], cf[b], cs[b], c),
	       cell(bp[b], bf[b], bs[b], k), d ? "**disagree**" : ""
}
END {
	printf "Kernel %s: cow.c tests and cowbench points, pass / fail / skip (the expected fails of cow.c with the skips).\n\n", kernel
	print "| backing | cow.c | cowbench | |"
	print "|---|---|---|---|"
	for (i = 0; i < nb; i++) { row(border[i]); done[border[i]] = 1 }
	for (i = 0; i < nc; i++) if (!(corder[i] in done)) row(corder[i])
	printf "\n%d disagreements\n", disagree
}' "$scratch/cow.tab" "$scratch/cb.tab" >"$scratch/table.md"
sed 's/^/# /' "$scratch/table.md"
[ -z "${COWBENCH_PEER_TABLE:-}" ] || cp "$scratch/table.md" "$COWBENCH_PEER_TABLE"
grep -q '^0 disagreements$' "$scratch/table.md"
ok $? "no backing where one suite fails and the other passes"
done_testing
