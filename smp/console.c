/*
 * console.c - the web console at /console/ on the SMP's HTTPS port: who
 * is logged in (a session cookie whose secret the database keeps only as
 * a hash; Secure, HttpOnly, SameSite=Strict, 8 hours), the login (the
 * same answer for an unknown name and a wrong password, in the same time;
 * a few failures per address and per name a minute), the CSRF token every
 * form carries, and which view answers which request (console-pages.c).
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/util.h"
#include "../store/fastcrypto.h"
#include "smp-int.h"

#define SESSION_S		(8 * 3600)
#define FAILURES_MAX		5	/* per address, and per name ... */
#define FAILURE_WINDOW_S	60	/* ... in this long */
#define LIMITS_MAX		256
/* __Host-: a cookie no sibling host can set or scope (Secure, Path=/) */
#define SESSION_COOKIE		"__Host-tsi_session"
#define LOGIN_COOKIE		"__Host-tsi_login"

/* A yescrypt hash of something nobody types, made once: an unknown name
 * costs the same work as a wrong password. */
static char		*no_such_admin;
static pthread_once_t	 no_such_once = PTHREAD_ONCE_INIT;

static void	random_hex(char out[65]);

static void
make_no_such_admin(void)
{
	char	pw[65];

	random_hex(pw);
	no_such_admin = smp_admin_hash(pw);
	if (no_such_admin == NULL)
		no_such_admin = xstrdup("$y$");		/* fails: no login at all */
}

/* Login attempts, per address ("a:" and the address, an IPv6 one's /64)
 * or per name ("n:NAME"), in the node's memory.  An entry at its limit is
 * never evicted: when the table holds nothing else, logins wait. */
static struct {
	char		key[80];
	int		count;
	time_t		since;
} limits[LIMITS_MAX];
static pthread_mutex_t limits_lock = PTHREAD_MUTEX_INITIALIZER;

/* The entry of key, made when make; NULL when none (or no room). Under
 * limits_lock. */
static int
limit_slot(const char *key, int make, time_t now)
{
	int	i, free_at = -1, oldest = -1;

	for (i = 0; i < LIMITS_MAX; i++) {
		if (limits[i].key[0] != '\0' && now - limits[i].since >= FAILURE_WINDOW_S)
			limits[i].key[0] = '\0';
		if (limits[i].key[0] != '\0' && strcmp(limits[i].key, key) == 0)
			return i;
		if (limits[i].key[0] == '\0' && free_at == -1)
			free_at = i;
		if (limits[i].key[0] != '\0' && limits[i].count < FAILURES_MAX &&
		    (oldest == -1 || limits[i].since < limits[oldest].since))
			oldest = i;
	}
	if (!make)
		return -1;
	i = free_at != -1 ? free_at : oldest;
	if (i != -1) {
		snprintf(limits[i].key, sizeof limits[i].key, "%s", key);
		limits[i].count = 0;
		limits[i].since = now;
	}
	return i;
}

/* Counts an attempt of key: 0, or the seconds to wait (the attempt is not
 * made): its limit is reached, or the table is full of keys at theirs. */
static long
limit_attempt(const char *key)
{
	time_t	now = time(NULL);
	long	wait = 0;
	int	i;

	pthread_mutex_lock(&limits_lock);
	if ((i = limit_slot(key, 1, now)) == -1)
		wait = FAILURE_WINDOW_S;
	else if (limits[i].count >= FAILURES_MAX)
		wait = FAILURE_WINDOW_S - (long)(now - limits[i].since);
	else
		limits[i].count++;
	pthread_mutex_unlock(&limits_lock);
	return wait > 0 ? wait : 0;
}

/* A login that succeeded: its attempts are forgotten. */
static void
limit_forget(const char *key)
{
	int	i;

	pthread_mutex_lock(&limits_lock);
	if ((i = limit_slot(key, 0, time(NULL))) != -1)
		limits[i].key[0] = '\0';
	pthread_mutex_unlock(&limits_lock);
}

/* The key of an address: IPv4 whole, IPv6 by its /64 (one host has many). */
static void
address_key(const uint8_t addr[16], char out[48])
{
	static const uint8_t	v4[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memcpy(out, "a:", 2);
	hex_encode(addr, memcmp(addr, v4, sizeof v4) == 0 ? 16 : 8, out + 2);
}

static void
random_hex(char out[65])
{
	uint8_t	rnd[32];

	if (rng_fill(NULL, rnd, sizeof rnd) != 0)
		fatal("no random numbers");
	hex_encode(rnd, sizeof rnd, out);
	explicit_bzero(rnd, sizeof rnd);
}

static void
token_hash(const char *token, char out[65])
{
	uint8_t	sum[32];

	sha256(token, strlen(token), sum);
	hex_encode(sum, sizeof sum, out);
}

/* The value of cookie name in a Cookie header, into out; 1, or 0. */
static int
cookie_value(const char *header, const char *name, char *out, size_t outlen)
{
	const char	*p = header;
	size_t		 n = strlen(name), v;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ;");
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			v = strcspn(p + n + 1, ";");
			if (v == 0 || v >= outlen)
				return 0;
			memcpy(out, p + n + 1, v);
			out[v] = '\0';
			return 1;
		}
		p = strchr(p, ';');
	}
	return 0;
}

