/*
 * client.c - one connection to one SMP: signed requests over a pinned
 * TLS connection (libcurl), the retry policy, and request/release of a
 * store (smp-client.h).  client-stream.c streams stores over it.
 */
#include "client-int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../lib/faults.h"
#include "../lib/trusted.h"
#include "../store/fastcrypto.h"

#define SMP_PINS_MAX	64

int
smp_is_url(const char *s)
{
	return s != NULL && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

void
smp_note(const struct smp_client_opts *o, const char *fmt, ...)
{
	va_list	 ap;
	char	*m;

	if (o->note == NULL)
		return;
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	o->note(o->ctx, m);
	free(m);
}

/* Waits the retry delay; -1 when the work must stop meanwhile. */
int
smp_wait(const struct smp_client_opts *o)
{
	return stop_sleep(o->stop, (int64_t)o->retry_delay_s * 1000) == STOP_NO ? 0 : -1;
}

int
smp_split_store_url(const char *url, char **base, char id[SMP_STORE_ID_HEX + 1])
{
	const char	*p = strstr(url, "/v1/stores/");
	size_t		 i;

	if (!smp_is_url(url) || p == NULL || strlen(p + 11) != SMP_STORE_ID_HEX)
		return -1;
	for (i = 0; i < SMP_STORE_ID_HEX; i++)
		if (strchr("0123456789abcdef", p[11 + i]) == NULL)
			return -1;
	memcpy(id, p + 11, SMP_STORE_ID_HEX + 1);
	*base = xstrndup(url, (size_t)(p - url));
	return 0;
}

/*
 * A pool keeps one client when it is freed, with its connection, TLS
 * session, pin and signing key: the steps of a sequence (request, capture,
 * release) talk to the same SMP one after the other, and each new client
 * would cost a TLS handshake and a key load on both sides.  Whoever made
 * the pool (the run) frees it, and the keys with it.
 */
struct smp_pool {
	struct smp_client	*idle;
};

static void	client_destroy(struct smp_client *);

struct smp_pool *
smp_pool_new(void)
{
	return xcalloc(1, sizeof(struct smp_pool));
}

void
smp_pool_free(struct smp_pool *p)
{
	if (p == NULL)
		return;
	client_destroy(p->idle);
	free(p);
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
smp_client_new(struct smp_client **out, const char *base, const struct smp_client_opts *o,
    char **err)
{
	struct smp_client	*c;
	const char		*why;
	char			*pem = NULL, *why_refused;
	size_t			 len;

	*out = NULL;
	if (o->pool != NULL && (c = o->pool->idle) != NULL && strcmp(c->base, base) == 0 &&
	    same(c->made_cacert, o->cacert) && same(c->made_identity_dir, o->identity_dir) &&
	    c->o.allow_plain_http == o->allow_plain_http) {
		o->pool->idle = NULL;
		c->o = *o;		/* the caller's policy and callbacks */
		c->o.cacert = c->made_cacert;		/* the same, kept */
		c->o.identity_dir = c->made_identity_dir;
		*out = c;
		return 0;
	}
	if (o->cacert == NULL || *o->cacert == '\0') {
		*err = xstrdup("TSISMPCACert is not set: it names the SMP's certificate "
		    "(smp-cert.pem from the SMP's directory), which the client pins");
		return -1;
	}
	if (strncmp(base, "http://", 7) == 0 && !o->allow_plain_http) {
		*err = xasprintf("'%s' is plain HTTP: the requests would travel in the "
		    "clear and the SMP could not be pinned; use https://, or set "
		    "TSISMPAllowPlainHTTP=true for a test SMP (tsi smp serve --plain-http)",
		    base);
		return -1;
	}
	c = xcalloc(1, sizeof *c);
	c->o = *o;
	c->made_cacert = xstrdup(o->cacert);
	c->made_identity_dir = o->identity_dir ? xstrdup(o->identity_dir) : NULL;
	/* the client's own copies: a client that outlives its caller's
	 * strings (the status sender's, a run's variable set again) reads
	 * these, never freed memory */
	c->o.cacert = c->made_cacert;
	c->o.identity_dir = c->made_identity_dir;
	c->base = xstrdup(base);
	while (c->base[0] != '\0' && c->base[strlen(c->base) - 1] == '/')
		c->base[strlen(c->base) - 1] = '\0';
	buf_init(&c->resp, 64 * 1024);
	c->pins = xcalloc(SMP_PINS_MAX, sizeof c->pins[0]);
	/* the pins decide whom the store is encrypted to: root trusts only
	 * root's (trusted.h) */
	if (read_trusted_file(o->cacert, 1024 * 1024, &pem, &len, &why_refused) == -1 &&
	    why_refused != NULL) {
		*err = xasprintf("refusing TSISMPCACert '%s': %s", o->cacert, why_refused);
		free(why_refused);
		goto fail;
	}
	if (pem == NULL ||
	    smp_cert_pins(pem, len, c->pins, SMP_PINS_MAX, &c->npins, &c->curl_pin) == -1) {
		*err = xasprintf("TSISMPCACert '%s' is not a readable PEM certificate "
		    "(or bundle of them)", o->cacert);
		goto fail;
	}
	if (c->npins == 1)
		memcpy(c->pin, c->pins[0], SMP_PIN_HEX);
	if (smp_signer_load(&c->signer, o->identity_dir, err) == -1)
		goto fail;
	if ((c->api = curl_api(&why)) == NULL) {
		*err = xasprintf("cannot load libcurl: %s", why);
		goto fail;
	}
	if ((c->curl = c->api->easy_init()) == NULL) {
		*err = xstrdup("cannot start libcurl");
		goto fail;
	}
	free(pem);
	*out = c;
	return 0;
fail:
	free(pem);
	client_destroy(c);
	return -1;
}

void
smp_client_free(struct smp_client *c)
{
	struct smp_pool	*p;

	if (c == NULL)
		return;
	if ((p = c->o.pool) == NULL) {
		client_destroy(c);
		return;
	}
	client_destroy(p->idle);
	p->idle = c;	/* kept for the next step of the run */
}

static void
client_destroy(struct smp_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		c->api->easy_cleanup(c->curl);
	explicit_bzero(c->session, sizeof c->session);
	smp_signer_free(c->signer);
	buf_release(&c->resp);
	free(c->pins);
	free(c->curl_pin);
	free(c->made_cacert);
	free(c->made_identity_dir);
	free(c->base);
	free(c);
}

/* A header's value when the line p (n bytes) is name (lower case, with
 * its colon): 1, with it in out; 0 otherwise (and when it is too long). */
static int
header_value(const char *p, size_t n, const char *name, char *out, size_t outlen)
{
	size_t	k = strlen(name);

	if (n <= k || strncasecmp(p, name, k) != 0)
		return 0;
	p += k;
	n -= k;
	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	if (n >= outlen)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* X-TSI-Session: the secret the SMP gave this connection (proto.h). */
static size_t
take_header(char *p, size_t size, size_t n, void *ud)
{
	struct smp_client	*c = ud;
	static const char	 name[] = "x-tsi-session:";
	char			 b64[64];
	size_t			 len, got;

	(void)size;
	if (header_value(p, n, "location:", c->location, sizeof c->location) ||
	    header_value(p, n, "retry-after:", b64, sizeof b64)) {
		if (strncasecmp(p, "retry-after:", 12) == 0)
			c->retry_after = atoi(b64) > 0 ? atoi(b64) : 1;
		return n;
	}
	if (n > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
		len = n - (sizeof name - 1);
		p += sizeof name - 1;
		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
			len--;
		if (len < sizeof b64) {
			memcpy(b64, p, len);
			b64[len] = '\0';
			if (base64_decode(b64, c->session, sizeof c->session, &got) == 0 &&
			    got == SMP_SESSION_LEN)
				c->has_session = 1;
		}
	}
	return n;
}

static size_t
to_buf(char *p, size_t size, size_t n, void *ud)
{
	(void)size;
	return buf_add(ud, p, n) == -1 ? 0 : n;
}

/* Tests (TSI_FAULT_SMP_TRACE=FILE): each request's line (with the body's
 * hash after it when there is a body) and signature, appended (a
 * signature is good for one request only; tests replay them). */
static void
trace(const char *method, const char *target, const char *sha, const char *auth)
{
	const char	*path = FAULT_VALUE(TSI_FAULT_SMP_TRACE);
	FILE		*f;

	if (path == NULL || (f = fopen(path, "ae")) == NULL)
		return;
	fprintf(f, "%s %s%s%s\n%s\n", method, target, sha ? " " : "", sha ? sha : "", auth);
	fclose(f);
}

/* A signal or the step's deadline ends a transfer, whatever the SMP does
 * (libcurl calls this at least once a second, data or not). */
static int
watch_stop(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	const struct smp_client	*c = ud;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	return stop_check(c->o.stop) != STOP_NO;
}

/* The options every request shares; -1 when libcurl refuses one that the
 * trust depends on (an old or odd libcurl fails closed). */
static int
setup(struct smp_client *c, const char *url, struct curl_slist *h, struct buf *out)
{
	const struct curl_api	*api = c->api;
	int64_t			 left_ms = -1;

	if (c->o.stop != NULL && c->o.stop->deadline > 0)
		left_ms = c->o.stop->deadline - now_ms();
	api->easy_reset(c->curl);
	/* the pinned certificates are the only trust anchors, and the key
	 * presented must be one of theirs: no CA, and so no host name, is
	 * trusted instead */
	if (api->easy_setopt(c->curl, CURLOPT_URL, url) != CURLE_OK ||
	    api->easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, c->o.allow_plain_http ?
	    "http,https" : "https") != CURLE_OK ||
	    api->easy_setopt(c->curl, CURLOPT_CAINFO, c->o.cacert) != CURLE_OK ||
	    api->easy_setopt(c->curl, CURLOPT_CAPATH, NULL) != CURLE_OK ||
	    api->easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    api->easy_setopt(c->curl, CURLOPT_PINNEDPUBLICKEY, c->curl_pin) != CURLE_OK)
		return -1;
	api->easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	api->easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	/* the store is encrypted already: the cheapest AEAD with AES-NI will do */
	api->easy_setopt(c->curl, CURLOPT_TLS13_CIPHERS,
	    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
	api->easy_setopt(c->curl, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
	api->easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	/* a stalled SMP is a failed attempt, not a hang */
	api->easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	api->easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	api->easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	api->easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	api->easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, to_buf);
	api->easy_setopt(c->curl, CURLOPT_WRITEDATA, out);
	api->easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, watch_stop);
	api->easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	api->easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	if (c->o.stop != NULL && c->o.stop->deadline > 0)	/* the step's, to the ms */
		api->easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)(left_ms > 0 ? left_ms : 1));
	c->errbuf[0] = '\0';
	buf_reset(out);
	return 0;
}

