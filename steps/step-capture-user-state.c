/*
 * step-capture-user-state.c - capture_user_state (ConfigMgr's Capture User
 * State): the users' files and settings under the root, chosen by the rule
 * packs, into OSDStateStorePath: an encrypted store (to this computer and
 * the site's recovery key, TSIRecoveryKey) or, with hardlink, a hard-link
 * store for a refresh of the same machine.  When OSDStateStorePath is an
 * SMP store URL (request_state_store), the store streams to the State
 * Migration Point, encrypted to the keys the SMP names (the destination
 * computer's and the site's recovery key), with no local copy.  Every
 * parameter defaults to the ConfigMgr variable an admin knows.
 */
#include "state-step.h"

#include "../interp/seq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../migrate/migrate.h"
#include "../smp/smp-client.h"

enum {
	CS_STORE, CS_MODE, CS_CONFIG_FILES, CS_CONTINUE, CS_VERBOSE, CS_HARDLINK,
	CS_OPTIONS, CS_RECIPIENTS, CS_ALL_USERS,
};

static const char *const modes[] = { "Simple", "Advanced", NULL };

static const struct param_spec params[] = {
	[CS_STORE] = { "store_path", P_STRING, 0, NULL, 0, 0, NULL,
	    "Folder of the store; the store is " STORE_FILE_NAME " or "
	    STORE_HARDLINK_NAME " in it.  An SMP store URL streams the store to "
	    "the State Migration Point.", "OSDStateStorePath", NULL },
	[CS_MODE] = { "mode", P_ENUM, 0, "Simple", 0, 0, modes,
	    "Simple: the default rule packs; Advanced: config_files.",
	    "OSDMigrateMode", NULL },
	[CS_CONFIG_FILES] = { "config_files", P_STRING, 0, NULL, 0, 0, NULL,
	    "Comma list of rule packs (names or files) for Advanced mode.",
	    "OSDMigrateConfigFiles", NULL },
	[CS_CONTINUE] = { "continue_on_locked_files", P_BOOL, 0, "true", 0, 0, NULL,
	    "Files that cannot be read are findings, not failures.",
	    "OSDMigrateContinueOnLockedFiles", NULL },
	[CS_VERBOSE] = { "verbose_logging", P_BOOL, 0, "false", 0, 0, NULL,
	    "Log every file.", "OSDMigrateEnableVerboseLogging", NULL },
	[CS_HARDLINK] = { "hardlink", P_BOOL, 0, "false", 0, 0, NULL,
	    "A hard-link store on the same file system, for a refresh of this "
	    "computer: no data copied, not encrypted; sets _OSDMigrateUseHardlinks." },
	[CS_OPTIONS] = { "additional_options", P_STRING, 0, NULL, 0, 0, NULL,
	    "ScanState switches: /ui /ue /uel /all /c /v /o /nocompress /hardlink.",
	    "OSDMigrateAdditionalCaptureOptions", state_check_capture_switches },
	[CS_RECIPIENTS] = { "recipients", P_LIST, 0, NULL, 0, 0, NULL,
	    "More public identities (lines or files) the store is encrypted to, "
	    "besides this computer (TSIIdentityDir) and TSIRecoveryKey." },
	[CS_ALL_USERS] = { "all_users", P_BOOL, 0, "false", 0, 0, NULL,
	    "Capture system accounts too (uid below 1000)." },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static const char *const sets[] = { "_OSDMigrateUseHardlinks", NULL };

/* Advanced mode: the packs of config_files, relative files beside the sequence. */
static size_t
split_packs(struct step_ctx *ctx, const char *list, char **out, size_t max)
{
	char	*copy = xstrdup(list), *save, *tok;
	size_t	 n = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (*tok == '\0')
			continue;
		out[n++] = strchr(tok, '/') != NULL && tok[0] != '/' ?
		    xasprintf("%s/%s", step_base_dir(ctx), tok) : xstrdup(tok);
	}
	free(copy);
	return n;
}

