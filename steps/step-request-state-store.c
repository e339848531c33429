/*
 * step-request-state-store.c - request_state_store (ConfigMgr's Request
 * State Store): asks the State Migration Points in TSIStateMigrationPoints,
 * in order, for a store to capture into (the first with room: under
 * max_clients, above min_free, not restore-only) or for the store that
 * holds this computer's users' state, retrying the list as the policy
 * says, and sets OSDStateStorePath to the store's URL.
 */
#include "state-step.h"

#include <stdlib.h>
#include <string.h>

#include "../smp/smp-client.h"

enum { RQ_MODE, RQ_COUNT, RQ_DELAY, RQ_SMPS };

static const char *const modes[] = { "capture", "restore", NULL };

static const struct param_spec params[] = {
	[RQ_MODE] = { "mode", P_ENUM, P_REQUIRED, NULL, 0, 0, modes,
	    "capture: a store on an SMP with room; restore: the SMP that holds this "
	    "computer's store." },
	[RQ_COUNT] = { "retry_count", P_INT, 0, "3", 0, 30, NULL,
	    "Times the list of SMPs is tried again, and a failed transfer retried.",
	    "OSDStateSMPRetryCount", NULL },
	[RQ_DELAY] = { "retry_delay", P_INT, 0, "60", 0, 600, NULL,
	    "Seconds between attempts.", "OSDStateSMPRetryTime", NULL },
	[RQ_SMPS] = { "state_migration_points", P_STRING, 0, NULL, 0, 0, NULL,
	    "SMP URLs such as https://smp1:8443, separated by spaces, commas or "
	    "semicolons.",
	    "TSIStateMigrationPoints", NULL },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static const char *const sets[] = { "OSDStateStorePath", NULL };

static int
request(struct step_ctx *ctx, const struct step_args *a, int plan_only)
{
	const char		*mode = a->v[RQ_MODE].str;
	const char		*list = args_str(a, RQ_SMPS, "");
	struct smp_client_opts	 so;
	char			*smps[32], *url = NULL, *err = NULL;
	size_t			 n, i;
	int			 r = STEP_RC_ERROR;

	n = state_smp_list(list, smps, 32);
	state_smp_opts(ctx, &so, a->v[RQ_COUNT].num, a->v[RQ_DELAY].num);
	for (i = 0; i < n && smp_is_url(smps[i]); i++)
		;
	if (n == 0 || i < n) {
		step_log(ctx, LOG_ERROR, "%s: set TSIStateMigrationPoints to the SMPs' URLs, "
		    "such as \"https://smp1.example.org:8443 https://smp2.example.org:8443\"",
		    n == 0 ? "no State Migration Point" : "not an SMP URL");
		goto out;
	}
	if (plan_only) {
		step_plan(ctx, "ask %zu State Migration Point%s for a %s store (%d retries, "
		    "%d s apart) and set OSDStateStorePath", n, n == 1 ? "" : "s", mode,
		    so.retry_count, so.retry_delay_s);
		/* the steps after it plan against the store they would get */
		url = xasprintf("%s/v1/stores/ASSIGNED-BY-THE-SMP", smps[0]);
		r = step_set_var(ctx, "OSDStateStorePath", url, 0) == -1 ? STEP_RC_ERROR : 0;
		goto out;
	}
	if (smp_request(smps, n, mode, &so, &url, &err) == -1) {
		step_log(ctx, LOG_ERROR, "%s", err);
		goto out;
	}
	if (step_set_var(ctx, "OSDStateStorePath", url, 0) == -1)
		goto out;
	step_log(ctx, LOG_INFO, "store for %s: %s", mode, url);
	r = 0;
out:
	for (i = 0; i < n; i++)
		free(smps[i]);
	free(url);
	free(err);
	return r;
}

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	return request(ctx, a, 0);
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	return request(ctx, a, 1);
}

const struct step_type step_request_state_store = {
	.name = "request_state_store",
	.summary = "Get a store on a State Migration Point, to capture into or restore from.",
	.params = params,
	.flags = STEP_NETWORK,
	.sets = sets,
	.run = run,
	.plan = plan,
};
