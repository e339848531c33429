/*
 * db-status.c - the runs computers report (POST /v1/events, events.c)
 * and what `tsi smp status` reads of them (status.c): every event kept
 * once per computer, run and number, and a row per run that the events
 * keep up to date (its sequence, start, end and result, its current or
 * last step, K of N, and its last progress).  On -1, smp_db_error says
 * why.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "smp-int.h"

#define RUN_WHERE	" WHERE computer = ? AND run = ?"

/* "K/N" at the start of a step event's detail. */
static void
step_place(const char *detail, long long *k, long long *n)
{
	*k = *n = 0;
	if (sscanf(detail, "%lld/%lld", k, n) != 2 || *k < 0 || *n < 0)
		*k = *n = 0;
}

/* The run's row, as a new event says.  0, or -1. */
static int
apply(struct smp_db *db, const char *who, const struct smp_event *e, long long now)
{
	long long	k, n;
	const char	*result;

	if (smp_db_exec(db, "INSERT INTO runs (computer, run, started, updated) VALUES "
	    "(?, ?, ?, ?) ON CONFLICT DO NOTHING", "ttii", who, e->run, e->time, now) == -1)
		return -1;
	switch (e->kind) {
	case SMP_EV_RUN_START:
		n = strtoll(e->detail, NULL, 10);
		if (strcmp(e->result, "resumed") == 0)
			return smp_db_exec(db, "UPDATE runs SET sequence = ?, steps = ?, "
			    "result = 'running', ended = NULL, updated = ?" RUN_WHERE, "tiitt",
			    e->step, n > 0 ? n : 0, now, who, e->run) == -1 ? -1 : 0;
		return smp_db_exec(db, "UPDATE runs SET sequence = ?, steps = ?, started = ?, "
		    "updated = ?" RUN_WHERE, "tiiitt", e->step, n > 0 ? n : 0, e->time, now,
		    who, e->run) == -1 ? -1 : 0;
	case SMP_EV_RUN_END:
		result = e->result[0] != '\0' ? e->result : "ended";
		return smp_db_exec(db, "UPDATE runs SET ended = ?, result = ?, updated = ?"
		    RUN_WHERE, "ititt", e->time, result, now, who, e->run) == -1 ? -1 : 0;
	case SMP_EV_STEP_START:
	case SMP_EV_STEP_END:
		step_place(e->detail, &k, &n);
		if (n > 0)
			return smp_db_exec(db, "UPDATE runs SET step = ?, step_no = ?, steps = ?, "
			    "updated = ?" RUN_WHERE, "tiiitt", e->step, k, n, now, who,
			    e->run) == -1 ? -1 : 0;
		return smp_db_exec(db, "UPDATE runs SET step = ?, updated = ?" RUN_WHERE,
		    "titt", e->step, now, who, e->run) == -1 ? -1 : 0;
	case SMP_EV_PROGRESS:
		return smp_db_exec(db, "UPDATE runs SET progress = ?, updated = ?" RUN_WHERE,
		    "titt", e->detail, now, who, e->run) == -1 ? -1 : 0;
	case SMP_EV_DROPPED:
		break;
	}
	return smp_db_exec(db, "UPDATE runs SET updated = ?" RUN_WHERE, "itt", now, who,
	    e->run) == -1 ? -1 : 0;
}

int
db_events_add(struct smp_db *db, const char *who, const struct smp_event *evs, size_t n,
    long long now)
{
	const struct smp_event	*e;
	long long		 added;
	size_t			 i;

	if (smp_db_begin(db) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		e = &evs[i];
		added = smp_db_exec(db, "INSERT INTO events (computer, run, seq, time, kind, "
		    "step, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO "
		    "NOTHING", "ttiitttt", who, e->run, e->seq, e->time,
		    smp_event_kind_name(e->kind), e->step, e->result, e->detail);
		/* an event stored already changed its run's row then */
		if (added == -1 || (added > 0 && apply(db, who, e, now) == -1)) {
			smp_db_rollback(db);
			return -1;
		}
	}
	return smp_db_commit(db);
}

