/* client-int.h - shared by the SMP client's files (client.c, client-stream.c) */
#ifndef TSI_SMP_CLIENT_INT_H
#define TSI_SMP_CLIENT_INT_H

#include "../lib/curl-api.h"
#include "../lib/util.h"
#include "proto.h"
#include "smp-client.h"

/* A Location's length, and how many redirects one request follows. */
#define SMP_LOCATION_MAX	512
#define SMP_REDIRECTS_MAX	3

struct smp_client {
	const struct curl_api	*api;
	CURL			*curl;
	char			*base;		/* https://HOST:PORT */
	char			 pin[SMP_PIN_HEX];	/* "" until known */
	char			 (*pins)[SMP_PIN_HEX];	/* TSISMPCACert's */
	size_t			 npins;
	char			*curl_pin;
	struct smp_signer	*signer;
	uint8_t			 session[SMP_SESSION_LEN];	/* the connection's */
	int			 has_session;
	int			 sign_body;	/* a body's real hash over TLS too
						   (POST /v1/events) */
	struct smp_client_opts	 o;		/* the current caller's */
	/* what the connection was made with, owned: a pool hands it only to a
	 * caller with the same (the caller's strings may be gone by then) */
	char			*made_cacert, *made_identity_dir;
	char			 errbuf[CURL_ERROR_SIZE];
	struct buf		 resp;
	/* the last answer's Location (a node of the site sent the request
	 * on) and Retry-After (seconds; 0 when absent) */
	char			 location[SMP_LOCATION_MAX];
	int			 retry_after;
	int			 untrusted;	/* the last handshake's key is not pinned */
};


int	smp_client_new(struct smp_client **, const char *base,
	    const struct smp_client_opts *, char **err);
void	smp_client_free(struct smp_client *);
/* One signed request; the HTTP status, or 0 when it did not get through
 * (*err says why; caller frees).  out gets the body (NUL-terminated). */
int	smp_call(struct smp_client *, const char *method, const char *target,
	    const void *body, size_t len, const char *range, struct buf *out, char **err);
/* The value of a "key: value" line into out; where the next line starts,
 * or NULL when there is none (to walk repeated keys). */
const char *smp_field(const char *body, const char *key, char *out, size_t outlen);
/* "STATUS message" of an answer, or the transport error (caller frees). */
char	*smp_answer(int status, const struct buf *body, const char *transport);
/* Whether an answer is worth another attempt at the same SMP. */
int	smp_retryable(const struct smp_client *, int status);
int	smp_split_store_url(const char *url, char **base, char id[SMP_STORE_ID_HEX + 1]);
void	smp_note(const struct smp_client_opts *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	smp_wait(const struct smp_client_opts *);
/* A request that is retried by the policy; the final status (0: never got
 * through) and *err for the caller. */
int	smp_call_retried(struct smp_client *, const char *method, const char *target,
	    const char *what, char **err);

#endif
