/*
 * fuzz-smp.c - libFuzzer target for what the State Migration Point reads
 * from the network and from its directory.
 *
 * The input is lines: METHOD [CONTENT-LENGTH [X-TSI-CONTENT-SHA256
 * [TRANSFER-ENCODING]]], TARGET, AUTHORIZATION, RANGE, then the rest is an
 * smp.conf; a header given as "-" is absent (no CONTENT-LENGTH field:
 * neither are the three).  The conf goes to smp_conf_parse(); the head to
 * smp_parse_head(), over TLS and over plain HTTP (the two must agree but
 * for an upload's UNSIGNED-PAYLOAD), and what it yields is checked: a
 * refusal has a status and a message, an accepted head a route.  The
 * parsed head goes, through a real server directory made once (tsi smp
 * init, one registered computer), to smp_authenticate().  In the
 * Authorization line the word NOW becomes the current time and KEYID the
 * registered computer's key id, so the lookup and the signature check are
 * reached; a line that is just SIGNED is replaced by a header the computer
 * really signed for METHOD, TARGET and the body hash, which must be
 * accepted once and refused the second time (the replay table).  An
 * accepted head goes to the read-only handlers (status, capacity,
 * download) and to the start of an upload (abandoned at once) as the
 * registered computer; the database holds stores in every state (0123...,
 * uploading; 1111..., complete, with a 1000-byte file; 2222..., deleted;
 * 3333..., another computer's) so they get past the lookup.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/diag.h"
#include "../../lib/util.h"
#include "../../smp/smp.h"
#include "../../smp/smp-int.h"
#include "../../store/fastcrypto.h"
#include "../../store/store.h"
#include "fuzz-input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct smp_server	srv;
static char			*cert, *key;
static struct smp_who		who;
static struct smp_signer	*signer;
static char			 key_id[17];

#define ID_UPLOADING	"0123456789abcdef0123456789abcdef"
#define ID_COMPLETE	"11111111111111111111111111111111"
#define ID_DELETED	"22222222222222222222222222222222"
#define ID_OTHERS	"33333333333333333333333333333333"

/* Stores in every state, and a second computer's, in the server's database. */
static void
add_stores(void)
{
	static const char *const sql[] = {
	    "INSERT INTO computers VALUES ('other', 'x', 'ffffffffffffffff', 0)",
	    "INSERT INTO associations VALUES (1, 'pc', 'pc', '', '', 0)",
	    "INSERT INTO associations VALUES (2, 'other', 'other', '', '', 0)",
	    "INSERT INTO stores (id, association, node, folder, state, size, created) VALUES "
	    "('" ID_UPLOADING "', 1, ?1, 'stores', 'uploading', 0, 0),"
	    "('" ID_COMPLETE "', 1, ?1, 'stores', 'complete', 1000, 0),"
	    "('" ID_DELETED "', 1, ?1, 'stores', 'deleted', 0, 0),"
	    "('" ID_OTHERS "', 2, ?1, 'stores', 'complete', 0, 0)",
	};
	char	*path = smp_store_path(srv.dir, "stores", ID_COMPLETE, 0);
	char	 zero[1000] = { 0 };
	size_t	 i;
	FILE	*f;

	for (i = 0; i < sizeof sql / sizeof sql[0]; i++)
		if (smp_db_exec(srv.db, sql[i], i == 3 ? "t" : "", srv.conf.node) == -1) {
			fprintf(stderr, "fuzz-smp: stores: %s\n", smp_db_error(srv.db));
			abort();
		}
	if ((f = fopen(path, "w")) == NULL || fwrite(zero, 1, sizeof zero, f) != sizeof zero ||
	    fclose(f) != 0) {
		fprintf(stderr, "fuzz-smp: stores: %s\n", path);
		abort();
	}
	free(path);
}

static char	*replace(char *, const char *, const char *);

/* An admin with a session: the console's cookie "tsi_session=SESSION" and
 * a form's "csrf=CSRF" in an input become the real ones, so that the
 * fuzzer reaches the views and actions, not only the login. */
