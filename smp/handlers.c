/*
 * handlers.c - the routes: what the SMP does for each request (proto.h)
 * once its head is parsed (request.c) and its sender authenticated
 * (authenticate.c): capacity, request (capture or restore), status,
 * download and release with its keyless check of an uploaded store, by
 * the association's rules (sccm-spec.md §2.2-2.4, §3.2).  An upload's
 * steps are upload.c's.
 */
#include "smp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/faults.h"
#include "../store/fastcrypto.h"
#include "../store/store.h"
#include "smp-int.h"

void
smp_h_capacity(struct smp_server *s, const struct smp_who *who, struct smp_reply *r)
{
	char	why[256] = "", other[400];
	int	f, elsewhere = 0, ro;

	(void)who;
	pthread_mutex_lock(&s->lock);
	/* read once: an admin may set it meanwhile (console) */
	ro = smp_restore_only(s);
	f = ro ? -1 : smp_pick_folder(s, why, sizeof why);
	/* a node of a site without room sends a capture on to one with room */
	if (f < 0)
		elsewhere = smp_site_capture_url(s, other, sizeof other);
	pthread_mutex_unlock(&s->lock);
	r->status = 200;
	buf_addf(&r->body, "restore_only: %s\ncapture: %s\n", ro ? "true" : "false",
	    f >= 0 || elsewhere ? "yes" : "no");
	if (ro)
		buf_adds(&r->body, "reason: this SMP is in restore-only mode\n");
	else if (f < 0)
		buf_addf(&r->body, "reason: %s\n", why);
	if (elsewhere)
		buf_addf(&r->body, "site: another node takes it: %s\n", other);
}

static int
new_store_id(char out[SMP_STORE_ID_HEX + 1])
{
	unsigned char	rnd[SMP_STORE_ID_HEX / 2];

	if (rng_fill(NULL, rnd, sizeof rnd) != 0)
		return -1;
	hex_encode(rnd, sizeof rnd, out);
	return 0;
}

/* The association this computer captures for: the one it is the source of
 * (made in place, source = destination, for a refresh when it has none).
 * 0 with *assoc and dest, or -1 with r filled. Lock held. */
static int
capture_association(struct smp_server *s, const struct smp_who *who, long long *assoc,
    char **dest, struct smp_reply *r)
{
	int	n;

	n = db_capture_associations(s->db, who->name, assoc, dest);
	if (n > 1) {
		smp_reply_error(r, 409, "computer '%s' is the source of %d associations "
		    "without a store: delete the ones not meant (tsi smp delete)", who->name, n);
		free(*dest);
		return -1;
	}
	if (n == 1)
		return 0;
	if (db_associations_of(s->db, who->name) > 0) {
		smp_reply_error(r, 409, "the store of computer '%s' waits for its restore; "
		    "to capture again, tsi smp delete its association first", who->name);
		return -1;
	}
	/* a refresh: the computer is its own destination */
	if (db_association_add_refresh(s->db, who->name, (long long)time(NULL),
	    assoc) == -1) {
		smp_reply_db_error(s, r);
		return -1;
	}
	*dest = xstrdup(who->name);
	return 0;
}

