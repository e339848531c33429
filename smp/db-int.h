/* db-int.h - shared by the database's files (db.c, db-sqlite.c, db-pg.c,
 * db-schema.c) only: a back end's functions, and what a connection and
 * its rows hold.  The rest of the SMP sees db.h. */
#ifndef TSI_SMP_DB_INT_H
#define TSI_SMP_DB_INT_H

#include <stdarg.h>

#include "db.h"

#define DB_ERR_LEN	512
#define DB_PARAMS_MAX	16

struct db_backend {
	const char	*name;
	int		 site;			/* PostgreSQL: a site's */
	const char	*begin;			/* the statement that begins a
						   transaction */
	/* the connection into db->conn; create: SQLite's file is new */
	int		 (*open)(struct smp_db *, const char *dir, const char *url,
			    int create);
	void		 (*close)(struct smp_db *);
	/* rows (NULL on failure) */
	struct smp_rows	*(*query)(struct smp_db *, const char *sql, const char *types,
			    va_list);
	int		 (*next)(struct smp_rows *);
	const char	*(*text)(struct smp_rows *, int);
	int		 (*null)(struct smp_rows *, int);
	void		 (*free)(struct smp_rows *);
	/* several statements without parameters (a migration); 0 or -1 */
	int		 (*script)(struct smp_db *, const char *sql);
};

struct smp_db {
	const struct db_backend	*be;
	void			*conn;
	enum smp_db_fail	 fail;
	char			 err[DB_ERR_LEN];
};

struct smp_rows {
	struct smp_db	*db;
	void		*h;		/* sqlite3_stmt, or PGresult */
	int		 row, nrows;	/* PostgreSQL's: the current one */
	long long	 changed;	/* rows a write changed (SQLite's: once
					   its rows are read) */
};

extern const struct db_backend	db_sqlite, db_pg;

/* db.c calls a back end only through these pointers, and db-open.c (which
 * picks the back end and migrates) sits above them all. */

/* Sets the failure and its message; returns -1. */
int	db_fail(struct smp_db *, enum smp_db_fail, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* db-schema.c: brings the schema to the newest version this tsi knows,
 * in one transaction.  0, or -1 with db's error. */
int	db_migrate(struct smp_db *);

#endif
