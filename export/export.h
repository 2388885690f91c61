/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * export.h - `cowbench export`, as a library (libexport.a) that needs only
 * lib/: it reads results.json through the same reader as compare and
 * writes them in the format a kernel lab's engine reads (LKP, LAVA, KTAP,
 * KCIDB, mmtests).  The CLI calls it, the fuzz target links it.
 */
#ifndef COW_EXPORT_H
#define COW_EXPORT_H

/* `cowbench export --format FMT RESULTS...`; argv[0] is "export". */
int cow_export_main(int argc, char **argv);

#endif
