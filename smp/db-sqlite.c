/*
 * db-sqlite.c - the SQLite back end (db.h): DIR/smp.db, the database of
 * an SMP that is a site on its own.  WAL, foreign keys on, a busy
 * SQLite waited for up to 5 s and then reported as down (503).
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "../lib/util.h"
#include "db-int.h"

static int
fail_from(struct smp_db *db)
{
	sqlite3		*c = db->conn;
	int		 x = c ? sqlite3_extended_errcode(c) : SQLITE_NOMEM;
	enum smp_db_fail f = x == SQLITE_CONSTRAINT_PRIMARYKEY ? DBF_PRIMARY :
			    x == SQLITE_CONSTRAINT_UNIQUE ? DBF_UNIQUE :
			    x == SQLITE_CONSTRAINT_FOREIGNKEY ? DBF_FOREIGN :
			    (x & 0xff) == SQLITE_BUSY || (x & 0xff) == SQLITE_LOCKED ? DBF_DOWN :
			    DBF_ERROR;

	return db_fail(db, f, "%s", c ? sqlite3_errmsg(c) : "out of memory");
}

static int
sq_open(struct smp_db *db, const char *dir, const char *url, int create)
{
	sqlite3	*c = NULL;
	char	*path = xasprintf("%s/smp.db", dir);
	int	 r;

	(void)url;
	r = sqlite3_open_v2(path, &c, create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_EXCLUSIVE : SQLITE_OPEN_READWRITE, NULL);
	if (create)
		chmod(path, 0600);
	free(path);
	db->conn = c;
	if (r != SQLITE_OK && create)
		return db_fail(db, DBF_ERROR, "cannot create the SMP database: %s",
		    c ? sqlite3_errmsg(c) : "out of memory");
	if (r != SQLITE_OK)
		return db_fail(db, DBF_ERROR, "'%s' is not an SMP directory (tsi smp init "
		    "makes one): %s", dir, c ? sqlite3_errmsg(c) : "out of memory");
	sqlite3_busy_timeout(c, 5000);
	sqlite3_exec(c, "PRAGMA foreign_keys = ON;", NULL, NULL, NULL);
	if (create)
		sqlite3_exec(c, "PRAGMA journal_mode = WAL;", NULL, NULL, NULL);
	return 0;
}

static void
sq_close(struct smp_db *db)
{
	sqlite3_close(db->conn);
	db->conn = NULL;
}

/* ?N stays ?N, and ? is SQLite's own: the SQL is run as written. */
static struct smp_rows *
sq_query(struct smp_db *db, const char *sql, const char *types, va_list ap)
{
	struct smp_rows	*r;
	sqlite3_stmt	*st;
	const char	*t;
	int		 i;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK) {
		fail_from(db);
		return NULL;
	}
	for (i = 0; types[i] != '\0'; i++) {
		if (types[i] == 't') {
			t = va_arg(ap, const char *);
			if (t == NULL)
				sqlite3_bind_null(st, i + 1);
			else
				sqlite3_bind_text(st, i + 1, t, -1, SQLITE_TRANSIENT);
		} else
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
	}
	r = xcalloc(1, sizeof *r);
	r->db = db;
	r->h = st;
	return r;
}

static int
sq_next(struct smp_rows *r)
{
	int	x = sqlite3_step(r->h);

	if (x == SQLITE_ROW)
		return 1;
	if (x == SQLITE_DONE)
		r->changed = sqlite3_changes(r->db->conn);
	else
		fail_from(r->db);
	return 0;
}

static const char *
sq_text(struct smp_rows *r, int col)
{
	return (const char *)sqlite3_column_text(r->h, col);
}

static int
sq_null(struct smp_rows *r, int col)
{
	return sqlite3_column_type(r->h, col) == SQLITE_NULL;
}

static void
sq_free(struct smp_rows *r)
{
	sqlite3_finalize(r->h);
	free(r);
}

static int
sq_script(struct smp_db *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	db_fail(db, DBF_ERROR, "%s", msg ? msg : "out of memory");
	sqlite3_free(msg);
	return -1;
}

const struct db_backend db_sqlite = {
	"SQLite", 0, "BEGIN IMMEDIATE", sq_open, sq_close, sq_query, sq_next, sq_text, sq_null, sq_free,
	sq_script,
};
