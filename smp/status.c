/*
 * status.c - `tsi smp status`: what the computers' runs reported (POST
 * /v1/events, events.c), read from the database (db-status.c).  Every
 * registered computer with its newest run (sequence, start, current or
 * last step K of N, last progress, result) and its newest store's state;
 * with --computer, that computer's runs, newest first, with their steps;
 * --json says the same for programs.  What computers sent is shown with
 * its control characters as '?': it is not the admin's terminal's to
 * obey.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/json.h"
#include "../lib/util.h"
#include "smp-int.h"

/* Text for a terminal: control characters as '?' (caller frees). */
static char *
shown(const char *s)
{
	char	*t = xstrdup(s != NULL && *s != '\0' ? s : "-"), *p;

	for (p = t; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return t;
}

static void
put_time(struct json *j, const char *key, long long t)
{
	if (t > 0)
		json_int(j, key, t);
	else
		json_null(j, key);
}

/* "K/N NAME", "NAME" or "-". */
static char *
step_text(const struct db_run *r)
{
	char	*s = shown(r->step), *t;

	if (r->step[0] == '\0')
		return s;
	t = r->steps > 0 ? xasprintf("%lld/%lld %s", r->step_no, r->steps, s) : xstrdup(s);
	free(s);
	return t;
}

static const char *
store_text(const struct db_run *r)
{
	return r->store ? r->store : r->associations > 0 ? "no store" : "no association";
}

static void
json_run(struct json *j, const struct db_run *r)
{
	json_str(j, "run", r->run);
	json_str(j, "sequence", r->sequence);
	json_str(j, "result", r->result);
	put_time(j, "started", r->started);
	put_time(j, "ended", r->ended);
	json_str(j, "step", r->step);
	json_int(j, "step_no", r->step_no);
	json_int(j, "steps", r->steps);
	json_str(j, "progress", r->progress);
	put_time(j, "updated", r->updated);
}

struct listing {
	struct buf	 out;
	struct json	 j;
	int		 json, n;
};

static void
computer_row(void *ctx, const struct db_run *r)
{
	struct listing	*l = ctx;
	char		 started[20], *c, *step, *seq, *prog;

	l->n++;
	if (l->json) {
		json_obj_begin(&l->j, NULL);
		json_str(&l->j, "computer", r->computer);
		json_str(&l->j, "store", store_text(r));
		json_int(&l->j, "associations", r->associations);
		if (r->has_run) {
			json_obj_begin(&l->j, "last_run");
			json_run(&l->j, r);
			json_obj_end(&l->j);
		} else
			json_null(&l->j, "last_run");
		json_obj_end(&l->j);
		return;
	}
	c = shown(r->computer);
	if (!r->has_run) {
		buf_addf(&l->out, "%-16s %-11s %-19s %-30s %-14s %-24s %s\n", c, "no run", "-",
		    "-", store_text(r), "-", "-");
		free(c);
		return;
	}
	db_time_text(r->started, started);
	step = step_text(r);
	seq = shown(r->sequence);
	prog = shown(r->progress);
	buf_addf(&l->out, "%-16s %-11s %-19s %-30s %-14s %-24s %s\n", c, r->result, started,
	    step, store_text(r), seq, prog);
	free(c);
	free(step);
	free(seq);
	free(prog);
}

/* One run of a computer, copied out of the database's rows. */
struct run_copy {
	char		*run, *sequence, *result, *step, *progress;
	struct db_run	 r;
};

struct runs {
	struct run_copy	*v;
	size_t		 n;
};

static void
keep_run(void *ctx, const struct db_run *r)
{
	struct runs	*rs = ctx;
	struct run_copy	*c;

	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof *rs->v);
	c = &rs->v[rs->n++];
	c->r = *r;
	c->r.run = c->run = xstrdup(r->run);
	c->r.sequence = c->sequence = xstrdup(r->sequence);
	c->r.result = c->result = xstrdup(r->result);
	c->r.step = c->step = xstrdup(r->step);
	c->r.progress = c->progress = xstrdup(r->progress);
	c->r.computer = NULL;
	c->r.store = NULL;
}

/* A run's events, as lines under it: the steps' ends and the progress
 * between, a step started and not ended last. */
struct run_events {
	struct listing	*l;
	const char	*result;
	char		*open_step, *open_place;
};

