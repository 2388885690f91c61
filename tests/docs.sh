#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# docs.sh - the scenario reference cannot drift from the declarations:
# every scenario declares what the listings need, and doc/scenarios.md and
# the manual's SCENARIOS section hold exactly what cowbench --list=md and
# --list=man print (scripts/update-docs --check); shown to fail when a
# declaration changed and when a generated line was edited by hand.
# shellcheck source=tests/lib.sh
. "${COW_SRCDIR:-.}/tests/lib.sh"

src=${COW_SRCDIR:-.}
update="$src/scripts/update-docs"
docs="$src/doc/scenarios.md $src/doc/cowbench.1"


# The scenario lines, not the backings under some of them.
"$COWBENCH" --list | grep -v "^ " >"$scratch/list" && "$COWBENCH" --list=long >"$scratch/long"
ok $? "--list and --list=long exit 0 ($(wc -l <"$scratch/list") scenarios)"

# Every declaration complete: a one-line description that fits --list, a
# help text (the lines --list=long gives after the description, not
# labelled), a quick size; commit ids of 12 hex digits.
bad=$(awk '
	length($0) > 28 + 1 + 64 { print "description too long: " $1 }
	NF < 2 { print "no description: " $1 }' "$scratch/list")
grep -q '^    --quick: not declared' "$scratch/long" &&
	bad="$bad quick size not declared"
grep -q '(null)' "$scratch/long" && bad="$bad a need or commit without its text"
# shellcheck disable=SC2013 # names are single words, one a line
for n in $(cut -d' ' -f1 "$scratch/list"); do
	"$COWBENCH" --list=long "$n" | awk 'NR > 2 && !/^    [a-z-]+:/' |
		grep -q . || bad="$bad help missing: $n"
done
[ -z "$bad" ]
ok $? "every scenario declares a description, help and quick size${bad:+: $bad}"

# shellcheck disable=SC2016 # awk program and Markdown backquotes
ids=$("$COWBENCH" --list=md | awk '
	/^  - kernel commits:/ { on = 1 }
	/^  - / && !/^  - kernel commits:/ { on = 0 }
	/^- / { on = 0 }
	on' | grep -o '`[^`]*`' | tr -d '`' | sort -u)
badids=$(printf '%s\n' "$ids" | grep -v '^[0-9a-f]\{12\}$')
[ -n "$ids" ] && [ -z "$badids" ]
ok $? "commit ids are 12 hex digits ($(printf '%s\n' "$ids" | wc -l) distinct)${badids:+: $badids}"

if ! grep -q '^iouring\.' "$scratch/list"; then
	for i in 4 5 6 7 8 9; do
		echo "ok $i # SKIP built without liburing: the iouring.* entries of the reference cannot be generated here"
	done
	exit 0
fi

# The reference and the manual as the declarations print them.
# shellcheck disable=SC2086 # $docs: two paths without blanks, split on purpose
out=$("$update" --check $docs 2>&1)
ok $? "doc/scenarios.md and the manual match the declarations (make update-docs)"
[ -z "$out" ] || printf '%s\n' "$out" | head -40 | sed 's/^/# /'

# The same names in --list, the reference (by family) and the manual.
cut -d' ' -f1 "$scratch/list" | sort >"$scratch/names"
# shellcheck disable=SC2016 # backquotes of Markdown, not a command
sed -n 's/^- `\([^`]*\)`:.*/\1/p' "$src/doc/scenarios.md" | sort \
	>"$scratch/md-names"
sed -n '/^\.TP$/{n;s/^\.B \(.*\)/\1/p;}' "$src/doc/cowbench.1" |
	sed 's/\\-/-/g' | grep -F -x -f "$scratch/names" | sort \
	>"$scratch/man-names"
cmp -s "$scratch/names" "$scratch/md-names"
ok $? "doc/scenarios.md has every scenario of --list, once ($(wc -l <"$scratch/md-names"))"
cmp -s "$scratch/names" "$scratch/man-names"
ok $? "the manual has every scenario of --list, once ($(wc -l <"$scratch/man-names"))"

# It can fail: a declaration changed (a cowbench whose ksm.cow says
# otherwise) makes both documents stale ...
cat >"$scratch/cowbench" <<FAKE
#!/bin/sh
"$COWBENCH" "\$@" | sed 's/write every page of a KSM/WRITE every page of a KSM/'
FAKE
chmod +x "$scratch/cowbench"
# shellcheck disable=SC2086 # as above
COWBENCH=$scratch/cowbench "$update" --check $docs >/dev/null 2>"$scratch/err"
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c 'is stale' "$scratch/err")" -eq 2 ]
ok $? "a changed declaration makes both stale (rc $rc)"

# ... and so does a generated line edited by hand, or a lost END marker.
mkdir -p "$scratch/doc"
# shellcheck disable=SC2016 # Markdown backquotes
sed 's/^\(- `fork.latency`:\).*/\1 fork, quickly./' "$src/doc/scenarios.md" \
	>"$scratch/doc/scenarios.md"
"$update" --check "$scratch/doc/scenarios.md" >/dev/null 2>&1
rc=$?
[ $rc -eq 1 ]
ok $? "a generated line edited by hand is stale (rc $rc)"
sed '/END generated/d' "$src/doc/cowbench.1" >"$scratch/doc/cowbench.1"
"$update" --check "$scratch/doc/cowbench.1" >/dev/null 2>"$scratch/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'without its END' "$scratch/err"
ok $? "a BEGIN marker without its END is an error (rc $rc)"
done_testing
