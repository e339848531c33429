/*
 * client-stream.c - a store to and from the SMP without a local copy:
 * up in pieces that the SMP acknowledges once they are on its disk (a
 * failed piece is sent again from the SMP's own offset, so a dropped
 * connection or a restarted SMP costs one piece), down in ranges through
 * a small block cache, for the store's random access (store_file_*).
 */
#include "client-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPLOAD_PIECE	(16u * 1024 * 1024)
#define DOWNLOAD_BLOCK	(4u * 1024 * 1024)
#define DOWNLOAD_BLOCKS	3

struct smp_upload_stream {
	struct smp_client	*c;
	char			 id[SMP_STORE_ID_HEX + 1];
	uint8_t			*piece;
	size_t			 len, piece_max;
	uint64_t		 acked;
	char			*err;
};

/* The store's state and size on the SMP; 200, or the status. */
static int
store_status(struct smp_client *c, const char *id, char *state, size_t statelen,
    uint64_t *size, char **err)
{
	char	target[96], num[32];
	int	st;

	snprintf(target, sizeof target, "/v1/stores/%s", id);
	st = smp_call_retried(c, "GET", target, "store status", err);
	if (st == 200) {
		if (!smp_field(c->resp.data, "state", state, statelen) ||
		    !smp_field(c->resp.data, "size", num, sizeof num)) {
			*err = xstrdup("the SMP's answer lacks the store's state");
			return -1;
		}
		*size = strtoull(num, NULL, 10);
	}
	return st;
}

/* The recipients the SMP named: exactly two public identity lines (never
 * a file name), one of them the recovery key the computer was given, if it
 * was.  0, or -1 with *err. */
static int
take_recipients(const char *answer, const struct smp_client_opts *o,
    struct identity *rcpt, size_t *nrcpt, char **err)
{
	struct identity	 rk;
	const char	*p;
	char		*line = xmalloc(8192), *e = NULL;
	int		 r = -1, found = 0;
	size_t		 i;

	for (p = answer; (p = smp_field(p, "recipient", line, 8192)) != NULL;) {
		if (*nrcpt == 2 || strncmp(line, "tsi-identity-v1 ", 16) != 0 ||
		    identity_parse_public(line, &rcpt[*nrcpt], &e) == -1) {
			*err = xasprintf("the SMP named %s recipient: a store is encrypted "
			    "to the destination and the recovery key only", *nrcpt == 2 ?
			    "a third" : "a malformed");
			goto out;
		}
		(*nrcpt)++;
	}
	if (*nrcpt != 2) {
		*err = xstrdup("the SMP did not name the two keys to encrypt the store to");
		goto out;
	}
	if (o->recovery_key != NULL && *o->recovery_key != '\0') {
		if (identity_parse_public(o->recovery_key, &rk, &e) == -1) {
			*err = xasprintf("TSIRecoveryKey: %s", e);
			goto out;
		}
		for (i = 0; i < *nrcpt; i++)
			found |= memcmp(rk.x25519_pub, rcpt[i].x25519_pub, 32) == 0;
		identity_wipe(&rk);
		if (!found) {
			*err = xstrdup("the SMP named a recovery key other than TSIRecoveryKey: "
			    "refusing to encrypt the store to it");
			goto out;
		}
	}
	r = 0;
out:
	free(e);
	free(line);
	return r;
}

int
smp_upload_open(struct smp_upload_stream **out, const char *store_url,
    const struct smp_client_opts *o, struct identity *rcpt, size_t *nrcpt, char **users,
    char **err)
{
	struct smp_upload_stream *u = xcalloc(1, sizeof *u);
	char			 state[32], num[32], *base, *e = NULL, *line = NULL;
	uint64_t		 size;
	int			 st;

	*out = NULL;
	*nrcpt = 0;
	*users = NULL;
	if (smp_split_store_url(store_url, &base, u->id) == -1) {
		*err = xasprintf("'%s' is not an SMP store URL", store_url);
		free(u);
		return -1;
	}
	st = smp_client_new(&u->c, base, o, err);
	free(base);
	if (st == -1)
		goto fail;
	if ((st = store_status(u->c, u->id, state, sizeof state, &size, &e)) != 200) {
		*err = xasprintf("cannot capture into %s: %s", store_url, e);
		free(e);
		goto fail;
	}
	if (strcmp(state, "uploading") != 0) {
		*err = xasprintf("store %s on the SMP is %s: run request_state_store "
		    "again for a new one", u->id, state);
		goto fail;
	}
	if (take_recipients(u->c->resp.data, o, rcpt, nrcpt, err) == -1)
		goto fail;
	line = xmalloc(8192);
	*users = xstrdup(smp_field(u->c->resp.data, "capture_users", line, 8192) ? line :
	    "all");
	/* pieces no bigger than the SMP takes in one request */
	u->piece_max = UPLOAD_PIECE;
	if (smp_field(u->c->resp.data, "max_request_mb", num, sizeof num) &&
	    strtoull(num, NULL, 10) > 0 && strtoull(num, NULL, 10) << 20 < UPLOAD_PIECE)
		u->piece_max = (size_t)strtoull(num, NULL, 10) << 20;
	free(line);
	u->piece = xmalloc(u->piece_max);
	*out = u;
	return 0;
fail:
	while (*nrcpt > 0)
		identity_wipe(&rcpt[--*nrcpt]);
	free(*users);
	*users = NULL;
	free(line);
	smp_upload_free(u);
	return -1;
}

