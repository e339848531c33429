/*
 * steps.c - the single table of step types.
 *
 * To add a step type:
 *  1. write steps/step-NAME.c with one `const struct step_type step_NAME`
 *     (params rows with help text, run, and plan unless the generic plan
 *     says enough); keep everything else in the file static;
 *  2. declare it in steps/steps.h and list it in step_types[] below;
 *  3. add tests/cases/NNNN-step-NAME-*.t: a run, a dry run and a
 *     validation error at least;
 *  4. run `make schemas` and commit schemas/sequence.schema.json;
 *  5. document it in README.md.
 * tests/t/t0100-meta.sh checks 3 to 5 for every entry.
 */
#include "steps.h"

#include <string.h>

#include "../lib/util.h"

const struct step_type *const step_types[] = {
	&step_run_command,
	&step_set_variable,
	&step_restart,
	&step_run_sequence,
	&step_lua,
	&step_request_state_store,
	&step_capture_user_state,
	&step_restore_user_state,
	&step_release_state_store,
	NULL,
};

const struct step_type *
step_type_find(const char *name)
{
	size_t	i;

	for (i = 0; step_types[i] != NULL; i++)
		if (strcmp(step_types[i]->name, name) == 0)
			return step_types[i];
	return NULL;
}

const char *
step_type_suggest(const char *name)
{
	const char	*names[64];
	size_t		 n;

	for (n = 0; step_types[n] != NULL && n < ARRAY_SIZE(names); n++)
		names[n] = step_types[n]->name;
	return str_suggest(name, names, n);
}
