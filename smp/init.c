/*
 * init.c - `tsi smp init --dir DIR`: a new server directory (see smp.h).
 * Nothing in an existing directory is ever replaced.
 */
#include "smp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "../lib/util.h"
#include "../store/store.h"
#include "smp-int.h"

static const char default_conf[] =
"listen: \"0.0.0.0:8443\"\n"
"# where stores go; a folder below min_free or at max_clients takes no\n"
"# new capture (min_free: megabytes, or a percentage such as \"10%\")\n"
"storage:\n"
"  - { path: stores, max_clients: 100, min_free: \"10%\" }\n"
"# how long a store stays after the restore side released it:\n"
"# \"immediately\", or hours/days such as \"24h\" or \"7d\"\n"
"retention: 1d\n"
"# true: requests for capture are refused, restores go on\n"
"restore_only: false\n"
"# connections at once, and from one address; of them, connections not yet\n"
"# signed by a registered computer (the oldest is closed to make room for a\n"
"# new one); seconds of silence before a connection is closed, and to send\n"
"# a request's line and headers; a store's size, and one upload request's\n"
"limits:\n"
"  connections: 64\n"
"  per_ip_connections: 32\n"
"  unauthenticated_connections: 16\n"
"  per_ip_unauthenticated_connections: 4\n"
"  idle_timeout_s: 60\n"
"  request_timeout_s: 30\n"
"  max_store_mb: 102400\n"
"  max_request_mb: 64\n";

/* A self-signed P-256 certificate for the server's name, ten years. */
static int
make_cert(const char *dir, const char *host, char **err)
{
	mbedtls_pk_context	 key;
	mbedtls_x509write_cert	 crt;
	mbedtls_mpi		 serial;
	unsigned char		 pem[4096], keypem[1024], rnd[16];
	char			 subject[300], from[16], until[16], *path;
	time_t			 now = time(NULL);
	struct tm		 tm;
	int			 r = -1;

	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	gmtime_r(&now, &tm);
	strftime(from, sizeof from, "%Y%m%d%H%M%S", &tm);
	tm.tm_year += 10;
	strftime(until, sizeof until, "%Y%m%d%H%M%S", &tm);
	snprintf(subject, sizeof subject, "CN=%s,O=tsi State Migration Point", host);
	if (mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), rng_fill,
	    NULL) != 0 || rng_fill(NULL, rnd, sizeof rnd) != 0 ||
	    mbedtls_mpi_read_binary(&serial, rnd, sizeof rnd) != 0)
		goto out;
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, &key);
	mbedtls_x509write_crt_set_issuer_key(&crt, &key);
	if (mbedtls_x509write_crt_set_subject_name(&crt, subject) != 0 ||
	    mbedtls_x509write_crt_set_issuer_name(&crt, subject) != 0 ||
	    mbedtls_x509write_crt_set_serial(&crt, &serial) != 0 ||
	    mbedtls_x509write_crt_set_validity(&crt, from, until) != 0 ||
	    mbedtls_x509write_crt_set_basic_constraints(&crt, 1, 0) != 0 ||
	    mbedtls_x509write_crt_pem(&crt, pem, sizeof pem, rng_fill, NULL) != 0 ||
	    mbedtls_pk_write_key_pem(&key, keypem, sizeof keypem) != 0)
		goto out;
	path = xasprintf("%s/smp-key.pem", dir);
	r = write_file_atomic(path, keypem, strlen((char *)keypem), 0600);
	free(path);
	if (r == 0) {
		path = xasprintf("%s/smp-cert.pem", dir);
		r = write_file_atomic(path, pem, strlen((char *)pem), 0644);
		free(path);
	}
out:
	if (r != 0)
		*err = xstrdup("cannot make the TLS certificate");
	explicit_bzero(keypem, sizeof keypem);
	mbedtls_pk_free(&key);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_mpi_free(&serial);
	return r == 0 ? 0 : -1;
}

