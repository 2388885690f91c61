// SPDX-License-Identifier: GPL-2.0-only
/*
 * example-registry.c - the registry of tests/cowbench-example: the CLI
 * with the scenario doc/adding-a-scenario.md builds, and a few that test
 * how the harness applies a declaration.  The guide's code is included
 * as make extracted it from the guide (tests/example-scenario.c), so
 * that the guide's text is what runs in tests/example.sh, and cannot go
 * stale.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#include "example-scenario.c"

/* As the guide adds it to bench/fork.c's table. */
static const struct cow_scenario *const example_scenarios[] = {
	&example,
	NULL,
};

/* ---- what the harness does with a declaration --------------------------- */

/* Never reached where the harness checks the needs first. */
static enum cow_verdict must_not_run(struct cow_run *r, char *reason,
				     size_t len)
{
	snprintf(reason, len, "prepare ran although a need was missing");
	return COW_SKIP;
}

static int probe_no(char *reason, size_t len)
{
	snprintf(reason, len, "the probe said no");
	return -1;
}

static int probe_yes(char *reason, size_t len)
{
	return 0;
}

static const struct cow_scenario file_missing = {
	.name = "harness.need-file",
	.desc = "a scenario whose declared file no machine has",
	.help = "Tests that the harness skips before prepare(), naming it.",
	.needs = {
		{ COW_NEED_PROBE, "a feature every machine has", "test", probe_yes },
		{ COW_NEED_FILE, "/nonexistent/cowbench-test-need", "no machine has it" },
	},
	.quick_size = COW_QUICK_SIZE,
	.prepare = must_not_run,
	.sample = example_sample,
};

static const struct cow_scenario probe_missing = {
	.name = "harness.need-probe",
	.desc = "a scenario whose declared probe fails",
	.help = "Tests that the harness skips before prepare(), naming it.",
	.needs = {
		{ COW_NEED_PROBE, "a feature no machine has", "test", probe_no },
	},
	.quick_size = COW_QUICK_SIZE,
	.prepare = must_not_run,
	.sample = example_sample,
};

static const struct cow_scenario quick_full = {
	.name = "harness.quick-full",
	.desc = "the guide's sample, exempt from --quick's cap",
	.help = "Tests that COW_QUICK_FULL keeps the point's size.",
	.quick_size = COW_QUICK_FULL,
	.sample = example_sample,
};

static const struct cow_scenario *const harness_scenarios[] = {
	&file_missing,
	&probe_missing,
	&quick_full,
	NULL,
};

const struct cow_scenario *const *const cow_families[] = {
	example_scenarios,
	harness_scenarios,
	NULL,
};
