/*
 * db-console.c - what the console keeps in the site database: its admins
 * (name and slow hash), their sessions (the hash of each cookie's secret,
 * never the secret, with the session's CSRF token and expiry).  On -1,
 * smp_db_error says why.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "smp-int.h"

int
db_admin_add(struct smp_db *db, const char *name, const char *hash, long long now)
{
	if (smp_db_exec(db, "INSERT INTO admins (name, hash, added) VALUES (?, ?, ?)", "tti",
	    name, hash, now) != -1)
		return 0;
	return smp_db_failure(db) == DBF_PRIMARY ? DB_TAKEN : -1;
}

int
db_admin_remove(struct smp_db *db, const char *name)
{
	long long	n = smp_db_exec(db, "DELETE FROM admins WHERE name = ?", "t", name);

	return n == -1 ? -1 : n > 0;
}

char *
db_admin_hash(struct smp_db *db, const char *name)
{
	struct smp_rows	*r = smp_db_query(db, "SELECT hash FROM admins WHERE name = ?", "t",
			    name);
	char		*hash = NULL;

	if (r != NULL && smp_rows_next(r) == 1)
		hash = xstrdup(smp_rows_text(r, 0));
	smp_rows_free(r);
	return hash;
}

int
db_admins_each(struct smp_db *db, void (*fn)(void *, const char *, long long, long long),
    void *ctx)
{
	struct smp_rows	*r;

	if ((r = smp_db_query(db, "SELECT name, added, COALESCE(last_login, 0) FROM admins "
	    "ORDER BY name", "")) == NULL)
		return -1;
	while (smp_rows_next(r) == 1)
		fn(ctx, smp_rows_text(r, 0), smp_rows_int(r, 1), smp_rows_int(r, 2));
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_session_add(struct smp_db *db, const char *token_hash, const char *admin,
    const char *csrf, long long now, long long expires)
{
	if (smp_db_exec(db, "INSERT INTO console_sessions (token_hash, admin, csrf, created, "
	    "expires) VALUES (?, ?, ?, ?, ?)", "tttii", token_hash, admin, csrf, now,
	    expires) == -1)
		return -1;
	smp_db_exec(db, "UPDATE admins SET last_login = ? WHERE name = ?", "it", now, admin);
	/* sessions past their time go as new ones come */
	smp_db_exec(db, "DELETE FROM console_sessions WHERE expires < ?", "i", now);
	return 0;
}

int
db_session_get(struct smp_db *db, const char *token_hash, long long now,
    char admin[SMP_NODE_LEN], char csrf[65])
{
	struct smp_rows	*r;
	int		 found = 0;

	r = smp_db_query(db, "SELECT admin, csrf FROM console_sessions WHERE token_hash = ? "
	    "AND expires > ?", "ti", token_hash, now);
	if (r != NULL && (found = smp_rows_next(r)) == 1) {
		snprintf(admin, SMP_NODE_LEN, "%s", smp_rows_text(r, 0));
		snprintf(csrf, 65, "%s", smp_rows_text(r, 1));
	}
	smp_rows_free(r);
	return r == NULL ? -1 : found;
}

int
db_session_remove(struct smp_db *db, const char *token_hash)
{
	return smp_db_exec(db, "DELETE FROM console_sessions WHERE token_hash = ?", "t",
	    token_hash) == -1 ? -1 : 0;
}

int
db_node_set_restore_only(struct smp_db *db, const char *node, int on)
{
	return smp_db_exec(db, "INSERT INTO node_settings (node, restore_only) VALUES (?, ?) "
	    "ON CONFLICT (node) DO UPDATE SET restore_only = excluded.restore_only", "ti",
	    node, (long long)on) == -1 ? -1 : 0;
}

int
db_node_restore_only(struct smp_db *db, const char *node)
{
	struct smp_rows	*r = smp_db_query(db, "SELECT restore_only FROM node_settings "
			    "WHERE node = ?", "t", node);
	int		 on = 0;

	if (r == NULL)
		return -1;
	if (smp_rows_next(r) == 1)
		on = smp_rows_int(r, 0) != 0;
	smp_rows_free(r);
	return on;
}