/* The recovery key: an identity whose files are renamed recovery.key/.pub. */
static int
make_recovery(const char *dir, char **err)
{
	char	*tmp = xasprintf("%s/.recovery.tmp", dir), *a, *b;
	int	 r = -1;

	remove_tree(tmp);
	if (identity_init(tmp, "site-recovery", err) == 0) {
		a = xasprintf("%s/identity.key", tmp);
		b = xasprintf("%s/recovery.key", dir);
		r = rename(a, b);
		free(a);
		free(b);
		a = xasprintf("%s/identity.pub", tmp);
		b = xasprintf("%s/recovery.pub", dir);
		r |= rename(a, b);
		free(a);
		free(b);
		if (r != 0)
			*err = xasprintf("cannot place the recovery key: %s", strerror(errno));
	}
	remove_tree(tmp);
	free(tmp);
	return r == 0 ? 0 : -1;
}

/* smp.conf: this node's name, its site's database, the defaults. */
static int
write_conf(const char *dir, const char *node, const char *url)
{
	struct buf	b;
	char		*p = xasprintf("%s/smp.conf", dir);
	int		r;

	buf_init(&b, 0);
	buf_addf(&b, "# smp.conf - this State Migration Point (tsi smp init wrote it)\n"
	    "# this node's name in its site, in logs and listings\nnode: %s\n", node);
	if (url != NULL)
		buf_addf(&b, "# the site's database, shared by its nodes (a libpq URI)\n"
		    "database: \"%s\"\n", url);
	buf_add(&b, default_conf, sizeof default_conf - 1);
	r = write_file_atomic(p, b.data, b.len, 0600);
	buf_release(&b);
	free(p);
	return r;
}

/* A node of a site: the site's recovery key is made by its first node
 * (recovery.key stays in that node's folder, as on an SMP of its own);
 * later nodes take recovery.pub from the site.  The node is registered
 * with its certificate, which clients pin and other nodes redirect to. */
static int
join_site(const char *dir, const char *node, struct smp_db *db, char **err)
{
	char	*cert = NULL, *pub = NULL, *p, pin[SMP_PIN_HEX];
	size_t	 len;
	int	 r = -1, made = 0;

	p = xasprintf("%s/smp-cert.pem", dir);
	if (read_file(p, 65536, &cert, &len) == -1 || smp_cert_pin(cert, len, pin, NULL) == -1) {
		*err = xasprintf("cannot read %s", p);
		goto out;
	}
	if (smp_db_begin(db) == -1)
		goto db_failed;
	if ((pub = db_site_get(db, "recovery_pub")) == NULL) {
		if (make_recovery(dir, err) == -1)
			goto rollback;
		made = 1;
		free(p);
		p = xasprintf("%s/recovery.pub", dir);
		if (read_file(p, 65536, &pub, &len) == -1) {
			*err = xasprintf("cannot read %s", p);
			goto rollback;
		}
		if (db_site_put(db, "recovery_pub", pub) != 0)
			goto db_failed_rollback;
	} else {
		free(p);
		p = xasprintf("%s/recovery.pub", dir);
		if (write_file_atomic(p, pub, strlen(pub), 0644) == -1) {
			*err = xasprintf("cannot write %s: %s", p, strerror(errno));
			goto rollback;
		}
	}
	switch (db_node_add(db, node, cert, pin, (long long)time(NULL))) {
	case 0:
		break;
	case DB_TAKEN:
		*err = xasprintf("the site has a node named '%s' already: give this one "
		    "another name (--name)", node);
		goto rollback;
	case DB_TAKEN_OTHER:
		*err = xstrdup("the site has a node with this certificate already");
		goto rollback;
	default:
		goto db_failed_rollback;
	}
	if (smp_db_commit(db) == -1)
		goto db_failed;
	printf("%s the site's recovery key\n", made ? "made" : "took");
	r = 0;
	goto out;
db_failed_rollback:
	smp_db_rollback(db);
db_failed:
	*err = xasprintf("the site database: %s", smp_db_error(db));
	goto out;
rollback:
	smp_db_rollback(db);
out:
	if (r == -1 && made) {
		/* a key the site does not know would open nothing: not left */
		free(p);
		p = xasprintf("%s/recovery.key", dir);
		unlink(p);
		free(p);
		p = xasprintf("%s/recovery.pub", dir);
		unlink(p);
	}
	free(p);
	free(cert);
	free(pub);
	return r;
}