/* Whether ScanState switches hold sw (the capture parses them fully). */
static int
switch_given(const char *switches, const char *sw)
{
	struct usmt_opts	uo;
	char			*err = NULL;
	int			 given = 0;

	if (switches == NULL || usmt_parse(USMT_CAPTURE, switches, &uo, &err) == -1) {
		free(err);
		return 0;
	}
	if (strcmp(sw, "/hardlink") == 0)
		given = uo.hardlink;
	usmt_release(&uo);
	return given;
}

struct job {
	struct capture_opts	 o;
	struct identity		 ids[STORE_MAX_RECIPIENTS];
	size_t			 nids;
	char			*packs[32], *store, *dir;
	size_t			 npacks;
	char			 host[65];
	int			 smp;		/* dir is an SMP store URL */
	struct smp_upload_stream *up;
	struct store_out	 out;
	char			*smp_users;	/* the association's */
};

static void
job_release(struct job *j)
{
	size_t	i;

	for (i = 0; i < j->nids; i++)
		identity_wipe(&j->ids[i]);
	for (i = 0; i < j->npacks; i++)
		free(j->packs[i]);
	smp_upload_free(j->up);
	free(j->smp_users);
	free(j->store);
	free(j->dir);
}

/* Everything the step needs from its parameters and variables; -1 logged. */
static int
job_init(struct step_ctx *ctx, const struct step_args *a, struct job *j, int keys)
{
	const char	*dir = args_str(a, CS_STORE, NULL);
	const char	*mode = args_str(a, CS_MODE, "Simple");
	const char	*rk;
	char		*err = NULL;
	size_t		 i;

	memset(j, 0, sizeof *j);
	if (dir == NULL) {
		step_log(ctx, LOG_ERROR, "no store: set OSDStateStorePath (or store_path)");
		return -1;
	}
	j->dir = xstrdup(dir);
	j->o.switches = args_str(a, CS_OPTIONS, NULL);
	j->o.hardlink = a->v[CS_HARDLINK].b || switch_given(j->o.switches, "/hardlink");
	j->smp = smp_is_url(dir);
	if (j->smp && j->o.hardlink) {
		step_log(ctx, LOG_ERROR, "a hard-link store cannot go to a State Migration "
		    "Point ('%s'): hard links stay on this computer's disk", dir);
		return -1;
	}
	if (j->smp && a->v[CS_RECIPIENTS].nitems > 0) {
		step_log(ctx, LOG_ERROR, "recipients cannot be added to an SMP store: the "
		    "SMP decides who can read it (the destination and the recovery key)");
		return -1;
	}
	j->store = j->smp ? xstrdup(dir) : xasprintf("%s/%s", dir, j->o.hardlink ?
	    STORE_HARDLINK_NAME : STORE_FILE_NAME);
	if (strcasecmp(mode, "Advanced") == 0)
		j->npacks = split_packs(ctx, args_str(a, CS_CONFIG_FILES, ""), j->packs,
		    32);
	if (keys && !j->o.hardlink && !j->smp) {
		if (identity_load(state_identity_dir(ctx), &j->ids[0], &err) == -1) {
			step_log(ctx, LOG_ERROR, "this computer has no identity in '%s': %s (tsi identity init makes one)",
			    state_identity_dir(ctx), err);
			free(err);
			return -1;
		}
		j->nids = 1;
		rk = step_var(ctx, "TSIRecoveryKey");
		if (rk != NULL && *rk != '\0') {
			if (identity_parse_public(rk, &j->ids[j->nids], &err) == -1) {
				step_log(ctx, LOG_ERROR, "TSIRecoveryKey: %s", err);
				free(err);
				return -1;
			}
			j->nids++;
		}
		for (i = 0; i < a->v[CS_RECIPIENTS].nitems; i++) {
			if (j->nids == STORE_MAX_RECIPIENTS ||
			    identity_parse_public(a->v[CS_RECIPIENTS].items[i],
			    &j->ids[j->nids], &err) == -1) {
				step_log(ctx, LOG_ERROR, "recipient '%s': %s",
				    a->v[CS_RECIPIENTS].items[i], err ? err :
				    "too many recipients");
				free(err);
				return -1;
			}
			j->nids++;
		}
	}
	gethostname(j->host, sizeof j->host - 1);
	j->o.root = step_root(ctx);
	j->o.store = j->store;
	j->o.computer = j->host;
	j->o.rcpt = j->ids;
	j->o.nrcpt = j->nids;
	j->o.packs = (const char *const *)j->packs;
	j->o.npacks = j->npacks;
	j->o.all_users = a->v[CS_ALL_USERS].b;
	j->o.overwrite = 1;	/* a rerun replaces the store of an earlier attempt */
	j->o.continue_on_error = a->v[CS_CONTINUE].b;
	j->o.verbose = a->v[CS_VERBOSE].b;
	return 0;
}