/* Sends the buffered piece at u->acked until the SMP has it. */
static int
send_piece(struct smp_upload_stream *u)
{
	struct smp_client	*c = u->c;
	char			 target[128], state[32], *e = NULL, *a;
	uint64_t		 have;
	int			 st, attempt;

	for (attempt = 0;; attempt++) {
		snprintf(target, sizeof target, "/v1/stores/%s/data?offset=%llu", u->id,
		    (unsigned long long)u->acked);
		st = smp_call(c, "PUT", target, u->piece, u->len, NULL, &c->resp, &e);
		if (st == 200) {
			u->acked += u->len;
			u->len = 0;
			free(e);
			return 0;
		}
		a = smp_answer(st, &c->resp, e);
		free(e);
		e = NULL;
		if (st == 409 && u->acked > 0 && attempt < c->o.retry_count &&
		    store_status(c, u->id, state, sizeof state, &have, &e) == 200 &&
		    have == u->acked + u->len) {
			/* the piece got there before, its answer did not */
			u->acked = have;
			u->len = 0;
			free(a);
			free(e);
			return 0;
		}
		free(e);
		e = NULL;
		if (!smp_retryable(c, st) || attempt >= c->o.retry_count) {
			u->err = xasprintf("the SMP did not take the store at byte %llu: %s",
			    (unsigned long long)u->acked, a);
			free(a);
			return -1;
		}
		smp_note(&c->o, "upload at byte %llu: %s; retry %d of %d in %d s",
		    (unsigned long long)u->acked, a, attempt + 1, c->o.retry_count,
		    c->o.retry_delay_s);
		free(a);
		if (smp_wait(&c->o) == -1) {
			u->err = xstrdup("stopped");
			return -1;
		}
		/* the SMP's offset says whether the piece got there before the failure */
		st = store_status(c, u->id, state, sizeof state, &have, &e);
		free(e);
		e = NULL;
		/* at 0 the upload starts the store over, whatever the SMP holds:
		 * an earlier run of this capture may have finished a piece */
		if (st != 200 || u->acked == 0)
			continue;	/* counted by the next attempt */
		if (have == u->acked + u->len) {
			u->acked = have;
			u->len = 0;
			return 0;
		}
		if (have != u->acked) {
			u->err = xasprintf("the SMP has %llu bytes of the store, not the %llu "
			    "it acknowledged: capture again", (unsigned long long)have,
			    (unsigned long long)u->acked);
			return -1;
		}
	}
}

int
smp_upload_write(void *stream, const void *p, size_t n)
{
	struct smp_upload_stream	*u = stream;
	size_t				 take;

	while (n > 0) {
		if (u->err != NULL)
			return -1;
		take = u->piece_max - u->len < n ? u->piece_max - u->len : n;
		memcpy(u->piece + u->len, p, take);
		u->len += take;
		p = (const uint8_t *)p + take;
		n -= take;
		if (u->len == u->piece_max && send_piece(u) == -1)
			return -1;
	}
	return 0;
}

int
smp_upload_finish(struct smp_upload_stream *u, uint64_t *bytes, char **err)
{
	if (u->err == NULL && u->len > 0)
		send_piece(u);
	if (u->err != NULL) {
		*err = xstrdup(u->err);
		return -1;
	}
	*bytes = u->acked;
	return 0;
}

const char *
smp_upload_error(const struct smp_upload_stream *u)
{
	return u->err;
}

void
smp_upload_free(struct smp_upload_stream *u)
{
	if (u == NULL)
		return;
	smp_client_free(u->c);
	free(u->piece);
	free(u->err);
	free(u);
}

struct block {
	uint64_t	 off;		/* UINT64_MAX: empty */
	size_t		 len;
	uint64_t	 used;		/* for eviction */
};

struct smp_download {
	struct smp_client	*c;
	char			 id[SMP_STORE_ID_HEX + 1];
	uint64_t		 size, clock;
	struct block		 blocks[DOWNLOAD_BLOCKS];
	struct buf		 data[DOWNLOAD_BLOCKS];
	char			*err;
};

