/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz.h - what the libFuzzer targets share: a property check that
 * aborts (libFuzzer then saves the input), and the input as C strings.
 */
#ifndef COW_FUZZ_H
#define COW_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property violated: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

/* The input as a NUL-terminated string (cut at its first NUL byte). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * argv[0] = prog, then the input split at NUL bytes (each piece an
 * argument, as the kernel hands them to main), NULL-terminated.  The
 * strings live in *buf; free both.
 */
static inline char **fuzz_argv(const char *prog, const uint8_t *data,
			       size_t size, int *argc, char **buf)
{
	size_t i, n = 2;
	char **argv;
	char *s;

	for (i = 0; i < size; i++)
		n += !data[i];
	s = fuzz_str(data, size);
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		abort();
	argv[0] = (char *)prog;
	*argc = 1;
	if (size) {
		argv[(*argc)++] = s;
		for (i = 0; i < size; i++)
			if (!s[i])
				argv[(*argc)++] = s + i + 1;
	}
	argv[*argc] = NULL;
	*buf = s;
	return argv;
}

#endif
