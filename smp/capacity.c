/*
 * capacity.c - where a new capture goes and when a store goes away: the
 * storage folders' limits (max_clients, min_free, and a floor no upload
 * piece may cross), the retention timer that starts when the destination
 * releases its store, and uploads abandoned for a week.
 */
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "smp-int.h"

static char *
folder_path(const struct smp_server *s, const char *folder)
{
	return folder[0] == '/' ? xstrdup(folder) : xasprintf("%s/%s", s->dir, folder);
}

/* Stores a folder holds (every state but deleted). Lock held. */
static long
folder_clients(struct smp_server *s, const char *folder)
{
	sqlite3_stmt	*st;
	long		 n = -1;

	if ((st = smp_db_prep(s->db, "SELECT count(*) FROM stores WHERE folder = ? AND "
	    "state IN ('uploading', 'complete', 'released')", "t", folder)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
smp_pick_folder(struct smp_server *s, char *why, size_t whylen)
{
	const struct smp_folder	*f;
	struct statvfs		 vfs;
	uint64_t		 freemb, best_free = 0, need;
	long			 n;
	size_t			 i;
	int			 best = -1;
	char			*path;

	snprintf(why, whylen, "no storage folder is configured");
	for (i = 0; i < s->conf.nfolders; i++) {
		f = &s->conf.folders[i];
		path = folder_path(s, f->path);
		if (statvfs(path, &vfs) == -1) {
			snprintf(why, whylen, "folder '%s': %s", f->path, strerror(errno));
			free(path);
			continue;
		}
		free(path);
		freemb = (uint64_t)vfs.f_bavail * vfs.f_frsize >> 20;
		need = f->min_free_pct ? ((uint64_t)vfs.f_blocks * vfs.f_frsize >> 20) *
		    (uint64_t)f->min_free_pct / 100 : f->min_free_mb;
		if ((n = folder_clients(s, f->path)) < 0) {
			snprintf(why, whylen, "the database failed: %s", sqlite3_errmsg(s->db));
			continue;
		}
		if (n >= f->max_clients)
			snprintf(why, whylen, "folder '%s' holds %ld stores, its max_clients",
			    f->path, n);
		else if (freemb < need)
			snprintf(why, whylen, "folder '%s' has %llu MB free, below its "
			    "min_free of %llu MB", f->path, (unsigned long long)freemb,
			    (unsigned long long)need);
		else if (best == -1 || freemb > best_free) {
			best = (int)i;
			best_free = freemb;
		}
	}
	return best;
}

int
smp_folder_room(struct smp_server *s, const char *folder, uint64_t bytes)
{
	struct statvfs	 vfs;
	char		*path = folder_path(s, folder);
	int		 r = statvfs(path, &vfs);

	free(path);
	if (r == -1)
		return 0;	/* the write will say */
	return (uint64_t)vfs.f_bavail * vfs.f_frsize < bytes + ((uint64_t)SMP_FLOOR_MB << 20) ?
	    -1 : 0;
}

/* Marks a store deleted after its file went; the lock is held. */
static void
mark_deleted(struct smp_server *s, const char *id)
{
	smp_db_exec(smp_db_prep(s->db, "UPDATE stores SET state = 'deleted' WHERE id = ?",
	    "t", id));
}

/* Uploads nobody touched for SMP_ABANDONED_S: a capture that never came
 * back.  They hold a client slot and disk; they go. Lock held. */
static void
reap_abandoned(struct smp_server *s, long long now)
{
	sqlite3_stmt	*st;
	char		*path;

	if ((st = smp_db_prep(s->db, "SELECT id, folder FROM stores WHERE state = "
	    "'uploading' AND COALESCE(touched, created) <= ?", "i",
	    now - SMP_ABANDONED_S)) == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);

		if (smp_uploading(s, id))
			continue;
		path = smp_store_path(s->dir, (const char *)sqlite3_column_text(st, 1), id, 1);
		if (unlink(path) == 0 || errno == ENOENT) {
			mark_deleted(s, id);
			fprintf(stderr, "tsi smp: store %s deleted: its upload was abandoned "
			    "(untouched for %d days)\n", id, SMP_ABANDONED_S / 86400);
		}
		free(path);
	}
	sqlite3_finalize(st);
}

void
smp_retention_tick(struct smp_server *s)
{
	sqlite3_stmt	*st;
	long long	 now = (long long)time(NULL);
	char		*path;

	pthread_mutex_lock(&s->lock);
	if ((st = smp_db_prep(s->db, "SELECT id, folder FROM stores WHERE state = "
	    "'released' AND released <= ?", "i", now - s->conf.retention_s)) != NULL) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0);

			path = smp_store_path(s->dir, (const char *)sqlite3_column_text(st, 1), id, 0);
			if (unlink(path) == 0 || errno == ENOENT) {
				mark_deleted(s, id);
				fprintf(stderr, "tsi smp: store %s deleted: its retention time "
				    "passed\n", id);
			} else
				fprintf(stderr, "tsi smp: cannot delete store %s: %s\n", id,
				    strerror(errno));
			free(path);
		}
		sqlite3_finalize(st);
	}
	reap_abandoned(s, now);
	smp_db_exec(smp_db_prep(s->db, "DELETE FROM nonces WHERE seen < ?", "i",
	    now - 2 * SMP_CLOCK_SKEW_S));
	pthread_mutex_unlock(&s->lock);
}
