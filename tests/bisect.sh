#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bisect.sh - scripts/bisect-kernel end to end (`make check-bisect`; ~25
# min on 2 cores under TCG): a git tree made here from Debian's
# linux-source-6.12, its first commit stock, then 9 commits of which 8
# change harmless files (documentation) and one applies
# scripts/patches/6.12-never-reuse-anon.patch to do_wp_page().
# bisect-kernel, judging fork.parent-after-exit by its extra copies, must
# name that commit, and leave the tree on the branch it was on.
# Opt-in: COWBENCH_BISECT_TESTS=1.  COWBENCH_BISECT_SRC=PATH: another
# 6.12 tarball or tree; COWBENCH_BISECT_OUT=DIR keeps the tree, the
# build directory and the steps' results there.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

need_kernel_lab COWBENCH_BISECT_TESTS check-bisect \
	"build and boot a bisection's kernels" \
	COWBENCH_BISECT_SRC /usr/src/linux-source-6.12.tar.xz
command -v git >/dev/null 2>&1 || skip_all "no git"

export COWBENCH
keep=${COWBENCH_BISECT_OUT:-$scratch/bisect}
mkdir -p "$keep"
tree=$keep/linux

# --- the tree ------------------------------------------------------------
t0=$(date +%s)
rm -rf "$tree"
unpack_source "$src"
# Hard links: git replaces a file it checks out, and the commits below
# write new files (mv) or patch (which replaces what it changes), so the
# unpacked tree in the cache is never written through a link.
cp -al "$srcdir" "$tree" 2>/dev/null || cp -a "$srcdir" "$tree"
g() { git -C "$tree" -c user.name=cowbench -c user.email=cowbench@localhost \
	-c core.looseCompression=1 -c core.compression=1 "$@"; }
# -f: Debian's tarball ignores its own files (.gitignore: "/*")
# gc.auto 0: a repack of ~90k fresh objects would take minutes (of the
# kernel build's CPU) for nothing; the tree is thrown away
g init -q -b main && g config gc.auto 0 &&
	g add -A -f . && g commit -q -m "stock: Debian linux-source-6.12" || exit 1
# edit FILE TEXT: append a line to FILE as a new file (not through a link)
edit() {
	{ cat "$tree/$1" 2>/dev/null; echo "$2"; } >"$tree/$1.new" &&
		mv "$tree/$1.new" "$tree/$1"
}
i=1
for f in README Documentation/mm/index.rst Documentation/admin-guide/mm/transhuge.rst \
	Documentation/mm/page_tables.rst Documentation/mm/cowbench-bisect.rst \
	Documentation/process/changes.rst Documentation/mm/overcommit-accounting.rst \
	Documentation/mm/transhuge.rst; do
	edit "$f" ".. cowbench bisect test: harmless change $i"
	g add -A -f . && g commit -q -m "harmless $i: a line in $f" || exit 1
	if [ $i -eq 5 ]; then
		(cd "$tree" && patch -p1 --batch --no-backup-if-mismatch) \
			<"$top/scripts/patches/6.12-never-reuse-anon.patch" >/dev/null &&
			g add -A -f . &&
			g commit -q -m "mm: never reuse an anonymous page on a write fault" ||
			exit 1
		planted=$(g rev-parse HEAD)
	fi
	i=$((i + 1))
done
stock=$(g rev-list --max-parents=0 HEAD)
n=$(g rev-list --count "$stock..HEAD")
[ "$n" -eq 9 ] && [ -n "$planted" ]
ok $? "a tree of stock 6.12 and 9 commits, the never-reuse one $(g log -1 --format=%h "$planted") among them ($(($(date +%s) - t0))s)"

# --- the bisection -------------------------------------------------------
t0=$(date +%s)
"$top/scripts/bisect-kernel" --src "$tree" --good "$stock" --bad main \
	--scenario fork.parent-after-exit --out "$keep/run" -- \
	--backing small --size 4M >"$scratch/bisect.out" 2>&1
rc=$?
sed 's/^/# /' "$scratch/bisect.out"
[ $rc -eq 0 ]
ok $? "bisect-kernel: exit $rc in $(($(date +%s) - t0))s"
[ "$(cat "$keep/run/first-bad" 2>/dev/null)" = "$planted" ] &&
	grep -q "^bisect-kernel: first bad commit: $planted mm: never reuse" "$scratch/bisect.out"
ok $? "the first bad commit is the never-reuse one"
# the reference copies nothing after the child exited; the bad end copies
# every page written (4M: 1024 pages)
ref=$(awk -F'\t' 'NR == 2 { print $2 }' "$keep/run/log.tsv")
badn=$(awk -F'\t' 'NR == 3 { print $2 }' "$keep/run/log.tsv")
[ "$ref" = 0 ] && [ "$badn" = 1024 ]
ok $? "stock counts 0 extra copies, the bad end 1024 (counted $ref and $badn)"
steps=$(awk -F'\t' 'NR > 3 && ($3 == "good" || $3 == "bad")' "$keep/run/log.tsv" | wc -l)
[ "$steps" -ge 2 ] && [ "$steps" -le 4 ]
ok $? "$steps bisection steps for 9 commits, each a good or bad from one sample"
[ "$(g symbolic-ref -q --short HEAD)" = main ] &&
	[ -z "$(g status --porcelain --untracked-files=no)" ] &&
	[ ! -f "$(g rev-parse --git-path BISECT_LOG)" ]
ok $? "the tree is back on main, clean, no bisection left"

done_testing
