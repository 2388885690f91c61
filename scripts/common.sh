# SPDX-License-Identifier: GPL-2.0-only
# common.sh - what the scripts share: messages, option checks, the cache,
# scratch directories, quoting.  POSIX sh has no local variables: those
# of the functions here start with _, which no script uses.  Sourced, not run, by every script in
# scripts/, run-all, .ci/run and (through tests/lib.sh) the tests, once
# they have set $prog (the name messages start with) and $top (the
# source tree).  POSIX sh: it also runs under busybox sh in vm-run's guest.
# shellcheck shell=sh
# shellcheck disable=SC2154 # $prog and $top are the sourcing script's

# ---- messages and options ---------------------------------------------------

# warn MESSAGE: one line on stderr, "PROG: MESSAGE".
warn() { echo "$prog: $*" >&2; }
# die MESSAGE: warn and exit 2, the status for bad usage and errors.
die() { warn "$*"; exit 2; }
unknown_option() { die "unknown option '$1' (try --help)"; }

# need_arg OPTION ARGC [WHAT]: OPTION, the current $1 of an option loop,
# takes a value: ARGC ($#) must leave one after it.  WHAT names the value
# in the message (default "a value").
need_arg() { [ "$2" -ge 2 ] || die "$1 needs ${3:-a value}"; }

# posint OPTION VALUE: VALUE is a positive decimal number (no sign, no
# leading zero).
posint() {
	case $2 in
	''|*[!0-9]*|0*) die "$1 $2: not a positive number" ;;
	esac
}

# need_tools PACKAGE-LIST TOOL...: each TOOL is on PATH; if one is not,
# die naming it and the scripts/PACKAGE-LIST that installs it ("" for
# no list).
need_tools() {
	_list=$1
	shift
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 && continue
		[ -n "$_list" ] || die "$_t not found"
		die "$_t not found: apt-get install \$(cat $top/scripts/$_list)"
	done
}

# ---- files and directories --------------------------------------------------

# abs_path PATH: PATH made absolute, its directory resolved (it must exist).
abs_path() {
	case $1 in
	*/*) _d=${1%/*} _f=${1##*/} ;;
	*) _d=. _f=$1 ;;
	esac
	_d=$(cd "${_d:-/}" && pwd) || return 1
	echo "${_d%/}/$_f"
}

# The build cache (kernels, unpacked sources and .debs, KVM probes):
# $COWBENCH_CACHE, else cowbench under the XDG cache directory.
cache=${COWBENCH_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/cowbench}

# unpack_source SRC: the Linux source tree SRC names, in $srcdir: SRC
# itself if a directory, else the one directory the tarball SRC holds,
# unpacked once into $cache/src under the tarball's hash (build-kernel and
# build-cow-selftest share it).
# shellcheck disable=SC2034 # srcdir is what the caller asked for
unpack_source() {
	if [ -f "$1" ]; then
		_th=$(sha256sum <"$1" | cut -c1-16)
		if [ ! -d "$cache/src/$_th" ]; then
			warn "unpacking $1"
			mkdir -p "$cache/src" || die "cannot create $cache/src"
			rm -rf "$cache/src/$_th.tmp"
			mkdir -p "$cache/src/$_th.tmp"
			tar -xf "$1" -C "$cache/src/$_th.tmp" || die "$1: cannot unpack"
			mv "$cache/src/$_th.tmp" "$cache/src/$_th"
		fi
		set -- "$1" "$cache/src/$_th"/*
		{ [ $# -eq 2 ] && [ -d "$2" ]; } || die "$1: not a single source directory"
		srcdir=$2
	elif [ -d "$1" ]; then
		srcdir=$(cd "$1" && pwd)
	else
		die "$1: no such source tree or tarball"
	fi
}

# cleanup: what the script has to undo when it exits, besides removing
# its work directory; a script that has something defines its own.
cleanup() { :; }
on_exit() {
	cleanup
	[ -z "${work:-}" ] || rm -rf "$work"
}

# exit_on_signals: SIGHUP, SIGINT and SIGTERM end the script through its
# EXIT trap, with 128 + the signal number (a signal that is not trapped
# ends a shell without running the EXIT trap).
exit_on_signals() {
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# make_workdir NAME [PARENT]: a new directory NAME.XXXXXX in PARENT
# (default $TMPDIR, else /tmp), in $work; on exit, however it comes,
# cleanup runs and the directory goes.
make_workdir() {
	work=$(mktemp -d "${2:-${TMPDIR:-/tmp}}/$1.XXXXXX") ||
		die "cannot create a scratch directory in ${2:-${TMPDIR:-/tmp}}"
	trap on_exit EXIT
	exit_on_signals
}

# ---- the program ------------------------------------------------------------

# find_cowbench: the cowbench binary in $cowbench: $COWBENCH, the build
# tree's, or the installed one.
find_cowbench() {
	cowbench=${COWBENCH:-}
	if [ -z "$cowbench" ]; then
		for _c in "$top/bench/cowbench" "$(command -v cowbench 2>/dev/null)"; do
			[ -n "$_c" ] && [ -x "$_c" ] && { cowbench=$_c; break; }
		done
	fi
	[ -n "$cowbench" ] || die "no cowbench binary: run ./configure && make first"
}

# squeeze TEXT: the words of TEXT, one space between them, none around.
squeeze() { printf '%s\n' "$*" | tr '\t\n' '  ' | tr -s ' ' | sed 's/^ //; s/ $//'; }

# utc_stamp: the time now, for directory names (20261206T170145Z).
utc_stamp() { date -u +%Y%m%dT%H%M%SZ; }

# quote WORD: WORD single-quoted for a later eval.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# suite_count LOG RESULT: how many tests automake's LOG (a
# test-suite.log) counts as RESULT (PASS, FAIL, SKIP, XFAIL, XPASS, ERROR).
suite_count() { sed -n "s/^# $2: *//p" "$1" 2>/dev/null; }
