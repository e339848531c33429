/* smp-int.h - shared inside smp/ only */
#ifndef TSI_SMP_INT_H
#define TSI_SMP_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "../lib/util.h"
#include "proto.h"

struct diag;

/* DIR/smp.db with its tables; refuses an existing one. */
int	smp_db_create(const char *dir, char **err);
/* Opens DIR/smp.db (it must exist); -1 with *err. */
int	smp_db_open(const char *dir, sqlite3 **, char **err);
/* A statement with its parameters bound, one per letter of types: 't' a
 * string, 'i' a long long; NULL when SQLite refuses the SQL. */
sqlite3_stmt *smp_db_prep(sqlite3 *, const char *sql, const char *types, ...);
sqlite3_stmt *smp_db_vprep(sqlite3 *, const char *sql, const char *types, va_list);
/* Runs a statement that returns no rows and finalizes it (NULL: -1). */
int	smp_db_exec(sqlite3_stmt *);

#define SMP_FOLDERS_MAX		16
#define SMP_CONF_MAX_BYTES	(64 * 1024)

struct smp_folder {
	char		*path;		/* as written; relative to DIR */
	long		 max_clients;	/* stores it may hold at once */
	uint64_t	 min_free_mb;	/* either this ... */
	int		 min_free_pct;	/* ... or this (1..100); the other is 0 */
};

/* smp.conf, with every limit filled in (defaults where the file is silent). */
struct smp_conf {
	char			*listen;		/* ADDR:PORT */
	struct smp_folder	 folders[SMP_FOLDERS_MAX];
	size_t			 nfolders;
	long long		 retention_s;		/* 0: immediately */
	int			 restore_only;
	int			 connections;		/* open at once */
	int			 per_ip_connections;	/* from one address */
	int			 idle_timeout_s;	/* silence on a connection */
	int			 request_timeout_s;	/* to send a request's head */
	uint64_t		 max_store_mb;		/* one store's size */
	uint64_t		 max_request_mb;	/* one upload request's body */
};

/* Parses smp.conf text (name for messages); errors go to d as
 * FILE:LINE:COL.  0, or -1 with c released. */
int	smp_conf_parse(const char *name, const char *text, size_t len,
	    struct smp_conf *c, struct diag *d);
/* DIR/smp.conf; -1 with *err (the problems are printed to stderr). */
int	smp_conf_load(const char *dir, struct smp_conf *c, char **err);
void	smp_conf_release(struct smp_conf *);

/* ADDR:PORT or [V6]:PORT; 0, or -1 when malformed. */
int	smp_split_listen(const char *listen, char *addr, size_t addrlen, int *port);

#define SMP_UPLOADS_MAX		256

/* A running server (server.c); handlers.c and capacity.c work on it. */
struct smp_server {
	char			*dir;
	struct smp_conf		 conf;
	sqlite3			*db;
	pthread_mutex_t		 lock;		/* db, uploads */
	int			 plain;		/* --plain-http: no TLS */
	char			 pin[SMP_PIN_HEX];
	char			*recovery_line;	/* recovery.pub */
	char			 uploading[SMP_UPLOADS_MAX][SMP_STORE_ID_HEX + 1];
};

/* Loads DIR's configuration, keys (PEM text into cert and key) and
 * database; close releases all of it. */
int	smp_server_open(struct smp_server *, const char *dir, char **cert, char **key,
	    char **err);
void	smp_server_close(struct smp_server *, char **cert, char **key);

/* What a handler answers: a status and text/plain lines. */
struct smp_reply {
	int		 status;
	char		 session[64];		/* X-TSI-Session to send, or "" */
	struct buf	 body;
	int		 fd;			/* download: the file, or -1 */
	uint64_t	 from, len, total;	/* download: the range sent */
	int		 partial;
};

/* The computer a request is signed by. */
struct smp_who {
	char	name[128];
	char	key_id[17];
	int	by_session;	/* a MAC, not a signature */
};

/* A connection's session (proto.h): whose, and its secret. */
struct smp_session {
	int		valid;
	char		key_id[17];
	char		name[128];
	uint8_t		secret[SMP_SESSION_LEN];
};

/* Each fills reply; the lock is taken inside.  With sess (the request's
 * connection), a MAC'd request is checked against it, and a request
 * signed with the identity key opens it when it is not open: *opened is
 * then set, and the reply must carry the secret. */
int	smp_authenticate(struct smp_server *, const char *method, const char *target,
	    const char *auth, const char *body_sha, struct smp_session *sess, int *opened,
	    struct smp_who *, struct smp_reply *);
void	smp_h_capacity(struct smp_server *, const struct smp_who *, struct smp_reply *);
void	smp_h_request(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    struct smp_reply *);
void	smp_h_status(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    struct smp_reply *);
void	smp_h_release(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    struct smp_reply *);
void	smp_h_download(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    const char *range, struct smp_reply *);
/* An upload: begin (checks, opens the file at the offset: fd, or -1 with
 * reply filled), then end (after the body: commits or refuses). */
struct smp_upload {
	char		 id[SMP_STORE_ID_HEX + 1];
	int		 fd;
	uint64_t	 offset, length, received;
	char		 sha[65];
	int		 failed;	/* a write failed: errno */
};
/* Whether an upload or a release check holds the store now. Lock held. */
int	smp_uploading(struct smp_server *, const char *id);
int	smp_upload_begin(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    uint64_t length, const char *sha, struct smp_upload *, struct smp_reply *);
void	smp_upload_end(struct smp_server *, struct smp_upload *, const char *body_sha,
	    struct smp_reply *);
void	smp_upload_abandon(struct smp_server *, struct smp_upload *);

void	smp_reply_error(struct smp_reply *, int status, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* capacity.c: the folder a new capture goes to (index), or -1 with why. */
int	smp_pick_folder(struct smp_server *, char *why, size_t whylen);
/* Whether an upload piece of bytes leaves the folder above SMP_FLOOR_MB
 * free: 0 yes, -1 no.  min_free decides where captures start; this keeps
 * a capture under way from filling the disk. */
#define SMP_FLOOR_MB		64
int	smp_folder_room(struct smp_server *, const char *folder, uint64_t bytes);
/* Deletes the stores whose retention has passed, uploads untouched for
 * SMP_ABANDONED_S, and old nonces. */
#define SMP_ABANDONED_S		(7 * 86400)
void	smp_retention_tick(struct smp_server *);
/* DIR/FOLDER/ID.tsistore, with .partial while it is uploaded (caller frees). */
char	*smp_store_path(const char *dir, const char *folder, const char *id, int partial);

#endif
