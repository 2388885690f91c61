/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compare.h - the comparison of result sets, and their series, as a
 * library (libcompare.a) that needs only lib/: the CLI calls it, the fuzz
 * targets link it.  It reads results.json files and nothing of the
 * workloads, so a run and its comparison meet only in the results
 * directory.
 */
#ifndef COW_COMPARE_H
#define COW_COMPARE_H

/* `cowbench compare BASE OTHER...`; argv[0] is "compare".  An exit status. */
int cow_compare_main(int argc, char **argv);

/*
 * `cowbench series RUN RUN...`; argv[0] is "series".  The runs in their
 * order (nights, kernels) as one table and one chart per metric, the
 * first run where each exact count changed marked.  An exit status.
 */
int cow_series_main(int argc, char **argv);

#endif
