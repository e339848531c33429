/*
 * step-set-variable.c - set_variable (ConfigMgr's Set Task Sequence
 * Variable): an empty value deletes the variable; secret values never
 * reach a log, event or report.
 */
#include <string.h>

#include "../interp/seq.h"
#include "steps.h"

enum {
	SV_NAME,
	SV_VALUE,
	SV_SECRET,
};

static const struct param_spec params[] = {
	[SV_NAME] = { "name", P_STRING, P_REQUIRED | P_SETS_VAR, NULL, 0, 0, NULL,
	    "Variable to set (letters, digits, '_' and '-'; not starting with '_')." },
	[SV_VALUE] = { "value", P_STRING, 0, "", 0, 0, NULL,
	    "Value, with %VAR% references expanded; empty deletes the variable." },
	[SV_SECRET] = { "secret", P_BOOL, 0, "false", 0, 0, NULL,
	    "Never show the value in logs, events, reports or dry runs." },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static int
validate(const struct tnode *t, struct diag *d)
{
	const struct param_value *v = &t->args.v[SV_VALUE];

	if (v->str != NULL && strchr(v->str, '%') == NULL &&
	    strlen(v->str) > VAR_VALUE_MAX)
		return diag_error(d, &v->loc, "a variable value has at most %d "
		    "characters", VAR_VALUE_MAX);
	return 0;
}

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	const char	*name = a->v[SV_NAME].str, *value = a->v[SV_VALUE].str;
	int		 secret = a->v[SV_SECRET].b;

	if (step_set_var(ctx, name, value, secret) == -1)
		return STEP_RC_ERROR;
	if (*value == '\0')
		step_log(ctx, LOG_INFO, "deleted variable '%s'", name);
	else if (secret || step_var_is_secret(ctx, name))
		step_log(ctx, LOG_INFO, "set '%s' (secret)", name);
	else
		step_log(ctx, LOG_INFO, "set '%s' = '%s'", name, value);
	return 0;
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	const char	*name = a->v[SV_NAME].str, *value = a->v[SV_VALUE].str;
	int		 secret = a->v[SV_SECRET].b;

	/* a dry run changes nothing on the machine, but later conditions
	 * should see the value, so the in-memory environment is updated */
	if (step_set_var(ctx, name, value, secret) == -1)
		return STEP_RC_ERROR;
	if (*value == '\0')
		step_plan(ctx, "delete variable '%s'", name);
	else if (secret)
		step_plan(ctx, "set '%s' to a secret value", name);
	else
		step_plan(ctx, "set '%s' = '%s'", name, value);
	return 0;
}

const struct step_type step_set_variable = {
	.name = "set_variable",
	.summary = "Set a task sequence variable (empty value deletes it).",
	.params = params,
	.validate = validate,
	.run = run,
	.plan = plan,
};
