/*
 * state-step.h - what capture_user_state and restore_user_state share:
 * ConfigMgr's variables as defaults of step parameters, the identity, and
 * the user-state engine's messages turned into the step's log lines.
 */
#ifndef TSI_STATE_STEP_H
#define TSI_STATE_STEP_H

#include "../migrate/state.h"
#include "steps.h"

#define DEFAULT_IDENTITY_DIR	"/var/lib/tsi/identity"
#define STORE_FILE_NAME		"state.tsistore"
#define STORE_HARDLINK_NAME	"state.hardlink"

/* The parameter's text if the step gives it, else the variable's, else def. */
const char	*state_param(struct step_ctx *, const struct step_args *, int i,
		    const char *var, const char *def);
/* The same for booleans: "true"/"false" (any case), 1/0, yes/no. */
int		 state_bool(struct step_ctx *, const struct step_args *, int i,
		    const char *var, int def);
/* Fills log to report into the step: findings as warnings, progress. */
void		 state_log_init(struct step_ctx *, struct state_log *);
/* validate: the USMT switches of additional_options, when literal. */
struct tnode;
struct diag;
int		 state_check_switches(const struct tnode *, struct diag *, int tool);
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