/* Which of the pinned certificates this SMP presents: GET /v1/hello with
 * the handshake's certificates.  0, or -1 with *err. */
static int
learn_pin(struct smp_client *c, char **err)
{
	const struct curl_api	*api = c->api;
	struct curl_certinfo	*ci = NULL;
	struct curl_slist	*l;
	char			*url = xasprintf("%s/v1/hello", c->base), pin[SMP_PIN_HEX];
	size_t			 i;
	CURLcode		 res;

	if (setup(c, url, NULL, &c->resp) == -1) {
		*err = xstrdup("libcurl refused the options that pin the SMP's certificate");
		free(url);
		return -1;
	}
	api->easy_setopt(c->curl, CURLOPT_CERTINFO, 1L);
	res = api->easy_perform(c->curl);
	c->untrusted = res == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
	    res == CURLE_PEER_FAILED_VERIFICATION;
	if (res != CURLE_OK) {
		*err = xasprintf("%s: %s", url, stop_check(c->o.stop) != STOP_NO ?
		    stop_why_text(stop_check(c->o.stop)) : c->errbuf[0] ? c->errbuf :
		    api->easy_strerror(res));
		free(url);
		return -1;
	}
	free(url);
	if (api->easy_getinfo(c->curl, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci != NULL &&
	    ci->num_of_certs > 0)
		for (l = ci->certinfo[0]; l != NULL; l = l->next)
			if (strncmp(l->data, "Cert:", 5) == 0 &&
			    smp_cert_pin(l->data + 5, strlen(l->data + 5), pin, NULL) == 0)
				for (i = 0; i < c->npins; i++)
					if (strcmp(pin, c->pins[i]) == 0)
						memcpy(c->pin, pin, SMP_PIN_HEX);
	if (c->pin[0] == '\0') {
		*err = xasprintf("%s: cannot tell which of TSISMPCACert's certificates it "
		    "presents", c->base);
		return -1;
	}
	return 0;
}

static int
call_once(struct smp_client *c, const char *method, const char *target, const void *body,
    size_t len, const char *range, struct buf *out, char **err)
{
	const struct curl_api	*api = c->api;
	struct curl_slist	*h = NULL;
	uint8_t			 sum[32];
	char			 sha[65], *auth, *line, *url;
	long			 status = 0;
	CURLcode		 res;
	int			 session_used;

	if (c->pin[0] == '\0' && learn_pin(c, err) == -1)
		return 0;
	session_used = c->has_session;
again:
	if (body != NULL && strncmp(c->base, "https://", 8) == 0 && !c->sign_body)
		snprintf(sha, sizeof sha, "%s", SMP_UNSIGNED_PAYLOAD);
	else if (body != NULL) {
		sha256(body, len, sum);
		hex_encode(sum, sizeof sum, sha);
	} else
		snprintf(sha, sizeof sha, "%s", SMP_EMPTY_SHA256);
	auth = session_used ? smp_sign_mac(c->session, smp_signer_key_id(c->signer), c->pin,
	    method, target, sha) : smp_sign(c->signer, c->pin, method, target, sha);
	if (auth == NULL) {
		*err = xstrdup("cannot sign the request");
		return 0;
	}
	line = xasprintf("Authorization: %s", auth);
	trace(method, target, body != NULL ? sha : NULL, line);
	h = api->slist_append(h, line);
	free(line);
	free(auth);
	if (body != NULL) {
		line = xasprintf("X-TSI-Content-SHA256: %s", sha);
		h = api->slist_append(h, line);
		free(line);
	}
	if (range != NULL) {
		line = xasprintf("Range: %s", range);
		h = api->slist_append(h, line);
		free(line);
	}
	h = api->slist_append(h, "Expect:");
	url = xasprintf("%s%s", c->base, target);
	if (setup(c, url, h, out) == -1) {
		*err = xstrdup("libcurl refused the options that pin the SMP's certificate");
		api->slist_free_all(h);
		free(url);
		return 0;
	}
	if (strcmp(method, "GET") != 0) {
		api->easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
		api->easy_setopt(c->curl, CURLOPT_POSTFIELDS, body ? body : "");
		api->easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	api->easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, take_header);
	api->easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
	c->location[0] = '\0';
	c->retry_after = 0;
	res = api->easy_perform(c->curl);
	api->easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	api->slist_free_all(h);
	if (session_used && stop_check(c->o.stop) == STOP_NO &&
	    (res != CURLE_OK || status == 401)) {
		/* a new connection: its session is gone, and the SMP refused the
		 * MAC (an upload's refusal can cut the body short: a send
		 * error); once more, signed with the key */
		c->has_session = session_used = 0;
		free(url);
		h = NULL;
		goto again;
	}
	if (res != CURLE_OK && stop_check(c->o.stop) != STOP_NO) {
		*err = xasprintf("%s: %s", url, stop_why_text(stop_check(c->o.stop)));
		status = 0;
	} else if (res != CURLE_OK) {
		*err = xasprintf("%s: %s", url, c->errbuf[0] ? c->errbuf :
		    api->easy_strerror(res));
		status = 0;
	} else
		buf_addch(out, '\0');
	free(url);
	return (int)status;
}

/*
 * A node of a site sends a request on to the node that holds the store or
 * has room (307): the client goes there only when that node presents one
 * of TSISMPCACert's certificates (learn_pin, under the same pins), signs
 * the request again for it, and follows a few hops at most.  The client
 * talks to that node from then on.  0, or -1 with *err.
 */
static int
follow(struct smp_client *c, const char *target, char **err)
{
	const char	*scheme = c->o.allow_plain_http && strncmp(c->location, "http://", 7) ==
			    0 ? "http://" : "https://";
	const char	*host = c->location + strlen(scheme), *path;
	char		*from = c->base, *why = NULL;

	/* another node, the same request: only its address may change */
	if (strncmp(c->location, scheme, strlen(scheme)) != 0 ||
	    (path = strchr(host, '/')) == NULL || path == host ||
	    strcmp(path, target) != 0) {
		*err = xasprintf("%s sent the request to '%s', which is not the same "
		    "request at another SMP: refused", from, c->location);
		return -1;
	}
	c->base = xstrndup(c->location, (size_t)(path - c->location));
	smp_note(&c->o, "SMP %s sends this request to %s", from, c->base);
	c->pin[0] = '\0';
	c->has_session = 0;
	if (learn_pin(c, &why) == -1) {
		if (c->untrusted)
			*err = xasprintf("%s sent the request to %s, which does not present "
			    "one of TSISMPCACert's certificates: refused (%s)", from, c->base,
			    why);
		else
			*err = xasprintf("%s sent the request to %s, the node that holds or "
			    "takes it, which does not answer now: %s", from, c->base, why);
		free(why);
		free(from);
		return -1;
	}
	free(from);
	return 0;
}

int
smp_call(struct smp_client *c, const char *method, const char *target, const void *body,
    size_t len, const char *range, struct buf *out, char **err)
{
	int	st, hops;

	for (hops = 0;; hops++) {
		st = call_once(c, method, target, body, len, range, out, err);
		if ((st != 307 && st != 308) || c->location[0] == '\0')
			return st;
		if (hops == SMP_REDIRECTS_MAX) {
			*err = xasprintf("%s: more than %d redirects: refused", c->base,
			    SMP_REDIRECTS_MAX);
			return 0;
		}
		if (follow(c, target, err) == -1)
			return 0;
	}
}

const char *
smp_field(const char *body, const char *key, char *out, size_t outlen)
{
	size_t		 klen = strlen(key);
	const char	*p = body, *e;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':' && p[klen + 1] == ' ') {
			p += klen + 2;
			e = strchr(p, '\n');
			snprintf(out, outlen, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
			return e ? e + 1 : p + strlen(p);
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

char *
smp_answer(int status, const struct buf *body, const char *transport)
{
	const char	*t = body->len > 0 ? body->data : "";

	if (status == 0)
		return xstrdup(transport);
	if (strncmp(t, "error: ", 7) == 0)
		t += 7;
	return xasprintf("%d %.*s", status, (int)strcspn(t, "\n"), t);
}

int
smp_retryable(const struct smp_client *c, int status)
{
	/* a 503 that says when to come back passes (the site's database is
	 * down); one that does not (restore-only) stays */
	return status == 0 || status == 408 || status == 423 || status == 429 ||
	    (status == 503 && c->retry_after > 0) || (status >= 500 && status != 503 &&
	    status != 507);
}

/* Whether an SMP's refusal could change with time: a store not yet
 * captured or released (restore), room that frees up, a network. */
static int
may_change(int status, const char *mode)
{
	if (status == 404 || status == 409)
		return strcmp(mode, "restore") == 0;
	return status != 400 && status != 401 && status != 403 && status != 405 &&
	    status != 410 && status != 413;
}

/* One SMP's answer to a request for a store: 1 got it, 0 try another;
 * *transient is set when trying it again later could help. */
static int
ask_one(const char *base, const char *mode, const struct smp_client_opts *o,
    char **store_url, struct buf *why, int *fatal, int *transient)
{
	struct smp_client	*c;
	char			*e = NULL, *a, path[128], target[64];
	int			 st, got = 0;

	if (smp_client_new(&c, base, o, &e) == -1) {
		*fatal = 1;	/* a setup problem is the same at every SMP */
		buf_addf(why, "%s\n", e);
		free(e);
		return 0;
	}
	if (strcmp(mode, "capture") == 0) {
		st = smp_call(c, "GET", "/v1/capacity", NULL, 0, NULL, &c->resp, &e);
		if (st == 200 && smp_field(c->resp.data, "capture", path, sizeof path) &&
		    strcmp(path, "yes") != 0) {
			if (!smp_field(c->resp.data, "reason", path, sizeof path))
				snprintf(path, sizeof path, "no room");
			buf_addf(why, "  %s: takes no capture: %s\n", base, path);
			smp_note(o, "SMP %s takes no capture: %s", base, path);
			*transient = 1;
			goto out;
		}
		if (st != 200) {
			a = smp_answer(st, &c->resp, e);
			buf_addf(why, "  %s: %s\n", base, a);
			smp_note(o, "SMP %s: %s", base, a);
			free(a);
			*transient |= may_change(st, mode);
			goto out;
		}
	}
	snprintf(target, sizeof target, "/v1/request?mode=%s", mode);
	st = smp_call(c, "POST", target, NULL, 0, NULL, &c->resp, &e);
	if (st == 200 && smp_field(c->resp.data, "path", path, sizeof path) &&
	    strncmp(path, "/v1/stores/", 11) == 0) {
		*store_url = xasprintf("%s%s", c->base, path);
		got = 1;
	} else {
		a = smp_answer(st, &c->resp, e);
		buf_addf(why, "  %s: %s\n", base, a);
		smp_note(o, "SMP %s: %s", base, a);
		free(a);
		/* a node whose certificate is not pinned stays so */
		*transient |= !c->untrusted && may_change(st, mode);
	}
out:
	free(e);
	smp_client_free(c);
	return got;
}

int
smp_request(char *const *urls, size_t n, const char *mode,
    const struct smp_client_opts *o, char **store_url, char **err)
{
	struct buf	why;
	size_t		i;
	int		attempt, fatal = 0, transient = 1;

	buf_init(&why, 64 * 1024);
	*store_url = NULL;
	for (attempt = 0; attempt <= o->retry_count && !fatal && transient; attempt++) {
		if (attempt > 0) {
			smp_note(o, "no SMP gave a store; trying again in %d s (retry %d "
			    "of %d)", o->retry_delay_s, attempt, o->retry_count);
			if (smp_wait(o) == -1)
				break;
		}
		buf_reset(&why);
		transient = 0;
		for (i = 0; i < n && !fatal; i++)
			if (ask_one(urls[i], mode, o, store_url, &why, &fatal, &transient)) {
				buf_release(&why);
				return 0;
			}
	}
	buf_addch(&why, '\0');
	if (why.len > 1 && why.data[why.len - 2] == '\n')
		why.data[why.len - 2] = '\0';
	*err = xasprintf("no State Migration Point gave a store for %s (%d attempt%s):\n%s",
	    mode, attempt, attempt == 1 ? "" : "s", why.data);
	buf_release(&why);
	return -1;
}

int
smp_call_retried(struct smp_client *c, const char *method, const char *target,
    const char *what, char **err)
{
	int	st, attempt;
	char	*e = NULL, *a;

	for (attempt = 0;; attempt++) {
		free(e);
		e = NULL;
		st = smp_call(c, method, target, NULL, 0, NULL, &c->resp, &e);
		if (!smp_retryable(c, st) || attempt >= c->o.retry_count)
			break;
		a = smp_answer(st, &c->resp, e);
		smp_note(&c->o, "%s: %s; retry %d of %d in %d s", what, a, attempt + 1,
		    c->o.retry_count, c->o.retry_delay_s);
		free(a);
		if (smp_wait(&c->o) == -1)
			break;
	}
	if (st != 200)
		*err = smp_answer(st, &c->resp, e);
	free(e);
	return st;
}

int
smp_release(const char *store_url, const struct smp_client_opts *o, char **info,
    char **err)
{
	struct smp_client	*c;
	char			 id[SMP_STORE_ID_HEX + 1], target[96], state[32], *base, *e = NULL;
	int			 st;

	*info = NULL;
	if (smp_split_store_url(store_url, &base, id) == -1) {
		*err = xasprintf("'%s' is not an SMP store URL", store_url);
		return -1;
	}
	st = smp_client_new(&c, base, o, err);
	free(base);
	if (st == -1)
		return -1;
	snprintf(target, sizeof target, "/v1/stores/%s/release", id);
	st = smp_call_retried(c, "POST", target, "release", &e);
	if (st == 200) {
		if (!smp_field(c->resp.data, "state", state, sizeof state))
			snprintf(state, sizeof state, "released");
		*info = xasprintf("store %s is %s", id, state);
	} else
		*err = xasprintf("the SMP refused to release store %s: %s", id, e);
	free(e);
	smp_client_free(c);
	return st == 200 ? 0 : -1;
}
