// SPDX-License-Identifier: GPL-2.0-only
/*
 * meta.c - what a results.json needs to be interpreted later: the machine,
 * the kernel, and every THP/mTHP/KSM/swap/delayacct setting at the start.
 *
 * Call cow_results_collect_meta() after cow_events_init() and before any
 * knob is changed: the knobs recorded are the machine's own.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cow.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define KSM_DIR		"/sys/kernel/mm/ksm"

/* In results.c, which owns the meta object; see there. */

/* The first line of a small file, trailing whitespace dropped. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strlen(buf);
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *jstr_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/*
 * argv joined with spaces; words the shell would split or expand are
 * single-quoted so the line can be pasted back to rerun the same thing.
 */
static char *join_argv(int argc, char **argv)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%";
	size_t len = 1;
	char *s, *p;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = p = malloc(len);
	if (!s)
		return NULL;
	*p = '\0';
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (i)
			*p++ = ' ';
		if (*a && strspn(a, plain) == strlen(a)) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *a;
		}
		*p++ = '\'';
		*p = '\0';
	}
	return s;
}

/* "model name" on x86; other architectures name the CPU differently. */
static struct json_object *cpu_model(void)
{
	static const char *const keys[] = { "model name", "cpu model", "cpu" };
	struct json_object *o = NULL;
	unsigned best = COW_ARRAY_SIZE(keys);
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *line = NULL, *colon, *v;
	size_t cap = 0, klen;
	unsigned i;

	if (!f)
		return NULL;
	while (best && getline(&line, &cap, f) > 0) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		klen = colon - line;
		while (klen && isspace((unsigned char)line[klen - 1]))
			klen--;
		for (i = 0; i < best; i++) {
			if (strlen(keys[i]) != klen || strncmp(line, keys[i], klen))
				continue;
			v = colon + 1 + strspn(colon + 1, " \t");
			v[strcspn(v, "\n")] = '\0';
			json_object_put(o);
			o = json_object_new_string(v);
			best = i;
			break;
		}
	}
	free(line);
	fclose(f);
	return o;
}

/* Absent files are left out: the kernel does not have that knob. */
static void add_knob(struct json_object *knobs, const char *key,
		     const char *path)
{
	char buf[256];

	if (access(path, R_OK))
		return;
	if (cow_knob_read(path, buf, sizeof(buf)) < 0)
		return;
	add(knobs, key, json_object_new_string(buf));
}

/* By size (cow_thp_sizes sorts): 2048kB after 1024kB, 16kB first. */
static void add_mthp(struct json_object *knobs)
{
	size_t sizes[COW_THP_SIZES_MAX];
	char path[512], key[64];
	unsigned i, n = cow_thp_sizes(sizes, COW_THP_SIZES_MAX);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%zukB/enabled",
			 sizes[i] >> 10);
		snprintf(key, sizeof(key), "mthp.%zukB.enabled", sizes[i] >> 10);
		add_knob(knobs, key, path);
	}
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * Every readable regular file in the KSM directory: the tunables and the
 * counters both say something about the state the run started in.
 */
static void add_ksm(struct json_object *knobs)
{
	struct dirent **de;
	char path[512], key[300];
	struct stat st;
	int i, n;

	n = scandir(KSM_DIR, &de, not_dot, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), KSM_DIR "/%s", de[i]->d_name);
		snprintf(key, sizeof(key), "ksm.%s", de[i]->d_name);
		if (!stat(path, &st) && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0444))
			add_knob(knobs, key, path);
		free(de[i]);
	}
	if (n >= 0)
		free(de);
}

static void add_swaps(struct json_object *knobs)
{
	FILE *f = fopen("/proc/swaps", "re");
	struct json_object *arr, *o;
	char *line = NULL, name[4096], type[32];
	long long size, used;
	size_t cap = 0;
	int prio;

	if (!f)
		return;
	arr = json_object_new_array();
	/* the first line is the header */
	if (getline(&line, &cap, f) > 0) {
		while (getline(&line, &cap, f) > 0) {
			if (sscanf(line, "%4095s %31s %lld %lld %d", name, type,
				   &size, &used, &prio) != 5)
				continue;
			cow_unescape_octal(name);
			o = json_object_new_object();
			add(o, "filename", json_object_new_string(name));
			add(o, "type", json_object_new_string(type));
			add(o, "size_kb", json_object_new_int64(size));
			add(o, "priority", json_object_new_int(prio));
			json_object_array_add(arr, o);
		}
	}
	free(line);
	fclose(f);
	add(knobs, "swap", arr);
}

