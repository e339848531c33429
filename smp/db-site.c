/*
 * db-site.c - what the nodes of a site share besides computers and
 * stores: the site's settings (its recovery key's public line), the nodes
 * with the URL clients reach them at, their certificate and their room
 * (refreshed by each node while it serves), and the store files one node
 * asked another to delete.  On -1, smp_db_error says why.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "smp-int.h"

char *
db_site_get(struct smp_db *db, const char *key)
{
	struct smp_rows	*r = smp_db_query(db, "SELECT value FROM site WHERE key = ?", "t",
			    key);
	char		*v = NULL;

	if (r != NULL && smp_rows_next(r) == 1)
		v = xstrdup(smp_rows_text(r, 0));
	smp_rows_free(r);
	return v;
}

int
db_site_put(struct smp_db *db, const char *key, const char *value)
{
	if (smp_db_exec(db, "INSERT INTO site (key, value) VALUES (?, ?)", "tt", key,
	    value) != -1)
		return 0;
	return smp_db_failure(db) == DBF_PRIMARY ? DB_TAKEN : -1;
}

int
db_node_add(struct smp_db *db, const char *name, const char *cert, const char *pin,
    long long now)
{
	if (smp_db_exec(db, "INSERT INTO nodes (name, cert, pin, added) VALUES (?, ?, ?, ?)",
	    "ttti", name, cert, pin, now) != -1)
		return 0;
	return smp_db_failure(db) == DBF_PRIMARY ? DB_TAKEN :
	    smp_db_failure(db) == DBF_UNIQUE ? DB_TAKEN_OTHER : -1;
}

int
db_node_pin(struct smp_db *db, const char *name, char pin[SMP_PIN_HEX])
{
	struct smp_rows	*r = smp_db_query(db, "SELECT pin FROM nodes WHERE name = ?", "t",
			    name);
	int		 found = 0;

	if (r != NULL && (found = smp_rows_next(r)) == 1)
		snprintf(pin, SMP_PIN_HEX, "%s", smp_rows_text(r, 0));
	smp_rows_free(r);
	return r == NULL ? -1 : found;
}

int
db_node_report(struct smp_db *db, const struct smp_node_row *n)
{
	return smp_db_exec(db, "UPDATE nodes SET url = ?, takes_capture = ?, why = ?, "
	    "restore_only = ?, free_mb = ?, clients = ?, max_clients = ?, seen = ? WHERE "
	    "name = ?", "tiiiiiiit", n->url, (long long)n->takes_capture, n->why,
	    (long long)n->restore_only, n->free_mb, n->clients, n->max_clients, n->seen,
	    n->name) == 1 ? 0 : -1;
}

int
db_node_folder_report(struct smp_db *db, const char *node, const char *path,
    long long free_mb, long long total_mb, long long clients, long long max_clients,
    int takes_capture)
{
	if (smp_db_exec(db, "UPDATE node_folders SET free_mb = ?, total_mb = ?, clients = ?, "
	    "max_clients = ?, takes_capture = ? WHERE node = ? AND path = ?", "iiiiitt",
	    free_mb, total_mb, clients, max_clients, (long long)takes_capture, node,
	    path) == 1)
		return 0;
	return smp_db_exec(db, "INSERT INTO node_folders (node, path, free_mb, total_mb, "
	    "clients, max_clients, takes_capture) VALUES (?, ?, ?, ?, ?, ?, ?)", "ttiiiii",
	    node, path, free_mb, total_mb, clients, max_clients,
	    (long long)takes_capture) == -1 ? -1 : 0;
}

static void
node_from(struct smp_rows *r, struct smp_node_row *n)
{
	snprintf(n->name, sizeof n->name, "%s", smp_rows_text(r, 0));
	snprintf(n->url, sizeof n->url, "%s", smp_rows_text(r, 1));
	n->takes_capture = (int)smp_rows_int(r, 2);
	snprintf(n->why, sizeof n->why, "%s", smp_rows_text(r, 3));
	n->restore_only = (int)smp_rows_int(r, 4);
	n->free_mb = smp_rows_int(r, 5);
	n->clients = smp_rows_int(r, 6);
	n->max_clients = smp_rows_int(r, 7);
	n->seen = smp_rows_int(r, 8);
}

#define NODE_COLUMNS \
	"name, url, takes_capture, why, restore_only, free_mb, clients, max_clients, seen"

int
db_node_get(struct smp_db *db, const char *name, struct smp_node_row *n)
{
	struct smp_rows	*r = smp_db_query(db, "SELECT " NODE_COLUMNS " FROM nodes WHERE "
			    "name = ?", "t", name);
	int		 found = 0;

	if (r != NULL && (found = smp_rows_next(r)) == 1)
		node_from(r, n);
	smp_rows_free(r);
	return r == NULL ? -1 : found;
}

int
db_nodes_each(struct smp_db *db, void (*fn)(void *, const struct smp_node_row *),
    void *ctx)
{
	struct smp_node_row	 n;
	struct smp_rows		*r;

	if ((r = smp_db_query(db, "SELECT " NODE_COLUMNS " FROM nodes ORDER BY name",
	    "")) == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		node_from(r, &n);
		fn(ctx, &n);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_boundary_put(struct smp_db *db, const char *name, const char *ranges, const char *nodes)
{
	if (smp_db_begin(db) == -1)
		return -1;
	if (smp_db_exec(db, "DELETE FROM boundaries WHERE name = ?", "t", name) == -1 ||
	    smp_db_exec(db, "INSERT INTO boundaries (name, ranges, nodes) VALUES (?, ?, ?)",
	    "ttt", name, ranges, nodes) == -1) {
		smp_db_rollback(db);
		return -1;
	}
	return smp_db_commit(db);
}

int
db_boundary_remove(struct smp_db *db, const char *name)
{
	long long	n = smp_db_exec(db, "DELETE FROM boundaries WHERE name = ?", "t", name);

	return n == -1 ? -1 : n > 0;
}

int
db_boundaries_each(struct smp_db *db, void (*fn)(void *, const char *, const char *,
    const char *), void *ctx)
{
	struct smp_rows	*r;

	if ((r = smp_db_query(db, "SELECT name, ranges, nodes FROM boundaries ORDER BY name",
	    "")) == NULL)
		return -1;
	while (smp_rows_next(r) == 1)
		fn(ctx, smp_rows_text(r, 0), smp_rows_text(r, 1), smp_rows_text(r, 2));
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_deletions_each(struct smp_db *db, const char *node, db_store_fn *fn, void *ctx)
{
	struct smp_rows	*r;
	char		**ids = NULL;
	size_t		 n = 0, i;

	if ((r = smp_db_query(db, "SELECT id, folder FROM deletions WHERE node = ?", "t",
	    node)) == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		ids = xreallocarray(ids, n + 2, sizeof *ids);
		ids[n++] = xstrdup(smp_rows_text(r, 0));
		ids[n++] = xstrdup(smp_rows_text(r, 1));
	}
	smp_rows_free(r);
	for (i = 0; i < n; i += 2) {
		fn(ctx, ids[i], ids[i + 1]);
		smp_db_exec(db, "DELETE FROM deletions WHERE node = ? AND id = ?", "tt", node,
		    ids[i]);
		free(ids[i]);
		free(ids[i + 1]);
	}
	free(ids);
	return 0;
}
