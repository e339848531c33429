/*
 * smp-int.h - shared inside smp/ only.  The server's files, from the
 * bottom up (each calls only the ones above it in this list, and lib/,
 * store/ and the signatures of auth.c, which the client shares: proto.h):
 *
 *   db.h: db.c, db-open.c, db-schema.c, db-sqlite.c, db-pg.c
 *                                   the database, SQLite or a site's PostgreSQL
 *   db-stores.c, db-admin.c, db-site.c, db-status.c   every SQL statement
 *   conf.c                          smp.conf
 *   capacity.c                      storage folders: where a capture goes
 *   request.c                       a request's head, parsed once
 *   reply.c                         an error's answer
 *   site.c                          this node in its site: reports, redirects
 *   access.c                        a store and the caller's part in it
 *   authenticate.c                  who sent a request (signature, MAC, nonce)
 *   upload.c                        the upload registry and an upload's steps
 *   retention.c                     stores whose time has passed
 *   handlers.c                      the routes
 *   events.c                        POST /v1/events (events-wire.c reads it)
 *   server-open.c                   a server's configuration, keys, database
 *   metrics.c                       the counters, and their text for Prometheus
 *   metrics-serve.c                 --metrics-listen: GET /metrics, the gauges
 *   server.c                        libmicrohttpd: bytes in, bytes out
 *   init.c, admin.c, admin-site.c,  `tsi smp init` and the admin commands
 *   status.c
 */
#ifndef TSI_SMP_INT_H
#define TSI_SMP_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../lib/util.h"
#include "db.h"
#include "proto.h"

struct diag;
struct smp_reply;
struct sockaddr_storage;
struct smp_who;

/* db.h: the database (SQLite or a site's PostgreSQL); the db-*.c files
 * below hold every SQL statement of the SMP. */

/* What a db_*() write may meet besides 0 (done) and -1 (the database
 * failed: sqlite3_errmsg says why). */
enum db_conflict {
	DB_TAKEN = 1,		/* its key is there already: a name, a nonce, a pair */
	DB_TAKEN_OTHER,		/* another unique column is: a computer's key */
	DB_MISSING,		/* a row it names is not there: a computer */
};

/* A node's name (smp.conf's node: the certificate's host by default). */
#define SMP_NODE_LEN	128

/* A store's row with its association's. */
#define SMP_STATE_LEN	16
struct smp_store_row {
	char		 folder[256], state[SMP_STATE_LEN], source[128], dest[128];
	long long	 size;
	int		 restore_requested;	/* the destination asked for it */
	char		 users[512], behavior[40];
	char		 node[SMP_NODE_LEN];	/* the node that holds it */
};

/* For each store of a listing: its id and folder. */
typedef void	db_store_fn(void *ctx, const char *id, const char *folder);

/* db-stores.c: what the server reads and writes while it serves: the
 * computers' keys, spent nonces, the associations a capture finds or
 * makes, and the stores' rows.  The caller holds the server's lock. */

/* The public line (caller frees) and name of the computer with key_id,
 * or NULL. */
char	*db_computer_by_key(struct smp_db *, const char *key_id, char *name, size_t namelen);
/* The public line of the computer named so (caller frees), or NULL. */
char	*db_computer_line(struct smp_db *, const char *name);
/* Remembers a nonce: 0, DB_TAKEN (seen before: a replay), or -1. */
int	db_nonce_spend(struct smp_db *, const char *node, const char *nonce, long long now);
/* Forgets the nonces seen before then. */
void	db_nonces_forget(struct smp_db *, long long before);
/* The associations source is the source of that keep no store (complete
 * or released): how many, the first's id and destination (caller frees). */
int	db_capture_associations(struct smp_db *, const char *source, long long *assoc,
	    char **dest);
/* How many associations source is the source of. */
int	db_associations_of(struct smp_db *, const char *source);
/* A refresh's association, the computer to itself: 0 with *id, or -1. */
int	db_association_add_refresh(struct smp_db *, const char *name, long long now,
	    long long *id);
