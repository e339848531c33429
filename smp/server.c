/*
 * server.c - `tsi smp serve`: the State Migration Point over HTTPS
 * (libmicrohttpd, TLS by GnuTLS inside it).  A thread per connection, at
 * most limits.connections at once, each closed after idle_timeout_s of
 * silence; the main thread runs the retention timer and waits for SIGTERM
 * or SIGINT, then stops accepting, lets no incomplete upload be counted
 * and closes the database.  This file only carries bytes: it hands a
 * request's head to request.c, its sender to authenticate.c, the route to
 * handlers.c, an upload's body to upload.c.
 */
#include "smp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/mhd-api.h"

#include "../store/fastcrypto.h"
#include "smp-int.h"

/*
 * Every connection has a deadline while it owes the server something: its
 * TLS handshake, request line and headers within request_timeout_s, an
 * upload's body at 64 KiB/s or better.  libmicrohttpd only knows silence
 * (idle_timeout_s), which a client that drips a byte at a time never
 * reaches; the main thread's reaper shuts such sockets down.
 */
struct watched {
	int			 fd;
	int64_t			 deadline_ms;		/* 0: none */
	int64_t			 opened_ms;
	int			 authenticated;		/* a request on it was */
	int			 evicted;		/* shut down to make room */
	uint8_t			 addr[16];		/* the client's address */
	struct watched		*prev, *next;
	struct smp_session	 session;		/* the connection's own thread's */
};

static const struct mhd_api	*M;	/* libmicrohttpd, loaded by smp_serve */

static pthread_mutex_t	 watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watched	*watch_list;
static int		 evicted_since_said;	/* for the reaper to say */

#define MIN_UPLOAD_RATE	(64 * 1024)	/* bytes a second */
#define BODY_BUFFER	(1024 * 1024)

static void
watch_set(struct MHD_Connection *c, int64_t deadline_ms)
{
	const union MHD_ConnectionInfo	*ci;
	struct watched			*w;

	ci = M->get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (w = ci->socket_context) == NULL)
		return;
	pthread_mutex_lock(&watch_lock);
	w->deadline_ms = deadline_ms;
	pthread_mutex_unlock(&watch_lock);
}

/* The client's address as 16 bytes (IPv4 mapped into IPv6). */
static void
client_address(struct MHD_Connection *c, uint8_t out[16])
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;

	memset(out, 0, 16);
	ci = M->get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6)
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

static int
stranger(const struct watched *w)
{
	return !w->authenticated && !w->evicted;
}

/* How many strangers come from addr; under watch_lock. */
static int
strangers_from(const uint8_t *addr)
{
	struct watched	*w;
	int		 n = 0;

	for (w = watch_list; w != NULL; w = w->next)
		n += stranger(w) && memcmp(w->addr, addr, 16) == 0;
	return n;
}

/*
 * A new connection is a stranger until a request on it is signed.  Past
 * the strangers' quota from its address, that address's oldest stranger
 * is shut down; past the quota of all, the oldest stranger of the address
 * that holds the most.  A registered computer signs within milliseconds
 * of connecting, on one connection or two: a client that holds
 * connections open without signing cannot keep the slots computers need,
 * and cannot push a computer's new connection out unless it comes from
 * as many addresses as the quota.  Under watch_lock.
 */
static void
make_room(const struct smp_conf *conf, const uint8_t *addr)
{
	struct watched	*w, *victim = NULL;
	int		 n, most = 0, all = 0;
	int		 own_over = strangers_from(addr) >
			    conf->per_ip_unauthenticated_connections;

	for (w = watch_list; w != NULL; w = w->next) {
		if (!stranger(w))
			continue;
		all++;
		if (own_over && memcmp(w->addr, addr, 16) != 0)
			continue;	/* the address pays for its own excess */
		n = strangers_from(w->addr);
		if (victim == NULL || n > most ||
		    (n == most && w->opened_ms <= victim->opened_ms)) {
			most = n;
			victim = w;
		}
	}
	if (!own_over && all <= conf->unauthenticated_connections)
		return;
	w = victim;
	if (w->fd != -1)
		shutdown(w->fd, SHUT_RDWR);
	w->evicted = 1;
	w->deadline_ms = 0;
	evicted_since_said++;
}

