// SPDX-License-Identifier: GPL-2.0-only
/*
 * options.c - cowbench's command line into struct main_opts, acting on
 * nothing (no affinity set, no file read or written), so that main()
 * does the acting and a fuzzer can call the parse a million times.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_RESTORE = 256, OPT_ADD_META, OPT_SAMPLE_TIMEOUT, OPT_PRECISION,
       OPT_MIN_REPS, OPT_MAX_REPS, OPT_BUDGET, OPT_PASSES };

static const struct option long_options[] = {
	{ "add-meta",	required_argument,	NULL, OPT_ADD_META },
	{ "backing",	required_argument,	NULL, 'b' },
	{ "budget",	required_argument,	NULL, OPT_BUDGET },
	{ "passes",	required_argument,	NULL, OPT_PASSES },
	{ "children",	required_argument,	NULL, 'c' },
	{ "cpu",	required_argument,	NULL, 'C' },
	{ "dir",	required_argument,	NULL, 'd' },
	{ "events",	required_argument,	NULL, 'e' },
	{ "format",	required_argument,	NULL, 'f' },
	{ "full",	no_argument,		NULL, 'F' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "list",	optional_argument,	NULL, 'l' },
	{ "max-reps",	required_argument,	NULL, OPT_MAX_REPS },
	{ "min-reps",	required_argument,	NULL, OPT_MIN_REPS },
	{ "node",	required_argument,	NULL, 'N' },
	{ "out",	required_argument,	NULL, 'o' },
	{ "precision",	required_argument,	NULL, OPT_PRECISION },
	{ "quick",	no_argument,		NULL, 'q' },
	{ "reps",	required_argument,	NULL, 'r' },
	{ "restore",	no_argument,		NULL, OPT_RESTORE },
	{ "sample-timeout", required_argument,	NULL, OPT_SAMPLE_TIMEOUT },
	{ "size",	required_argument,	NULL, 's' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "warmup",	required_argument,	NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

static bool opt_u64(char *err, size_t elen, const char *name,
		    const char *arg, uint64_t min, uint64_t max, uint64_t *v)
{
	if (!cow_parse_u64(arg, min, max, v))
		return true;
	cow_errf(err, elen, "--%s: '%s' is not a number in %llu..%llu", name,
		 arg, (unsigned long long)min, (unsigned long long)max);
	return false;
}

/* --precision P: percent, "2" or "2%", 0.1 to 50. */
static bool opt_precision(char *err, size_t elen, const char *arg,
			  double *v)
{
	char *end;
	double p;

	errno = 0;
	p = strtod(arg, &end);
	if (end != arg && *end == '%')
		end++;
	if (!errno && end != arg && !*end && p >= 0.1 && p <= 50) {
		*v = p / 100;
		return true;
	}
	cow_errf(err, elen, "--precision: '%s' is not a percentage in 0.1..50",
		 arg);
	return false;
}

/*
 * The repetitions' defaults for the mode, then what was given; fixed
 * --reps excludes a target.  False with err set on a contradiction.
 */
static bool reps_defaults(struct main_opts *mo, char *err, size_t elen)
{
	struct cow_opts *o = &mo->o;
	unsigned dmin = o->quick ? QUICK_MIN_REPS : o->full ? FULL_MIN_REPS :
			DEFAULT_MIN_REPS;
	unsigned dmax = o->quick ? QUICK_MAX_REPS : o->full ? FULL_MAX_REPS :
			DEFAULT_MAX_REPS;

	if (mo->reps_set && (mo->precision_set || mo->min_reps_set ||
			     mo->max_reps_set || mo->budget_set ||
			     mo->passes_set)) {
		cow_errf(err, elen, "--reps fixes the repetitions: it excludes --precision, --min-reps, --max-reps, --budget and --passes");
		return false;
	}
	if (mo->reps_set) {
		o->precision = 0;
		o->passes = 1;
		return true;
	}
	if (!mo->passes_set)
		o->passes = DEFAULT_PASSES;
	if (!mo->precision_set)
		o->precision = DEFAULT_PRECISION;
	if (!mo->budget_set)
		o->budget_s = o->quick ? QUICK_BUDGET : o->full ?
			      FULL_BUDGET : DEFAULT_BUDGET;
	if (!mo->min_reps_set)
		o->min_reps = mo->max_reps_set && o->max_reps < dmin ?
			      o->max_reps : dmin;
	if (!mo->max_reps_set)
		o->max_reps = o->min_reps > dmax ? o->min_reps : dmax;
	if (o->min_reps > o->max_reps) {
		cow_errf(err, elen, "--min-reps %u is above --max-reps %u",
			 o->min_reps, o->max_reps);
		return false;
	}
	/* The progress line's estimate. */
	o->reps = o->min_reps;
	return true;
}

