// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-parse.c - option value parsing: sizes, bounded integers, CPU lists,
 * option words from a table, size formatting and verdict names.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cow.h"
#include "tap.h"

/* strerrorname_np() is too new to rely on; these are all the tests expect. */
static const char *ename(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EINVAL:
		return "EINVAL";
	case ERANGE:
		return "ERANGE";
	}
	return "other";
}

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 12345;
	int r;

	errno = 0;
	r = cow_parse_size(s, &v);
	tap_ok(r == 0 && v == want, "size \"%s\" = %" PRIu64 " (got %d, %" PRIu64 ")",
	       s, want, r, v);
}

static void size_bad(const char *s, int want_errno)
{
	uint64_t v = 12345;
	int r;

	errno = 0;
	r = cow_parse_size(s, &v);
	tap_ok(r == -1 && errno == want_errno && v == 12345,
	       "size \"%s\" rejected with %s (got %d, %s)", s,
	       ename(want_errno), r, ename(errno));
}

static void u64_check(const char *s, uint64_t min, uint64_t max,
		      int want_errno, uint64_t want)
{
	uint64_t v = 777;
	int r;

	errno = 0;
	r = cow_parse_u64(s, min, max, &v);
	if (want_errno)
		tap_ok(r == -1 && errno == want_errno && v == 777,
		       "u64 \"%s\" in [%" PRIu64 ", %" PRIu64 "] fails with %s",
		       s, min, max, ename(want_errno));
	else
		tap_ok(r == 0 && v == want,
		       "u64 \"%s\" in [%" PRIu64 ", %" PRIu64 "] = %" PRIu64,
		       s, min, max, want);
}

/* cpus: the expected set, one '0' or '1' per CPU from CPU 0 on. */
static void cpulist_ok(const char *s, const char *cpus)
{
	size_t i, n = strlen(cpus);
	int same, ones = 0;
	cpu_set_t set;

	/* Start full: the parser must clear what the list does not name. */
	memset(&set, 0xff, sizeof(set));
	same = cow_parse_cpulist(s, &set) == 0;
	for (i = 0; i < n; i++) {
		ones += cpus[i] == '1';
		if (!!CPU_ISSET(i, &set) != (cpus[i] == '1'))
			same = 0;
	}
	tap_ok(same && CPU_COUNT(&set) == ones, "cpulist \"%s\" is %s", s, cpus);
}

static void cpulist_bad(const char *s, int want_errno)
{
	cpu_set_t set;
	int r;

	CPU_ZERO(&set);
	CPU_SET(5, &set);
	errno = 0;
	r = cow_parse_cpulist(s, &set);
	tap_ok(r == -1 && errno == want_errno && CPU_COUNT(&set) == 1 &&
	       CPU_ISSET(5, &set),
	       "cpulist \"%s\" rejected with %s, set untouched", s,
	       ename(want_errno));
}

static void size_str(uint64_t v, const char *want)
{
	char buf[32];
	uint64_t back = ~0ull;
	const char *got = cow_size_str(v, buf, sizeof(buf));

	tap_ok(got == buf && !strcmp(buf, want) &&
	       cow_parse_size(buf, &back) == 0 && back == v,
	       "size_str(%" PRIu64 ") = \"%s\" (got \"%s\") and parses back",
	       v, want, buf);
}

/* Shaped as compare's --format: an alias after the word it stands for. */
enum { W_TEXT = 1, W_MARKDOWN, W_JSON, W_TSV };
static const struct cow_word fmt_words[] = {
	{ "text",	W_TEXT },
	{ "markdown",	W_MARKDOWN },
	{ "md",		W_MARKDOWN },
	{ "json",	W_JSON },
	{ "tsv",	W_TSV },
	{ NULL, 0 },
};

static void word_ok(const char *arg, int want)
{
	char err[128] = "untouched";
	int v = -7, r;

	r = cow_parse_word(fmt_words, "format", arg, " (try --help)", &v, err,
			   sizeof(err));
	tap_ok(r == 0 && v == want && !strcmp(err, "untouched"),
	       "word \"%s\" = %d (got %d, %d, err \"%s\")", arg, want, r, v,
	       err);
}

static void word_bad(const struct cow_word *w, const char *arg,
		     const char *suffix, const char *want)
{
	char err[128] = "";
	int v = -7, r;

	r = cow_parse_word(w, "format", arg, suffix, &v, err, sizeof(err));
	/* not arg itself in the line: a newline in it would break the TAP */
	tap_ok(r == -1 && v == -7 && !strcmp(err, want),
	       "word refused: \"%s\" (got %d, %d, \"%s\")", want, r, v, err);
}

static void word_list(const struct cow_word *w, size_t len, const char *want)
{
	char buf[64];
	const char *got = cow_word_list(w, buf, len);

	tap_ok(got == buf && !strcmp(buf, want), "word list \"%s\" (got \"%s\")",
	       want, buf);
}

