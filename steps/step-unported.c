/*
 * step-unported.c - unported: a step that tsi import could not bring over
 * (a ConfigMgr or MDT step type with no tsi equivalent).  It keeps the
 * original type, command line and properties so the admin sees what to
 * port, `tsi validate` warns about it, and it fails when it runs (a dry
 * run says it would), so nothing is dropped silently: the sequence around
 * it keeps ConfigMgr's failure semantics (continue_on_error, the group's
 * failure) as if the original step had failed.
 */
#include <stdlib.h>
#include <string.h>

#include "../interp/seq.h"
#include "steps.h"

enum {
	UP_ORIGINAL_TYPE,
	UP_IMPORTED_FROM,
	UP_REASON,
	UP_ACTION,
	UP_PROPERTIES,
};

static const struct param_spec params[] = {
	[UP_ORIGINAL_TYPE] = { "original_type", P_STRING, P_REQUIRED | P_LITERAL,
	    NULL, 0, 0, NULL, "The step type it had (SMS_TaskSequence_"
	    "PartitionDiskAction, BDD_Gather...)." },
	[UP_IMPORTED_FROM] = { "imported_from", P_STRING, P_LITERAL, NULL, 0, 0,
	    NULL, "Where it was: FILE:LINE of the task-sequence XML." },
	[UP_REASON] = { "reason", P_STRING, P_LITERAL, NULL, 0, 0, NULL,
	    "Why tsi import could not convert it." },
	[UP_ACTION] = { "action", P_STRING, P_LITERAL, NULL, 0, 0, NULL,
	    "Its command line, as written." },
	[UP_PROPERTIES] = { "properties", P_MAP, P_LITERAL, NULL, 0, 0, NULL,
	    "Its properties (the XML's defaultVarList), as written." },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

/* "SMS_TaskSequence_PartitionDiskAction from ts.xml:57" */
static char *
what(const struct step_args *a)
{
	const char	*from = a->v[UP_IMPORTED_FROM].str;

	return xasprintf("%s%s%s", a->v[UP_ORIGINAL_TYPE].str, from ? " from " : "",
	    from ? from : "");
}

static int
validate(const struct tnode *t, struct diag *d)
{
	char	*w = what(&t->args);

	diag_warning(d, &t->loc, "step '%s' is not ported (%s)%s: port it to tsi "
	    "steps; it fails when it runs", t->name, w, t->disabled ?
	    " and disabled" : "");
	free(w);
	return 0;
}

static int
fail(struct step_ctx *ctx, const struct step_args *a, int dry_run)
{
	const struct param_value	*props = &a->v[UP_PROPERTIES];
	const char			*reason = a->v[UP_REASON].str;
	char				*w = what(a);
	size_t				 i;

	if (dry_run)
		step_plan(ctx, "fail: not ported: %s%s%s", w,
		    reason ? ": " : "", reason ? reason : "");
	else
		step_log(ctx, LOG_ERROR, "not ported: %s%s%s", w, reason ? ": " : "",
		    reason ? reason : "");
	if (!dry_run && a->v[UP_ACTION].str != NULL)
		step_log(ctx, LOG_INFO, "its command line was: %s", a->v[UP_ACTION].str);
	/* a password property may hold one: its value never reaches the log */
	for (i = 0; !dry_run && i + 1 < props->nitems; i += 2)
		step_log(ctx, LOG_INFO, "its property %s was '%s'", props->items[i],
		    strcasestr(props->items[i], "password") != NULL ? VAR_REDACTED :
		    props->items[i + 1]);
	free(w);
	return STEP_RC_ERROR;
}

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	return fail(ctx, a, 0);
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	return fail(ctx, a, 1);
}

const struct step_type step_unported = {
	.name = "unported",
	.summary = "A step tsi import could not convert: it keeps the original and "
	    "fails when it runs.",
	.params = params,
	.validate = validate,
	.run = run,
	.plan = plan,
};
