/*
 * step-run-command.c - run_command: a command line through /bin/sh -c, or
 * an argv list with no shell (ConfigMgr's Run Command Line).
 *
 * Output goes to the log line by line; the last 1,000 characters of stdout
 * can land in a variable.  Exit code 3010 succeeds and asks for a restart
 * (the engine's success codes decide).  A timeout kills the whole process
 * group.  Commands run in the directory of the sequence file unless told
 * otherwise, so a sequence can call scripts that sit beside it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/proc.h"
#include "../interp/seq.h"
#include "../interp/engine.h"
#include "steps.h"

#define OUTPUT_VARIABLE_MAX	1000

enum {
	RC_COMMAND,
	RC_ARGV,
	RC_WORKING_DIRECTORY,
	RC_ENV,
	RC_OUTPUT_VARIABLE,
};

static const struct param_spec params[] = {
	[RC_COMMAND] = { "command", P_STRING, 0, NULL, 0, 0, NULL,
	    "Command line run by /bin/sh -c (give this or argv)." },
	[RC_ARGV] = { "argv", P_LIST, 0, NULL, 0, 0, NULL,
	    "Program and arguments, run without a shell (give this or command)." },
	[RC_WORKING_DIRECTORY] = { "working_directory", P_STRING, 0, NULL, 0, 0, NULL,
	    "Directory to run in; relative paths are from the sequence file. "
	    "Default: the sequence file's directory." },
	[RC_ENV] = { "env", P_MAP, 0, NULL, 0, 0, NULL,
	    "Environment variables added for the command." },
	[RC_OUTPUT_VARIABLE] = { "output_variable", P_STRING, P_SETS_VAR, NULL, 0, 0,
	    NULL, "Variable that receives the last 1000 characters of stdout "
	    "(trailing newlines removed)." },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static int
validate(const struct tnode *t, struct diag *d)
{
	const struct param_value *cmd = &t->args.v[RC_COMMAND];
	const struct param_value *argv = &t->args.v[RC_ARGV];
	const struct param_value *env = &t->args.v[RC_ENV];
	size_t			  i;
	int			  r = 0;

	if (cmd->set == argv->set)
		return diag_error(d, &t->loc, "run_command needs exactly one of "
		    "'command' and 'argv'");
	if (cmd->set && cmd->str[0] == '\0')
		r = diag_error(d, &cmd->loc, "'command' is empty");
	if (argv->set && argv->nitems == 0)
		r = diag_error(d, &argv->loc, "'argv' is empty");
	for (i = 0; i < env->nitems; i += 2)
		if (env->items[i][0] == '\0' || strchr(env->items[i], '=') != NULL)
			r = diag_error(d, &env->loc, "invalid environment variable "
			    "name '%s'", env->items[i]);
	return r;
}

/* argv for the command; the strings belong to args. */
static char **
build_argv(const struct step_args *a)
{
	static char	  sh[] = "/bin/sh", dash_c[] = "-c";
	char		**argv;
	size_t		  i;

	if (a->v[RC_COMMAND].str != NULL && a->v[RC_COMMAND].set) {
		argv = xcalloc(4, sizeof *argv);
		argv[0] = sh;
		argv[1] = dash_c;
		argv[2] = a->v[RC_COMMAND].str;
		return argv;
	}
	argv = xcalloc(a->v[RC_ARGV].nitems + 1, sizeof *argv);
	for (i = 0; i < a->v[RC_ARGV].nitems; i++)
		argv[i] = a->v[RC_ARGV].items[i];
	return argv;
}

static char **
build_env(const struct step_args *a)
{
	const struct param_value *env = &a->v[RC_ENV];
	char			**out = xcalloc(env->nitems / 2 + 1, sizeof *out);
	size_t			  i;

	for (i = 0; i + 1 < env->nitems; i += 2)
		out[i / 2] = xasprintf("%s=%s", env->items[i], env->items[i + 1]);
	return out;
}

