#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# scripts.sh - the shell scripts keep the house rules: shellcheck finds
# nothing in any of them (every severity, sourced files followed), each
# exception is a "shellcheck disable" comment that says why, every script
# sources scripts/common.sh (a test through tests/lib.sh) and none defines
# again a function common.sh has; POSIX sh, which checkbashisms
# (devscripts) checks too where it is installed.  Without shellcheck
# (Debian: shellcheck) its lines skip, unless COWBENCH_NEED_SHELLCHECK=1
# (CI), where a skip would hide what it finds.  `make check-scripts`.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

cd "$top" || exit 99

# The shell scripts: scripts/ (the executables and common.sh), run-all,
# .ci/run, the tests and their helpers, the bootstrap scripts.  The
# package lists in scripts/ are no scripts.
progs=
for f in scripts/*; do
	[ -f "$f" ] && [ -x "$f" ] && progs="$progs $f"
done
progs="$progs run-all .ci/run tests/fuzz/run.sh"
tests=
for f in tests/*.sh; do
	case $f in
	tests/lib.sh|tests/mkresults.sh) ;;
	*) tests="$tests $f" ;;
	esac
done
sourced="scripts/common.sh tests/lib.sh tests/mkresults.sh"
# (They run before configure, from a bare checkout, and need nothing of
# common.sh: they are checked, not made to source it.)
boot="autogen.sh build-aux/git-version"
all="$progs $tests $sourced $boot"

# The scripts vm-run and check-broken-kernels write for the guest, which
# runs them with busybox sh.
embedded() { sed -n "/[<][<]'$2'\$/,/^$2\$/p" "$1" | sed '1d;$d'; }
embedded scripts/vm-run INIT >"$scratch/vm-run-init"
embedded scripts/check-broken-kernels GUEST >"$scratch/cow-guest.sh"

bad=
for f in $progs $tests $boot; do
	[ "$(head -n 1 "$f")" = '#!/bin/sh' ] || bad="$bad $f"
done
[ -z "$bad" ]
ok $? "every script is #!/bin/sh${bad:+; not:$bad}"

if command -v shellcheck >/dev/null 2>&1; then
	diag "$(shellcheck --version | sed -n 's/^version: /shellcheck /p')"
	for f in $all; do
		shellcheck -x "$f" >"$scratch/sc.out" 2>&1
		rc=$?
		ok $rc "shellcheck $f"
		[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/sc.out"
	done
	for f in vm-run-init cow-guest.sh; do
		[ -s "$scratch/$f" ] &&
			shellcheck -s sh "$scratch/$f" >"$scratch/sc.out" 2>&1
		rc=$?
		ok $rc "shellcheck the guest's $f, from a here-document"
		[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/sc.out"
	done
elif [ "${COWBENCH_NEED_SHELLCHECK:-0}" = 1 ]; then
	ok 1 "shellcheck is installed (COWBENCH_NEED_SHELLCHECK=1)"
else
	ok 0 "# SKIP no shellcheck (Debian: apt-get install shellcheck)"
fi

# An exception names its check and says why: "disable=SCnnnn # reason".
# shellcheck disable=SC2086 # $all: the list of files
grep -n '#[[:space:]]*shellcheck disable=' $all | grep -v 'disable=SC[0-9,]* # ..' \
	>"$scratch/why"
[ ! -s "$scratch/why" ]
ok $? "every shellcheck exception says why"
sed 's/^/# /' "$scratch/why"

# shellcheck disable=SC2016 # the $top in the pattern is the scripts'
common='^\. "\$top/scripts/common\.sh"$'
bad=
for f in $progs tests/lib.sh; do
	grep -q "$common" "$f" || bad="$bad $f"
done
[ -z "$bad" ]
ok $? "every script sources scripts/common.sh${bad:+; not:$bad}"
bad=
for f in $tests; do
	# shellcheck disable=SC2016 # the test's own ${COW_SRCDIR:-.}
	grep -q '^\. "\${COW_SRCDIR:-\.}/tests/lib\.sh"$' "$f" || bad="$bad $f"
done
[ -z "$bad" ]
ok $? "every test sources tests/lib.sh${bad:+; not:$bad}"

# common.sh's functions, less the hooks a script is meant to redefine.
funcs=$(sed -n 's/^\([a-z_]*\)() {.*/\1/p' scripts/common.sh |
	grep -vx -e cleanup -e on_exit)
[ -n "$funcs" ]
ok $? "common.sh defines functions: $(squeeze "$funcs")"
: >"$scratch/again"
for fn in $funcs; do
	# shellcheck disable=SC2086 # $progs $tests: the lists of files
	grep -n "^[[:space:]]*$fn() *{" $progs $tests tests/lib.sh \
		tests/mkresults.sh >>"$scratch/again"
done
[ ! -s "$scratch/again" ]
ok $? "no script defines again what common.sh has"
sed 's/^/# /' "$scratch/again"

if command -v checkbashisms >/dev/null 2>&1; then
	# shellcheck disable=SC2086 # $all: the list of files
	checkbashisms -p -x $all >"$scratch/cb.out" 2>&1
	rc=$?
	# (It exits 0 when it cannot parse a file, saying "error:".)
	[ $rc -eq 0 ] && ! grep -q '^error:' "$scratch/cb.out"
	ok $? "checkbashisms -p finds nothing (rc $rc)"
	grep -v -e 'interpreter line' -e 'strange results' "$scratch/cb.out" |
		sed 's/^/# /'
else
	ok 0 "# SKIP no checkbashisms (Debian: devscripts)"
fi

done_testing