/* Lock held. */
static void
request_capture(struct smp_server *s, const struct smp_who *who, struct smp_reply *r)
{
	long long	 assoc = 0;
	char		 id[SMP_STORE_ID_HEX + 1] = "", why[256], *dest = NULL, *line = NULL;
	char		 node[SMP_NODE_LEN] = "";
	int		 f;

	if (capture_association(s, who, &assoc, &dest, r) == -1)
		return;
	/* an upload under way (a capture that is run again) keeps its store,
	 * on whichever node of the site it is */
	db_store_uploading_of(s->db, assoc, id, node);
	if (id[0] != '\0' && strcmp(node, s->conf.node) != 0) {
		smp_site_send_to(s, node, "/v1/request?mode=capture", r);
		goto out;
	}
	if (id[0] == '\0') {
		f = smp_restore_only(s) ? -1 : smp_pick_folder(s, why, sizeof why);
		if (smp_site_capture_elsewhere(s, who, f >= 0, r))
			goto out;
		if (smp_restore_only(s)) {
			smp_reply_error(r, 503, "this SMP is in restore-only mode: it takes "
			    "no new capture");
			goto out;
		}
		if (f < 0) {
			smp_reply_error(r, 507, "no storage folder takes a new capture: %s", why);
			goto out;
		}
		if (new_store_id(id) == -1) {
			smp_reply_error(r, 500, "no random numbers for a store id");
			goto out;
		}
		if (db_store_add(s->db, id, assoc, s->conf.node, s->conf.folders[f].path,
		    (long long)time(NULL)) == -1) {
			smp_reply_db_error(s, r);
			goto out;
		}
	}
	if ((line = db_computer_line(s->db, dest)) == NULL) {
		smp_reply_db_error(s, r);
		goto out;
	}
	r->status = 200;
	buf_addf(&r->body, "store: %s\npath: /v1/stores/%s\ndestination: %s\n", id, id, dest);
	buf_addf(&r->body, "recipient: %s", line);
	buf_addf(&r->body, "recipient: %s", s->recovery_line);
out:
	free(line);
	free(dest);
}

/* Lock held. */
static void
request_restore(struct smp_server *s, const struct smp_who *who, struct smp_reply *r)
{
	char	id[SMP_STORE_ID_HEX + 1] = "", state[SMP_STATE_LEN] = "", node[SMP_NODE_LEN];

	if (!db_store_for_dest(s->db, who->name, id, state, node) &&
	    smp_db_failure(s->db) != DBF_NONE)
		smp_reply_db_error(s, r);
	else if (id[0] == '\0')
		smp_reply_error(r, 404, "this SMP holds no store for computer '%s'", who->name);
	else if (strcmp(node, s->conf.node) != 0)
		smp_site_send_to(s, node, "/v1/request?mode=restore", r);
	else if (strcmp(state, "uploading") == 0)
		smp_reply_error(r, 409, "the store for computer '%s' is not released by its "
		    "source yet (the capture has not finished)", who->name);
	else if (db_store_set_restore_requested(s->db, id) == -1)
		smp_reply_db_error(s, r);
	else {
		r->status = 200;
		buf_addf(&r->body, "store: %s\npath: /v1/stores/%s\nstate: %s\n", id, id, state);
	}
}

void
smp_h_request(struct smp_server *s, const struct smp_who *who, const struct smp_req *q,
    struct smp_reply *r)
{
	pthread_mutex_lock(&s->lock);
	if (strcmp(q->mode, "capture") == 0)
		request_capture(s, who, r);
	else
		request_restore(s, who, r);
	pthread_mutex_unlock(&s->lock);
}

void
smp_h_status(struct smp_server *s, const struct smp_who *who, const struct smp_req *q,
    struct smp_reply *r)
{
	struct smp_store_row	 row;
	char			*line;

	pthread_mutex_lock(&s->lock);
	if (smp_find_store(s, who, q, &row, r) >= 0) {
		/* the association's behaviour: whose state is captured, whose
		 * restored (sccm-spec.md §3.2); the client applies it */
		r->status = 200;
		buf_addf(&r->body, "store: %s\nstate: %s\nsize: %lld\nsource: %s\n"
		    "destination: %s\ncapture_users: %s\nrestore_users: %s\n"
		    "max_request_mb: %llu\n", q->id, row.state, row.size, row.source, row.dest,
		    strcmp(row.behavior, "capture-restore-specified") == 0 ? row.users : "all",
		    strcmp(row.behavior, "capture-restore-all") == 0 ? "all" : row.users,
		    (unsigned long long)s->conf.max_request_mb);
		if ((line = db_computer_line(s->db, row.dest)) != NULL)
			buf_addf(&r->body, "recipient: %s", line);
		free(line);
		buf_addf(&r->body, "recipient: %s", s->recovery_line);
	}
	pthread_mutex_unlock(&s->lock);
}

void
smp_h_download(struct smp_server *s, const struct smp_who *who, const struct smp_req *q,
    struct smp_reply *r)
{
	struct smp_store_row	 row;
	struct stat		 st;
	char			*path = NULL;
	uint64_t		 to;
	int			 part;

