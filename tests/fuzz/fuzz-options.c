// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-options.c - libFuzzer target for cowbench's command line and
 * compare's: the input split at NUL bytes is argv (after the program
 * name; "compare" first selects compare's parser).  Nothing is acted on.
 * Properties: an error is one line; what is accepted is in the ranges
 * --help states, and the run arguments start inside argv.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compare-int.h"
#include "fuzz.h"

static void check_main(int argc, char **argv)
{
	struct main_opts mo = { 0 };
	char err[512];
	enum main_action a = bench_parse_options(argc, argv, &mo, err,
						 sizeof(err));

	if (a == MAIN_ERROR) {
		FUZZ_ASSERT(err[0] && !strchr(err, '\n'));
		return;
	}
	FUZZ_ASSERT(a >= MAIN_RUN && a <= MAIN_ADD_META);
	FUZZ_ASSERT(optind >= 1 && optind <= argc);
	if (a == MAIN_ADD_META) {
		FUZZ_ASSERT(mo.meta_key[0] && mo.meta_json && mo.meta_dir);
		FUZZ_ASSERT(mo.meta_key[strspn(mo.meta_key,
				"abcdefghijklmnopqrstuvwxyz0123456789_")] == '\0');
		return;
	}
	if (a != MAIN_RUN)
		return;
	FUZZ_ASSERT(mo.o.size >= cow_page_size && !(mo.o.size % cow_page_size));
	FUZZ_ASSERT(mo.o.reps >= 1 && mo.o.reps <= 100000);
	FUZZ_ASSERT(mo.o.warmup <= 1000);
	FUZZ_ASSERT(!(mo.o.quick && mo.o.full));
	FUZZ_ASSERT(mo.o.children <= 4096);
	FUZZ_ASSERT(mo.node >= -1 && mo.node <= 1023);
	FUZZ_ASSERT(!mo.cpus || CPU_COUNT(&mo.cpuset) > 0);
	FUZZ_ASSERT(mo.fmt <= COW_FMT_TSV);
}

static void check_compare(int argc, char **argv)
{
	struct cmp_opts o = { 0 };
	char err[512];
	int r = cmp_parse_options(argc, argv, &o, err, sizeof(err));
	size_t i;

	if (r < 0) {
		FUZZ_ASSERT(err[0] && !strchr(err, '\n'));
		return;
	}
	FUZZ_ASSERT(r == 0 || r == 1);
	FUZZ_ASSERT(optind >= 1 && optind <= argc);
	FUZZ_ASSERT(o.alpha >= 1e-6 && o.alpha <= 0.5);
	FUZZ_ASSERT(o.threshold >= 0 && o.threshold <= 10);
	FUZZ_ASSERT(o.nboot >= 100 && o.nboot <= 10000000);
	FUZZ_ASSERT(o.padj <= COW_PADJ_BH && o.fmt <= CMP_TSV);
	for (i = 0; o.ignore[i]; i++)
		FUZZ_ASSERT(i < COW_MAX_PARAMS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **argv, *buf;
	int argc;

	cow_page_size = (size_t)sysconf(_SC_PAGESIZE);
	argv = fuzz_argv("cowbench", data, size, &argc, &buf);
	if (argc > 1 && !strcmp(argv[1], "compare"))
		check_compare(argc - 1, argv + 1);
	else
		check_main(argc, argv);
	free(argv);
	free(buf);
	return 0;
}
