/*
 * authenticate.c - who sent a request (proto.h): a registered computer's
 * ECDSA signature, or the MAC of the session it opened on this same
 * connection; a time within the clock window; and a nonce spent once, so
 * nothing is replayed.  The head is parsed already (request.c).
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../store/fastcrypto.h"
#include "../store/store.h"
#include "smp-int.h"

/* The nonce of a request that proved who sent it: 0, or -1 (replay, or
 * the database failed) with r filled. */
static int
spend_nonce(struct smp_server *s, const struct smp_auth *a, long long now,
    struct smp_reply *r)
{
	int	spent;

	pthread_mutex_lock(&s->lock);
	if ((spent = db_nonce_spend(s->db, s->conf.node, a->nonce, now)) == -1)
		smp_reply_db_error(s, r);
	pthread_mutex_unlock(&s->lock);
	if (spent == DB_TAKEN)
		smp_reply_error(r, 401, "this request was seen before: a replayed request "
		    "is refused");
	return spent == 0 ? 0 : -1;
}

/* A MAC'd request: only on the connection its session was opened on. */
static int
check_mac(struct smp_server *s, const struct smp_auth *a, const char *method,
    const char *target, const char *body_sha, const struct smp_session *sess,
    struct smp_who *who, struct smp_reply *r)
{
	char	*canon, mac[64];
	size_t	 n;

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
	if (strlen(a->sig) != n || !mem_equal_ct(mac, a->sig, n)) {
		smp_reply_error(r, 401, "the session MAC does not match");
		return -1;
	}
	snprintf(who->name, sizeof who->name, "%s", sess->name);
	return 0;
}

int
smp_authenticate(struct smp_server *s, const char *method, const char *target,
    const struct smp_head *h, struct smp_session *sess, int *opened,
    struct smp_who *who, struct smp_reply *r)
{
	const struct smp_auth	*a = &h->auth;
	struct identity		 id;
	char			*canon, *line, *e = NULL, *b;
	long long		 now = (long long)time(NULL);
	int			 ok;

	memset(who, 0, sizeof *who);
	if (opened != NULL)
		*opened = 0;
	if (h->auth_why != NULL) {
		smp_reply_error(r, 401, "%s", h->auth_why);
		return -1;
	}
	if (a->time < now - SMP_CLOCK_SKEW_S || a->time > now + SMP_CLOCK_SKEW_S) {
		smp_reply_error(r, 401, "the request's time is %lld s from the SMP's clock "
		    "(at most %d): set the computer's clock", a->time - now, SMP_CLOCK_SKEW_S);
		return -1;
	}
	if (a->mac) {
		if (check_mac(s, a, method, target, h->body_sha, sess, who, r) == -1 ||
		    spend_nonce(s, a, now, r) == -1)
			return -1;
		memcpy(who->key_id, a->key_id, sizeof who->key_id);
		who->by_session = 1;
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	line = db_computer_by_key(s->db, a->key_id, who->name, sizeof who->name);
	if (line == NULL && smp_db_failure(s->db) != DBF_NONE)
		smp_reply_db_error(s, r);	/* not a stranger: the database is down */
	else if (line == NULL)
		smp_reply_error(r, 401, "key %s is not a computer registered on this SMP "
		    "(tsi smp computer add)", a->key_id);
	pthread_mutex_unlock(&s->lock);
	if (line == NULL)
		return -1;
	ok = identity_parse_public(line, &id, &e) == 0;
	free(line);
	free(e);
	canon = smp_canonical(s->pin, method, target, a, h->body_sha);
	ok = ok && smp_verify(id.sign_pub_pem, canon, a->sig);
	free(canon);
	identity_wipe(&id);
	if (!ok) {
		smp_reply_error(r, 401, "the signature does not match key %s (or the "
		    "request was signed for another SMP)", a->key_id);
		return -1;
	}
	/* only a correctly signed request may spend a nonce */
	if (spend_nonce(s, a, now, r) == -1)
		return -1;
	memcpy(who->key_id, a->key_id, sizeof who->key_id);
	if (sess != NULL && !sess->valid && rng_fill(NULL, sess->secret,
	    SMP_SESSION_LEN) == 0) {
		sess->valid = 1;
		memcpy(sess->key_id, a->key_id, sizeof sess->key_id);
		snprintf(sess->name, sizeof sess->name, "%s", who->name);
		if (opened != NULL)
			*opened = 1;
		b = base64_encode(sess->secret, SMP_SESSION_LEN);
		snprintf(r->session, sizeof r->session, "%s", b);
		free(b);
	}
	return 0;
}
