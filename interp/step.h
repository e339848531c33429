/*
 * step.h - the interface between the engine and step types.
 *
 * A step type is one table entry (steps/steps.c) in the spirit of tmux's
 * cmd_entry: a name, a summary, typed parameter rows, flags and handlers.
 * The same parameter rows drive validation ("did you mean"), defaults,
 * %VAR% expansion, secret redaction, `tsi steps` and `tsi schema`.
 *
 * The engine owns conditions, continue_on_error, success codes, retries,
 * timeouts (it passes a deadline), journaling and the start/end log lines.
 * A handler does its step's work and returns an exit code; it never calls
 * exit() and never formats a secret: everything it logs goes through the
 * redactor.
 */
#ifndef TSI_STEP_H
#define TSI_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/diag.h"
#include "../lib/stop.h"
#include "../lib/util.h"

enum param_type {
	P_STRING,
	P_BOOL,
	P_INT,
	P_ENUM,
	P_LIST,		/* list of strings */
	P_MAP,		/* map of string to string */
};

enum {
	P_REQUIRED = 1 << 0,
	P_SECRET   = 1 << 1,	/* value is redacted everywhere */
	P_LITERAL  = 1 << 2,	/* no %VAR% expansion */
	P_SETS_VAR = 1 << 3,	/* the value names a variable the step sets */
};

/*
 * A parameter row.  var names the variable a parameter falls back to when
 * the step does not give it (ConfigMgr's OSDStateStorePath,
 * OSDMigrateContinueOnRestore...): the engine fills the parameter from it
 * before the handler runs, validation checks the variable's literal values
 * against the row, and `tsi steps` shows it.  check, when set, judges a
 * value beyond its type (USMT switches), at compile time when the value
 * is literal and at run time after expansion.
 */
struct param_spec {
	const char		 *name;
	enum param_type		  type;
	int			  flags;
	const char		 *def;		/* default, as text; NULL for none */
	long long		  min, max;	/* P_INT bounds */
	const char *const	 *choices;	/* P_ENUM, NULL-terminated */
	const char		 *help;
	const char		 *var;		/* the variable it falls back to */
	/* 0, or -1 with *why (caller frees) */
	int			(*check)(const char *value, char **why);
};

struct param_value {
	int		  set;		/* given in the sequence, or by its variable */
	int		  from_var;	/* run time: set from spec->var */
	struct loc	  loc;
	char		 *str;		/* scalars: text (after expansion at run time) */
	long long	  num;		/* P_INT, parsed */
	int		  b;		/* P_BOOL, parsed */
	char		**items;	/* P_LIST items; P_MAP key, value, key, value */
	size_t		  nitems;	/* P_MAP: twice the pairs */
};

struct step_args {
	const struct param_spec	*spec;
	size_t			 n;
	struct param_value	*v;	/* v[i] belongs to spec[i] */
};

struct tnode;
struct step_ctx;

enum {
	STEP_NEEDS_ROOT   = 1 << 0,
	STEP_NETWORK      = 1 << 1,
	STEP_DESTRUCTIVE  = 1 << 2,
	STEP_MAY_RESTART  = 1 << 3,
	STEP_NO_RERUN     = 1 << 4,	/* an interrupted run must not be repeated */
	STEP_INCLUDE      = 1 << 5,	/* compiled inline (run_sequence) */
	STEP_LUA          = 1 << 6,	/* implemented in Lua: lua_limits apply */
};

struct step_type {
	const char		 *name;		/* exact match only */
	const char		 *summary;
	const struct param_spec	 *params;	/* terminated by a NULL name */
	int			  flags;
	const char *const	 *sets;		/* variables it always sets, NULL-terminated */
	/* Cross-parameter checks at compile time; optional. */
	int	(*validate)(const struct tnode *, struct diag *);
	/* Does the work; returns the step's exit code. */
	int	(*run)(struct step_ctx *, const struct step_args *);
	/* Dry run: describes what run would do, changes nothing; optional. */
	int	(*plan)(struct step_ctx *, const struct step_args *);
	const char		 *origin;	/* file that defined it; NULL for built-ins */
	const void		 *impl;		/* the Lua step behind a Lua type */
};

/* The exit code a handler returns when its deadline passed. */
#define STEP_RC_TIMEOUT		124
/* The exit code a handler returns when it could not start its work. */
#define STEP_RC_ERROR		1
#define STEP_RC_RESTART		3010

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

