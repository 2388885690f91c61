#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# broken-kernels.sh - the judging half of scripts/check-broken-kernels on
# synthetic runs (its --evaluate mode, no kernel built or booted): a
# Must-fail scenario counts as caught only by a FAIL whose reason names
# what broke, a pass or a crash is a miss, a FAIL outside the lists fails
# the check, a May-fail one is shown and not judged, a stock FAIL fails it,
# and a kernel whose run left no results fails it.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"
# shellcheck source=tests/mkresults.sh
. "${COW_SRCDIR:-.}/tests/mkresults.sh"

d=$scratch/broken

# A results directory as vm-run leaves it: cowbench rewrites the file
# (--add-meta), so it has cowbench's own layout, which the check reads.
run() {
	mkresults "$d/runs/$1"
	"$COWBENCH" --add-meta 'vm={"accelerator":"test"}' "$d/runs/$1" ||
		echo "# --add-meta $1 failed"
}

mkdir -p "$d/patches"
cat >"$d/patches/planted.patch" <<'EOF'
A test patch: its header only.

Bug-class: a planted test bug
Must-fail: t.caught ~ check said fail
Must-fail: t.crash
Must-fail: t.oops
Must-fail: t.missed
Must-fail: t.sized size=2097152
May-fail: t.may*
--- a/x
+++ b/x
EOF
cat >"$d/patches/clean.patch" <<'EOF'
Bug-class: another test bug
Must-fail: t.caught
--- a/x
+++ b/x
EOF
cat >"$d/patches/norun.patch" <<'EOF'
Bug-class: a kernel whose run left nothing
Must-fail: t.caught
--- a/x
+++ b/x
EOF

run stock <<'EOF'
t.caught 1048576 pass 256 100,110 0 0 0
t.crash 1048576 pass 256 100,110 0 0 0
t.oops 1048576 pass 256 100,110 0 0 0
t.missed 1048576 pass 256 100,110 0 0 0
t.sized 1048576 pass 256 100,110 0 0 0
t.sized 2097152 pass 512 100,110 0 0 0
t.other 1048576 pass 256 100,110 0 0 0
t.maybe 1048576 pass 256 100,110 0 0 0
EOF
run planted <<'EOF'
t.caught 1048576 fail 256 100,110 0 0 0
t.crash 1048576 fail 256 100,110 0 0 0
t.oops 1048576 fail 256 100,110 0 0 0
t.missed 1048576 pass 256 100,110 0 0 0
t.sized 1048576 pass 256 100,110 0 0 0
t.sized 2097152 fail 512 100,110 0 0 0
t.other 1048576 fail 256 100,110 0 0 0
t.maybe 1048576 fail 256 100,110 0 0 0
EOF
# (a crash: the reason the harness gives when a sample process dies)
sed 's/the t\.crash check said fail/sample process: child killed by signal 11 (Segmentation fault)/' \
	"$d/runs/planted/results.json" >"$d/x" && mv "$d/x" "$d/runs/planted/results.json"
# (a hang the kernel explained: its Oops during the sample leads the reason)
sed 's/the t\.oops check said fail/kernel: Oops: invalid opcode: 0000 [#1] SMP (and: timed out after 90 s in phase measured)/' \
	"$d/runs/planted/results.json" >"$d/x" && mv "$d/x" "$d/runs/planted/results.json"
run clean <<'EOF'
t.caught 1048576 fail 256 100,110 0 0 0
t.other 1048576 pass 256 100,110 0 0 0
EOF
echo "vm-run: the guest did not finish within --timeout 10s (hung, or too slow) (kernel x)" \
	>"$d/runs/norun.vm-run.log"

ev() {
	"$top/scripts/check-broken-kernels" --evaluate "$d" --patches "$d/patches" \
		--no-cow "$@" >"$scratch/out" 2>&1
}

ev --patch planted
rc=$?
[ $rc -eq 1 ]
ok $? "stock and planted: exit 1 (rc $rc)"
sed 's/^/# /' "$scratch/out"
c=$d/checks
grep -qx 'ok   planted: t.caught FAILs: the t.caught check said fail' "$c"
ok $? "a FAIL whose reason matches the line's ERE catches the bug"
grep -q "^FAIL planted: t.crash FAILs with a reason naming what broke: only 'sample process: child killed by signal 11" "$c"
ok $? "a FAIL that only says the sample crashed does not"
grep -q "^ok   planted: t.oops FAILs: kernel: Oops: invalid opcode" "$c"
ok $? "a timeout the kernel's own Oops explains does"
grep -qx 'FAIL planted: t.missed FAILs: MISSED (2 pass)' "$c"
ok $? "a Must-fail scenario that passes is a miss"
grep -qx 'ok   planted: t.sized size=2097152 FAILs: the t.sized check said fail' "$c" &&
	! grep -q 'unexpected FAIL t.sized' "$c"
ok $? "a selector with KEY=VALUE takes only its point"
grep -q '^FAIL planted: unexpected FAIL t.other (size=1048576)' "$c"
ok $? "a FAIL outside the lists fails the check"
! grep -q 't.maybe' "$c" && grep -q 'May-fail .*t.maybe' "$scratch/out" &&
	grep -q 'May-fail, not judged: t.maybe' "$d/table.md"
ok $? "a May-fail FAIL is shown, not judged"
grep -q '^| planted | a planted test bug | t.caught: FAIL (2/2 samples' "$d/table.md"
ok $? "table.md has the kernel's row with the bug class and the catch"

ev --patch clean
rc=$?
[ $rc -eq 0 ] && grep -q 'every check held' "$scratch/out"
ok $? "every Must-fail caught, nothing else FAILs, stock clean: exit 0 (rc $rc)"
[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/out"

ev --patch norun
rc=$?
[ $rc -eq 1 ]
ok $? "a kernel whose run left no results: exit 1 (rc $rc)"
grep -q '^FAIL norun: results came back (no results (the guest did not finish within --timeout 10s' "$c"
ok $? "... which says what vm-run said"
grep -qx 'FAIL norun: t.caught FAILs: no sample (no results, or the run did not reach it)' "$c"
ok $? "... and counts its Must-fail scenarios as not caught"

# A stock kernel that FAILs anything fails the check.
sed 's/"verdict":"pass"/"verdict":"fail"/' "$d/runs/stock/results.json" >"$d/x" &&
	mv "$d/x" "$d/runs/stock/results.json"
ev --patch clean
rc=$?
[ $rc -eq 1 ] && grep -q '^FAIL stock: unexpected FAIL t.caught' "$c"
ok $? "a FAIL on stock fails the check (rc $rc)"

"$top/scripts/check-broken-kernels" --patch nosuch >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ]
ok $? "an unknown --patch: exit 2 (rc $rc)"

done_testing
