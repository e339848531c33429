/*
 * node-keys.c - the keys of a sequence file's nodes and of its top level,
 * with their limits and defaults: one table that the compiler checks
 * against, and `tsi schema` and `tsi steps` print (seq.h).
 */
#include "seq.h"

#include <string.h>

#define STR_(x)	#x
#define STR(x)	STR_(x)

static const struct node_key retry_fields[] = {
	{ "count", NK_INT, 0, 0, RETRY_COUNT_MAX, "0", NULL,
	    "Attempts after the first failed one." },
	{ "delay", NK_INT, 0, 0, RETRY_DELAY_MAX, "0", NULL,
	    "Seconds between attempts." },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const struct node_key lua_limit_fields[] = {
	{ "memory_mb", NK_INT, 0, 1, 4096, STR(LUA_DEFAULT_MEMORY_MB), NULL,
	    "Memory the step may allocate, in MiB." },
	{ "instructions", NK_INT, 0, 1000, 1000000000000LL,
	    STR(LUA_DEFAULT_INSTRUCTIONS), NULL,
	    "Lua VM instructions a call may run." },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct node_key node_keys[NODE_KEYS + 1] = {
	[NODE_KEY_NAME] = { "name", NK_STRING, NK_GROUP | NK_STEP,
	    0, NAME_MAX_LEN, NULL, NULL,
	    "Shown in logs and reports (a step's defaults to its type)." },
	[NODE_KEY_DESCRIPTION] = { "description", NK_STRING, NK_GROUP | NK_STEP,
	    0, DESCRIPTION_MAX_LEN, NULL, NULL, "Free text." },
	[NODE_KEY_DISABLED] = { "disabled", NK_BOOL, NK_GROUP | NK_STEP,
	    0, 0, "false", NULL,
	    "Skip this node entirely." },
	[NODE_KEY_CONTINUE_ON_ERROR] = { "continue_on_error", NK_BOOL,
	    NK_GROUP | NK_STEP, 0, 0, "false", NULL,
	    "A failure here does not fail the enclosing group." },
	[NODE_KEY_CONDITION] = { "condition", NK_CONDITION, NK_GROUP | NK_STEP,
	    0, 0, NULL, NULL,
	    "Run the node only when it holds." },
	[NODE_KEY_STEPS] = { "steps", NK_STEPS, NK_GROUP, 0, 0, NULL, NULL,
	    "The nodes of a group, in order." },
	[NODE_KEY_TYPE] = { "type", NK_TYPE, NK_STEP,
	    0, 0, NULL, NULL, "The step type." },
	[NODE_KEY_WITH] = { "with", NK_WITH, NK_STEP,
	    0, 0, NULL, NULL, "The step type's parameters." },
	[NODE_KEY_TIMEOUT] = { "timeout", NK_INT, NK_STEP,
	    1, TIMEOUT_MAX, NULL, NULL,
	    "Seconds; a step that runs longer is stopped and fails (timed out, "
	    "exit code 124).  On run_sequence: the whole child sequence." },
	[NODE_KEY_SUCCESS_CODES] = { "success_codes", NK_CODES, NK_STEP | NK_RUNS,
	    0, 0, "0 3010", NULL,
	    "Exit codes that mean success." },
	[NODE_KEY_RETRY] = { "retry", NK_MAP, NK_STEP | NK_RUNS,
	    0, 0, NULL, retry_fields,
	    "Run a failing step again." },
	[NODE_KEY_RERUN_ON_RESUME] = { "rerun_on_resume", NK_BOOL, NK_STEP | NK_RUNS,
	    0, 0, "true", NULL,
	    "Run the step again when a run was interrupted inside it." },
	[NODE_KEY_LUA_LIMITS] = { "lua_limits", NK_MAP, NK_STEP | NK_LUA,
	    0, 0, NULL, lua_limit_fields,
	    "Budgets of a Lua step; its time limit is 'timeout' (default "
	    STR(LUA_DEFAULT_SECONDS) " s)." },
	[NODE_KEYS] = { NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct node_key top_keys[TOP_KEYS + 1] = {
	[TOP_KEY_NAME] = { "name", NK_STRING, 0,
	    0, NAME_MAX_LEN, NULL, NULL, "Name of the sequence." },
	[TOP_KEY_DESCRIPTION] = { "description", NK_STRING, 0,
	    0, DESCRIPTION_MAX_LEN, NULL, NULL, "Free text." },
	[TOP_KEY_VARIABLES] = { "variables", NK_VARIABLES, 0, 0, 0, NULL, NULL,
	    "Defaults of variables: NAME: VALUE or NAME: {value, secret}." },
	[TOP_KEY_EXTENSIONS] = { "extensions", NK_PATHS, 0, 0, 0, NULL, NULL,
	    "Lua files or directories of them, relative to this file, that "
	    "register step types." },
	[TOP_KEY_STEPS] = { "steps", NK_STEPS, 0,
	    0, 0, NULL, NULL, "The nodes, in order." },
	[TOP_KEYS] = { NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const char *
node_key_kind_name(enum node_key_kind k)
{
	static const char *const names[] = {
		[NK_STRING] = "string", [NK_BOOL] = "boolean", [NK_INT] = "integer",
		[NK_MAP] = "mapping", [NK_CONDITION] = "condition",
		[NK_STEPS] = "list of nodes", [NK_TYPE] = "step type",
		[NK_WITH] = "mapping", [NK_CODES] = "exit codes",
		[NK_VARIABLES] = "mapping", [NK_PATHS] = "list of paths",
	};

	return names[k];
}
