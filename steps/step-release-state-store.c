/*
 * step-release-state-store.c - release_state_store (ConfigMgr's Release
 * State Store): after a capture, the SMP checks that the store arrived
 * whole and makes it readable by the destination only; after a restore,
 * the SMP starts its retention timer.  A local store has nothing to
 * release.
 */
#include "state-step.h"

#include <stdlib.h>

#include "../smp/smp-client.h"

enum { RL_STORE };

static const struct param_spec params[] = {
	[RL_STORE] = { "store_path", P_STRING, 0, NULL, 0, 0, NULL,
	    "The SMP store URL.", "OSDStateStorePath", NULL },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static int
release(struct step_ctx *ctx, const struct step_args *a, int plan_only)
{
	const char		*store = args_str(a, RL_STORE, NULL);
	struct smp_client_opts	 so;
	char			*info = NULL, *err = NULL;
	int			 r;

	if (store == NULL) {
		step_log(ctx, LOG_ERROR, "no store to release: OSDStateStorePath is not set "
		    "(request_state_store sets it)");
		return STEP_RC_ERROR;
	}
	if (!smp_is_url(store)) {
		if (plan_only)
			step_plan(ctx, "do nothing: '%s' is a local store, with nothing to "
			    "release", store);
		else
			step_log(ctx, LOG_INFO, "nothing to release: '%s' is a local store",
			    store);
		return 0;
	}
	if (plan_only) {
		step_plan(ctx, "release the SMP store %s", store);
		return 0;
	}
	state_smp_opts(ctx, &so, -1, -1);
	if ((r = smp_release(store, &so, &info, &err)) == -1)
		step_log(ctx, LOG_ERROR, "%s", err);
	else
		step_log(ctx, LOG_INFO, "released: %s", info);
	free(info);
	free(err);
	return r == 0 ? 0 : STEP_RC_ERROR;
}

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	return release(ctx, a, 0);
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	return release(ctx, a, 1);
}

const struct step_type step_release_state_store = {
	.name = "release_state_store",
	.summary = "Release a State Migration Point store: complete after a capture, "
	    "retention after a restore.",
	.params = params,
	.flags = STEP_NETWORK,
	.run = run,
	.plan = plan,
};
