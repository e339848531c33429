/*
 * reply.c - an error's answer, as every handler, the redirects of a site
 * and the authentication give it: a status and one line that says what
 * went wrong and what to do; a database that cannot be reached is a 503
 * the client may come back from.
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
smp_reply_db_failed(struct smp_db *db, struct smp_reply *r)
{
	smp_metrics_db_error();
	if (smp_db_failure(db) == DBF_DOWN) {
		smp_reply_error(r, 503, "the site database is unreachable; try again "
		    "later: %s", smp_db_error(db));
		r->retry_after = SMP_DB_RETRY_S;
	} else
		smp_reply_error(r, 500, "the SMP's database failed: %s", smp_db_error(db));
}

void
smp_reply_db_error(struct smp_server *s, struct smp_reply *r)
{
	smp_reply_db_failed(s->db, r);
}
