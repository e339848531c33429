/*
 * db-stores.c - what the server reads and writes in its database while it
 * serves: the computers' keys, spent nonces, the associations a capture
 * finds or makes, and the stores' rows (state, folder, size, dates).  The
 * caller holds the server's lock; on -1, sqlite3_errmsg says why.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "smp-int.h"

char *
db_computer_by_key(sqlite3 *db, const char *key_id, char *name, size_t namelen)
{
	sqlite3_stmt	*st;
	char		*line = NULL;

	st = smp_db_prep(db, "SELECT name, public_key FROM computers WHERE key_id = ?", "t",
	    key_id);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(name, namelen, "%s", sqlite3_column_text(st, 0));
		line = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return line;
}

char *
db_computer_line(sqlite3 *db, const char *name)
{
	sqlite3_stmt	*st = smp_db_prep(db, "SELECT public_key FROM computers WHERE "
			    "name = ?", "t", name);
	char		*line = NULL;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		line = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return line;
}

int
db_nonce_spend(sqlite3 *db, const char *nonce, long long now)
{
	sqlite3_stmt	*st;
	int		 r = 0;

	st = smp_db_prep(db, "INSERT INTO nonces (nonce, seen) VALUES (?, ?)", "ti", nonce,
	    now);
	if (st == NULL || sqlite3_step(st) != SQLITE_DONE)
		r = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY ? DB_TAKEN : -1;
	sqlite3_finalize(st);
	return r;
}

void
db_nonces_forget(sqlite3 *db, long long before)
{
	smp_db_exec(smp_db_prep(db, "DELETE FROM nonces WHERE seen < ?", "i", before));
}

int
db_capture_associations(sqlite3 *db, const char *source, long long *assoc, char **dest)
{
	sqlite3_stmt	*st;
	int		 n = 0;

	st = smp_db_prep(db, "SELECT a.id, a.dest FROM associations a WHERE a.source = ? "
	    "AND NOT EXISTS (SELECT 1 FROM stores s WHERE s.association = a.id AND "
	    "s.state IN ('complete', 'released'))", "t", source);
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == 0) {
			*assoc = sqlite3_column_int64(st, 0);
			*dest = xstrdup((const char *)sqlite3_column_text(st, 1));
		}
	}
	sqlite3_finalize(st);
	return n;
}

int
db_associations_of(sqlite3 *db, const char *source)
{
	sqlite3_stmt	*st;
	int		 n;

	st = smp_db_prep(db, "SELECT count(*) FROM associations WHERE source = ?", "t",
	    source);
	n = st != NULL && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return n;
}

int
db_association_add_refresh(sqlite3 *db, const char *name, long long now, long long *id)
{
	if (smp_db_exec(smp_db_prep(db, "INSERT INTO associations (source, dest, users, "
	    "behavior, created) VALUES (?1, ?1, 'all', 'capture-restore-all', ?2)", "ti",
	    name, now)) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

int
db_store_uploading_of(sqlite3 *db, long long assoc, char id[SMP_STORE_ID_HEX + 1])
{
	sqlite3_stmt	*st;
	int		 found = 0;

	st = smp_db_prep(db, "SELECT id FROM stores WHERE association = ? AND state = "
	    "'uploading'", "i", assoc);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(id, SMP_STORE_ID_HEX + 1, "%s", sqlite3_column_text(st, 0));
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

int
db_store_add(sqlite3 *db, const char *id, long long assoc, const char *folder,
    long long now)
{
	return smp_db_exec(smp_db_prep(db, "INSERT INTO stores (id, association, folder, "
	    "state, created) VALUES (?, ?, ?, 'uploading', ?)", "titi", id, assoc, folder,
	    now));
}

int
db_store_for_dest(sqlite3 *db, const char *dest, char id[SMP_STORE_ID_HEX + 1],
    char state[SMP_STATE_LEN])
{
	sqlite3_stmt	*st;
	int		 found = 0;

	st = smp_db_prep(db, "SELECT s.id, s.state FROM stores s JOIN associations a ON "
	    "a.id = s.association WHERE a.dest = ? AND s.state != 'deleted' ORDER BY "
	    "s.state = 'uploading', s.created DESC LIMIT 1", "t", dest);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(id, SMP_STORE_ID_HEX + 1, "%s", sqlite3_column_text(st, 0));
		snprintf(state, SMP_STATE_LEN, "%s", sqlite3_column_text(st, 1));
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

int
db_store_set_restore_requested(sqlite3 *db, const char *id)
{
	return smp_db_exec(smp_db_prep(db, "UPDATE stores SET restore_requested = 1 WHERE "
	    "id = ?", "t", id));
}

int
db_store_get(sqlite3 *db, const char *id, struct smp_store_row *row)
{
	sqlite3_stmt	*st;
	int		 found = 0;

	st = smp_db_prep(db, "SELECT s.folder, s.state, s.size, a.source, a.dest, "
	    "s.restore_requested, a.users, a.behavior FROM stores s JOIN "
	    "associations a ON a.id = s.association WHERE s.id = ?", "t", id);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(row->folder, sizeof row->folder, "%s", sqlite3_column_text(st, 0));
		snprintf(row->state, sizeof row->state, "%s", sqlite3_column_text(st, 1));
		row->size = sqlite3_column_int64(st, 2);
		snprintf(row->source, sizeof row->source, "%s", sqlite3_column_text(st, 3));
		snprintf(row->dest, sizeof row->dest, "%s", sqlite3_column_text(st, 4));
		row->restore_requested = sqlite3_column_int(st, 5);
		snprintf(row->users, sizeof row->users, "%s", sqlite3_column_text(st, 6));
		snprintf(row->behavior, sizeof row->behavior, "%s", sqlite3_column_text(st, 7));
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

void
db_store_reset_size(sqlite3 *db, const char *id)
{
	smp_db_exec(smp_db_prep(db, "UPDATE stores SET size = 0 WHERE id = ?", "t", id));
}

int
db_store_uploaded(sqlite3 *db, const char *id, long long size, long long now)
{
	if (smp_db_exec(smp_db_prep(db, "UPDATE stores SET size = ?, touched = ? WHERE "
	    "id = ? AND state = 'uploading'", "iit", size, now, id)) == -1)
		return -1;
	return sqlite3_changes(db) == 1;
}

int
db_store_set_complete(sqlite3 *db, const char *id, long long now)
{
	return smp_db_exec(smp_db_prep(db, "UPDATE stores SET state = 'complete', "
	    "completed = ? WHERE id = ? AND state = 'uploading'", "it", now, id));
}

int
db_store_set_released(sqlite3 *db, const char *id, long long now)
{
	return smp_db_exec(smp_db_prep(db, "UPDATE stores SET state = 'released', "
	    "released = ? WHERE id = ?", "it", now, id));
}

int
db_store_set_deleted(sqlite3 *db, const char *id)
{
	return smp_db_exec(smp_db_prep(db, "UPDATE stores SET state = 'deleted' WHERE "
	    "id = ?", "t", id));
}

long
db_folder_clients(sqlite3 *db, const char *folder)
{
	sqlite3_stmt	*st;
	long		 n = -1;

	if ((st = smp_db_prep(db, "SELECT count(*) FROM stores WHERE folder = ? AND "
	    "state IN ('uploading', 'complete', 'released')", "t", folder)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* fn for each row (id, folder) of a statement; it is finalized. */
static int
each_store(sqlite3_stmt *st, db_store_fn *fn, void *ctx)
{
	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return 0;
}

int
db_stores_expired(sqlite3 *db, long long released_before, db_store_fn *fn, void *ctx)
{
	return each_store(smp_db_prep(db, "SELECT id, folder FROM stores WHERE state = "
	    "'released' AND released <= ?", "i", released_before), fn, ctx);
}

int
db_stores_abandoned(sqlite3 *db, long long touched_before, db_store_fn *fn, void *ctx)
{
	return each_store(smp_db_prep(db, "SELECT id, folder FROM stores WHERE state = "
	    "'uploading' AND COALESCE(touched, created) <= ?", "i", touched_before), fn,
	    ctx);
}

int
db_stores_uploading(sqlite3 *db, db_store_fn *fn, void *ctx)
{
	return each_store(smp_db_prep(db, "SELECT id, folder FROM stores WHERE state = "
	    "'uploading'", ""), fn, ctx);
}
