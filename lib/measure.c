// SPDX-License-Identifier: GPL-2.0-only
/*
 * measure.c - the measured phase: clock, counters and copy accounting.
 *
 * cow_meas_start() does every read it needs first and takes the clock
 * last; cow_meas_stop() takes the clock first.  So the timed region holds
 * the workload's writes and nothing of ours but an ioctl to each counter.
 * The phase marks for the supervisor's time limit come before the first
 * reading and after the last.
 *
 * A phase too short to time well (a few dozen microseconds, where a timer
 * interrupt or a preemption is a large part of the sample) is repeated in
 * rounds within one sample: cow_meas_round_add() sums the rounds' timed
 * intervals and counts into one measurement, so that each round's set-up
 * stays outside the clock and the sample's counts stay exact.
 *
 * After the last reading cow_meas_stop() also times the reference copy
 * (refcopy.c), the machine's own speed beside the sample: ref_copy_ns.
 *
 * A build configured with --enable-test-hooks, and only such a build, also
 * honours COWBENCH_TEST_SLOWDOWN=SCENARIO:NS: a busy-wait of NS per page
 * written, inside the timed region, so that the smallest slowdown compare
 * can see is measured rather than assumed.  Every sample it slowed says so
 * in its metrics (test_slowdown_ns).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cow.h"

#define STACK_PRETOUCH	(64 * 1024)

static size_t round_page(size_t n)
{
	return (n + cow_page_size - 1) & ~(cow_page_size - 1);
}

struct cow_meas *cow_meas_new(const void *addr, size_t len)
{
	size_t npages = addr ? len / cow_page_size : 0;
	size_t hdr = round_page(sizeof(struct cow_meas));
	size_t arr = round_page(npages * sizeof(uint64_t));
	size_t map_len = hdr + 2 * arr + round_page(npages);
	struct cow_meas *m;
	char *p;

	p = cow_shared_alloc(map_len);
	if (!p)
		return NULL;
	m = (struct cow_meas *)p;
	m->map_len = map_len;
	m->addr = addr;
	m->npages = npages;
	m->pm_before = (uint64_t *)(p + hdr);
	m->pm_after = (uint64_t *)(p + hdr + arr);
	m->required = (uint8_t *)(p + hdr + 2 * arr);
	m->pages_written = addr ? (int64_t)npages : -1;
	m->unit_pages = 1;
	m->ts_sock = -1;
	return m;
}

void cow_meas_free(struct cow_meas *m)
{
	if (m)
		cow_shared_free(m, m->map_len);
}

void cow_meas_require_all(struct cow_meas *m)
{
	memset(m->required, 1, m->npages);
}

void cow_meas_require_none(struct cow_meas *m)
{
	memset(m->required, 0, m->npages);
}

void cow_meas_backing(struct cow_meas *m, const struct cow_mem *mem)
{
	m->unit_pages = mem->unit / cow_page_size;
	if (!m->unit_pages)
		m->unit_pages = 1;
	m->zero_apart = cow_backing_is_zero(mem->b);
	m->pages_written = (int64_t)(m->npages / m->unit_pages);
}

static void reset_results(struct cow_meas *m)
{
	unsigned i;

	m->test_slowdown_ns = 0;
	m->faults_minor = m->faults_major = -1;
	m->zero_allocs = -1;
	m->pages_copied = m->pages_required = -1;
	m->extra_copies = m->copies_missing = -1;
	m->kernel_wpcopy = m->kernel_wpcopy_delay_ns = -1;
	m->kernel_wpcopy_reason[0] = '\0';
	m->accounted = false;
	m->acct_reason[0] = '\0';
	for (i = 0; i < COW_VMSTAT_MAX; i++)
		m->vmstat[i] = -1;
	for (i = 0; i < COW_MAX_EVENTS; i++)
		m->events[i] = -1;
	m->nadded = 0;
	m->rounds = 0;
	m->rounds_ns = 0;
	m->ref_ns = 0;
	m->ref_n = 0;
}

/*
 * A child that counts its own copies must not COW a page of its own
 * stack between the two wpcopy reads: fault the stack in beforehand.
 */
static __attribute__((noinline)) void pretouch_stack(void)
{
	volatile char buf[STACK_PRETOUCH];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 512)
		buf[i] = 0;
}

