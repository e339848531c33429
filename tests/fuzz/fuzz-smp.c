/*
 * fuzz-smp.c - libFuzzer target for what the State Migration Point reads
 * from the network and from its directory.
 *
 * The input is lines: METHOD, TARGET, AUTHORIZATION, RANGE, then the rest
 * is an smp.conf.  The conf goes to smp_conf_parse(); method and target to
 * smp_parse_target(); the header to smp_parse_auth() and, through a real
 * server directory made once (tsi smp init, one registered computer), to
 * smp_authenticate().  In the header the word NOW becomes the current time
 * and KEYID the registered computer's key id, so the lookup and the
 * signature check are reached; a header that is just SIGNED is replaced by
 * one the computer really signed for METHOD and TARGET, which must be
 * accepted once and refused the second time (the replay table).  A parsed
 * target goes to the read-only handlers (status, capacity, download) as
 * the registered computer; the database holds stores in every state
 * (0123..., uploading; 1111..., complete, with a 1000-byte file; 2222...,
 * deleted; 3333..., another computer's) so they get past the lookup.
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
	static const char sql[] =
	    "INSERT INTO computers VALUES ('other', 'x', 'ffffffffffffffff', 0);"
	    "INSERT INTO associations VALUES (1, 'pc', 'pc', '', '', 0);"
	    "INSERT INTO associations VALUES (2, 'other', 'other', '', '', 0);"
	    "INSERT INTO stores (id, association, folder, state, size, created) VALUES "
	    "('" ID_UPLOADING "', 1, 'stores', 'uploading', 0, 0),"
	    "('" ID_COMPLETE "', 1, 'stores', 'complete', 1000, 0),"
	    "('" ID_DELETED "', 1, 'stores', 'deleted', 0, 0),"
	    "('" ID_OTHERS "', 2, 'stores', 'complete', 0, 0);";
	char	*e = NULL, *path = smp_store_path(srv.dir, "stores", ID_COMPLETE, 0);
	char	 zero[1000] = { 0 };
	FILE	*f;

	if (sqlite3_exec(srv.db, sql, NULL, NULL, &e) != SQLITE_OK ||
	    (f = fopen(path, "w")) == NULL || fwrite(zero, 1, sizeof zero, f) != sizeof zero ||
	    fclose(f) != 0) {
		fprintf(stderr, "fuzz-smp: stores: %s\n", e ? e : path);
		abort();
	}
	free(path);
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
	if (smp_init(dir, "fuzz", &err) == -1 || identity_init(id, "pc", &err) == -1 ||
	    smp_computer_add(dir, "pc", pub, &err) == -1 ||
	    smp_server_open(&srv, dir, &cert, &key, &err) == -1 ||
	    smp_signer_load(&signer, id, &err) == -1) {
		fprintf(stderr, "fuzz-smp: %s\n", err);
		abort();
	}
	snprintf(key_id, sizeof key_id, "%s", smp_signer_key_id(signer));
	add_stores();
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

/* A header really signed for method and target: accepted once, then a replay. */
static void
signed_twice(const char *method, const char *target)
{
	struct smp_reply	 r;
	struct smp_who		 w;
	char			*h = smp_sign(signer, srv.pin, method, target, SMP_EMPTY_SHA256);

	if (h == NULL)
		abort();
	memset(&r, 0, sizeof r);
	r.fd = -1;
	buf_init(&r.body, 1024);
	if (smp_authenticate(&srv, method, target, h, SMP_EMPTY_SHA256, NULL, NULL, &w, &r) != 0 ||
	    strcmp(w.name, "pc") != 0 || strcmp(w.key_id, key_id) != 0) {
		fprintf(stderr, "fuzz-smp: a signed request was refused: %.*s\n",
		    (int)r.body.len, r.body.data);
		abort();
	}
	if (smp_authenticate(&srv, method, target, h, SMP_EMPTY_SHA256, NULL, NULL, &w, &r) == 0 ||
	    r.status != 401) {
		fprintf(stderr, "fuzz-smp: a replayed request was accepted\n");
		abort();
	}
	buf_release(&r.body);
	free(h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data, *end = p + size, *why;
	char			*method, *target, *auth, *range, *conf_text, *a2;
	struct smp_conf		 conf;
	struct smp_req		 req;
	struct smp_auth		 sa;
	struct smp_reply	 r;
	struct smp_who		 w;
	struct smp_session	 sess;
	struct diag		 d;
	uint64_t		 from, to;

	method = next_line(&p, end);
	target = next_line(&p, end);
	auth = next_line(&p, end);
	range = next_line(&p, end);
	conf_text = xstrndup(p, (size_t)(end - p));

	diag_init(&d);
	if (smp_conf_parse("smp.conf", conf_text, strlen(conf_text), &conf, &d) == 0)
		smp_conf_release(&conf);
	diag_release(&d);
	sources_free();

	smp_parse_auth(auth, &sa, &why);
	smp_parse_range(range, &from, &to);
	memset(&r, 0, sizeof r);
	r.fd = -1;
	buf_init(&r.body, 64 * 1024);
	if (strcmp(auth, "SIGNED") == 0)
		signed_twice(method, target);
	a2 = with_now(auth);
	/* a connection with a session for the registered key: MAC'd headers
	 * ("TSI-SMP1-MAC KEYID NOW ...") reach the MAC check; a signed one
	 * would open nothing more, the session being open already */
	memset(&sess, 0, sizeof sess);
	sess.valid = 1;
	memcpy(sess.key_id, key_id, sizeof sess.key_id);
	snprintf(sess.name, sizeof sess.name, "pc");
	smp_authenticate(&srv, method, target, a2, SMP_EMPTY_SHA256, &sess, NULL, &w, &r);
	free(a2);
	if (smp_parse_target(method, target, &req, &why) == 0 && !req.bad_id) {
		buf_reset(&r.body);
		if (req.route == SMP_R_STATUS)
			smp_h_status(&srv, &who, &req, &r);
		else if (req.route == SMP_R_DOWNLOAD)
			smp_h_download(&srv, &who, &req, range, &r);
		else if (req.route == SMP_R_CAPACITY)
			smp_h_capacity(&srv, &who, &r);
		if (r.fd != -1)
			close(r.fd);
	}
	buf_release(&r.body);
	free(method);
	free(target);
	free(auth);
	free(range);
	free(conf_text);
	return 0;
}
