/*
 * db-admin.c - what the admin commands (admin.c) read and write in the
 * database: computers registered and listed, associations made, found,
 * listed with their stores and deleted.  On -1, smp_db_error says why.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/util.h"
#include "smp-int.h"

int
db_computer_add(struct smp_db *db, const char *name, const char *line, const char *key_id,
    long long now)
{
	if (smp_db_exec(db, "INSERT INTO computers (name, public_key, key_id, added) "
	    "VALUES (?, ?, ?, ?)", "ttti", name, line, key_id, now) != -1)
		return 0;
	return smp_db_failure(db) == DBF_PRIMARY ? DB_TAKEN :
	    smp_db_failure(db) == DBF_UNIQUE ? DB_TAKEN_OTHER : -1;
}

void
db_time_text(long long t, char out[20])
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 20, "-");
	else
		strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

int
db_computers_each(struct smp_db *db, void (*fn)(void *, const char *, const char *,
    const char *), void *ctx)
{
	struct smp_rows	*r;
	char		 added[20];

	if ((r = smp_db_query(db, "SELECT name, key_id, added FROM computers ORDER BY name",
	    "")) == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		db_time_text(smp_rows_int(r, 2), added);
		fn(ctx, smp_rows_text(r, 0), smp_rows_text(r, 1), added);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_association_add(struct smp_db *db, const char *source, const char *dest,
    const char *users, const char *behavior, long long now, long long *id)
{
	struct smp_rows	*r;

	r = smp_db_query(db, "INSERT INTO associations (source, dest, users, behavior, "
	    "created) VALUES (?, ?, ?, ?, ?) RETURNING id", "tttti", source, dest, users,
	    behavior, now);
	if (r != NULL && smp_rows_next(r) == 1) {
		*id = smp_rows_int(r, 0);
		smp_rows_free(r);
		return 0;
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_FOREIGN ? DB_MISSING :
	    smp_db_failure(db) == DBF_UNIQUE ? DB_TAKEN : -1;
}

/* The id a query finds: 1, 0 when none, -1 when it failed. */
static int
one_id(struct smp_db *db, struct smp_rows *r, long long *id)
{
	int	found;

	if (r == NULL)
		return -1;
	if ((found = smp_rows_next(r) == 1))
		*id = smp_rows_int(r, 0);
	smp_rows_free(r);
	return found ? 1 : smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_association_id(struct smp_db *db, const char *id_text, long long *id)
{
	long long	n;

	/* as typed: anything but a number names no association */
	if (str_to_ll(id_text, &n) == -1 || n < 1)
		return 0;
	return one_id(db, smp_db_query(db, "SELECT id FROM associations WHERE id = ?", "i",
	    n), id);
}

int
db_association_id_number(struct smp_db *db, long long id)
{
	long long	found;

	return one_id(db, smp_db_query(db, "SELECT id FROM associations WHERE id = ?", "i",
	    id), &found);
}

int
db_association_between(struct smp_db *db, const char *source, const char *dest,
    long long *id)
{
	return one_id(db, smp_db_query(db, "SELECT id FROM associations WHERE source = ? "
	    "AND dest = ?", "tt", source, dest), id);
}

int
db_associations_each(struct smp_db *db, db_assoc_fn *fn, void *ctx)
{
	struct db_assoc_store	 a;
	struct smp_rows		*r;

	if ((r = smp_db_query(db, "SELECT a.id, a.source, a.dest, a.users, a.behavior, "
	    "s.id, COALESCE(s.state, 'no store'), COALESCE(s.size, 0), "
	    "COALESCE(s.folder, '-'), COALESCE(s.node, '-') FROM associations a LEFT JOIN "
	    "stores s ON s.association = a.id ORDER BY a.id, s.created", "")) == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		a.assoc = smp_rows_int(r, 0);
		a.source = smp_rows_text(r, 1);
		a.dest = smp_rows_text(r, 2);
		a.users = smp_rows_text(r, 3);
		a.behavior = smp_rows_text(r, 4);
		a.store = smp_rows_null(r, 5) ? NULL : smp_rows_text(r, 5);
		a.state = smp_rows_text(r, 6);
		a.size = smp_rows_int(r, 7);
		a.folder = smp_rows_text(r, 8);
		a.node = smp_rows_text(r, 9);
		fn(ctx, &a);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_association_stores(struct smp_db *db, long long assoc, db_assoc_fn *fn, void *ctx)
{
	struct db_assoc_store	 a;
	struct smp_rows		*r;

	if ((r = smp_db_query(db, "SELECT s.id, s.folder, s.state, a.source, a.dest, "
	    "s.size, s.node FROM stores s JOIN associations a ON a.id = s.association "
	    "WHERE a.id = ? ORDER BY s.created", "i", assoc)) == NULL)
		return -1;
	memset(&a, 0, sizeof a);
	a.assoc = assoc;
	while (smp_rows_next(r) == 1) {
		a.store = smp_rows_text(r, 0);
		a.folder = smp_rows_text(r, 1);
		a.state = smp_rows_text(r, 2);
		a.source = smp_rows_text(r, 3);
		a.dest = smp_rows_text(r, 4);
		a.size = smp_rows_int(r, 5);
		a.node = smp_rows_text(r, 6);
		fn(ctx, &a);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_association_delete(struct smp_db *db, const char *node, long long assoc,
    db_store_fn *fn, void *ctx, char **why)
{
	struct smp_rows	*r;

	if (smp_db_begin(db) == -1)
		goto fail;
	/* the stores' files first: a store left without a row is found by
	 * nothing, a row without its file is reported */
	if ((r = smp_db_query(db, "SELECT id, folder FROM stores WHERE association = ? "
	    "AND node = ? AND state != 'deleted'", "it", assoc, node)) == NULL)
		goto rollback;
	while (smp_rows_next(r) == 1)
		fn(ctx, smp_rows_text(r, 0), smp_rows_text(r, 1));
	smp_rows_free(r);
	/* another node's files: that node deletes them (retention.c) */
	if (smp_db_exec(db, "INSERT INTO deletions (node, id, folder) SELECT node, id, "
	    "folder FROM stores WHERE association = ? AND node != ? AND state != "
	    "'deleted'", "it", assoc, node) == -1 ||
	    smp_db_exec(db, "DELETE FROM stores WHERE association = ?", "i", assoc) == -1 ||
	    smp_db_exec(db, "DELETE FROM associations WHERE id = ?", "i", assoc) == -1 ||
	    smp_db_commit(db) == -1)
		goto rollback;
	return 0;
rollback:
	smp_db_rollback(db);
fail:
	*why = xstrdup(smp_db_error(db));
	return -1;
}
