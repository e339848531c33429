/* engine.c - the run loop and the services handlers use; see engine.h */
#include "engine-int.h"
#include "../lib/proc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const engine_builtin_vars[] = {
	"_SMSTSCurrentActionName",
	"_SMSTSNextInstructionPointer",
	"_SMSTSInstructionTableSize",
	"_SMSTSLastActionRetCode",
	"_SMSTSLastActionSucceeded",
	"_SMSTSMachineName",
	"_SMSTSLogPath",
	"_TSIRoot",
	"_OSDMigrateUseHardlinks",
	"SMSTSRebootRequested",
	"SMSTSRetryRequested",
	NULL,
};

/* Engine variables. */

void
engine_set_var(struct engine *e, const char *name, const char *value)
{
	vars_set(&e->vars, name, value, VAR_ENGINE);
}

#define set_engine_var	engine_set_var

static void
set_engine_int(struct engine *e, const char *name, long long v)
{
	char	s[32];

	snprintf(s, sizeof s, "%lld", v);
	set_engine_var(e, name, s);
}

/* "N step" or "N steps". */
static const char *
steps_word(size_t n)
{
	return n == 1 ? "step" : "steps";
}

/*
 * The nodes inside a skipped group are skipped with it: each step is
 * counted and reported as skipped (an event each); returns how many.
 */
static size_t
skip_inside(struct engine *e, const struct tnode *g)
{
	struct json	*j;
	size_t		 n = 0;
	int		 i;

	for (i = g->index + 1; i < g->end; i++) {
		const struct tnode *t = e->seq->nodes[i];

		e->status[i] = ST_SKIPPED;
		if (t->kind != TN_STEP)
			continue;
		n++;
		j = log_step_event(e, "skip", t);
		json_str(j, "reason", "its group was skipped");
		json_str(j, "group", g->name);
		runlog_event_end(&e->log);
	}
	return n;
}

/*
 * A condition that cannot be evaluated (an unported test) fails its node,
 * as a step that fails: a step's _SMSTSLastAction* say so; a group runs
 * none of its nodes.  continue_on_error applies as to any failure.
 */
static void
fail_on_condition(struct engine *e, const struct tnode *t, const char *why)
{
	struct json	*j;

	e->status[t->index] = ST_FAILED;
	if (t->kind == TN_STEP) {
		e->rc[t->index] = STEP_RC_ERROR;
		set_engine_int(e, "_SMSTSLastActionRetCode", STEP_RC_ERROR);
		set_engine_var(e, "_SMSTSLastActionSucceeded", "false");
		runlog_msg(&e->log, LOG_ERROR, "[%d/%zu] %s: failed: its condition "
		    "cannot be evaluated: %s", t->step_number, e->seq->nsteps, t->name, why);
		j = log_step_event(e, "step_end", t);
	} else {
		skip_inside(e, t);
		runlog_msg(&e->log, LOG_ERROR, "group '%s': failed: its condition "
		    "cannot be evaluated: %s", t->name, why);
		j = log_step_event(e, "group_end", t);
	}
	json_str(j, "result", "failed");
	json_str(j, "reason", why);
	runlog_event_end(&e->log);
}

/* Disabled nodes and false conditions: skipped (a group with all it holds),
 * _SMSTSLastAction* untouched.  0: the node runs; 1: skipped; -1: it failed
 * because its condition cannot be evaluated. */
