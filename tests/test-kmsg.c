// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-kmsg.c - the /dev/kmsg record parser and what counts as a kernel
 * warning, fed crafted records: facilities, dictionary lines, truncated
 * and malformed records, long lines.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cow.h"
#include "tap.h"

/* match() on a NUL-terminated record; line gets the matched message. */
static bool match(const char *rec, bool any, char *line, size_t llen)
{
	return cow_kmsg_record_match(rec, strlen(rec), any, line, llen);
}

static void hit(const char *rec, const char *want)
{
	char line[160] = "unchanged";

	tap_ok(match(rec, false, line, sizeof(line)) && !strcmp(line, want),
	       "hit: \"%.*s\" -> \"%s\"", (int)strcspn(rec, "\n"), rec, line);
}

static void miss(const char *rec, const char *what)
{
	char line[160] = "unchanged";

	tap_ok(!match(rec, false, line, sizeof(line)) &&
	       !strcmp(line, "unchanged"), "no hit: %s", what);
}

static void test_parse(void)
{
	struct cow_kmsg_record r;
	const char *rec = "12,345,6789,-;hello\n SUBSYSTEM=x\n";

	tap_ok(!cow_kmsg_record_parse(rec, strlen(rec), &r) &&
	       r.facility == 1 && r.level == 4 && r.msglen == 5 &&
	       !memcmp(r.msg, "hello", 5),
	       "user facility 1, level 4, message up to the newline");
	rec = "6,1,2,c,caller=T12;x\n";
	tap_ok(!cow_kmsg_record_parse(rec, strlen(rec), &r) &&
	       r.facility == 0 && r.level == 6 && r.msglen == 1,
	       "a caller field in the prefix (CONFIG_PRINTK_CALLER)");
	rec = "0,1,2,-;\n";
	tap_ok(!cow_kmsg_record_parse(rec, strlen(rec), &r) && !r.msglen,
	       "an empty message");
	tap_ok(cow_kmsg_record_parse("4,1,2,-;no newline", 18, &r) == -1,
	       "a record cut before its newline is malformed");
	tap_ok(cow_kmsg_record_parse("4,1,2,-", 7, &r) == -1,
	       "a record cut in its prefix is malformed");
	tap_ok(cow_kmsg_record_parse("", 0, &r) == -1, "empty");
	rec = "x4,1,2,-;WARNING: y\n";
	tap_ok(cow_kmsg_record_parse(rec, strlen(rec), &r) == -1,
	       "a prefix not starting with a number");
	rec = "4;WARNING: y\n";
	tap_ok(cow_kmsg_record_parse(rec, strlen(rec), &r) == -1,
	       "a priority alone is no prefix");
	rec = "99999,1,2,-;WARNING: y\n";
	tap_ok(cow_kmsg_record_parse(rec, strlen(rec), &r) == -1,
	       "a priority out of range");
	rec = "4,1,2,-\nWARNING: y;z\n";
	tap_ok(cow_kmsg_record_parse(rec, strlen(rec), &r) == -1,
	       "a newline before the ';'");
	/* Not NUL-terminated: the parser must stop at len. */
	rec = "4,1,2,-;WARNING: y\nBUG: z";
	tap_ok(!cow_kmsg_record_parse(rec, 19, &r) && r.msglen == 10,
	       "stops at the length given");
	tap_ok(!cow_kmsg_record_match(rec, 16, false, NULL, 0),
	       "a record cut inside its message does not match");
}

static void test_match(void)
{
	char big[4096], line[160], small[8];
	size_t n;

	hit("4,100,5000,-;WARNING: CPU: 1 PID: 2 at mm/memory.c:3 f+0x1/0x2\n",
	    "WARNING: CPU: 1 PID: 2 at mm/memory.c:3 f+0x1/0x2");
	hit("1,1,1,-;BUG: unable to handle page fault for address: 0\n",
	    "BUG: unable to handle page fault for address: 0");
	hit("4,1,1,-;Oops: 0000 [#1] PREEMPT SMP\n", "Oops: 0000 [#1] PREEMPT SMP");
	hit("1,1,1,-;BUG: Bad page state in process x  pfn:1234\n",
	    "BUG: Bad page state in process x  pfn:1234");
	hit("1,1,1,-;Bad page map in process x  pte:0 pmd:0\n",
	    "Bad page map in process x  pte:0 pmd:0");
	hit("4,1,1,-;kernel BUG at mm/huge_memory.c:2000!\n",
	    "kernel BUG at mm/huge_memory.c:2000!");
	hit("4,1,1,-;general protection fault: 0000 [#1] SMP\n",
	    "general protection fault: 0000 [#1] SMP");
	hit("3,1,1,-;UBSAN: shift-out-of-bounds in mm/x.c:1:2\n",
	    "UBSAN: shift-out-of-bounds in mm/x.c:1:2");
	hit("4,1,1,-;   WARNING: padded  \t\n SUBSYSTEM=x\n",
	    "WARNING: padded");
	hit("4,1,1,-;a line \\x0a WARNING: after an escaped newline\n",
	    "a line \\x0a WARNING: after an escaped newline");

	miss("6,1,1,-;e1000: link up\n", "an ordinary kernel message");
	miss("6,1,1,-;warning: lower case\n", "\"warning:\" in lower case");
	miss("6,1,1,-;ok\n DEVICE=WARNING:\n",
	     "the pattern only in a dictionary line");
	miss("12,1,1,-;WARNING: written by userspace\n",
	     "a user-facility record (what userspace writes to /dev/kmsg)");
	miss("30,1,1,-;BUG: from a daemon\n", "a daemon-facility record");
	miss("4,1,1,-;WARNING: cut", "a truncated record");

	tap_ok(match("12,1,1,-;WARNING: injected\n", true, line, sizeof(line)) &&
	       !strcmp(line, "WARNING: injected"),
	       "any_facility takes user-facility records too");
	tap_ok(match("4,1,1,-;WARNING: x\n", false, NULL, 0),
	       "no line buffer: only the answer");

	/* A long line: cut to the buffer, terminated. */
	n = (size_t)snprintf(big, sizeof(big), "4,1,1,-;WARNING: ");
	memset(big + n, 'a', sizeof(big) - n - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	tap_ok(match(big, false, line, sizeof(line)) &&
	       strlen(line) == sizeof(line) - 1 &&
	       !strncmp(line, "WARNING: aaa", 12),
	       "a %zu-byte message is cut to %zu bytes", strlen(big),
	       strlen(line));
	tap_ok(match("4,1,1,-;BUG: 0123456789\n", false, small, sizeof(small)) &&
	       !strcmp(small, "BUG: 01"), "a small buffer: \"%s\"", small);
	/* A pattern past the end of a long message is still found. */
	n = (size_t)snprintf(big, sizeof(big), "4,1,1,-;");
	memset(big + n, 'b', 3000);
	strcpy(big + n + 3000, " Oops\n");
	tap_ok(match(big, false, line, sizeof(line)),
	       "\"Oops\" 3000 bytes into the message");
}

int main(void)
{
	test_parse();
	test_match();
	return tap_done();
}