/* The store an association is uploading: 1 with id and its node, or 0. */
int	db_store_uploading_of(struct smp_db *, long long assoc, char id[SMP_STORE_ID_HEX + 1],
	    char node[SMP_NODE_LEN]);
/* A new store, uploading in folder: 0, or -1. */
int	db_store_add(struct smp_db *, const char *id, long long assoc, const char *node,
	    const char *folder, long long now);
/* The store a destination restores (the newest not deleted, an upload
 * last): 1 with id, state and node, or 0. */
int	db_store_for_dest(struct smp_db *, const char *dest, char id[SMP_STORE_ID_HEX + 1],
	    char state[SMP_STATE_LEN], char node[SMP_NODE_LEN]);
int	db_store_set_restore_requested(struct smp_db *, const char *id);
/* The store's row: 1, or 0 when there is none (or it cannot be read). */
int	db_store_get(struct smp_db *, const char *id, struct smp_store_row *);
/* An upload that starts again at 0: the store's size goes back to 0. */
void	db_store_reset_size(struct smp_db *, const char *id);
/* An upload piece on disk: the store, still uploading, has size bytes.
 * 1, 0 when it is not uploading any more (deleted meanwhile), or -1. */
int	db_store_uploaded(struct smp_db *, const char *id, long long size, long long now);
/* An uploading store found whole: complete.  0, or -1. */
int	db_store_set_complete(struct smp_db *, const char *id, long long now);
/* Released by its destination: the retention timer starts.  0, or -1. */
int	db_store_set_released(struct smp_db *, const char *id, long long now);
/* Its file is gone.  0, or -1. */
int	db_store_set_deleted(struct smp_db *, const char *id);
/* A node on its own (SQLite) holds every store: they become node's. */
int	db_stores_adopt(struct smp_db *, const char *node);
/* The stores a folder holds (every state but deleted), or -1. */
long	db_folder_clients(struct smp_db *, const char *node, const char *folder);
/* Calls fn for each store released at or before then; for each upload
 * untouched since then; for each upload.  0, or -1 when they cannot be
 * read.  fn may write to the database. */
int	db_stores_expired(struct smp_db *, const char *node, long long released_before,
	    db_store_fn *, void *);
int	db_stores_abandoned(struct smp_db *, const char *node, long long touched_before,
	    db_store_fn *, void *);
int	db_stores_uploading(struct smp_db *, const char *node, db_store_fn *, void *);
/* fn with each state of node's stores and how many are in it.  0, or -1. */
int	db_stores_by_state(struct smp_db *, const char *node,
	    void (*fn)(void *ctx, const char *state, long long n), void *ctx);

/* db-admin.c: what the admin commands read and write. */

/* A time as "YYYY-MM-DD HH:MM:SS" UTC, or "-" for none. */
void	db_time_text(long long t, char out[20]);

/* A computer: 0, DB_TAKEN (its name is registered), DB_TAKEN_OTHER (its
 * key is, under another name), or -1. */
int	db_computer_add(struct smp_db *, const char *name, const char *line, const char *key_id,
	    long long now);
/* Calls fn for each computer by name (added: "YYYY-MM-DD HH:MM:SS" UTC);
 * -1 when they cannot be read. */
int	db_computers_each(struct smp_db *, void (*fn)(void *ctx, const char *name,
	    const char *key_id, const char *added), void *ctx);
/* An association: 0 with *id, DB_MISSING (a computer is not registered),
 * DB_TAKEN (the two are associated already), or -1. */
int	db_association_add(struct smp_db *, const char *source, const char *dest,
	    const char *users, const char *behavior, long long now, long long *id);
/* An association by its id (as typed) or by its two computers: 1 with
 * *id, 0 when there is none, or -1. */
int	db_association_id(struct smp_db *, const char *id_text, long long *id);
int	db_association_between(struct smp_db *, const char *source, const char *dest,
	    long long *id);
/* Whether association id exists: 1, 0, or -1. */
int	db_association_id_number(struct smp_db *, long long id);
/* An association with one of its stores (store NULL: it has none; then
 * state is "no store", folder "-"). */
