/*
 * handlers.c - what the SMP does for each request (proto.h), once
 * server.c has parsed it: authenticate the computer, then capacity,
 * request, status, upload, download and release, with the association's
 * rules (sccm-spec.md §2.2-2.4, §3.2).  The database is the truth: a store
 * is "uploading" until a release finds it whole, then "complete" (only
 * the destination reads it), then "released" (the retention timer runs),
 * then "deleted".
 */
#include "smp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

static void
db_error(struct smp_server *s, struct smp_reply *r)
{
	smp_reply_error(r, 500, "the SMP's database failed: %s", sqlite3_errmsg(s->db));
}

/* smp_db_prep and smp_db_exec on the server's database. */
static sqlite3_stmt *
prep(struct smp_server *s, const char *sql, const char *types, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;

	va_start(ap, types);
	st = smp_db_vprep(s->db, sql, types, ap);
	va_end(ap);
	return st;
}

#define exec_stmt	smp_db_exec

/* Tests (TSI_FAULT_SMP_SLOW_MS, the test build only): every upload piece
 * and download range that slow, a window to kill the SMP or the client
 * mid-transfer. */
static void
test_slow_down(void)
{
	FAULT_SLEEP(TSI_FAULT_SMP_SLOW_MS);
}


/* The nonce of a request that proved who sent it: 0, or -1 (replay, or
 * the database failed) with r filled. */
static int
spend_nonce(struct smp_server *s, const struct smp_auth *a, long long now,
    struct smp_reply *r)
{
	sqlite3_stmt	*st;
	int		 ok;

	pthread_mutex_lock(&s->lock);
	st = prep(s, "INSERT INTO nonces (nonce, seen) VALUES (?, ?)", "ti", a->nonce, now);
	ok = st != NULL && sqlite3_step(st) == SQLITE_DONE;
	if (!ok && sqlite3_extended_errcode(s->db) != SQLITE_CONSTRAINT_PRIMARYKEY) {
		db_error(s, r);
		sqlite3_finalize(st);
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	if (!ok) {
		smp_reply_error(r, 401, "this request was seen before: a replayed request "
		    "is refused");
		return -1;
	}
	return 0;
}

/* A MAC'd request: only on the connection its session was opened on. */
static int
check_mac(struct smp_server *s, const struct smp_auth *a, const char *method,
    const char *target, const char *body_sha, const struct smp_session *sess,
    struct smp_who *who, struct smp_reply *r)
{
	char	*canon, mac[64];
	size_t	 i, n;
	int	 diff = 0;

	if (sess == NULL || !sess->valid || strcmp(sess->key_id, a->key_id) != 0) {
		smp_reply_error(r, 401, "no session for key %s on this connection: sign "
		    "the request with the identity key", a->key_id);
		return -1;
	}
	canon = smp_canonical(s->pin, method, target, a, body_sha);
	if (smp_mac(sess->secret, canon, mac) == -1) {
		free(canon);
		smp_reply_error(r, 500, "cannot compute the session MAC");
		return -1;
	}
	free(canon);
	n = strlen(mac);
	diff = strlen(a->sig) != n;
	for (i = 0; i < n && i < sizeof a->sig; i++)	/* in constant time */
		diff |= mac[i] ^ a->sig[i];
	if (diff) {
		smp_reply_error(r, 401, "the session MAC does not match");
		return -1;
	}
	snprintf(who->name, sizeof who->name, "%s", sess->name);
	return 0;
}

int
smp_authenticate(struct smp_server *s, const char *method, const char *target,
    const char *auth, const char *body_sha, struct smp_session *sess, int *opened,
    struct smp_who *who, struct smp_reply *r)
{
	struct smp_auth	 a;
	struct identity	 id;
	sqlite3_stmt	*st;
	const char	*why;
	char		*canon, *line = NULL, *e = NULL, *b;
	long long	 now = (long long)time(NULL);
	int		 ok;