#define SESSION_TOKEN	"5e5510c0000000000000000000000000000000000000000000000000000000aa"
#define CSRF_TOKEN	"c5cf0000000000000000000000000000000000000000000000000000000000bb"

static void
add_session(void)
{
	uint8_t	sum[32];
	char	hash[65];

	sha256(SESSION_TOKEN, strlen(SESSION_TOKEN), sum);
	hex_encode(sum, sizeof sum, hash);
	if (db_admin_add(srv.db, "alice", "$y$x", 0) != 0 ||
	    db_session_add(srv.db, hash, "alice", CSRF_TOKEN, 0, 4102444800LL) != 0) {
		fprintf(stderr, "fuzz-smp: session: %s\n", smp_db_error(srv.db));
		abort();
	}
}

/* A console request: the range line is its Cookie, the rest its form. */
static void
console(const struct smp_raw_head *raw, const char *cookie, const char *form,
    struct smp_reply *r)
{
	static const uint8_t	 addr[16];
	struct console_req	 q;
	char			*c = replace(xstrdup(cookie), "SESSION", SESSION_TOKEN);
	char			*f = replace(xstrdup(form), "CSRF", CSRF_TOKEN);

	memset(&q, 0, sizeof q);
	q.method = raw->method;
	q.target = raw->target;
	q.cookie = c;
	q.accept = strstr(form, "json") ? "application/json" : NULL;
	q.body = f;
	q.body_len = strlen(f) > SMP_CONSOLE_MAX_BODY ? SMP_CONSOLE_MAX_BODY : strlen(f);
	smp_console(&srv, &q, r);
	if (r->status < 200 || r->status > 599) {
		fprintf(stderr, "fuzz-smp: the console answered %d\n", r->status);
		abort();
	}
	free(c);
	free(f);
}

static void
fuzz_smp_cleanup(void)
{
	char	*p = xasprintf("%s/srv", fuzz_dir);

	smp_signer_free(signer);
	smp_server_close(&srv, &cert, &key);
	remove_tree(p);
	free(p);
	p = xasprintf("%s/id", fuzz_dir);
	remove_tree(p);
	free(p);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*dir, *id, *pub, *err = NULL;
	FILE	*devnull = fopen("/dev/null", "w");

	(void)argc;
	(void)argv;
	fuzz_input_init("smp.conf");
	dir = xasprintf("%s/srv", fuzz_dir);
	id = xasprintf("%s/id", fuzz_dir);
	pub = xasprintf("%s/identity.pub", id);
	if (smp_init(dir, "fuzz", NULL, &err) == -1 || identity_init(id, "pc", &err) == -1 ||
	    smp_computer_add(dir, "pc", pub, &err) == -1 ||
	    smp_server_open(&srv, dir, &cert, &key, &err) != 0 ||
	    smp_signer_load(&signer, id, &err) == -1) {
		fprintf(stderr, "fuzz-smp: %s\n", err);
		abort();
	}
	snprintf(key_id, sizeof key_id, "%s", smp_signer_key_id(signer));
	add_stores();
	add_session();
	snprintf(who.name, sizeof who.name, "pc");
	atexit(fuzz_smp_cleanup);
	if (devnull != NULL)
		fclose(devnull);
	free(dir);
	free(id);
	free(pub);
	return 0;
}

/* The next line of the input (NUL-terminated copy), or "" at the end. */
static char *
next_line(const char **p, const char *end)
{
	const char	*nl = memchr(*p, '\n', (size_t)(end - *p));
	char		*line;

	if (nl == NULL)
		nl = end;
	line = xstrndup(*p, (size_t)(nl - *p));
	*p = nl < end ? nl + 1 : end;
	return line;
}

/* The first WORD in s replaced by BY (a new string; s is freed). */
static char *
replace(char *s, const char *word, const char *by)
{
	const char	*at = strstr(s, word);
	char		*r;

	if (at == NULL)
		return s;
	r = xasprintf("%.*s%s%s", (int)(at - s), s, by, at + strlen(word));
	free(s);
	return r;
}

