/*
 * steps.h - the built-in step types (one file each), and the table that
 * hands them to interp (steps.c).
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
extern const struct step_type step_unported;

/* The built-ins in the order `tsi steps` lists them, the variables they
 * read and the whole-sequence checks of `tsi validate`. */
extern const struct step_table builtin_steps;

/* run-status.c: the run's status, reported to its site (TSIStatusURL,
 * or the first of TSIStateMigrationPoints) for `tsi run` and `tsi resume`. */
struct run_watch;
extern const struct run_watch status_watch;

struct sequence;
struct diag;
/* check-smp.c: the SMP steps in execution order (every request released,
 * captures and restores use a store requested for them, continue_on_error
 * between request and release); -1 on errors. */
int	sequence_check_smp(const struct sequence *, struct diag *);

#endif