static void wpcopy_begin(struct cow_meas *m)
{
	const char *why = cow_taskstats_probe();
	int err;

	if (!cow_instr_trusted(COW_INSTR_WPCOPY, m->kernel_wpcopy_reason,
			       sizeof(m->kernel_wpcopy_reason)))
		return;
	if (why) {
		snprintf(m->kernel_wpcopy_reason,
			 sizeof(m->kernel_wpcopy_reason), "%s", why);
		return;
	}
	m->ts_sock = cow_taskstats_open();
	if (m->ts_sock < 0) {
		snprintf(m->kernel_wpcopy_reason,
			 sizeof(m->kernel_wpcopy_reason), "taskstats: %s",
			 strerror(-m->ts_sock));
		return;
	}
	/* The first query faults in every buffer the second one uses. */
	cow_taskstats_wpcopy(m->ts_sock, gettid(), &m->wp0);
	err = cow_taskstats_wpcopy(m->ts_sock, gettid(), &m->wp0);
	if (err) {
		snprintf(m->kernel_wpcopy_reason,
			 sizeof(m->kernel_wpcopy_reason), "taskstats: %s",
			 strerror(-err));
		cow_taskstats_close(m->ts_sock);
		m->ts_sock = -1;
	}
}

static void wpcopy_end(struct cow_meas *m)
{
	struct cow_wpcopy wp;
	int err;

	if (m->ts_sock < 0)
		return;
	err = cow_taskstats_wpcopy(m->ts_sock, gettid(), &wp);
	if (err) {
		snprintf(m->kernel_wpcopy_reason,
			 sizeof(m->kernel_wpcopy_reason), "taskstats: %s",
			 strerror(-err));
	} else {
		m->kernel_wpcopy = wp.count - m->wp0.count;
		m->kernel_wpcopy_delay_ns = wp.delay_ns - m->wp0.delay_ns;
	}
	cow_taskstats_close(m->ts_sock);
	m->ts_sock = -1;
}

#ifdef COW_TEST_HOOKS
#include <stdlib.h>

#define TEST_SLOWDOWN_ENV	"COWBENCH_TEST_SLOWDOWN"

/*
 * NS per page written, if COWBENCH_TEST_SLOWDOWN names this scenario
 * ("fork.child-write:500"); 0 otherwise.
 */
static uint64_t test_slowdown_per_op(void)
{
	const char *v = getenv(TEST_SLOWDOWN_ENV), *colon;
	uint64_t ns;

	if (!v || !cow_msg_scenario)
		return 0;
	colon = strrchr(v, ':');
	if (!colon || strlen(cow_msg_scenario) != (size_t)(colon - v) ||
	    strncmp(v, cow_msg_scenario, colon - v) ||
	    cow_parse_u64(colon + 1, 1, 1000000000ull, &ns))
		return 0;
	return ns;
}

/* The busy-wait: the clock read in a loop, as a slower fault would be. */
static void test_slowdown(struct cow_meas *m)
{
	uint64_t per = m->test_slowdown_per, t0, want;

	if (!per || m->pages_written <= 0)
		return;
	want = per * (uint64_t)m->pages_written;
	t0 = cow_now_ns();
	while (cow_now_ns() - t0 < want)
		;
	m->test_slowdown_ns = (int64_t)want;
}
#endif

void cow_meas_start(struct cow_meas *m)
{
	struct rusage ru;
	const char *why;
	int err;

	/* Before anything of the measurement, let alone the clock. */
	cow_phase_mark(COW_PHASE_MEASURED);
	reset_results(m);
	pretouch_stack();
#ifdef COW_TEST_HOOKS
	/* Read here, before the clock: the timed region only busy-waits. */
	m->test_slowdown_per = test_slowdown_per_op();
#endif
	if (!m->npages)
		snprintf(m->acct_reason, sizeof(m->acct_reason),
			 "no range tracked");
	/* A PFN that moves by itself would count as a copy. */
	else if (!cow_instr_trusted(COW_INSTR_PAGEMAP_PFN, m->acct_reason,
				    sizeof(m->acct_reason)))
		m->accounted = false;
	else if (!cow_pagemap_pfns_visible(&why))
		snprintf(m->acct_reason, sizeof(m->acct_reason), "%s", why);
	else if ((err = cow_pagemap_read(m->addr, m->npages, m->pm_before)))
		snprintf(m->acct_reason, sizeof(m->acct_reason),
			 "pagemap: %s", strerror(-err));
	else
		m->accounted = true;
	cow_events_open(&m->ev);
	wpcopy_begin(m);
	/* Last before the clock: the netlink setup above is not counted. */
	cow_vmstat_read(m->vm0);
	getrusage(RUSAGE_THREAD, &ru);
	m->ru_minflt0 = ru.ru_minflt;
	m->ru_majflt0 = ru.ru_majflt;
	cow_events_enable(&m->ev);
	m->t_start = cow_now_ns();
}

/* Whether pfn is the zero page or a page of the huge zero page. */
static int zero_pfn(uint64_t pfn, bool *zero)
{
	uint64_t fl;
	int err = cow_kpageflags(pfn, &fl);

	*zero = !err && (fl & (1ull << COW_KPF_ZERO_PAGE));
	return err;
}

