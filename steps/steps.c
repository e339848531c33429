/*
 * steps.c - the single table of step types.
 *
 * To add a step type:
 *  1. write steps/step-NAME.c with one `const struct step_type step_NAME`
 *     (params rows with help text, run, and plan unless the generic plan
 *     says enough); keep everything else in the file static;
 *  2. declare it in steps/steps.h and list it in types[] below;
 *  3. add tests/cases/NNNN-step-NAME-*.t: a run, a dry run and a
 *     validation error at least;
 *  4. run `make schemas` and commit schemas/sequence.schema.json;
 *  5. document it in docs/sequences.md, in a section headed ### `NAME`
 *     with an example (tests/t/t0120-docs.sh validates it).
 * tests/t/t0100-meta.sh checks 3 to 5 for every entry.
 */
#include "steps.h"

#include "../lib/defaults.h"

static const struct step_type *const types[] = {
	&step_run_command,
	&step_set_variable,
	&step_restart,
	&step_run_sequence,
	&step_lua,
	&step_request_state_store,
	&step_capture_user_state,
	&step_restore_user_state,
	&step_release_state_store,
	&step_unported,
	NULL,
};

/* Variables the steps read that no parameter falls back to. */
static const struct param_spec vars[] = {
	{ "TSIIdentityDir", P_STRING, 0, DEFAULT_IDENTITY_DIR, 0, 0, NULL,
	    "This computer's identity (tsi identity init).", NULL, NULL },
	{ "TSIRecoveryKey", P_STRING, 0, NULL, 0, 0, NULL,
	    "The site's recovery key (a public line or a file): stores are "
	    "encrypted to it too, and an SMP store must be.", NULL, NULL },
	{ "TSISMPCACert", P_STRING, 0, NULL, 0, 0, NULL,
	    "The State Migration Point's certificate (smp-cert.pem), pinned; a "
	    "bundle for several SMPs.", NULL, NULL },
	{ "TSIStatusURL", P_STRING, 0, NULL, 0, 0, NULL,
	    "The SMP that runs report their status to (https://HOST:PORT); default: "
	    "the first of TSIStateMigrationPoints.", NULL, NULL },
	{ "TSISMPAllowPlainHTTP", P_BOOL, 0, "false", 0, 0, NULL,
	    "Allow http:// SMP URLs (debugging only).", NULL, NULL },
	{ "OSDStateSMPRetryCount", P_INT, 0, "3", 0, 30, NULL,
	    "Retries of a failed SMP request.", NULL, NULL },
	{ "OSDStateSMPRetryTime", P_INT, 0, "60", 0, 600, NULL,
	    "Seconds between SMP retries.", NULL, NULL },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL, NULL },
};

static int (*const checks[])(const struct sequence *, struct diag *) = {
	sequence_check_smp,
	NULL,
};

const struct step_table builtin_steps = { types, vars, checks };
