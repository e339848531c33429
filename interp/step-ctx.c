/*
 * step-ctx.c - what a handler may ask of the engine (step.h): variables,
 * logs, progress, the deadline, and the options of its child processes.
 */
#include "engine-int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/proc.h"

#define STEP_OUTPUT_LOG_MAX	(16u * 1024 * 1024)

/* Services for handlers (step.h). */

const char *
step_var(struct step_ctx *ctx, const char *name)
{
	return vars_get(&ctx->e->vars, name);
}

int
step_var_is_secret(struct step_ctx *ctx, const char *name)
{
	return vars_is_secret(&ctx->e->vars, name);
}

void
step_set_readonly_var(struct step_ctx *ctx, const char *name, const char *value)
{
	vars_set(&ctx->e->vars, name, value, VAR_ENGINE);
}

int
step_set_var(struct step_ctx *ctx, const char *name, const char *value, int secret)
{
	return step_set_var_from_output(ctx, name, value, secret, 0);
}

void
step_mask_cut_head(struct step_ctx *ctx, char *text)
{
	size_t	n = vars_fragment_at_cut(&ctx->e->vars, text, strlen(text), 1);

	memset(text, '*', n);
}

int
step_set_var_from_output(struct step_ctx *ctx, const char *name, const char *value,
    int secret, int cut_before)
{
	enum vars_result r;
	char		*why;

	/* text that holds a secret, or the end of one where it was cut, is
	 * secret wherever it goes next */
	if (!secret && !vars_is_secret(&ctx->e->vars, name) &&
	    vars_holds_secret(&ctx->e->vars, value, cut_before)) {
		secret = 1;
		step_log(ctx, LOG_INFO, "'%s' is secret from now on: its value holds "
		    "a secret's text", name);
	}
	if ((why = typed_var_check(ctx->e->opts->steps, name, value,
	    secret || vars_is_secret(&ctx->e->vars, name) ? TV_SECRET : 0)) != NULL) {
		step_log(ctx, LOG_ERROR, "cannot set %s", why);
		free(why);
		return -1;
	}
	r = vars_set(&ctx->e->vars, name, value, secret ? VAR_SECRET : 0);
	if (r != VARS_OK) {
		step_log(ctx, LOG_ERROR, "cannot set variable '%s': %s", name,
		    vars_result_str(r));
		return -1;
	}
	return 0;
}

void
step_log(struct step_ctx *ctx, enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	runlog_vmsg(&ctx->e->log, level, fmt, ap);
	va_end(ap);
}

/* A command's output goes to the log, up to a cap a step: a chatty or
 * runaway command must not fill the disk the log is on. */
void
step_output(struct step_ctx *ctx, const char *stream, const char *line, size_t len,
    unsigned cuts)
{
	if (ctx->output_bytes > STEP_OUTPUT_LOG_MAX)
		return;
	ctx->output_bytes += len + 40;	/* with the timestamp and level a line gets */
	if (ctx->output_bytes > STEP_OUTPUT_LOG_MAX) {
		runlog_msg(&ctx->e->log, LOG_WARN, "step '%s' wrote more than %u MiB: "
		    "the rest of its output is not logged", ctx->t->name,
		    STEP_OUTPUT_LOG_MAX >> 20);
		return;
	}
	runlog_output(&ctx->e->log, stream, line, len, cuts);
}

void
step_plan(struct step_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	runlog_msg(&ctx->e->log, LOG_INFO, "      would %s", msg);
	free(msg);
}

/* The progress line on a terminal, and an event at most every second. */
void
step_progress(struct step_ctx *ctx, double fraction, const char *msg)
{
	struct engine	*e = ctx->e;
	int64_t		 now = now_ms();
	struct json	*j;

	runlog_status(&e->log, "step %d of %zu: %s: %3.0f%% %s", ctx->t->step_number,
	    e->seq->nsteps, ctx->t->name, fraction * 100, msg);
	if (now - ctx->last_progress < 1000 && fraction < 1)
		return;
	ctx->last_progress = now;
	j = log_step_event(e, "progress", ctx->t);
	json_int(j, "percent", (long long)(fraction * 100));
	json_str(j, "message", msg);
	runlog_event_end(&e->log);
}

static void
proc_output(void *ctx, const char *stream, const char *line, size_t len,
    unsigned cuts)
{
	step_output(ctx, stream, line, len, cuts);
}

int
step_command_hidden(struct step_ctx *ctx)
{
	const char	*v = vars_get(&ctx->e->vars, "OSDDoNotLogCommand");
	int		 b = 0;

	return v != NULL && parse_bool(v, &b) == 0 && b;
}

void
step_log_command(struct step_ctx *ctx, const char *prefix, char *const *argv)
{
	char	*line;

	if (step_command_hidden(ctx)) {
		step_log(ctx, LOG_INFO, "%s: a command (not logged: OSDDoNotLogCommand "
		    "is true)", prefix);
		return;
	}
	line = proc_argv_string(argv);
	step_log(ctx, LOG_INFO, "%s: %s", prefix, line);
	free(line);
}

void
step_proc_opts(struct step_ctx *ctx, struct proc_opts *po)
{
	memset(po, 0, sizeof *po);
	po->on_line = proc_output;
	po->ctx = ctx;
	po->stop = &ctx->stop;
}

void	step_request_restart(struct step_ctx *ctx) { ctx->restart = 1; }
void	step_timed_out(struct step_ctx *ctx) { ctx->timed_out = 1; }
int64_t	step_deadline(const struct step_ctx *ctx) { return ctx->stop.deadline; }
const struct stop *step_stop(const struct step_ctx *ctx) { return &ctx->stop; }
int	step_interrupted(const struct step_ctx *ctx) { (void)ctx; return stop_signal != 0; }
const struct tnode *step_node(const struct step_ctx *ctx) { return ctx->t; }
const char *step_root(const struct step_ctx *ctx) { return ctx->e->root; }
const char *step_base_dir(const struct step_ctx *ctx) { return ctx->t->base_dir; }

void *
step_run_data(struct step_ctx *ctx, const void *key, void *(*make)(void),
    void (*release)(void *))
{
	struct engine	*e = ctx->e;
	size_t		 i;

	for (i = 0; i < e->nrun_data; i++)
		if (e->run_data[i].key == key)
			return e->run_data[i].data;
	e->run_data = xreallocarray(e->run_data, e->nrun_data + 1, sizeof *e->run_data);
	e->run_data[e->nrun_data].key = key;
	e->run_data[e->nrun_data].data = make();
	e->run_data[e->nrun_data].release = release;
	return e->run_data[e->nrun_data++].data;
}

struct json *
log_step_event(struct engine *e, const char *event, const struct tnode *t)
{
	struct json	*j = runlog_event_begin(&e->log, event);

	json_int(j, "ip", t->index);
	json_str(j, "name", t->name);
	json_str(j, "kind", t->kind == TN_GROUP ? "group" : "step");
	if (t->type != NULL)
		json_str(j, "type", t->type->name);
	json_str(j, "file", t->loc.file);
	json_int(j, "line", t->loc.line);
	if (t->kind == TN_STEP)		/* K of the run's N steps */
		json_int(j, "step", t->step_number);
	return j;
}
