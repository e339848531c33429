/*
 * capture-say.c - what the walk (capture.c) and both kinds of store it
 * writes (capture-archive.c, capture-hardlink.c) share: messages and
 * findings, the stop check, and catalog entries from a stat.
 */
#include "capture-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
cap_say(struct capture *c, enum state_msg kind, const char *fmt, ...)
{
	va_list	 ap;

	if (kind == STATE_VERBOSE && !c->verbose)
		return;
	va_start(ap, fmt);
	state_vsay(c->log, c->counts, kind, -1, fmt, ap);
	va_end(ap);
}

/* A file that could not be captured: a finding, or the end without /c. */
int
cap_finding(struct capture *c, int fatal_without_c, const char *rel, const char *fmt, ...)
{
	va_list	 ap;
	char	*what, *esc;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) == -1)
		what = NULL;
	va_end(ap);
	esc = cat_escape(rel);		/* file names may hold control characters */
	cap_say(c, STATE_FINDING, "~%s/%s: %s", c->user->name, esc, what ? what : "");
	if (fatal_without_c && !c->continue_on_error && c->err == NULL)
		c->err = xasprintf("cannot capture ~%s/%s: %s (OSDMigrateContinueOnLockedFiles"
		    " or /c lets a capture go on)", c->user->name, esc, what ? what : "");
	free(esc);
	free(what);
	return fatal_without_c && !c->continue_on_error ? -1 : 0;
}

int
cap_stopping(struct capture *c)
{
	enum stop_why	why;

	if (c->err == NULL && (why = state_stop_check(c->log)) != STOP_NO)
		c->err = xasprintf("the capture was stopped (%s); no store was made",
		    stop_why_text(why));
	return c->err != NULL;
}

void
cap_entry_from_stat(struct cat_entry *ce, char type, const struct stat *st,
    const char *path, const char *link)
{
	memset(ce, 0, sizeof *ce);
	ce->type = type;
	ce->mode = st->st_mode & 07777;
	ce->uid = st->st_uid;
	ce->gid = st->st_gid;
	ce->size = type == 'f' ? (uint64_t)st->st_size : 0;
	ce->mtime = st->st_mtim.tv_sec;
	ce->mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
	ce->path = path;
	ce->link = link;
}