static void
notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct smp_server		*s = cls;
	const union MHD_ConnectionInfo	*ci;
	struct watched			*w;

	pthread_mutex_lock(&watch_lock);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		w = xcalloc(1, sizeof *w);
		ci = M->get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		w->fd = ci != NULL ? ci->connect_fd : -1;
		w->opened_ms = now_ms();
		w->deadline_ms = w->opened_ms + (int64_t)s->conf.request_timeout_s * 1000;
		client_address(c, w->addr);
		w->next = watch_list;
		if (watch_list != NULL)
			watch_list->prev = w;
		watch_list = w;
		*socket_context = w;
		make_room(&s->conf, w->addr);
	} else if ((w = *socket_context) != NULL) {
		if (w->prev != NULL)
			w->prev->next = w->next;
		else
			watch_list = w->next;
		if (w->next != NULL)
			w->next->prev = w->prev;
		explicit_bzero(w, sizeof *w);
		free(w);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&watch_lock);
}

/* Shuts down the sockets past their deadline; libmicrohttpd then closes
 * them as it would a client that went away. */
static void
reap_slow(const struct smp_conf *conf)
{
	struct watched	*w;
	int64_t		 now = now_ms();
	int		 n = 0, evicted;

	pthread_mutex_lock(&watch_lock);
	evicted = evicted_since_said;
	evicted_since_said = 0;
	for (w = watch_list; w != NULL; w = w->next)
		if (w->deadline_ms != 0 && now > w->deadline_ms && w->fd != -1) {
			shutdown(w->fd, SHUT_RDWR);
			w->deadline_ms = 0;
			n++;
		}
	pthread_mutex_unlock(&watch_lock);
	if (n > 0)
		fprintf(stderr, "tsi smp: closed %d connection%s too slow to send a "
		    "request\n", n, n == 1 ? "" : "s");
	if (evicted > 0)
		fprintf(stderr, "tsi smp: closed %d unauthenticated connection%s to make "
		    "room for new ones (limits: unauthenticated_connections %d, "
		    "per_ip_unauthenticated_connections %d)\n", evicted,
		    evicted == 1 ? "" : "s", conf->unauthenticated_connections,
		    conf->per_ip_unauthenticated_connections);
}

/* The connection's watch entry: authenticated from now on, or whether it
 * is. */
static int
connection_authenticated(struct MHD_Connection *c, int set)
{
	const union MHD_ConnectionInfo	*ci;
	struct watched			*w;
	int				 r = 0;

	ci = M->get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (w = ci->socket_context) == NULL)
		return 0;
	pthread_mutex_lock(&watch_lock);
	if (set)
		w->authenticated = 1;
	r = w->authenticated;
	pthread_mutex_unlock(&watch_lock);
	return r;
}

/* One request, from its first line to its end. */
struct conn {
	char			 target[SMP_TARGET_MAX + 2];	/* one more: too long */
	int			 too_long;
	int			 started, answered;
	struct smp_head		 head;
	struct smp_who		 who;
	struct smp_upload	 up;
	struct smp_reply	 reply;		/* decided by the head, sent after it */
	uint8_t			*body;		/* upload bytes not yet written */
	size_t			 pending;
	struct sha256_ctx	 sha;
	int			 uploading;
	int			 kept;		/* POST /v1/events or a console form:
						   the body kept whole in body */
	size_t			 kept_len;	/* received, at most head.body_len */
	int			 console;	/* a console request ... */
	const char		*cookie, *accept;	/* ... its headers */
	struct timespec		 began;		/* for the access log */
};

/* The raw target, before libmicrohttpd strips and unescapes its query:
 * the signature covers it as sent. */
static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct conn	*k = xcalloc(1, sizeof *k);

	(void)cls;
	(void)c;
	k->up.fd = -1;
	k->reply.fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &k->began);
	/* kept up to one byte past the limit, for the parser to refuse */
	k->too_long = strlen(uri) > SMP_TARGET_MAX;
	snprintf(k->target, sizeof k->target, "%s", uri);
	return k;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct smp_server	*s = cls;
	struct conn		*k = *con_cls;

	(void)toe;
	if (k == NULL)
		return;
	/* the next request on this connection owes its head in time */
	watch_set(c, now_ms() + (int64_t)(s->conf.idle_timeout_s +
	    s->conf.request_timeout_s) * 1000);
	/* a body cut short is never acknowledged: the store stays where it was */
	smp_upload_abandon(s, &k->up);
	if (k->reply.fd != -1)		/* a download never answered */
		close(k->reply.fd);
	explicit_bzero(k->reply.session, sizeof k->reply.session);
	buf_release(&k->reply.body);
	smp_head_release(&k->head);
	free(k->body);
	free(k);
	*con_cls = NULL;
}