	memset(who, 0, sizeof *who);
	if (opened != NULL)
		*opened = 0;
	if (smp_parse_auth(auth, &a, &why) == -1) {
		smp_reply_error(r, 401, "%s", why);
		return -1;
	}
	if (a.time < now - SMP_CLOCK_SKEW_S || a.time > now + SMP_CLOCK_SKEW_S) {
		smp_reply_error(r, 401, "the request's time is %lld s from the SMP's clock "
		    "(at most %d): set the computer's clock", a.time - now, SMP_CLOCK_SKEW_S);
		return -1;
	}
	if (a.mac) {
		if (check_mac(s, &a, method, target, body_sha, sess, who, r) == -1 ||
		    spend_nonce(s, &a, now, r) == -1)
			return -1;
		memcpy(who->key_id, a.key_id, sizeof who->key_id);
		who->by_session = 1;
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	st = prep(s, "SELECT name, public_key FROM computers WHERE key_id = ?", "t",
	    a.key_id);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(who->name, sizeof who->name, "%s", sqlite3_column_text(st, 0));
		line = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	if (line == NULL) {
		smp_reply_error(r, 401, "key %s is not a computer registered on this SMP "
		    "(tsi smp computer add)", a.key_id);
		return -1;
	}
	ok = identity_parse_public(line, &id, &e) == 0;
	free(line);
	free(e);
	canon = smp_canonical(s->pin, method, target, &a, body_sha);
	ok = ok && smp_verify(id.sign_pub_pem, canon, a.sig);
	free(canon);
	identity_wipe(&id);
	if (!ok) {
		smp_reply_error(r, 401, "the signature does not match key %s (or the "
		    "request was signed for another SMP)", a.key_id);
		return -1;
	}
	/* only a correctly signed request may spend a nonce */
	if (spend_nonce(s, &a, now, r) == -1)
		return -1;
	memcpy(who->key_id, a.key_id, sizeof who->key_id);
	if (sess != NULL && !sess->valid && rng_fill(NULL, sess->secret,
	    SMP_SESSION_LEN) == 0) {
		sess->valid = 1;
		memcpy(sess->key_id, a.key_id, sizeof sess->key_id);
		snprintf(sess->name, sizeof sess->name, "%s", who->name);
		if (opened != NULL)
			*opened = 1;
		b = base64_encode(sess->secret, SMP_SESSION_LEN);
		snprintf(r->session, sizeof r->session, "%s", b);
		free(b);
	}
	return 0;
}

void
smp_h_capacity(struct smp_server *s, const struct smp_who *who, struct smp_reply *r)
{
	char	why[256];
	int	f;

	(void)who;
	pthread_mutex_lock(&s->lock);
	f = s->conf.restore_only ? -1 : smp_pick_folder(s, why, sizeof why);
	pthread_mutex_unlock(&s->lock);
	r->status = 200;
	buf_addf(&r->body, "restore_only: %s\ncapture: %s\n", s->conf.restore_only ?
	    "true" : "false", f >= 0 ? "yes" : "no");
	if (s->conf.restore_only)
		buf_adds(&r->body, "reason: this SMP is in restore-only mode\n");
	else if (f < 0)
		buf_addf(&r->body, "reason: %s\n", why);
}

/* Key line of a computer by name, or NULL. Lock held. */
static char *
computer_line(struct smp_server *s, const char *name)
{
	sqlite3_stmt	*st = prep(s, "SELECT public_key FROM computers WHERE name = ?",
			    "t", name);
	char		*line = NULL;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		line = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return line;
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
	sqlite3_stmt	*st;
	int		 n = 0;

	st = prep(s, "SELECT a.id, a.dest FROM associations a WHERE a.source = ? AND NOT "
	    "EXISTS (SELECT 1 FROM stores s WHERE s.association = a.id AND s.state IN "
	    "('complete', 'released'))", "t", who->name);
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == 0) {
			*assoc = sqlite3_column_int64(st, 0);
			*dest = xstrdup((const char *)sqlite3_column_text(st, 1));
		}
	}
	sqlite3_finalize(st);
	if (n > 1) {
		smp_reply_error(r, 409, "computer '%s' is the source of %d associations "
		    "without a store: delete the ones not meant (tsi smp delete)", who->name, n);
		free(*dest);
		return -1;
	}
	if (n == 1)
		return 0;
	st = prep(s, "SELECT count(*) FROM associations WHERE source = ?", "t", who->name);
	n = st != NULL && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (n > 0) {
		smp_reply_error(r, 409, "the store of computer '%s' waits for its restore; "
		    "to capture again, tsi smp delete its association first", who->name);
		return -1;
	}
	/* a refresh: the computer is its own destination */
	if (exec_stmt(prep(s, "INSERT INTO associations (source, dest, users, behavior, "
	    "created) VALUES (?1, ?1, 'all', 'capture-restore-all', ?2)", "ti", who->name,
	    (long long)time(NULL))) == -1) {
		db_error(s, r);
		return -1;
	}
	*assoc = sqlite3_last_insert_rowid(s->db);
	*dest = xstrdup(who->name);
	return 0;
}

