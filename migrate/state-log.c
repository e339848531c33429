/*
 * state-log.c - the one way the user-state engine reports: a formatted
 * message to the caller's state_log, findings counted on the way.
 */
#include "state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
state_vsay(const struct state_log *log, struct state_counts *counts, enum state_msg kind,
    int percent, const char *fmt, va_list ap)
{
	char	*msg;

	if (kind == STATE_FINDING && counts != NULL)
		counts->findings++;
	if (log == NULL || log->fn == NULL || vasprintf(&msg, fmt, ap) == -1)
		return;
	log->fn(log->ctx, kind, percent, msg);
	free(msg);
}

void
state_say(const struct state_log *log, struct state_counts *counts, enum state_msg kind,
    int percent, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	state_vsay(log, counts, kind, percent, fmt, ap);
	va_end(ap);
}

enum stop_why
state_stop_check(const struct state_log *log)
{
	return stop_check(log != NULL ? log->stop : NULL);
}

int
state_user_allowed(const char *only, const char *user)
{
	size_t		 n = strlen(user);
	const char	*p;

	if (only == NULL || strcmp(only, "all") == 0)
		return 1;
	for (p = only; (p = strstr(p, user)) != NULL; p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}
