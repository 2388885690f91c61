/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap.h - just enough TAP for automake's tap-driver.sh.
 *
 * The plan is counted, not kept by hand: tap_done() prints "1..N" for the
 * N tests that ran, at the end, where TAP allows it.  A test that dies
 * before it (a crash, an exit on the way) leaves no plan, which the
 * driver reports as an ERROR rather than a short pass.
 */
#ifndef COW_TAP_H
#define COW_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned tap_n, tap_failed;

static inline void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

__attribute__((format(printf, 2, 3)))
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

/* n planned tests not run here, each a TAP skip with the reason */
static inline void tap_skip(unsigned n, const char *why)
{
	while (n--)
		printf("ok %u # SKIP %s\n", ++tap_n, why);
	fflush(stdout);
}

__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * The plan, once, at the end; main() returns this.  0 if every test
 * passed; a test program that ran no test fails, as it did not do its job.
 */
static inline int tap_done(void)
{
	if (!tap_n)
		tap_ok(0, "the test ran no test");
	printf("1..%u\n", tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