struct db_assoc_store {
	long long	 assoc;
	const char	*source, *dest, *users, *behavior;
	const char	*store, *state, *folder, *node;
	long long	 size;
};
typedef void	db_assoc_fn(void *ctx, const struct db_assoc_store *);
/* Calls fn for every association with each of its stores (tsi smp list);
 * for the stores of one association (users and behavior NULL).  -1 when
 * they cannot be read. */
int	db_associations_each(struct smp_db *, db_assoc_fn *, void *ctx);
int	db_association_stores(struct smp_db *, long long assoc, db_assoc_fn *, void *ctx);
/* Deletes an association and its stores' rows in one transaction, calling
 * fn for each store node holds first (its file goes before its row); the
 * files other nodes hold are left to them (deletions).  0, or -1 with *why
 * (the database's message; caller frees). */
int	db_association_delete(struct smp_db *, const char *node, long long assoc,
	    db_store_fn *fn, void *ctx, char **why);

/* db-site.c: what the nodes of a site share: its settings, its nodes. */

/* A setting of the site (caller frees), or NULL. */
char	*db_site_get(struct smp_db *, const char *key);
/* A setting made once: 0, DB_TAKEN (it is there), or -1. */
int	db_site_put(struct smp_db *, const char *key, const char *value);
/* A node joins: 0, DB_TAKEN (its name is there), DB_TAKEN_OTHER (its
 * certificate is, under another name), or -1. */
int	db_node_add(struct smp_db *, const char *name, const char *cert, const char *pin,
	    long long now);
/* A node's certificate pin: 1, 0 when there is no such node, or -1. */
int	db_node_pin(struct smp_db *, const char *name, char pin[SMP_PIN_HEX]);

/* A node as the site sees it. */
struct smp_node_row {
	char		name[SMP_NODE_LEN];
	char		url[256];		/* where clients reach it */
	int		takes_capture;		/* a folder has room, not restore-only */
	char		why[256];		/* ... or why it takes none */
	int		restore_only;
	long long	free_mb, clients, max_clients;	/* over its folders */
	long long	seen;			/* its last report (Unix time) */
};
/* A serving node's report of itself (n->name's row): 0, or -1. */
int	db_node_report(struct smp_db *, const struct smp_node_row *);
int	db_node_folder_report(struct smp_db *, const char *node, const char *path,
	    long long free_mb, long long total_mb, long long clients, long long max_clients,
	    int takes_capture);
/* 1 with n, 0 when there is none, or -1. */
int	db_node_get(struct smp_db *, const char *name, struct smp_node_row *n);
/* fn for each node by name; -1 when they cannot be read. */
int	db_nodes_each(struct smp_db *, void (*fn)(void *ctx, const struct smp_node_row *),
	    void *ctx);
/* Boundary groups: a name, its ranges and its nodes (comma-separated).
 * put: made or replaced; remove: 1, 0 when there was none, or -1. */
int	db_boundary_put(struct smp_db *, const char *name, const char *ranges,
	    const char *nodes);
int	db_boundary_remove(struct smp_db *, const char *name);
int	db_boundaries_each(struct smp_db *, void (*fn)(void *ctx, const char *name,
	    const char *ranges, const char *nodes), void *ctx);
/* fn for each store file that node is asked to delete (then forgotten). */
int	db_deletions_each(struct smp_db *, const char *node, db_store_fn *fn, void *ctx);

/* admin.c: an association's users and behavior (NULL: the defaults, all
 * and capture-restore-all): 0, or -1 with *err. */
int	smp_association_check(const char **users, const char **behavior, char **err);
/* admin.c: DIR's database, where smp.conf says it is, and this node's
 * name (node may be NULL); 0, or -1 with *err. */
int	smp_admin_open(const char *dir, struct smp_db **, char node[SMP_NODE_LEN], char **err);

/* db-status.c: the runs computers report (events.c) and what `tsi smp
 * status` reads of them (status.c). */

/* Stores a batch of one computer's events in one transaction, each one
 * not stored already updating its run's row.  0, or -1 (nothing stored). */