/* 1 when DIR is a folder with nothing in it. */
static int
empty_folder(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 empty = 1;

	if (d == NULL)
		return 0;
	while (empty && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* What init makes in DIR, taken away again when it cannot finish. */
static void
unmake(const char *dir)
{
	static const char *const made[] = {
		"smp.conf", "smp-cert.pem", "smp-key.pem", "recovery.key", "recovery.pub",
		"smp.db", "smp.db-wal", "smp.db-shm", "stores",
	};
	size_t	i;
	char	*p;

	for (i = 0; i < ARRAY_SIZE(made); i++) {
		p = xasprintf("%s/%s", dir, made[i]);
		remove_tree(p);
		free(p);
	}
}

/* The site's database before anything is made: reachable, at a schema
 * this tsi knows, without a node of this name. */
static int
site_first(const char *dir, const char *host, const char *url, struct smp_db **db,
    char **err)
{
	char	pin[SMP_PIN_HEX];
	int	r;

	if (smp_db_open(dir, url, db, err) == -1)
		return -1;
	if ((r = db_node_pin(*db, host, pin)) == 0)
		return 0;
	if (r == 1)
		*err = xasprintf("the site has a node named '%s' already: give this one "
		    "another name (--name)", host);
	else
		*err = xasprintf("the site database: %s", smp_db_error(*db));
	smp_db_close(*db);
	*db = NULL;
	return -1;
}

int
smp_init(const char *dir, const char *host, const char *url, char **err)
{
	struct smp_db	*db = NULL;
	struct stat	 st;
	char		*p;
	int		 r;

	if (!smp_node_name_ok(host)) {
		*err = xasprintf("'%s' is not a node name: 1 to 64 letters, digits, '.', "
		    "'_' and '-'", host);
		return -1;
	}
	/* an empty folder made beforehand (the tsi-smp package makes
	 * /var/lib/tsi-smp for its user, who cannot make it in /var/lib) is
	 * filled in place */
	if (lstat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || !empty_folder(dir))) {
		*err = xasprintf("'%s' exists and is not an empty folder; an SMP directory "
		    "is never replaced", dir);
		return -1;
	}
	if (url != NULL && strncmp(url, "postgresql://", 13) != 0 &&
	    strncmp(url, "postgres://", 11) != 0) {
		*err = xasprintf("--database takes a PostgreSQL connection URI "
		    "(postgresql://...): '%s' is not a PostgreSQL connection URI", url);
		return -1;
	}
	if (url != NULL && site_first(dir, host, url, &db, err) == -1)
		return -1;
	if (mkdir_p(dir, 0700) == -1 || chmod(dir, 0700) == -1) {
		*err = xasprintf("cannot make '%s': %s", dir, strerror(errno));
		smp_db_close(db);
		return -1;
	}
	r = write_conf(dir, host, url);
	p = xasprintf("%s/stores", dir);
	if (r == 0)
		r = mkdir(p, 0700);
	free(p);
	if (r != 0)
		*err = xasprintf("cannot write in '%s': %s", dir, strerror(errno));
	else if ((r = make_cert(dir, host, err)) == 0)
		r = url != NULL ? join_site(dir, host, db, err) :
		    make_recovery(dir, err) == -1 ? -1 : smp_db_create(dir, NULL, err);
	smp_db_close(db);
	if (r != 0)
		unmake(dir);
	return r == 0 ? 0 : -1;
}