static int
skip_if_needed(struct engine *e, const struct tnode *t)
{
	struct cond_env	 env = { &e->vars, e->root };
	struct buf	 cond = BUF_INIT, why = BUF_INIT, what = BUF_INIT;
	size_t		 n;
	int		 holds = 1;

	if (!t->disabled && t->cond != NULL)
		holds = cond_eval(t->cond, &env, &cond);
	if (holds == -1) {
		fail_on_condition(e, t, cond.data ? cond.data : "");
		buf_release(&cond);
		return -1;
	}
	if (!t->disabled && holds) {
		buf_release(&cond);
		return 0;
	}
	if (t->disabled)
		buf_adds(&why, "disabled");
	else
		buf_addf(&why, "condition false: %s", cond.data ? cond.data : "");
	e->status[t->index] = t->disabled ? ST_DISABLED : ST_SKIPPED;
	if (t->kind == TN_STEP)
		buf_addf(&what, "[%d/%zu] step '%s': skipped", t->step_number,
		    e->seq->nsteps, t->name);
	else if ((n = skip_inside(e, t)) > 0)
		buf_addf(&what, "group '%s': skipped with its %zu %s", t->name, n,
		    steps_word(n));
	else
		buf_addf(&what, "group '%s': skipped", t->name);
	runlog_msg(&e->log, LOG_INFO, "%s (%s)", what.data, why.data);
	json_str(log_step_event(e, "skip", t), "reason", t->disabled ? "disabled" :
	    cond.data ? cond.data : "");
	runlog_event_end(&e->log);
	buf_release(&cond);
	buf_release(&why);
	buf_release(&what);
	return 1;
}

static int
is_success(const struct tnode *t, long long rc)
{
	size_t	i;

	for (i = 0; i < t->nsuccess; i++)
		if (t->success_codes[i] == rc)
			return 1;
	return 0;
}

/* A dry run of a step type without a plan of its own. */
static int
generic_plan(struct step_ctx *ctx, const struct step_args *a)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	buf_addf(&b, "run '%s'", ctx->t->type->name);
	for (i = 0; i < a->n; i++) {
		if (!a->v[i].set || a->v[i].str == NULL)
			continue;
		buf_addf(&b, " %s=%s", a->spec[i].name,
		    (a->spec[i].flags & P_SECRET) ? VAR_REDACTED : a->v[i].str);
	}
	step_plan(ctx, "%s", b.data);
	buf_release(&b);
	return 0;
}

/* The soonest deadline of the run_sequence groups around t (0: none);
 * *limit is that group. */
static int64_t
groups_deadline(struct engine *e, const struct tnode *t, const struct tnode **limit)
{
	int64_t	d = 0;
	int	p;

	for (p = t->parent; p >= 0; p = e->seq->nodes[p]->parent)
		if (e->deadline[p] > 0 && (d == 0 || e->deadline[p] < d)) {
			d = e->deadline[p];
			*limit = e->seq->nodes[p];
		}
	return d;
}

/*
 * The step's deadline: its own timeout, or an enclosing run_sequence's
 * when that comes sooner.  *limit says whose it is, for the log.
 */
static int64_t
step_deadline_of(struct engine *e, const struct tnode *t, const struct tnode **limit)
{
	int64_t			 d = t->timeout > 0 ? now_ms() + (int64_t)t->timeout * 1000 : 0;
	const struct tnode	*g = NULL;
	int64_t			 gd = groups_deadline(e, t, &g);

	*limit = t;
	if (gd > 0 && (d == 0 || gd < d)) {
		d = gd;
		*limit = g;
	}
	return d;
}

static long long
call_handler(struct engine *e, struct step_ctx *ctx, const struct tnode **limit)
{
	const struct tnode	*t = ctx->t;
	struct step_args	 args;
	char			*err = NULL;
	long long		 rc;

	ctx->stop.deadline = step_deadline_of(e, t, limit);
	if (args_expand(&t->args, &args, &e->vars, &err) == -1) {
		runlog_msg(&e->log, LOG_ERROR, "step '%s': %s", t->name, err);
		free(err);
		return STEP_RC_ERROR;
	}
	if (e->dry_run)
		rc = t->type->plan ? t->type->plan(ctx, &args) : generic_plan(ctx, &args);
	else
		rc = t->type->run(ctx, &args);
	args_release(&args);
	return rc;
}

enum outcome {
	OUT_OK,
	OUT_FAILED,
	OUT_INTERRUPTED,
	OUT_ABORT,		/* the journal cannot be written: stop the run */
};

/* Engine-control variables a step may set (sccm-spec.md 1.6). */
static void
take_reboot_requests(struct engine *e, int *retry_same)
{
	const char	*reboot = vars_get(&e->vars, "SMSTSRebootRequested");
	const char	*retry = vars_get(&e->vars, "SMSTSRetryRequested");
	int		 b;

	if (reboot != NULL && parse_bool(reboot, &b) == 0 && b) {
		e->restart_pending = 1;
		if (retry != NULL && parse_bool(retry, &b) == 0 && b)
			*retry_same = 1;
	}
	vars_set(&e->vars, "SMSTSRebootRequested", "", VAR_ENGINE);
	vars_set(&e->vars, "SMSTSRetryRequested", "", VAR_ENGINE);
}

