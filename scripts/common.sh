# SPDX-License-Identifier: GPL-2.0-only
# common.sh - what the scripts share; sourced with $prog and $top set.

die() { echo "$prog: $*" >&2; exit 2; }

# The cowbench binary: $COWBENCH, the build tree's, or the installed one.
find_cowbench() {
	cowbench=${COWBENCH:-}
	if [ -z "$cowbench" ]; then
		for c in "$top/bench/cowbench" "$(command -v cowbench 2>/dev/null)"; do
			[ -n "$c" ] && [ -x "$c" ] && { cowbench=$c; break; }
		done
	fi
	[ -n "$cowbench" ] || die "no cowbench binary: run ./configure && make first"
}

# quote WORD: WORD single-quoted for a later eval.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
