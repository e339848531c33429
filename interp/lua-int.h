/*
 * lua-int.h - internals shared by the Lua files: lua-host.c (sandboxed
 * states and their budgets) below lua-api.c (the tsi table), and above
 * them lua-ext.c (extension files) and lua-chunk.c (chunks, conditions).
 */
#ifndef TSI_LUA_INT_H
#define TSI_LUA_INT_H

#include <lua.h>
#include <lauxlib.h>

#include "lua-host.h"

enum lhost_mode {
	LH_LOAD,	/* running an extension file: tsi.register_step allowed */
	LH_RUN,		/* a step's run */
	LH_PLAN,	/* a step's plan: nothing may change */
	LH_COND,	/* a condition: tsi.get only */
};

struct ext_file;

struct lhost {
	lua_State		*L;
	const char		*name;		/* chunk name for messages */
	size_t			 used, limit;	/* allocator budget */
	size_t			 baseline;	/* used once loaded: calls add to it */
	long long		 instructions, instruction_limit;
	int64_t			 deadline;
	const char		*killed;	/* why the hook stopped the call */
	int			 caps;
	enum lhost_mode		 mode;
	struct step_ctx		*ctx;		/* LH_RUN, LH_PLAN */
	const struct vars	*cond_vars;	/* LH_COND */
	struct ext_file		*file;		/* LH_LOAD */
	int64_t			 last_progress;
	long long		 unchecked;	/* charged since the clock was read */
};

/* Instructions between two calls of the count hook. */
#define LHOST_HOOK_EVERY	1000

/* The Lua value of a tsi.fail(): a table with these fields. */
#define FAIL_KEY	"__tsi_fail"

/* Opens the tsi table of a state (lua-api.c's lua_api_open). */
typedef void	(*lhost_api_fn)(lua_State *, enum lhost_mode);

/* A sandboxed state; open_api adds the tsi table, or NULL for none. */
struct lhost	*lhost_new(const char *name, enum lhost_mode, int caps,
		    lhost_api_fn open_api);
void		 lhost_free(struct lhost *);
struct lhost	*lhost_of(lua_State *);
/* lua-budget.c: the count hook of a call, and the charge of work done in
 * C (elements, pattern steps, bytes compiled): past a limit, or once a
 * stop signal came, either raises "stopped: WHY", and keeps raising at
 * every instruction so that pcall cannot swallow it. */
void		 lhost_budget_hook(lua_State *, lua_Debug *);
void		 lhost_charge(lua_State *, long long units);
/* lua-table.c and lua-match.c: the table library's looping functions
 * and string.find, match, gmatch and gsub, replaced in the state's
 * tables by copies that charge their work. */
void		 lua_open_charged_table(lua_State *);
void		 lua_open_charged_match(lua_State *);
/*
 * Calls the function below nargs arguments on the stack, under limits,
 * leaving one result.  Returns LUA_OK or an error status, with *msg set to
 * a message (caller frees) that says what went wrong and where, and *code
 * to the exit code tsi.fail asked for (1 otherwise).
 */
int		 lhost_call(struct lhost *, int nargs, const struct lua_limits *,
		    int64_t deadline, char **msg, int *code);
/* The exit code of a step call's result (logging why it failed). */
int		 lhost_step_result(struct lhost *, struct step_ctx *, int st,
		    const char *msg, int code);
/* Whether the last call was stopped by its time limit. */
int		 lhost_timed_out(const struct lhost *);
/* An exit code from a Lua integer: out of int range is a failure. */
int		 step_exit_code(long long);
/* Raises a Lua error unless the host may use cap (or is not in plan). */
void		 lhost_need(lua_State *, int cap, const char *what);
void		 lhost_no_plan(lua_State *, const char *what);

/* The ctx table of a call: name, type, file, line, dry_run. */
void		 lua_push_ctx(lua_State *, struct step_ctx *);

/* lua-api.c: the tsi table for the mode (tsi.get only in conditions);
 * lua-ext.c adds tsi.register_step while an extension file loads. */
void		 lua_api_open(lua_State *, enum lhost_mode);

#endif
