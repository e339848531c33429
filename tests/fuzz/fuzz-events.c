/*
 * fuzz-events.c - libFuzzer target for the body of POST /v1/events
 * (smp/events-wire.c), which the SMP reads from any registered computer.
 *
 * The input is the body.  smp_events_parse() must accept it (0, with 1 to
 * SMP_EVENTS_MAX events whose fields keep their bounds) or refuse it (400
 * or 413, with a message, no events; a 400 names its line).  What it
 * accepts is written back with smp_event_line() and read again: the same
 * events.  It is then stored with db_events_add() in a real SQLite
 * database (made once, as `tsi smp init` makes it), which must take any
 * batch the parser accepts, twice (the second time every event is there
 * already).  Last, the input as one string goes through
 * smp_event_field() into each field of an event at several bounds:
 * whatever the computer writes, the SMP reads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/util.h"
#include "../../smp/proto.h"
#include "../../smp/smp-int.h"
#include "fuzz-input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct smp_db	*db;

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz-events: %s\n", what);
	abort();
}

static void
cleanup(void)
{
	char	*p = xasprintf("%s/srv", fuzz_dir);

	smp_db_close(db);
	remove_tree(p);
	free(p);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*dir, *err = NULL;

	(void)argc;
	(void)argv;
	fuzz_input_init("body");
	dir = xasprintf("%s/srv", fuzz_dir);
	if (mkdir_p(dir, 0700) == -1 || smp_db_create(dir, NULL, &err) == -1 ||
	    smp_db_open(dir, NULL, &db, &err) == -1) {
		fprintf(stderr, "fuzz-events: %s\n", err ? err : "mkdir");
		abort();
	}
	/* the events are the point, not the disk */
	smp_db_exec(db, "PRAGMA synchronous = OFF", "");
	free(dir);
	atexit(cleanup);
	return 0;
}

static int
hex32(const char *s)
{
	return strlen(s) == SMP_RUN_HEX && strspn(s, "0123456789abcdef") == SMP_RUN_HEX;
}

static void
check_event(const struct smp_event *e)
{
	if (!hex32(e->run) || e->seq < 0 || e->time < 0 ||
	    (unsigned)e->kind > SMP_EV_DROPPED || strlen(e->step) > SMP_EVENT_STEP_MAX ||
	    strlen(e->result) > SMP_EVENT_RESULT_MAX ||
	    strlen(e->detail) > SMP_EVENT_DETAIL_MAX)
		fail("an accepted event out of its bounds");
}

static int
same(const struct smp_event *a, const struct smp_event *b)
{
	return strcmp(a->run, b->run) == 0 && a->seq == b->seq && a->time == b->time &&
	    a->kind == b->kind && strcmp(a->step, b->step) == 0 &&
	    strcmp(a->result, b->result) == 0 && strcmp(a->detail, b->detail) == 0;
}

/* Written back and read again: the same events. */
static void
round_trip(const struct smp_event *evs, size_t n)
{
	struct smp_event	*back;
	struct buf		 b;
	size_t			 i, m;
	char			*why;

	buf_init(&b, 0);
	for (i = 0; i < n; i++)
		smp_event_line(&b, &evs[i]);
	if (smp_events_parse(b.data, b.len, &back, &m, &why) != 0) {
		fprintf(stderr, "fuzz-events: written back, refused: %s\n", why);
		abort();
	}
	if (m != n)
		fail("written back, a different number of events");
	for (i = 0; i < n; i++)
		if (!same(&evs[i], &back[i]))
			fail("written back, a different event");
	free(back);
	buf_release(&b);
}

/* The input through smp_event_field() into every field: always read back. */
static void
fields(const char *s)
{
	static const size_t	 bounds[] = { 1, 2, 3, 4, 7, 64, SMP_EVENT_STEP_MAX };
	struct smp_event	 e, *back;
	struct buf		 b;
	size_t			 i, m;
	char			*why;

	for (i = 0; i < ARRAY_SIZE(bounds); i++) {
		memset(&e, 0, sizeof e);
		memcpy(e.run, "0123456789abcdef0123456789abcdef", SMP_RUN_HEX + 1);
		e.kind = SMP_EV_PROGRESS;
		smp_event_field(e.step, bounds[i], s);
		smp_event_field(e.detail, SMP_EVENT_DETAIL_MAX, s);
		if (strlen(e.step) > bounds[i])
			fail("smp_event_field passed its bound");
		buf_init(&b, 0);
		smp_event_line(&b, &e);
		if (smp_events_parse(b.data, b.len, &back, &m, &why) != 0) {
			fprintf(stderr, "fuzz-events: a field the computer wrote was refused: "
			    "%s\n", why);
			abort();
		}
		if (m != 1 || !same(&e, back))
			fail("a field the computer wrote was read otherwise");
		free(back);
		buf_release(&b);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smp_event	*evs;
	size_t			 n, i;
	char			*why, *s;
	int			 st;

	st = smp_events_parse((const char *)data, size, &evs, &n, &why);
	if (st == 0) {
		if (why != NULL || evs == NULL || n == 0 || n > SMP_EVENTS_MAX)
			fail("an accepted body without its events");
		for (i = 0; i < n; i++)
			check_event(&evs[i]);
		round_trip(evs, n);
		if (db_events_add(db, "pc", evs, n, 1700000000) == -1 ||
		    db_events_add(db, "pc", evs, n, 1700000000) == -1) {
			fprintf(stderr, "fuzz-events: the database refused an accepted batch: "
			    "%s\n", smp_db_error(db));
			abort();
		}
	} else if ((st != 400 && st != 413) || why == NULL || evs != NULL || n != 0)
		fail("a refusal without its status or message, or with events");
	else if (st == 400 && strncmp(why, "line ", 5) != 0 && strncmp(why, "no events", 9) != 0)
		fail("a 400 that names no line");
	free(evs);
	free(why);
	s = xstrndup((const char *)data, size > 4096 ? 4096 : size);
	fields(s);
	free(s);
	return 0;
}
