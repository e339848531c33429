/*
 * state-step.c - shared by the user-state steps; see state-step.h.
 */
#include "state-step.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/proc.h"
#include "../interp/seq.h"
#include "../migrate/migrate.h"
#include "../smp/smp-client.h"

const char *
state_param(struct step_ctx *ctx, const struct step_args *a, int i, const char *var,
    const char *def)
{
	const char	*v;

	if (a->v[i].set && a->v[i].str != NULL)
		return a->v[i].str;
	if (var != NULL && (v = step_var(ctx, var)) != NULL && *v != '\0')
		return v;
	return def;
}

int
state_bool(struct step_ctx *ctx, const struct step_args *a, int i, const char *var,
    int def)
{
	const char	*v;

	if (a->v[i].set)
		return a->v[i].b;
	if (var == NULL || (v = step_var(ctx, var)) == NULL || *v == '\0')
		return def;
	return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
	    strcasecmp(v, "yes") == 0;
}

static void
to_step(void *arg, enum state_msg kind, int percent, const char *msg)
{
	struct step_ctx	*ctx = arg;

	switch (kind) {
	case STATE_PROGRESS:
		step_progress(ctx, percent >= 0 ? percent / 100.0 : 0, msg);
		break;
	case STATE_FINDING:
		step_log(ctx, LOG_WARN, "finding: %s", msg);
		break;
	case STATE_VERBOSE:
		step_log(ctx, LOG_DEBUG, "%s", msg);
		break;
	default:
		step_log(ctx, LOG_INFO, "%s", msg);
	}
}

void
state_log_init(struct step_ctx *ctx, struct state_log *log)
{
	log->fn = to_step;
	log->ctx = ctx;
	log->stop = step_stop(ctx);
}

const char *
state_identity_dir(struct step_ctx *ctx)
{
	const char	*v = step_var(ctx, "TSIIdentityDir");

	return v != NULL && *v != '\0' ? v : DEFAULT_IDENTITY_DIR;
}

int
state_check_switches(const struct tnode *t, struct diag *d, int tool)
{
	const struct param_value	*v = args_get(&t->args, "additional_options");
	struct usmt_opts		 uo;
	char				*err = NULL;
	int				 r = 0;

	if (v == NULL || !v->set || v->str == NULL || strchr(v->str, '%') != NULL)
		return 0;
	if (usmt_parse((enum usmt_tool)tool, v->str, &uo, &err) == -1) {
		r = diag_error(d, &v->loc, "%s", err);
		free(err);
	} else
		usmt_release(&uo);
	return r;
}

static int
state_var_true(struct step_ctx *ctx, const char *var)
{
	const char	*v = step_var(ctx, var);

	return v != NULL && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

static void
smp_note_to_step(void *ctx, const char *msg)
{
	step_log(ctx, LOG_WARN, "%s", msg);
}

/* A policy variable: a whole number in [0, max], else def. */
static int
policy_var(struct step_ctx *ctx, const char *var, long long max, int def)
{
	const char	*v = step_var(ctx, var);
	long long	 n;

	if (v == NULL || str_to_ll(v, &n) == -1 || n < 0)
		return def;
	return (int)(n > max ? max : n);
}

void
state_smp_opts(struct step_ctx *ctx, struct smp_client_opts *o, long long count,
    long long delay)
{
	memset(o, 0, sizeof *o);
	o->identity_dir = state_identity_dir(ctx);
	o->cacert = step_var(ctx, "TSISMPCACert");
	o->retry_count = count >= 0 ? (int)count : policy_var(ctx, "OSDStateSMPRetryCount",
	    30, 3);
	o->retry_delay_s = delay >= 0 ? (int)delay : policy_var(ctx, "OSDStateSMPRetryTime",
	    600, 60);
	o->allow_plain_http = state_var_true(ctx, "TSISMPAllowPlainHTTP");
	o->recovery_key = step_var(ctx, "TSIRecoveryKey");
	o->note = smp_note_to_step;
	o->stop = step_stop(ctx);
	o->ctx = ctx;
}
