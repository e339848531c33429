/*
 * step-run-sequence.c - run_sequence (ConfigMgr's Run Task Sequence).
 *
 * The child is compiled inline: its steps become a group in the parent's
 * instruction table, with one variable environment for both, so resume,
 * dry runs and reports see every child step.  The child's `variables` are
 * defaults, set when the group starts unless already set.  The path is
 * literal (relative to the including file) so that include cycles are
 * found by `tsi validate`.
 */
#include <string.h>

#include "../interp/seq.h"
#include "steps.h"

enum {
	RQ_PATH,
};

static const struct param_spec params[] = {
	[RQ_PATH] = { "path", P_STRING, P_REQUIRED | P_LITERAL, NULL, 0, 0, NULL,
	    "Sequence file to run, relative to this file; no %VAR% expansion." },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static int
validate(const struct tnode *t, struct diag *d)
{
	if (t->args.v[RQ_PATH].str[0] == '\0')
		return diag_error(d, &t->args.v[RQ_PATH].loc, "'path' is empty");
	return 0;
}

const struct step_type step_run_sequence = {
	.name = "run_sequence",
	.summary = "Run another sequence file inline, as a group, sharing variables.",
	.params = params,
	.flags = STEP_INCLUDE,
	.validate = validate,
};
