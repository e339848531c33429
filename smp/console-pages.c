/*
 * console-pages.c - the console's views: the overview (runs of the last
 * 24 hours, stores by state, each node's folders), the computers (search;
 * each one's last run, current step and progress, refreshed by the
 * script), a computer's runs with their steps, the associations with
 * their stores, and the actions: associate two computers, delete an
 * association (after a confirmation page), set a node restore-only.
 * Every view is readable without the script.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/util.h"
#include "smp-int.h"

#define LIST_MAX	500	/* rows of a table; the search narrows it */

static void
time_cell(struct buf *b, long long t)
{
	char	s[20];

	db_time_text(t, s);
	html_text(b, s);
}

static void
not_found(struct smp_reply *r, const struct console_ctx *cx, const char *what)
{
	r->status = 404;
	buf_reset(&r->body);
	console_page_start(&r->body, "Not found", cx);
	buf_adds(&r->body, "<p class=\"error\">");
	html_text(&r->body, what);
	buf_adds(&r->body, "</p>");
	console_page_end(&r->body);
}

/* The overview. */
struct overview {
	struct buf	*b;
	struct buf	 runs, stores;		/* their cards */
	char		 node[SMP_NODE_LEN];
	const struct console_ctx *cx;
};

static void
count_card(void *ctx, const char *what, const char *key, long long n)
{
	struct overview	*o = ctx;
	struct buf	*b = strcmp(what, "runs") == 0 ? &o->runs : &o->stores;

	buf_addf(b, "<div class=\"card\" id=\"%s-", what);
	html_text(b, key);
	buf_addf(b, "\"><b>%lld</b>", n);
	html_text(b, key);
	buf_adds(b, "</div>");
}

static void
folder_row(void *ctx, const struct db_folder_row *f)
{
	struct overview	*o = ctx;
	struct buf	*b = o->b;
	long long	 age = (long long)time(NULL) - f->seen;

	buf_adds(b, "<tr><td>");
	if (strcmp(o->node, f->node) != 0) {
		snprintf(o->node, sizeof o->node, "%s", f->node);
		html_text(b, f->node);
		buf_adds(b, "<br><small>");
		html_text(b, f->url);
		buf_addf(b, "<br>%s</small><br><form class=\"inline\" method=\"post\" "
		    "action=\"/console/nodes/", f->seen == 0 ? "never reported" :
		    age > 15 ? "no report for a while: down?" : "reporting");
		url_text(b, f->node);
		buf_adds(b, "/restore-only\">");
		console_csrf_field(b, o->cx);
		buf_addf(b, "<input type=\"hidden\" name=\"on\" value=\"%s\"><button "
		    "type=\"submit\">%s</button></form>", f->set_restore_only ? "no" : "yes",
		    f->set_restore_only ? "Take captures again" : "Set restore-only");
	}
	buf_adds(b, "</td><td>");
	html_text(b, f->path ? f->path : "-");
	buf_addf(b, "</td><td class=\"num\">%lld MB</td><td class=\"num\">%lld MB</td>"
	    "<td class=\"num\">%lld / %lld</td><td>", f->free_mb, f->total_mb, f->clients,
	    f->max_clients);
	if (f->restore_only || f->set_restore_only)
		buf_adds(b, "restore-only");
	else if (f->takes_capture)
		buf_adds(b, "takes captures");
	else
		html_text(b, f->why);
	buf_adds(b, "</td></tr>\n");
}

static void
overview(struct smp_server *s, const struct console_ctx *cx, struct smp_reply *r)
{
	struct overview	o;
	int		ok;

	memset(&o, 0, sizeof o);
	o.b = &r->body;
	o.cx = cx;
	buf_init(&o.runs, 0);
	buf_init(&o.stores, 0);
	r->status = 200;
	console_page_start(&r->body, "Overview", cx);
	pthread_mutex_lock(&s->lock);
	ok = db_console_counts(s->db, (long long)time(NULL) - 86400, count_card, &o) == 0;
	buf_adds(&r->body, "<h2>Runs in the last 24 hours</h2><div class=\"cards\" "
	    "id=\"runs\">");
	buf_adds(&r->body, o.runs.len ? o.runs.data : "<p>No computer reported a run.</p>");
	buf_adds(&r->body, "</div><h2>Stores</h2><div class=\"cards\" id=\"stores\">");
	buf_adds(&r->body, o.stores.len ? o.stores.data : "<p>No store yet.</p>");
	buf_adds(&r->body, "</div><h2>Nodes and their storage folders</h2><table "
	    "id=\"folders\"><tr><th>node</th><th>folder</th><th>free</th><th>size</th>"
	    "<th>stores</th><th>captures</th></tr>\n");
	ok = ok && db_console_folders(s->db, folder_row, &o) == 0;
	if (!ok)
		console_db_error(s, r);		/* its message, under the lock */
	pthread_mutex_unlock(&s->lock);
	buf_release(&o.runs);
	buf_release(&o.stores);
	if (!ok)
		return;
	buf_adds(&r->body, "</table>");
	console_page_end(&r->body);
}