/* --add-meta KEY=JSON DIR: adds a key, never changes one (main does). */
static enum main_action add_meta(char *err, size_t elen, const char *arg,
				 int argc, char **argv, struct main_opts *mo)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;

	if (!eq || !klen || klen >= sizeof(mo->meta_key) ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_") != klen)
		return cow_errf(err, elen,
				"--add-meta: '%s' is not KEY=JSON (KEY: a-z 0-9 _)",
				arg);
	if (optind + 1 != argc)
		return cow_errf(err, elen,
				"--add-meta needs exactly one results directory");
	memcpy(mo->meta_key, arg, klen);
	mo->meta_key[klen] = '\0';
	mo->meta_json = eq + 1;
	mo->meta_dir = argv[optind];
	return MAIN_ADD_META;
}

/*
 * The words tables: main's usage_error adds " (try --help)" to every
 * message from here, so the parse adds no suffix of its own.
 */
static const struct cow_word list_words[] = {
	{ "short",	BENCH_LIST_SHORT },
	{ "long",	BENCH_LIST_LONG },
	{ "man",	BENCH_LIST_MAN },
	{ "md",		BENCH_LIST_MD },
	{ NULL, 0 },
};

static const struct cow_word format_words[] = {
	{ "text",	COW_FMT_TEXT },
	{ "json",	COW_FMT_JSON },
	{ "tsv",	COW_FMT_TSV },
	{ NULL, 0 },
};

/* --list[=FORM]: the scenario patterns follow it, if any (main does). */
static enum main_action list_form(char *err, size_t elen, const char *arg,
				  struct main_opts *mo)
{
	int v = BENCH_LIST_SHORT;

	if (arg && cow_parse_word(list_words, "list", arg, "", &v, err, elen))
		return MAIN_ERROR;
	mo->list = (enum bench_list_form)v;
	return MAIN_LIST;
}