static void
request_capture(struct smp_server *s, const struct smp_who *who, struct smp_reply *r)
{
	sqlite3_stmt	*st;
	long long	 assoc = 0;
	char		 id[SMP_STORE_ID_HEX + 1], why[256], *dest = NULL, *line = NULL;
	int		 f;

	if (s->conf.restore_only) {
		smp_reply_error(r, 503, "this SMP is in restore-only mode: it takes no "
		    "new capture");
		return;
	}
	if (capture_association(s, who, &assoc, &dest, r) == -1)
		return;
	/* an upload under way (a capture that is run again) keeps its store */
	st = prep(s, "SELECT id FROM stores WHERE association = ? AND state = 'uploading'",
	    "i", assoc);
	id[0] = '\0';
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		snprintf(id, sizeof id, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (id[0] == '\0') {
		if ((f = smp_pick_folder(s, why, sizeof why)) < 0) {
			smp_reply_error(r, 507, "no storage folder takes a new capture: %s", why);
			goto out;
		}
		if (new_store_id(id) == -1) {
			smp_reply_error(r, 500, "no random numbers for a store id");
			goto out;
		}
		if (exec_stmt(prep(s, "INSERT INTO stores (id, association, folder, state, "
		    "created) VALUES (?, ?, ?, 'uploading', ?)", "titi", id, assoc,
		    s->conf.folders[f].path, (long long)time(NULL))) == -1) {
			db_error(s, r);
			goto out;
		}
	}
	if ((line = computer_line(s, dest)) == NULL) {
		db_error(s, r);
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

static void
request_restore(struct smp_server *s, const struct smp_who *who, struct smp_reply *r)
{
	sqlite3_stmt	*st;
	char		 id[SMP_STORE_ID_HEX + 1] = "", state[16] = "";

	st = prep(s, "SELECT s.id, s.state FROM stores s JOIN associations a ON a.id = "
	    "s.association WHERE a.dest = ? AND s.state != 'deleted' ORDER BY "
	    "s.state = 'uploading', s.created DESC LIMIT 1", "t", who->name);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(id, sizeof id, "%s", sqlite3_column_text(st, 0));
		snprintf(state, sizeof state, "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (id[0] == '\0')
		smp_reply_error(r, 404, "this SMP holds no store for computer '%s'", who->name);
	else if (strcmp(state, "uploading") == 0)
		smp_reply_error(r, 409, "the store for computer '%s' is not released by its "
		    "source yet (the capture has not finished)", who->name);
	else if (exec_stmt(prep(s, "UPDATE stores SET restore_requested = 1 WHERE id = ?",
	    "t", id)) == -1)
		db_error(s, r);
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

struct store_row {
	char		 folder[256], state[16], source[128], dest[128];
	long long	 size;
	int		 restore_requested;	/* the destination asked for it */
	char		 users[512], behavior[40];
};

/* The store and the caller's part in it: 1 source, 2 destination, 3 both.
 * -1 with r filled (404, 403). Lock held. */
static int
find_store(struct smp_server *s, const struct smp_who *who, const char *id,
    struct store_row *row, struct smp_reply *r)
{
	sqlite3_stmt	*st;
	int		 found = 0, part;

	st = prep(s, "SELECT s.folder, s.state, s.size, a.source, a.dest, "
	    "s.restore_requested, a.users, a.behavior FROM stores s JOIN "
	    "associations a ON a.id = "
	    "s.association WHERE s.id = ?", "t", id);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(row->folder, sizeof row->folder, "%s", sqlite3_column_text(st, 0));
		snprintf(row->state, sizeof row->state, "%s", sqlite3_column_text(st, 1));
		row->size = sqlite3_column_int64(st, 2);
		snprintf(row->source, sizeof row->source, "%s", sqlite3_column_text(st, 3));
		snprintf(row->dest, sizeof row->dest, "%s", sqlite3_column_text(st, 4));
		row->restore_requested = sqlite3_column_int(st, 5);
		snprintf(row->users, sizeof row->users, "%s", sqlite3_column_text(st, 6));
		snprintf(row->behavior, sizeof row->behavior, "%s", sqlite3_column_text(st, 7));
		found = 1;
	}
	sqlite3_finalize(st);
	if (!found) {
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

void
smp_h_status(struct smp_server *s, const struct smp_who *who, const struct smp_req *q,
    struct smp_reply *r)
{
	struct store_row	 row;
	char			*line;

	pthread_mutex_lock(&s->lock);
	if (find_store(s, who, q->id, &row, r) >= 0) {
		/* the association's behaviour: whose state is captured, whose
		 * restored (sccm-spec.md §3.2); the client applies it */
		r->status = 200;
		buf_addf(&r->body, "store: %s\nstate: %s\nsize: %lld\nsource: %s\n"
		    "destination: %s\ncapture_users: %s\nrestore_users: %s\n"
		    "max_request_mb: %llu\n", q->id, row.state, row.size, row.source, row.dest,
		    strcmp(row.behavior, "capture-restore-specified") == 0 ? row.users : "all",
		    strcmp(row.behavior, "capture-restore-all") == 0 ? "all" : row.users,
		    (unsigned long long)s->conf.max_request_mb);
		if ((line = computer_line(s, row.dest)) != NULL)
			buf_addf(&r->body, "recipient: %s", line);
		free(line);
		buf_addf(&r->body, "recipient: %s", s->recovery_line);
	}
	pthread_mutex_unlock(&s->lock);
}

char *
smp_store_path(const char *dir, const char *folder, const char *id, int partial)
{
	return folder[0] == '/' ? xasprintf("%s/%s.tsistore%s", folder, id, partial ?
	    ".partial" : "") : xasprintf("%s/%s/%s.tsistore%s", dir, folder, id,
	    partial ? ".partial" : "");
}

static int
uploading_add(struct smp_server *s, const char *id)
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

static void
uploading_remove(struct smp_server *s, const char *id)
{
	size_t	i;

	for (i = 0; i < SMP_UPLOADS_MAX; i++)
		if (strcmp(s->uploading[i], id) == 0)
			s->uploading[i][0] = '\0';
}

int
smp_upload_begin(struct smp_server *s, const struct smp_who *who, const struct smp_req *q,
    uint64_t length, const char *sha, struct smp_upload *u, struct smp_reply *r)
{
	struct store_row	 row;
	char			*path = NULL;
	int			 part;

	memset(u, 0, sizeof *u);
	u->fd = -1;
	if (length > s->conf.max_request_mb << 20) {
		smp_reply_error(r, 413, "an upload request carries at most %llu MB",
		    (unsigned long long)s->conf.max_request_mb);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	if ((part = find_store(s, who, q->id, &row, r)) < 0)
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
	if (q->offset + length > s->conf.max_store_mb << 20) {
		smp_reply_error(r, 413, "a store holds at most %llu MB on this SMP",
		    (unsigned long long)s->conf.max_store_mb);
		goto out;
	}
	if (smp_folder_room(s, row.folder, length) == -1) {
		smp_reply_error(r, 507, "the SMP's storage folder is full: it keeps %d MB "
		    "free", SMP_FLOOR_MB);
		goto out;
	}
	if (uploading_add(s, q->id) == -1) {
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
		uploading_remove(s, q->id);
		if (u->fd != -1)
			close(u->fd);
		u->fd = -1;
		goto out;
	}
	if (q->offset == 0 && row.size != 0)
		exec_stmt(prep(s, "UPDATE stores SET size = 0 WHERE id = ?", "t", q->id));
	memcpy(u->id, q->id, sizeof u->id);
	u->offset = q->offset;
	u->length = length;
	snprintf(u->sha, sizeof u->sha, "%s", sha);
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
	uploading_remove(s, u->id);
	pthread_mutex_unlock(&s->lock);
}

void
smp_upload_end(struct smp_server *s, struct smp_upload *u, const char *body_sha,
    struct smp_reply *r)
{
	uint64_t	end = u->offset + u->received;

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
		test_slow_down();
		/* on disk before it is acknowledged */
		pthread_mutex_lock(&s->lock);
		if (exec_stmt(prep(s, "UPDATE stores SET size = ?, touched = ? WHERE id = ? "
		    "AND state = 'uploading'", "iit", (long long)end, (long long)time(NULL),
		    u->id)) == -1)
			db_error(s, r);
		else if (sqlite3_changes(s->db) != 1)	/* deleted meanwhile */
			smp_reply_error(r, 410, "store %s was deleted during the upload", u->id);
		else {
			r->status = 200;
			buf_addf(&r->body, "offset: %llu\n", (unsigned long long)end);
		}
		pthread_mutex_unlock(&s->lock);
	}
	smp_upload_abandon(s, u);
}

void
smp_h_download(struct smp_server *s, const struct smp_who *who, const struct smp_req *q,
    const char *range, struct smp_reply *r)
{
	struct store_row	 row;
	struct stat		 st;
	char			*path = NULL;
	uint64_t		 from, to;
	int			 part;

	pthread_mutex_lock(&s->lock);
	part = find_store(s, who, q->id, &row, r);
	if (part >= 0)
		path = smp_store_path(s->dir, row.folder, q->id, 0);
	pthread_mutex_unlock(&s->lock);
	if (part < 0)
		return;
	test_slow_down();
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
		if (range != NULL && smp_parse_range(range, &from, &to) == 0) {
			if (from >= r->total) {
				smp_reply_error(r, 416, "the store has %llu bytes",
				    (unsigned long long)r->total);
				close(r->fd);
				r->fd = -1;
			} else {
				to = to >= r->total ? r->total - 1 : to;
				r->from = from;
				r->len = to - from + 1;
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
release_capture(struct smp_server *s, const struct smp_req *q, struct store_row *row,
    struct smp_reply *r)
{
	char	*partial = smp_store_path(s->dir, row->folder, q->id, 1);
	char	*final = smp_store_path(s->dir, row->folder, q->id, 0), why[512];
	char	*dest_line = computer_line(s, row->dest);
	int	 ok;

	if (uploading_add(s, q->id) == -1) {
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
	if (ok && exec_stmt(prep(s, "UPDATE stores SET state = 'complete', completed = ? "
	    "WHERE id = ? AND state = 'uploading'", "it", (long long)time(NULL),
	    q->id)) == -1)
		db_error(s, r);
	else if (ok) {
		r->status = 200;
		buf_addf(&r->body, "store: %s\nstate: complete\nsize: %lld\n", q->id,
		    row->size);
	}
	uploading_remove(s, q->id);
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
	struct store_row	row;
	int			part, src, dst;

	pthread_mutex_lock(&s->lock);
	if ((part = find_store(s, who, q->id, &row, r)) < 0)
		goto out;
	src = part & 1;
	dst = part & 2;
	if (src && strcmp(row.state, "uploading") == 0)
		release_capture(s, q, &row, r);
	else if (dst && strcmp(row.state, "complete") == 0 && row.restore_requested) {
		if (exec_stmt(prep(s, "UPDATE stores SET state = 'released', released = ? "
		    "WHERE id = ?", "it", (long long)time(NULL), q->id)) == -1)
			db_error(s, r);
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
