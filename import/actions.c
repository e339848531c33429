/*
 * actions.c - ConfigMgr and MDT step types as tsi steps (sccm-spec.md 5.3).
 *
 * One table row per step type: a converter, or the reason it has no tsi
 * equivalent (it becomes an `unported` step).  A converter reads the
 * step's properties (<defaultVarList>), sets tsi parameters through the
 * step table, so every value is checked as tsi validate checks it, and
 * notes what it cannot honour.  A property no converter reads is noted
 * when it holds a value.
 */
#include "import-int.h"

#include <stdlib.h>
#include <string.h>

#include "../interp/seq.h"
#include "../interp/vars.h"

typedef enum conv_result (*convert_fn)(struct conv *, const struct xml_elem *,
    struct yv *, struct notes *);

struct action {
	const char	*type;		/* without SMS_TaskSequence_; "" for none */
	convert_fn	 convert;
	const char	*reason;	/* of an unported type */
};

#define WINDOWS_DEPLOYMENT	"Windows deployment (disks, images, drivers, " \
	"BitLocker, domain, Windows settings): tsi moves user state; port it to " \
	"commands of your Linux installer"
#define CONFIGMGR_CONTENT	"ConfigMgr content (packages, applications, " \
	"updates): port it to run_command with your package manager"

/* The type of the step: "" for MDT's plain command lines. */
static const char *
step_type(const struct xml_elem *e)
{
	const char	*t = xml_attr(e, "type");

	return t != NULL ? t : "";
}

/* with: of step, made on first use. */
static struct yv *
with_of(struct yv *step)
{
	struct yv	*w = yv_get(step, "with");

	return w != NULL ? w : yv_set(step, "with", yv_map());
}

/*
 * Sets parameter param of the step's type to value, checked against the
 * step table as `tsi validate` would; a value tsi does not take is noted
 * and left out.  Returns 0 or -1.
 */
static int
set_param(struct conv *c, struct yv *step, const char *param, const char *value,
    const char *what, struct notes *notes)
{
	const struct yv		*type = yv_get(step, "type");
	const struct step_type	*st;
	const struct param_spec	*spec;
	struct param_value	 pv = { 0 };
	const char		*bad = NULL;
	char			*why = NULL;

	st = step_table_find(c->table, yv_text(type));
	for (spec = st ? st->params : NULL; spec != NULL && spec->name != NULL; spec++)
		if (strcmp(spec->name, param) == 0)
			break;
	if (spec == NULL || spec->name == NULL)
		fatal("tsi import: no parameter %s", param);	/* a fault of this file */
	pv.str = (char *)value;
	if ((bad = param_parse(spec, &pv)) == NULL && spec->check != NULL &&
	    strchr(value, '%') == NULL && spec->check(value, &why) == -1)
		bad = why;
	if (bad != NULL) {
		notes_add(notes, "%s '%s' is not a value tsi takes (%s): left out",
		    what, value, bad);
		free(why);
		return -1;
	}
	if (spec->type == P_BOOL)
		yv_set(with_of(step), param, yv_bool(pv.b));
	else if (spec->type == P_INT)
		yv_set(with_of(step), param, yv_int(pv.num));
	else
		yv_set(with_of(step), param, yv_str(value));
	return 0;
}

/* A property that sets a parameter, written only when it differs from
 * tsi's default (which would not change what runs); a variable set earlier
 * no longer overrides it, which is noted. */
static void
property_param(struct conv *c, const struct xml_elem *e, struct yv *step,
    const char *property, const char *param, struct notes *notes)
{
	const struct step_type	*st = step_table_find(c->table,
				    yv_text(yv_get(step, "type")));
	const struct param_spec	*spec;
	const char		*v = prop(e, property);
	int			 a, b;

	if (v == NULL || *v == '\0')
		return;
	for (spec = st->params; spec->name != NULL; spec++)
		if (strcmp(spec->name, param) == 0)
			break;
	if (spec->def != NULL && (str_ieq(v, spec->def) || (spec->type == P_BOOL &&
	    parse_bool(v, &a) == 0 && parse_bool(spec->def, &b) == 0 && a == b)))
		return;
	if (set_param(c, step, param, v, property, notes) == 0 && spec->var != NULL)
		notes_add(notes, "%s=%s is the step's own setting: in tsi it beats "
		    "the variable %s set earlier, which overrides it in ConfigMgr",
		    property, v, spec->var);
}