int	db_events_add(struct smp_db *, const char *computer, const struct smp_event *,
	    size_t n, long long now);

/* A run's row; for a computer's listing also its newest store. */
struct db_run {
	const char	*computer;
	int		 has_run;		/* 0: a computer without a run */
	const char	*run, *sequence, *result, *step, *progress;
	long long	 started, ended, updated;	/* ended 0: not yet */
	long long	 step_no, steps;
	const char	*store;			/* its newest store's state ("expired":
						   deleted by retention), or NULL */
	long long	 associations;		/* it is party to */
};
typedef void	db_run_fn(void *ctx, const struct db_run *);
/* Each registered computer by name (or the one named) with its newest
 * run and store.  0, or -1. */
int	db_status_computers(struct smp_db *, const char *computer, db_run_fn *, void *ctx);
/* A computer's runs, newest first, DB_STATUS_RUNS_MAX at most. */
#define DB_STATUS_RUNS_MAX	"20"
int	db_status_runs(struct smp_db *, const char *computer, db_run_fn *, void *ctx);
/* A run's events in order. */
struct db_event_row {
	long long	 seq, time;
	const char	*kind, *step, *result, *detail;
};
typedef void	db_event_fn(void *ctx, const struct db_event_row *);
int	db_status_events(struct smp_db *, const char *computer, const char *run,
	    db_event_fn *, void *ctx);

/* db-console.c: the console's admins and sessions. */

/* 0, DB_TAKEN (the name is there), or -1. */
int	db_admin_add(struct smp_db *, const char *name, const char *hash, long long now);
/* 1 removed, 0 none of that name, or -1. */
int	db_admin_remove(struct smp_db *, const char *name);
/* The admin's password hash (caller frees), or NULL. */
char	*db_admin_hash(struct smp_db *, const char *name);
int	db_admins_each(struct smp_db *, void (*fn)(void *ctx, const char *name,
	    long long added, long long last_login), void *ctx);
/* A session by the hash of its cookie's secret: add; get (1 with its admin
 * and CSRF token while it has not expired, 0, or -1); remove. */
int	db_session_add(struct smp_db *, const char *token_hash, const char *admin,
	    const char *csrf, long long now, long long expires);
int	db_session_get(struct smp_db *, const char *token_hash, long long now,
	    char admin[SMP_NODE_LEN], char csrf[65]);
int	db_session_remove(struct smp_db *, const char *token_hash);

/* An admin's setting for a node: restore-only over its smp.conf (set; get:
 * 1 or 0, -1 when the database failed). */
int	db_node_set_restore_only(struct smp_db *, const char *node, int on);
int	db_node_restore_only(struct smp_db *, const char *node);
/* The overview's counts: fn("runs", RESULT, n) for the runs updated since
 * then, fn("stores", STATE, n) for every store. */
int	db_console_counts(struct smp_db *, long long since, void (*fn)(void *ctx,
	    const char *what, const char *key, long long n), void *ctx);
/* Each node with each of its folders (path NULL: it reported none). */
struct db_folder_row {
	const char	*node, *url, *why, *path;
	int		 takes_capture, restore_only, set_restore_only;
	long long	 seen, free_mb, total_mb, clients, max_clients;
};
int	db_console_folders(struct smp_db *, void (*fn)(void *ctx,
	    const struct db_folder_row *), void *ctx);
/* Each association with each of its stores and their times. */
struct db_assoc_row {
	long long	 id, created, size, store_created, completed, released;
	const char	*source, *dest, *users, *behavior, *store, *state, *node;
};
/* ... the newest associations first, DB_CONSOLE_ROWS_MAX rows at most. */
#define DB_CONSOLE_ROWS_MAX	2000
int	db_console_associations(struct smp_db *, void (*fn)(void *ctx,
	    const struct db_assoc_row *), void *ctx);

/* admins.c: a yescrypt hash of pw (caller frees), or NULL. */
char	*smp_admin_hash(const char *pw);
/* admins.c: whether pw is the password hash was made of (yescrypt, or
 * whatever libcrypt's prefix says), in constant time. */
