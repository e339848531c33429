/*
 * db.h - the SMP's database behind one small interface: SQLite in
 * DIR/smp.db (a node on its own, the default) or PostgreSQL (a site of
 * several nodes: smp.conf's database, a libpq connection URI).  The data
 * files db-stores.c, db-admin.c and db-site.c write their SQL once, with ?
 * or ?N for parameters, in the common dialect of both; db-sqlite.c and
 * db-pg.c run it, and db-schema.c holds each back end's versioned
 * migrations, which opening applies.
 *
 * One connection is used by one thread at a time (the server's lock).
 */
#ifndef TSI_SMP_DB_H
#define TSI_SMP_DB_H

#include <stdarg.h>

struct smp_db;
struct smp_rows;

/* Why the last statement failed. */
enum smp_db_fail {
	DBF_NONE,
	DBF_ERROR,		/* the SQL or the data: a fault, logged */
	DBF_DOWN,		/* the database cannot be reached (503) */
	DBF_PRIMARY,		/* a row with this primary key is there */
	DBF_UNIQUE,		/* another unique column is taken */
	DBF_FOREIGN,		/* a row it refers to is not there */
};

/* Makes the database of a new SMP directory: url NULL: DIR/smp.db, else a
 * site's PostgreSQL database (made or joined; its schema brought up to
 * date).  0, or -1 with *err. */
int	smp_db_create(const char *dir, const char *url, char **err);
/* Opens DIR's database, as smp.conf says (url NULL: DIR/smp.db), bringing
 * its schema up to date.  0, or -1 with *err (no password in it). */
int	smp_db_open(const char *dir, const char *url, struct smp_db **, char **err);
void	smp_db_close(struct smp_db *);
/* 1 for a site's PostgreSQL database, 0 for SQLite. */
int	smp_db_is_site(const struct smp_db *);
/* Every commit on disk before it returns (SQLite's synchronous = FULL;
 * PostgreSQL's commits are durable already). */
void	smp_db_durable(struct smp_db *);

/* A statement, its parameters one per letter of types ('t' a string or
 * NULL, 'i' a long long): the rows it returns (NULL when it failed), or
 * how many rows it changed (-1 when it failed). */
struct smp_rows *smp_db_query(struct smp_db *, const char *sql, const char *types, ...);
long long	 smp_db_exec(struct smp_db *, const char *sql, const char *types, ...);
/* 1 with the next row, 0 after the last (or on an error: then
 * smp_db_failure says so). */
int		 smp_rows_next(struct smp_rows *);
/* A column of the current row: "" for NULL. */
const char	*smp_rows_text(struct smp_rows *, int col);
long long	 smp_rows_int(struct smp_rows *, int col);
int		 smp_rows_null(struct smp_rows *, int col);
void		 smp_rows_free(struct smp_rows *);

/* One transaction: begin, then commit (0, or -1: rolled back) or
 * rollback.  SQLite's takes the write lock at once. */
int	smp_db_begin(struct smp_db *);
int	smp_db_commit(struct smp_db *);
void	smp_db_rollback(struct smp_db *);

/* The last failure, and its message (never a password). */
enum smp_db_fail smp_db_failure(const struct smp_db *);
const char	*smp_db_error(const struct smp_db *);

/* A connection URI with any password hidden, for messages (caller frees). */
char	*smp_db_url_redacted(const char *url);

#endif