static enum outcome
run_step(struct engine *e, const struct tnode *t, int *retry_same)
{
	struct step_ctx		 ctx;
	struct stop		 until = { 0 };
	const struct tnode	*limit = t;
	int64_t			 start = now_ms();
	long long		 rc = 0;
	int			 attempt = 0, ok = 0;
	struct json		*j;

	set_engine_var(e, "_SMSTSCurrentActionName", t->name);
	set_engine_int(e, "_SMSTSNextInstructionPointer", t->index);
	e->status[t->index] = ST_RUNNING;
	if (!e->dry_run && journal_write(e, "running") == -1) {
		runlog_msg(&e->log, LOG_ERROR, "cannot write the journal '%s': %s; "
		    "stopping before step '%s'", e->journal_path, strerror(errno),
		    t->name);
		e->status[t->index] = ST_NOT_RUN;
		return OUT_ABORT;
	}
	runlog_status(&e->log, "step %d of %zu: %s", t->step_number, e->seq->nsteps,
	    t->name);
	runlog_msg(&e->log, LOG_INFO, "[%d/%zu] %s (%s, %s:%d)", t->step_number,
	    e->seq->nsteps, t->name, t->type->name, t->loc.file, t->loc.line);
	log_step_event(e, "step_start", t);
	runlog_event_end(&e->log);
	for (;;) {
		memset(&ctx, 0, sizeof ctx);
		ctx.e = e;
		ctx.t = t;
		/* an attempt never starts after its run_sequence's time is up */
		if (attempt > 0 && (until.deadline = groups_deadline(e, t, &limit)) > 0 &&
		    stop_check(&until) == STOP_DEADLINE) {
			ctx.timed_out = 1;
			rc = STEP_RC_TIMEOUT;
			break;
		}
		rc = call_handler(e, &ctx, &limit);
		if (stop_signal)
			return OUT_INTERRUPTED;
		/* the engine's promise: whatever the handler did, a step that
		 * came back after its deadline timed out and failed */
		if (!e->dry_run && ctx.stop.deadline > 0 && now_ms() >= ctx.stop.deadline)
			ctx.timed_out = 1;
		if (ctx.timed_out)
			rc = STEP_RC_TIMEOUT;
		ok = !ctx.timed_out && is_success(t, rc);
		if (ok || attempt >= t->retry_count || (ctx.timed_out && limit != t))
			break;
		attempt++;
		runlog_msg(&e->log, LOG_WARN, "step '%s' %s (exit code %lld); "
		    "retry %d of %d in %d s", t->name, ctx.timed_out ? "timed out" :
		    "failed", rc, attempt, t->retry_count, t->retry_delay);
		/* the wait before a retry ends with its run_sequence's time too */
		until.deadline = groups_deadline(e, t, &limit);
		if (stop_sleep(&until, (int64_t)t->retry_delay * 1000) == STOP_SIGNAL)
			return OUT_INTERRUPTED;
	}
	e->rc[t->index] = rc;
	e->duration_ms[t->index] = now_ms() - start;
	e->status[t->index] = ok ? ST_SUCCEEDED : ctx.timed_out ? ST_TIMED_OUT : ST_FAILED;
	set_engine_int(e, "_SMSTSLastActionRetCode", rc);
	set_engine_var(e, "_SMSTSLastActionSucceeded", ok ? "true" : "false");
	if (!e->dry_run) {
		if (ok && (ctx.restart || rc == STEP_RC_RESTART))
			e->restart_pending = 1;
		take_reboot_requests(e, retry_same);
	}
	if (e->dry_run)
		;	/* the plan said it all */
	else if (ctx.timed_out && limit == t)
		runlog_msg(&e->log, LOG_ERROR, "[%d/%zu] %s: failed: timed out after "
		    "%d s (exit code %d)", t->step_number, e->seq->nsteps, t->name,
		    t->timeout, STEP_RC_TIMEOUT);
	else if (ctx.timed_out)
		runlog_msg(&e->log, LOG_ERROR, "[%d/%zu] %s: failed: timed out: the "
		    "timeout of '%s' (%d s) passed (exit code %d)", t->step_number,
		    e->seq->nsteps, t->name, limit->name, limit->timeout, STEP_RC_TIMEOUT);
	else
		runlog_msg(&e->log, ok ? LOG_INFO : LOG_ERROR, "[%d/%zu] %s: %s (exit "
		    "code %lld, %.3f s)", t->step_number, e->seq->nsteps, t->name,
		    ok ? "succeeded" : "failed", rc,
		    (double)e->duration_ms[t->index] / 1000);
	j = log_step_event(e, "step_end", t);
	json_str(j, "result", ok ? "succeeded" : "failed");
	json_int(j, "exit_code", rc);
	json_int(j, "duration_ms", e->duration_ms[t->index]);
	json_int(j, "attempts", attempt + 1);
	if (ctx.timed_out)
		json_bool(j, "timed_out", 1);
	if (e->restart_pending)
		json_bool(j, "restart", 1);
	runlog_event_end(&e->log);
	return ok ? OUT_OK : OUT_FAILED;
}