static int
listed(const char *name, const char *const *names)
{
	for (; names != NULL && *names != NULL; names++)
		if (strcmp(name, *names) == 0)
			return 1;
	return 0;
}

/* Properties with a value that no converter reads. */
static void
leftover_properties(const struct xml_elem *e, const char *const *reads,
    struct notes *notes)
{
	const struct xml_elem	*list = xml_child(e, "defaultVarList");
	size_t			 i;

	for (i = 0; list != NULL && i < list->n; i++) {
		const struct xml_elem	*v = list->kids[i];
		const char		*p = xml_attr(v, "property");

		if (p == NULL)
			p = xml_attr(v, "name");
		if (p == NULL || listed(p, reads) || *v->text == '\0')
			continue;
		notes_add(notes, "property %s='%s' has no tsi equivalent", p,
		    secret_name(p) ? VAR_REDACTED : v->text);
	}
}

/* A property that names who the step runs as, or a package. */
static void
runs_as_and_package(const struct xml_elem *e, struct notes *notes)
{
	const char	*pkg = prop(e, "PackageID"), *user = prop(e, "UserName");
	const char	*as = prop(e, "RunAsUser");
	int		 b;

	if (user == NULL)
		user = prop(e, "SMSTSRunCommandLineUserName");
	if (pkg != NULL && *pkg != '\0')
		notes_add(notes, "it runs from package %s: tsi has no packages; the "
		    "files must be on the computer", pkg);
	if ((as != NULL && parse_bool(as, &b) == 0 && b) || (user != NULL && *user))
		notes_add(notes, "it runs as %s in ConfigMgr: tsi runs it as itself; "
		    "port it with runuser", user && *user ? user : "another user");
}

static void
output_variable(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char	*out = prop(e, "OutputVariableName");

	if (out == NULL || *out == '\0')
		return;
	if (var_name_problem(out) != NULL || out[0] == '_')
		notes_add(notes, "output variable '%s' is not one tsi can set: left out",
		    out);
	else
		set_param(c, step, "output_variable", out, "OutputVariableName", notes);
}

static void
working_directory(struct conv *c, const struct xml_elem *e, struct yv *step,
    const char *property, struct notes *notes)
{
	const char	*dir = prop(e, property);

	if (dir == NULL || *dir == '\0')
		dir = xml_attr(e, "startIn");
	if (dir == NULL || *dir == '\0')
		return;
	set_param(c, step, "working_directory", dir, "WorkingDirectory", notes);
	if (windows_path(dir))
		notes_add(notes, "working folder '%s' is a Windows path", dir);
}

/* "smsswd.exe /run:PKG command" is ConfigMgr's wrapper: the command. */
static const char *
command_line(const struct xml_elem *e)
{
	const char	*cmd = prop(e, "CommandLine");
	const struct xml_elem *action = xml_child(e, "action");

	if (cmd != NULL && *cmd != '\0')
		return cmd;
	cmd = action != NULL ? action->text : "";
	if (strncasecmp(cmd, "smsswd.exe /run:", 16) == 0 && strchr(cmd + 16, ' '))
		cmd = strchr(cmd + 16, ' ') + 1;
	return cmd;
}

static enum conv_result user_state_mdt(struct conv *, const struct xml_elem *,
    struct yv *, struct notes *, int capture);

static const char *const command_reads[] = {
	"CommandLine", "WorkingDirectory", "OutputVariableName", "PackageID",
	"RunAsUser", "UserName", "UserPassword", "SMSTSRunCommandLineUserName",
	"SMSTSRunCommandLinePassword", "SMSTSRunCommandLineUserPassword",
	"SuccessCodes", "DisableWow64Redirection", "LoadProfile", NULL,
};

