// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-parse.c - libFuzzer target for the option value parsers (--size,
 * --reps and friends, --cpu): whatever they accept must mean what it
 * says, checked against a second, naive reading; what they refuse must
 * leave the caller's value alone.  A violated property aborts.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cow.h"
#include "fuzz.h"

/* Digits, then at most one unit letter: the only shape a size may have. */
static bool naive_size(const char *s, uint64_t *out)
{
	unsigned shift = 0;
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (unsigned)(*p - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (p == s)
		return false;
	if (*p) {
		const char *u = strchr("kKmMgGtT", *p);

		if (!u || p[1])
			return false;
		shift = 10 * (unsigned)((u - "kKmMgGtT") / 2 + 1);
	}
	if (shift && v > UINT64_MAX >> shift)
		return false;
	*out = v << shift;
	return true;
}

static void check_size(const char *s)
{
	uint64_t v = 42, naive = 0, back = 0;
	char buf[32];
	bool ok = naive_size(s, &naive);

	if (cow_parse_size(s, &v)) {
		FUZZ_ASSERT(!ok && v == 42);
		return;
	}
	FUZZ_ASSERT(ok && v == naive);
	/* reports print sizes with cow_size_str: they must read back */
	FUZZ_ASSERT(!cow_parse_size(cow_size_str(v, buf, sizeof(buf)), &back));
	FUZZ_ASSERT(back == v);
}

static void check_u64(const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = 42, naive = 0;
	bool ok = min <= max && s[strspn(s, "0123456789")] == '\0' &&
		  naive_size(s, &naive) && naive >= min && naive <= max;

	if (cow_parse_u64(s, min, max, &v)) {
		FUZZ_ASSERT(!ok && v == 42);
		return;
	}
	FUZZ_ASSERT(ok && v == naive);
}

static void check_cpulist(const char *s)
{
	cpu_set_t set, again;
	char list[CPU_SETSIZE * 6], *p = list;
	int cpu;

	CPU_ZERO(&set);
	CPU_SET(1, &set);
	again = set;
	if (cow_parse_cpulist(s, &set)) {
		FUZZ_ASSERT(CPU_EQUAL(&set, &again));
		return;
	}
	/* an accepted list names at least one CPU, and reads back the same */
	FUZZ_ASSERT(CPU_COUNT(&set) > 0);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			p += sprintf(p, "%s%d", p == list ? "" : ",", cpu);
	FUZZ_ASSERT(!cow_parse_cpulist(list, &again));
	FUZZ_ASSERT(CPU_EQUAL(&set, &again));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t min = 0, max = UINT64_MAX;
	char *s;

	/* with 16 bytes or more, the first 16 are --reps-like bounds */
	if (size >= 16) {
		memcpy(&min, data, 8);
		memcpy(&max, data + 8, 8);
	}
	s = fuzz_str(data, size);
	check_size(s);
	check_cpulist(s);
	check_u64(s, 0, UINT64_MAX);
	free(s);
	if (size >= 16) {
		s = fuzz_str(data + 16, size - 16);
		check_u64(s, min, max);
		free(s);
	}
	return 0;
}