/* A failure that continue_on_error does not absorb: skip the siblings. */
static void
fail_parent(struct engine *e, const struct tnode *t)
{
	const struct tnode	*p;

	if (t->parent < 0) {
		e->failed = 1;
		e->ip = (int)e->seq->n;
		return;
	}
	p = e->seq->nodes[t->parent];
	if (e->status[p->index] != ST_TIMED_OUT)	/* the stronger reason stays */
		e->status[p->index] = ST_FAILED;
	e->ip = p->end;
	if (t->index + 1 < p->end && t->end < p->end)
		runlog_msg(&e->log, LOG_INFO, "skipping the rest of group '%s'", p->name);
}

/* A run_sequence with a timeout: its child sequence's time starts now
 * (again after a resume). */
static void
arm_group(struct engine *e, const struct tnode *t)
{
	if (t->timeout > 0)
		e->deadline[t->index] = now_ms() + (int64_t)t->timeout * 1000;
}

/*
 * An open group whose time is up: it and the groups open inside it time
 * out, and what is left of them does not run.  Outermost first.
 */
static void
expire_groups(struct engine *e, const int *stack, int nstack)
{
	const struct tnode	*g;
	int			 i, k;

	for (i = 0; i < nstack; i++) {
		g = e->seq->nodes[stack[i]];
		if (e->deadline[g->index] == 0 || now_ms() < e->deadline[g->index])
			continue;
		runlog_msg(&e->log, LOG_ERROR, "group '%s' timed out after %d s: what "
		    "is left of it does not run", g->name, g->timeout);
		for (k = i; k < nstack; k++)
			e->status[stack[k]] = ST_TIMED_OUT;
		if (e->ip < g->end)
			e->ip = g->end;
		return;
	}
}

static void
enter_group(struct engine *e, const struct tnode *t)
{
	size_t	i;

	e->status[t->index] = ST_RUNNING;
	arm_group(e, t);
	runlog_msg(&e->log, LOG_INFO, "group '%s'%s%s", t->name,
	    t->include_file ? ": running " : "", t->include_file ? t->include_file : "");
	log_step_event(e, "group_start", t);
	runlog_event_end(&e->log);
	/* a child sequence's variables are defaults: set only what is unset */
	for (i = 0; i < t->ndefaults; i++)
		if (vars_get(&e->vars, t->defaults[i].name) == NULL)
			vars_set(&e->vars, t->defaults[i].name, t->defaults[i].value,
			    t->defaults[i].secret ? VAR_SECRET : 0);
}

