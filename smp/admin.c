/*
 * admin.c - `tsi smp computer add|list`, `tsi smp associate`, `tsi smp
 * list`: what an SMP admin does on the server directory.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/util.h"
#include "../store/store.h"
#include "smp-int.h"

static const char *const behaviors[] = {
	"capture-restore-all",			/* all users, captured and restored */
	"capture-all-restore-specified",	/* all captured, some restored */
	"capture-restore-specified",		/* some users only */
	NULL,
};

static int
fail_db(sqlite3 *db, char **err, const char *what)
{
	*err = xasprintf("%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

int
smp_computer_add(const char *dir, const char *name, const char *key, char **err)
{
	struct identity	 id;
	sqlite3		*db;
	sqlite3_stmt	*st = NULL;
	char		 kid[17], *line;
	int		 r = -1;

	if (!identity_name_ok(name)) {
		*err = xasprintf("computer name '%s' may hold only letters, digits, '.', "
		    "'_' and '-' (1 to 64)", name);
		return -1;
	}
	if (identity_parse_public(key, &id, err) == -1)
		return -1;
	identity_key_id(id.x25519_pub, kid);
	line = identity_public_line(&id);
	identity_wipe(&id);
	if (smp_db_open(dir, &db, err) == -1) {
		free(line);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO computers (name, public_key, key_id, "
	    "added) VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		fail_db(db, err, "cannot add the computer");
		goto out;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, line, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		*err = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY ?
		    xasprintf("a computer named '%s' is registered already", name) :
		    sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE ?
		    xasprintf("this key (%s) is registered already under another name",
		    kid) : xasprintf("cannot add the computer: %s", sqlite3_errmsg(db));
	else {
		printf("added computer '%s' (key id %s)\n", name, kid);
		r = 0;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(line);
	return r;
}

int
smp_computer_list(const char *dir, char **err)
{
	sqlite3		*db;
	sqlite3_stmt	*st;

	if (smp_db_open(dir, &db, err) == -1)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT name, key_id, datetime(added, 'unixepoch') "
	    "FROM computers ORDER BY name", -1, &st, NULL) != SQLITE_OK) {
		fail_db(db, err, "cannot list computers");
		sqlite3_close(db);
		return -1;
	}
	printf("%-24s %-16s %s\n", "computer", "key id", "added (UTC)");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-24s %-16s %s\n", sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

/* "all", or a comma list of user names. */
static int
users_ok(const char *users)
{
	const char	*p;

	if (strcmp(users, "all") == 0)
		return 1;
	for (p = users; *p; p++)
		if (!(*p == ',' || *p == '_' || *p == '-' || *p == '.' ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9')))
			return 0;
	return *users != '\0' && *users != ',';
}

int
smp_associate(const char *dir, const char *source, const char *dest, const char *users,
    const char *behavior, char **err)
{
	sqlite3		*db;
	sqlite3_stmt	*st = NULL;
	size_t		 i;
	int		 r = -1;

	users = users ? users : "all";
	behavior = behavior ? behavior : SMP_BEHAVIOR_ALL;
	for (i = 0; behaviors[i] != NULL && strcmp(behaviors[i], behavior) != 0; i++)
		;
	if (behaviors[i] == NULL) {
		*err = xasprintf("--behavior takes capture-restore-all, "
		    "capture-all-restore-specified or capture-restore-specified, not '%s'",
		    behavior);
		return -1;
	}
	if (!users_ok(users) || (i > 0 && strcmp(users, "all") == 0) ||
	    (i == 0 && strcmp(users, "all") != 0)) {
		*err = xasprintf("--users '%s' does not fit --behavior %s (all for "
		    "capture-restore-all, user names otherwise)", users, behavior);
		return -1;
	}
	if (smp_db_open(dir, &db, err) == -1)
		return -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO associations (source, dest, users, "
	    "behavior, created) VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		fail_db(db, err, "cannot associate");
		goto out;
	}
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, dest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, users, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, behavior, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		*err = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY ?
		    xasprintf("'%s' and '%s' must both be registered computers (tsi smp "
		    "computer add)", source, dest) :
		    sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE ?
		    xasprintf("'%s' is associated with '%s' already", source, dest) :
		    xasprintf("cannot associate: %s", sqlite3_errmsg(db));
	else {
		printf("association %lld: %s -> %s, users %s, %s%s\n",
		    (long long)sqlite3_last_insert_rowid(db), source, dest, users, behavior,
		    strcmp(source, dest) == 0 ? " (in place: a refresh)" : "");
		r = 0;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}

int
smp_list(const char *dir, char **err)
{
	sqlite3		*db;
	sqlite3_stmt	*st;

	if (smp_db_open(dir, &db, err) == -1)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT a.id, a.source, a.dest, a.users, a.behavior, "
	    "COALESCE(s.state, 'no store'), COALESCE(s.size, 0), COALESCE(s.folder, '-') "
	    "FROM associations a LEFT JOIN stores s ON s.association = a.id ORDER BY a.id",
	    -1, &st, NULL) != SQLITE_OK) {
		fail_db(db, err, "cannot list");
		sqlite3_close(db);
		return -1;
	}
	printf("%-4s %-16s %-16s %-12s %-30s %-10s %12s %s\n", "id", "source", "destination",
	    "users", "behavior", "store", "bytes", "folder");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-4lld %-16s %-16s %-12s %-30s %-10s %12lld %s\n",
		    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
		    sqlite3_column_text(st, 4), sqlite3_column_text(st, 5),
		    (long long)sqlite3_column_int64(st, 6), sqlite3_column_text(st, 7));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

/* ASSOC: an association's id, or SOURCE:DEST. */
static int
find_association(sqlite3 *db, const char *assoc, sqlite3_int64 *id, char **err)
{
	sqlite3_stmt	*st;
	const char	*colon = strchr(assoc, ':');
	char		*src = colon ? xstrndup(assoc, (size_t)(colon - assoc)) : NULL;
	int		 found;

	if (sqlite3_prepare_v2(db, colon ? "SELECT id FROM associations WHERE source = ? "
	    "AND dest = ?" : "SELECT id FROM associations WHERE id = ?", -1, &st,
	    NULL) != SQLITE_OK) {
		free(src);
		return fail_db(db, err, "cannot look the association up");
	}
	if (colon) {
		sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, colon + 1, -1, SQLITE_STATIC);
	} else
		sqlite3_bind_text(st, 1, assoc, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(src);
	if (!found)
		*err = xasprintf("no association '%s' (an id from tsi smp list, or "
		    "SOURCE:DEST)", assoc);
	return found ? 0 : -1;
}

int
smp_delete(const char *dir, const char *assoc, char **err)
{
	sqlite3		*db;
	sqlite3_stmt	*st = NULL;
	sqlite3_int64	 id;
	int		 r = -1, n = 0, k;

	if (smp_db_open(dir, &db, err) == -1)
		return -1;
	if (find_association(db, assoc, &id, err) == -1)
		goto out;
	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	/* the stores' files first: a store left without a row is found by
	 * nothing, a row without its file is reported */
	if (sqlite3_prepare_v2(db, "SELECT folder, id FROM stores WHERE association = ?",
	    -1, &st, NULL) != SQLITE_OK) {
		fail_db(db, err, "cannot delete");
		goto rollback;
	}
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char	*folder = (const char *)sqlite3_column_text(st, 0);
		const char	*sid = (const char *)sqlite3_column_text(st, 1);
		char		*path;

		/* store ids are the server's own hex; anything else is not a
		 * path to delete */
		if (folder == NULL || sid == NULL || strstr(folder, "..") != NULL ||
		    strspn(sid, "0123456789abcdef") != strlen(sid) || *sid == '\0')
			continue;
		path = smp_store_path(dir, folder, sid, 0);
		k = unlink(path) == 0;
		free(path);
		path = smp_store_path(dir, folder, sid, 1);	/* an unfinished upload */
		k |= unlink(path) == 0;
		free(path);
		n += k;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM stores WHERE association = ?1; ", -1, &st,
	    NULL) != SQLITE_OK || (sqlite3_bind_int64(st, 1, id), sqlite3_step(st)) !=
	    SQLITE_DONE) {
		fail_db(db, err, "cannot delete");
		goto rollback;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM associations WHERE id = ?1", -1, &st,
	    NULL) != SQLITE_OK || (sqlite3_bind_int64(st, 1, id), sqlite3_step(st)) !=
	    SQLITE_DONE) {
		fail_db(db, err, "cannot delete");
		goto rollback;
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	printf("deleted association %lld and %d store%s\n", (long long)id, n,
	    n == 1 ? "" : "s");
	r = 0;
	goto out;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}

int
smp_recovery(const char *dir, const char *assoc, char **err)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	sqlite3_int64	 id;
	int		 n = 0;

	if (smp_db_open(dir, &db, err) == -1)
		return -1;
	if (find_association(db, assoc, &id, err) == -1 ||
	    sqlite3_prepare_v2(db, "SELECT s.id, s.folder, s.state, a.source, a.dest "
	    "FROM stores s JOIN associations a ON a.id = s.association WHERE a.id = ?",
	    -1, &st, NULL) != SQLITE_OK) {
		if (*err == NULL)
			fail_db(db, err, "cannot read the stores");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		printf("store %s (%s -> %s), %s:\n"
		    "  1. bring recovery.key back from where it is kept offline, into a\n"
		    "     0700 folder KEYS as KEYS/identity.key and KEYS/identity.pub\n"
		    "  2. tsi state verify --store %s/%s/%s.tsistore --identity KEYS\n"
		    "  3. tsi state restore --root / --store %s/%s/%s.tsistore --identity KEYS\n"
		    "     (or tsi state extract ... --to DIR PATTERN for single files)\n",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 3),
		    sqlite3_column_text(st, 4), sqlite3_column_text(st, 2), dir,
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 0), dir,
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 0));
		n++;
	}
	if (n == 0)
		printf("association %lld has no store yet\n", (long long)id);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}