int
smp_download_open(struct smp_download **out, const char *store_url,
    const struct smp_client_opts *o, uint64_t *size, char **users, char **err)
{
	struct smp_download	*d = xcalloc(1, sizeof *d);
	char			 state[32], *base, *e = NULL, *line;
	int			 st, i;

	*out = NULL;
	*users = NULL;
	for (i = 0; i < DOWNLOAD_BLOCKS; i++) {
		d->blocks[i].off = UINT64_MAX;
		buf_init(&d->data[i], DOWNLOAD_BLOCK + 1);
	}
	if (smp_split_store_url(store_url, &base, d->id) == -1) {
		*err = xasprintf("'%s' is not an SMP store URL", store_url);
		smp_download_free(d);
		return -1;
	}
	st = smp_client_new(&d->c, base, o, err);
	free(base);
	if (st == -1) {
		smp_download_free(d);
		return -1;
	}
	if ((st = store_status(d->c, d->id, state, sizeof state, &d->size, &e)) != 200 ||
	    strcmp(state, "uploading") == 0) {
		*err = st != 200 ? xasprintf("cannot read %s: %s", store_url, e) :
		    xasprintf("store %s is not released by its source yet", d->id);
		free(e);
		smp_download_free(d);
		return -1;
	}
	line = xmalloc(8192);
	*users = xstrdup(smp_field(d->c->resp.data, "restore_users", line, 8192) ? line :
	    "all");
	free(line);
	*size = d->size;
	*out = d;
	return 0;
}

/* Block b filled with the range at off; -1 with d->err. */
static int
fetch(struct smp_download *d, int b, uint64_t off)
{
	struct smp_client	*c = d->c;
	char			 target[96], range[64], *e = NULL, *a;
	uint64_t		 want = d->size - off < DOWNLOAD_BLOCK ? d->size - off :
				    DOWNLOAD_BLOCK;
	int			 st, attempt;

	snprintf(target, sizeof target, "/v1/stores/%s/data", d->id);
	snprintf(range, sizeof range, "bytes=%llu-%llu", (unsigned long long)off,
	    (unsigned long long)(off + want - 1));
	d->blocks[b].off = UINT64_MAX;
	for (attempt = 0;; attempt++) {
		st = smp_call(c, "GET", target, NULL, 0, range, &d->data[b], &e);
		/* the body ends with the NUL smp_call adds */
		if (st == 206 && d->data[b].len == want + 1) {
			d->blocks[b].off = off;
			d->blocks[b].len = (size_t)want;
			free(e);
			return 0;
		}
		a = st == 206 ? xstrdup("a short answer") : smp_answer(st, &d->data[b], e);
		free(e);
		e = NULL;
		if (!smp_retryable(c, st == 206 ? 0 : st) || attempt >= c->o.retry_count) {
			free(d->err);
			d->err = xasprintf("cannot read the store at byte %llu: %s",
			    (unsigned long long)off, a);
			free(a);
			return -1;
		}
		smp_note(&c->o, "download at byte %llu: %s; retry %d of %d in %d s",
		    (unsigned long long)off, a, attempt + 1, c->o.retry_count,
		    c->o.retry_delay_s);
		free(a);
		if (smp_wait(&c->o) == -1) {
			free(d->err);
			d->err = xstrdup("stopped");
			return -1;
		}
	}
}

long
smp_download_pread(void *ctx, void *p, size_t n, uint64_t off)
{
	struct smp_download	*d = ctx;
	size_t			 done = 0, take, at;
	uint64_t		 start;
	int			 i, b;

	while (done < n && off + done < d->size) {
		start = (off + done) / DOWNLOAD_BLOCK * DOWNLOAD_BLOCK;
		for (b = -1, i = 0; i < DOWNLOAD_BLOCKS; i++)
			if (d->blocks[i].off == start)
				b = i;
		if (b == -1) {
			for (b = 0, i = 1; i < DOWNLOAD_BLOCKS; i++)
				if (d->blocks[i].used < d->blocks[b].used)
					b = i;
			if (fetch(d, b, start) == -1)
				return -1;
		}
		d->blocks[b].used = ++d->clock;
		at = (size_t)(off + done - start);
		take = d->blocks[b].len - at < n - done ? d->blocks[b].len - at : n - done;
		memcpy((uint8_t *)p + done, d->data[b].data + at, take);
		done += take;
	}
	return (long)done;
}

const char *
smp_download_error(const struct smp_download *d)
{
	return d->err;
}

void
smp_download_free(struct smp_download *d)
{
	int	i;

	if (d == NULL)
		return;
	smp_client_free(d->c);
	for (i = 0; i < DOWNLOAD_BLOCKS; i++)
		buf_release(&d->data[i]);
	free(d->err);
	free(d);
}
