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

/* The event being written, for the observer: its name and top-level
 * fields, their strings in field_text (offsets: it may move as it grows). */
#define OBSERVED_MAX	32
static char		 event_name[32];
static struct observed {
	char		 key[32];
	size_t		 off;
	int		 is_str;
	long long	 num;
}			 observed[OBSERVED_MAX];
static size_t		 nobserved;
static struct buf	 field_text = BUF_INIT;

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
	l->observer.event = NULL;
	buf_release(&event_buf);
	buf_release(&field_text);
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

/* json_tap_fn: the event's top-level scalars, for the observer. */
static void
observe_field(void *ctx, int depth, const char *key, const char *s, size_t len,
    long long n)
{
	struct observed	*o;

	(void)ctx;
	if (depth != 1 || key == NULL || nobserved == OBSERVED_MAX)
		return;
	o = &observed[nobserved++];
	snprintf(o->key, sizeof o->key, "%s", key);
	o->is_str = s != NULL;
	o->num = n;
	o->off = field_text.len;
	if (s != NULL) {
		buf_add(&field_text, s, len);
		buf_addch(&field_text, '\0');
	}
}

void
runlog_observe(struct runlog *l, const struct runlog_observer *o)
{
	if (o == NULL)
		memset(&l->observer, 0, sizeof l->observer);
	else
		l->observer = *o;
}

struct json *
runlog_event_begin(struct runlog *l, const char *event)
{
	char	ts[32];

	buf_reset(&event_buf);
	json_init(&event_json, &event_buf, 0);
	event_json.filter = redact_filter;
	event_json.filter_ctx = (void *)l->vars;
	nobserved = 0;
	buf_reset(&field_text);
	if (l->observer.event != NULL) {
		snprintf(event_name, sizeof event_name, "%s", event);
		event_json.tap = observe_field;
	}
	format_utc(ts);
	json_obj_begin(&event_json, NULL);
	json_str(&event_json, "time", ts);
	json_str(&event_json, "event", event);
	return &event_json;
}

void
runlog_event_end(struct runlog *l)
{
	struct runlog_field	f[OBSERVED_MAX];
	size_t			i;

	json_obj_end(&event_json);
	if (l->events != NULL) {
		fprintf(l->events, "%s\n", event_buf.data);
		fflush(l->events);
	}
	if (l->file != NULL)
		fflush(l->file);
	if (l->observer.event == NULL || event_json.tap == NULL)
		return;
	for (i = 0; i < nobserved; i++) {
		f[i].key = observed[i].key;
		f[i].str = observed[i].is_str ? field_text.data + observed[i].off : NULL;
		f[i].num = observed[i].num;
	}
	/* the observer may log (runlog_msg), never write an event */
	l->observer.event(l->observer.ctx, event_name, f, nobserved);
}