int
db_console_counts(struct smp_db *db, long long since, void (*fn)(void *, const char *what,
    const char *key, long long n), void *ctx)
{
	struct smp_rows	*r;

	if ((r = smp_db_query(db, "SELECT result, count(*) FROM runs WHERE updated >= ? "
	    "GROUP BY result ORDER BY result", "i", since)) == NULL)
		return -1;
	while (smp_rows_next(r) == 1)
		fn(ctx, "runs", smp_rows_text(r, 0), smp_rows_int(r, 1));
	smp_rows_free(r);
	if ((r = smp_db_query(db, "SELECT state, count(*) FROM stores GROUP BY state ORDER "
	    "BY state", "")) == NULL)
		return -1;
	while (smp_rows_next(r) == 1)
		fn(ctx, "stores", smp_rows_text(r, 0), smp_rows_int(r, 1));
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_console_folders(struct smp_db *db, void (*fn)(void *, const struct db_folder_row *),
    void *ctx)
{
	struct db_folder_row	 f;
	struct smp_rows		*r;

	if ((r = smp_db_query(db, "SELECT n.name, n.url, n.takes_capture, n.why, "
	    "n.restore_only, n.seen, f.path, COALESCE(f.free_mb, 0), COALESCE(f.total_mb, 0), "
	    "COALESCE(f.clients, 0), COALESCE(f.max_clients, 0), COALESCE(x.restore_only, 0) "
	    "FROM nodes n LEFT JOIN node_folders f ON f.node = n.name LEFT JOIN "
	    "node_settings x ON x.node = n.name ORDER BY n.name, f.path", "")) == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		f.node = smp_rows_text(r, 0);
		f.url = smp_rows_text(r, 1);
		f.takes_capture = (int)smp_rows_int(r, 2);
		f.why = smp_rows_text(r, 3);
		f.restore_only = (int)smp_rows_int(r, 4);
		f.seen = smp_rows_int(r, 5);
		f.path = smp_rows_null(r, 6) ? NULL : smp_rows_text(r, 6);
		f.free_mb = smp_rows_int(r, 7);
		f.total_mb = smp_rows_int(r, 8);
		f.clients = smp_rows_int(r, 9);
		f.max_clients = smp_rows_int(r, 10);
		f.set_restore_only = (int)smp_rows_int(r, 11);
		fn(ctx, &f);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}

int
db_console_associations(struct smp_db *db, void (*fn)(void *,
    const struct db_assoc_row *), void *ctx)
{
	struct db_assoc_row	 a;
	struct smp_rows		*r;

	if ((r = smp_db_query(db, "SELECT a.id, a.source, a.dest, a.users, a.behavior, "
	    "a.created, s.id, COALESCE(s.state, 'no store'), COALESCE(s.size, 0), "
	    "COALESCE(s.node, '-'), COALESCE(s.created, 0), COALESCE(s.completed, 0), "
	    "COALESCE(s.released, 0) FROM associations a LEFT JOIN stores s ON "
	    "s.association = a.id ORDER BY a.id DESC, s.created LIMIT ?", "i",
	    (long long)DB_CONSOLE_ROWS_MAX)) == NULL)
		return -1;
	while (smp_rows_next(r) == 1) {
		a.id = smp_rows_int(r, 0);
		a.source = smp_rows_text(r, 1);
		a.dest = smp_rows_text(r, 2);
		a.users = smp_rows_text(r, 3);
		a.behavior = smp_rows_text(r, 4);
		a.created = smp_rows_int(r, 5);
		a.store = smp_rows_null(r, 6) ? NULL : smp_rows_text(r, 6);
		a.state = smp_rows_text(r, 7);
		a.size = smp_rows_int(r, 8);
		a.node = smp_rows_text(r, 9);
		a.store_created = smp_rows_int(r, 10);
		a.completed = smp_rows_int(r, 11);
		a.released = smp_rows_int(r, 12);
		fn(ctx, &a);
	}
	smp_rows_free(r);
	return smp_db_failure(db) == DBF_NONE ? 0 : -1;
}