static char *
with_now(const char *auth)
{
	char	now[32];

	snprintf(now, sizeof now, "%lld", (long long)time(NULL));
	return replace(replace(xstrdup(auth), "NOW", now), "KEYID", key_id);
}

/* A header really signed for the head: accepted once, then a replay. */
static void
signed_twice(struct smp_raw_head *raw)
{
	struct smp_head		 h;
	struct smp_reply	 r;
	struct smp_who		 w;
	char			*sig;

	smp_parse_head(raw, 0, &h);
	sig = smp_sign(signer, srv.pin, raw->method, raw->target, h.body_sha);
	smp_head_release(&h);
	if (sig == NULL)
		abort();
	raw->authorization = sig;
	smp_parse_head(raw, 0, &h);
	raw->authorization = "SIGNED";
	memset(&r, 0, sizeof r);
	r.fd = -1;
	buf_init(&r.body, 1024);
	if (smp_authenticate(&srv, raw->method, raw->target, &h, NULL, NULL, &w, &r) != 0 ||
	    strcmp(w.name, "pc") != 0 || strcmp(w.key_id, key_id) != 0) {
		fprintf(stderr, "fuzz-smp: a signed request was refused: %.*s\n",
		    (int)r.body.len, r.body.data);
		abort();
	}
	if (smp_authenticate(&srv, raw->method, raw->target, &h, NULL, NULL, &w, &r) == 0 ||
	    r.status != 401) {
		fprintf(stderr, "fuzz-smp: a replayed request was accepted\n");
		abort();
	}
	smp_head_release(&h);
	buf_release(&r.body);
	free(sig);
}

/* A field of the METHOD line: the next word, NULL for "-" or none. */
static const char *
field(char **p)
{
	char	*w;

	while (**p == ' ')
		(*p)++;
	if (**p == '\0')
		return NULL;
	w = *p;
	*p += strcspn(*p, " ");
	if (**p != '\0')
		*(*p)++ = '\0';
	return strcmp(w, "-") == 0 ? NULL : w;
}

static const char *
or_absent(const char *line)
{
	return strcmp(line, "-") == 0 ? NULL : line;
}

/* What smp_parse_head() promises, and what plain HTTP changes: abort if
 * it does not hold. */
