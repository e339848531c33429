/*
 * admin.c - `tsi smp computer add|list`, `tsi smp associate`, `tsi smp
 * list`: what an SMP admin does on the server directory.
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../interp/util.h"
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
	if (strcmp(source, dest) == 0) {
		*err = xstrdup("a computer cannot be associated with itself");
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
		printf("association %lld: %s -> %s, users %s, %s\n",
		    (long long)sqlite3_last_insert_rowid(db), source, dest, users, behavior);
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
