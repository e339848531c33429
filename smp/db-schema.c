/*
 * db-schema.c - the database's schema, as versioned migrations for each
 * back end.  Opening a database applies those it lacks, in one
 * transaction (on PostgreSQL under an advisory lock, so that two nodes
 * starting at once do not both migrate); a schema newer than this tsi
 * knows is refused, never written to.  A version is never edited once it
 * shipped: a change is a new version.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "db-int.h"

struct migration {
	const char	*what;
	const char	*sqlite, *pg;
};

/* Version 1: a State Migration Point on its own (the schema before sites). */
#define V1_COMMON(INT, ID) \
"CREATE TABLE computers ("						\
"  name TEXT PRIMARY KEY NOT NULL,"					\
"  public_key TEXT NOT NULL,"						\
"  key_id TEXT NOT NULL UNIQUE,"					\
"  added " INT " NOT NULL);"						\
"CREATE TABLE associations ("						\
"  id " ID ","								\
"  source TEXT NOT NULL REFERENCES computers(name),"			\
"  dest TEXT NOT NULL REFERENCES computers(name),"			\
"  users TEXT NOT NULL,"						\
"  behavior TEXT NOT NULL,"						\
"  created " INT " NOT NULL,"						\
"  UNIQUE (source, dest));"						\
"CREATE TABLE stores ("							\
"  id TEXT PRIMARY KEY NOT NULL,"					\
"  association " INT " NOT NULL REFERENCES associations(id),"		\
"  folder TEXT NOT NULL,"						\
"  state TEXT NOT NULL,"						\
"  size " INT " NOT NULL DEFAULT 0,"					\
"  created " INT " NOT NULL,"						\
"  completed " INT ","							\
"  released " INT ","							\
"  touched " INT ","		/* the last upload piece */		\
"  restore_requested INTEGER NOT NULL DEFAULT 0);"			\
"CREATE INDEX stores_by_association ON stores(association);"		\
"CREATE INDEX stores_by_folder ON stores(folder, state);"		\
"CREATE INDEX stores_by_release ON stores(state, released);"		\
"CREATE TABLE nonces ("							\
"  nonce TEXT PRIMARY KEY NOT NULL,"					\
"  seen " INT " NOT NULL);"						\
"CREATE INDEX nonces_by_time ON nonces(seen);"

/* Version 2: a site of nodes.  A store is held by a node; a nonce is
 * spent at one node (a request is signed for one node's certificate);
 * the site's settings (its recovery key), its nodes with their room,
 * boundary groups, and what computers report of their runs. */
#define V2_COMMON(INT) \
"ALTER TABLE stores ADD COLUMN node TEXT NOT NULL DEFAULT '';"		\
"CREATE INDEX stores_by_node ON stores(node, state);"			\
"DROP TABLE nonces;"							\
"CREATE TABLE nonces ("							\
"  node TEXT NOT NULL,"							\
"  nonce TEXT NOT NULL,"						\
"  seen " INT " NOT NULL,"						\
"  PRIMARY KEY (node, nonce));"						\
"CREATE INDEX nonces_by_time ON nonces(seen);"				\
"CREATE TABLE site ("							\
"  key TEXT PRIMARY KEY NOT NULL,"					\
"  value TEXT NOT NULL);"						\
"CREATE TABLE nodes ("							\
"  name TEXT PRIMARY KEY NOT NULL,"					\
"  url TEXT NOT NULL DEFAULT '',"					\
"  cert TEXT NOT NULL,"							\
"  pin TEXT NOT NULL UNIQUE,"						\
"  takes_capture INTEGER NOT NULL DEFAULT 0,"				\
"  why TEXT NOT NULL DEFAULT '',"					\
"  restore_only INTEGER NOT NULL DEFAULT 0,"				\
"  free_mb " INT " NOT NULL DEFAULT 0,"					\
"  clients " INT " NOT NULL DEFAULT 0,"					\
"  max_clients " INT " NOT NULL DEFAULT 0,"				\
"  seen " INT " NOT NULL DEFAULT 0,"					\
"  added " INT " NOT NULL);"						\
"CREATE TABLE node_folders ("						\
"  node TEXT NOT NULL REFERENCES nodes(name) ON DELETE CASCADE,"	\
"  path TEXT NOT NULL,"							\
"  free_mb " INT " NOT NULL,"						\
"  total_mb " INT " NOT NULL,"						\
"  clients " INT " NOT NULL,"						\
"  max_clients " INT " NOT NULL,"					\
"  takes_capture INTEGER NOT NULL,"					\
"  PRIMARY KEY (node, path));"						\
/* a store's file another node holds, deleted by that node */		\
"CREATE TABLE deletions ("						\
"  node TEXT NOT NULL,"							\
"  id TEXT NOT NULL,"							\
"  folder TEXT NOT NULL,"						\
"  PRIMARY KEY (node, id));"						\
"CREATE TABLE boundaries ("						\
"  name TEXT PRIMARY KEY NOT NULL,"					\
"  ranges TEXT NOT NULL,"						\
"  nodes TEXT NOT NULL);"						\
"CREATE TABLE runs ("							\
"  computer TEXT NOT NULL,"						\
"  run TEXT NOT NULL,"							\
"  sequence TEXT NOT NULL DEFAULT '',"					\
"  started " INT " NOT NULL,"						\
"  ended " INT ","							\
"  result TEXT NOT NULL DEFAULT 'running',"				\
"  step TEXT NOT NULL DEFAULT '',"					\
"  step_no INTEGER NOT NULL DEFAULT 0,"					\
"  steps INTEGER NOT NULL DEFAULT 0,"					\
"  progress TEXT NOT NULL DEFAULT '',"					\
"  updated " INT " NOT NULL,"						\
"  PRIMARY KEY (computer, run));"					\
"CREATE INDEX runs_by_time ON runs(computer, started);"		\
"CREATE TABLE events ("							\
"  computer TEXT NOT NULL,"						\
"  run TEXT NOT NULL,"							\
"  seq " INT " NOT NULL,"						\
"  time " INT " NOT NULL,"						\
"  kind TEXT NOT NULL,"							\
"  step TEXT NOT NULL DEFAULT '',"					\
"  result TEXT NOT NULL DEFAULT '',"					\
"  detail TEXT NOT NULL DEFAULT '',"					\
"  PRIMARY KEY (computer, run, seq));"

