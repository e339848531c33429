/*
 * server-open.c - a server's state before it serves and after: smp.conf,
 * the TLS certificate and key, the recovery key's public half, and the
 * database (its storage folders made, an upload a crash left half
 * released put back to .partial).  server.c serves with it; the fuzz
 * target opens one too.
 */
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smp-int.h"

static int
load_keys(struct smp_server *s, char **cert, char **key, char **err)
{
	char	*p;
	size_t	 len;
	int	 r;

	p = xasprintf("%s/smp-cert.pem", s->dir);
	r = read_file(p, 65536, cert, &len);
	free(p);
	if (r == -1 || smp_cert_pin(*cert, len, s->pin, NULL) == -1) {
		*err = xasprintf("cannot read the certificate %s/smp-cert.pem", s->dir);
		return -1;
	}
	p = xasprintf("%s/smp-key.pem", s->dir);
	r = read_file(p, 65536, key, &len);
	free(p);
	if (r == -1) {
		*err = xasprintf("cannot read the TLS key %s/smp-key.pem: %s", s->dir,
		    strerror(errno));
		return -1;
	}
	p = xasprintf("%s/recovery.pub", s->dir);
	r = read_file(p, 65536, &s->recovery_line, &len);
	free(p);
	if (r == -1) {
		*err = xasprintf("cannot read %s/recovery.pub: %s", s->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* A crash between a release's rename and its database update leaves the
 * file complete and the row uploading: the file goes back to .partial, and
 * the source's release (run again) checks it again. */
static void
reconcile_one(void *ctx, const char *id, const char *folder)
{
	struct smp_server	*s = ctx;
	struct stat		 sb;
	char			*final, *partial;

	final = smp_store_path(s->dir, folder, id, 0);
	partial = smp_store_path(s->dir, folder, id, 1);
	if (lstat(final, &sb) == 0 && S_ISREG(sb.st_mode) && lstat(partial, &sb) == -1 &&
	    chmod(final, 0600) == 0 && rename(final, partial) == 0)
		fprintf(stderr, "tsi smp: store %s was not released: its source "
		    "releases it again\n", id);
	free(final);
	free(partial);
}

static int
open_db(struct smp_server *s, char **err)
{
	size_t	i;
	char	*p;

	if (smp_db_open(s->dir, s->conf.database, &s->db, err) == -1)
		return -1;
	smp_db_durable(s->db);
	/* a node on its own holds every store, whatever it was called */
	if (!smp_db_is_site(s->db) && db_stores_adopt(s->db, s->conf.node) == -1) {
		*err = xasprintf("cannot update the database: %s", smp_db_error(s->db));
		return -1;
	}
	for (i = 0; i < s->conf.nfolders; i++) {
		p = s->conf.folders[i].path[0] == '/' ? xstrdup(s->conf.folders[i].path) :
		    xasprintf("%s/%s", s->dir, s->conf.folders[i].path);
		if (mkdir_p(p, 0700) == -1) {
			*err = xasprintf("cannot make the storage folder '%s': %s", p,
			    strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	db_stores_uploading(s->db, s->conf.node, reconcile_one, s);
	if (smp_db_open(s->dir, s->conf.database, &s->events_db, err) == -1)
		return -1;
	smp_db_durable(s->events_db);
	return 0;
}

int
smp_server_open(struct smp_server *s, const char *dir, char **cert, char **key, char **err)
{
	memset(s, 0, sizeof *s);
	*cert = *key = NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->events_lock, NULL);
	s->dir = xstrdup(dir);
	if (smp_conf_load(dir, &s->conf, err) == -1) {
		smp_server_close(s, cert, key);
		return -2;
	}
	if (load_keys(s, cert, key, err) == -1 || open_db(s, err) == -1) {
		smp_server_close(s, cert, key);
		return -1;
	}
	return 0;
}

void
smp_server_close(struct smp_server *s, char **cert, char **key)
{
	smp_db_close(s->db);
	smp_db_close(s->events_db);
	smp_conf_release(&s->conf);
	if (*key != NULL) {
		explicit_bzero(*key, strlen(*key));
		free(*key);
	}
	free(*cert);
	*cert = *key = NULL;
	free(s->recovery_line);
	free(s->advertise);
	free(s->dir);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->events_lock);
	memset(s, 0, sizeof *s);
}

