/*
 * db.c - the SMP's database, whichever back end holds it (db.h): opening
 * it as smp.conf says, the statements and rows every data file uses,
 * transactions, and the failure of the last statement.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "db-int.h"

int
db_fail(struct smp_db *db, enum smp_db_fail f, const char *fmt, ...)
{
	va_list	ap;

	db->fail = f;
	va_start(ap, fmt);
	vsnprintf(db->err, sizeof db->err, fmt, ap);
	va_end(ap);
	return -1;
}

int
smp_db_is_site(const struct smp_db *db)
{
	return db->be->site;
}

void
smp_db_durable(struct smp_db *db)
{
	if (!db->be->site)
		smp_db_exec(db, "PRAGMA synchronous = FULL", "");
}

struct smp_rows *
smp_db_query(struct smp_db *db, const char *sql, const char *types, ...)
{
	struct smp_rows	*rows;
	va_list		 ap;

	db->fail = DBF_NONE;
	va_start(ap, types);
	rows = db->be->query(db, sql, types, ap);
	va_end(ap);
	return rows;
}

long long
smp_db_exec(struct smp_db *db, const char *sql, const char *types, ...)
{
	struct smp_rows	*rows;
	long long	 changed;
	va_list		 ap;

	db->fail = DBF_NONE;
	va_start(ap, types);
	rows = db->be->query(db, sql, types, ap);
	va_end(ap);
	if (rows == NULL)
		return -1;
	/* SQLite runs a statement as its rows are read */
	while (db->be->next(rows) == 1)
		;
	changed = rows->changed;
	db->be->free(rows);
	return db->fail == DBF_NONE ? changed : -1;
}

int
smp_rows_next(struct smp_rows *r)
{
	return r->db->be->next(r);
}

const char *
smp_rows_text(struct smp_rows *r, int col)
{
	const char	*t = r->db->be->text(r, col);

	return t != NULL ? t : "";
}

long long
smp_rows_int(struct smp_rows *r, int col)
{
	return strtoll(smp_rows_text(r, col), NULL, 10);
}

int
smp_rows_null(struct smp_rows *r, int col)
{
	return r->db->be->null(r, col);
}

void
smp_rows_free(struct smp_rows *r)
{
	if (r != NULL)
		r->db->be->free(r);
}

int
smp_db_begin(struct smp_db *db)
{
	return smp_db_exec(db, db->be->begin, "") == -1 ? -1 : 0;
}

int
smp_db_commit(struct smp_db *db)
{
	if (smp_db_exec(db, "COMMIT", "") != -1)
		return 0;
	smp_db_rollback(db);
	return -1;
}

void
smp_db_rollback(struct smp_db *db)
{
	char			saved[DB_ERR_LEN];
	enum smp_db_fail	f = db->fail;

	/* the failure that made the caller roll back is the one to tell */
	memcpy(saved, db->err, sizeof saved);
	smp_db_exec(db, "ROLLBACK", "");
	memcpy(db->err, saved, sizeof saved);
	db->fail = f;
}

enum smp_db_fail
smp_db_failure(const struct smp_db *db)
{
	return db->fail;
}

const char *
smp_db_error(const struct smp_db *db)
{
	return db->err;
}

char *
smp_db_url_redacted(const char *url)
{
	struct buf	 b;
	const char	*p = url, *scheme = strstr(url, "://"), *at, *colon, *pw;
	size_t		 n;

	buf_init(&b, 4096);
	/* postgresql://USER:PASSWORD@HOST/... */
	if (scheme != NULL && (at = strchr(scheme + 3, '@')) != NULL &&
	    strcspn(scheme + 3, "/?") > (size_t)(at - scheme - 3) &&
	    (colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3))) != NULL) {
		buf_add(&b, url, (size_t)(colon + 1 - url));
		buf_add(&b, "***", 3);
		p = at;
	}
	/* ...?password=SECRET&... and password=SECRET in key=value form */
	while ((pw = strstr(p, "password=")) != NULL) {
		buf_add(&b, p, (size_t)(pw + 9 - p));
		buf_add(&b, "***", 3);
		n = strcspn(pw + 9, "& ");
		p = pw + 9 + n;
	}
	buf_add(&b, p, strlen(p));
	return buf_detach(&b);
}