static void
event_row(void *ctx, const struct db_event_row *e)
{
	struct run_events	*re = ctx;
	struct listing		*l = re->l;
	char			*step, *detail, *place;

	if (l->json) {
		json_obj_begin(&l->j, NULL);
		json_int(&l->j, "seq", e->seq);
		json_int(&l->j, "time", e->time);
		json_str(&l->j, "kind", e->kind);
		json_str(&l->j, "step", e->step);
		json_str(&l->j, "result", e->result);
		json_str(&l->j, "detail", e->detail);
		json_obj_end(&l->j);
		return;
	}
	step = shown(e->step);
	detail = shown(e->detail);
	if (strcmp(e->kind, "step_start") == 0) {
		free(re->open_step);
		free(re->open_place);
		re->open_step = step;
		re->open_place = xstrndup(detail, strcspn(detail, " "));
		free(detail);
		return;
	}
	if (strcmp(e->kind, "step_end") == 0) {
		place = xstrndup(detail, strcspn(detail, " "));
		buf_addf(&l->out, "  %-7s %s: %s%s%s%s\n", place, step, e->result,
		    strchr(detail, ' ') ? " (" : "", strchr(detail, ' ') ?
		    strchr(detail, ' ') + 1 : "", strchr(detail, ' ') ? ")" : "");
		free(place);
		free(re->open_step);
		free(re->open_place);
		re->open_step = re->open_place = NULL;
	} else if (strcmp(e->kind, "progress") == 0)
		buf_addf(&l->out, "  %-7s %s: %s\n", re->open_place && re->open_step &&
		    strcmp(re->open_step, step) == 0 ? re->open_place : "", step, detail);
	else if (strcmp(e->kind, "dropped") == 0)
		buf_addf(&l->out, "  dropped %s events: the computer's spool was full\n",
		    detail);
	free(step);
	free(detail);
}

static int
computer_runs(struct smp_db *db, const char *computer, struct listing *l)
{
	struct runs		 rs = { NULL, 0 };
	struct run_events	 re;
	char			 started[20], ended[20], *seq;
	size_t			 i;
	int			 r;

	if ((r = db_status_runs(db, computer, keep_run, &rs)) == -1)
		goto out;
	if (l->json)
		json_arr_begin(&l->j, "runs");
	else if (rs.n == 0)
		buf_adds(&l->out, "no run reported\n");
	for (i = 0; i < rs.n && r == 0; i++) {
		memset(&re, 0, sizeof re);
		re.l = l;
		re.result = rs.v[i].result;
		if (l->json) {
			json_obj_begin(&l->j, NULL);
			json_run(&l->j, &rs.v[i].r);
			json_arr_begin(&l->j, "events");
		} else {
			db_time_text(rs.v[i].r.started, started);
			db_time_text(rs.v[i].r.ended, ended);
			seq = shown(rs.v[i].sequence);
			buf_addf(&l->out, "run %s: %s\n  started %s UTC, ended %s%s: %s\n",
			    rs.v[i].run, seq, started, ended, rs.v[i].r.ended ? " UTC" : "",
			    rs.v[i].result);
			free(seq);
		}
		r = db_status_events(db, computer, rs.v[i].run, event_row, &re);
		if (l->json) {
			json_arr_end(&l->j);
			json_obj_end(&l->j);
		} else if (re.open_step != NULL)
			buf_addf(&l->out, "  %-7s %s: %s\n", re.open_place, re.open_step,
			    strcmp(re.result, "running") == 0 ? "running" : "did not end");
		free(re.open_step);
		free(re.open_place);
	}
	if (l->json)
		json_arr_end(&l->j);
out:
	for (i = 0; i < rs.n; i++) {
		free(rs.v[i].run);
		free(rs.v[i].sequence);
		free(rs.v[i].result);
		free(rs.v[i].step);
		free(rs.v[i].progress);
	}
	free(rs.v);
	return r;
}

/* The computer's line (its newest run and store), then its runs. */
static void
computer_head(void *ctx, const struct db_run *r)
{
	struct listing	*l = ctx;
	char		*c = shown(r->computer);

	l->n++;
	if (l->json) {
		json_str(&l->j, "computer", r->computer);
		json_str(&l->j, "store", store_text(r));
		json_int(&l->j, "associations", r->associations);
	} else
		buf_addf(&l->out, "computer %s: store %s\n", c, store_text(r));
	free(c);
}

int
smp_status(const char *dir, const char *computer, int json, char **err)
{
	struct listing	 l;
	struct smp_db	*db;
	int		 r;

	if (smp_admin_open(dir, &db, NULL, err) == -1)
		return -1;
	memset(&l, 0, sizeof l);
	l.json = json;
	buf_init(&l.out, 0);
	json_init(&l.j, &l.out, 1);
	if (json)
		json_obj_begin(&l.j, NULL);
	if (computer == NULL) {
		if (json)
			json_arr_begin(&l.j, "computers");
		else
			buf_addf(&l.out, "%-16s %-11s %-19s %-30s %-14s %-24s %s\n", "computer",
			    "result", "started (UTC)", "step", "store", "sequence",
			    "last progress");
		r = db_status_computers(db, NULL, computer_row, &l);
		if (json)
			json_arr_end(&l.j);
	} else {
		r = db_status_computers(db, computer, computer_head, &l);
		if (r == 0 && l.n == 0) {
			*err = xasprintf("no computer named '%s' is registered (tsi smp "
			    "computer list)", computer);
			r = -2;
		} else if (r == 0)
			r = computer_runs(db, computer, &l);
	}
	if (json)
		json_obj_end(&l.j);
	if (r == -1)
		*err = xasprintf("cannot read the runs: %s", smp_db_error(db));
	else if (r == 0) {
		if (json)
			buf_addch(&l.out, '\n');
		fwrite(l.out.data, 1, l.out.len, stdout);
	}
	buf_release(&l.out);
	smp_db_close(db);
	return r < 0 ? -1 : 0;
}