	pthread_mutex_lock(&s->lock);
	part = smp_find_store(s, who, q, &row, r);
	if (part >= 0)
		path = smp_store_path(s->dir, row.folder, q->id, 0);
	pthread_mutex_unlock(&s->lock);
	if (part < 0)
		return;
	/* tests: a window to kill the SMP or the client mid-transfer */
	FAULT_SLEEP(TSI_FAULT_SMP_SLOW_MS);
	if (!(part & 2))
		smp_reply_error(r, 403, "only the destination computer '%s' reads store %s",
		    row.dest, q->id);
	else if (strcmp(row.state, "uploading") == 0)
		smp_reply_error(r, 409, "store %s is not released by its source yet", q->id);
	else if ((r->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(r->fd, &st) == -1)
		smp_reply_error(r, 500, "cannot read store %s: %s", q->id, strerror(errno));
	else {
		r->total = (uint64_t)st.st_size;
		r->from = 0;
		r->len = r->total;
		r->status = 200;
		/* a Range not understood was ignored: the whole store */
		if (q->has_range) {
			if (q->range_from >= r->total) {
				smp_reply_error(r, 416, "the store has %llu bytes",
				    (unsigned long long)r->total);
				close(r->fd);
				r->fd = -1;
			} else {
				to = q->range_to >= r->total ? r->total - 1 : q->range_to;
				r->from = q->range_from;
				r->len = to - q->range_from + 1;
				r->partial = 1;
				r->status = 206;
			}
		}
	}
	free(path);
}

/* Whether the store's recipients are exactly the destination's key and
 * the recovery key: nobody else may be able to open it. */
static int
recipients_ok(struct smp_server *s, const char *dest_line, const char *have, char *why,
    size_t whylen)
{
	struct identity	 d, rk;
	char		 want[40], want2[40], *e = NULL;
	int		 ok = 0;

	memset(&d, 0, sizeof d);
	memset(&rk, 0, sizeof rk);
	if (dest_line == NULL || identity_parse_public(dest_line, &d, &e) == -1) {
		identity_wipe(&d);
		free(e);
		snprintf(why, whylen, "the destination's key is missing");
		return 0;
	}
	if (identity_parse_public(s->recovery_line, &rk, &e) == 0) {
		identity_key_id(d.x25519_pub, want);
		identity_key_id(rk.x25519_pub, want2);
		ok = (strlen(have) == 33 && ((strncmp(have, want, 16) == 0 &&
		    strcmp(have + 17, want2) == 0) || (strncmp(have, want2, 16) == 0 &&
		    strcmp(have + 17, want) == 0)));
	}
	identity_wipe(&rk);
	free(e);
	identity_wipe(&d);
	if (!ok)
		snprintf(why, whylen, "it is encrypted to %s, not to exactly the "
		    "destination and the site's recovery key", have);
	return ok;
}

struct damage {
	uint64_t	first;
	int		n;
};

static void
on_damage(void *ctx, uint64_t chunk, const char *why)
{
	struct damage	*d = ctx;

	(void)why;
	if (d->n++ == 0)
		d->first = chunk;
}

static long
fd_pread(void *ctx, void *p, size_t n, uint64_t off)
{
	return (long)pread(*(int *)ctx, p, n, (off_t)off);
}

/* The keyless check of an uploaded store; 0, or -1 with why. */
static int
check_upload(struct smp_server *s, const char *path, uint64_t size, const char *dest_line,
    char *why, size_t whylen)
{
	struct store_file	*sf = NULL;
	struct damage		 d = { 0, 0 };
	char			*e = NULL;
	int			 fd, r = -1;

	if ((fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    ftruncate(fd, (off_t)size) == -1) {
		snprintf(why, whylen, "cannot read it: %s", strerror(errno));
		goto out;
	}
	if (store_file_open(&sf, fd_pread, &fd, size, NULL, &e) == -1) {
		snprintf(why, whylen, "it is incomplete or not a store (%s)", e);
		goto out;
	}
	if (store_file_check(sf, on_damage, &d, &e) != 0) {
		if (e != NULL)
			snprintf(why, whylen, "%s", e);
		else
			snprintf(why, whylen, "%d chunk%s damaged, the first is chunk %llu",
			    d.n, d.n == 1 ? " is" : "s are", (unsigned long long)d.first);
		goto out;
	}
	if (!recipients_ok(s, dest_line, store_file_recipients(sf), why, whylen))
		goto out;
	r = fsync(fd);
	if (r == -1)
		snprintf(why, whylen, "cannot write it: %s", strerror(errno));
out:
	store_file_free(sf);
	free(e);
	if (fd != -1)
		close(fd);
	return r;
}

/* The capture-side release: the upload is checked with the lock let go
 * (a big store takes a while; its uploading[] slot keeps writers out).
 * Lock held on entry and on return. */
static void
release_capture(struct smp_server *s, const struct smp_req *q, struct smp_store_row *row,
    struct smp_reply *r)
{
	char	*partial = smp_store_path(s->dir, row->folder, q->id, 1);
	char	*final = smp_store_path(s->dir, row->folder, q->id, 0), why[512];
	char	*dest_line = db_computer_line(s->db, row->dest);
	int	 ok;

	if (smp_uploading_add(s, q->id) == -1) {
		smp_reply_error(r, 423, "an upload to store %s is under way; try again "
		    "when it ends", q->id);
		goto out;
	}
	pthread_mutex_unlock(&s->lock);
	ok = check_upload(s, partial, (uint64_t)row->size, dest_line, why, sizeof why) == 0;
	if (!ok)
		smp_reply_error(r, 409, "store %s cannot be released: %s; capture again",
		    q->id, why);
	else if (chmod(partial, 0400) == -1 || rename(partial, final) == -1 ||
	    fsync_dir_of(final) == -1) {
		smp_reply_error(r, 500, "cannot complete store %s: %s", q->id,
		    strerror(errno));
		ok = 0;
	}
	pthread_mutex_lock(&s->lock);
	if (ok && db_store_set_complete(s->db, q->id, (long long)time(NULL)) == -1)
		smp_reply_db_error(s, r);
	else if (ok) {
		r->status = 200;
		buf_addf(&r->body, "store: %s\nstate: complete\nsize: %lld\n", q->id,
		    row->size);
	}
	smp_uploading_remove(s, q->id);
out:
	free(dest_line);
	free(partial);
	free(final);
}

/*
 * A release says which side it is by the store's state and what the
 * destination did: the source releases an upload; the destination
 * releases a complete store it asked for.  Either side releasing again
 * (an answer lost, a step run again) gets the same answer, and a refresh's
 * computer, both sides at once, never starts the retention timer by
 * repeating its capture release.
 */
void
smp_h_release(struct smp_server *s, const struct smp_who *who, const struct smp_req *q,
    struct smp_reply *r)
{
	struct smp_store_row	row;
	int			part, src, dst;

	pthread_mutex_lock(&s->lock);
	if ((part = smp_find_store(s, who, q, &row, r)) < 0)
		goto out;
	src = part & 1;
	dst = part & 2;
	if (src && strcmp(row.state, "uploading") == 0)
		release_capture(s, q, &row, r);
	else if (dst && strcmp(row.state, "complete") == 0 && row.restore_requested) {
		if (db_store_set_released(s->db, q->id, (long long)time(NULL)) == -1)
			smp_reply_db_error(s, r);
		else {
			r->status = 200;
			buf_addf(&r->body, "store: %s\nstate: released\nretention_s: %lld\n",
			    q->id, s->conf.retention_s);
		}
	} else if ((dst && strcmp(row.state, "released") == 0) || (src &&
	    strcmp(row.state, "uploading") != 0)) {
		r->status = 200;	/* released before: the same answer */
		buf_addf(&r->body, "store: %s\nstate: %s\n", q->id, row.state);
	} else if (strcmp(row.state, "uploading") == 0)
		smp_reply_error(r, 409, "store %s is not released by its source yet", q->id);
	else
		smp_reply_error(r, 409, "store %s has not been requested for restore: "
		    "request_state_store (mode restore) comes before its release", q->id);
out:
	pthread_mutex_unlock(&s->lock);
}
