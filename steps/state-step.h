/*
 * state-step.h - what the user-state and SMP steps share: the checks of
 * USMT switches, the identity, the SMP client's options, and the
 * user-state engine's messages turned into the step's log lines.
 */
#ifndef TSI_STATE_STEP_H
#define TSI_STATE_STEP_H

#include "../migrate/state.h"
#include "../lib/defaults.h"
#include "steps.h"

#define STORE_FILE_NAME		"state.tsistore"
#define STORE_HARDLINK_NAME	"state.hardlink"

/* Fills log to report into the step: findings as warnings, progress. */
void		 state_log_init(struct step_ctx *, struct state_log *);
/* The check of additional_options and of the variables it falls back to:
 * ScanState's or LoadState's switches (param_spec.check). */
int		 state_check_capture_switches(const char *value, char **why);
int		 state_check_restore_switches(const char *value, char **why);
/* A list of SMP URLs (TSIStateMigrationPoints) split on spaces, commas
 * and semicolons into out (each caller frees); how many, 0 when empty. */
size_t		 state_smp_list(const char *list, char **out, size_t max);
/* TSIIdentityDir, or the default. */
const char	*state_identity_dir(struct step_ctx *);

/* The SMP client's options: this computer's identity, TSISMPCACert, and
 * the retry policy (count and delay when >= 0, else OSDStateSMPRetryCount
 * and OSDStateSMPRetryTime, else 3 and 60 s); its notes become warnings in
 * the step's log, a signal stops it. */
struct smp_client_opts;
void		 state_smp_opts(struct step_ctx *, struct smp_client_opts *,
		    long long count, long long delay);

#endif
