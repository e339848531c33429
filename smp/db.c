/*
 * db.c - the SMP's SQLite database: its schema (computers with their
 * public keys, associations of a source and a destination, stores with
 * their state, folder, size and dates, spent nonces), making and opening
 * it, and the binding helper the data-access files db-*.c share.  Every
 * SQL statement of the SMP is in these files.
 */
#include "smp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/util.h"
#include "smp-int.h"

static const char schema[] =
"PRAGMA journal_mode = WAL;"
"CREATE TABLE computers ("
"  name TEXT PRIMARY KEY NOT NULL,"
"  public_key TEXT NOT NULL,"
"  key_id TEXT NOT NULL UNIQUE,"
"  added INTEGER NOT NULL);"
"CREATE TABLE associations ("
"  id INTEGER PRIMARY KEY,"
"  source TEXT NOT NULL REFERENCES computers(name),"
"  dest TEXT NOT NULL REFERENCES computers(name),"
"  users TEXT NOT NULL,"
"  behavior TEXT NOT NULL,"
"  created INTEGER NOT NULL,"
"  UNIQUE (source, dest));"
"CREATE TABLE stores ("
"  id TEXT PRIMARY KEY NOT NULL,"
"  association INTEGER NOT NULL REFERENCES associations(id),"
"  folder TEXT NOT NULL,"
"  state TEXT NOT NULL,"
"  size INTEGER NOT NULL DEFAULT 0,"
"  created INTEGER NOT NULL,"
"  completed INTEGER,"
"  released INTEGER,"
"  touched INTEGER,"			/* the last upload piece */
"  restore_requested INTEGER NOT NULL DEFAULT 0);"
"CREATE INDEX stores_by_association ON stores(association);"
"CREATE INDEX stores_by_folder ON stores(folder, state);"
"CREATE INDEX stores_by_release ON stores(state, released);"
/* signed requests' nonces, kept for twice the clock window: replays */
"CREATE TABLE nonces ("
"  nonce TEXT PRIMARY KEY NOT NULL,"
"  seen INTEGER NOT NULL);"
"CREATE INDEX nonces_by_time ON nonces(seen);";

static int
db_fail(sqlite3 *db, char **err, const char *what)
{
	*err = xasprintf("%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_close(db);
	return -1;
}

int
smp_db_create(const char *dir, char **err)
{
	sqlite3	*db = NULL;
	char	*path = xasprintf("%s/smp.db", dir), *msg = NULL;
	int	 r;

	r = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_EXCLUSIVE, NULL);
	chmod(path, 0600);
	free(path);
	if (r != SQLITE_OK)
		return db_fail(db, err, "cannot create the SMP database");
	if (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		*err = xasprintf("cannot set up the SMP database: %s", msg);
		sqlite3_free(msg);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_close(db);
	return 0;
}

int
smp_db_open(const char *dir, sqlite3 **db, char **err)
{
	char	*path = xasprintf("%s/smp.db", dir);
	int	 r;

	*db = NULL;
	r = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL);
	free(path);
	if (r != SQLITE_OK) {
		*err = xasprintf("'%s' is not an SMP directory (tsi smp init makes one): %s",
		    dir, *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, 5000);
	sqlite3_exec(*db, "PRAGMA foreign_keys = ON;", NULL, NULL, NULL);
	return 0;
}

void
smp_db_durable(sqlite3 *db)
{
	sqlite3_exec(db, "PRAGMA synchronous = FULL;", NULL, NULL, NULL);
}

sqlite3_stmt *
smp_db_vprep(sqlite3 *db, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt	*st;
	int		 i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	for (i = 0; types[i] != '\0'; i++) {
		if (types[i] == 't')
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
			    SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
	}
	return st;
}

sqlite3_stmt *
smp_db_prep(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;

	va_start(ap, types);
	st = smp_db_vprep(db, sql, types, ap);
	va_end(ap);
	return st;
}

int
smp_db_exec(sqlite3_stmt *st)
{
	int	r = st != NULL && sqlite3_step(st) == SQLITE_DONE ? 0 : -1;

	sqlite3_finalize(st);
	return r;
}
