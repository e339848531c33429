/*
 * events.c - POST /v1/events (proto.h): what a computer's runs did, kept
 * for `tsi smp status`.  The body is read by events-wire.c; the batch is
 * stored in one transaction (db-status.c), so that a request is applied
 * whole or not at all, and an event stored already (the same computer,
 * run and number: a batch sent again after a lost answer) counts as
 * acknowledged.  The computer is the one that signed the request; it
 * need not be party to any association.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smp-int.h"

void
smp_h_events(struct smp_server *s, const struct smp_who *who, const char *body,
    size_t len, struct smp_reply *r)
{
	struct smp_event	*evs;
	size_t			 n;
	char			*why;
	int			 st;

	if ((st = smp_events_parse(body, len, &evs, &n, &why)) != 0) {
		smp_reply_error(r, st, "%s", why);
		free(why);
		return;
	}
	/* a connection of their own: a batch's transaction holds up no
	 * request for a store */
	pthread_mutex_lock(&s->events_lock);
	if (db_events_add(s->events_db, who->name, evs, n, (long long)time(NULL)) == -1)
		smp_reply_db_failed(s->events_db, r);
	else {
		r->status = 200;
		buf_reset(&r->body);
		buf_addf(&r->body, "acknowledged: %zu\n", n);
	}
	pthread_mutex_unlock(&s->events_lock);
	free(evs);
}