int	smp_admin_password_ok(const char *pw, const char *hash);

/* conf.c: smp.conf. */

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
	char			*node;			/* this node's name */
	char			*database;		/* a site's PostgreSQL URI, or
							   NULL: DIR/smp.db */
	struct smp_folder	 folders[SMP_FOLDERS_MAX];
	size_t			 nfolders;
	long long		 retention_s;		/* 0: immediately */
	int			 restore_only;
	int			 connections;		/* open at once */
	int			 per_ip_connections;	/* from one address */
	/* not yet signed by a registered computer: a few, evicted oldest
	 * first, so that strangers cannot hold the slots computers need */
	int			 unauthenticated_connections;
	int			 per_ip_unauthenticated_connections;
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

/* A node's name: 1 to 64 letters, digits, '.', '_', '-'. */
int	smp_node_name_ok(const char *);
/* ADDR:PORT or [V6]:PORT; 0, or -1 when malformed. */
int	smp_split_listen(const char *listen, char *addr, size_t addrlen, int *port);
/* ADDR:PORT as the address to bind, IPv4 or IPv6 (ss_family says which);
 * 0, or -1 with *err, which names what (the option it came from). */
int	smp_listen_sockaddr(const char *listen, const char *what, struct sockaddr_storage *,
	    int *port, char **err);

#define SMP_UPLOADS_MAX		256

/* A running server (server.c); the files below it work on it. */
struct smp_server {
	char			*dir;
	struct smp_conf		 conf;
	struct smp_db		*db;
	pthread_mutex_t		 lock;		/* db, uploading */
	/* the computers' run events have a connection of their own */
	struct smp_db		*events_db;
	pthread_mutex_t		 events_lock;
	int			 plain;		/* --plain-http: no TLS */
	char			 pin[SMP_PIN_HEX];
	char			*recovery_line;	/* recovery.pub */
	char			*advertise;	/* where clients reach this node */
	time_t			 reported;	/* to the site, last */
	int			 set_restore_only;	/* by an admin (console) */
	int			 report_failed;	/* said once */
	char			 uploading[SMP_UPLOADS_MAX][SMP_STORE_ID_HEX + 1];
};

/* site.c: this node in its site (nothing for a node on its own). */

/* How often a node tells the site its address and room, in seconds. */
#define SMP_SITE_REPORT_S	5
/* At the start of serve: where clients reach this node (given, or the
 * address and port it listens on), and, in a site, its check against the
 * site (its name, certificate and recovery key) and first report.  0, or
 * -1 with *err. */
int	smp_site_join(struct smp_server *, const char *listen, int port,
	    const char *advertise, char **err);
/* Whether this node takes no capture: smp.conf's restore_only, or an
 * admin's setting in the database (read each second). */
int	smp_restore_only(const struct smp_server *);
/* The report (lock held), and what is due each second (lock taken). */
void	smp_site_report(struct smp_server *);
void	smp_site_tick(struct smp_server *);
/* A 307 to the node that holds a store, keeping the request's target.
 * Lock held. */
void	smp_site_send_to(struct smp_server *, const char *node, const char *target,
	    struct smp_reply *);
/* Whether a capture goes to another node (then 1, r a 307): the
 * computer's boundary group prefers another node that takes captures, or
 * this one takes none (here_ok 0) and another does.  Lock held. */
int	smp_site_capture_elsewhere(struct smp_server *, const struct smp_who *, int here_ok,
	    struct smp_reply *);
/* Another node that takes captures: 1 with "URL (node NAME)", or 0. */
int	smp_site_capture_url(struct smp_server *, char *url, size_t len);
/* A boundary's range ("10.1.0.0/16", "fd00::/8"; a bare address is one):
 * 16 bytes and a prefix over them (IPv4 mapped); 0, or -1. */
int	smp_cidr_parse(const char *text, uint8_t net[16], int *bits);
int	smp_cidr_holds(const uint8_t net[16], int bits, const uint8_t addr[16]);

