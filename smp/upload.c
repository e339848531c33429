/*
 * upload.c - the upload registry and an upload's steps.  The registry
 * (uploading[] of struct smp_server) names the stores an upload or a
 * release check holds now, so two never write one store and retention
 * never reaps one under way.  An upload is begun when its head is
 * authenticated (the checks, then the file opened at its offset), fed by
 * server.c, and ended after its body (on disk, then acknowledged) or
 * abandoned when the body is cut short.
 */
#include "smp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/faults.h"
#include "smp-int.h"

/* The registry: lock held. */
int
smp_uploading_add(struct smp_server *s, const char *id)
{
	size_t	i, free_slot = SMP_UPLOADS_MAX;

	for (i = 0; i < SMP_UPLOADS_MAX; i++) {
		if (strcmp(s->uploading[i], id) == 0)
			return -1;
		if (s->uploading[i][0] == '\0' && free_slot == SMP_UPLOADS_MAX)
			free_slot = i;
	}
	if (free_slot == SMP_UPLOADS_MAX)
		return -1;
	memcpy(s->uploading[free_slot], id, SMP_STORE_ID_HEX + 1);
	return 0;
}

int
smp_uploading(struct smp_server *s, const char *id)
{
	size_t	i;

	for (i = 0; i < SMP_UPLOADS_MAX; i++)
		if (strcmp(s->uploading[i], id) == 0)
			return 1;
	return 0;
}

void
smp_uploading_remove(struct smp_server *s, const char *id)
{
	size_t	i;

	for (i = 0; i < SMP_UPLOADS_MAX; i++)
		if (strcmp(s->uploading[i], id) == 0)
			s->uploading[i][0] = '\0';
}

int
smp_uploading_count(struct smp_server *s)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < SMP_UPLOADS_MAX; i++)
		n += s->uploading[i][0] != '\0';
	return n;
}

int
smp_upload_begin(struct smp_server *s, const struct smp_who *who, const struct smp_head *h,
    struct smp_upload *u, struct smp_reply *r)
{
	const struct smp_req	*q = &h->req;
	struct smp_store_row	 row;
	char			*path = NULL;
	int			 part;

	memset(u, 0, sizeof *u);
	u->fd = -1;
	if (h->body_len > s->conf.max_request_mb << 20) {
		smp_reply_error(r, 413, "an upload request carries at most %llu MB",
		    (unsigned long long)s->conf.max_request_mb);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	if ((part = smp_find_store(s, who, q, &row, r)) < 0)
		goto out;
	if (!(part & 1)) {
		smp_reply_error(r, 403, "only the source computer '%s' writes store %s",
		    row.source, q->id);
		goto out;
	}
	if (strcmp(row.state, "uploading") != 0) {
		smp_reply_error(r, 409, "store %s is %s: it takes no more data", q->id,
		    row.state);
		goto out;
	}
	if (q->offset != 0 && q->offset != (uint64_t)row.size) {
		smp_reply_error(r, 409, "store %s has %lld bytes: an upload continues at "
		    "that offset, or starts again at 0", q->id, row.size);
		goto out;
	}
	if (q->offset + h->body_len > s->conf.max_store_mb << 20) {
		smp_reply_error(r, 413, "a store holds at most %llu MB on this SMP",
		    (unsigned long long)s->conf.max_store_mb);
		goto out;
	}
	if (smp_folder_room(s, row.folder, h->body_len) == -1) {
		smp_reply_error(r, 507, "the SMP's storage folder is full: it keeps %d MB "
		    "free", SMP_FLOOR_MB);
		goto out;
	}
	if (smp_uploading_add(s, q->id) == -1) {
		smp_reply_error(r, 423, "another upload to store %s is under way; try "
		    "again when it ends", q->id);
		goto out;
	}
	path = smp_store_path(s->dir, row.folder, q->id, 1);
	u->fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (u->fd != -1 && q->offset == 0)
		fsync_dir_of(path);	/* the file outlives a crash as its size says */
	/* what is past the last acknowledged byte was never promised */
	if (u->fd == -1 || ftruncate(u->fd, (off_t)q->offset) == -1) {
		smp_reply_error(r, 500, "cannot write the store: %s", strerror(errno));
		smp_uploading_remove(s, q->id);
		if (u->fd != -1)
			close(u->fd);
		u->fd = -1;
		goto out;
	}
	if (q->offset == 0 && row.size != 0)
		db_store_reset_size(s->db, q->id);
	memcpy(u->id, q->id, sizeof u->id);
	u->offset = q->offset;
	u->length = h->body_len;
	snprintf(u->sha, sizeof u->sha, "%s", h->body_sha);
out:
	pthread_mutex_unlock(&s->lock);
	free(path);
	return u->fd == -1 ? -1 : 0;
}

void
smp_upload_abandon(struct smp_server *s, struct smp_upload *u)
{
	if (u->fd == -1)
		return;
	close(u->fd);
	u->fd = -1;
	pthread_mutex_lock(&s->lock);
	smp_uploading_remove(s, u->id);
	pthread_mutex_unlock(&s->lock);
}

void
smp_upload_end(struct smp_server *s, struct smp_upload *u, const char *body_sha,
    struct smp_reply *r)
{
	uint64_t	end = u->offset + u->received;
	int		done;

	if (u->failed)
		smp_reply_error(r, u->failed == ENOSPC ? 507 : 500, "cannot write the "
		    "store: %s", strerror(u->failed));
	else if (u->received != u->length || strcmp(body_sha, u->sha) != 0)
		smp_reply_error(r, 400, "the body does not match its length or "
		    "X-TSI-Content-SHA256; the store stays at offset %llu",
		    (unsigned long long)u->offset);
	else if (fdatasync(u->fd) == -1)
		smp_reply_error(r, 500, "cannot write the store: %s", strerror(errno));
	else {
		/* tests: a window to kill the SMP or the client mid-transfer */
		FAULT_SLEEP(TSI_FAULT_SMP_SLOW_MS);
		/* on disk before it is acknowledged */
		pthread_mutex_lock(&s->lock);
		if ((done = db_store_uploaded(s->db, u->id, (long long)end,
		    (long long)time(NULL))) == -1)
			smp_reply_db_error(s, r);
		else if (!done)		/* deleted meanwhile */
			smp_reply_error(r, 410, "store %s was deleted during the upload", u->id);
		else {
			r->status = 200;
			buf_addf(&r->body, "offset: %llu\n", (unsigned long long)end);
		}
		pthread_mutex_unlock(&s->lock);
	}
	smp_upload_abandon(s, u);
}