static void
run_from_row(struct smp_rows *r, int c, struct db_run *run)
{
	run->run = smp_rows_text(r, c);
	run->sequence = smp_rows_text(r, c + 1);
	run->started = smp_rows_int(r, c + 2);
	run->ended = smp_rows_null(r, c + 3) ? 0 : smp_rows_int(r, c + 3);
	run->result = smp_rows_text(r, c + 4);
	run->step = smp_rows_text(r, c + 5);
	run->step_no = smp_rows_int(r, c + 6);
	run->steps = smp_rows_int(r, c + 7);
	run->progress = smp_rows_text(r, c + 8);
	run->updated = smp_rows_int(r, c + 9);
}

#define RUN_COLUMNS	"run, sequence, started, ended, result, step, step_no, steps, " \
			"progress, updated"
/* Newest first: by start, and in the same second by the numbers of their
 * events (a computer's grow from run to run). */
#define NEWEST_FIRST	"started DESC, (SELECT max(e.seq) FROM events e WHERE " \
			"e.computer = runs.computer AND e.run = runs.run) DESC, run DESC"

/* Each computer with its newest run and its newest store (source or
 * destination; "expired" when retention deleted it). */
#define COMPUTERS_SQL							\
"SELECT c.name, r.run, r.sequence, r.started, r.ended, r.result, r.step, "	\
"r.step_no, r.steps, r.progress, r.updated, st.state, "		\
"(SELECT count(*) FROM associations a WHERE a.source = c.name OR "	\
"a.dest = c.name) FROM computers c "					\
"LEFT JOIN (SELECT computer, " RUN_COLUMNS ", ROW_NUMBER() OVER "	\
"(PARTITION BY computer ORDER BY " NEWEST_FIRST ") AS n " \
"FROM runs) r ON r.computer = c.name AND r.n = 1 "			\
"LEFT JOIN (SELECT x.who, CASE WHEN x.state = 'deleted' AND x.released IS " \
"NOT NULL THEN 'expired' ELSE x.state END AS state, ROW_NUMBER() OVER "	\
"(PARTITION BY x.who ORDER BY x.created DESC, x.id DESC) AS n FROM "	\
"(SELECT a.source AS who, s.id, s.state, s.released, s.created FROM "	\
"associations a JOIN stores s ON s.association = a.id UNION ALL "	\
"SELECT a.dest, s.id, s.state, s.released, s.created FROM associations a " \
"JOIN stores s ON s.association = a.id WHERE a.dest != a.source) x) st " \
"ON st.who = c.name AND st.n = 1 "

int
db_status_computers(struct smp_db *db, const char *computer, db_run_fn *fn, void *ctx)
{
	struct smp_rows	*r;
	struct db_run	 run;

	if (computer == NULL)
		r = smp_db_query(db, COMPUTERS_SQL "ORDER BY c.name", "");
	else
		r = smp_db_query(db, COMPUTERS_SQL "WHERE c.name = ? ORDER BY c.name", "t",
		    computer);
	if (r == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		memset(&run, 0, sizeof run);
		run.computer = smp_rows_text(r, 0);
		run.has_run = !smp_rows_null(r, 1);
		if (run.has_run)
			run_from_row(r, 1, &run);
		run.store = smp_rows_null(r, 11) ? NULL : smp_rows_text(r, 11);
		run.associations = smp_rows_int(r, 12);
		fn(ctx, &run);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_status_runs(struct smp_db *db, const char *computer, db_run_fn *fn, void *ctx)
{
	struct smp_rows	*r;
	struct db_run	 run;

	if ((r = smp_db_query(db, "SELECT " RUN_COLUMNS " FROM runs WHERE computer = ? "
	    "ORDER BY " NEWEST_FIRST " LIMIT " DB_STATUS_RUNS_MAX, "t",
	    computer)) == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		memset(&run, 0, sizeof run);
		run.computer = computer;
		run.has_run = 1;
		run_from_row(r, 0, &run);
		fn(ctx, &run);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_status_events(struct smp_db *db, const char *computer, const char *run,
    db_event_fn *fn, void *ctx)
{
	struct smp_rows		*r;
	struct db_event_row	 e;

	if ((r = smp_db_query(db, "SELECT seq, time, kind, step, result, detail FROM events "
	    "WHERE computer = ? AND run = ? ORDER BY seq", "tt", computer, run)) == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		e.seq = smp_rows_int(r, 0);
		e.time = smp_rows_int(r, 1);
		e.kind = smp_rows_text(r, 2);
		e.step = smp_rows_text(r, 3);
		e.result = smp_rows_text(r, 4);
		e.detail = smp_rows_text(r, 5);
		fn(ctx, &e);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}