/* The computers: a row each, with ids the script refreshes by. */
struct computers {
	struct buf	*b;
	const char	*q;
	int		 json, n;
};

static char *
step_text(const struct db_run *c)
{
	if (!c->has_run)
		return xstrdup("-");
	if (c->steps > 0)
		return xasprintf("%lld/%lld %s", c->step_no, c->steps, c->step ? c->step : "");
	return xstrdup(c->step && *c->step ? c->step : "-");
}

static void
computer_row(void *ctx, const struct db_run *c)
{
	struct computers	*k = ctx;
	struct buf		*b = k->b;
	char			*step, started[20];
	const char		*result = c->has_run ? c->result : "no run";
	const char		*store = c->store ? c->store : c->associations > 0 ?
				    "no store" : "no association";

	if ((k->q[0] != '\0' && strstr(c->computer, k->q) == NULL) || k->n >= LIST_MAX)
		return;
	step = step_text(c);
	db_time_text(c->has_run ? c->started : 0, started);
	if (k->json) {
		buf_addf(b, "%s{\"id\":", k->n ? "," : "");
		buf_adds(b, "\"c-");
		url_text(b, c->computer);
		buf_adds(b, "\",\"cells\":{\"result\":");
		json_text(b, result);
		buf_adds(b, ",\"step\":");
		json_text(b, step);
		buf_adds(b, ",\"progress\":");
		json_text(b, c->has_run && c->progress ? c->progress : "-");
		buf_adds(b, ",\"store\":");
		json_text(b, store);
		buf_adds(b, "},\"classes\":{\"result\":");
		json_text(b, result);
		buf_adds(b, ",\"store\":");
		json_text(b, store);
		buf_adds(b, "}}");
	} else {
		buf_adds(b, "<tr id=\"c-");
		url_text(b, c->computer);
		buf_adds(b, "\"><td><a href=\"/console/computers/");
		url_text(b, c->computer);
		buf_adds(b, "\">");
		html_text(b, c->computer);
		buf_adds(b, "</a></td><td>");
		html_text(b, c->has_run ? c->sequence : "-");
		buf_adds(b, "</td><td>");
		html_text(b, started);
		buf_adds(b, "</td><td data-cell=\"step\">");
		html_text(b, step);
		buf_adds(b, "</td><td data-cell=\"progress\">");
		html_text(b, c->has_run && c->progress ? c->progress : "-");
		buf_adds(b, "</td><td data-cell=\"result\" class=\"");
		html_text(b, result);
		buf_adds(b, "\">");
		html_text(b, result);
		buf_adds(b, "</td><td data-cell=\"store\" class=\"");
		html_text(b, store);
		buf_adds(b, "\">");
		html_text(b, store);
		buf_adds(b, "</td></tr>\n");
	}
	k->n++;
	free(step);
}

static void
computers(struct smp_server *s, const struct console_req *q, const struct console_ctx *cx,
    struct smp_reply *r)
{
	struct computers	 k = { &r->body, "", 0, 0 };
	char			 search[SMP_NODE_LEN] = "";
	const char		*query = strchr(q->target, '?');
	int			 ok;

	if (query != NULL && form_value(query + 1, strlen(query + 1), "q", search,
	    sizeof search) == -1)
		search[0] = '\0';
	k.q = search;
	k.json = (query != NULL && strstr(query, "format=json") != NULL) ||
	    (q->accept != NULL && strstr(q->accept, "application/json") != NULL);
	r->status = 200;
	if (k.json) {
		r->html = 0;
		r->content_type = "application/json";
		buf_adds(&r->body, "{\"rows\":[");
	} else {
		console_page_start(&r->body, "Computers", cx);
		buf_adds(&r->body, "<form method=\"get\" action=\"/console/computers\">"
		    "<input name=\"q\" id=\"q\" placeholder=\"name contains\" value=\"");
		html_text(&r->body, search);
		buf_adds(&r->body, "\"> <button type=\"submit\">Search</button></form>"
		    "<p><small id=\"refreshed\"></small></p><table id=\"computers\" "
		    "data-refresh=\"/console/computers?format=json&amp;q=");
		url_text(&r->body, search);
		buf_adds(&r->body, "\"><tr><th>computer</th><th>sequence</th><th>started "
		    "(UTC)</th><th>step</th><th>progress</th><th>result</th><th>store</th>"
		    "</tr>\n");
	}
	pthread_mutex_lock(&s->lock);
	ok = db_status_computers(s->db, NULL, computer_row, &k) == 0;
	if (!ok)
		console_db_error(s, r);
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		return;
	if (k.json) {
		buf_adds(&r->body, "]}\n");
		return;
	}
	buf_adds(&r->body, "</table>");
	if (k.n == LIST_MAX)
		buf_addf(&r->body, "<p class=\"note\">The first %d computers are shown: "
		    "search to narrow the list.</p>", LIST_MAX);
	console_page_end(&r->body);
}

