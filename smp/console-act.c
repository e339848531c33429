/*
 * console-act.c - the console's associations (each with its stores: state,
 * size, node, times, retention left) and what an admin does there:
 * associate two computers, delete an association after a confirmation
 * page, set a node restore-only.  A form's action answers with a redirect
 * to the page it came from (303), so that reloading sends nothing again.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/util.h"
#include "smp-int.h"

struct assoc_list {
	struct smp_server		*s;
	struct buf			*b;
	const struct console_ctx	*cx;
	long long			 last;
	int				 rows;
};

static void
assoc_row(void *ctx, const struct db_assoc_row *a)
{
	struct assoc_list	*l = ctx;
	struct buf		*b = l->b;
	char			 t[20];
	long long		 left;

	l->rows++;
	buf_addf(b, "<tr id=\"a-%lld\"><td>", a->id);
	if (a->id != l->last)
		buf_addf(b, "%lld", a->id);
	buf_adds(b, "</td><td>");
	html_text(b, a->source);
	buf_adds(b, " &rarr; ");
	html_text(b, a->dest);
	buf_adds(b, "<br><small>");
	html_text(b, a->users);
	buf_adds(b, ", ");
	html_text(b, a->behavior);
	buf_adds(b, "</small></td><td class=\"");
	html_text(b, a->state);
	buf_adds(b, "\">");
	html_text(b, a->state);
	buf_addf(b, "</td><td class=\"num\">%lld</td><td>", a->size);
	html_text(b, a->node);
	buf_adds(b, "</td><td>");
	db_time_text(a->store ? a->store_created : a->created, t);
	html_text(b, t);
	buf_adds(b, "</td><td>");
	db_time_text(a->completed, t);
	html_text(b, t);
	buf_adds(b, "</td><td>");
	db_time_text(a->released, t);
	html_text(b, t);
	buf_adds(b, "</td><td>");
	if (strcmp(a->state, "released") == 0) {
		left = a->released + l->s->conf.retention_s - (long long)time(NULL);
		if (left <= 0)
			buf_adds(b, "due now");
		else
			buf_addf(b, "%lldh %02lldm", left / 3600, left / 60 % 60);
	} else
		buf_adds(b, "-");
	buf_adds(b, "</td><td>");
	if (a->id != l->last)
		buf_addf(b, "<a href=\"/console/associations/%lld/delete\">Delete&hellip;</a>",
		    a->id);
	buf_adds(b, "</td></tr>\n");
	l->last = a->id;
}

static void
associations(struct smp_server *s, const struct console_ctx *cx, const char *note,
    struct smp_reply *r)
{
	struct assoc_list	l = { s, &r->body, cx, 0, 0 };
	int			ok;

	r->status = note ? 400 : 200;
	console_page_start(&r->body, "Associations", cx);
	if (note != NULL) {
		buf_adds(&r->body, "<p class=\"error\" id=\"action-error\">");
		html_text(&r->body, note);
		buf_adds(&r->body, "</p>");
	}
	buf_adds(&r->body, "<table id=\"associations\"><tr><th>id</th><th>source &rarr; "
	    "destination</th><th>store</th><th>bytes</th><th>node</th><th>created (UTC)"
	    "</th><th>complete</th><th>released</th><th>retention left</th><th></th></tr>\n");
	pthread_mutex_lock(&s->lock);
	ok = db_console_associations(s->db, assoc_row, &l) == 0;
	if (!ok)
		console_db_error(s, r);		/* its message, under the lock */
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		return;
	buf_adds(&r->body, "</table>");
	if (l.rows >= DB_CONSOLE_ROWS_MAX)
		buf_addf(&r->body, "<p class=\"note\">The newest %d rows are shown; tsi smp "
		    "list lists them all.</p>", DB_CONSOLE_ROWS_MAX);
	buf_adds(&r->body, "<h2>Associate two computers</h2><form method=\"post\" "
	    "action=\"/console/associations\" id=\"associate\">");
	console_csrf_field(&r->body, cx);
	buf_adds(&r->body, "<label>Source <input name=\"source\" id=\"source\" required>"
	    "</label><label>Destination <input name=\"dest\" id=\"dest\" required></label>"
	    "<label>Users <input name=\"users\" value=\"all\"></label><label>Behavior "
	    "<select name=\"behavior\"><option>capture-restore-all</option><option>"
	    "capture-all-restore-specified</option><option>capture-restore-specified"
	    "</option></select></label><button type=\"submit\">Associate</button></form>");
	console_page_end(&r->body);
}

static void
associate(struct smp_server *s, const struct console_req *q, const struct console_ctx *cx,
    struct smp_reply *r)
{
	char		 src[SMP_NODE_LEN], dst[SMP_NODE_LEN], users[512] = "", beh[64] = "";
	char		*err = NULL;
	const char	*u = users, *bh = beh;
	long long	 id;
	int		 st;

