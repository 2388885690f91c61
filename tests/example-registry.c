// SPDX-License-Identifier: GPL-2.0-only
/*
 * example-registry.c - the registry of tests/cowbench-example: the CLI
 * with one family, holding only the scenario doc/adding-a-scenario.md
 * builds.  Its code is included as make extracted it from the guide
 * (tests/example-scenario.c), so that the guide's text is what runs in
 * tests/example.sh, and cannot go stale.
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

const struct cow_scenario *const *const cow_families[] = {
	example_scenarios,
	NULL,
};
