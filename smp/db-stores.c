/*
 * db-stores.c - what the server reads and writes in its database while it
 * serves: the computers' keys, spent nonces, the associations a capture
 * finds or makes, and the stores' rows (state, node, folder, size, dates).
 * The caller holds the server's lock; on -1, smp_db_error says why.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "smp-int.h"

char *
db_computer_by_key(struct smp_db *db, const char *key_id, char *name, size_t namelen)
{
	struct smp_rows	*r;
	char		*line = NULL;

	r = smp_db_query(db, "SELECT name, public_key FROM computers WHERE key_id = ?", "t",
	    key_id);
	if (r != NULL && smp_rows_next(r) == 1) {
		snprintf(name, namelen, "%s", smp_rows_text(r, 0));
		line = xstrdup(smp_rows_text(r, 1));
	}
	smp_rows_free(r);
	return line;
}

char *
db_computer_line(struct smp_db *db, const char *name)
{
	struct smp_rows	*r = smp_db_query(db, "SELECT public_key FROM computers WHERE "
			    "name = ?", "t", name);
	char		*line = NULL;

	if (r != NULL && smp_rows_next(r) == 1)
		line = xstrdup(smp_rows_text(r, 0));
	smp_rows_free(r);
	return line;
}

int
db_nonce_spend(struct smp_db *db, const char *node, const char *nonce, long long now)
{
	if (smp_db_exec(db, "INSERT INTO nonces (node, nonce, seen) VALUES (?, ?, ?)", "tti",
	    node, nonce, now) != -1)
		return 0;
	return smp_db_failure(db) == DBF_PRIMARY ? DB_TAKEN : -1;
}

void
db_nonces_forget(struct smp_db *db, long long before)
{
	smp_db_exec(db, "DELETE FROM nonces WHERE seen < ?", "i", before);
}

int
db_capture_associations(struct smp_db *db, const char *source, long long *assoc,
    char **dest)
{
	struct smp_rows	*r;
	int		 n = 0;

	r = smp_db_query(db, "SELECT a.id, a.dest FROM associations a WHERE a.source = ? "
	    "AND NOT EXISTS (SELECT 1 FROM stores s WHERE s.association = a.id AND "
	    "s.state IN ('complete', 'released')) ORDER BY a.id", "t", source);
	while (r != NULL && smp_rows_next(r) == 1) {
		if (n++ == 0) {
			*assoc = smp_rows_int(r, 0);
			*dest = xstrdup(smp_rows_text(r, 1));
		}
	}
	smp_rows_free(r);
	return n;
}

int
db_associations_of(struct smp_db *db, const char *source)
{
	struct smp_rows	*r;
	int		 n = 0;

	r = smp_db_query(db, "SELECT count(*) FROM associations WHERE source = ?", "t",
	    source);
	if (r != NULL && smp_rows_next(r) == 1)
		n = (int)smp_rows_int(r, 0);
	smp_rows_free(r);
	return n;
}

int
db_association_add_refresh(struct smp_db *db, const char *name, long long now,
    long long *id)
{
	struct smp_rows	*r;
	int		 ok;

	r = smp_db_query(db, "INSERT INTO associations (source, dest, users, behavior, "
	    "created) VALUES (?1, ?1, 'all', 'capture-restore-all', ?2) RETURNING id", "ti",
	    name, now);
	if ((ok = r != NULL && smp_rows_next(r) == 1))
		*id = smp_rows_int(r, 0);
	smp_rows_free(r);
	return ok ? 0 : -1;
}

int
db_store_uploading_of(struct smp_db *db, long long assoc, char id[SMP_STORE_ID_HEX + 1],
    char node[SMP_NODE_LEN])
{
	struct smp_rows	*r;
	int		 found = 0;

	r = smp_db_query(db, "SELECT id, node FROM stores WHERE association = ? AND state = "
	    "'uploading'", "i", assoc);
	if (r != NULL && smp_rows_next(r) == 1) {
		snprintf(id, SMP_STORE_ID_HEX + 1, "%s", smp_rows_text(r, 0));
		snprintf(node, SMP_NODE_LEN, "%s", smp_rows_text(r, 1));
		found = 1;
	}
	smp_rows_free(r);
	return found;
}

int
db_store_add(struct smp_db *db, const char *id, long long assoc, const char *node,
    const char *folder, long long now)
{
	return smp_db_exec(db, "INSERT INTO stores (id, association, node, folder, state, "
	    "created) VALUES (?, ?, ?, ?, 'uploading', ?)", "titti", id, assoc, node, folder,
	    now) == -1 ? -1 : 0;
}

int
db_store_for_dest(struct smp_db *db, const char *dest, char id[SMP_STORE_ID_HEX + 1],
    char state[SMP_STATE_LEN], char node[SMP_NODE_LEN])
{
	struct smp_rows	*r;
	int		 found = 0;

	r = smp_db_query(db, "SELECT s.id, s.state, s.node FROM stores s JOIN "
	    "associations a ON a.id = s.association WHERE a.dest = ? AND s.state != "
	    "'deleted' ORDER BY s.state = 'uploading', s.created DESC LIMIT 1", "t", dest);
	if (r != NULL && smp_rows_next(r) == 1) {
		snprintf(id, SMP_STORE_ID_HEX + 1, "%s", smp_rows_text(r, 0));
		snprintf(state, SMP_STATE_LEN, "%s", smp_rows_text(r, 1));
		snprintf(node, SMP_NODE_LEN, "%s", smp_rows_text(r, 2));
		found = 1;
	}
	smp_rows_free(r);
	return found;
}

int
db_store_set_restore_requested(struct smp_db *db, const char *id)
{
	return smp_db_exec(db, "UPDATE stores SET restore_requested = 1 WHERE id = ?", "t",
	    id) == -1 ? -1 : 0;
}

int
db_store_get(struct smp_db *db, const char *id, struct smp_store_row *row)
{
	struct smp_rows	*r;
	int		 found = 0;

	r = smp_db_query(db, "SELECT s.folder, s.state, s.size, a.source, a.dest, "
	    "s.restore_requested, a.users, a.behavior, s.node FROM stores s JOIN "
	    "associations a ON a.id = s.association WHERE s.id = ?", "t", id);
	if (r != NULL && smp_rows_next(r) == 1) {
		snprintf(row->folder, sizeof row->folder, "%s", smp_rows_text(r, 0));
		snprintf(row->state, sizeof row->state, "%s", smp_rows_text(r, 1));
		row->size = smp_rows_int(r, 2);
		snprintf(row->source, sizeof row->source, "%s", smp_rows_text(r, 3));
		snprintf(row->dest, sizeof row->dest, "%s", smp_rows_text(r, 4));
		row->restore_requested = (int)smp_rows_int(r, 5);
		snprintf(row->users, sizeof row->users, "%s", smp_rows_text(r, 6));
		snprintf(row->behavior, sizeof row->behavior, "%s", smp_rows_text(r, 7));
		snprintf(row->node, sizeof row->node, "%s", smp_rows_text(r, 8));
		found = 1;
	}
	smp_rows_free(r);
	return found;
}

void
db_store_reset_size(struct smp_db *db, const char *id)
{
	smp_db_exec(db, "UPDATE stores SET size = 0 WHERE id = ?", "t", id);
}

int
db_store_uploaded(struct smp_db *db, const char *id, long long size, long long now)
{
	long long	n = smp_db_exec(db, "UPDATE stores SET size = ?, touched = ? WHERE "
			    "id = ? AND state = 'uploading'", "iit", size, now, id);

	return n == -1 ? -1 : n == 1;
}

int
db_store_set_complete(struct smp_db *db, const char *id, long long now)
{
	return smp_db_exec(db, "UPDATE stores SET state = 'complete', completed = ? WHERE "
	    "id = ? AND state = 'uploading'", "it", now, id) == -1 ? -1 : 0;
}

int
db_store_set_released(struct smp_db *db, const char *id, long long now)
{
	return smp_db_exec(db, "UPDATE stores SET state = 'released', released = ? WHERE "
	    "id = ?", "it", now, id) == -1 ? -1 : 0;
}

int
db_store_set_deleted(struct smp_db *db, const char *id)
{
	return smp_db_exec(db, "UPDATE stores SET state = 'deleted' WHERE id = ?", "t",
	    id) == -1 ? -1 : 0;
}

long
db_folder_clients(struct smp_db *db, const char *node, const char *folder)
{
	struct smp_rows	*r;
	long		 n = -1;

	r = smp_db_query(db, "SELECT count(*) FROM stores WHERE node = ? AND folder = ? "
	    "AND state IN ('uploading', 'complete', 'released')", "tt", node, folder);
	if (r != NULL && smp_rows_next(r) == 1)
		n = (long)smp_rows_int(r, 0);
	smp_rows_free(r);
	return n;
}

int
db_stores_adopt(struct smp_db *db, const char *node)
{
	return smp_db_exec(db, "UPDATE stores SET node = ? WHERE node != ?", "tt", node,
	    node) == -1 ? -1 : 0;
}

/* fn for each row (id, folder) of a query; the rows are read first, so
 * that fn may write to the database. */