	if (form_value(q->body, q->body_len, "source", src, sizeof src) != 1 ||
	    form_value(q->body, q->body_len, "dest", dst, sizeof dst) != 1 ||
	    form_value(q->body, q->body_len, "users", users, sizeof users) == -1 ||
	    form_value(q->body, q->body_len, "behavior", beh, sizeof beh) == -1) {
		associations(s, cx, "Give a source and a destination.", r);
		return;
	}
	if (smp_association_check(&u, &bh, &err) == -1) {
		associations(s, cx, err, r);
		free(err);
		return;
	}
	pthread_mutex_lock(&s->lock);
	st = db_association_add(s->db, src, dst, u, bh, (long long)time(NULL), &id);
	if (st == -1)
		console_db_error(s, r);
	pthread_mutex_unlock(&s->lock);
	if (st == DB_MISSING)
		associations(s, cx, "Both computers must be registered (tsi smp computer "
		    "add).", r);
	else if (st == DB_TAKEN)
		associations(s, cx, "These two computers are associated already.", r);
	else if (st != -1) {
		fprintf(stderr, "tsi smp: console: admin '%s' associated %s -> %s "
		    "(association %lld)\n", cx->admin, src, dst, id);
		console_see_other(r, "/console/associations");
	}
}

static void
delete_file(void *ctx, const char *id, const char *folder)
{
	struct smp_server	*s = ctx;

	smp_store_files_remove(s->dir, folder, id);
}

static void
delete_association(struct smp_server *s, const struct console_req *q,
    const struct console_ctx *cx, long long id, struct smp_reply *r)
{
	char	*why = NULL, text[64];
	int	 ok, found;

	if (strcmp(q->method, "POST") != 0) {
		/* the confirmation: a page of its own, a form to send */
		r->status = 200;
		snprintf(text, sizeof text, "Delete association %lld?", id);
		console_page_start(&r->body, text, cx);
		buf_addf(&r->body, "<p>Its stores are deleted with it, on whichever node "
		    "holds them. This cannot be undone.</p><form method=\"post\" action="
		    "\"/console/associations/%lld/delete\" id=\"confirm-delete\" "
		    "data-confirm=\"Delete association %lld and its stores?\">", id, id);
		console_csrf_field(&r->body, cx);
		buf_adds(&r->body, "<button type=\"submit\" class=\"danger\">Delete</button> "
		    "<a href=\"/console/associations\">Keep it</a></form>");
		console_page_end(&r->body);
		return;
	}
	pthread_mutex_lock(&s->lock);
	found = db_association_id_number(s->db, id);
	ok = found == 1 &&
	    db_association_delete(s->db, s->conf.node, id, delete_file, s, &why) == 0;
	if (found == -1)
		console_db_error(s, r);
	pthread_mutex_unlock(&s->lock);
	if (found == -1)
		return;
	if (found == 0) {
		associations(s, cx, "There is no such association (deleted already?).", r);
		r->status = 404;
		return;
	}
	if (!ok) {
		associations(s, cx, why, r);
		free(why);
		return;
	}
	fprintf(stderr, "tsi smp: console: admin '%s' deleted association %lld\n", cx->admin,
	    id);
	console_see_other(r, "/console/associations");
}

static void
restore_only(struct smp_server *s, const struct console_req *q,
    const struct console_ctx *cx, const char *node, struct smp_reply *r)
{
	char	on[8];
	int	ok;

	if (strcmp(q->method, "POST") != 0 || !smp_node_name_ok(node) ||
	    form_value(q->body, q->body_len, "on", on, sizeof on) != 1 ||
	    (strcmp(on, "yes") != 0 && strcmp(on, "no") != 0)) {
		r->status = 400;
		r->html = 0;
		buf_adds(&r->body, "error: a node's restore-only is set by its form\n");
		return;
	}
	pthread_mutex_lock(&s->lock);
	ok = db_node_set_restore_only(s->db, node, strcmp(on, "yes") == 0) == 0;
	if (!ok)
		console_db_error(s, r);
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		return;
	fprintf(stderr, "tsi smp: console: admin '%s' set node %s %s\n", cx->admin, node,
	    strcmp(on, "yes") == 0 ? "restore-only" : "to take captures again");
	console_see_other(r, "/console/");
}

void
console_act(struct smp_server *s, const struct console_req *q, const struct console_ctx *cx,
    const char *rest, struct smp_reply *r)
{
	char		node[SMP_NODE_LEN];
	long long	id;
	int		post = strcmp(q->method, "POST") == 0, n = 0;
	size_t		len;

	if (strcmp(rest, "/associations") == 0 && post)
		associate(s, q, cx, r);
	else if (strcmp(rest, "/associations") == 0)
		associations(s, cx, NULL, r);
	else if (sscanf(rest, "/associations/%lld/delete%n", &id, &n) == 1 &&
	    rest[n] == '\0' && id > 0)
		delete_association(s, q, cx, id, r);
	else if (strncmp(rest, "/nodes/", 7) == 0 &&
	    (len = strcspn(rest + 7, "/")) < sizeof node &&
	    strcmp(rest + 7 + len, "/restore-only") == 0) {
		memcpy(node, rest + 7, len);
		node[len] = '\0';
		restore_only(s, q, cx, node, r);
	} else {
		r->status = 404;
		r->html = 0;
		buf_adds(&r->body, "error: there is no such page\n");
	}
}
