/* t-events.c - the lines of POST /v1/events (smp/events-wire.c): what the
 * SMP accepts, what it refuses and with which line named, and that what
 * the computer writes reads back the same. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/util.h"
#include "../../smp/proto.h"
#include "unit.h"

#define RUN	"0123456789abcdef0123456789abcdef"

/* The body's status (0 accepted) and why (freed), n events. */
static int
parse(const char *body, size_t *n, char **why_out)
{
	struct smp_event	*evs;
	char			*why;
	int			 st;

	st = smp_events_parse(body, strlen(body), &evs, n, &why);
	free(evs);
	if (why_out != NULL)
		*why_out = why;
	else
		free(why);
	return st;
}

static void
test_every_kind(void)
{
	const char		 body[] =
	    RUN "\t1\t1700000000\trun_start\tReplace, source side\t\t3\n"
	    RUN "\t2\t1700000001\tstep_start\tCapture\t\t2/3\n"
	    RUN "\t3\t1700000002\tprogress\tCapture\t\tcaptured 3 files, 3000043 bytes\n"
	    RUN "\t4\t1700000003\tstep_end\tCapture\tsucceeded\t2/3 exit 0\n"
	    RUN "\t5\t1700000004\tdropped\t\t\t12\n"
	    RUN "\t6\t1700000005\trun_end\t\tfailed\texit 1";	/* no last newline */
	struct smp_event	*evs;
	size_t			 n;
	char			*why;

	CHECK_INT(smp_events_parse(body, strlen(body), &evs, &n, &why), 0);
	CHECK(why == NULL);
	CHECK_INT(n, 6);
	if (n != 6)
		return;
	CHECK_STR(evs[0].run, RUN);
	CHECK_INT(evs[0].seq, 1);
	CHECK_INT(evs[0].time, 1700000000);
	CHECK_INT(evs[0].kind, SMP_EV_RUN_START);
	CHECK_STR(evs[0].step, "Replace, source side");
	CHECK_STR(evs[0].detail, "3");
	CHECK_INT(evs[2].kind, SMP_EV_PROGRESS);
	CHECK_STR(evs[3].result, "succeeded");
	CHECK_STR(evs[3].detail, "2/3 exit 0");
	CHECK_INT(evs[4].kind, SMP_EV_DROPPED);
	CHECK_INT(evs[5].kind, SMP_EV_RUN_END);
	CHECK_STR(evs[5].detail, "exit 1");
	free(evs);
}

/* Tabs, newlines, CRs and backslashes travel escaped, and come back. */
static void
test_round_trip(void)
{
	struct smp_event	 e, *back;
	struct buf		 b = BUF_INIT;
	size_t			 n;
	char			*why;

	memset(&e, 0, sizeof e);
	memcpy(e.run, RUN, sizeof e.run);
	e.seq = 123456789012345678LL;
	e.time = 1;
	e.kind = SMP_EV_STEP_END;
	smp_event_field(e.step, SMP_EVENT_STEP_MAX, "a\tb\nc\rd\\e caf\xc3\xa9");
	smp_event_field(e.result, SMP_EVENT_RESULT_MAX, "failed");
	smp_event_field(e.detail, SMP_EVENT_DETAIL_MAX, "\\t is not a tab");
	smp_event_line(&b, &e);
	CHECK(strchr(b.data, '\n') == b.data + b.len - 1);	/* one line */
	CHECK_INT(smp_events_parse(b.data, b.len, &back, &n, &why), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(back[0].step, "a\tb\nc\rd\\e caf\xc3\xa9");
		CHECK_STR(back[0].detail, "\\t is not a tab");
		CHECK_INT(back[0].seq, e.seq);
		CHECK_INT(back[0].kind, SMP_EV_STEP_END);
	}
	free(back);
	free(why);
	buf_release(&b);
}

/* What the computer puts in a field: cut at the bound, never inside a
 * character; control characters and bytes that are not UTF-8 as '?'. */
static void
test_field(void)
{
	char	out[8];

	smp_event_field(out, 5, "abc\xc3\xa9xyz");	/* é would end at 5 */
	CHECK_STR(out, "abc\xc3\xa9");
	smp_event_field(out, 4, "abc\xc3\xa9xyz");	/* ... or pass 4 */
	CHECK_STR(out, "abc");
	smp_event_field(out, 7, "a\x1b[2J\xff");
	CHECK_STR(out, "a?[2J?");
	smp_event_field(out, 7, "\xed\xa0\x80z");	/* a surrogate is not UTF-8 */
	CHECK_STR(out, "???z");
}

static void
refused(const char *body, int status, const char *why_has)
{
	size_t	 n = 99;
	char	*why = NULL;
	int	 st = parse(body, &n, &why);

	CHECK_INT(st, status);
	CHECK_INT(n, 0);
	if (why == NULL || strstr(why, why_has) == NULL) {
		fprintf(stderr, "    # refusal '%s' lacks '%s'\n", why ? why : "(null)",
		    why_has);
		unit_failures++;
	}
	free(why);
}