static int
each_store(struct smp_rows *r, db_store_fn *fn, void *ctx)
{
	char	**ids = NULL;
	size_t	 n = 0, i;

	if (r == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		ids = xreallocarray(ids, n + 2, sizeof *ids);
		ids[n++] = xstrdup(smp_rows_text(r, 0));
		ids[n++] = xstrdup(smp_rows_text(r, 1));
	}
	smp_rows_free(r);
	for (i = 0; i < n; i += 2) {
		fn(ctx, ids[i], ids[i + 1]);
		free(ids[i]);
		free(ids[i + 1]);
	}
	free(ids);
	return 0;
}

int
db_stores_expired(struct smp_db *db, const char *node, long long released_before,
    db_store_fn *fn, void *ctx)
{
	return each_store(smp_db_query(db, "SELECT id, folder FROM stores WHERE node = ? "
	    "AND state = 'released' AND released <= ?", "ti", node, released_before), fn,
	    ctx);
}

int
db_stores_abandoned(struct smp_db *db, const char *node, long long touched_before,
    db_store_fn *fn, void *ctx)
{
	return each_store(smp_db_query(db, "SELECT id, folder FROM stores WHERE node = ? "
	    "AND state = 'uploading' AND COALESCE(touched, created) <= ?", "ti", node,
	    touched_before), fn, ctx);
}

int
db_stores_uploading(struct smp_db *db, const char *node, db_store_fn *fn, void *ctx)
{
	return each_store(smp_db_query(db, "SELECT id, folder FROM stores WHERE node = ? "
	    "AND state = 'uploading'", "t", node), fn, ctx);
}

int
db_stores_by_state(struct smp_db *db, const char *node,
    void (*fn)(void *ctx, const char *state, long long n), void *ctx)
{
	struct smp_rows	*r;

	r = smp_db_query(db, "SELECT state, count(*) FROM stores WHERE node = ? "
	    "GROUP BY state", "t", node);
	if (r == NULL)
		return -1;
	while (smp_rows_next(r) == 1)
		fn(ctx, smp_rows_text(r, 0), smp_rows_int(r, 1));
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}
