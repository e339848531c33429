/*
 * request.c - a request's head, parsed once, before the server trusts
 * anything in it: the target (route, store id, query), the body that is
 * announced (Content-Length, Transfer-Encoding, X-TSI-Content-SHA256),
 * the Authorization header and the Range header, and the refusal of a
 * head that is malformed.  Everything here takes bytes from the network,
 * so it is strict, bounded and fuzzed (tests/fuzz/fuzz-smp.c).
 */
#include "smp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "smp-int.h"

static int
is_hex(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A decimal number that fits in 63 bits, nothing else. */
static int
parse_u63(const char *s, size_t n, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
parse_query(const char *q, struct smp_req *r, const char **why)
{
	const char	*p = q, *amp, *eq;
	size_t		 klen, vlen;

	while (*p != '\0') {
		amp = strchr(p, '&');
		vlen = amp ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', vlen);
		if (eq == NULL) {
			*why = "a query parameter without a value";
			return -1;
		}
		klen = (size_t)(eq - p);
		vlen -= klen + 1;
		if (klen == 4 && memcmp(p, "mode", 4) == 0 && vlen < sizeof r->mode) {
			memcpy(r->mode, eq + 1, vlen);
			r->mode[vlen] = '\0';
		} else if (klen == 6 && memcmp(p, "offset", 6) == 0) {
			if (parse_u63(eq + 1, vlen, &r->offset) == -1) {
				*why = "offset is not a number";
				return -1;
			}
			r->has_offset = 1;
		} else {
			*why = "an unknown query parameter";
			return -1;
		}
		p += klen + 1 + vlen + (amp ? 1 : 0);
	}
	return 0;
}

/* Method and target ("/path?query"); 0, or -1 with *why (static) for a
 * request that is malformed (400).  An unknown path is route NONE. */
static int
parse_target(const char *method, const char *target, struct smp_req *r,
    const char **why)
{
	const char	*q, *path = target, *rest;
	size_t		 plen;
	enum smp_route	 want_get = SMP_R_NONE, want_put = SMP_R_NONE, want_post = SMP_R_NONE;

	memset(r, 0, sizeof *r);
	if (strlen(target) > SMP_TARGET_MAX) {
		*why = "the request target is too long";
		return -1;
	}
	q = strchr(target, '?');
	plen = q ? (size_t)(q - target) : strlen(target);
	/* the console reads its own query (console*.c) */
	if ((plen == 8 && memcmp(path, "/console", 8) == 0) ||
	    (plen > 8 && memcmp(path, "/console/", 9) == 0)) {
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
		    strcmp(method, "POST") == 0)
			r->route = SMP_R_CONSOLE;
		else
			r->bad_method = 1;
		return 0;
	}
	if (plen == 9 && memcmp(path, "/v1/hello", 9) == 0)
		want_get = SMP_R_HELLO;
	else if (plen == 12 && memcmp(path, "/v1/capacity", 12) == 0)
		want_get = SMP_R_CAPACITY;
	else if (plen == 11 && memcmp(path, "/v1/request", 11) == 0)
		want_post = SMP_R_REQUEST;
	else if (plen == 10 && memcmp(path, "/v1/events", 10) == 0)
		want_post = SMP_R_EVENTS;
	else if (plen > 11 && memcmp(path, "/v1/stores/", 11) == 0) {
		rest = path + 11;
		plen -= 11;
		if (plen < SMP_STORE_ID_HEX || !is_hex(rest, SMP_STORE_ID_HEX) ||
		    (plen > SMP_STORE_ID_HEX && rest[SMP_STORE_ID_HEX] != '/')) {
			r->bad_id = 1;
			return 0;
		}
		memcpy(r->id, rest, SMP_STORE_ID_HEX);
		rest += SMP_STORE_ID_HEX;
		plen -= SMP_STORE_ID_HEX;
		if (plen == 0)
			want_get = SMP_R_STATUS;
		else if (plen == 5 && memcmp(rest, "/data", 5) == 0) {
			want_get = SMP_R_DOWNLOAD;
			want_put = SMP_R_UPLOAD;
		} else if (plen == 8 && memcmp(rest, "/release", 8) == 0)
			want_post = SMP_R_RELEASE;
	}
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		r->route = want_get;
	else if (strcmp(method, "PUT") == 0)
		r->route = want_put;
	else if (strcmp(method, "POST") == 0)
		r->route = want_post;
	if (r->route == SMP_R_NONE && (want_get | want_put | want_post) != SMP_R_NONE)
		r->bad_method = 1;
	if (q != NULL && parse_query(q + 1, r, why) == -1)
		return -1;
	if (r->route == SMP_R_REQUEST && strcmp(r->mode, "capture") != 0 &&
	    strcmp(r->mode, "restore") != 0) {
		*why = "mode is capture or restore";
		return -1;
	}
	if (r->route == SMP_R_UPLOAD && !r->has_offset) {
		*why = "an upload needs ?offset=N";
		return -1;
	}
	return 0;
}

/* An Authorization header; 0, or -1 with *why (static). */
static int
parse_auth(const char *h, struct smp_auth *a, const char **why)
{
	const char	*f[5];
	size_t		 len[5], n = 0, i;
	const char	*p = h;
	uint64_t	 t;

	memset(a, 0, sizeof *a);
	if (h == NULL) {
		*why = "the request is not signed (no Authorization header)";
		return -1;
	}
	while (*p != '\0' && n < 5) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		f[n] = p;
		while (*p != '\0' && *p != ' ')
			p++;
		len[n] = (size_t)(p - f[n]);
		n++;
	}
	while (*p == ' ')
		p++;
	if (n == 5 && len[0] == strlen(SMP_MAC_SCHEME) && memcmp(f[0], SMP_MAC_SCHEME, len[0]) == 0)
		a->mac = 1;
	if (n != 5 || *p != '\0' || (!a->mac && (len[0] != strlen(SMP_AUTH_SCHEME) ||
	    memcmp(f[0], SMP_AUTH_SCHEME, len[0]) != 0))) {
		*why = "the Authorization header is not " SMP_AUTH_SCHEME
		    " KEYID TIME NONCE SIGNATURE";
		return -1;
	}
	if (len[1] != 16 || !is_hex(f[1], 16) || parse_u63(f[2], len[2], &t) == -1 ||
	    len[3] != SMP_NONCE_HEX || !is_hex(f[3], SMP_NONCE_HEX) ||
	    len[4] == 0 || len[4] > SMP_SIG_B64_MAX) {
		*why = "the Authorization header's fields are malformed";
		return -1;
	}
	for (i = 0; i < len[4]; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/=", f[4][i]) == NULL || f[4][i] == '\0') {
			*why = "the signature is not base64";
			return -1;
		}
	memcpy(a->key_id, f[1], 16);
	a->time = (long long)t;
	memcpy(a->nonce, f[3], SMP_NONCE_HEX);
	memcpy(a->sig, f[4], len[4]);
	return 0;
}

