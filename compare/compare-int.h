/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compare-int.h - what `cowbench compare` shares between its files: the runs
 * read, the points (scenario + params) matched across them, and one
 * result per (other run, point, metric).
 *
 * compare.c reads and decides; compare-report.c writes the reports
 * (text, markdown, json, tsv); compare-data.c writes the data the gnuplot
 * templates under plots/ draw.
 */
#ifndef COW_COMPARE_INT_H
#define COW_COMPARE_INT_H

#include <math.h>
#include <string.h>

#include "cow.h"
#include "compare.h"

#define CMP_MAX_RUNS		26	/* letters A..Z in the reports */
#define CMP_KEY_LEN		256

struct cmp_opts {
	enum { CMP_TEXT, CMP_MARKDOWN, CMP_JSON, CMP_TSV } fmt;
	double threshold;	/* relative, 0.05 */
	double alpha;
	enum cow_padjust padj;
	uint64_t seed;
	unsigned nboot;
	const char *ignore[COW_MAX_PARAMS + 1];	/* NULL-terminated */
	const char *data_dir;
	char *labels;		/* --labels, comma separated */
	const char *base;	/* --base RUN[,RUN...] */
	const char *others[CMP_MAX_RUNS];	/* --other RUN[,RUN...] */
	unsigned nothers;
};

struct cmp_run {
	const char *arg;	/* as given */
	char *path;		/* the results.json read (the first pooled) */
	struct cow_results r;	/* pooled: every run's samples, the first's meta */
	char letter;
	char label[64];		/* for charts */
	/* the runs pooled into this side: one unless RUN,RUN... */
	size_t npool;
	char **pool_paths;	/* each results.json */
	char **pool_hosts;	/* each meta.hostname, or its path */
	char **pool_releases;	/* each meta.uname.release, or NULL */
	unsigned *pool_of;	/* per sample of r: its index in pool_paths */
};

/* How a metric is judged. */
enum cmp_kind {
	CMP_TIME,		/* continuous: test, interval, threshold */
	CMP_COUNT,		/* count: exact when constant, else tested */
};

enum cmp_better {
	CMP_BETTER_UNKNOWN,	/* shown, never a regression */
	CMP_BETTER_LOWER,
	CMP_BETTER_HIGHER,
};

/* Where a metric's value is in a sample: an int64 field, or these. */
#define CMP_AT_NS_PER_OP	(-1L)
#define CMP_AT_METRICS		(-2L)	/* the scenario's metrics object */

struct cmp_metric {
	char name[COW_NAME_LEN];	/* as in results.json */
	long at;			/* offsetof an int64 field, or CMP_AT_* */
	char show[COW_NAME_LEN];	/* as in the report, in full */
	enum cmp_kind kind;
	enum cmp_better better;
	bool always;		/* shown even when nothing changed */
};

/* One run's samples of one point. */
struct cmp_side {
	const struct cow_sample **s;
	size_t n, npass;
	enum cow_verdict verdict;	/* worst-case summary; SKIP if none */
	const char *reason;
};

struct cmp_point {
	char key[CMP_KEY_LEN];		/* scenario + sorted params */
	char scenario[COW_NAME_LEN];
	char params[128];		/* for people */
	char label[COW_NAME_LEN + 130];	/* "scenario params" */
	char family[COW_NAME_LEN];	/* scenario up to the first dot */
	char sweep_key[CMP_KEY_LEN];	/* key without the size */
	char sweep_label[COW_NAME_LEN + 130];	/* label without the size */
	double size;			/* NaN without a numeric size */
	struct cmp_side *side;		/* one per run */
	unsigned *metrics;		/* indices into cmp.metrics */
	size_t nmetrics;
};

enum cmp_class {
	CMP_NODATA,		/* a side has no value */
	CMP_SAME,		/* identical on both sides, nothing to test */
	CMP_NS,			/* not significant */
	CMP_DIFF,		/* exact count differs (no test needed) */
	CMP_SIG,		/* significant, not a regression/improvement */
	CMP_IMPROVED,
	CMP_REGRESSED,
};

struct cmp_result {
	size_t point;
	unsigned metric;
	size_t na, nb;
	double med_a, med_b;
	double change;		/* med_b / med_a - 1; NaN when med_a is 0 */
	double lo, hi;		/* 95 % interval of the change */
	double p, q;		/* NaN: no test */
	int shift;		/* +1 other larger, -1 smaller, 0 neither */
	bool exact;		/* exact count comparison (both constant) */
	bool p_exact;		/* Mann-Whitney p from the exact distribution */
	enum cmp_class cls;
};