/* A computer's runs and their steps. */
struct history {
	struct smp_server	*s;
	struct buf		*b;
	const char		*computer;
	int			 ok;
};

static void
event_row(void *ctx, const struct db_event_row *e)
{
	struct history	*h = ctx;

	if (strcmp(e->kind, "step_end") != 0 && strcmp(e->kind, "progress") != 0 &&
	    strcmp(e->kind, "dropped") != 0)
		return;
	buf_adds(h->b, "<tr><td>");
	time_cell(h->b, e->time);
	buf_adds(h->b, "</td><td>");
	html_text(h->b, e->step);
	buf_adds(h->b, "</td><td class=\"");
	html_text(h->b, e->result);
	buf_adds(h->b, "\">");
	html_text(h->b, strcmp(e->kind, "progress") == 0 ? "progress" : e->result);
	buf_adds(h->b, "</td><td>");
	html_text(h->b, e->detail);
	buf_adds(h->b, "</td></tr>\n");
}

static void
run_block(void *ctx, const struct db_run *run)
{
	struct history	*h = ctx;

	buf_adds(h->b, "<h2 class=\"run\">");
	html_text(h->b, run->sequence);
	buf_adds(h->b, ": <span class=\"");
	html_text(h->b, run->result);
	buf_adds(h->b, "\">");
	html_text(h->b, run->result);
	buf_adds(h->b, "</span></h2><p>started ");
	time_cell(h->b, run->started);
	buf_adds(h->b, " UTC, ended ");
	time_cell(h->b, run->ended);
	if (run->progress && *run->progress) {
		buf_adds(h->b, "; ");
		html_text(h->b, run->progress);
	}
	buf_adds(h->b, "</p><table class=\"steps\"><tr><th>time (UTC)</th><th>step</th>"
	    "<th>result</th><th>detail</th></tr>\n");
	if (db_status_events(h->s->db, h->computer, run->run, event_row, h) == -1)
		h->ok = 0;
	buf_adds(h->b, "</table>\n");
}

static void
computer_page(struct smp_server *s, const char *name, const struct console_ctx *cx,
    struct smp_reply *r)
{
	struct history	h = { s, &r->body, name, 1 };
	char		title[SMP_NODE_LEN + 16];

	if (!smp_node_name_ok(name)) {
		not_found(r, cx, "There is no computer of that name.");
		return;
	}
	snprintf(title, sizeof title, "Computer %s", name);
	r->status = 200;
	console_page_start(&r->body, title, cx);
	pthread_mutex_lock(&s->lock);
	if (db_status_runs(s->db, name, run_block, &h) == -1)
		h.ok = 0;
	if (!h.ok)
		console_db_error(s, r);
	pthread_mutex_unlock(&s->lock);
	if (!h.ok)
		return;
	if (strstr(r->body.data, "class=\"run\"") == NULL)
		buf_adds(&r->body, "<p>No run of this computer has reported yet.</p>");
	console_page_end(&r->body);
}

void
console_view(struct smp_server *s, const struct console_req *q, struct console_ctx *cx,
    struct smp_reply *r)
{
	const char	*t = q->target, *rest;
	char		 name[SMP_NODE_LEN];
	size_t		 n;

	if (strcmp(t, "/console") == 0 || strcmp(t, "/console/") == 0)
		overview(s, cx, r);
	else if (strncmp(t, "/console/computers/", 19) == 0 &&
	    (n = strcspn(t + 19, "/?")) < sizeof name && t[19 + n] == '\0') {
		memcpy(name, t + 19, n);
		name[n] = '\0';
		computer_page(s, name, cx, r);
	} else if (strncmp(t, "/console/computers", 18) == 0 &&
	    (t[18] == '\0' || t[18] == '?'))
		computers(s, q, cx, r);
	else if (strncmp(t, "/console/associations", 21) == 0 ||
	    strncmp(t, "/console/nodes/", 15) == 0) {
		rest = t + 8;
		console_act(s, q, cx, rest, r);
	} else
		not_found(r, cx, "There is no such page.");
}