static void account_copies(struct cow_meas *m)
{
	int64_t copied = 0, req = 0, extra = 0, missing = 0, zallocs = 0;
	size_t i, step = m->unit_pages ? m->unit_pages : 1;
	int err;

	err = cow_pagemap_read(m->addr, m->npages, m->pm_after);
	if (err) {
		snprintf(m->acct_reason, sizeof(m->acct_reason),
			 "pagemap: %s", strerror(-err));
		m->accounted = false;
		return;
	}
	/* A hugetlb page is one unit: its first page's PFN says it all. */
	for (i = 0; i < m->npages; i += step) {
		uint64_t a = cow_pm_pfn(m->pm_before[i]);
		uint64_t b = cow_pm_pfn(m->pm_after[i]);
		bool changed, zero = false;

		if (!a || !b) {
			snprintf(m->acct_reason, sizeof(m->acct_reason),
				 "page %zu not present %s the writes", i,
				 a ? "after" : "before");
			m->accounted = false;
			return;
		}
		changed = a != b;
		if (m->zero_apart && (err = zero_pfn(a, &zero))) {
			snprintf(m->acct_reason, sizeof(m->acct_reason),
				 "kpageflags: %s", strerror(-err));
			m->accounted = false;
			return;
		}
		/*
		 * A written zero page must get a page of its own: that is an
		 * allocation, required of every write, never a data copy.
		 */
		if (zero) {
			zallocs += changed;
			missing += !changed && m->required[i];
			continue;
		}
		copied += changed;
		req += m->required[i];
		extra += changed && !m->required[i];
		missing += !changed && m->required[i];
	}
	m->pages_copied = copied;
	m->pages_required = req;
	m->extra_copies = extra;
	m->copies_missing = missing;
	if (m->zero_apart)
		m->zero_allocs = zallocs;
}

void cow_meas_stop(struct cow_meas *m)
{
	int64_t vm1[COW_VMSTAT_MAX];
	struct rusage ru;
	unsigned i;
	int mi;

#ifdef COW_TEST_HOOKS
	test_slowdown(m);
#endif
	m->t_stop = cow_now_ns();
	cow_events_disable(&m->ev);
	getrusage(RUSAGE_THREAD, &ru);
	cow_vmstat_read(vm1);
	wpcopy_end(m);
	for (i = 0; i < cow_vmstat_nkeys; i++)
		m->vmstat[i] = (vm1[i] < 0 || m->vm0[i] < 0) ? -1 :
			       vm1[i] - m->vm0[i];
	if (m->accounted)
		account_copies(m);
	cow_events_read_close(&m->ev, m->events);

	/* perf counts include inherited children; rusage is the fallback. */
	mi = cow_event_index("minor-faults");
	m->faults_minor = mi >= 0 && m->events[mi] >= 0 ? m->events[mi] :
			  ru.ru_minflt - m->ru_minflt0;
	mi = cow_event_index("major-faults");
	m->faults_major = mi >= 0 && m->events[mi] >= 0 ? m->events[mi] :
			  ru.ru_majflt - m->ru_majflt0;
	/* After every reading: the mark's write is in none of them. */
	cow_phase_mark(COW_PHASE_CHECKS);
	/* The machine's speed at the phase's end, in the checks' time. */
	m->ref_ns = cow_ref_after_phase();
	m->ref_n = isfinite(m->ref_ns) ? 1 : 0;
	if (!m->ref_n)
		m->ref_ns = 0;
}

/* m's reference: the mean over its phases and o's. */
static void sum_ref(struct cow_meas *m, const struct cow_meas *o, bool first)
{
	if (first) {
		m->ref_ns = o->ref_ns;
		m->ref_n = o->ref_n;
	} else if (o->ref_n) {
		m->ref_ns = (m->ref_ns * m->ref_n + o->ref_ns * o->ref_n) /
			    (m->ref_n + o->ref_n);
		m->ref_n += o->ref_n;
	}
}

static void add_count(int64_t *dst, int64_t src, bool first)
{
	if (first)
		*dst = src;
	else if (*dst < 0 || src < 0)
		*dst = -1;
	else
		*dst += src;
}

/* Copy counts of o into m's: set by the first, added to by the rest. */
static void sum_copies(struct cow_meas *m, const struct cow_meas *o,
		       bool first)
{
	add_count(&m->pages_written, o->pages_written, first);
	add_count(&m->pages_copied, o->pages_copied, first);
	add_count(&m->pages_required, o->pages_required, first);
	add_count(&m->extra_copies, o->extra_copies, first);
	add_count(&m->copies_missing, o->copies_missing, first);
	if (m->zero_apart)
		add_count(&m->zero_allocs, o->zero_allocs, first);
}

