// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-selfcheck.c - the bookkeeping around the instruments' self-check:
 * a FAIL keeps the evidence of its first reason, an instrument found
 * unreliable is not trusted (nor are the page flags looked up by a PFN
 * that is not), both survive the trip through results.json, and a file
 * whose evidence makes no sense is refused.  As root, the fake KSM flag
 * (6.12's lie) makes the real self-check mark kpageflags_ksm unreliable.
 */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow.h"
#include "tap.h"

static void test_fail_evidence(void)
{
	struct cow_sample s;

	cow_sample_init(&s, "t.fail");
	cow_sample_fail(&s, COW_EV_DATA, "page %d lost", 3);
	tap_ok(s.verdict == COW_FAIL && s.evidence == COW_EV_DATA &&
	       !strcmp(s.reason, "page 3 lost"),
	       "cow_sample_fail: FAIL, its reason and its evidence");
	cow_sample_fail(&s, COW_EV_HARNESS, "later");
	tap_ok(s.evidence == COW_EV_DATA && !strcmp(s.reason, "page 3 lost"),
	       "a second FAIL keeps the first reason and its evidence");

	cow_sample_init(&s, "t.skip");
	cow_sample_verdict(&s, COW_SKIP, "no KSM");
	cow_sample_fail(&s, COW_EV_COUNTS, "still shared");
	tap_ok(s.verdict == COW_FAIL && s.evidence == COW_EV_COUNTS,
	       "a FAIL after a SKIP brings its evidence");

	cow_sample_init(&s, "t.untagged");
	cow_sample_verdict(&s, COW_FAIL, "untagged");
	cow_sample_fail(&s, COW_EV_DATA, "later");
	tap_ok(s.evidence == COW_EV_NONE && !strcmp(s.reason, "untagged"),
	       "a FAIL that did not say keeps no evidence of a later one");

	tap_ok(!cow_evidence_name(COW_EV_NONE) &&
	       !strcmp(cow_evidence_name(COW_EV_DATA), "data") &&
	       !strcmp(cow_evidence_name(COW_EV_COUNTS), "counts") &&
	       !strcmp(cow_evidence_name(COW_EV_INSTRUMENT), "instrument") &&
	       !strcmp(cow_evidence_name(COW_EV_KERNEL_LOG), "kernel_log") &&
	       !strcmp(cow_evidence_name(COW_EV_HARNESS), "harness") &&
	       !cow_evidence_name(COW_EV_N),
	       "evidence names");
}

static void set(enum cow_instr i, enum cow_instr_state st, const char *why)
{
	cow_instruments.c[i].state = st;
	snprintf(cow_instruments.c[i].reason,
		 sizeof(cow_instruments.c[i].reason), "%s", why);
}

static void test_trust(void)
{
	char why[200], buf[160];

	memset(&cow_instruments, 0, sizeof(cow_instruments));
	tap_ok(cow_instr_trusted(COW_INSTR_KPF_KSM, NULL, 0) &&
	       cow_instr_trusted(COW_INSTR_PAGEMAP_PFN, NULL, 0),
	       "not checked (no self-check ran): trusted");

	set(COW_INSTR_KPF_KSM, COW_INSTR_UNRELIABLE,
	    "a fresh anonymous page reads KSM");
	tap_ok(!cow_instr_trusted(COW_INSTR_KPF_KSM, why, sizeof(why)) &&
	       !strcmp(why, "kpageflags_ksm unreliable: a fresh anonymous page reads KSM"),
	       "unreliable: not trusted, the reason names it (%s)", why);
	tap_ok(cow_instr_trusted(COW_INSTR_KPF_THP, NULL, 0),
	       "another flag of the same file is judged on its own");

	set(COW_INSTR_KPF_KSM, COW_INSTR_UNAVAILABLE, "/proc/kpageflags: EPERM");
	tap_ok(cow_instr_trusted(COW_INSTR_KPF_KSM, NULL, 0),
	       "unavailable: left to its readers, which fail to read it");

	set(COW_INSTR_PAGEMAP_PFN, COW_INSTR_UNRELIABLE, "PFNs moved");
	tap_ok(!cow_instr_trusted(COW_INSTR_KPF_THP, why, sizeof(why)) &&
	       !strncmp(why, "pagemap_pfn unreliable", 22),
	       "page flags looked up by an unreliable PFN are not trusted");
	tap_ok(cow_instr_trusted(COW_INSTR_WPCOPY, NULL, 0),
	       "taskstats does not depend on PFNs");

	cow_instr_describe(&cow_instruments.c[COW_INSTR_PAGEMAP_PFN], buf,
			   sizeof(buf));
	tap_ok(!strcmp(buf, "unreliable: PFNs moved"), "describe: %s", buf);
	set(COW_INSTR_VMSTAT, COW_INSTR_OK, "");
	cow_instr_describe(&cow_instruments.c[COW_INSTR_VMSTAT], buf,
			   sizeof(buf));
	tap_ok(!strcmp(buf, "ok"), "describe: ok without a reason");
	set(COW_INSTR_PAGEMAP_SWAP, COW_INSTR_NOT_CHECKED, "no swap area active");
	cow_instr_describe(&cow_instruments.c[COW_INSTR_PAGEMAP_SWAP], buf,
			   sizeof(buf));
	tap_ok(!strcmp(buf, "not checked: no swap area active"), "describe: %s",
	       buf);
}

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	return remove(p);
}