static enum conv_result
run_command_line(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char	*cmd = command_line(e), *wow = prop(e, "DisableWow64Redirection");
	const char	*load = prop(e, "LoadProfile");
	char		*line = trimmed(cmd);
	int		 b;

	if (strcasestr(line, "ZTIUserState.wsf") != NULL &&
	    (strcasestr(line, "/capture") != NULL || strcasestr(line, "/restore"))) {
		const char *dir = prop(e, "WorkingDirectory");

		if (strncasecmp(line, "cscript", 7) != 0 || strpbrk(line, "&|;<>") != NULL)
			notes_add(notes, "its command line was '%s': only ZTIUserState.wsf "
			    "is kept", line);
		if ((dir != NULL && *dir != '\0') || (xml_attr(e, "startIn") &&
		    *xml_attr(e, "startIn") != '\0'))
			notes_add(notes, "its working folder is not kept");
		free(line);
		return user_state_mdt(c, e, step, notes, strcasestr(cmd, "/capture") != NULL);
	}
	if (*line == '\0') {
		free(line);
		make_unported(c, e, step, "a command line step without a command line");
		return CONV_NONE;
	}
	yv_set(step, "type", yv_str("run_command"));
	set_param(c, step, "command", line, "CommandLine", notes);
	working_directory(c, e, step, "WorkingDirectory", notes);
	output_variable(c, e, step, notes);
	runs_as_and_package(e, notes);
	if (wow != NULL && parse_bool(wow, &b) == 0 && b)
		notes_add(notes, "DisableWow64Redirection=true has no meaning on Linux");
	if (load != NULL && parse_bool(load, &b) == 0 && b)
		notes_add(notes, "LoadProfile=true: tsi loads no user profile");
	if (windows_command(line))
		notes_add(notes, "a Windows command line, kept as written: port it "
		    "(tsi runs it with /bin/sh -c)");
	leftover_properties(e, command_reads, notes);
	free(line);
	return CONV_EXACT;
}

