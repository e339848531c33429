/*
 * db-admin.c - what the admin commands (admin.c) read and write in the
 * database: computers registered and listed, associations made, found,
 * listed with their stores and deleted.  On -1, sqlite3_errmsg says why
 * (db_association_delete hands the message over: its rollback clears it).
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "smp-int.h"

int
db_computer_add(sqlite3 *db, const char *name, const char *line, const char *key_id,
    long long now)
{
	sqlite3_stmt	*st;
	int		 r = 0;

	st = smp_db_prep(db, "INSERT INTO computers (name, public_key, key_id, added) "
	    "VALUES (?, ?, ?, ?)", "ttti", name, line, key_id, now);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_DONE)
		r = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY ? DB_TAKEN :
		    sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE ?
		    DB_TAKEN_OTHER : -1;
	sqlite3_finalize(st);
	return r;
}

int
db_computers_each(sqlite3 *db, void (*fn)(void *, const char *, const char *,
    const char *), void *ctx)
{
	sqlite3_stmt	*st;

	if ((st = smp_db_prep(db, "SELECT name, key_id, datetime(added, 'unixepoch') "
	    "FROM computers ORDER BY name", "")) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return 0;
}

int
db_association_add(sqlite3 *db, const char *source, const char *dest, const char *users,
    const char *behavior, long long now, long long *id)
{
	sqlite3_stmt	*st;
	int		 r = 0;

	st = smp_db_prep(db, "INSERT INTO associations (source, dest, users, behavior, "
	    "created) VALUES (?, ?, ?, ?, ?)", "tttti", source, dest, users, behavior, now);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_DONE)
		r = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY ? DB_MISSING :
		    sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE ? DB_TAKEN : -1;
	else
		*id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return r;
}

/* The id a statement finds (finalized): 1, 0 when none, -1 when NULL. */
static int
one_id(sqlite3_stmt *st, long long *id)
{
	int	found;

	if (st == NULL)
		return -1;
	if ((found = sqlite3_step(st) == SQLITE_ROW))
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return found;
}

int
db_association_id(sqlite3 *db, const char *id_text, long long *id)
{
	/* bound as text, as typed: the id column's affinity compares it */
	return one_id(smp_db_prep(db, "SELECT id FROM associations WHERE id = ?", "t",
	    id_text), id);
}

int
db_association_between(sqlite3 *db, const char *source, const char *dest, long long *id)
{
	return one_id(smp_db_prep(db, "SELECT id FROM associations WHERE source = ? AND "
	    "dest = ?", "tt", source, dest), id);
}

int
db_associations_each(sqlite3 *db, db_assoc_fn *fn, void *ctx)
{
	struct db_assoc_store	 a;
	sqlite3_stmt		*st;

	if ((st = smp_db_prep(db, "SELECT a.id, a.source, a.dest, a.users, a.behavior, "
	    "s.id, COALESCE(s.state, 'no store'), COALESCE(s.size, 0), "
	    "COALESCE(s.folder, '-') FROM associations a LEFT JOIN stores s ON "
	    "s.association = a.id ORDER BY a.id", "")) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		a.assoc = sqlite3_column_int64(st, 0);
		a.source = (const char *)sqlite3_column_text(st, 1);
		a.dest = (const char *)sqlite3_column_text(st, 2);
		a.users = (const char *)sqlite3_column_text(st, 3);
		a.behavior = (const char *)sqlite3_column_text(st, 4);
		a.store = (const char *)sqlite3_column_text(st, 5);
		a.state = (const char *)sqlite3_column_text(st, 6);
		a.size = sqlite3_column_int64(st, 7);
		a.folder = (const char *)sqlite3_column_text(st, 8);
		fn(ctx, &a);
	}
	sqlite3_finalize(st);
	return 0;
}

int
db_association_stores(sqlite3 *db, long long assoc, db_assoc_fn *fn, void *ctx)
{
	struct db_assoc_store	 a;
	sqlite3_stmt		*st;

	if ((st = smp_db_prep(db, "SELECT s.id, s.folder, s.state, a.source, a.dest, "
	    "s.size FROM stores s JOIN associations a ON a.id = s.association WHERE "
	    "a.id = ?", "i", assoc)) == NULL)
		return -1;
	memset(&a, 0, sizeof a);
	a.assoc = assoc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		a.store = (const char *)sqlite3_column_text(st, 0);
		a.folder = (const char *)sqlite3_column_text(st, 1);
		a.state = (const char *)sqlite3_column_text(st, 2);
		a.source = (const char *)sqlite3_column_text(st, 3);
		a.dest = (const char *)sqlite3_column_text(st, 4);
		a.size = sqlite3_column_int64(st, 5);
		fn(ctx, &a);
	}
	sqlite3_finalize(st);
	return 0;
}

int
db_association_delete(sqlite3 *db, long long assoc, db_store_fn *fn, void *ctx,
    char **why)
{
	sqlite3_stmt	*st;

	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	/* the stores' files first: a store left without a row is found by
	 * nothing, a row without its file is reported */
	if ((st = smp_db_prep(db, "SELECT id, folder FROM stores WHERE association = ?",
	    "i", assoc)) == NULL)
		goto rollback;
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (smp_db_exec(smp_db_prep(db, "DELETE FROM stores WHERE association = ?", "i",
	    assoc)) == -1 || smp_db_exec(smp_db_prep(db, "DELETE FROM associations WHERE "
	    "id = ?", "i", assoc)) == -1)
		goto rollback;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return 0;
rollback:
	*why = xstrdup(sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
