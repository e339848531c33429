/*
 * log.h - what a run tells people and programs.
 *
 *   LOG_DIR/tsi.log       the human log: timestamped lines, command output
 *   LOG_DIR/events.jsonl  one JSON object per event, for programs and tests
 *   stdout                the same human lines, plus a progress line on a tty
 *
 * Every string passes through the secret redactor of the run's variables
 * on its way out, so a handler cannot leak a secret by logging it.  Files
 * are 0600 in a 0700 directory: command output can be sensitive too.
 *
 * An observer (the status reporter that steps/run-status.c installs) is
 * handed each event as it is written: its name and its top-level fields,
 * redacted as events.jsonl has them.
 */
#ifndef TSI_LOG_H
#define TSI_LOG_H

#include <stdio.h>

#include "../lib/json.h"
#include "step.h"
#include "vars.h"

/* A top-level field of an event: a string (str, redacted), or a number or
 * boolean (str NULL, num). */
struct runlog_field {
	const char	*key;
	const char	*str;
	long long	 num;
};

struct runlog_observer {
	void	(*event)(void *ctx, const char *event, const struct runlog_field *,
		    size_t nfields);
	void	*ctx;
};

struct runlog {
	FILE			*file;		/* NULL in a dry run */
	FILE			*events;
	FILE			*console;	/* stdout, or NULL when quiet */
	int			 tty;
	int			 status_shown;
	const struct vars	*vars;		/* for redaction */
	enum log_level		 min_level;
	struct runlog_observer	 observer;	/* event NULL: none */
};

/* dir NULL: console only (dry run).  -1 with errno when dir cannot be used. */
int	runlog_open(struct runlog *, const char *dir, const struct vars *);
void	runlog_close(struct runlog *);
void	runlog_msg(struct runlog *, enum log_level, const char *, ...) PRINTF_LIKE(3, 4);
void	runlog_vmsg(struct runlog *, enum log_level, const char *, va_list);
/* A line of a child's output, indented under its step; cuts are proc.h's
 * PROC_CUT_* of a piece of a long line. */
void	runlog_output(struct runlog *, const char *stream, const char *line, size_t len,
	    unsigned cuts);
/* Progress line on a terminal ("step 3 of 12: Name"); cleared by the next message. */
void	runlog_status(struct runlog *, const char *, ...) PRINTF_LIKE(2, 3);

/*
 * Events: begin returns a writer positioned inside the event object (time
 * and event name already written); add fields, then end writes the line.
 */
struct json *runlog_event_begin(struct runlog *, const char *event);
void	runlog_event_end(struct runlog *);
/* Hands each event from now on to o (NULL: to nobody any more). */
void	runlog_observe(struct runlog *, const struct runlog_observer *o);

const char *log_level_name(enum log_level);

#endif