/* UTF-16LE (a PowerShell script's SourceScript, after its BOM) as UTF-8. */
static char *
utf16le_to_utf8(const unsigned char *p, size_t n)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	for (i = 0; i + 1 < n; i += 2) {
		unsigned cp = p[i] | (unsigned)p[i + 1] << 8;

		if (cp >= 0xd800 && cp < 0xdc00 && i + 3 < n) {
			unsigned lo = p[i + 2] | (unsigned)p[i + 3] << 8;

			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (cp >= 0xd800 && cp < 0xe000)
			cp = 0xfffd;
		if (cp < 0x80)
			buf_addch(&b, (char)cp);
		else if (cp < 0x800)
			buf_addf(&b, "%c%c", 0xc0 | cp >> 6, 0x80 | (cp & 0x3f));
		else if (cp < 0x10000)
			buf_addf(&b, "%c%c%c", 0xe0 | cp >> 12, 0x80 | (cp >> 6 & 0x3f),
			    0x80 | (cp & 0x3f));
		else
			buf_addf(&b, "%c%c%c%c", 0xf0 | cp >> 18, 0x80 | (cp >> 12 & 0x3f),
			    0x80 | (cp >> 6 & 0x3f), 0x80 | (cp & 0x3f));
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}

/* An embedded script: base64 of UTF-16LE with a BOM, or of UTF-8. */
static char *
decode_script(const char *b64)
{
	size_t		 max = strlen(b64), n;
	unsigned char	*raw = xmalloc(max + 1);
	char		*out = NULL;

	if (base64_decode(b64, raw, max, &n) == 0) {
		if (n >= 2 && raw[0] == 0xff && raw[1] == 0xfe)
			out = utf16le_to_utf8(raw + 2, n - 2);
		else if (memchr(raw, '\0', n) == NULL) {
			raw[n] = '\0';
			out = xstrdup((char *)raw);
		}
	}
	free(raw);
	return out;
}

static const char *const powershell_reads[] = {
	"ScriptName", "Parameters", "SourceScript", "ExecutionPolicy", "PackageID",
	"OutputVariableName", "WorkingDirectory", "RunAsUser", "UserName",
	"UserPassword", "SuccessCodes", NULL,
};

/* Run PowerShell Script (ConfigMgr) and ZTIPowerShell.wsf (MDT): pwsh. */
static enum conv_result
run_powershell(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char	*name = prop(e, "ScriptName"), *params = prop(e, "Parameters");
	const char	*source = prop(e, "SourceScript"), *policy = prop(e,
			    "ExecutionPolicy");
	char		*script = NULL, *cmd;
	struct yv	*argv;

	yv_set(step, "type", yv_str("run_command"));
	if (source != NULL && *source != '\0') {
		if ((script = decode_script(source)) == NULL) {
			make_unported(c, e, step, "its embedded script is not base64 "
			    "text tsi can read");
			return CONV_NONE;
		}
		argv = yv_set(with_of(step), "argv", yv_list());
		yv_push(argv, yv_str("pwsh"));
		yv_push(argv, yv_str("-NoProfile"));
		yv_push(argv, yv_str("-NonInteractive"));
		yv_push(argv, yv_str("-Command"));
		yv_push(argv, yv_str(script));
		if (params != NULL && *params != '\0')
			notes_add(notes, "Parameters '%s' of an embedded script are not "
			    "passed", params);
		free(script);
	} else if (name != NULL && *name != '\0') {
		struct buf	q = BUF_INIT;
		const char	*p;

		for (p = name; *p != '\0'; p++)	/* shell-quoted: ' as '\'' */
			buf_adds(&q, *p == '\'' ? "'\\''" : (char[]){ *p, '\0' });
		cmd = xasprintf("pwsh -NoProfile -NonInteractive -File '%s'%s%s",
		    q.data ? q.data : "", params && *params ? " " : "", params ? params : "");
		buf_release(&q);
		set_param(c, step, "command", cmd, "ScriptName", notes);
		free(cmd);
		if (windows_path(name))
			notes_add(notes, "script '%s' is a Windows path", name);
	} else {
		make_unported(c, e, step, "a PowerShell step without a script");
		return CONV_NONE;
	}
	notes_add(notes, "PowerShell runs as pwsh on Linux: Windows cmdlets and "
	    "modules must be ported");
	if (policy != NULL && str_ieq(policy, "AllSigned"))
		notes_add(notes, "ExecutionPolicy AllSigned: pwsh on Linux checks no "
		    "signature");
	working_directory(c, e, step, "WorkingDirectory", notes);
	output_variable(c, e, step, notes);
	runs_as_and_package(e, notes);
	leftover_properties(e, powershell_reads, notes);
	return CONV_EXACT;
}

/* A Set Variable step whose value is not to be shown or copied. */
static int
hidden_value(const struct xml_elem *e)
{
	const char	*hide = prop(e, "DoNotShowVariableValue");
	const char	*name = prop(e, "VariableName"), *value = prop(e, "VariableValue");
	int		 b;

	return (hide != NULL && parse_bool(hide, &b) == 0 && b) || secret_name(name) ||
	    (name != NULL && value != NULL && vars_always_secret(name, value));
}

static const char *const set_variable_reads[] = {
	"VariableName", "VariableValue", "DoNotShowVariableValue", NULL,
};

static enum conv_result
set_variable(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char	*name = prop(e, "VariableName"), *value = prop(e, "VariableValue");
	const char	*hide = prop(e, "DoNotShowVariableValue"), *why;
	char		*reason = NULL, *bad;
	int		 secret = 0;

	if (value == NULL)
		value = "";
	if (name == NULL || (why = var_name_problem(name)) != NULL || name[0] == '_')
		reason = xasprintf("variable '%s' is not one tsi can set (%s)",
		    name ? name : "", name == NULL ? "no VariableName" : why ? why :
		    "'_' names are read-only");
	else if (strlen(value) > VAR_VALUE_MAX)
		reason = xasprintf("a value longer than %d characters", VAR_VALUE_MAX);
	else if ((bad = typed_var_check(c->table, name, value, TV_EXPANDS |
	    (hidden_value(e) ? TV_SECRET : 0))) != NULL) {
		reason = xasprintf("'%s' is not a value of %s that tsi takes: %s",
		    hidden_value(e) ? VAR_REDACTED : value, name, bad);
		free(bad);
	}
	if (reason != NULL) {
		make_unported(c, e, step, reason);
		free(reason);
		return CONV_NONE;
	}
	yv_set(step, "type", yv_str("set_variable"));
	set_param(c, step, "name", name, "VariableName", notes);
	set_param(c, step, "value", value, "VariableValue", notes);
	if (hide != NULL && parse_bool(hide, &secret) == 0 && secret)
		set_param(c, step, "secret", "true", "DoNotShowVariableValue", notes);
	else if (secret_name(name) && *value != '\0') {
		set_param(c, step, "secret", "true", "VariableName", notes);
		notes_add(notes, "a password in the task sequence, kept as a secret: "
		    "better given with --vars-file");
	}
	leftover_properties(e, set_variable_reads, notes);
	return CONV_EXACT;
}

static const char *const restart_reads[] = {
	"Message", "MessageTimeout", "Target", NULL,
};

static enum conv_result
restart(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char	*msg = prop(e, "Message"), *target = prop(e, "Target");
	const char	*timeout = prop(e, "MessageTimeout");
	const struct xml_elem *action = xml_child(e, "action");

	yv_set(step, "type", yv_str("restart"));
	if (msg != NULL && *msg != '\0')
		set_param(c, step, "message", msg, "Message", notes);
	if ((target != NULL && str_ieq(target, "WinPE")) || ((target == NULL ||
	    *target == '\0') && action != NULL &&
	    strcasestr(action->text, "/target:WinPE") != NULL))
		notes_add(notes, "it restarts into Windows PE: tsi restarts into the "
		    "installed system");
	if (timeout != NULL && strcmp(timeout, "0") != 0 && *timeout != '\0')
		notes_add(notes, "MessageTimeout=%s: tsi shows no countdown and "
		    "restarts at once", timeout);
	leftover_properties(e, restart_reads, notes);
	return CONV_EXACT;
}

static const char *const request_reads[] = {
	"RequestType", "SMPRetryCount", "SMPRetryTime", "FallbackToNAA", NULL,
};

static enum conv_result
request_state_store(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char	*type = prop(e, "RequestType"), *naa = prop(e, "FallbackToNAA");
	const struct xml_elem *action = xml_child(e, "action");
	int		 b;

	if (type == NULL || *type == '\0')
		type = action && strcasestr(action->text, "/restore") ? "restore" :
		    "capture";
	yv_set(step, "type", yv_str("request_state_store"));
	if (set_param(c, step, "mode", type, "RequestType", notes) == -1) {
		make_unported(c, e, step, "RequestType is neither capture nor restore");
		return CONV_NONE;
	}
	property_param(c, e, step, "SMPRetryCount", "retry_count", notes);
	property_param(c, e, step, "SMPRetryTime", "retry_delay", notes);
	if (naa != NULL && parse_bool(naa, &b) == 0 && b)
		notes_add(notes, "FallbackToNAA=true: tsi has no network access "
		    "account; the computer's identity signs every request");
	leftover_properties(e, request_reads, notes);
	return CONV_EXACT;
}

static const char *const capture_reads[] = {
	"Mode", "ContinueOnLockedFiles", "EnableVerboseLogging", "SkipEncryptedFiles",
	"FileAccess", "OfflineUserState", "UseHardlinks", "UsmtPackageID",
	"ConfigFiles", NULL,
};

static enum conv_result
capture_user_state(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char	*efs = prop(e, "SkipEncryptedFiles"), *access = prop(e,
			    "FileAccess"), *offline = prop(e, "OfflineUserState");
	const char	*files = prop(e, "ConfigFiles");
	int		 b;

	yv_set(step, "type", yv_str("capture_user_state"));
	property_param(c, e, step, "Mode", "mode", notes);
	property_param(c, e, step, "ContinueOnLockedFiles", "continue_on_locked_files",
	    notes);
	property_param(c, e, step, "EnableVerboseLogging", "verbose_logging", notes);
	property_param(c, e, step, "UseHardlinks", "hardlink", notes);
	if (efs != NULL && parse_bool(efs, &b) == 0 && b)
		notes_add(notes, "SkipEncryptedFiles=true: Linux has no EFS files");
	if (access != NULL && *access != '\0' && !str_ieq(access, "Normal"))
		notes_add(notes, "FileAccess=%s: tsi reads files as they are (no "
		    "shadow copy)", access);
	if (offline != NULL && parse_bool(offline, &b) == 0 && b)
		notes_add(notes, "an offline capture (from Windows PE): tsi captures "
		    "the system under --root");
	if (files != NULL && *files != '\0')
		notes_add(notes, "USMT rule files (%s): tsi uses its rule packs "
		    "(config_files: documents, shell, browsers...)", files);
	leftover_properties(e, capture_reads, notes);
	return CONV_EXACT;
}

static const char *const restore_reads[] = {
	"ContinueOnRestore", "EnableVerboseLogging", "LocalAccounts", "Mode",
	"UsmtRestorePackageID", "LocalAccountPassword", NULL,
};

static enum conv_result
restore_user_state(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char	*pw = prop(e, "LocalAccountPassword"), *mode = prop(e, "Mode");

	yv_set(step, "type", yv_str("restore_user_state"));
	property_param(c, e, step, "ContinueOnRestore", "continue_on_restore", notes);
	property_param(c, e, step, "EnableVerboseLogging", "verbose_logging", notes);
	property_param(c, e, step, "LocalAccounts", "local_accounts", notes);
	if (pw != NULL && *pw != '\0')
		notes_add(notes, "the local accounts' password is not copied: give "
		    "OSDMigrateLocalAccountPassword with --vars-file as a secret");
	if (mode != NULL && str_ieq(mode, "Advanced"))
		notes_add(notes, "Mode=Advanced: tsi restores what the store holds, "
		    "whatever the rule files");
	leftover_properties(e, restore_reads, notes);
	return CONV_EXACT;
}

static enum conv_result
release_state_store(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	(void)c;
	yv_set(step, "type", yv_str("release_state_store"));
	leftover_properties(e, NULL, notes);
	return CONV_EXACT;
}

/* MDT's ZTIUserState.wsf /capture and /restore: USMT driven by the
 * deployment share's settings. */
static enum conv_result
user_state_mdt(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes, int capture)
{
	(void)c;
	yv_set(step, "type", yv_str(capture ? "capture_user_state" :
	    "restore_user_state"));
	notes_add(notes, "MDT's ZTIUserState.wsf takes its USMT settings "
	    "(UserDataLocation, USMTMigFiles, ScanStateArgs, LoadStateArgs) from "
	    "CustomSettings.ini: set OSDStateStorePath and the OSDMigrate* "
	    "variables");
	leftover_properties(e, command_reads, notes);
	return CONV_EXACT;
}

static const struct action actions[] = {
	{ "", run_command_line, NULL },
	{ "RunCommandLineAction", run_command_line, NULL },
	{ "RunPowerShellScriptAction", run_powershell, NULL },
	{ "BDD_RunPowerShellAction", run_powershell, NULL },
	{ "SetVariableAction", set_variable, NULL },
	{ "RebootAction", restart, NULL },
	{ "RequestStateStoreAction", request_state_store, NULL },
	{ "CaptureUserStateAction", capture_user_state, NULL },
	{ "RestoreUserStateAction", restore_user_state, NULL },
	{ "ReleaseStateStoreAction", release_state_store, NULL },
	{ "SetDynamicVariablesAction", NULL, "rules on the computer, its location, "
	    "make or model: port them to set_variable steps with conditions" },
	{ "BDD_Gather", NULL, "MDT's Gather fills variables (Make, Model, "
	    "OSVersion, IsLaptop...) from the computer and CustomSettings.ini: set "
	    "the ones the sequence reads with run_command's output_variable or a "
	    "Lua step" },
	{ "BDD_Validate", NULL, "MDT's Validate checks memory, processor and "
	    "disk: port it to a run_command or Lua check" },
	{ "BDD_UsePackage", NULL, "MDT's toolkit package: tsi has no packages; "
	    "the scripts a step runs must be on the computer" },
	{ "SubTasksequence", NULL, "Run Task Sequence: import the child task "
	    "sequence with tsi import too and run it with run_sequence" },
	{ "InstallApplicationAction", NULL, CONFIGMGR_CONTENT },
	{ "InstallSoftwareAction", NULL, CONFIGMGR_CONTENT },
	{ "InstallUpdateAction", NULL, CONFIGMGR_CONTENT },
	{ "DownloadPackageContentAction", NULL, CONFIGMGR_CONTENT },
	{ "BDD_InstallApplication", NULL, CONFIGMGR_CONTENT },
	{ "BDD_InstallUpdatesOffline", NULL, CONFIGMGR_CONTENT },
};

static const struct action *
find_action(const char *type)
{
	const char	*t = strncmp(type, "SMS_TaskSequence_", 17) == 0 ? type + 17 : type;
	size_t		 i;

	for (i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(actions[i].type, t) == 0)
			return &actions[i];
	return NULL;
}

void
make_unported(struct conv *c, const struct xml_elem *e, struct yv *step,
    const char *reason)
{
	const struct xml_elem	*action = xml_child(e, "action");
	const struct xml_elem	*list = xml_child(e, "defaultVarList");
	const char		*type = xml_attr(e, "type");
	struct yv		*with, *props;
	size_t			 i;
	int			 flag;

	yv_free(yv_take(step, "type"));
	yv_free(yv_take(step, "with"));
	yv_set(step, "type", yv_str("unported"));
	with = yv_set(step, "with", yv_map());
	yv_set(with, "original_type", yv_str(type != NULL && *type != '\0' ? type :
	    strcmp(e->name, "step") == 0 ? "(a step without a type: an MDT command "
	    "line)" : e->name));
	yv_set(with, "imported_from", yv_strf("%s:%d:%d", c->file, e->loc.line,
	    e->loc.col));
	yv_set(with, "reason", yv_str(reason));
	if (action != NULL && *action->text != '\0')
		yv_set(with, "action", yv_str(action->text));
	props = yv_set(with, "properties", yv_map());
	for (i = 0; list != NULL && i < list->n; i++) {
		const char *p = xml_attr(list->kids[i], "property");

		if (p == NULL)
			p = xml_attr(list->kids[i], "name");
		if (p == NULL || yv_get(props, p) != NULL)
			continue;
		/* a password is not copied into the sequence (a flag such as
		 * RandomAdminPassword=true is), nor a value the step hides */
		yv_set(props, p, yv_str(*list->kids[i]->text != '\0' &&
		    ((secret_name(p) && parse_bool(list->kids[i]->text, &flag) == -1) ||
		    (strcmp(p, "VariableValue") == 0 && hidden_value(e))) ?
		    "(a password: not copied)" : list->kids[i]->text));
	}
	if (yv_len(props) == 0)
		yv_free(yv_take(with, "properties"));
	yv_comment(step, "PORT: not converted (%s): %s", type && *type ? type :
	    e->name, reason);
}

enum conv_result
convert_action(struct conv *c, const struct xml_elem *e, struct yv *step,
    struct notes *notes)
{
	const char		*type = step_type(e);
	const struct action	*a = find_action(type);

	if (*type == '\0' && c->source == TS_CONFIGMGR)
		notes_add(notes, "a step without a type, read as MDT's command line");
	if (a != NULL && a->convert != NULL)
		return a->convert(c, e, step, notes);
	make_unported(c, e, step, a != NULL ? a->reason :
	    strstr(type, "Action") != NULL && strncmp(type, "SMS_", 4) == 0 ?
	    WINDOWS_DEPLOYMENT : "a step type tsi has no equivalent for");
	return CONV_NONE;
}
