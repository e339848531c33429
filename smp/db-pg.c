/*
 * db-pg.c - the PostgreSQL back end (db.h): a site's database, shared by
 * its nodes, through libpq (loaded when first needed: lib/pq-api.h).
 * Parameters go apart from the SQL (PQexecParams), never into it.  A
 * connection that broke is made again before the next statement; while
 * it cannot be, every statement fails as DBF_DOWN, and the server answers
 * 503 until the database is back.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/pq-api.h"
#include "../lib/util.h"
#include "db-int.h"

/* libpq's notices (a table that exists already, ...) stay off stderr */
static void
quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static const struct pq_api *
api(struct smp_db *db)
{
	const struct pq_api	*a;
	const char		*why;

	if ((a = pq_api(&why)) == NULL)
		db_fail(db, DBF_ERROR, "cannot load libpq for the site database: %s", why);
	return a;
}

/* libpq's message, one line */
static void
conn_error(struct smp_db *db, const struct pq_api *a, enum smp_db_fail f, const char *what)
{
	char	*m = xstrdup(db->conn ? a->error_message(db->conn) : "out of memory");

	m[strcspn(m, "\n")] = '\0';
	db_fail(db, f, "%s%s", what, m);
	free(m);
}

static int
pg_open(struct smp_db *db, const char *dir, const char *url, int create)
{
	const struct pq_api	*a = api(db);
	PQconninfoOption	*opts;
	char			*msg = NULL, *shown;

	(void)dir;
	(void)create;
	if (a == NULL)
		return -1;
	if ((opts = a->conninfo_parse(url, &msg)) == NULL) {
		shown = smp_db_url_redacted(url);
		/* libpq's message may quote a part of the URI: the password */
		db_fail(db, DBF_ERROR, "'%s' is not a PostgreSQL connection URI (a "
		    "password holding %% or @ must be percent-encoded)", shown);
		free(shown);
		if (msg)
			a->freemem(msg);
		return -1;
	}
	a->conninfo_free(opts);
	/* a database that does not answer is down, not a hang */
	setenv("PGCONNECT_TIMEOUT", "5", 0);
	db->conn = a->connectdb(url);
	if (db->conn == NULL || a->status(db->conn) != CONNECTION_OK) {
		conn_error(db, a, DBF_DOWN, "cannot connect to the site database: ");
		return -1;
	}
	a->set_notice_processor(db->conn, quiet, NULL);
	return 0;
}

static void
pg_close(struct smp_db *db)
{
	const struct pq_api	*a = api(db);

	if (a != NULL)
		a->finish(db->conn);
	db->conn = NULL;
}

/* ?N as $N, and each bare ? as the next $N; quoted text is left alone. */
static char *
dollars(const char *sql)
{
	struct buf	b;
	const char	*p;
	int		n = 0, quoted = 0;

	buf_init(&b, 0);
	for (p = sql; *p != '\0'; p++) {
		if (*p == '\'')
			quoted = !quoted;
		if (*p == '?' && !quoted) {
			buf_addch(&b, '$');
			if (p[1] >= '0' && p[1] <= '9')
				continue;
			buf_addf(&b, "%d", ++n);
		} else
			buf_addch(&b, *p);
	}
	return buf_detach(&b);
}

static enum smp_db_fail
classify(struct smp_db *db, const struct pq_api *a, PGresult *res)
{
	const char	*state, *constraint;
	size_t		 n;

	if (res == NULL || a->status(db->conn) != CONNECTION_OK)
		return DBF_DOWN;
	state = a->result_error_field(res, PG_DIAG_SQLSTATE);
	if (state == NULL)
		return DBF_ERROR;
	if (strcmp(state, "23505") == 0) {
		constraint = a->result_error_field(res, PG_DIAG_CONSTRAINT_NAME);
		n = constraint ? strlen(constraint) : 0;
		return n > 5 && strcmp(constraint + n - 5, "_pkey") == 0 ? DBF_PRIMARY :
		    DBF_UNIQUE;
	}
	if (strcmp(state, "23503") == 0)
		return DBF_FOREIGN;
	/* connection exceptions, a server shutting down or starting */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		return DBF_DOWN;
	return DBF_ERROR;
}

static struct smp_rows *
pg_query(struct smp_db *db, const char *sql, const char *types, va_list ap)
{
	const struct pq_api	*a = api(db);
	const char		*values[DB_PARAMS_MAX];
	char			 nums[DB_PARAMS_MAX][24], *text, *m;
	struct smp_rows		*r;
	PGresult		*res;
	ExecStatusType		 st;
	int			 i, n = (int)strlen(types);

	if (a == NULL)
		return NULL;
	if (n > DB_PARAMS_MAX) {
		db_fail(db, DBF_ERROR, "a statement with %d parameters", n);
		return NULL;
	}
	if (a->status(db->conn) != CONNECTION_OK) {
		a->reset(db->conn);
		if (a->status(db->conn) != CONNECTION_OK) {
			conn_error(db, a, DBF_DOWN, "");
			return NULL;
		}
		a->set_notice_processor(db->conn, quiet, NULL);
	}
	for (i = 0; i < n; i++) {
		if (types[i] == 't')
			values[i] = va_arg(ap, const char *);
		else {
			snprintf(nums[i], sizeof nums[i], "%lld", va_arg(ap, long long));
			values[i] = nums[i];
		}
	}
	text = dollars(sql);
	res = a->exec_params(db->conn, text, n, NULL, values, NULL, NULL, 0);
	free(text);
	st = res ? a->result_status(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		m = xstrdup(res ? a->result_error_message(res) : a->error_message(db->conn));
		m[strcspn(m, "\n")] = '\0';
		db_fail(db, classify(db, a, res), "%s", m[0] ? m : "the site database failed");
		free(m);
		if (res)
			a->clear(res);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->changed = strtoll(a->cmd_tuples(res), NULL, 10);
	r->db = db;
	r->h = res;
	r->row = -1;
	r->nrows = a->ntuples(res);
	return r;
}

static int
pg_next(struct smp_rows *r)
{
	if (r->row + 1 >= r->nrows)
		return 0;
	r->row++;
	return 1;
}

static const char *
pg_text(struct smp_rows *r, int col)
{
	const struct pq_api	*a = api(r->db);

	return a->getisnull(r->h, r->row, col) ? NULL : a->getvalue(r->h, r->row, col);
}

static int
pg_null(struct smp_rows *r, int col)
{
	return api(r->db)->getisnull(r->h, r->row, col);
}

static void
pg_free(struct smp_rows *r)
{
	api(r->db)->clear(r->h);
	free(r);
}

static int
pg_script(struct smp_db *db, const char *sql)
{
	const struct pq_api	*a = api(db);
	PGresult		*res;
	char			*m;
	int			 r = 0;

	/* no parameters: the simple protocol, which takes several statements */
	res = a->exec(db->conn, sql);
	if (res == NULL || a->result_status(res) != PGRES_COMMAND_OK) {
		m = xstrdup(res ? a->result_error_message(res) : a->error_message(db->conn));
		m[strcspn(m, "\n")] = '\0';
		r = db_fail(db, classify(db, a, res), "%s", m);
		free(m);
	}
	if (res)
		a->clear(res);
	return r;
}

const struct db_backend db_pg = {
	"PostgreSQL", 1, "BEGIN", pg_open, pg_close, pg_query, pg_next, pg_text, pg_null, pg_free,
	pg_script,
};