static void
test_refusals_name_the_line(void)
{
	const char	ok[] = RUN "\t1\t1\tprogress\tS\t\td\n";
	char		body[1024];

	refused("", 400, "empty");
	snprintf(body, sizeof body, "%s%s", ok, RUN "\t2\t1\tstep_ended\tS\t\td\n");
	refused(body, 400, "line 2: KIND: not run_start");
	snprintf(body, sizeof body, "%s%s", ok, RUN "\t2\t1\tprogress\tS\t\n");
	refused(body, 400, "line 2: fewer than seven fields");
	snprintf(body, sizeof body, "%s%s", ok, RUN "\t2\t1\tprogress\tS\t\td\textra\n");
	refused(body, 400, "line 2: more than seven fields");
	refused("0123\t1\t1\tprogress\tS\t\td\n", 400, "line 1: RUN: not 32");
	refused(RUN "X\t1\t1\tprogress\tS\t\td\n", 400, "line 1: RUN");
	refused("0123456789ABCDEF0123456789abcdef\t1\t1\tprogress\tS\t\td\n", 400,
	    "line 1: RUN: not 32 lowercase hex");
	refused(RUN "\t-1\t1\tprogress\tS\t\td\n", 400, "line 1: SEQ: not a number");
	refused(RUN "\t1234567890123456789\t1\tprogress\tS\t\td\n", 400, "SEQ");
	refused(RUN "\t1\tnow\tprogress\tS\t\td\n", 400, "line 1: TIME");
	refused(RUN "\t1\t1\tprogress\tS\tOK\td\n", 400, "line 1: RESULT");
	refused(RUN "\t1\t1\tprogress\ta\\qb\t\td\n", 400, "line 1: STEP: an unknown escape");
	refused(RUN "\t1\t1\tprogress\tS\t\td\\\n", 400, "line 1: DETAIL: a backslash ends");
	refused(RUN "\t1\t1\tprogress\tS\x1b[2J\t\td\n", 400, "line 1: STEP: a control");
	refused(RUN "\t1\t1\tprogress\tS\r\t\td\n", 400, "line 1: STEP: a control");
	refused(RUN "\t1\t1\tprogress\tS\xff\t\td\n", 400, "line 1: STEP: not UTF-8");
	snprintf(body, sizeof body, "%s\n%s", ok, ok);
	refused(body, 400, "line 2: an empty line");
}

static void
test_bounds(void)
{
	static const char nul[] = RUN "\t1\t1\tprogress\tS\0\t\td\n";
	struct buf	 b = BUF_INIT;
	size_t		 n, i;
	char		*why;
	struct smp_event *evs;

	/* a step name of 256 bytes passes, 257 do not; a detail of 1024 */
	buf_addf(&b, RUN "\t1\t1\tstep_start\t");
	for (i = 0; i < SMP_EVENT_STEP_MAX; i++)
		buf_addch(&b, 's');
	buf_addf(&b, "\t\t");
	for (i = 0; i < SMP_EVENT_DETAIL_MAX; i++)
		buf_addch(&b, 'd');
	buf_addch(&b, '\n');
	CHECK_INT(parse(b.data, &n, NULL), 0);
	buf_reset(&b);
	buf_addf(&b, RUN "\t1\t1\tstep_start\t");
	for (i = 0; i <= SMP_EVENT_STEP_MAX; i++)
		buf_addch(&b, 's');
	buf_addf(&b, "\t\td\n");
	refused(b.data, 400, "line 1: STEP: too long");
	buf_reset(&b);
	buf_addf(&b, RUN "\t1\t1\tprogress\t\t\t");
	for (i = 0; i <= SMP_EVENT_DETAIL_MAX; i++)
		buf_addch(&b, 'd');
	refused(b.data, 400, "line 1: DETAIL: too long");
	/* 1000 events pass, 1001 are 413 */
	buf_reset(&b);
	for (i = 0; i < SMP_EVENTS_MAX; i++)
		buf_addf(&b, RUN "\t%zu\t1\tprogress\t\t\tp\n", i);
	CHECK_INT(smp_events_parse(b.data, b.len, &evs, &n, &why), 0);
	CHECK_INT(n, SMP_EVENTS_MAX);
	free(evs);
	buf_addf(&b, RUN "\t1000\t1\tprogress\t\t\tp\n");
	refused(b.data, 413, "1001 events: at most 1000");
	/* a body over 256 KiB is 413, whatever it holds */
	buf_reset(&b);
	while (b.len <= SMP_EVENTS_MAX_BODY)
		buf_adds(&b, "x");
	refused(b.data, 413, "over 262144 bytes");
	/* a NUL inside is refused */
	CHECK_INT(smp_events_parse(nul, sizeof nul - 1, &evs, &n, &why), 400);
	CHECK(why != NULL && strstr(why, "line 1") != NULL);
	free(why);
	buf_release(&b);
}

UNIT_SUITE(events_tests) = {
	UNIT_TEST(every_kind),
	UNIT_TEST(round_trip),
	UNIT_TEST(field),
	UNIT_TEST(refusals_name_the_line),
	UNIT_TEST(bounds),
	{ NULL, NULL },
};