static void
free_env(char **env)
{
	size_t	i;

	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

static char *
working_directory(struct step_ctx *ctx, const struct step_args *a)
{
	const char	*wd = a->v[RC_WORKING_DIRECTORY].str;

	if (wd == NULL || *wd == '\0')
		return xstrdup(step_base_dir(ctx));
	return path_join(step_base_dir(ctx), wd);
}

/* The output variable's value: the last 1,000 characters once trailing
 * newlines are gone, without a torn UTF-8 sequence at the start. */
static char *
output_value(char *tail, int *cut)
{
	size_t	n = strlen(tail), skip = 0;

	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r'))
		tail[--n] = '\0';
	if (n > OUTPUT_VARIABLE_MAX)
		skip = n - OUTPUT_VARIABLE_MAX;
	*cut |= skip > 0;
	while (skip < n && ((unsigned char)tail[skip] & 0xc0) == 0x80)
		skip++;
	return xstrdup(tail + skip);
}

/*
 * A Linux exit status has 8 bits: `exit 3010` arrives as 194 (3010 mod
 * 256).  Read it as ConfigMgr's "succeeded, restart me", unless the step
 * lists 194 among its own success codes.
 */
static int
restart_code(const struct tnode *t, int code)
{
	size_t	i;

	if (code != (STEP_RC_RESTART & 0xff))
		return code;
	for (i = 0; i < t->nsuccess; i++)
		if (t->success_codes[i] == code)
			return code;
	return STEP_RC_RESTART;
}

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	struct proc_opts	 po;
	struct proc_result	 pr;
	char			**argv = build_argv(a), **env = build_env(a);
	char			*cwd = working_directory(ctx, a), *out;
	const char		*outvar = a->v[RC_OUTPUT_VARIABLE].str;
	int			 rc;

	step_log_command(ctx, "running", argv);
	step_proc_opts(ctx, &po);
	po.argv = argv;
	po.cwd = cwd;
	po.env_add = env;
	/* room for trailing newlines, which do not count */
	po.tail_max = outvar != NULL ? OUTPUT_VARIABLE_MAX + 256 : 0;
	if (proc_run(&po, &pr) == -1) {
		step_log(ctx, LOG_ERROR, "cannot run '%s' in '%s': %s", argv[0], cwd,
		    strerror(pr.exec_errno ? pr.exec_errno : errno));
		rc = pr.exit_code ? pr.exit_code : STEP_RC_ERROR;
	} else if (pr.timed_out) {
		step_timed_out(ctx);
		rc = STEP_RC_TIMEOUT;
	} else {
		rc = restart_code(step_node(ctx), pr.exit_code);
		if (pr.signal != 0)
			step_log(ctx, LOG_ERROR, "the command was killed by signal %d",
			    pr.signal);
		if (outvar != NULL && pr.tail != NULL) {
			int cut = pr.tail_cut;

			out = output_value(pr.tail, &cut);
			if (step_set_var_from_output(ctx, outvar, out, 0, cut) == -1)
				rc = rc ? rc : STEP_RC_ERROR;
			free(out);
		}
	}
	free(pr.tail);
	free(argv);
	free_env(env);
	free(cwd);
	return rc;
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	char	**argv = build_argv(a), *cwd = working_directory(ctx, a), *line;
	size_t	  i;

	line = step_command_hidden(ctx) ? xstrdup("a command (not shown: "
	    "OSDDoNotLogCommand is true)") : proc_argv_string(argv);
	step_plan(ctx, "run %s (in %s)", line, cwd);
	for (i = 0; i + 1 < a->v[RC_ENV].nitems; i += 2)
		step_plan(ctx, "run it with %s=%s in its environment", a->v[RC_ENV].items[i],
		    a->v[RC_ENV].items[i + 1]);
	if (a->v[RC_OUTPUT_VARIABLE].str != NULL)
		step_plan(ctx, "set '%s' from its output",
		    a->v[RC_OUTPUT_VARIABLE].str);
	free(line);
	free(argv);
	free(cwd);
	return 0;
}

const struct step_type step_run_command = {
	.name = "run_command",
	.summary = "Run a command line or a program; exit code 3010 asks for a restart.",
	.params = params,
	.flags = STEP_MAY_RESTART,
	.validate = validate,
	.run = run,
	.plan = plan,
};
