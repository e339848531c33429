/*
 * access.c - a store as a request sees it (its row, and whether the caller is its source, its
 * destination or a stranger to it).  The database is the truth: a store
 * is "uploading" until a release finds it whole, then "complete" (only
 * the destination reads it), then "released" (the retention timer runs),
 * then "deleted".
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smp-int.h"

/* Lock held. */
int
smp_find_store(struct smp_server *s, const struct smp_who *who, const struct smp_req *q,
    struct smp_store_row *row, struct smp_reply *r)
{
	const char	*id = q->id;
	int		 part;

	if (!db_store_get(s->db, id, row)) {
		if (smp_db_failure(s->db) != DBF_NONE)
			smp_reply_db_error(s, r);
		else
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
	/* another node of the site holds it: the client is sent there */
	if (strcmp(row->node, s->conf.node) != 0) {
		smp_site_send_to(s, row->node, q->target, r);
		return -1;
	}
	return part;
}