/* What a handler may ask of the engine (engine.c). */
const char	*step_var(struct step_ctx *, const char *name);
int		 step_var_is_secret(struct step_ctx *, const char *name);
/* Sets a variable as set_variable does; logs why and returns -1 if refused.
 * A value that holds a secret makes the variable secret. */
int		 step_set_var(struct step_ctx *, const char *name, const char *value,
		    int secret);
/* Overwrites with '*' the end of a secret that text begins with, where
 * it was cut from a longer output (tsi.exec's stdout). */
void		 step_mask_cut_head(struct step_ctx *, char *text);
/* step_set_var() for a value cut from a longer output: cut_before, it may begin
 * with the end of a secret, which makes the variable secret too. */
int		 step_set_var_from_output(struct step_ctx *, const char *name,
		    const char *value, int secret, int cut_before);
/* A read-only variable (_OSDMigrateUseHardlinks): only built-in steps. */
void		 step_set_readonly_var(struct step_ctx *, const char *name,
		    const char *value);
void		 step_log(struct step_ctx *, enum log_level, const char *, ...)
		    PRINTF_LIKE(3, 4);
/* One line of a child's output (stream is "stdout" or "stderr"), or a
 * piece of a long one (cuts: proc.h's PROC_CUT_*). */
void		 step_output(struct step_ctx *, const char *stream, const char *line,
		    size_t len, unsigned cuts);
/* Dry run: one line of what the step would do. */
void		 step_plan(struct step_ctx *, const char *, ...) PRINTF_LIKE(2, 3);
/* Progress of a long step: fraction 0..1 and a short message. */
void		 step_progress(struct step_ctx *, double fraction, const char *msg);
void		 step_request_restart(struct step_ctx *);
void		 step_timed_out(struct step_ctx *);
/* Monotonic deadline in ms (now_ms() clock), 0 for none. */
int64_t		 step_deadline(const struct step_ctx *);
/* The step's deadline and the signals, for work that must stop in time:
 * child processes, network transfers and file loops watch it. */
const struct stop *step_stop(const struct step_ctx *);
/* Non-zero once tsi was asked to stop (SIGINT, SIGTERM). */
int		 step_interrupted(const struct step_ctx *);
const struct tnode *step_node(const struct step_ctx *);
/* The system root (--root), "/" by default. */
const char	*step_root(const struct step_ctx *);
/* Directory of the sequence file that holds the step. */
const char	*step_base_dir(const struct step_ctx *);
/*
 * Something a step type keeps for the rest of the run (the SMP client's
 * open connection): the value for key, made by make() on first use; the
 * engine calls release() on it when the run ends, whatever the ending.
 */
void		*step_run_data(struct step_ctx *, const void *key, void *(*make)(void),
		    void (*release)(void *));

/* Logs "PREFIX: argv as a shell line", or only that a command runs when
 * OSDDoNotLogCommand is true (ConfigMgr's switch for secrets in argv). */
void		 step_log_command(struct step_ctx *, const char *prefix,
		    char *const *argv);
/* Whether OSDDoNotLogCommand is true. */
int		 step_command_hidden(struct step_ctx *);

struct proc_opts;
/* Fills what every child of a step shares: output to the step's log, the
 * step's deadline, stop on a signal.  The caller sets argv, cwd, env and
 * tail_max. */
void		 step_proc_opts(struct step_ctx *, struct proc_opts *);

/* Parameter lookup by name on a step_args (NULL when unknown). */
const struct param_value *args_get(const struct step_args *, const char *name);
/* The text of parameter i as the handler sees it: given in the sequence,
 * else by its variable, else its default; def when none of them is. */
const char	*args_str(const struct step_args *, size_t i, const char *def);

struct sequence;
/*
 * The step types a sequence may name, handed to the compiler, the engine
 * and the schema by their caller: interp knows step types only through
 * it (steps/steps.c holds the built-ins'; Lua extensions add theirs).
 */
struct step_table {
	const struct step_type *const	 *types;	/* NULL-terminated */
	/* Variables the step types read beyond their parameters', with their
	 * types (TSISMPAllowPlainHTTP: a boolean); NULL-name terminated. */
	const struct param_spec		 *vars;
	/* Whole-sequence checks of `tsi validate` (the SMP steps' order);
	 * NULL-terminated.  Each returns -1 when it reported an error. */
	int			(*const *checks)(const struct sequence *, struct diag *);
};

/* Exact, case-sensitive name lookup; NULL when unknown. */
const struct step_type	*step_table_find(const struct step_table *, const char *name);
/* The closest known name, for "did you mean"; NULL when none is close. */
const char		*step_table_suggest(const struct step_table *, const char *name);

#endif