/* "bytes=FROM-TO" or "bytes=FROM-"; 0, or -1 (not understood). */
static int
parse_range(const char *h, uint64_t *from, uint64_t *to)
{
	const char	*dash;

	if (h == NULL || strncmp(h, "bytes=", 6) != 0 || (dash = strchr(h + 6, '-')) == NULL ||
	    parse_u63(h + 6, (size_t)(dash - h - 6), from) == -1)
		return -1;
	if (dash[1] == '\0')
		*to = UINT64_MAX;
	else if (parse_u63(dash + 1, strlen(dash + 1), to) == -1 || *to < *from)
		return -1;
	return 0;
}

/* The head's refusal: -1. */
static int
refuse(struct smp_head *h, int status, const char *fmt, ...)
{
	va_list	ap;

	h->status = status;
	va_start(ap, fmt);
	h->why = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

int
smp_parse_head(const struct smp_raw_head *in, int plain, struct smp_head *h)
{
	const char	*why, *cl = in->content_length, *sha = in->content_sha256;
	long long	 len = 0;
	int		 upload, events;

	memset(h, 0, sizeof *h);
	snprintf(h->body_sha, sizeof h->body_sha, "%s", SMP_EMPTY_SHA256);
	h->has_body = in->transfer_encoding != NULL || (cl != NULL && strcmp(cl, "0") != 0);
	/* a head that cannot be read is answered 401 when it is authenticated,
	 * after the refusals below */
	if (parse_auth(in->authorization, &h->auth, &why) == -1)
		h->auth_why = why;
	/* the route stays as far as it was read: an upload refused is answered
	 * before its body */
	if (parse_target(in->method, in->target, &h->req, &why) == -1)
		return refuse(h, 400, "%s", why);
	snprintf(h->req.target, sizeof h->req.target, "%s", in->target);
	if (parse_range(in->range, &h->req.range_from, &h->req.range_to) == 0)
		h->req.has_range = 1;
	if (h->req.bad_id)
		return refuse(h, 400, "not a store id of this SMP");
	if (h->req.bad_method)
		return refuse(h, 405, "%s is not allowed here", in->method);
	if (h->req.route == SMP_R_NONE)
		return refuse(h, 404, "no such resource");
	if (cl != NULL && (str_to_ll(cl, &len) == -1 || len < 0))
		return refuse(h, 400, "a malformed Content-Length");
	upload = h->req.route == SMP_R_UPLOAD;
	events = h->req.route == SMP_R_EVENTS;
	/* a console form is small, counted, and only a POST's */
	if (h->req.route == SMP_R_CONSOLE && strcmp(in->method, "POST") == 0) {
		if (cl == NULL || in->transfer_encoding != NULL)
			return refuse(h, 411, "a form needs a Content-Length");
		if (len > SMP_CONSOLE_MAX_BODY)
			return refuse(h, 413, "a form of over %d bytes", SMP_CONSOLE_MAX_BODY);
		h->body_len = (uint64_t)len;
		return 0;
	}
	if (!upload && !events && (len > 0 || in->transfer_encoding != NULL))
		return refuse(h, 413, "this request takes no body");
	/* the events' body is small, counted and signed: its real hash */
	if (events && (cl == NULL || in->transfer_encoding != NULL))
		return refuse(h, 411, "the events need a Content-Length");
	if (events && len > SMP_EVENTS_MAX_BODY)
		return refuse(h, 413, "the events' body is over %d bytes: send fewer at "
		    "once", SMP_EVENTS_MAX_BODY);
	if (events && (sha == NULL || strlen(sha) != 64 || !is_hex(sha, 64)))
		return refuse(h, 400, "the events need X-TSI-Content-SHA256, the SHA-256 "
		    "of their body in lowercase hex");
	/* over TLS an upload may leave its hash to TLS (proto.h) */
	if (upload && (cl == NULL || sha == NULL || (strlen(sha) != 64 && (plain ||
	    strcmp(sha, SMP_UNSIGNED_PAYLOAD) != 0))))
		return refuse(h, cl == NULL ? 411 : 400, "an upload needs Content-Length "
		    "and X-TSI-Content-SHA256");
	h->body_len = (uint64_t)len;
	if (events) {
		snprintf(h->body_sha, sizeof h->body_sha, "%s", sha);
		h->hash_body = 1;
	}
	if (upload) {
		snprintf(h->body_sha, sizeof h->body_sha, "%s", sha);
		h->hash_body = strcmp(sha, SMP_UNSIGNED_PAYLOAD) != 0;
	}
	return 0;
}

void
smp_head_release(struct smp_head *h)
{
	free(h->why);
	h->why = NULL;
}
