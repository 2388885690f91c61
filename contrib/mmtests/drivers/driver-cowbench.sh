# SPDX-License-Identifier: GPL-2.0-only
# driver-cowbench.sh - mmtests' driver for cowbench: the config's
# COWBENCH_* settings to shellpack-bench-cowbench's options.
run_bench() {
	COWBENCH_QUICK_SWITCH=
	if [ "$COWBENCH_QUICK" = "yes" ]; then
		COWBENCH_QUICK_SWITCH=--quick
	fi
	$SCRIPTDIR/shellpacks/shellpack-bench-cowbench \
		--scenarios	"$COWBENCH_SCENARIOS"			\
		${COWBENCH_SIZE:+--size "$COWBENCH_SIZE"}		\
		${COWBENCH_REPS:+--reps "$COWBENCH_REPS"}		\
		$COWBENCH_QUICK_SWITCH
	return $?
}
