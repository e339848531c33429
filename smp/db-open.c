/*
 * db-open.c - making and opening the database (db.h): the back end that
 * smp.conf names, its schema brought up to date (db-schema.c).
 */
#include "db.h"

#include <stdlib.h>

#include "../lib/util.h"
#include "db-int.h"

static int
open_db(const char *dir, const char *url, int create, struct smp_db **out, char **err)
{
	struct smp_db	*db = xcalloc(1, sizeof *db);

	*out = NULL;
	db->be = url != NULL ? &db_pg : &db_sqlite;
	if (db->be->open(db, dir, url, create) == -1 || db_migrate(db) == -1) {
		*err = xstrdup(db->err);
		smp_db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

int
smp_db_create(const char *dir, const char *url, char **err)
{
	struct smp_db	*db;

	if (open_db(dir, url, 1, &db, err) == -1)
		return -1;
	smp_db_close(db);
	return 0;
}

int
smp_db_open(const char *dir, const char *url, struct smp_db **db, char **err)
{
	return open_db(dir, url, 0, db, err);
}

void
smp_db_close(struct smp_db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		db->be->close(db);
	free(db);
}

