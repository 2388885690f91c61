/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * export-int.h - what the files of `cowbench export` share: the points
 * (scenario + params) pooled over the runs given, each with its verdict
 * and the medians of its figures, and one ops table per format in the
 * way of fio's engines: a name, a line of help, the engine's rules for
 * names, and the hooks that write.
 *
 * export.c reads, pools, names and dispatches; export-<fmt>.c each write
 * one format and know nothing of results.json.
 */
#ifndef COW_EXPORT_INT_H
#define COW_EXPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cow.h"
#include "export.h"

/* The figures every format carries, in this order, then the scenario's. */
enum exp_builtin {
	EXP_NS_PER_OP,
	EXP_PAGES_COPIED,
	EXP_PAGES_REQUIRED,
	EXP_EXTRA_COPIES,
	EXP_COPIES_MISSING,
	EXP_KERNEL_WPCOPY,
	EXP_NBUILTIN,
};

struct exp_value {
	char name[COW_NAME_LEN];	/* as in results.json: "ns_per_op" */
	const char *unit;		/* "ns", "pages", or NULL: none known */
	double v;			/* the median */
};

struct exp_point {
	char key[256];			/* scenario|k=v;... as compare keys */
	char scenario[COW_NAME_LEN];
	/*
	 * The point's name in every format: the scenario, then each param
	 * (sorted by key) as a component of its own, joined by dots, each
	 * component of [A-Za-z0-9_-] only (the set all five engines accept),
	 * unique among the points.  A format may shorten it (LAVA).
	 */
	char name[512];
	enum cow_verdict verdict;	/* FAIL over PASS over SKIP */
	const char *reason;		/* of a sample with that verdict */
	size_t nsamples, npass;
	/* builtins measured first (enum order), then the scenario's */
	struct exp_value *val;
	size_t nval;
};

struct exp_opts {
	const struct exp_format *fmt;
	const char *out;
	const char *origin;
	const char *checkout_id;
	const char *build_id;
};

struct exp_run {
	const char *arg;
	char *path;
	struct cow_results r;
};

struct exp {
	struct exp_opts o;
	struct exp_run *runs;
	size_t nruns;
	struct exp_point *points;
	size_t npoints;
	/* the formats' own: names handed out by exp_unique() */
	char **names;
	size_t nnames;
	/* KCIDB: ids checked and prefixed with the origin */
	char *checkout_id, *build_id;
};

/*
 * One output format.  The hooks write to f and return 0, or -1 with a
 * one-line message in err; begin and end may be NULL.  end returns the
 * exit status on success (ktap's kselftest status), through *status.
 */
struct exp_format {
	const char *name;
	const char *help;	/* one line for --help */
	const char *rules;	/* the engine's rules for names, for --help */
	/* the longest name the engine takes, 0: no limit (exp_unique's max) */
	size_t max_name;
	int (*check)(struct exp *e, char *err, size_t elen);
	int (*begin)(struct exp *e, FILE *f);
	int (*point)(struct exp *e, FILE *f, const struct exp_point *p);
	int (*end)(struct exp *e, FILE *f, int *status);
};

extern const struct exp_format exp_lkp, exp_lava, exp_ktap, exp_kcidb,
	exp_mmtests;

/* export.c: the steps of cow_export_main(), for it and the fuzz target */
/*
 * The runs read into e->runs and e->o set: whether they may be exported
 * (not partial, not empty, poolable, the format's options).  0, or -1
 * with a one-line err.
 */
int exp_check(struct exp *e, char *err, size_t elen);
/* The points, pooled over the runs, named; after exp_check(). */
void exp_build(struct exp *e);
/*
 * Every point in e->o.fmt to f; 0 with the exit status in *status, or -1
 * with a one-line err.  Names are handed out anew for each call.
 */
int exp_write(struct exp *e, FILE *f, int *status, char *err, size_t elen);
/* The names exp_unique() handed out, forgotten. */
void exp_forget_names(struct exp *e);
/* Everything, the runs too; e zeroed. */
void exp_free(struct exp *e);

/* export.c, for the formats */
/*
 * The number as text with no exponent (LKP reads "1e+20" as 1, LAVA
 * and mmtests want decimals): integers as such, else with 9 significant
 * decimals or more, trailing zeros cut.  buf: 400 bytes hold any double.
 */
const char *exp_num(double v, char *buf, size_t len);
/*
 * base, or base shortened to max (0: as is) with a hash of the whole
 * name, made unique among every name this export handed out before by a
 * "-N" suffix.  The result lives as long as e.
 */
const char *exp_unique(struct exp *e, const char *base, size_t max);
/* s as one name component: bytes outside [A-Za-z0-9_-] made '_'. */
void exp_component(char *dst, size_t len, const char *s);
/* A copy of s on one line with '#' and '\' made spaces (TAP, KTAP). */
void exp_text(char *dst, size_t len, const char *s);
/* The value of a meta key of the first run that has it, or NULL. */
const char *exp_meta(const struct exp *e, const char *key);
/* cow_hash_str over every run's hostname, start and tool_version. */
uint64_t exp_runs_hash(const struct exp *e);
/* The point's value of a builtin, or NULL when not measured. */
const struct exp_value *exp_builtin(const struct exp_point *p,
				    enum exp_builtin b);

#endif