struct cmp_verdict {
	size_t point;
	enum cow_verdict a, b;
	enum cmp_class cls;	/* REGRESSED: now fails; IMPROVED: fixed */
};

/* Everything one other run is judged by against the base. */
struct cmp_other {
	size_t run;
	struct cmp_result *res;
	size_t nres;
	struct cmp_verdict *ver;
	size_t nver;
	size_t *only_base, *only_other;	/* point indices */
	size_t nonly_base, nonly_other;
	unsigned ntests, nsig_raw, nsig_adj, nregress, nimprove;
	unsigned nfew;		/* tests that could never be significant */
	double few_min_p;	/* the smallest p those could reach */
	/* most ns/op moved one way (compare-meta.c): +1 up, -1 down, 0 not */
	int drift;
	unsigned drift_most, drift_of;
	double drift_median;
};

struct cmp_meta_diff {
	const char *key;
	const char **val;	/* one per run, NULL when absent */
};

struct cmp {
	struct cmp_opts o;
	struct cmp_run *runs;
	size_t nruns;
	struct cmp_point *points;
	size_t npoints;
	struct cmp_metric *metrics;
	size_t nmetrics;
	struct cmp_other *others;	/* nruns - 1 */
	struct cmp_meta_diff *diffs;
	size_t ndiffs;
	char **warnings;
	size_t nwarnings;
	char **cmd_options;		/* per run: its command line's options */
	unsigned nregress;		/* over all others */
};

/* compare.c */
/*
 * Options into o, up to the runs (argv[optind]...); re-runs getopt.  0,
 * 1 for --help, or -1 with a one-line err.
 */
int cmp_parse_options(int argc, char **argv, struct cmp_opts *o, char *err,
		      size_t elen);
/*
 * Everything but the report, on c->runs[] read and c->o set: points,
 * tests, meta differences, warnings.
 */
void cmp_compare(struct cmp *c);
/* All cmp_compare() allocated and the runs (cmp_xcalloc'd); c zeroed. */
void cmp_free(struct cmp *c);
/* The pass samples' values of a metric on one side; returns how many. */
size_t cmp_values(const struct cmp *c, const struct cmp_side *sd,
		  const struct cmp_metric *m, double *out);
const char *cmp_class_mark(enum cmp_class cls);
uint64_t cmp_seed(const struct cmp *c, char who, const struct cmp_point *p,
		  const struct cmp_metric *m);
/*
 * A side's pool: the run read into run->r and run->path is its first;
 * more (read from path) joins it when the two may be pooled: its samples
 * are added, path kept and more freed; else -1 with a one-line err and
 * nothing changed.
 */
void cmp_pool_first(struct cmp_run *run);
int cmp_pool_more(struct cmp_run *run, char *path, struct cow_results *more,
		  char *err, size_t elen);
/*
 * The spread of a pooled side's point between its hosts: each host's
 * median ns/op over its passing samples, into med[] (NaN: none); the
 * number of hosts with one, and their lowest and highest.
 */
size_t cmp_host_medians(const struct cmp *c, size_t run, const struct cmp_side *sd,
			double *med, double *lo, double *hi);
/*
 * The pieces cmp_compare() is made of that `cowbench series` (series.c)
 * shares, so that a series reads, pools, labels and matches runs exactly
 * as compare does: a run of c->runs[] read from its arg (dies on error),
 * the runs' chart labels (--labels or their releases), the points and
 * the metrics each has, and one sample's value of a metric (NaN: none).
 */
void cmp_load_run(struct cmp_run *run);
void cmp_set_labels(struct cmp *c);
void cmp_build_points(struct cmp *c);
double cmp_sample_value(const struct cow_sample *s, const struct cmp_metric *m);
/* The name cmp_die() puts before its message ("cowbench compare"). */
void cmp_set_prog(const char *name);
/* A one-line error naming what is wrong, and exit 2. */
void cmp_die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
void *cmp_xcalloc(size_t n, size_t size);
void *cmp_xrealloc(void *p, size_t n, size_t size);

static inline bool cmp_same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static inline const char *cmp_meta(const struct cmp_run *run, const char *key)
{
	return cow_results_meta(&run->r, key);
}

/* compare-meta.c: what differs between the runs, and the warnings. */
void cmp_meta_diffs(struct cmp *c);
void cmp_warnings(struct cmp *c);

/* compare-report.c */
void cmp_report(FILE *f, const struct cmp *c);

/* compare-data.c: 0, or -1 with a message printed. */
int cmp_write_data(const struct cmp *c, const char *dir);

/* A TSV cell for a number, with its leading tab; NaN where none. */
static inline void cmp_tsv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "\t%.10g", v);
	else
		fputs("\tNaN", f);
}

#endif
