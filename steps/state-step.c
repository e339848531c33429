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

size_t
state_smp_list(const char *list, char **out, size_t max)
{
	char	*copy = xstrdup(list), *save, *tok;
	size_t	 n = 0;

	for (tok = strtok_r(copy, " \t\r\n,;", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, " \t\r\n,;", &save))
		out[n++] = xstrdup(tok);
	free(copy);
	return n;
}

const char *
state_identity_dir(struct step_ctx *ctx)
{
	const char	*v = step_var(ctx, "TSIIdentityDir");

	return v != NULL && *v != '\0' ? v : DEFAULT_IDENTITY_DIR;
}

static int
check_switches(enum usmt_tool tool, const char *value, char **why)
{
	struct usmt_opts	uo;

	if (usmt_parse(tool, value, &uo, why) == -1)
		return -1;
	usmt_release(&uo);
	return 0;
}

int
state_check_capture_switches(const char *value, char **why)
{
	return check_switches(USMT_CAPTURE, value, why);
}

int
state_check_restore_switches(const char *value, char **why)
{
	return check_switches(USMT_RESTORE, value, why);
}

static void
smp_note_to_step(void *ctx, const char *msg)
{
	step_log(ctx, LOG_WARN, "%s", msg);
}

/* A boolean variable; its value was checked when it was set. */
static int
bool_var(struct step_ctx *ctx, const char *var)
{
	const char	*v = step_var(ctx, var);
	int		 b = 0;

	return v != NULL && parse_bool(v, &b) == 0 && b;
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

static void *
pool_make(void)
{
	return smp_pool_new();
}

static void
pool_release(void *p)
{
	smp_pool_free(p);
}

void
state_smp_opts(struct step_ctx *ctx, struct smp_client_opts *o, long long count,
    long long delay)
{
	static const char	pool_key[] = "smp connection";

	memset(o, 0, sizeof *o);
	o->identity_dir = state_identity_dir(ctx);
	o->cacert = step_var(ctx, "TSISMPCACert");
	o->retry_count = count >= 0 ? (int)count : policy_var(ctx, "OSDStateSMPRetryCount",
	    30, 3);
	o->retry_delay_s = delay >= 0 ? (int)delay : policy_var(ctx, "OSDStateSMPRetryTime",
	    600, 60);
	o->allow_plain_http = bool_var(ctx, "TSISMPAllowPlainHTTP");
	o->recovery_key = step_var(ctx, "TSIRecoveryKey");
	o->note = smp_note_to_step;
	o->stop = step_stop(ctx);
	o->pool = step_run_data(ctx, pool_key, pool_make, pool_release);
	o->ctx = ctx;
}