static const char *
header(struct MHD_Connection *c, const char *name)
{
	return M->lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* What every console answer carries: no script but this origin's, no
 * frame, no sniffing, no cache, and the cookie it sets. */
static void
console_headers(struct MHD_Response *resp, const struct smp_reply *r)
{
	M->add_response_header(resp, "Content-Security-Policy", "default-src 'none'; "
	    "script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	M->add_response_header(resp, "X-Frame-Options", "DENY");
	M->add_response_header(resp, "X-Content-Type-Options", "nosniff");
	M->add_response_header(resp, "Referrer-Policy", "no-referrer");
	M->add_response_header(resp, "Cache-Control", "no-store");
	if (r->set_cookie[0] != '\0')
		M->add_response_header(resp, "Set-Cookie", r->set_cookie);
}

/* A target as the log shows it: bytes outside printable ASCII as \xHH. */
static void
printable(const char *in, char *out, size_t outlen)
{
	size_t	o = 0;

	for (; *in != '\0' && o + 5 < outlen; in++) {
		if ((unsigned char)*in < 0x20 || (unsigned char)*in >= 0x7f || *in == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", (unsigned char)*in);
		else
			out[o++] = *in;
	}
	out[o] = '\0';
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct conn *k, const char *method,
    struct smp_reply *r)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	struct timespec		 now;
	char			 range[96], shown[SMP_TARGET_MAX * 4 + 1], shown_method[64];
	uint64_t		 sent = r->fd != -1 ? r->len : r->body.len;
	double			 ms;

	k->answered = 1;
	if (r->fd != -1) {
		resp = M->create_response_from_fd_at_offset64(r->len, r->fd, r->from);
		if (resp != NULL && r->partial) {
			snprintf(range, sizeof range, "bytes %llu-%llu/%llu",
			    (unsigned long long)r->from,
			    (unsigned long long)(r->from + r->len - 1),
			    (unsigned long long)r->total);
			M->add_response_header(resp, "Content-Range", range);
		}
		if (resp != NULL)
			M->add_response_header(resp, "Content-Type",
			    "application/octet-stream");
		else
			close(r->fd);
		r->fd = -1;
	} else {
		resp = M->create_response_from_buffer(r->body.len, r->body.data,
		    MHD_RESPMEM_MUST_COPY);
		if (resp != NULL)
			M->add_response_header(resp, "Content-Type", r->html ?
			    "text/html; charset=utf-8" : r->content_type ? r->content_type :
			    "text/plain; charset=utf-8");
	}
	if (resp == NULL)
		return MHD_NO;
	M->add_response_header(resp, "Accept-Ranges", "bytes");
	/* one exchange for a stranger (a hello, a refusal): then the slot is
	 * free again */
	if (!connection_authenticated(c, 0))
		M->add_response_header(resp, "Connection", "close");
	if (r->session[0] != '\0')
		M->add_response_header(resp, "X-TSI-Session", r->session);
	if (r->location[0] != '\0')
		M->add_response_header(resp, "Location", r->location);
	if (k->console)
		console_headers(resp, r);
	if (r->retry_after > 0) {
		snprintf(range, sizeof range, "%d", r->retry_after);
		M->add_response_header(resp, "Retry-After", range);
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - k->began.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - k->began.tv_nsec) / 1e6;
	smp_metrics_request(k->head.req.route, r->status, ms / 1e3, k->up.received +
	    k->kept_len, sent);
	printable(k->too_long ? "" : k->target, shown, sizeof shown);
	printable(method, shown_method, sizeof shown_method);
	fprintf(stderr, "tsi smp: %s %s %s -> %d in %.2f ms%s%s%.*s\n", k->who.name[0] ?
	    k->who.name : "-", shown_method, shown, r->status, ms,
	    k->who.by_session ? " (session)" : "", r->status >= 400 ? ": " : "",
	    r->status >= 400 && r->body.len > 7 ? (int)strcspn(r->body.data + 7, "\n") : 0,
	    r->status >= 400 && r->body.len > 7 ? r->body.data + 7 : "");
	ret = M->queue_response(c, (unsigned)r->status, resp);
	M->destroy_response(resp);
	return ret;
}

static void	console_answer(struct smp_server *, struct MHD_Connection *, struct conn *,
		    const char *, const char *, size_t, struct smp_reply *);

/* The first call: everything that the head decides. */
static void
begin(struct smp_server *s, struct MHD_Connection *c, struct conn *k, const char *method,
    struct smp_reply *r)
{
	const struct smp_raw_head	 raw = {
		.method = method,
		.target = k->target,
		.content_length = header(c, "Content-Length"),
		.transfer_encoding = header(c, "Transfer-Encoding"),
		.content_sha256 = header(c, "X-TSI-Content-SHA256"),
		.authorization = header(c, "Authorization"),
		.range = header(c, "Range"),
		.cookie = header(c, "Cookie"),
		.accept = header(c, "Accept"),
	};
	const union MHD_ConnectionInfo	*ci;
	struct watched			*w;

	if (smp_parse_head(&raw, s->plain, &k->head) == -1) {
		smp_reply_error(r, k->head.status, "%s", k->head.why);
		return;
	}
	if (k->head.req.route == SMP_R_HELLO) {
		r->status = 200;
		buf_adds(&r->body, "tsi-smp: 1\n");
		return;
	}
	if (k->head.req.route == SMP_R_CONSOLE) {
		k->console = 1;
		/* a page is larger than a protocol answer; past this it says so */
		buf_release(&r->body);
		buf_init(&r->body, SMP_CONSOLE_MAX_PAGE);
		k->cookie = raw.cookie;
		k->accept = raw.accept;
		if (strcmp(method, "POST") != 0)
			console_answer(s, c, k, method, NULL, 0, r);
		else {		/* the form comes next, bounded by the head */
			k->kept = 1;
			k->body = xmalloc(k->head.body_len + 1);
		}
		return;
	}
	ci = M->get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	w = ci != NULL ? ci->socket_context : NULL;
	/* an upload's answer comes after its body: no session is opened by it;
	 * without TLS there are no sessions (the secret would travel clear) */
	if (smp_authenticate(s, method, k->target, &k->head,
	    s->plain || w == NULL ? NULL : k->head.req.route != SMP_R_UPLOAD ||
	    w->session.valid ? &w->session : NULL, NULL, &k->who, r) == -1)
		return;
	connection_authenticated(c, 1);
	if (w != NULL)
		memcpy(k->who.addr, w->addr, sizeof k->who.addr);
	switch (k->head.req.route) {
	case SMP_R_CAPACITY:
		smp_h_capacity(s, &k->who, r);
		break;
	case SMP_R_REQUEST:
		smp_h_request(s, &k->who, &k->head.req, r);
		break;
	case SMP_R_STATUS:
		smp_h_status(s, &k->who, &k->head.req, r);
		break;
	case SMP_R_RELEASE:
		smp_h_release(s, &k->who, &k->head.req, r);
		break;
	case SMP_R_DOWNLOAD:
		smp_h_download(s, &k->who, &k->head.req, r);
		break;
	case SMP_R_UPLOAD:
		if (smp_upload_begin(s, &k->who, &k->head, &k->up, r) == 0) {
			k->uploading = 1;
			k->body = xmalloc(BODY_BUFFER);
			sha256_init(&k->sha);
		}
		break;
	case SMP_R_EVENTS:
		/* the body comes next, bounded by the head (request.c) */
		k->kept = 1;
		k->body = xmalloc(k->head.body_len + 1);
		break;
	case SMP_R_NONE:
	case SMP_R_HELLO:
	case SMP_R_CONSOLE:
		break;
	}
}

/* A console request, with its form: a session makes the connection one
 * that may live on, as a signed request does. */
static void
console_answer(struct smp_server *s, struct MHD_Connection *c, struct conn *k,
    const char *method, const char *body, size_t len, struct smp_reply *r)
{
	const union MHD_ConnectionInfo	*ci;
	const struct watched		*w;
	struct console_req		 q;
	static const uint8_t		 none[16];

	ci = M->get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	w = ci != NULL ? ci->socket_context : NULL;
	memset(&q, 0, sizeof q);
	q.method = method;
	q.target = k->target;
	q.cookie = k->cookie;
	q.accept = k->accept;
	q.body = body ? body : "";
	q.body_len = len;
	q.addr = w != NULL ? w->addr : none;
	if (smp_console(s, &q, r) == 1)
		connection_authenticated(c, 1);
}

/* The events' body, as much as the head announced; more is refused. */
static void
take_kept(struct conn *k, const char *data, size_t n)
{
	if (n > k->head.body_len - k->kept_len) {
		k->kept_len = k->head.body_len + 1;	/* refused at the end */
		return;
	}
	memcpy(k->body + k->kept_len, data, n);
	k->kept_len += n;
}

/* The events' body whole: the handler answers (the reply keeps the
 * session the head may have opened). */
static void
end_kept(struct smp_server *s, struct MHD_Connection *c, struct conn *k,
    const char *method)
{
	uint8_t	sum[32];
	char	hex[65];

	if (k->kept_len != k->head.body_len) {
		smp_reply_error(&k->reply, 400, "the body is not the %llu bytes "
		    "Content-Length says", (unsigned long long)k->head.body_len);
		return;
	}
	if (k->console) {
		k->body[k->kept_len] = '\0';
		console_answer(s, c, k, method, (const char *)k->body, k->kept_len, &k->reply);
		return;
	}
	sha256(k->body, k->kept_len, sum);
	hex_encode(sum, sizeof sum, hex);
	if (strcmp(hex, k->head.body_sha) != 0) {
		smp_reply_error(&k->reply, 400, "the body does not match its "
		    "X-TSI-Content-SHA256");
		return;
	}
	smp_h_events(s, &k->who, (const char *)k->body, k->kept_len, &k->reply);
}

/* Writes what the body buffer holds at its place in the store. */
static void
flush_body(struct conn *k)
{
	struct smp_upload	*u = &k->up;
	ssize_t			 w;
	size_t			 done = 0;
	uint64_t		 at = u->offset + u->received - k->pending;

	while (done < k->pending && !u->failed) {
		w = pwrite(u->fd, k->body + done, k->pending - done, (off_t)(at + done));
		if (w == -1 && errno != EINTR)
			u->failed = errno;
		else if (w > 0)
			done += (size_t)w;
	}
	k->pending = 0;
}

/* A TLS record (16 KiB at most) at a time comes in; it is written a
 * megabyte at a time, a sixty-fourth of the system calls. */
static void
take_body(struct conn *k, const char *data, size_t n)
{
	struct smp_upload	*u = &k->up;
	size_t			 take;

	if (u->received + n > u->length) {
		u->received = u->length + 1;	/* more than announced: refused at the end */
		return;
	}
	if (k->head.hash_body)
		sha256_update(&k->sha, data, n);
	while (n > 0) {
		take = BODY_BUFFER - k->pending < n ? BODY_BUFFER - k->pending : n;
		memcpy(k->body + k->pending, data, take);
		k->pending += take;
		u->received += take;
		data += take;
		n -= take;
		if (k->pending == BODY_BUFFER)
			flush_body(k);
	}
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct smp_server	*s = cls;
	struct conn		*k = *con_cls;
	struct smp_reply	 r;
	enum MHD_Result		 ret = MHD_YES;
	uint8_t			 sum[32];
	char			 hex[65];

	(void)url;
	(void)version;
	if (k == NULL)
		return MHD_NO;
	if (!k->started) {
		k->started = 1;
		memset(&k->reply, 0, sizeof k->reply);
		k->reply.fd = -1;
		buf_init(&k->reply.body, 64 * 1024);
		begin(s, c, k, method, &k->reply);
		/* the head arrived; an upload's body has its own pace to keep */
		watch_set(c, k->uploading || k->kept ? now_ms() +
		    (int64_t)s->conf.request_timeout_s * 1000 + (int64_t)((k->uploading ?
		    k->up.length : k->head.body_len) / MIN_UPLOAD_RATE) * 1000 : 0);
		/* a refused request with a body is answered before the body,
		 * which closes the connection (nobody reads a body to refuse it);
		 * anything else is answered on the next call, once libmicrohttpd
		 * has the whole request, so the connection lives on */
		if (!k->uploading && (k->head.req.route == SMP_R_UPLOAD || k->head.has_body) &&
		    k->reply.status != 0)
			ret = send_reply(c, k, method, &k->reply);
		return ret;
	}
	if (*data_size > 0) {
		if (k->uploading)
			take_body(k, data, *data_size);
		else if (k->kept)
			take_kept(k, data, *data_size);
		*data_size = 0;
		return MHD_YES;
	}
	if (k->answered)
		return MHD_YES;
	if (k->kept)
		end_kept(s, c, k, method);
	if (!k->uploading)
		return send_reply(c, k, method, &k->reply);
	memset(&r, 0, sizeof r);
	r.fd = -1;
	buf_init(&r.body, 64 * 1024);
	if (k->up.received <= k->up.length)
		flush_body(k);
	sha256_final(&k->sha, sum);
	hex_encode(sum, sizeof sum, hex);
	smp_upload_end(s, &k->up, k->head.hash_body ? hex : k->up.sha, &r);
	ret = send_reply(c, k, method, &r);
	buf_release(&r.body);
	return ret;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("tsi smp: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static struct MHD_Daemon *
start(struct smp_server *s, const char *listen, const char *cert, const char *key,
    int plain, int *port, char **err)
{
	struct sockaddr_storage	 ss;
	struct MHD_Daemon	*d;
	const union MHD_DaemonInfo *info;
	/* poll(2), not select(2): descriptors past FD_SETSIZE work too */
	unsigned		 flags = MHD_USE_THREAD_PER_CONNECTION |
				    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
				    MHD_USE_ERROR_LOG;

	if (smp_listen_sockaddr(listen, "--listen", &ss, port, err) == -1)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (!plain)
		flags |= MHD_USE_TLS;
	d = M->start_daemon(flags, (uint16_t)*port, NULL, NULL, access_handler, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, s,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_connection, s,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->conf.connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)s->conf.per_ip_connections,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)1024 * 1024,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->conf.idle_timeout_s,
	    /* room for big reads of an upload's body, not only its headers */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
	    plain ? MHD_OPTION_END : MHD_OPTION_HTTPS_PRIORITIES,
	    /* TLS 1.2 or 1.3; the store is encrypted already, so the cheapest
	     * AEAD with AES-NI goes first */
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:"
	    "+AES-256-GCM:+CHACHA20-POLY1305",
	    MHD_OPTION_HTTPS_MEM_KEY, key,
	    MHD_OPTION_HTTPS_MEM_CERT, cert,
	    MHD_OPTION_END);
	if (d == NULL) {
		*err = xasprintf("cannot listen on %s: %s", listen, errno ? strerror(errno) :
		    "libmicrohttpd refused to start");
		return NULL;
	}
	if ((info = M->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)) != NULL)
		*port = info->port;
	return d;
}

int
smp_serve(const char *dir, const struct smp_serve_opts *o, char **err)
{
	struct smp_server	 s;
	struct MHD_Daemon	*d = NULL;
	struct smp_metrics	*metrics = NULL;
	struct sockaddr_storage	 ss;
	const char		*listen = o->listen, *port_file = o->port_file;
	int			 plain = o->plain;
	sigset_t		 set;
	struct timespec		 tick = { 1, 0 };
	char			*cert = NULL, *key = NULL, *line;
	const char		*why;
	int			 port, sig = 0, r = -1;

	/* a mistyped option is a usage error, found before anything starts */
	if (o->metrics_listen != NULL && smp_listen_sockaddr(o->metrics_listen,
	    "--metrics-listen", &ss, &port, err) == -1)
		return -2;
	if ((r = smp_server_open(&s, dir, &cert, &key, err)) < 0)
		return r;
	r = -1;
	/* signals are taken by this thread alone, with sigtimedwait */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	s.plain = plain;
	if ((M = mhd_api(&why)) == NULL) {
		*err = xasprintf("cannot load libmicrohttpd: %s", why);
		goto out;
	}
	if ((d = start(&s, listen ? listen : s.conf.listen, cert, key, plain, &port,
	    err)) == NULL)
		goto out;
	if (o->metrics_listen != NULL && (metrics = smp_metrics_start(&s,
	    o->metrics_listen, o->metrics_port_file, err)) == NULL)
		goto out;
	if (port_file != NULL) {
		line = xasprintf("%d\n", port);
		if (write_file_atomic(port_file, line, strlen(line), 0644) == -1) {
			*err = xasprintf("cannot write %s: %s", port_file, strerror(errno));
			free(line);
			goto out;
		}
		free(line);
	}
	if (smp_site_join(&s, listen ? listen : s.conf.listen, port, o->advertise, err) == -1)
		goto out;
	fprintf(stderr, "tsi smp: serving %s on port %d (%zu storage folder%s, "
	    "retention %llds%s)\n", plain ? "plain HTTP (--plain-http: no TLS)" : "HTTPS",
	    port, s.conf.nfolders, s.conf.nfolders == 1 ? "" : "s",
	    (long long)s.conf.retention_s, s.conf.restore_only ? ", restore-only" : "");
	for (;;) {
		smp_retention_tick(&s);
		smp_site_tick(&s);
		reap_slow(&s.conf);
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	fprintf(stderr, "tsi smp: %s: stopping\n", strsignal(sig));
	r = 0;
out:
	smp_metrics_stop(metrics);	/* before the server it reads goes */
	if (d != NULL)
		M->stop_daemon(d);	/* joins every connection's thread */
	smp_server_close(&s, &cert, &key);
	return r;
}