/* The request's session into cx: 1, 0 when it has none (or it ended), or
 * -1 when the database failed (r filled). */
static int
session_of(struct smp_server *s, const struct console_req *q, struct console_ctx *cx,
    struct smp_reply *r)
{
	char	token[80];
	int	found;

	if (q->cookie == NULL || !cookie_value(q->cookie, SESSION_COOKIE, token,
	    sizeof token) ||
	    strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
		return 0;
	token_hash(token, cx->token_hash);
	explicit_bzero(token, sizeof token);
	found = db_session_get(s->db, cx->token_hash, (long long)time(NULL), cx->admin,
	    cx->csrf);
	if (found == -1)
		console_db_failed(s, r, 0);
	if (found != 1)
		cx->admin[0] = '\0';
	return found;
}

int
console_csrf_ok(const struct console_ctx *cx, const struct console_req *q)
{
	char	given[80];

	return form_value(q->body, q->body_len, "csrf", given, sizeof given) == 1 &&
	    strlen(given) == 64 && strlen(cx->csrf) == 64 &&
	    mem_equal_ct(given, cx->csrf, 64);
}

static void
login_page(struct smp_reply *r, const char *error, int status)
{
	struct console_ctx	cx;
	char			form_token[65];

	memset(&cx, 0, sizeof cx);
	random_hex(form_token);
	r->status = status;
	r->html = 1;
	/* the login form's own CSRF token, double-submitted: a cookie and a
	 * field that another site cannot both set */
	snprintf(r->set_cookie, sizeof r->set_cookie, LOGIN_COOKIE "=%s; Path=/; Secure; "
	    "HttpOnly; SameSite=Strict; Max-Age=600", form_token);
	buf_reset(&r->body);
	console_page_start(&r->body, "Log in", &cx);
	if (error != NULL) {
		buf_adds(&r->body, "<p class=\"error\" id=\"login-error\">");
		html_text(&r->body, error);
		buf_adds(&r->body, "</p>");
	}
	buf_adds(&r->body, "<form method=\"post\" action=\"/console/login\" id=\"login\">"
	    "<input type=\"hidden\" name=\"form\" value=\"");
	html_text(&r->body, form_token);
	buf_adds(&r->body, "\"><label>Name <input name=\"name\" id=\"name\" "
	    "autocomplete=\"username\" required></label><label>Password <input "
	    "type=\"password\" name=\"password\" id=\"password\" "
	    "autocomplete=\"current-password\" required></label><button type=\"submit\" "
	    "id=\"login-button\">Log in</button></form>");
	console_page_end(&r->body);
}

static void
login(struct smp_server *s, const struct console_req *q, struct smp_reply *r)
{
	char	name[SMP_NODE_LEN], *pw = xmalloc(1100), form[80], cookie[80], akey[48];
	char	nkey[SMP_NODE_LEN + 2], token[65], hash_of[65], csrf[65], *hash = NULL;
	int	ok, known;

	address_key(q->addr, akey);
	if (form_value(q->body, q->body_len, "form", form, sizeof form) != 1 ||
	    q->cookie == NULL || !cookie_value(q->cookie, LOGIN_COOKIE, cookie,
	    sizeof cookie) || strlen(form) != 64 || strlen(cookie) != 64 ||
	    !mem_equal_ct(form, cookie, 64)) {
		login_page(r, "This form is stale (or was not sent by this page): log in "
		    "again.", 403);
		goto out;
	}
	if (form_value(q->body, q->body_len, "name", name, sizeof name) != 1 ||
	    form_value(q->body, q->body_len, "password", pw, 1100) != 1) {
		login_page(r, "Give a name and a password.", 400);
		goto out;
	}
	/* every attempt counts before the password is looked at, for its
	 * address and for its name; a name no admin can have counts for
	 * the address only */
	known = smp_node_name_ok(name);
	snprintf(nkey, sizeof nkey, "n:%s", known ? name : "");
	if (limit_attempt(akey) > 0 || (known && limit_attempt(nkey) > 0)) {
		login_page(r, "Too many failed logins: wait a minute, then try again.", 429);
		fprintf(stderr, "tsi smp: console: login refused for a while: too many "
		    "failures\n");
		goto out;
	}
	pthread_mutex_lock(&s->lock);
	hash = known ? db_admin_hash(s->db, name) : NULL;
	ok = smp_db_failure(s->db) == DBF_NONE || !known;
	if (!ok)
		console_db_failed(s, r, 0);
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		goto out;
	/* the same work and the same answer for an unknown name */
	pthread_once(&no_such_once, make_no_such_admin);
	ok = smp_admin_password_ok(pw, hash ? hash : no_such_admin) && hash != NULL;
	if (!ok) {
		fprintf(stderr, "tsi smp: console: a login failed\n");
		login_page(r, "Wrong name or password.", 401);
		goto out;
	}
	limit_forget(akey);
	limit_forget(nkey);
	random_hex(token);
	random_hex(csrf);
	token_hash(token, hash_of);
	pthread_mutex_lock(&s->lock);
	ok = db_session_add(s->db, hash_of, name, csrf, (long long)time(NULL),
	    (long long)time(NULL) + SESSION_S) == 0;
	if (!ok)
		console_db_failed(s, r, 0);
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		goto out;
	fprintf(stderr, "tsi smp: console: admin '%s' logged in\n", name);
	console_see_other(r, "/console/");
	snprintf(r->set_cookie, sizeof r->set_cookie, SESSION_COOKIE "=%s; Path=/; Secure; "
	    "HttpOnly; SameSite=Strict; Max-Age=%d", token, SESSION_S);
	explicit_bzero(token, sizeof token);
out:
	explicit_bzero(pw, 1100);
	free(pw);
	free(hash);
}

static void
logout(struct smp_server *s, struct console_ctx *cx, struct smp_reply *r)
{
	pthread_mutex_lock(&s->lock);
	db_session_remove(s->db, cx->token_hash);
	pthread_mutex_unlock(&s->lock);
	console_see_other(r, "/console/login");
	snprintf(r->set_cookie, sizeof r->set_cookie, SESSION_COOKIE "=; Path=/; Secure; "
	    "HttpOnly; SameSite=Strict; Max-Age=0");
}

static int
path_is(const char *target, const char *path)
{
	size_t	n = strlen(path);

	return strncmp(target, path, n) == 0 && (target[n] == '\0' || target[n] == '?');
}

int
smp_console(struct smp_server *s, const struct console_req *q, struct smp_reply *r)
{
	struct console_ctx	cx;
	int			post = strcmp(q->method, "POST") == 0, in;

	memset(&cx, 0, sizeof cx);
	if (s->plain) {
		/* a password would cross the network in the clear */
		r->status = 403;
		buf_adds(&r->body, "error: the console is served over HTTPS only (this SMP "
		    "runs with --plain-http)\n");
		return 0;
	}
	r->html = 1;
	if (path_is(q->target, "/console/static/console.css") ||
	    path_is(q->target, "/console/static/console.js")) {
		r->status = 200;
		r->html = 0;
		r->content_type = strstr(q->target, ".css") ? "text/css; charset=utf-8" :
		    "text/javascript; charset=utf-8";
		buf_adds(&r->body, strstr(q->target, ".css") ? smp_console_css :
		    smp_console_js);
		return 0;
	}
	if (path_is(q->target, "/console/login")) {
		if (post)
			login(s, q, r);
		else
			login_page(r, NULL, 200);
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	in = session_of(s, q, &cx, r);
	pthread_mutex_unlock(&s->lock);
	if (in == -1)
		return 0;
	if (in == 0) {
		if (post) {
			r->status = 403;
			r->html = 0;
			buf_adds(&r->body, "error: not logged in (or the session ended): "
			    "log in at /console/login\n");
		} else
			console_see_other(r, "/console/login");
		return 0;
	}
	if (post && !console_csrf_ok(&cx, q)) {
		r->status = 403;
		r->html = 0;
		buf_adds(&r->body, "error: this form has no valid CSRF token: reload the "
		    "page and send it again\n");
		fprintf(stderr, "tsi smp: console: a form without its CSRF token was "
		    "refused\n");
		return 1;
	}
	if (post && path_is(q->target, "/console/logout"))
		logout(s, &cx, r);
	else
		console_view(s, q, &cx, r);
	if (r->body.len + 1 >= SMP_CONSOLE_MAX_PAGE) {
		/* cut short: not a page to show as if whole */
		buf_reset(&r->body);
		smp_reply_error(r, 500, "this page is over %d MiB: search to narrow it",
		    SMP_CONSOLE_MAX_PAGE >> 20);
		r->html = 0;
	}
	return 1;
}