static void
finish_group(struct engine *e, const struct tnode *t)
{
	int		 failed = e->status[t->index] == ST_FAILED ||
			    e->status[t->index] == ST_TIMED_OUT;
	struct json	*j;

	if (!failed)
		e->status[t->index] = ST_SUCCEEDED;
	j = log_step_event(e, "group_end", t);
	json_str(j, "result", failed ? "failed" : "succeeded");
	if (e->status[t->index] == ST_TIMED_OUT)
		json_bool(j, "timed_out", 1);
	runlog_event_end(&e->log);
	e->deadline[t->index] = 0;
	if (!failed)
		return;
	if (t->continue_on_error) {
		runlog_msg(&e->log, LOG_WARN, "group '%s' failed; going on "
		    "(continue_on_error)", t->name);
		return;
	}
	runlog_msg(&e->log, LOG_ERROR, "group '%s' failed", t->name);
	fail_parent(e, t);
}

/* Open groups are the ancestors of the instruction pointer. */
static int
build_stack(struct engine *e, int *stack)
{
	int	n = 0, i, p;

	if (e->ip >= (int)e->seq->n)
		return 0;
	for (p = e->seq->nodes[e->ip]->parent; p >= 0; p = e->seq->nodes[p]->parent)
		n++;
	i = n;
	for (p = e->seq->nodes[e->ip]->parent; p >= 0; p = e->seq->nodes[p]->parent)
		stack[--i] = p;
	return n;
}

/* The run loop (sccm-spec.md 1.2).  stack holds the open groups. */
static enum loop_end
engine_loop(struct engine *e, int *stack, int nstack)
{
	const struct tnode	*t;
	int			 retry_same;

	for (;;) {
		expire_groups(e, stack, nstack);
		while (nstack > 0 && e->ip >= e->seq->nodes[stack[nstack - 1]]->end)
			finish_group(e, e->seq->nodes[stack[--nstack]]);
		if (e->failed)
			break;
		if (e->restart_pending)
			return LOOP_RESTART;
		if (e->ip >= (int)e->seq->n)
			break;
		t = e->seq->nodes[e->ip];
		switch (skip_if_needed(e, t)) {
		case 1:
			e->ip = t->end;
			continue;
		case -1:
			e->ip = t->end;
			if (t->continue_on_error)
				runlog_msg(&e->log, LOG_WARN, "%s '%s' failed; going on "
				    "(continue_on_error)", t->kind == TN_STEP ? "step" :
				    "group", t->name);
			else
				fail_parent(e, t);
			continue;
		}
		if (t->kind == TN_GROUP) {
			enter_group(e, t);
			stack[nstack++] = e->ip++;
			continue;
		}
		retry_same = 0;
		switch (run_step(e, t, &retry_same)) {
		case OUT_INTERRUPTED:
			return LOOP_INTERRUPTED;
		case OUT_ABORT:
			e->failed = 1;
			e->journal_failed = 1;
			return LOOP_DONE;
		case OUT_OK:
			e->ip = retry_same ? t->index : t->index + 1;
			break;
		case OUT_FAILED:
			if (t->continue_on_error) {
				runlog_msg(&e->log, LOG_WARN, "step '%s' failed; going "
				    "on (continue_on_error)", t->name);
				e->ip = t->index + 1;
			} else
				fail_parent(e, t);
			break;
		}
	}
	return LOOP_DONE;
}

/* Rebuilds the open groups (on a resume) and runs on. */
enum loop_end
engine_continue(struct engine *e, int interrupted_no_rerun)
{
	int		*stack = xcalloc(e->seq->n + 1, sizeof *stack), n, k;
	enum loop_end	 r;

	n = build_stack(e, stack);
	for (k = 0; k < n; k++)
		arm_group(e, e->seq->nodes[stack[k]]);
	if (interrupted_no_rerun) {
		const struct tnode *t = e->seq->nodes[e->ip];

		runlog_msg(&e->log, LOG_ERROR, "step '%s' was interrupted while it "
		    "ran and must not be run again (rerun_on_resume: false): it "
		    "failed", t->name);
		e->status[t->index] = ST_FAILED;
		e->rc[t->index] = STEP_RC_ERROR;
		set_engine_int(e, "_SMSTSLastActionRetCode", STEP_RC_ERROR);
		set_engine_var(e, "_SMSTSLastActionSucceeded", "false");
		if (t->continue_on_error)
			e->ip = t->index + 1;
		else
			fail_parent(e, t);
	}
	r = engine_loop(e, stack, n);
	free(stack);
	return r;
}
