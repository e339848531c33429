/*
 * step-restore-user-state.c - restore_user_state (ConfigMgr's Restore User
 * State): the store in OSDStateStorePath, encrypted (opened with this
 * computer's identity, TSIIdentityDir) or hard links, or read in ranges
 * from a State Migration Point when it is an SMP store URL, restored into
 * the homes under the root.  Findings (an owner that does not exist, an xattr
 * the file system refuses...) fail the step only when
 * OSDMigrateContinueOnRestore is false.  A restore interrupted by a crash
 * or a restart goes on where it stopped when the step runs again.
 */
#include "state-step.h"

#include "../interp/seq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../migrate/migrate.h"
#include "../smp/smp-client.h"

enum {
	RS_STORE, RS_CONTINUE, RS_VERBOSE, RS_LOCAL_ACCOUNTS, RS_PASSWORD, RS_OPTIONS,
	RS_OVERWRITE, RS_ALL_USERS,
};

static const char *const overwrites[] = { "rename", "skip", "overwrite", "newer", NULL };

static const struct param_spec params[] = {
	[RS_STORE] = { "store_path", P_STRING, 0, NULL, 0, 0, NULL,
	    "Folder of the store, the store itself, or an SMP store URL "
	    "(request_state_store sets it).", "OSDStateStorePath", NULL },
	[RS_CONTINUE] = { "continue_on_restore", P_BOOL, 0, "true", 0, 0, NULL,
	    "Findings do not fail the step.", "OSDMigrateContinueOnRestore", NULL },
	[RS_VERBOSE] = { "verbose_logging", P_BOOL, 0, "false", 0, 0, NULL,
	    "Log every file.", "OSDMigrateEnableVerboseLogging", NULL },
	[RS_LOCAL_ACCOUNTS] = { "local_accounts", P_BOOL, 0, "false", 0, 0, NULL,
	    "Create users that do not exist here, disabled unless /lae (LoadState "
	    "/lac).", "OSDMigrateLocalAccounts", NULL },
	[RS_PASSWORD] = { "local_account_password", P_STRING, P_SECRET, NULL, 0, 0, NULL,
	    "Password of created accounts.", "OSDMigrateLocalAccountPassword", NULL },
	[RS_OPTIONS] = { "additional_options", P_STRING, 0, NULL, 0, 0, NULL,
	    "LoadState switches: /ui /ue /all /mu /lac /lae /c /v.",
	    "OSDMigrateAdditionalRestoreOptions", state_check_restore_switches },
	[RS_OVERWRITE] = { "overwrite", P_ENUM, 0, "rename", 0, 0, overwrites,
	    "When a file exists: rename (the restored one becomes 'name (1).ext'), "
	    "skip, overwrite or newer." },
	[RS_ALL_USERS] = { "all_users", P_BOOL, 0, "false", 0, 0, NULL,
	    "Restore every user of the store, whatever /ui and /ue say." },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

/* The store in the folder: the encrypted one, else the hard-link one. */
static char *
find_store(const char *dir)
{
	struct stat	 st;
	char		*p;

	if (stat(dir, &st) == 0 && S_ISREG(st.st_mode))
		return xstrdup(dir);
	p = xasprintf("%s/%s", dir, STORE_FILE_NAME);
	if (stat(p, &st) == 0)
		return p;
	free(p);
	p = xasprintf("%s/%s", dir, STORE_HARDLINK_NAME);
	if (stat(p, &st) == 0)
		return p;
	free(p);
	p = xasprintf("%s/%s", dir, HARDLINK_CATALOG);
	if (stat(p, &st) == 0)
		return xstrdup(dir);
	free(p);
	return NULL;
}

static const char *
download_error(void *ctx)
{
	return smp_download_error(ctx);
}

static int
restore_rc(struct step_ctx *ctx, const struct step_args *a, int plan_only)
{
	const char		*dir = args_str(a, RS_STORE, NULL);
	const char		*ow = a->v[RS_OVERWRITE].str;
	struct restore_opts	 o;
	struct state_log	 log;
	struct state_counts	 n;
	struct identity		 id;
	struct stat		 sst;
	struct buf		 sw = BUF_INIT;
	struct smp_client_opts	 so;
	struct smp_download	*down = NULL;
	char			*smp_users = NULL;
	struct store_in		 in;
	const char		*extra, *pw;
	char			*store = NULL, *err = NULL, last[96];
	int			 r = STEP_RC_ERROR, have_id = 0, i;

	memset(&o, 0, sizeof o);
	if (dir == NULL) {
		step_log(ctx, LOG_ERROR, "no store: set OSDStateStorePath (or store_path)");
		return r;
	}
	if (smp_is_url(dir))
		store = xstrdup(dir);
	else if ((store = find_store(dir)) == NULL) {
		if (plan_only) {
			step_plan(ctx, "restore the store in '%s' into the homes under '%s' "
			    "(no store there yet)", dir, step_root(ctx));
			return 0;
		}
		step_log(ctx, LOG_ERROR, "no store in '%s' (%s or %s)", dir, STORE_FILE_NAME,
		    STORE_HARDLINK_NAME);
		return r;
	}
	buf_adds(&sw, "");
	extra = args_str(a, RS_OPTIONS, NULL);
	if (extra != NULL)
		buf_adds(&sw, extra);
	pw = args_str(a, RS_PASSWORD, NULL);
	if (a->v[RS_LOCAL_ACCOUNTS].b && strstr(sw.data, "/lac") == NULL)
		buf_adds(&sw, " /lac");
	for (i = 0; overwrites[i] != NULL; i++)
		if (strcmp(ow, overwrites[i]) == 0)
			o.overwrite = (enum overwrite_mode)i;
	o.root = step_root(ctx);
	o.store = store;
	o.switches = sw.data;
	o.all_users = a->v[RS_ALL_USERS].b;
	o.continue_on_error = a->v[RS_CONTINUE].b;
	o.verbose = a->v[RS_VERBOSE].b;
	o.lac_password = pw;
	if (plan_only) {
		step_plan(ctx, "restore '%s' into the homes under '%s' (existing files: %s)",
		    store, o.root, ow);
		r = 0;
		goto out;
	}
	if (smp_is_url(store) || (stat(store, &sst) == 0 && !S_ISDIR(sst.st_mode))) {
		if (identity_load(state_identity_dir(ctx), &id, &err) == -1) {
			step_log(ctx, LOG_ERROR, "%s", err);
			goto out;
		}
		have_id = 1;
		o.id = &id;
	}
	if (smp_is_url(store)) {
		state_smp_opts(ctx, &so, -1, -1);
		if (smp_download_open(&down, store, &so, &in.size, &smp_users, &err) == -1) {
			step_log(ctx, LOG_ERROR, "%s", err);
			goto out;
		}
		in.pread = smp_download_pread;
		in.error = download_error;
		in.ctx = down;
		o.in = &in;
		o.only_users = smp_users;
	}
	state_log_init(ctx, &log);
	r = state_restore(&o, &log, &n, &err);
	if (r == -1) {
		step_log(ctx, LOG_ERROR, "%s", err);
		r = STEP_RC_ERROR;
		goto out;
	}
	step_log(ctx, LOG_INFO, "restored from '%s': %llu files, %llu created, %llu "
	    "replaced, %llu renamed, %llu unchanged, %llu skipped; %llu findings%s",
	    store, (unsigned long long)n.files, (unsigned long long)n.created,
	    (unsigned long long)n.replaced, (unsigned long long)n.renamed,
	    (unsigned long long)n.unchanged, (unsigned long long)n.skipped,
	    (unsigned long long)n.findings, r ? " (OSDMigrateContinueOnRestore is "
	    "false: the step fails)" : "");
	/* the last progress event, whatever the throttle let through */
	snprintf(last, sizeof last, "restored %llu files, %llu bytes",
	    (unsigned long long)n.files, (unsigned long long)n.bytes);
	step_progress(ctx, 1, last);
out:
	if (have_id)
		identity_wipe(&id);
	smp_download_free(down);
	free(smp_users);
	free(err);
	free(store);
	buf_release(&sw);
	return r;
}

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	return restore_rc(ctx, a, 0);
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	return restore_rc(ctx, a, 1);
}

const struct step_type step_restore_user_state = {
	.name = "restore_user_state",
	.summary = "Restore users' files and settings from a state store.",
	.params = params,
	.flags = STEP_NEEDS_ROOT,
	.run = run,
	.plan = plan,
};