/* Version 3: the console's admins (a slow hash each, from libcrypt) and
 * their sessions (the hash of the cookie's secret, and the session's CSRF
 * token), shared by the site's nodes; a node set restore-only there. */
#define V3_COMMON(INT) \
"CREATE TABLE admins ("							\
"  name TEXT PRIMARY KEY NOT NULL,"					\
"  hash TEXT NOT NULL,"							\
"  added " INT " NOT NULL,"						\
"  last_login " INT ");"						\
"CREATE TABLE console_sessions ("					\
"  token_hash TEXT PRIMARY KEY NOT NULL,"				\
"  admin TEXT NOT NULL REFERENCES admins(name) ON DELETE CASCADE,"	\
"  csrf TEXT NOT NULL,"							\
"  created " INT " NOT NULL,"						\
"  expires " INT " NOT NULL);"						\
"CREATE INDEX console_sessions_by_expiry ON console_sessions(expires);"	\
/* what an admin set for a node, over its smp.conf */			\
"CREATE TABLE node_settings ("						\
"  node TEXT PRIMARY KEY NOT NULL,"					\
"  restore_only INTEGER NOT NULL DEFAULT 0);"

static const struct migration migrations[] = {
	{ "a State Migration Point's computers, associations and stores",
	  V1_COMMON("INTEGER", "INTEGER PRIMARY KEY"),
	  V1_COMMON("BIGINT", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY") },
	{ "a site: nodes, boundary groups, runs and their events",
	  V2_COMMON("INTEGER"), V2_COMMON("BIGINT") },
	{ "the console's admins and sessions", V3_COMMON("INTEGER"), V3_COMMON("BIGINT") },
};
#define LATEST	((long long)ARRAY_SIZE(migrations))

/* The version the database is at; a SQLite database made before versions
 * were kept is at 1. */
static long long
current_version(struct smp_db *db)
{
	struct smp_rows	*r;
	long long	 v = -1;

	if ((r = smp_db_query(db, "SELECT COALESCE(max(version), 0) FROM schema_version",
	    "")) != NULL && smp_rows_next(r) == 1)
		v = smp_rows_int(r, 0);
	smp_rows_free(r);
	if (v != 0 || smp_db_is_site(db))
		return v;
	if ((r = smp_db_query(db, "SELECT count(*) FROM sqlite_master WHERE type = "
	    "'table' AND name = 'computers'", "")) != NULL && smp_rows_next(r) == 1 &&
	    smp_rows_int(r, 0) == 1)
		v = 1;
	smp_rows_free(r);
	if (v == 1 && smp_db_exec(db, "INSERT INTO schema_version VALUES (1)", "") == -1)
		v = -1;
	return v;
}

int
db_migrate(struct smp_db *db)
{
	long long	 v, i;
	const char	*sql;

	if (smp_db_begin(db) == -1)
		return -1;
	if (smp_db_is_site(db) && smp_db_exec(db, "SELECT pg_advisory_xact_lock(7405001)",
	    "") == -1)
		goto fail;
	if (db->be->script(db, "CREATE TABLE IF NOT EXISTS schema_version (version "
	    "INTEGER NOT NULL)") == -1 || (v = current_version(db)) == -1)
		goto fail;
	if (v > LATEST) {
		db_fail(db, DBF_ERROR, "the database's schema is version %lld, newer than "
		    "this tsi knows (%lld): upgrade tsi on this node", v, LATEST);
		goto fail;
	}
	for (i = v; i < LATEST; i++) {
		sql = smp_db_is_site(db) ? migrations[i].pg : migrations[i].sqlite;
		if (db->be->script(db, sql) == -1 || smp_db_exec(db, "INSERT INTO "
		    "schema_version VALUES (?)", "i", i + 1) == -1) {
			char	*m = xstrdup(db->err);

			db_fail(db, DBF_ERROR, "cannot bring the database to version %lld (%s): "
			    "%s", i + 1, migrations[i].what, m);
			free(m);
			goto fail;
		}
	}
	if (smp_db_commit(db) == 0)
		return 0;
fail:
	smp_db_rollback(db);
	return -1;
}
