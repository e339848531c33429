/*
 * smp-client.h - the computer's side of the State Migration Point
 * protocol (proto.h): finding an SMP that takes a capture or holds this
 * computer's store, streaming a store up in acknowledged pieces and down
 * in ranges, and releasing it.  Every request is signed with the
 * computer's identity; the SMP's certificate is pinned (TSISMPCACert), so
 * no certificate authority and no host name is trusted instead.  Network
 * failures are retried as the policy says (OSDStateSMPRetryCount and
 * OSDStateSMPRetryTime); an upload goes on from the SMP's last
 * acknowledged byte.
 */
#ifndef TSI_SMP_CLIENT_H
#define TSI_SMP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/stop.h"
#include "../store/store.h"

struct smp_client_opts {
	const char	*identity_dir;		/* this computer's identity */
	const char	*cacert;		/* the SMP's smp-cert.pem, pinned */
	int		 retry_count;		/* retries after a failed attempt */
	int		 retry_delay_s;
	int		 allow_plain_http;	/* http:// URLs (TSISMPAllowPlainHTTP) */
	/* the site's recovery key (TSIRecoveryKey: a public line or a file);
	 * when set, a store must be encrypted to it, whatever the SMP says */
	const char	*recovery_key;
	/* what the client tells the user (retries, refusals); may be NULL */
	void		(*note)(void *ctx, const char *msg);
	/* when the work must stop: a signal, or the step's deadline, which
	 * every transfer and wait watches; NULL for signals only */
	const struct stop *stop;
	/* keeps the last connection for the next request; NULL for none */
	struct smp_pool	*pool;
	void		*ctx;
};

/* A pool of one open connection that clients made with it leave behind
 * for the next (the run's steps talk to one SMP in turn); freeing it
 * closes the connection and wipes its keys. */
struct smp_pool;
struct smp_pool	*smp_pool_new(void);
void		 smp_pool_free(struct smp_pool *);

/* Whether s is an SMP store URL (https:// or http://). */
int	smp_is_url(const char *s);

/* Asks each SMP in urls, in order, for a store to capture into or the one
 * that holds this computer's store (mode "capture" or "restore"); the
 * whole list is tried again after each delay.  0 with *store_url (caller
 * frees), or -1 with *err saying what each SMP answered. */
int	smp_request(char *const *urls, size_t n, const char *mode,
	    const struct smp_client_opts *, char **store_url, char **err);
/* Releases the store; *info says what the SMP did (caller frees). */
int	smp_release(const char *store_url, const struct smp_client_opts *, char **info,
	    char **err);

/* A capture's bytes to the SMP.  Open fills rcpt with the two keys the
 * SMP says to encrypt to (the destination's and the site's recovery key;
 * anything else is refused) and *users with the users the association
 * captures ("all" or NAME,NAME...; caller frees). */
struct smp_upload_stream;
int	smp_upload_open(struct smp_upload_stream **, const char *store_url,
	    const struct smp_client_opts *, struct identity *rcpt, size_t *nrcpt,
	    char **users, char **err);
/* store_sink_fn: buffers, sends whole pieces; 0 or -1 (see _error). */
int	smp_upload_write(void *stream, const void *, size_t);
/* Sends what is buffered; 0 once the SMP acknowledged every byte. */
int	smp_upload_finish(struct smp_upload_stream *, uint64_t *bytes, char **err);
const char *smp_upload_error(const struct smp_upload_stream *);
void	smp_upload_free(struct smp_upload_stream *);

/* A store on the SMP, read in ranges (store_pread_fn). */
struct smp_download;
/* *users: the users the association restores ("all" or NAME,...). */
int	smp_download_open(struct smp_download **, const char *store_url,
	    const struct smp_client_opts *, uint64_t *size, char **users, char **err);
long	smp_download_pread(void *download, void *, size_t, uint64_t off);
const char *smp_download_error(const struct smp_download *);
void	smp_download_free(struct smp_download *);

#endif