enum main_action bench_parse_options(int argc, char **argv,
				     struct main_opts *mo, char *err,
				     size_t elen)
{
	uint64_t v;
	int c, w;

	if (elen)
		err[0] = '\0';
	/* One line per error, ours: getopt's own message would be a second. */
	opterr = 0;
	/* 0, not 1: glibc then forgets any earlier parse's state too */
	optind = 0;
	mo->o.size = DEFAULT_SIZE;
	mo->o.reps = DEFAULT_REPS;
	mo->o.warmup = DEFAULT_WARMUP;
	mo->node = -1;
	while ((c = getopt_long(argc, argv, "b:c:C:d:e:f:FhlN:o:qr:s:vVw:",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!opt_u64(err, elen, "children", optarg, 1, 4096,
				     &v))
				return MAIN_ERROR;
			mo->o.children = (unsigned)v;
			break;
		case 'C':
			if (cow_parse_cpulist(optarg, &mo->cpuset))
				return cow_errf(err, elen, "--cpu: '%s' is not a CPU list",
						optarg);
			mo->cpus = optarg;
			break;
		case 'd':
			mo->o.dir = optarg;
			break;
		case 'e':
			mo->events = optarg;
			break;
		case 'f':
			if (cow_parse_word(format_words, "format", optarg, "",
					   &w, err, elen))
				return MAIN_ERROR;
			mo->fmt = (enum cow_format)w;
			break;
		case 'b':
			mo->o.backing = optarg;
			break;
		case 'F':
			mo->o.full = true;
			break;
		case 'h':
			return MAIN_HELP;
		case 'l':
			return list_form(err, elen, optarg, mo);
		case 'N':
			if (!opt_u64(err, elen, "node", optarg, 0, 1023, &v))
				return MAIN_ERROR;
			mo->node = (int)v;
			break;
		case 'o':
			mo->out = optarg;
			break;
		case 'q':
			mo->o.quick = true;
			break;
		case 'r':
			if (!opt_u64(err, elen, "reps", optarg, 1, 100000, &v))
				return MAIN_ERROR;
			mo->o.reps = (unsigned)v;
			mo->reps_set = true;
			break;
		case OPT_PRECISION:
			if (!opt_precision(err, elen, optarg, &mo->o.precision))
				return MAIN_ERROR;
			mo->precision_set = true;
			break;
		case OPT_MIN_REPS:
			if (!opt_u64(err, elen, "min-reps", optarg, 2, 100000,
				     &v))
				return MAIN_ERROR;
			mo->o.min_reps = (unsigned)v;
			mo->min_reps_set = true;
			break;
		case OPT_MAX_REPS:
			if (!opt_u64(err, elen, "max-reps", optarg, 2, 100000,
				     &v))
				return MAIN_ERROR;
			mo->o.max_reps = (unsigned)v;
			mo->max_reps_set = true;
			break;
		case OPT_BUDGET:
			if (!opt_u64(err, elen, "budget", optarg, 0,
				     BENCH_TIMEOUT_MAX, &v))
				return MAIN_ERROR;
			mo->o.budget_s = (unsigned)v;
			mo->budget_set = true;
			break;
		case OPT_PASSES:
			if (!opt_u64(err, elen, "passes", optarg, 1,
				     MAX_PASSES, &v))
				return MAIN_ERROR;
			mo->o.passes = (unsigned)v;
			mo->passes_set = true;
			break;
		case OPT_RESTORE:
			return MAIN_RESTORE;
		case OPT_SAMPLE_TIMEOUT:
			if (!opt_u64(err, elen, "sample-timeout", optarg, 1,
				     BENCH_TIMEOUT_MAX, &v))
				return MAIN_ERROR;
			mo->sample_timeout = (unsigned)v;
			break;
		case OPT_ADD_META:
			return add_meta(err, elen, optarg, argc, argv, mo);
		case 's':
			if (cow_parse_size(optarg, &mo->o.size))
				return cow_errf(err, elen, "--size: '%s' is not a size like 4k, 64M or 1G",
						optarg);
			if (mo->o.size < cow_page_size ||
			    mo->o.size % cow_page_size)
				return cow_errf(err, elen, "--size: %s is not a whole number of %zu-byte pages",
					    optarg, cow_page_size);
			mo->o.size_set = true;
			break;
		case 'v':
			mo->o.verbose++;
			break;
		case 'V':
			return MAIN_VERSION;
		case 'w':
			if (!opt_u64(err, elen, "warmup", optarg, 0, 1000, &v))
				return MAIN_ERROR;
			mo->o.warmup = (unsigned)v;
			mo->warmup_set = true;
			break;
		default:
			return cow_errf(err, elen, "unknown option or missing value in '%s'",
				    argv[optind - 1]);
		}
	}
	if (mo->o.quick && mo->o.full)
		return cow_errf(err, elen,
				"--quick and --full exclude each other");
	if (mo->o.quick) {
		if (!mo->reps_set)
			mo->o.reps = QUICK_REPS;
		if (!mo->warmup_set)
			mo->o.warmup = QUICK_WARMUP;
	} else if (mo->o.full) {
		if (!mo->reps_set)
			mo->o.reps = FULL_REPS;
		if (!mo->warmup_set)
			mo->o.warmup = FULL_WARMUP;
	}
	if (!reps_defaults(mo, err, elen))
		return MAIN_ERROR;
	return MAIN_RUN;
}
