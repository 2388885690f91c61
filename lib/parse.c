// SPDX-License-Identifier: GPL-2.0-only
/*
 * parse.c - option values: sizes with binary units, bounded integers, CPU
 * lists and words from a table, plus the inverse for sizes so reports
 * round-trip.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cow.h"

const char *cow_verdict_name(enum cow_verdict v)
{
	switch (v) {
	case COW_PASS:
		return "pass";
	case COW_SKIP:
		return "skip";
	case COW_FAIL:
		return "fail";
	}
	return "invalid";
}

/*
 * strtoull() skips leading blanks and takes a sign, turning "-1" into
 * ULLONG_MAX; an option value must start with a digit instead.  Base 10
 * so that "010" is not octal.
 */
static int parse_digits(const char *s, unsigned long long *v, char **end)
{
	if (!s || !isdigit((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	*v = strtoull(s, end, 10);
	if (errno == ERANGE)
		return -1;
	return 0;
}

int cow_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "kmgt";
	unsigned long long v;
	unsigned int shift = 0;
	const char *u;
	char *end;

	if (parse_digits(s, &v, &end))
		return -1;
	if (*end) {
		u = strchr(units, tolower((unsigned char)*end));
		if (!u || end[1]) {
			errno = EINVAL;
			return -1;
		}
		shift = 10 * (unsigned int)(u - units + 1);
	}
	if (v > (UINT64_MAX >> shift)) {
		errno = ERANGE;
		return -1;
	}
	*out = (uint64_t)v << shift;
	return 0;
}

int cow_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (min > max) {
		errno = EINVAL;
		return -1;
	}
	if (parse_digits(s, &v, &end))
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int cow_parse_cpulist(const char *s, cpu_set_t *set)
{
	unsigned long long lo, hi;
	const char *p = s;
	cpu_set_t tmp;
	char *end;

	/* Build aside: a bad list must leave the caller's set alone. */
	CPU_ZERO(&tmp);
	for (;;) {
		if (parse_digits(p, &lo, &end))
			return -1;
		hi = lo;
		if (*end == '-' && parse_digits(end + 1, &hi, &end))
			return -1;
		if (hi < lo) {
			errno = EINVAL;
			return -1;
		}
		if (hi >= CPU_SETSIZE) {
			errno = ERANGE;
			return -1;
		}
		for (; lo <= hi; lo++)
			CPU_SET(lo, &tmp);
		if (!*end)
			break;
		if (*end != ',') {
			errno = EINVAL;
			return -1;
		}
		p = end + 1;
	}
	*set = tmp;
	return 0;
}

/* Row i repeats an earlier row's value: an alias, accepted but not listed. */
static bool word_is_alias(const struct cow_word *w, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (w[j].value == w[i].value)
			return true;
	return false;
}

const char *cow_word_list(const struct cow_word *w, char *buf, size_t len)
{
	size_t i, n = 0, k = 0, at = 0;
	int r;

	if (!len)
		return buf;
	buf[0] = '\0';
	/* the count first: only the last word gets " or " */
	for (i = 0; w[i].word; i++)
		n += !word_is_alias(w, i);
	for (i = 0; w[i].word; i++) {
		if (word_is_alias(w, i))
			continue;
		k++;
		r = snprintf(buf + at, len - at, "%s%s",
			     k == 1 ? "" : k == n ? " or " : ", ", w[i].word);
		/* cut short, but still a string: good enough for a message */
		if (r < 0 || (size_t)r >= len - at)
			break;
		at += r;
	}
	return buf;
}

int cow_parse_word(const struct cow_word *w, const char *opt,
		   const char *arg, const char *suffix, int *out, char *err,
		   size_t elen)
{
	char list[256];
	size_t i;

	for (i = 0; w[i].word; i++)
		if (!strcmp(arg, w[i].word)) {
			*out = w[i].value;
			return 0;
		}
	return cow_errf(err, elen, "--%s: '%s' is not %s%s", opt, arg,
			cow_word_list(w, list, sizeof(list)), suffix);
}

char *cow_one_line(char *s)
{
	char *c;

	for (c = s; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	return s;
}

char *cow_unescape_octal(char *s)
{
	char *d = s, *ret = s;

	/* \ooo up to \377: a byte; anything else stays as it is */
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
	return ret;
}

void cow_vdie(const char *prog, const char *suffix, const char *fmt,
	      va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", prog, cow_one_line(msg), suffix);
	exit(COW_EXIT_USAGE);
}

int cow_errf(char *err, size_t elen, const char *fmt, ...)
{
	va_list ap;

	if (!elen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, elen, fmt, ap);
	va_end(ap);
	cow_one_line(err);
	return -1;
}

const char *cow_size_str(uint64_t bytes, char *buf, size_t len)
{
	/* Lower-case k as in "4k", the way page sizes are usually written. */
	static const char units[] = "TGMk";
	unsigned int i, shift;

	for (i = 0; i < sizeof(units) - 1; i++) {
		shift = 40 - 10 * i;
		if (bytes && !(bytes & ((1ull << shift) - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c", bytes >> shift,
				 units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, bytes);
	return buf;
}

const char *cow_size_approx(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "kMGT";
	double v = (double)bytes;
	int i = -1;

	while (i < 3 && v >= 1024) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%" PRIu64, bytes);
	else if (v < 10 && (uint64_t)(v * 10 + 0.5) % 10)
		snprintf(buf, len, "%.1f%c", v, units[i]);
	else
		snprintf(buf, len, "%.0f%c", v, units[i]);
	return buf;
}
