/*
 * steps.h - the table of built-in step types (steps.c).
 */
#ifndef TSI_STEPS_H
#define TSI_STEPS_H

#include "../interp/step.h"

extern const struct step_type step_run_command;
extern const struct step_type step_set_variable;
extern const struct step_type step_restart;
extern const struct step_type step_run_sequence;
extern const struct step_type step_lua;
extern const struct step_type step_capture_user_state;
extern const struct step_type step_restore_user_state;
extern const struct step_type step_request_state_store;
extern const struct step_type step_release_state_store;

/* NULL-terminated, in the order `tsi steps` lists them. */
extern const struct step_type *const step_types[];

/* Exact, case-sensitive name lookup; NULL when unknown. */
const struct step_type	*step_type_find(const char *name);
/* The closest known name, for "did you mean"; NULL when none is close. */
const char		*step_type_suggest(const char *name);

#endif
