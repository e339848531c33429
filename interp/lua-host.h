/*
 * lua-host.h - Lua 5.4 extension steps, sandboxed.
 *
 * An extension file registers step types with tsi.register_step{...}; each
 * file gets its own lua_State, so one extension cannot change another's
 * libraries.  A state has only base (no dofile, loadfile or string.dump;
 * load only in text mode), string, table, math and utf8, plus the tsi API.
 * Every call runs under three limits: memory (a budgeted allocator), an
 * instruction count and a wall-clock deadline (a count hook that re-arms
 * itself on every instruction once a limit is hit, so pcall cannot swallow
 * the error).  Library functions that loop in C (table.insert, remove,
 * move, concat, unpack, sort; string.find, match, gmatch, gsub; load's
 * compile) charge their work per element, pattern step or 16 bytes to the
 * same instruction budget, and look at the deadline and stop signals as
 * the hook does (lua-budget.c); every other function the sandbox exposes
 * takes time at most linear in the memory budget.  What a step may touch beyond variables and logs is a
 * capability its file declares: capabilities = { "exec", "fs", "net" }.
 *
 * The registered types become ordinary struct step_type entries with param
 * rows in the C vocabulary, so validation, `tsi steps`, `tsi schema`, dry
 * runs and the journal treat them like built-ins.  A set of extensions is
 * owned by the sequence that loaded it.
 */
#ifndef TSI_LUA_HOST_H
#define TSI_LUA_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/diag.h"
#include "step.h"
#include "vars.h"

enum {
	CAP_EXEC = 1 << 0,	/* tsi.exec */
	CAP_FS   = 1 << 1,	/* tsi.read_file, tsi.write_file, tsi.exists */
	CAP_NET  = 1 << 2,	/* tsi.http */
};

/* A Lua step's budgets when its lua_limits and timeout say nothing. */
#define LUA_DEFAULT_MEMORY_MB		64
#define LUA_DEFAULT_INSTRUCTIONS	100000000
#define LUA_DEFAULT_SECONDS		300

struct lua_limits {
	size_t		memory;		/* bytes of the state while a call runs */
	long long	instructions;
	int		seconds;	/* used when the step has no timeout */
};

extern const struct lua_limits lua_default_limits;
extern const struct lua_limits lua_condition_limits;

struct ext_file;			/* one loaded extension file (lua-host.c) */

struct ext_set {
	const struct step_table	 *builtins;	/* a Lua type may not take their names */
	struct ext_file		**files;
	size_t			  nfiles;
	const struct step_type	**types;	/* registered, in load order */
	size_t			  ntypes;
};

void	ext_set_init(struct ext_set *, const struct step_table *builtins);
void	ext_set_release(struct ext_set *);
/*
 * Loads one .lua file, or every *.lua file of a directory (in name order),
 * and registers its step types.  Clashes with built-ins or with types
 * already in the set are errors naming both files.  from is the location
 * that asked for it (NULL for system directories).
 */
int	ext_set_load(struct ext_set *, const char *path, const struct loc *from,
	    struct diag *);
/* Loads the system directories: $TSI_EXTENSION_DIRS (colon-separated) or
 * else PREFIX/share/tsi/steps (lib/datadir.h) and /etc/tsi/steps; missing
 * directories are fine. */
int	ext_set_load_system(struct ext_set *, struct diag *);
const struct step_type *ext_set_find(const struct ext_set *, const char *name);
/* Feeds the text of every loaded file to fn (for the sequence's hash). */
void	ext_set_each_text(const struct ext_set *, void (*fn)(void *, const char *,
	    size_t), void *);
/* Adds a note per extension file: its steps and capabilities. */
void	ext_set_describe(const struct ext_set *, struct diag *);
/* "exec, fs" (static buffer). */
const char *lua_caps_string(int caps);

/* The inline `lua` step (steps/step-lua.c) runs chunks through these. */
/* Syntax check; errors go to loc (Lua's own line is in the message). */
int	lua_check_chunk(const char *name, const char *text, size_t len,
	    const struct loc *loc, struct diag *);
int	lua_run_chunk(struct step_ctx *, const char *name, const char *text,
	    size_t len, int caps, const struct lua_limits *, int plan);

/* Lua conditions: {lua: "expression"}, pure, read-only. */
int	lua_check_condition(const char *expr, const struct loc *, struct diag *);
/* 1 true, 0 false; on an error 0 with the reason in why. */
int	lua_eval_condition(const char *expr, const struct vars *, struct buf *why);

/* Limits of a step: the node's lua_limits or the defaults. */
void	lua_step_limits(const struct step_ctx *, struct lua_limits *);
/* The deadline of a Lua step's call: its timeout, else the default limit
 * (lim->seconds), and an enclosing run_sequence's when that is sooner. */
int64_t	lua_step_deadline(const struct step_ctx *, const struct lua_limits *);

#endif
