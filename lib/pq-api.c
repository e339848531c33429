/* pq-api.c - libpq through dlopen(3); see pq-api.h */
#include "pq-api.h"

#include <dlfcn.h>
#include <stdio.h>

#define LOAD(field, name) \
	((*(void **)&api.field = dlsym(h, name)) != NULL)

const struct pq_api *
pq_api(const char **why)
{
	static struct pq_api	 api;
	static int		 state;		/* 0 not tried, 1 loaded, -1 failed */
	static char		 err[256];
	void			*h;

	if (state == 0) {
		state = -1;
		if ((h = dlopen("libpq.so.5", RTLD_LAZY | RTLD_LOCAL)) == NULL)
			snprintf(err, sizeof err, "%s (Debian's package libpq5 has it)",
			    dlerror());
		else if (!LOAD(connectdb, "PQconnectdb") || !LOAD(status, "PQstatus") ||
		    !LOAD(error_message, "PQerrorMessage") || !LOAD(finish, "PQfinish") ||
		    !LOAD(reset, "PQreset") || !LOAD(exec, "PQexec") ||
		    !LOAD(exec_params, "PQexecParams") ||
		    !LOAD(result_status, "PQresultStatus") ||
		    !LOAD(result_error_field, "PQresultErrorField") ||
		    !LOAD(result_error_message, "PQresultErrorMessage") ||
		    !LOAD(ntuples, "PQntuples") || !LOAD(getvalue, "PQgetvalue") ||
		    !LOAD(getisnull, "PQgetisnull") || !LOAD(cmd_tuples, "PQcmdTuples") ||
		    !LOAD(clear, "PQclear") ||
		    !LOAD(set_notice_processor, "PQsetNoticeProcessor") ||
		    !LOAD(conninfo_parse, "PQconninfoParse") ||
		    !LOAD(conninfo_free, "PQconninfoFree") || !LOAD(freemem, "PQfreemem"))
			snprintf(err, sizeof err, "libpq lacks a function");
		else
			state = 1;
	}
	*why = err;
	return state == 1 ? &api : NULL;
}