/* capacity.c: the storage folders: where a new capture goes, whether an
 * upload piece still fits, where a store's file is. */

/* A folder's room: 0, or -1 when it cannot be read (why says so). */
struct smp_folder_stat {
	uint64_t	free_mb, total_mb, need_mb;	/* need: its min_free */
	uint64_t	free_bytes;			/* free_mb, to the byte */
	long		clients, max_clients;		/* stores it holds */
	int		takes;				/* a new capture */
	char		why[256];			/* ... or why not */
};
int	smp_folder_stat(struct smp_server *, size_t folder, struct smp_folder_stat *);
/* The folder a new capture goes to (index), or -1 with why. Lock held. */
int	smp_pick_folder(struct smp_server *, char *why, size_t whylen);
/* Whether an upload piece of bytes leaves the folder above SMP_FLOOR_MB
 * free: 0 yes, -1 no.  min_free decides where captures start; this keeps
 * a capture under way from filling the disk. */
#define SMP_FLOOR_MB		64
int	smp_folder_room(struct smp_server *, const char *folder, uint64_t bytes);
/* Deletes a store's file (and an unfinished upload's): 1 when one went. */
int	smp_store_files_remove(const char *dir, const char *folder, const char *id);
/* DIR/FOLDER/ID.tsistore, with .partial while it is uploaded (caller frees). */
char	*smp_store_path(const char *dir, const char *folder, const char *id, int partial);

/* request.c: a request's head, parsed once, before anything in it is
 * trusted; it takes bytes from the network, so it is strict, bounded and
 * fuzzed (tests/fuzz/fuzz-smp.c). */

/* What the target and the Range header say. */
struct smp_req {
	enum smp_route	route;
	int		bad_method;		/* the path is ours, the method is not */
	int		bad_id;			/* a store id that is not the server's form */
	char		id[SMP_STORE_ID_HEX + 1];
	char		target[SMP_TARGET_MAX + 1];	/* as sent: a redirect keeps it */
	char		mode[8];		/* request: capture or restore */
	uint64_t	offset;			/* upload */
	int		has_offset;
	uint64_t	range_from, range_to;	/* download: bytes from..to (inclusive) */
	int		has_range;		/* range_to is UINT64_MAX for "from-";
						   0: no Range, or one not understood
						   (it is ignored) */
};

/* A request's head as it came: each header NULL when absent. */
struct smp_raw_head {
	const char	*method;
	const char	*target;		/* path and query, as sent */
	const char	*content_length;
	const char	*transfer_encoding;
	const char	*content_sha256;	/* X-TSI-Content-SHA256 */
	const char	*authorization;
	const char	*range;
	const char	*cookie, *accept;	/* the console's */
};

/* A request's head, parsed. */
struct smp_head {
	struct smp_req	 req;
	uint64_t	 body_len;	/* Content-Length; 0 when absent */
	int		 has_body;	/* announced: Transfer-Encoding, or a
					   Content-Length that is not "0" */
	char		 body_sha[65];	/* what the signature covers: an upload's
					   X-TSI-Content-SHA256, else the hash of
					   nothing */
	int		 hash_body;	/* an upload whose body_sha is a hash, not
					   SMP_UNSIGNED_PAYLOAD */
	struct smp_auth	 auth;
	const char	*auth_why;	/* NULL, or why Authorization cannot be
					   read (static; 401 when authenticated) */
	int		 status;	/* 0, or the refusal of a malformed head:
					   400, 404, 405, 411, 413 ... */
	char		*why;		/* ... and its message */
};

/* Parses a head; plain: the connection has no TLS (an upload must hash its
 * body).  0, or -1 with status and why.  smp_head_release frees why. */
int	smp_parse_head(const struct smp_raw_head *, int plain, struct smp_head *);
void	smp_head_release(struct smp_head *);

/* reply.c and access.c: what a handler answers, and a store as a request
 * sees it. */

