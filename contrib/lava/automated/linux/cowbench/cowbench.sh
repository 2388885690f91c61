#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# cowbench.sh - run cowbench as a Linaro test-definitions test (LAVA,
# KernelCI, LKFT): results in output/result.txt, one line a case
# ("ID pass|fail|skip [MEASUREMENT [UNITS]]"), which the definition's
# next step hands to send-to-lava.sh.
#
# It lives in a test-definitions tree (automated/linux/cowbench/), not in
# cowbench's, so it cannot source cowbench's scripts/common.sh; it uses
# no more of test-definitions than its layout either (automated/lib's
# helpers would tie it to one version of them).
#
# The cases: one per point and measurement, as `cowbench export --format
# lava` writes them; `cowbench-run` (the run ended with results: exit 0
# or 1, every failure being a point's own); with -r, no run: the cases
# of a results directory made before (by scripts/vm-run on the host, a
# run in an earlier step); with -b, `cowbench-compare`,
# which fails on a regression against the baseline (or when there is
# nothing to compare) and whose report send-to-lava.sh shows in the log
# (output/cowbench-compare.log).
#
# The script exits 0 once it has written its results, whatever they say:
# a definition's steps stop at the first failing command, and the next
# one reports them.

# Scenario globs (fork.*) are cowbench's, never file names here.
set -f
OUTPUT="$(pwd)/output"
RESULT_FILE="$OUTPUT/result.txt"
SCENARIOS="all"
OPTIONS="--quick"
BASELINE=""
RESULTS=""
COWBENCH=""
SKIP_INSTALL="false"
TEST_GIT_URL=""
TEST_PROG_VERSION=""
TEST_DIR="$(pwd)/cowbench-src"

usage() {
	cat >&2 <<USAGE
Usage: $0 [-s SCENARIOS] [-o OPTIONS] [-b BASELINE] [-r RESULTS]
	  [-c COWBENCH] [-S true|false] [-g GIT_URL] [-v VERSION] [-d DIR]
  -s  scenarios or globs, space separated (default: all)
  -o  other cowbench options (default: --quick)
  -b  baseline: a results directory, its results.json, or an http(s)
      URL of a results.json; adds the cowbench-compare case
  -r  report this results directory (or results.json) instead of running
  -c  the cowbench binary (default: DIR's build, else cowbench in PATH)
  -S  true: install nothing (cowbench must be there)
  -g  git URL to build cowbench from when it is not installed
  -v  the commit, tag or branch of -g (default: the default branch)
  -d  where to clone and build it (default: ./cowbench-src)
USAGE
	exit 2
}

while getopts "s:o:b:r:c:S:g:v:d:h" opt; do
	case $opt in
	s) SCENARIOS=$OPTARG ;;
	o) OPTIONS=$OPTARG ;;
	b) BASELINE=$OPTARG ;;
	r) RESULTS=$OPTARG ;;
	c) COWBENCH=$OPTARG ;;
	S) SKIP_INSTALL=$OPTARG ;;
	g) TEST_GIT_URL=$OPTARG ;;
	v) TEST_PROG_VERSION=$OPTARG ;;
	d) TEST_DIR=$OPTARG ;;
	*) usage ;;
	esac
done

info() { echo "cowbench.sh: $*"; }
# case ID RESULT: one line of result.txt.
result() { echo "$*" >>"$RESULT_FILE"; }

# Build cowbench from git (the README's steps) when it is not installed;
# a definition run on a fresh rootfs starts without it.
install_cowbench() {
	if command -v apt-get >/dev/null 2>&1; then
		apt-get update -q && apt-get install -y -q git ||
			return 1
	fi
	rm -rf "$TEST_DIR"
	git clone "$TEST_GIT_URL" "$TEST_DIR" || return 1
	if [ -n "$TEST_PROG_VERSION" ]; then
		git -C "$TEST_DIR" checkout "$TEST_PROG_VERSION" || return 1
	fi
	if command -v apt-get >/dev/null 2>&1; then
		# shellcheck disable=SC2046 # one package a word
		apt-get install -y -q $(cat "$TEST_DIR/scripts/debian-packages") ||
			return 1
	fi
	(cd "$TEST_DIR" && ./autogen.sh && ./configure && make -j"$(nproc)")
}

find_cowbench() {
	[ -n "$COWBENCH" ] && return 0
	if [ -x "$TEST_DIR/bench/cowbench" ]; then
		COWBENCH=$TEST_DIR/bench/cowbench
	elif command -v cowbench >/dev/null 2>&1; then
		COWBENCH=$(command -v cowbench)
	fi
	[ -n "$COWBENCH" ]
}

# baseline DIR-OR-URL: a path compare can read, fetched if a URL.
baseline_path() {
	case $1 in
	http://*|https://*)
		mkdir -p "$OUTPUT/baseline" || return 1
		if command -v curl >/dev/null 2>&1; then
			curl -fsSL -o "$OUTPUT/baseline/results.json" "$1"
		else
			wget -q -O "$OUTPUT/baseline/results.json" "$1"
		fi || return 1
		echo "$OUTPUT/baseline"
		;;
	*) echo "$1" ;;
	esac
}

mkdir -p "$OUTPUT" || exit 2
rm -rf "$OUTPUT/results" "$OUTPUT/baseline"
: >"$RESULT_FILE"

if ! find_cowbench; then
	if [ "$SKIP_INSTALL" = "true" ] || [ "$SKIP_INSTALL" = "True" ] ||
	   [ -z "$TEST_GIT_URL" ]; then
		info "no cowbench binary, and SKIP_INSTALL or no TEST_GIT_URL"
		result "cowbench-install fail"
		exit 0
	fi
	if install_cowbench >"$OUTPUT/cowbench-install.log" 2>&1 &&
	   find_cowbench; then
		result "cowbench-install pass"
	else
		tail -n 20 "$OUTPUT/cowbench-install.log"
		result "cowbench-install fail"
		exit 0
	fi
fi
info "$("$COWBENCH" --version)"

# The run: the summary goes to the log as it comes (a test job's log is
# what a person reads first), the results to output/results.
if [ -n "$RESULTS" ]; then
	results=$RESULTS
else
	results=$OUTPUT/results
	# shellcheck disable=SC2086 # OPTIONS and SCENARIOS are word lists
	"$COWBENCH" $OPTIONS --out "$results" $SCENARIOS
	rc=$?
	info "cowbench exited $rc"
	if [ $rc -le 1 ]; then
		result "cowbench-run pass"
	else
		result "cowbench-run fail"
	fi
fi

# Every point's cases, from whatever results there are (an interrupted
# run's partial file is refused: its cowbench-run failed).
if [ -e "$results" ]; then
	"$COWBENCH" export --format lava "$results" >>"$RESULT_FILE" ||
		result "cowbench-export fail"
else
	result "cowbench-export fail"
fi

if [ -n "$BASELINE" ]; then
	log=$OUTPUT/cowbench-compare.log
	if base=$(baseline_path "$BASELINE"); then
		"$COWBENCH" compare "$base" "$results" >"$log" 2>&1
		crc=$?
	else
		echo "cannot fetch the baseline $BASELINE" >"$log"
		crc=2
	fi
	cat "$log"
	# 0 no regression; 1 a regression; 2 no comparison (bad baseline,
	# nothing in common), which is not a pass either.
	if [ $crc -eq 0 ]; then
		result "cowbench-compare pass"
	else
		result "cowbench-compare fail"
	fi
fi
exit 0
