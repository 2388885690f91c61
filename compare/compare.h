/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compare.h - the comparison of result sets, as a library (libcompare.a)
 * that needs only lib/: the CLI calls it, the fuzz targets link it.  It
 * reads results.json files and nothing of the workloads, so a run and
 * its comparison meet only in the results directory.
 */
#ifndef COW_COMPARE_H
#define COW_COMPARE_H

/* `cowbench compare BASE OTHER...`; argv[0] is "compare".  An exit status. */
int cow_compare_main(int argc, char **argv);

#endif