/* What a handler answers: a status and text/plain lines. */
struct smp_reply {
	int		 status;
	char		 session[64];		/* X-TSI-Session to send, or "" */
	char		 location[512];		/* a redirect's Location, or "" */
	int		 retry_after;		/* a 503 that passes: Retry-After */
	/* the console's: a page (its security headers), another type, a
	 * cookie to set */
	int		 html;
	const char	*content_type;		/* NULL: text/plain */
	char		 set_cookie[200];
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
	uint8_t	addr[16];	/* where it came from (IPv4 mapped into IPv6) */
};

void	smp_reply_error(struct smp_reply *, int status, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* "the SMP's database failed: ..." (500), or, when it cannot be reached,
 * 503 with Retry-After: the client tries again. */
#define SMP_DB_RETRY_S	5
void	smp_reply_db_error(struct smp_server *, struct smp_reply *);
/* The same for another connection than the server's. */
void	smp_reply_db_failed(struct smp_db *, struct smp_reply *);
/* The store and the caller's part in it: 1 source, 2 destination, 3 both;
 * -1 with r filled (404, 403, 410; 307 to the node of the site that holds
 * it; 503 when the database is down). Lock held. */
int	smp_find_store(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    struct smp_store_row *, struct smp_reply *);

/* authenticate.c: who sent a request: its signature or its session's MAC,
 * the clock window, and the nonce spent once. */

/* A connection's session (proto.h): whose, and its secret. */
struct smp_session {
	int		valid;
	char		key_id[17];
	char		name[128];
	uint8_t		secret[SMP_SESSION_LEN];
};

/* Fills who, or r (401, 500); the lock is taken inside.  method and target
 * are the request's as sent; h its parsed head.  With sess (the request's
 * connection), a MAC'd request is checked against it, and a request
 * signed with the identity key opens it when it is not open: *opened is
 * then set, and the reply must carry the secret. */
int	smp_authenticate(struct smp_server *, const char *method, const char *target,
	    const struct smp_head *h, struct smp_session *sess, int *opened,
	    struct smp_who *, struct smp_reply *);

/* upload.c: the upload registry (which stores an upload or a release
 * check holds now) and an upload's steps. */

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
/* Holds a store: 0, or -1 when it is held already (or every slot is).
 * Lets it go.  Lock held. */
int	smp_uploading_add(struct smp_server *, const char *id);
void	smp_uploading_remove(struct smp_server *, const char *id);
/* How many stores the registry holds now.  Lock held. */
int	smp_uploading_count(struct smp_server *);
int	smp_upload_begin(struct smp_server *, const struct smp_who *, const struct smp_head *,
	    struct smp_upload *, struct smp_reply *);
void	smp_upload_end(struct smp_server *, struct smp_upload *, const char *body_sha,
	    struct smp_reply *);
void	smp_upload_abandon(struct smp_server *, struct smp_upload *);

/* retention.c: deletes the stores whose retention has passed, uploads
 * untouched for SMP_ABANDONED_S, and old nonces; the lock is taken inside. */
#define SMP_ABANDONED_S		(7 * 86400)
void	smp_retention_tick(struct smp_server *);

/* handlers.c: the routes, once the request is authenticated; each fills
 * reply and takes the lock inside. */
void	smp_h_capacity(struct smp_server *, const struct smp_who *, struct smp_reply *);
void	smp_h_request(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    struct smp_reply *);
void	smp_h_status(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    struct smp_reply *);
void	smp_h_release(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    struct smp_reply *);
void	smp_h_download(struct smp_server *, const struct smp_who *, const struct smp_req *,
	    struct smp_reply *);

/* events.c: POST /v1/events, its whole body (len bytes, its hash checked
 * already); the lock is taken inside. */
void	smp_h_events(struct smp_server *, const struct smp_who *, const char *body,
	    size_t len, struct smp_reply *);

/* console*.c: the web console at /console/ (cookies and forms, not
 * signatures: request.c routes it, server.c hands it over whole). */

#define SMP_CONSOLE_MAX_BODY	(16 * 1024)
#define SMP_CONSOLE_MAX_PAGE	(8 * 1024 * 1024)

/* A console request as it came. */
struct console_req {
	const char	*method, *target;	/* path and query */
	const char	*cookie, *accept;	/* headers, or NULL */
	const char	*body;			/* a POST's form, urlencoded */
	size_t		 body_len;
	const uint8_t	*addr;			/* the client's, 16 bytes */
};

/* Who asks: the admin of the request's session ("" when none). */
struct console_ctx {
	char	admin[SMP_NODE_LEN];
	char	csrf[65];
	char	token_hash[65];
};

/* console.c: answers a console request; 1 when it came with a valid
 * session (its connection may then live on).  Locks inside. */
int	smp_console(struct smp_server *, const struct console_req *, struct smp_reply *);
int	console_csrf_ok(const struct console_ctx *, const struct console_req *);
/* The database's failure as the answer (503 when it is down), made while
 * the lock is still held: its message is the failed statement's. */
void	console_db_error(struct smp_server *, struct smp_reply *);
/* The same for someone perhaps not logged in (admin 0): only that the
 * database failed, never its message. */
void	console_db_failed(struct smp_server *, struct smp_reply *, int admin);
/* A 303 to where (after a form's action, or to the login). */
void	console_see_other(struct smp_reply *, const char *where);
/* console-pages.c: the views; console-act.c: associations and actions
 * (rest: the target after "/console"). */
void	console_view(struct smp_server *, const struct console_req *, struct console_ctx *,
	    struct smp_reply *);
void	console_act(struct smp_server *, const struct console_req *,
	    const struct console_ctx *, const char *rest, struct smp_reply *);
/* console-html.c: the page around a view, escaping, forms. */
extern const char smp_console_css[], smp_console_js[];
void	console_page_start(struct buf *, const char *title, const struct console_ctx *);
void	console_page_end(struct buf *);
void	console_csrf_field(struct buf *, const struct console_ctx *);
/* Text as HTML (control characters as '?'), as a JSON string, as a URL
 * part. */
void	html_text(struct buf *, const char *);
void	html_fmt(struct buf *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	json_text(struct buf *, const char *);
void	url_text(struct buf *, const char *);
/* A form's (or query's) value of key, decoded: 1, 0 when absent, -1 when
 * it is malformed or over outlen. */
int	form_value(const char *form, size_t len, const char *key, char *out, size_t outlen);

/* metrics.c: the main server's counters, kept with atomics (no lock), for
 * `tsi smp serve --metrics-listen`, and their text in Prometheus'
 * exposition format 0.0.4. */

/* A request answered (server.c, as the access log sees it): its route,
 * status, seconds from its first line to its answer, and the body bytes
 * taken in and sent out. */
void	smp_metrics_request(enum smp_route, int status, double seconds, uint64_t received,
	    uint64_t sent);
/* A handler answered a database failure (reply.c). */
void	smp_metrics_db_error(void);
/* A metric's HELP and TYPE lines; a label value, escaped. */
void	smp_metrics_head(struct buf *, const char *name, const char *type, const char *help);
void	smp_metrics_label(struct buf *, const char *value);
/* Every counter and the histogram, with their HELP and TYPE. */
void	smp_metrics_counters(struct buf *);

/* metrics-serve.c: GET /metrics over plain HTTP on a daemon of its own:
 * the counters and this node's gauges (uploads, stores, folders), read at
 * most once a second with the server's lock taken briefly. */
struct smp_metrics;
/* Listens on ADDR:PORT (port 0: any free one, written to port_file when
 * not NULL): the daemon, or NULL with *err. */
struct smp_metrics *smp_metrics_start(struct smp_server *, const char *listen,
	    const char *port_file, char **err);
void	smp_metrics_stop(struct smp_metrics *);

/* server-open.c: a server before it serves. */

/* Loads DIR's configuration, keys (PEM text into cert and key) and
 * database; close releases all of it.  0, -2 when smp.conf is wrong or
 * refused, -1 otherwise. */
int	smp_server_open(struct smp_server *, const char *dir, char **cert, char **key,
	    char **err);
void	smp_server_close(struct smp_server *, char **cert, char **key);

#endif
