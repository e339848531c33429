/*
 * proto.h - the State Migration Point's wire protocol, shared by the
 * server (smp-int.h: request.c parses a request's head, authenticate.c
 * checks who sent it) and the client (client.c).  It is HTTP/1.1 over
 * TLS; docs/smp-protocol.md describes it for other implementations.
 *
 * Every request is signed by a registered computer's P-256 identity key:
 *
 *   Authorization: TSI-SMP1 KEYID TIME NONCE SIGNATURE
 *   X-TSI-Content-SHA256: HEX           (the body's; required with a body;
 *                                        UNSIGNED-PAYLOAD over TLS)
 *
 * SIGNATURE is base64 of an ECDSA-SHA256 signature over the lines
 *
 *   tsi-smp-v1 / PIN / METHOD / TARGET / KEYID / TIME / NONCE / BODYHASH
 *
 * where PIN is the SHA-256 of the SMP certificate's public key (so a
 * request signed for one SMP is worthless at another), TARGET is the path
 * and query as sent, TIME is Unix seconds (within SMP_CLOCK_SKEW_S of the
 * server's clock) and NONCE is 32 random hex digits the server remembers
 * for twice that window, so a request cannot be replayed.
 *
 * GET /v1/hello is the one unsigned request: it reveals nothing, and a
 * client that pins several SMPs' certificates (a bundle in TSISMPCACert)
 * reads from its TLS handshake which one this SMP presented.
 *
 * Answers are text/plain "key: value" lines; an error's body is one line
 * that says what went wrong and what to do.
 */
#ifndef TSI_SMP_PROTO_H
#define TSI_SMP_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define SMP_AUTH_SCHEME		"TSI-SMP1"
#define SMP_CLOCK_SKEW_S	300
#define SMP_NONCE_HEX		32
#define SMP_STORE_ID_HEX	32
#define SMP_SIG_B64_MAX		128
#define SMP_TARGET_MAX		512
#define SMP_PIN_HEX		65

/* What a request is about, from its method and path. */
enum smp_route {
	SMP_R_NONE,		/* not ours: 404 */
	SMP_R_HELLO,		/* GET  /v1/hello: unsigned; the client learns
				   which pinned certificate this SMP shows */
	SMP_R_CAPACITY,		/* GET  /v1/capacity */
	SMP_R_REQUEST,		/* POST /v1/request?mode=capture|restore */
	SMP_R_STATUS,		/* GET  /v1/stores/ID */
	SMP_R_UPLOAD,		/* PUT  /v1/stores/ID/data?offset=N */
	SMP_R_DOWNLOAD,		/* GET  /v1/stores/ID/data (Range) */
	SMP_R_RELEASE,		/* POST /v1/stores/ID/release */
	SMP_R_EVENTS,		/* POST /v1/events: a computer's run status */
	SMP_R_CONSOLE,		/* GET, POST /console/...: the web console, for
				   admins (a session cookie, not a signature) */
};

/* An Authorization header's fields. */
struct smp_auth {
	char		key_id[17];
	long long	time;
	char		nonce[SMP_NONCE_HEX + 1];
	char		sig[SMP_SIG_B64_MAX + 1];
	int		mac;		/* TSI-SMP1-MAC: a session MAC, not ECDSA */
};

/* A session: after a request signed with the identity key, the SMP gives
 * the connection a 32-byte secret (X-TSI-Session, inside TLS); further
 * requests on that same connection may carry HMAC-SHA256 with it instead
 * of an ECDSA signature ("TSI-SMP1-MAC KEYID TIME NONCE MAC", same
 * canonical text, same time window and nonces).  The secret is worth
 * nothing on any other connection. */
#define SMP_MAC_SCHEME		"TSI-SMP1-MAC"
#define SMP_SESSION_LEN		32

/* The text a request's signature covers (caller frees). */
char	*smp_canonical(const char *pin, const char *method, const char *target,
	    const struct smp_auth *, const char *body_sha256);
/* SHA-256 of a PEM certificate's public key: hex into pin, and curl's
 * "sha256//BASE64" form into curl_pin when not NULL (caller frees). */
int	smp_cert_pin(const char *pem, size_t len, char pin[SMP_PIN_HEX], char **curl_pin);
/* The same for every certificate of a PEM bundle (up to max): n pins, and
 * curl's list "sha256//A;sha256//B". */
int	smp_cert_pins(const char *pem, size_t len, char (*pins)[SMP_PIN_HEX], size_t max,
	    size_t *n, char **curl_pin);
/* Whether sig (base64) is the signature of canonical by the public key
 * (base64 DER, as identity lines carry it); 1 yes, 0 no. */
int	smp_verify(const char *pub_b64der, const char *canonical, const char *sig_b64);

