// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-results.c - libFuzzer target for results.json as `cowbench
 * compare` (and scripts/plot through it) reads it: the reader, the meta
 * accessors, then what compare does with the runs: points, tests, meta
 * differences, warnings, every report format and the chart data.
 *
 * The input is one results.json, or two separated by a NUL byte (a NUL
 * is never valid inside one): a base and an other run, and then also the
 * two pooled as the base (--base A,B --other B) when they may be pooled.
 * One run alone is compared with itself and drawn as compare --data-dir
 * draws one run.
 * Properties: a refused file gets a one-line error; a file read has
 * terminated names and a known verdict; and compare never fails on a
 * file the reader accepted.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare-int.h"
#include "fuzz.h"

/* $TMPDIR: make fuzz points it into the target's work directory, where
 * a crash leaves it beside the input */
static char data_dir[4096];
static FILE *devnull;

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

static void cleanup(void)
{
	if (data_dir[0])
		nftw(data_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if ((size_t)snprintf(data_dir, sizeof(data_dir), "%s/fuzz-results.XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") >= sizeof(data_dir) ||
	    !mkdtemp(data_dir))
		abort();
	atexit(cleanup);
	devnull = fopen("/dev/null", "we");
	if (!devnull)
		abort();
}

static void check_sample(const struct cow_sample *s)
{
	unsigned i;

	FUZZ_ASSERT(strlen(s->scenario) < sizeof(s->scenario));
	FUZZ_ASSERT(s->nparams <= COW_MAX_PARAMS);
	FUZZ_ASSERT(s->nmetrics <= COW_MAX_METRICS);
	FUZZ_ASSERT(s->verdict == COW_PASS || s->verdict == COW_SKIP ||
		    s->verdict == COW_FAIL);
	for (i = 0; i < s->nparams; i++)
		FUZZ_ASSERT(strlen(s->params[i].key) < sizeof(s->params[i].key));
	FUZZ_ASSERT(strlen(s->reason) < sizeof(s->reason));
}

static int read_run(struct cmp_run *run, char letter, const uint8_t *data,
		    size_t size)
{
	char err[512];
	size_t i;

	run->letter = letter;
	run->arg = letter == 'A' ? "base/results.json" : "other/results.json";
	if (cow_results_parse((const char *)data, size, run->arg, &run->r, err,
			      sizeof(err))) {
		/* bad input: one line naming the file */
		FUZZ_ASSERT(!strncmp(err, run->arg, strlen(run->arg)));
		FUZZ_ASSERT(!strchr(err, '\n'));
		return -1;
	}
	run->path = strdup(run->arg);
	FUZZ_ASSERT(run->path);
	for (i = 0; i < run->r.n; i++)
		check_sample(&run->r.samples[i]);
	/* every flattened key finds a value: the first of its name */
	for (i = 0; i < run->r.nmeta; i++)
		FUZZ_ASSERT(cow_results_meta(&run->r, run->r.meta[i].key));
	FUZZ_ASSERT(strlen(run->r.start) < sizeof(run->r.start));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t na = nul ? (size_t)(nul - data) : size;
	struct cmp c = { 0 };
	int fmt;

	if (!devnull)
		setup();
	c.o.threshold = 0.05;
	c.o.alpha = 0.05;
	c.o.padj = (enum cow_padjust)(size % 3);
	c.o.seed = 1;
	/* compare's smallest --resamples: the interval code, but fast */
	c.o.nboot = 100;
	c.nruns = 2;
	c.runs = cmp_xcalloc(c.nruns, sizeof(*c.runs));
	if (read_run(&c.runs[0], 'A', data, na) ||
	    (nul && read_run(&c.runs[1], 'B', nul + 1, size - na - 1))) {
		cmp_free(&c);
		return 0;
	}
	if (!nul) {
		/* one run: compared with itself, then drawn alone */
		c.runs[1].letter = 'B';
		c.runs[1].arg = c.runs[0].arg;
		c.runs[1].path = strdup(c.runs[0].path);
		FUZZ_ASSERT(c.runs[1].path &&
			    !cow_results_parse((const char *)data, size,
					       c.runs[0].arg, &c.runs[1].r,
					       NULL, 0));
	}
	cmp_compare(&c);
	FUZZ_ASSERT(cmp_write_data(&c, data_dir) == 0);
	for (fmt = CMP_TEXT; fmt <= CMP_TSV; fmt++) {
		c.o.fmt = fmt;
		cmp_report(devnull, &c);
	}
	if (nul) {
		/* --base A,B --other B: the pool, its spread between hosts */
		struct cmp pool = { .o = c.o, .nruns = 2 };
		struct cow_results more;
		char err[1024], *path = strdup("other/results.json");

		FUZZ_ASSERT(path);
		pool.runs = cmp_xcalloc(2, sizeof(*pool.runs));
		FUZZ_ASSERT(!read_run(&pool.runs[0], 'A', data, na) &&
			    !read_run(&pool.runs[1], 'B', nul + 1, size - na - 1));
		FUZZ_ASSERT(!cow_results_parse((const char *)nul + 1, size - na - 1,
					       path, &more, NULL, 0));
		cmp_pool_first(&pool.runs[0]);
		if (cmp_pool_more(&pool.runs[0], path, &more, err, sizeof(err))) {
			FUZZ_ASSERT(err[0] && !strchr(err, '\n'));
			cow_results_free(&more);
			free(path);
		} else {
			FUZZ_ASSERT(pool.runs[0].npool == 2 &&
				    pool.runs[0].r.n == c.runs[0].r.n + c.runs[1].r.n);
			cmp_compare(&pool);
			FUZZ_ASSERT(cmp_write_data(&pool, data_dir) == 0);
			for (fmt = CMP_TEXT; fmt <= CMP_TSV; fmt++) {
				pool.o.fmt = fmt;
				cmp_report(devnull, &pool);
			}
		}
		cmp_free(&pool);
	}
	if (!nul) {
		/* the one-run overview, as scripts/plot draws a single run */
		struct cmp one = { .o = c.o, .nruns = 1 };

		one.runs = cmp_xcalloc(1, sizeof(*one.runs));
		FUZZ_ASSERT(!read_run(&one.runs[0], 'A', data, size));
		cmp_compare(&one);
		FUZZ_ASSERT(cmp_write_data(&one, data_dir) == 0);
		cmp_free(&one);
	}
	cmp_free(&c);
	return 0;
}
