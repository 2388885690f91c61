// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-measure.c - lib/measure.c's rounds: several timed intervals summed
 * into one sample.  The rounds are filled in by hand, as cow_meas_stop()
 * would leave them, so that every expected figure is known exactly and
 * nothing here is timed.
 */
#include <string.h>
#include <unistd.h>

#include "cow.h"
#include "tap.h"

/* A round as cow_meas_stop() leaves it: ns long, n pages, c copied. */
static void fake_round(struct cow_meas *r, uint64_t start, uint64_t ns,
		       int64_t n, int64_t c, bool accounted)
{
	unsigned i;

	r->t_start = start;
	r->t_stop = start + ns;
	r->pages_written = n;
	r->accounted = accounted;
	snprintf(r->acct_reason, sizeof(r->acct_reason), "%s",
		 accounted ? "" : "pagemap: test");
	r->pages_copied = accounted ? c : -1;
	r->pages_required = accounted ? n : -1;
	r->extra_copies = accounted ? 0 : -1;
	r->copies_missing = accounted ? n - c : -1;
	r->faults_minor = n + 1;
	r->faults_major = 0;
	r->kernel_wpcopy = c;
	r->kernel_wpcopy_delay_ns = 10 * c;
	r->kernel_wpcopy_reason[0] = '\0';
	r->test_slowdown_ns = 0;
	for (i = 0; i < COW_VMSTAT_MAX; i++)
		r->vmstat[i] = i ? -1 : n;
	for (i = 0; i < COW_MAX_EVENTS; i++)
		r->events[i] = i ? -1 : 2 * n;
}

static double metric(const struct cow_sample *s, const char *key)
{
	unsigned i;

	for (i = 0; i < s->nmetrics; i++)
		if (!strcmp(s->metrics[i].key, key))
			return s->metrics[i].num;
	return -1;
}

static void test_rounds_sum(void)
{
	struct cow_meas *tot = cow_meas_new(NULL, 0);
	struct cow_meas *r = cow_meas_new(NULL, 0);
	struct cow_sample s;
	unsigned i;

	if (!tap_ok(tot && r, "cow_meas_new"))
		return;
	/* Stale figures of an earlier use must not leak into the sum. */
	tot->faults_minor = 999;
	tot->t_start = 5;
	tot->t_stop = 1000005;
	cow_meas_rounds_begin(tot);
	/* Gaps between the rounds (their set-up) are not in the sum. */
	for (i = 0; i < 3; i++) {
		fake_round(r, 1000000 * (i + 1), 1000 + i, 8, 8, true);
		cow_meas_round_add(tot, r);
	}
	cow_sample_init(&s, "test.rounds");
	cow_meas_to_sample(tot, &s, 24);
	tap_ok(s.ns == 1000 + 1001 + 1002,
	       "ns is the sum of the rounds' intervals, not first start to last stop");
	tap_ok(s.ops == 24, "ops as the workload counts them");
	tap_ok(metric(&s, "rounds") == 3, "the rounds are recorded as a metric");
	tap_ok(s.pages_written == 24 && s.pages_copied == 24 &&
	       s.pages_required == 24 && s.extra_copies == 0 &&
	       s.copies_missing == 0, "copy counts summed over the rounds");
	tap_ok(s.faults_minor == 27 && s.faults_major == 0,
	       "faults summed, the stale figure gone");
	tap_ok(s.kernel_wpcopy == 24 && s.kernel_wpcopy_delay_ns == 240,
	       "wpcopy summed");
	tap_ok(s.vmstat[0] == 24 && s.vmstat[1] == -1,
	       "vmstat summed, an unread key stays unknown");
	tap_ok(s.events[0] == 48 && s.events[1] == -1,
	       "events summed, an unread one stays unknown");
	tap_ok(!s.reason[0], "no reason when every round was counted");

	/* One round without PFNs: the copies are unknown, and say why. */
	cow_meas_rounds_begin(tot);
	fake_round(r, 0, 100, 8, 8, true);
	cow_meas_round_add(tot, r);
	fake_round(r, 0, 100, 8, 8, false);
	cow_meas_round_add(tot, r);
	cow_sample_init(&s, "test.rounds");
	cow_meas_to_sample(tot, &s, 16);
	tap_ok(s.ns == 200 && metric(&s, "rounds") == 2,
	       "begin starts the sum over");
	tap_ok(s.pages_copied == -1 && s.pages_required == -1 &&
	       strstr(s.reason, "pagemap: test"),
	       "a round not counted makes the sum unknown, with its reason");
	tap_ok(s.pages_written == 16, "pages written still summed");

	/* A measurement that is not rounds records none. */
	fake_round(r, 0, 100, 8, 8, true);
	r->rounds = 0;
	cow_sample_init(&s, "test.rounds");
	cow_meas_to_sample(r, &s, 8);
	tap_ok(s.ns == 100 && metric(&s, "rounds") == -1,
	       "a plain measurement: its interval, no rounds metric");
	cow_meas_free(r);
	cow_meas_free(tot);
}

int main(void)
{
	cow_page_size = (size_t)sysconf(_SC_PAGESIZE);
	test_rounds_sum();
	return tap_done();
}
