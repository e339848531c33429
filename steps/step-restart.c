/*
 * step-restart.c - restart (ConfigMgr's Restart Computer).  The engine does
 * the work: it journals the next instruction, runs the reboot command
 * (--reboot-command, default `systemctl reboot`) and exits 3; at boot
 * tsi-resume.service runs `tsi resume`, which goes on after this step.
 */
#include "../interp/seq.h"
#include "steps.h"

enum {
	RS_MESSAGE,
};

static const struct param_spec params[] = {
	[RS_MESSAGE] = { "message", P_STRING, 0, NULL, 0, 0, NULL,
	    "Why the computer restarts; written to the log." },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	if (a->v[RS_MESSAGE].str != NULL)
		step_log(ctx, LOG_INFO, "restart: %s", a->v[RS_MESSAGE].str);
	step_request_restart(ctx);
	return 0;
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	(void)a;
	step_plan(ctx, "restart the computer and resume after step '%s'",
	    step_node(ctx)->name);
	return 0;
}

const struct step_type step_restart = {
	.name = "restart",
	.summary = "Restart the computer and resume the sequence after it.",
	.params = params,
	.flags = STEP_MAY_RESTART,
	.run = run,
	.plan = plan,
};
