#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# unprivileged.sh - the whole test suite as user nobody: a copy of the
# distribution in a directory of its own owned by nobody, HOME and TMPDIR
# inside it; configure, make and make check must pass, every test that
# needs root skipping with its reason, and nothing may be written outside
# that directory. Opt-in, started as root: `make check-unprivileged`
# (COWBENCH_UNPRIV_TESTS=1, COWBENCH_UNPRIV_DIST=a make distdir tree).
#
# Not seen: a file nobody created outside the copy and removed again
# before the run ended (the checks compare the state after with before).

# lib.sh takes the knob-test lock (we are root): the knobs compared
# after the run are then changed by nobody else meanwhile.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

[ "${COWBENCH_UNPRIV_TESTS:-0}" = 1 ] ||
	skip_all "set COWBENCH_UNPRIV_TESTS=1 (make check-unprivileged) to run the suite as nobody"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (to become nobody)"
command -v setpriv >/dev/null 2>&1 || skip_all "no setpriv (util-linux)"
group=$(id -gn nobody 2>/dev/null) || skip_all "no user nobody"
dist=${COWBENCH_UNPRIV_DIST:-}
[ -x "$dist/configure" ] || skip_all "COWBENCH_UNPRIV_DIST is no distribution tree: '$dist'"

u=$scratch/nobody
src=$u/src
mkdir -p "$u/home" "$u/tmp" && cp -a "$dist" "$src" &&
	chown -R nobody:"$group" "$u" && chmod 711 "$scratch"
ok $? "a copy of $(basename "$dist") owned by nobody in $u"
[ $tap_failed -eq 0 ] || { echo "Bail out! no copy to run"; exit 1; }

# What nobody owns on the local filesystems, the copy left out.
owned() {
	find / /tmp /var/tmp /run /dev/shm -xdev -path "$u" -prune -o \
		-user nobody -print 2>/dev/null | sort -u
}
# A file anyone may write, written since the stamp (nobody may have).
world_written() {
	find / /tmp /var/tmp /run /dev/shm -xdev -path "$u" -prune -o \
		-type f -perm -0002 -newer "$scratch/stamp" -print 2>/dev/null |
		sort -u
}
run_state() { ls -lan --time-style=full-iso /run/cowbench 2>&1; }

owned >"$scratch/owned.before"
state_before=$(run_state)
knobs_before=$(knob_snapshot)
touch "$scratch/stamp"

# as_nobody LOG COMMAND...: in the copy, as nobody, with nothing of this
# environment but PATH; the output to $u/LOG.
as_nobody() {
	log=$1
	shift
	# shellcheck disable=SC2016 # the sh -c script expands its own $1
	setpriv --reuid=nobody --regid="$group" --clear-groups --no-new-privs \
		env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$u/home" \
		TMPDIR="$u/tmp" LC_ALL=C.UTF-8 \
		sh -c 'cd "$1" && shift && exec "$@"' sh "$src" "$@" \
		>"$u/$log" 2>&1
}
show_tail() { tail -n 20 "$u/$log" | sed 's/^/# /'; }

t0=$(date +%s)
as_nobody configure.out ./configure
rc=$?
ok $rc "./configure as nobody (rc $rc)"
[ $rc -eq 0 ] || show_tail
as_nobody make.out make -j"$(nproc)"
rc=$?
ok $rc "make as nobody (rc $rc)"
[ $rc -eq 0 ] || show_tail
as_nobody check.out make -j"$(nproc)" check
rc=$?
t1=$(date +%s)
n() { suite_count "$src/test-suite.log" "$1"; }
pass=$(n PASS) skip=$(n SKIP) fail=$(n FAIL) err=$(n ERROR)
[ $rc -eq 0 ] && [ "${pass:-0}" -gt 0 ] && [ "$fail" = 0 ] && [ "$err" = 0 ]
ok $? "make check as nobody: ${pass:-?} passed, ${skip:-?} skipped, ${fail:-?} failed, ${err:-?} errors (rc $rc, $((t1 - t0)) s in all)"
[ $rc -eq 0 ] || grep -h '^\(FAIL\|ERROR\)' "$src"/tests/*.log | sed 's/^/# /'

# Every skip says why: a whole test ("1..0 # SKIP why") or one case.
grep -h '^SKIP:' "$src"/tests/*.log >"$scratch/skips"
sed 's/^/# /' "$scratch/skips"
[ -s "$scratch/skips" ] &&
	! grep -Ev '^SKIP: [^ ]+( [0-9]+)? (- |# SKIP )[^ ]' "$scratch/skips" | grep -q .
ok $? "every skip as nobody gives its reason ($(wc -l <"$scratch/skips") skips)"

owned >"$scratch/owned.after"
comm -13 "$scratch/owned.before" "$scratch/owned.after" >"$scratch/owned.new"
sed 's/^/# new, owned by nobody: /' "$scratch/owned.new"
[ ! -s "$scratch/owned.new" ]
ok $? "nobody created nothing outside $u (/tmp, /var/tmp, /run, /dev/shm and / searched)"
world_written >"$scratch/ww"
sed 's/^/# written: /' "$scratch/ww"
[ ! -s "$scratch/ww" ]
ok $? "no world-writable file outside $u was written during the run"
[ "$(run_state)" = "$state_before" ]
ok $? "/run/cowbench is as before"
knobs_equal "$knobs_before"
ok $? "every knob is as before"

done_testing