/* A computer's signing key, from its identity directory. */
struct smp_signer;
int	smp_signer_load(struct smp_signer **, const char *identity_dir, char **err);
void	smp_signer_free(struct smp_signer *);
const char *smp_signer_key_id(const struct smp_signer *);
/* The Authorization header's value for a request (caller frees). */
char	*smp_sign(struct smp_signer *, const char *pin, const char *method,
	    const char *target, const char *body_sha256);
/* The same with a session's MAC (caller frees). */
char	*smp_sign_mac(const uint8_t session[SMP_SESSION_LEN], const char *key_id,
	    const char *pin, const char *method, const char *target, const char *body_sha256);
/* base64 HMAC-SHA256 of text under a session's secret into out (45+);
 * 0, or -1 (out is then ""). */
int	smp_mac(const uint8_t session[SMP_SESSION_LEN], const char *text, char out[64]);

/* An upload over TLS may say this instead of its body's hash: TLS already
 * keeps the body intact on the way, and the store's own chunk checksums are
 * checked at release; hashing every byte twice more would cost a third of
 * the SMP's throughput.  Over plain HTTP the real hash is required. */
#define SMP_UNSIGNED_PAYLOAD	"UNSIGNED-PAYLOAD"

/*
 * POST /v1/events: what a computer's runs did (smp/status-client.h sends
 * them, smp/events.c stores them).  The body is text/plain, one event a
 * line, seven fields separated by tabs, in which a tab, a newline, a
 * carriage return and a backslash are written \t, \n, \r and \\:
 *
 *   RUN  SEQ  TIME  KIND  STEP  RESULT  DETAIL
 *
 * RUN is the run's id (32 hex digits; a run keeps it across restarts),
 * SEQ a number that grows with each event the computer sends (the SMP
 * keeps one event per computer, RUN and SEQ, so a batch sent twice is
 * stored once), TIME Unix seconds.  KIND and what the other fields hold:
 *
 *   run_start   STEP the sequence's name, RESULT "" (or "resumed": the run
 *               goes on after a restart), DETAIL its number of steps
 *   run_end     RESULT succeeded, failed, interrupted or restarting;
 *               DETAIL what the run log's last line says
 *   step_start  STEP the step's name, DETAIL "K/N" (its place in the run)
 *   step_end    RESULT succeeded, failed or skipped, DETAIL "K/N" or
 *               "K/N exit CODE"
 *   progress    STEP the step's name ("" for the run), DETAIL the message
 *               (a capture's or restore's "captured N files, B bytes")
 *   dropped     DETAIL the number of this run's events the computer's
 *               spool had no room for, sent in their place (SEQ: the last
 *               of them)
 *
 * The body is signed: X-TSI-Content-SHA256 is its real hash, never
 * UNSIGNED-PAYLOAD.  The answer is "acknowledged: N", every event of the
 * batch stored or there already.
 */
#define SMP_RUN_HEX		32
#define SMP_EVENTS_MAX_BODY	(256 * 1024)	/* 413 beyond */
#define SMP_EVENTS_MAX		1000		/* events a request; 413 beyond */
#define SMP_EVENT_STEP_MAX	256		/* bytes of STEP, unescaped */
#define SMP_EVENT_RESULT_MAX	32
#define SMP_EVENT_DETAIL_MAX	1024

enum smp_event_kind {
	SMP_EV_RUN_START,
	SMP_EV_RUN_END,
	SMP_EV_STEP_START,
	SMP_EV_STEP_END,
	SMP_EV_PROGRESS,
	SMP_EV_DROPPED,
};

struct smp_event {
	char			run[SMP_RUN_HEX + 1];
	long long		seq, time;
	enum smp_event_kind	kind;
	char			step[SMP_EVENT_STEP_MAX + 1];
	char			result[SMP_EVENT_RESULT_MAX + 1];
	char			detail[SMP_EVENT_DETAIL_MAX + 1];
};

struct buf;
/* events-wire.c, shared by the client and the server: */
/* "run_start" ... "dropped". */
const char *smp_event_kind_name(enum smp_event_kind);
/* Appends e's line, with its newline, to b. */
void	smp_event_line(struct buf *b, const struct smp_event *e);
/* Copies s into a field of max bytes: cut where it would pass max (never
 * inside a UTF-8 character), each byte that is not UTF-8 or is a control
 * character other than tab, newline and CR as '?'. */
void	smp_event_field(char *dst, size_t max, const char *s);
/* Reads a body: 0 with *evs (caller frees) and *n, or the status to answer
 * (400 or 413) with *why (caller frees), which names the line at fault. */
int	smp_events_parse(const char *body, size_t len, struct smp_event **evs,
	    size_t *n, char **why);

/* SHA-256 of nothing, the body hash of a request without one. */
#define SMP_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#endif
