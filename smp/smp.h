/*
 * smp.h - the State Migration Point's server directory and its admin
 * commands (`tsi smp init|serve|computer|associate|list|delete|recovery|
 * status`).
 * The wire protocol is proto.h; the client side is smp-client.h.
 *
 * DIR (0700) holds:
 *   smp.conf        the configuration (YAML): listen address, storage
 *                   folders with max_clients and min_free, retention,
 *                   restore-only mode, connection and size limits
 *   smp.db          SQLite: computers, associations, stores
 *   smp-cert.pem    the TLS certificate clients pin (TSISMPCACert)
 *   smp-key.pem     its private key (0600)
 *   recovery.key    the site recovery key's private half (0600): move it
 *                   offline; recovery.pub goes to clients with every store
 *                   request, so stores can be opened without the computer
 */
#ifndef TSI_SMP_H
#define TSI_SMP_H

#define SMP_BEHAVIOR_ALL	"capture-restore-all"

/* Each returns 0, or -1 with *err (caller frees). */
/* url: a site's PostgreSQL database to make DIR a node of, or NULL for
 * DIR/smp.db; host: the node's name, in its certificate too. */
int	smp_init(const char *dir, const char *host, const char *url, char **err);
int	smp_computer_add(const char *dir, const char *name, const char *key, char **err);
int	smp_computer_list(const char *dir, char **err);
int	smp_associate(const char *dir, const char *source, const char *dest,
	    const char *users, const char *behavior, char **err);
int	smp_list(const char *dir, char **err);
/* ASSOC is an id from smp_list, or SOURCE:DEST. */
int	smp_delete(const char *dir, const char *assoc, char **err);
int	smp_recovery(const char *dir, const char *assoc, char **err);
/* A site's nodes, and its boundary groups (ranges and nodes are
 * comma-separated lists). */
int	smp_nodes(const char *dir, char **err);
int	smp_boundary_add(const char *dir, const char *name, const char *ranges,
	    const char *nodes, char **err);
int	smp_boundary_list(const char *dir, char **err);
int	smp_boundary_remove(const char *dir, const char *name, char **err);
/* What the computers' runs reported (status.c): every computer with its
 * newest run, or one computer's runs with their steps; json: as JSON. */
int	smp_status(const char *dir, const char *computer, int json, char **err);
/* The console's admins: added with the password on the first line of FILE
 * ("-": standard input), listed, removed (with their sessions). */
int	smp_admin_add(const char *dir, const char *name, const char *file, char **err);
int	smp_admin_list(const char *dir, char **err);
int	smp_admin_remove(const char *dir, const char *name, char **err);
/* What `tsi smp serve` is told beside DIR; NULL or 0: not given. */
struct smp_serve_opts {
	const char	*listen;		/* NULL: smp.conf's */
	const char	*port_file;		/* the port listened on goes there */
	int		 plain;			/* --plain-http: no TLS */
	const char	*advertise;		/* where clients reach this node */
	const char	*metrics_listen;	/* GET /metrics there (plain HTTP) */
	const char	*metrics_port_file;	/* its port goes there */
};
/* Serves until SIGTERM or SIGINT.  -2 when smp.conf or --metrics-listen
 * is wrong or refused (nothing was served), -1 on other errors. */
int	smp_serve(const char *dir, const struct smp_serve_opts *, char **err);

#endif