static struct json_object *knobs_json(void)
{
	static const struct {
		const char *key, *path;
	} fixed[] = {
		{ "thp.enabled",		THP_DIR "/enabled" },
		{ "thp.defrag",			THP_DIR "/defrag" },
		{ "thp.shmem_enabled",		THP_DIR "/shmem_enabled" },
		{ "thp.use_zero_page",		THP_DIR "/use_zero_page" },
		{ "thp.khugepaged.defrag",	THP_DIR "/khugepaged/defrag" },
		{ "thp.khugepaged.pages_to_scan", THP_DIR "/khugepaged/pages_to_scan" },
	}, sysctls[] = {
		{ "kernel.task_delayacct",	"/proc/sys/kernel/task_delayacct" },
		{ "vm.swappiness",		"/proc/sys/vm/swappiness" },
		{ "vm.overcommit_memory",	"/proc/sys/vm/overcommit_memory" },
		{ "kernel.randomize_va_space",	"/proc/sys/kernel/randomize_va_space" },
	};
	struct json_object *knobs = json_object_new_object();
	unsigned i;

	for (i = 0; i < COW_ARRAY_SIZE(fixed); i++)
		add_knob(knobs, fixed[i].key, fixed[i].path);
	add_mthp(knobs);
	add_ksm(knobs);
	for (i = 0; i < COW_ARRAY_SIZE(sysctls); i++)
		add_knob(knobs, sysctls[i].key, sysctls[i].path);
	add_swaps(knobs);
	return knobs;
}

static struct json_object *events_json(void)
{
	struct json_object *arr = json_object_new_array();
	unsigned i, n = cow_events_count();

	for (i = 0; i < n; i++) {
		const struct cow_event_info *e = cow_event_info(i);
		struct json_object *o = json_object_new_object();

		add(o, "name", json_object_new_string(e->name));
		add(o, "available",
				       json_object_new_boolean(e->available));
		add(o, "reason", e->available || !e->reason[0] ?
				       NULL : json_object_new_string(e->reason));
		json_object_array_add(arr, o);
	}
	return arr;
}

void cow_results_collect_meta(struct cow_results *r, int argc, char **argv)
{
	struct json_object *m = json_object_new_object(), *u, *knobs;
	const char *s;
	char buf[4096];
	struct utsname un;
	struct tm tm;
	time_t now = time(NULL);
	long v;

	free(r->command_line);
	r->command_line = join_argv(argc, argv);
	gmtime_r(&now, &tm);
	strftime(r->start, sizeof(r->start), "%Y-%m-%dT%H:%M:%SZ", &tm);

	add(m, "tool_version",
			       json_object_new_string(PACKAGE_VERSION));
	add(m, "command_line", jstr_or_null(r->command_line));
	add(m, "start", json_object_new_string(r->start));
	add(m, "end", NULL);
	add(m, "partial", json_object_new_boolean(r->partial));
	/* what "ns" in every sample was measured with */
	add(m, "timer", json_object_new_string("CLOCK_MONOTONIC"));
	/* vmstat deltas count the whole machine, not the measured task. */
	add(m, "vmstat_scope", json_object_new_string("system-wide"));

	u = json_object_new_object();
	if (!uname(&un)) {
		add(u, "sysname", json_object_new_string(un.sysname));
		add(u, "release", json_object_new_string(un.release));
		add(u, "version", json_object_new_string(un.version));
		add(u, "machine", json_object_new_string(un.machine));
	}
	add(m, "uname", u);
	if (gethostname(buf, sizeof(buf)))
		buf[0] = '\0';
	buf[sizeof(buf) - 1] = '\0';
	add(m, "hostname", json_object_new_string(buf));
	add(m, "kernel_cmdline",
			       read_line("/proc/cmdline", buf, sizeof(buf)) ?
			       NULL : json_object_new_string(buf));
	add(m, "cpu_model", cpu_model());
	add(m, "nr_cpus",
			       json_object_new_int64(sysconf(_SC_NPROCESSORS_ONLN)));
	add(m, "numa_nodes",
			       json_object_new_int(cow_numa_nodes()));
	add(m, "page_size",
			       json_object_new_int64(sysconf(_SC_PAGESIZE)));
	v = read_line(THP_DIR "/hpage_pmd_size", buf, sizeof(buf)) ? -1 :
	    strtol(buf, NULL, 10);
	add(m, "thp_pmd_size",
			       v > 0 ? json_object_new_int64(v) : NULL);

	knobs = knobs_json();
	add(m, "knobs", knobs);
	/*
	 * The text form too, for C callers comparing runs; left empty rather
	 * than cut when it does not fit, as cut JSON is no JSON.
	 */
	s = json_object_to_json_string_ext(knobs, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	r->knobs_json[0] = '\0';
	if (s && strlen(s) < sizeof(r->knobs_json))
		strcpy(r->knobs_json, s);
	add(m, "events", events_json());

	cow_results_meta_set(r, m);
}