static void test_roundtrip(void)
{
	static struct cow_results r, back;
	const char *tmp = getenv("TMPDIR");
	char dir[256], path[300], err[256];
	struct cow_sample s;
	const char *v;

	snprintf(dir, sizeof(dir), "%s/test-selfcheck.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		tap_skip(4, "mkdtemp failed");
		return;
	}
	cow_instruments.ran = true;
	r.instruments = &cow_instruments;
	cow_sample_init(&s, "ksm.merge");
	cow_sample_fail(&s, COW_EV_COUNTS, "4096 pages still share a PFN");
	cow_results_add(&r, &s);
	cow_sample_init(&s, "ksm.cow");
	cow_results_add(&r, &s);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	tap_ok(!cow_results_write(&r, dir) &&
	       !cow_results_read(path, &back, err, sizeof(err)),
	       "written and read back %s", err);
	tap_ok(back.n == 2 && back.samples[0].evidence == COW_EV_COUNTS &&
	       back.samples[1].evidence == COW_EV_NONE,
	       "a FAIL's evidence read back, none for a pass");
	v = cow_results_meta(&back, "instruments.pagemap_pfn");
	tap_ok(v && !strcmp(v, "unreliable: PFNs moved"),
	       "meta.instruments.pagemap_pfn read back: %s", v ? v : "absent");
	v = cow_results_meta(&back, "instruments.kpageflags_ksm");
	tap_ok(v && !strncmp(v, "unavailable: ", 13),
	       "meta.instruments.kpageflags_ksm read back: %s",
	       v ? v : "absent");
	cow_results_free(&back);
	cow_results_free(&r);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A sample as results.json holds it, with evidence and verdict given. */
static int parse_one(const char *verdict, const char *evidence, char *err,
		     size_t elen)
{
	static struct cow_results r;
	char buf[1024];
	int ret;

	snprintf(buf, sizeof(buf),
		 "{\"meta\":{\"tool_version\":\"t\",\"start\":null,\"end\":null,"
		 "\"command_line\":null,\"partial\":false},\"samples\":[{"
		 "\"scenario\":\"ksm.merge\",\"params\":{},\"rep\":0,\"ns\":1,"
		 "\"ops\":1,\"ns_per_op\":1.0,\"faults_minor\":null,"
		 "\"faults_major\":null,\"pages_written\":null,"
		 "\"pages_copied\":null,\"pages_required\":null,"
		 "\"extra_copies\":null,\"copies_missing\":null,"
		 "\"kernel_wpcopy\":null,\"kernel_wpcopy_delay_ns\":null,"
		 "\"kernel_wpcopy_reason\":\"x\",\"vmstat\":{},\"events\":{},"
		 "\"metrics\":{},\"verdict\":\"%s\",\"reason\":\"r\","
		 "\"evidence\":%s}]}", verdict, evidence);
	memset(&r, 0, sizeof(r));
	ret = cow_results_parse(buf, strlen(buf), "t.json", &r, err, elen);
	cow_results_free(&r);
	return ret;
}

static void test_bad_evidence(void)
{
	char err[256] = "";

	tap_ok(!parse_one("fail", "\"data\"", err, sizeof(err)),
	       "a FAIL with evidence data is read %s", err);
	tap_ok(!parse_one("pass", "null", err, sizeof(err)),
	       "a pass with null evidence is read %s", err);
	tap_ok(parse_one("pass", "\"data\"", err, sizeof(err)) &&
	       strstr(err, "did not fail"),
	       "evidence on a pass is refused: %s", err);
	tap_ok(parse_one("fail", "\"kernel\"", err, sizeof(err)) &&
	       strstr(err, "unknown evidence"),
	       "an unknown evidence is refused: %s", err);
}

/* The real self-check, with the fake KSM flag: as root only (PFNs). */
static void test_fake_ksm(void)
{
	struct cow_selfcheck sc;

	if (!cow_pagemap_pfns_visible(NULL) || access("/proc/kpageflags", R_OK)) {
		tap_skip(2, "needs root (PFNs, /proc/kpageflags)");
		return;
	}
	/* Before the first kpageflags read: the reader looks once. */
	setenv(COW_FAKE_KPF_KSM_ENV, "1", 1);
	cow_selfcheck_run(&sc);
	tap_ok(sc.ran && sc.c[COW_INSTR_KPF_KSM].state == COW_INSTR_UNRELIABLE &&
	       !strcmp(sc.c[COW_INSTR_KPF_KSM].reason,
		       "a fresh anonymous page reads KSM"),
	       "fake KSM flag: kpageflags_ksm unreliable (%s)",
	       sc.c[COW_INSTR_KPF_KSM].reason);
	tap_ok(sc.c[COW_INSTR_PAGEMAP_PFN].state == COW_INSTR_OK,
	       "fake KSM flag: pagemap_pfn still ok");
}

int main(void)
{
	cow_page_size = (size_t)sysconf(_SC_PAGESIZE);
	test_fail_evidence();
	test_trust();
	test_roundtrip();
	test_bad_evidence();
	test_fake_ksm();
	return tap_done();
}
