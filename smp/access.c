/*
 * access.c - what every handler shares: the error reply, and a store as a
 * request sees it (its row, and whether the caller is its source, its
 * destination or a stranger to it).  The database is the truth: a store
 * is "uploading" until a release finds it whole, then "complete" (only
 * the destination reads it), then "released" (the retention timer runs),
 * then "deleted".
 */
#include "smp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smp-int.h"

void
smp_reply_error(struct smp_reply *r, int status, const char *fmt, ...)
{
	va_list	ap;

	r->status = status;
	buf_reset(&r->body);
	buf_adds(&r->body, "error: ");
	va_start(ap, fmt);
	{
		char *m = xvasprintf(fmt, ap);

		buf_adds(&r->body, m);
		free(m);
	}
	va_end(ap);
	buf_addch(&r->body, '\n');
}

void
smp_reply_db_error(struct smp_server *s, struct smp_reply *r)
{
	if (smp_db_failure(s->db) == DBF_DOWN)
		smp_reply_error(r, 503, "the site database is unreachable; try again "
		    "later: %s", smp_db_error(s->db));
	else
		smp_reply_error(r, 500, "the SMP's database failed: %s",
		    smp_db_error(s->db));
}

/* Lock held. */
int
smp_find_store(struct smp_server *s, const struct smp_who *who, const char *id,
    struct smp_store_row *row, struct smp_reply *r)
{
	int	part;

	if (!db_store_get(s->db, id, row)) {
		smp_reply_error(r, 404, "store %s is not on this SMP", id);
		return -1;
	}
	part = (strcmp(row->source, who->name) == 0 ? 1 : 0) |
	    (strcmp(row->dest, who->name) == 0 ? 2 : 0);
	if (part == 0) {
		smp_reply_error(r, 403, "computer '%s' is not party to the association of "
		    "store %s", who->name, id);
		return -1;
	}
	if (strcmp(row->state, "deleted") == 0) {
		smp_reply_error(r, 410, "store %s was deleted after its retention time", id);
		return -1;
	}
	return part;
}
