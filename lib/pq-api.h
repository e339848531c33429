/*
 * pq-api.h - libpq (PostgreSQL's client library), loaded when an SMP node
 * of a site opens its database: computers that only run sequences never
 * need it, and the tsi package does not depend on it (tsi-smp does).
 * mhd-api.h and curl-api.h do the same for their libraries.
 */
#ifndef TSI_PQ_API_H
#define TSI_PQ_API_H

#include <libpq-fe.h>

struct pq_api {
	PGconn		*(*connectdb)(const char *);
	ConnStatusType	 (*status)(const PGconn *);
	char		*(*error_message)(const PGconn *);
	void		 (*finish)(PGconn *);
	void		 (*reset)(PGconn *);
	PGresult	*(*exec)(PGconn *, const char *);
	PGresult	*(*exec_params)(PGconn *, const char *, int, const Oid *,
			    const char *const *, const int *, const int *, int);
	ExecStatusType	 (*result_status)(const PGresult *);
	char		*(*result_error_field)(const PGresult *, int);
	char		*(*result_error_message)(const PGresult *);
	int		 (*ntuples)(const PGresult *);
	char		*(*getvalue)(const PGresult *, int, int);
	int		 (*getisnull)(const PGresult *, int, int);
	char		*(*cmd_tuples)(PGresult *);
	void		 (*clear)(PGresult *);
	PQnoticeProcessor (*set_notice_processor)(PGconn *, PQnoticeProcessor, void *);
	PQconninfoOption *(*conninfo_parse)(const char *, char **);
	void		 (*conninfo_free)(PQconninfoOption *);
	void		 (*freemem)(void *);
};

/* The loaded functions, or NULL with *why (static text). */
const struct pq_api	*pq_api(const char **why);

#endif