static void words(void)
{
	static const struct cow_word one[] = { { "only", 3 }, { NULL, 0 } };
	static const struct cow_word two[] = {
		{ "bh", 0 }, { "holm", 1 }, { NULL, 0 },
	};

	word_ok("text", W_TEXT);
	word_ok("tsv", W_TSV);
	word_ok("markdown", W_MARKDOWN);
	word_ok("md", W_MARKDOWN);
	word_bad(fmt_words, "xml", " (try --help)",
		 "--format: 'xml' is not text, markdown, json or tsv (try --help)");
	word_bad(fmt_words, "", " (try --help)",
		 "--format: '' is not text, markdown, json or tsv (try --help)");
	/* exact words only: no case folding, no prefixes */
	word_bad(fmt_words, "Text", "",
		 "--format: 'Text' is not text, markdown, json or tsv");
	word_bad(fmt_words, "mark", "",
		 "--format: 'mark' is not text, markdown, json or tsv");
	/* an argument's newline must not split the message */
	word_bad(fmt_words, "a\nb", "",
		 "--format: 'a?b' is not text, markdown, json or tsv");
	word_bad(one, "x", "", "--format: 'x' is not only");

	word_list(two, 64, "bh or holm");
	word_list(fmt_words, 64, "text, markdown, json or tsv");
	word_list(fmt_words, 8, "text, m");
	{
		char buf[1] = "?";

		tap_ok(cow_word_list(fmt_words, buf, 0) == buf && buf[0] == '?',
		       "word list into no room writes nothing");
	}
}

int main(void)
{
	char buf[8];

	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("4k", 4096);
	size_ok("4K", 4096);
	size_ok("64M", 67108864);
	size_ok("1G", 1073741824);
	size_ok("2T", 2ull << 40);
	size_ok("16777215T", 16777215ull << 40);
	size_ok("18446744073709551615", UINT64_MAX);
	size_bad("", EINVAL);
	size_bad("-1", EINVAL);
	size_bad("+1", EINVAL);
	size_bad("12x", EINVAL);
	size_bad("64MM", EINVAL);
	size_bad("64MiB", EINVAL);
	size_bad(" 5", EINVAL);
	size_bad("5 ", EINVAL);
	size_bad("k", EINVAL);
	size_bad("99999999999999999999", ERANGE);
	size_bad("20000000T", ERANGE);
	size_bad("16777216T", ERANGE);
	errno = 0;
	tap_ok(cow_parse_size(NULL, &(uint64_t){0}) == -1 && errno == EINVAL,
	       "size NULL rejected");

	u64_check("0", 0, 10, 0, 0);
	u64_check("10", 0, 10, 0, 10);
	u64_check("11", 0, 10, ERANGE, 0);
	u64_check("0", 1, 10, ERANGE, 0);
	u64_check("18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX);
	u64_check("18446744073709551616", 0, UINT64_MAX, ERANGE, 0);
	u64_check("007", 0, 10, 0, 7);
	u64_check("4k", 0, UINT64_MAX, EINVAL, 0);
	u64_check("-3", 0, UINT64_MAX, EINVAL, 0);
	u64_check("", 0, UINT64_MAX, EINVAL, 0);
	u64_check("5", 6, 5, EINVAL, 0);

	cpulist_ok("0", "1000");
	cpulist_ok("3", "0001");
	cpulist_ok("0-3,6,8-9", "1111001011000");
	cpulist_ok("2-2,1", "0110");
	cpulist_bad("3-1", EINVAL);
	cpulist_bad("", EINVAL);
	cpulist_bad("1,,2", EINVAL);
	cpulist_bad("1,", EINVAL);
	cpulist_bad(",1", EINVAL);
	cpulist_bad("1-", EINVAL);
	cpulist_bad("a", EINVAL);
	cpulist_bad("1;2", EINVAL);
	cpulist_bad("-1", EINVAL);
	cpulist_bad("1024", ERANGE);
	cpulist_bad("0-1024", ERANGE);

	words();

	size_str(67108864, "64M");
	size_str(4096, "4k");
	size_str(1073741824, "1G");
	size_str(3ull << 40, "3T");
	size_str(1024ull << 40, "1024T");
	size_str(1000, "1000");
	size_str(1536, "1536");
	size_str(1536 << 10, "1536k");
	size_str(0, "0");
	tap_ok(!strcmp(cow_size_str(1ull << 40, buf, 3), "1T"),
	       "size_str fits a 3-byte buffer");

	tap_ok(!strcmp(cow_verdict_name(COW_PASS), "pass"), "verdict pass");
	tap_ok(!strcmp(cow_verdict_name(COW_SKIP), "skip"), "verdict skip");
	tap_ok(!strcmp(cow_verdict_name(COW_FAIL), "fail"), "verdict fail");

	{
		char sw[] = "/var/tmp/my\\040swap\\134x\\777\\04";

		tap_ok(!strcmp(cow_unescape_octal(sw),
			       "/var/tmp/my swap\\x\\777\\04"),
		       "unescape_octal: \\040, \\134; \\777 and a cut escape stay");
	}

	return tap_done();
}
