/*
 * retention.c - when a store goes away: the retention timer that starts
 * when the destination releases its store, uploads abandoned for a week,
 * and nonces older than the clock window.  The main thread runs it every
 * second (server.c).
 */
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smp-int.h"

/* A released store whose retention passed: its file, then its row. Lock held. */
static void
expire(void *ctx, const char *id, const char *folder)
{
	struct smp_server	*s = ctx;
	char			*path = smp_store_path(s->dir, folder, id, 0);

	if (unlink(path) == 0 || errno == ENOENT) {
		db_store_set_deleted(s->db, id);
		fprintf(stderr, "tsi smp: store %s deleted: its retention time passed\n", id);
	} else
		fprintf(stderr, "tsi smp: cannot delete store %s: %s\n", id, strerror(errno));
	free(path);
}

/* An upload nobody touched for SMP_ABANDONED_S: a capture that never came
 * back.  It holds a client slot and disk; it goes. Lock held. */
static void
reap_abandoned(void *ctx, const char *id, const char *folder)
{
	struct smp_server	*s = ctx;
	char			*path;

	if (smp_uploading(s, id))
		return;
	path = smp_store_path(s->dir, folder, id, 1);
	if (unlink(path) == 0 || errno == ENOENT) {
		db_store_set_deleted(s->db, id);
		fprintf(stderr, "tsi smp: store %s deleted: its upload was abandoned "
		    "(untouched for %d days)\n", id, SMP_ABANDONED_S / 86400);
	}
	free(path);
}

void
smp_retention_tick(struct smp_server *s)
{
	long long	now = (long long)time(NULL);

	pthread_mutex_lock(&s->lock);
	db_stores_expired(s->db, s->conf.node, now - s->conf.retention_s, expire, s);
	db_stores_abandoned(s->db, s->conf.node, now - SMP_ABANDONED_S, reap_abandoned, s);
	db_nonces_forget(s->db, now - 2 * SMP_CLOCK_SKEW_S);
	pthread_mutex_unlock(&s->lock);
}
