/* log.c - see log.h */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/proc.h"

static struct buf	event_buf = BUF_INIT;
static struct json	event_json;

const char *
log_level_name(enum log_level l)
{
	switch (l) {
	case LOG_DEBUG:	return "debug";
	case LOG_INFO:	return "info";
	case LOG_WARN:	return "warning";
	case LOG_ERROR:	return "error";
	}
	return "?";
}

static FILE *
open_private(const char *dir, const char *name)
{
	char	*path = xasprintf("%s/%s", dir, name);
	int	 fd;
	FILE	*fp = NULL;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(path);
	if (fd == -1)
		return NULL;
	if (fchmod(fd, 0600) == -1 || (fp = fdopen(fd, "a")) == NULL)
		close(fd);
	return fp;
}

int
runlog_open(struct runlog *l, const char *dir, const struct vars *vars)
{
	memset(l, 0, sizeof *l);
	l->vars = vars;
	l->console = stdout;
	l->tty = isatty(STDOUT_FILENO);
	l->min_level = LOG_INFO;
	if (dir == NULL)
		return 0;
	if (mkdir_p(dir, 0700) == -1)
		return -1;
	if ((l->file = open_private(dir, "tsi.log")) == NULL)
		return -1;
	if ((l->events = open_private(dir, "events.jsonl")) == NULL) {
		int saved = errno;

		fclose(l->file);
		l->file = NULL;
		errno = saved;
		return -1;
	}
	return 0;
}

static void
clear_status(struct runlog *l)
{
	if (l->status_shown && l->console != NULL) {
		fputs("\r\033[K", l->console);
		l->status_shown = 0;
	}
}

void
runlog_close(struct runlog *l)
{
	clear_status(l);
	if (l->file != NULL)
		fclose(l->file);
	if (l->events != NULL)
		fclose(l->events);
	if (l->console != NULL)
		fflush(l->console);
	l->file = l->events = NULL;
	buf_release(&event_buf);
}

static void
emit(struct runlog *l, enum log_level level, const char *prefix, const char *text)
{
	char	*safe = vars_redact(l->vars, text), ts[32];

	if (l->file != NULL) {
		format_utc(ts);
		fprintf(l->file, "%s %-7s %s%s\n", ts, log_level_name(level), prefix,
		    safe);
	}
	if (l->console != NULL && level >= l->min_level) {
		clear_status(l);
		if (level >= LOG_WARN)
			fprintf(l->console, "%s%s: %s\n", prefix, log_level_name(level), safe);
		else
			fprintf(l->console, "%s%s\n", prefix, safe);
		/* a line at a time, also into a pipe or a file: an admin
		 * following a run through tee or journald sees it live */
		fflush(l->console);
	}
	free(safe);
}

void
runlog_vmsg(struct runlog *l, enum log_level level, const char *fmt, va_list ap)
{
	char	*msg = xvasprintf(fmt, ap);

	emit(l, level, "", msg);
	free(msg);
}

void
runlog_msg(struct runlog *l, enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	runlog_vmsg(l, level, fmt, ap);
	va_end(ap);
}

void
runlog_output(struct runlog *l, const char *stream, const char *line, size_t len,
    unsigned cuts)
{
	/* a piece of a long line may begin or end inside a secret; a whole
	 * line is redacted by emit() alone */
	char	*s = cuts == 0 ? xstrndup(line, len) : vars_redact_piece(l->vars,
		    line, len, cuts & PROC_CUT_BEFORE, cuts & PROC_CUT_AFTER);

	emit(l, LOG_INFO, strcmp(stream, "stderr") == 0 ? "  ! " : "  | ", s);
	free(s);
}

void
runlog_status(struct runlog *l, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *safe;

	if (!l->tty || l->console == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	safe = vars_redact(l->vars, msg);
	clear_status(l);
	fprintf(l->console, "%.*s", 100, safe);
	fflush(l->console);
	l->status_shown = 1;
	free(msg);
	free(safe);
}

static char *
redact_filter(void *ctx, const char *s)
{
	return vars_redact(ctx, s);
}

struct json *
runlog_event_begin(struct runlog *l, const char *event)
{
	char	ts[32];

	buf_reset(&event_buf);
	json_init(&event_json, &event_buf, 0);
	event_json.filter = redact_filter;
	event_json.filter_ctx = (void *)l->vars;
	format_utc(ts);
	json_obj_begin(&event_json, NULL);
	json_str(&event_json, "time", ts);
	json_str(&event_json, "event", event);
	return &event_json;
}

void
runlog_event_end(struct runlog *l)
{
	json_obj_end(&event_json);
	if (l->events != NULL) {
		fprintf(l->events, "%s\n", event_buf.data);
		fflush(l->events);
	}
	if (l->file != NULL)
		fflush(l->file);
}