static void
check_head(const struct smp_head *h, int ok, const struct smp_head *plain, int plain_ok)
{
	const char	*what = NULL;

	if (ok != 0 && ok != -1)
		what = "returns neither 0 nor -1";
	else if (ok == -1 && (h->why == NULL || (h->status != 400 && h->status != 404 &&
	    h->status != 405 && h->status != 411 && h->status != 413)))
		what = "a refusal without its status or message";
	else if (ok == 0 && (h->status != 0 || h->why != NULL || h->req.route == SMP_R_NONE ||
	    h->req.bad_id || h->req.bad_method))
		what = "an accepted head with a refusal or without a route";
	else if (ok == 0 && h->req.route == SMP_R_UPLOAD && (!h->req.has_offset ||
	    (strlen(h->body_sha) != 64 && strcmp(h->body_sha, SMP_UNSIGNED_PAYLOAD) != 0)))
		what = "an upload without its offset or hash";
	else if (ok == 0 && h->req.route == SMP_R_EVENTS && (h->body_len >
	    SMP_EVENTS_MAX_BODY || strlen(h->body_sha) != 64 || !h->hash_body))
		what = "events without their bounded length or their hash";
	else if (ok == 0 && h->req.route == SMP_R_CONSOLE && h->body_len > SMP_CONSOLE_MAX_BODY)
		what = "a console form over its bound";
	else if (ok == 0 && h->req.route != SMP_R_UPLOAD && h->req.route != SMP_R_EVENTS &&
	    h->req.route != SMP_R_CONSOLE &&
	    (h->body_len != 0 || strcmp(h->body_sha, SMP_EMPTY_SHA256) != 0))
		what = "a body where none may be";
	else if (h->req.has_range && h->req.range_from > h->req.range_to)
		what = "a range that ends before it starts";
	else if (h->auth_why == NULL && (strlen(h->auth.key_id) != 16 ||
	    strlen(h->auth.nonce) != SMP_NONCE_HEX || h->auth.sig[0] == '\0'))
		what = "an Authorization read without its fields";
	else if (plain_ok == 0 && (ok != 0 || memcmp(&h->req, &plain->req, sizeof h->req) != 0 ||
	    h->body_len != plain->body_len || strcmp(h->body_sha, plain->body_sha) != 0))
		what = "plain HTTP accepts what TLS refuses, or reads it otherwise";
	else if (plain_ok == -1 && ok == 0 && !(h->req.route == SMP_R_UPLOAD &&
	    strcmp(h->body_sha, SMP_UNSIGNED_PAYLOAD) == 0))
		what = "plain HTTP refuses more than UNSIGNED-PAYLOAD";
	if (what != NULL) {
		fprintf(stderr, "fuzz-smp: smp_parse_head: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data, *end = p + size;
	char			*mline, *m, *target, *auth, *range, *conf_text, *a2;
	struct smp_raw_head	 raw;
	struct smp_head		 h, hp;
	struct smp_conf		 conf;
	struct smp_reply	 r;
	struct smp_who		 w;
	struct smp_session	 sess;
	struct smp_upload	 up;
	struct diag		 d;
	int			 ok, plain_ok;

	mline = next_line(&p, end);
	target = next_line(&p, end);
	auth = next_line(&p, end);
	range = next_line(&p, end);
	conf_text = xstrndup(p, (size_t)(end - p));

	diag_init(&d);
	if (smp_conf_parse("smp.conf", conf_text, strlen(conf_text), &conf, &d) == 0)
		smp_conf_release(&conf);
	diag_release(&d);
	sources_free();

	memset(&raw, 0, sizeof raw);
	m = mline;
	raw.method = field(&m);
	raw.method = raw.method != NULL ? raw.method : "";
	raw.content_length = field(&m);
	raw.content_sha256 = field(&m);
	while (*m == ' ')
		m++;
	raw.transfer_encoding = *m != '\0' ? or_absent(m) : NULL;
	raw.target = target;
	raw.range = or_absent(range);
	if (strcmp(auth, "SIGNED") == 0) {
		raw.authorization = auth;
		signed_twice(&raw);
	}
	a2 = with_now(auth);
	raw.authorization = or_absent(a2);
	ok = smp_parse_head(&raw, 0, &h);
	plain_ok = smp_parse_head(&raw, 1, &hp);
	check_head(&h, ok, &hp, plain_ok);
	smp_head_release(&hp);

	memset(&r, 0, sizeof r);
	r.fd = -1;
	buf_init(&r.body, 64 * 1024);
	/* a connection with a session for the registered key: MAC'd headers
	 * ("TSI-SMP1-MAC KEYID NOW ...") reach the MAC check; a signed one
	 * would open nothing more, the session being open already */
	memset(&sess, 0, sizeof sess);
	sess.valid = 1;
	memcpy(sess.key_id, key_id, sizeof sess.key_id);
	snprintf(sess.name, sizeof sess.name, "pc");
	smp_authenticate(&srv, raw.method, raw.target, &h, &sess, NULL, &w, &r);
	if (ok == 0) {
		buf_reset(&r.body);
		if (h.req.route == SMP_R_STATUS)
			smp_h_status(&srv, &who, &h.req, &r);
		else if (h.req.route == SMP_R_DOWNLOAD)
			smp_h_download(&srv, &who, &h.req, &r);
		else if (h.req.route == SMP_R_CAPACITY)
			smp_h_capacity(&srv, &who, &r);
		else if (h.req.route == SMP_R_UPLOAD &&
		    smp_upload_begin(&srv, &who, &h, &up, &r) == 0)
			smp_upload_abandon(&srv, &up);
		else if (h.req.route == SMP_R_CONSOLE)
			console(&raw, range, conf_text, &r);
		if (r.fd != -1)
			close(r.fd);
	}
	smp_head_release(&h);
	buf_release(&r.body);
	free(a2);
	free(mline);
	free(target);
	free(auth);
	free(range);
	free(conf_text);
	return 0;
}