/* Faults, events and the kernel's wpcopy of o into m's (first_wp: its). */
static void sum_faults(struct cow_meas *m, const struct cow_meas *o,
		       bool first, bool first_wp)
{
	unsigned i;

	m->test_slowdown_ns += o->test_slowdown_ns;
	sum_ref(m, o, first);
	add_count(&m->faults_minor, o->faults_minor, first);
	add_count(&m->faults_major, o->faults_major, first);
	if (o->kernel_wpcopy < 0 && !m->kernel_wpcopy_reason[0])
		memcpy(m->kernel_wpcopy_reason, o->kernel_wpcopy_reason,
		       sizeof(m->kernel_wpcopy_reason));
	add_count(&m->kernel_wpcopy, o->kernel_wpcopy, first_wp);
	add_count(&m->kernel_wpcopy_delay_ns, o->kernel_wpcopy_delay_ns,
		  first_wp);
	for (i = 0; i < COW_MAX_EVENTS; i++)
		add_count(&m->events[i], o->events[i], first);
}

void cow_meas_add(struct cow_meas *m, const struct cow_meas *o)
{
	/* An untracked parent takes its copy counts from its children only. */
	bool first = m->nadded++ == 0;
	bool first_acct = first && !m->npages;

	if (first_acct) {
		m->accounted = o->accounted;
		m->zero_apart = o->zero_apart;
		sum_copies(m, o, true);
		m->zero_allocs = o->zero_allocs;
		memcpy(m->acct_reason, o->acct_reason, sizeof(m->acct_reason));
	} else {
		if (!o->accounted && m->accounted) {
			m->accounted = false;
			memcpy(m->acct_reason, o->acct_reason,
			       sizeof(m->acct_reason));
		}
		sum_copies(m, o, false);
	}
	/* Faults add to m's own; the wpcopy count is the added ones' alone. */
	sum_faults(m, o, false, first);
}

void cow_meas_rounds_begin(struct cow_meas *m)
{
	reset_results(m);
}

void cow_meas_round_add(struct cow_meas *m, const struct cow_meas *o)
{
	/* The first round sets every figure, later ones add to it. */
	bool first = m->rounds++ == 0;
	unsigned i;

	m->rounds_ns += o->t_stop - o->t_start;
	if (first) {
		m->accounted = o->accounted;
		m->zero_apart = o->zero_apart;
		memcpy(m->acct_reason, o->acct_reason, sizeof(m->acct_reason));
	} else if (!o->accounted && m->accounted) {
		m->accounted = false;
		memcpy(m->acct_reason, o->acct_reason, sizeof(m->acct_reason));
	}
	sum_copies(m, o, first);
	sum_faults(m, o, first, first);
	for (i = 0; i < COW_VMSTAT_MAX; i++)
		add_count(&m->vmstat[i], o->vmstat[i], first);
}

void cow_meas_to_sample(const struct cow_meas *m, struct cow_sample *s,
			uint64_t ops)
{
	unsigned i;

	s->ns = m->rounds ? m->rounds_ns : m->t_stop - m->t_start;
	s->ops = ops;
	/* What ops counts: every round's operations, over this many rounds. */
	if (m->rounds)
		cow_sample_metric(s, "rounds", (double)m->rounds);
	s->faults_minor = m->faults_minor;
	s->faults_major = m->faults_major;
	s->pages_written = m->pages_written;
	if (m->accounted) {
		s->pages_copied = m->pages_copied;
		s->pages_required = m->pages_required;
		s->extra_copies = m->extra_copies;
		s->copies_missing = m->copies_missing;
		/* Apart from the copies: see account_copies(). */
		if (m->zero_apart && m->zero_allocs >= 0)
			cow_sample_metric(s, "zero_allocs",
					  (double)m->zero_allocs);
	} else if (m->npages || m->nadded || m->rounds) {
		/* The count is unknown, not zero: say why once. */
		if (!s->reason[0])
			snprintf(s->reason, sizeof(s->reason),
				 "copies not counted: %s", m->acct_reason);
	}
	if (m->ref_n)
		cow_sample_metric(s, COW_REF_METRIC, m->ref_ns);
	/* A slowed sample is never mistaken for a real one. */
	if (m->test_slowdown_ns)
		cow_sample_metric(s, "test_slowdown_ns",
				  (double)m->test_slowdown_ns);
	s->kernel_wpcopy = m->kernel_wpcopy;
	s->kernel_wpcopy_delay_ns = m->kernel_wpcopy_delay_ns;
	snprintf(s->kernel_wpcopy_reason, sizeof(s->kernel_wpcopy_reason),
		 "%s", m->kernel_wpcopy < 0 ? m->kernel_wpcopy_reason : "");
	for (i = 0; i < COW_VMSTAT_MAX; i++)
		s->vmstat[i] = m->vmstat[i];
	for (i = 0; i < COW_MAX_EVENTS; i++)
		s->events[i] = m->events[i];
}