static int
upload_finish(void *ctx, uint64_t *bytes, char **err)
{
	return smp_upload_finish(ctx, bytes, err);
}

static const char *
upload_error(void *ctx)
{
	return smp_upload_error(ctx);
}

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	struct job		 j;
	struct state_log	 log;
	struct state_counts	 n;
	char			*err = NULL, last[96];
	int			 r = STEP_RC_ERROR;

	if (job_init(ctx, a, &j, 1) == -1)
		goto out;
	if (j.smp) {
		struct smp_client_opts	so;

		state_smp_opts(ctx, &so, -1, -1);
		if (smp_upload_open(&j.up, j.store, &so, j.ids, &j.nids, &j.smp_users,
		    &err) == -1) {
			step_log(ctx, LOG_ERROR, "%s", err);
			free(err);
			goto out;
		}
		j.out.write = smp_upload_write;
		j.out.finish = upload_finish;
		j.out.error = upload_error;
		j.out.ctx = j.up;
		j.o.out = &j.out;
		j.o.nrcpt = j.nids;
		j.o.only_users = j.smp_users;
	} else if (mkdir_p(j.dir, 0700) == -1) {
		step_log(ctx, LOG_ERROR, "cannot make the store folder '%s': %s", j.dir,
		    strerror(errno));
		goto out;
	}
	state_log_init(ctx, &log);
	if (state_capture(&j.o, &log, &n, &err) < 0) {
		step_log(ctx, LOG_ERROR, "%s", err);
		free(err);
		goto out;
	}
	step_set_readonly_var(ctx, "_OSDMigrateUseHardlinks", j.o.hardlink ? "true" :
	    "false");
	step_log(ctx, LOG_INFO, "store '%s': %llu files, %llu bytes, %llu findings%s",
	    j.store, (unsigned long long)n.files, (unsigned long long)n.bytes,
	    (unsigned long long)n.findings, j.o.hardlink ? " (hard links)" : "");
	/* the last progress event, whatever the throttle let through: what
	 * the run's status says of the capture */
	snprintf(last, sizeof last, "captured %llu files, %llu bytes",
	    (unsigned long long)n.files, (unsigned long long)n.bytes);
	step_progress(ctx, 1, last);
	r = 0;
out:
	job_release(&j);
	return r;
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	struct job	j;
	size_t		i;
	int		r = 0;

	if (job_init(ctx, a, &j, 0) == -1)
		r = STEP_RC_ERROR;
	else {
		step_plan(ctx, "capture the users of '%s' into %s store '%s'", j.o.root,
		    j.o.hardlink ? "the hard-link" : j.smp ? "the State Migration Point's "
		    "encrypted" : "the encrypted", j.store);
		for (i = 0; i < j.npacks; i++)
			step_plan(ctx, "take the files of rule pack %s", j.packs[i]);
		if (j.npacks == 0)
			step_plan(ctx, "take the files of the default rule packs (Simple mode)");
		if (j.o.switches != NULL)
			step_plan(ctx, "apply the ScanState switches %s", j.o.switches);
	}
	job_release(&j);
	return r;
}

const struct step_type step_capture_user_state = {
	.name = "capture_user_state",
	.summary = "Capture users' files and settings into a state store.",
	.params = params,
	.flags = STEP_NEEDS_ROOT,
	.sets = sets,
	.run = run,
	.plan = plan,
};
