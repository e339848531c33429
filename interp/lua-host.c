/*
 * lua-host.c - sandboxed Lua states with memory, instruction and time
 * budgets; inline chunks and conditions.  See lua-host.h.
 */
#include "lua-int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "../lib/stop.h"
#include "seq.h"

#define MIB		(1024 * 1024)

const struct lua_limits lua_default_limits = {
	.memory = LUA_DEFAULT_MEMORY_MB * MIB,
	.instructions = LUA_DEFAULT_INSTRUCTIONS,
	.seconds = LUA_DEFAULT_SECONDS,
};

const struct lua_limits lua_condition_limits = {
	.memory = 8 * MIB,
	.instructions = 1000000,
	.seconds = 2,
};

/* Memory budget: Lua's allocator contract with a ceiling (aesthetics R8). */
static void *
budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct lhost	*h = ud;
	void		*np;

	if (ptr == NULL)
		osize = 0;		/* osize is a type tag when ptr is NULL */
	if (nsize == 0) {
		free(ptr);
		h->used -= osize;
		return NULL;
	}
	if (nsize > osize && h->used - osize + nsize > h->limit)
		return NULL;		/* Lua collects garbage, then raises LUA_ERRMEM */
	np = realloc(ptr, nsize);
	if (np != NULL)
		h->used = h->used - osize + nsize;
	return np;
}

/* print() writes to the tsi log. */
static int
lua_print(lua_State *L)
{
	struct lhost	*h = lhost_of(L);
	luaL_Buffer	 b;
	int		 i, n = lua_gettop(L);

	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	if (h->ctx != NULL)
		step_log(h->ctx, LOG_INFO, "%s", lua_tostring(L, -1));
	return 0;
}

/* What load() compiles: a string in pieces, or a reader function's. */
struct chunk_reader {
	const char	*text;		/* NULL: call the function at index 1 */
	size_t		 left;
};

#define LOAD_PIECE	(16 * 1024)

/* Each piece is charged (one unit per 16 bytes) before the parser reads
 * it, so a long compile is stopped by the limits and signals too. */
static const char *
read_piece(lua_State *L, void *ud, size_t *size)
{
	struct chunk_reader	*r = ud;
	const char		*piece;

	if (r->text != NULL) {
		piece = r->text;
		*size = r->left < LOAD_PIECE ? r->left : LOAD_PIECE;
		r->text += *size;
		r->left -= *size;
	} else {
		luaL_checkstack(L, 2, "too many nested functions");
		lua_pushvalue(L, 1);
		lua_call(L, 0, 1);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			*size = 0;
			return NULL;
		}
		if (!lua_isstring(L, -1))
			luaL_error(L, "reader function must return a string");
		lua_replace(L, 5);	/* kept alive while the parser reads it */
		piece = lua_tolstring(L, 5, size);
	}
	lhost_charge(L, (long long)(*size / 16) + 1);
	return *size > 0 ? piece : NULL;
}

/* load(chunk [, chunkname [, mode [, env]]]) as Lua's, in text mode only
 * and in the sandbox's environment by default. */
static int
lua_safe_load(lua_State *L)
{
	struct chunk_reader	 r = { NULL, 0 };
	const char		*name;
	int			 st, has_env = !lua_isnone(L, 4);

	if (lua_type(L, 1) == LUA_TSTRING) {
		r.text = lua_tolstring(L, 1, &r.left);
		name = luaL_optstring(L, 2, r.text);
	} else {
		name = luaL_optstring(L, 2, "=(load)");
		luaL_checktype(L, 1, LUA_TFUNCTION);
	}
	lua_settop(L, 5);	/* slot 5 holds the reader's current piece */
	st = lua_load(L, read_piece, &r, name, "t");
	if (st != LUA_OK) {
		lua_pushnil(L);
		lua_insert(L, -2);
		return 2;
	}
	if (has_env) {
		lua_pushvalue(L, 4);
		if (lua_setupvalue(L, -2, 1) == NULL)
			lua_pop(L, 1);
	}
	return 1;
}

/* Calls the function this closure wraps (upvalue 1) with the arguments. */
static int
call_wrapped(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/* setmetatable without finalizers: a __gc runs where no hook can stop it
 * (while a state closes, say), so the sandbox refuses it. */
static int
lua_safe_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "setmetatable: finalizers (__gc) are not "
			    "allowed in tsi's sandbox");
		lua_pop(L, 1);
	}
	return call_wrapped(L);
}

/* string.rep that checks the size first: rep runs in C, where neither the
 * hook nor the time limit reaches, and ("", 2^62) would loop for ever. */
static int
lua_safe_rep(lua_State *L)
{
	struct lhost	*h = lhost_of(L);
	size_t		 len, seplen = 0;
	lua_Integer	 n;
	double		 total;

	luaL_checklstring(L, 1, &len);
	n = luaL_checkinteger(L, 2);
	if (!lua_isnoneornil(L, 3))
		luaL_checklstring(L, 3, &seplen);
	if (n <= 0 || (len == 0 && seplen == 0)) {
		lua_pushliteral(L, "");
		return 1;
	}
	total = (double)n * (double)len + (double)(n - 1) * (double)seplen;
	if (total > (double)(h->limit > h->used ? h->limit - h->used : 0))
		return luaL_error(L, "string.rep: %I bytes would pass the memory "
		    "limit", (lua_Integer)(total < 9e18 ? total : 9e18));
	return call_wrapped(L);
}

static int
strict_index(lua_State *L)
{
	return luaL_error(L, "undefined global '%s'", lua_tostring(L, 2));
}

static void
sandbox_open(lua_State *L, enum lhost_mode mode, lhost_api_fn open_api)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
		{ NULL, NULL },
	};
	static const char *const removed[] = {
		"dofile", "loadfile", "collectgarbage", "print", "load",
	};
	const luaL_Reg	*lib;
	size_t		 i;

	for (lib = libs; lib->func != NULL; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	for (i = 0; i < ARRAY_SIZE(removed); i++) {
		lua_pushnil(L);
		lua_setglobal(L, removed[i]);
	}
	lua_pushcfunction(L, lua_safe_load);
	lua_setglobal(L, "load");
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, lua_safe_setmetatable, 1);
	lua_setglobal(L, "setmetatable");
	lua_open_charged_table(L);
	lua_open_charged_match(L);
	lua_getglobal(L, LUA_STRLIBNAME);
	lua_getfield(L, -1, "rep");
	lua_pushcclosure(L, lua_safe_rep, 1);
	lua_setfield(L, -2, "rep");
	lua_pop(L, 1);
	if (mode != LH_COND) {
		lua_pushcfunction(L, lua_print);
		lua_setglobal(L, "print");
	}
	/* no binary chunks, and the string metatable is out of reach */
	lua_getglobal(L, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);
	if (open_api != NULL)
		open_api(L, mode);
	/* reading an undefined global is an error, not a silent nil */
	lua_pushglobaltable(L);
	lua_newtable(L);
	lua_pushcfunction(L, strict_index);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_pop(L, 1);
}

struct lhost *
lhost_new(const char *name, enum lhost_mode mode, int caps, lhost_api_fn open_api)
{
	struct lhost	*h = xcalloc(1, sizeof *h);
	int64_t		 deadline;

	/* chunk names are "@file" or "=text": messages want the bare name */
	h->name = name[0] == '@' || name[0] == '=' ? name + 1 : name;
	h->mode = mode;
	h->caps = caps;
	h->limit = lua_default_limits.memory;
	if ((h->L = lua_newstate(budget_alloc, h)) == NULL)
		fatal("cannot create a Lua state");
	*(struct lhost **)lua_getextraspace(h->L) = h;
	/* opening the libraries is bounded too */
	h->instruction_limit = lua_default_limits.instructions;
	deadline = 0;
	h->deadline = deadline;
	sandbox_open(h->L, mode, open_api);
	h->baseline = h->used;
	return h;
}

void
lhost_free(struct lhost *h)
{
	if (h == NULL)
		return;
	lua_close(h->L);
	free(h);
}

/* FAIL_KEY of a tsi.fail table, read raw: no metamethod runs here. */
static int
is_fail_table(lua_State *L, int idx)
{
	int	r;

	if (lua_type(L, idx) != LUA_TTABLE)
		return 0;
	lua_pushliteral(L, FAIL_KEY);
	r = lua_rawget(L, idx < 0 ? idx - 1 : idx) == LUA_TSTRING;
	lua_pop(L, 1);
	return r;
}

/* Message handler: a traceback for strings; tsi.fail tables pass as they are. */
static int
msgh(lua_State *L)
{
	if (is_fail_table(L, 1))
		return 1;
	if (lua_type(L, 1) == LUA_TSTRING)
		luaL_traceback(L, L, lua_tostring(L, 1), 1);
	else	/* no __tostring: a hostile one could loop or error */
		luaL_traceback(L, L, lua_pushfstring(L, "(error object is a %s value)",
		    luaL_typename(L, 1)), 1);
	return 1;
}

int
lhost_call(struct lhost *h, int nargs, const struct lua_limits *lim,
    int64_t deadline, char **msg, int *code)
{
	lua_State	*L = h->L;
	int		 base = lua_gettop(L) - nargs, st;

	*msg = NULL;
	*code = STEP_RC_ERROR;
	lua_pushcfunction(L, msgh);
	lua_insert(L, base);
	/* the budget is absolute: what the state held after loading, plus
	 * the call's allowance, so calls cannot pile memory up */
	h->limit = h->baseline + lim->memory;
	h->instructions = 0;
	h->instruction_limit = lim->instructions;
	h->deadline = deadline;
	h->killed = NULL;
	h->unchecked = 0;
	lua_sethook(L, lhost_budget_hook, LUA_MASKCOUNT, LHOST_HOOK_EVERY);
	st = lua_pcall(L, nargs, 1, base);
	lua_sethook(L, NULL, 0, 0);
	lua_remove(L, base);
	/* a long C call (a pattern match, say) runs without the hook */
	if (st == LUA_OK && deadline > 0 && now_ms() > deadline) {
		h->killed = "its time limit";
		st = LUA_ERRRUN;
	}
	if (st == LUA_OK)
		return st;
	if (h->killed != NULL) {
		if (strcmp(h->killed, "its instruction limit") == 0)
			*msg = xasprintf("%s: stopped: it went past its instruction "
			    "limit (%lld instructions)", h->name, lim->instructions);
		else if (strcmp(h->killed, "its time limit") == 0)
			*msg = xasprintf("%s: stopped: it went past its time limit",
			    h->name);
		else
			*msg = xasprintf("%s: stopped by a signal", h->name);
	} else if (st == LUA_ERRMEM)
		*msg = xasprintf("%s: stopped: it went past its memory limit "
		    "(%zu MiB)", h->name, lim->memory / MIB);
	else if (is_fail_table(L, -1)) {
		lua_pushliteral(L, FAIL_KEY);
		lua_rawget(L, -2);
		*msg = xstrdup(lua_tostring(L, -1));
		lua_pushliteral(L, "code");
		lua_rawget(L, -3);
		if (lua_isinteger(L, -1))
			*code = step_exit_code(lua_tointeger(L, -1));
		lua_pop(L, 2);
	} else if (lua_type(L, -1) == LUA_TSTRING)
		*msg = xstrdup(lua_tostring(L, -1));
	else
		*msg = xasprintf("%s: error while handling an error", h->name);
	lua_pop(L, 1);
	lua_pushnil(L);
	/* what a failed call left behind is garbage now (no finalizers can
	 * run: the sandbox refuses __gc) */
	lua_gc(L, LUA_GCCOLLECT);
	return st;
}

int
lhost_timed_out(const struct lhost *h)
{
	return h->killed != NULL && strcmp(h->killed, "its time limit") == 0;
}

/* A Lua value as an exit code: integers in int range, else a failure. */
int
step_exit_code(long long v)
{
	if (v < INT_MIN || v > INT_MAX)
		return STEP_RC_ERROR;
	return (int)v;
}

void
lhost_need(lua_State *L, int cap, const char *what)
{
	struct lhost	*h = lhost_of(L);

	if (h->mode == LH_PLAN)
		luaL_error(L, "a plan cannot change anything: %s is not allowed "
		    "in plan", what);
	if (h->mode == LH_COND || h->mode == LH_LOAD)
		luaL_error(L, "%s is only allowed while a step runs", what);
	if (cap != 0 && !(h->caps & cap) && h->file != NULL)
		luaL_error(L, "%s needs the '%s' capability: declare "
		    "capabilities = { \"%s\" } in %s", what, lua_caps_string(cap),
		    lua_caps_string(cap), h->name);
	if (cap != 0 && !(h->caps & cap))
		luaL_error(L, "%s needs the '%s' capability: declare it with the "
		    "step (capabilities: [%s])", what, lua_caps_string(cap),
		    lua_caps_string(cap));
}

void
lhost_no_plan(lua_State *L, const char *what)
{
	lhost_need(L, 0, what);
}

const char *
lua_caps_string(int caps)
{
	static char	s[32];

	snprintf(s, sizeof s, "%s%s%s%s%s", caps & CAP_EXEC ? "exec" : "",
	    (caps & CAP_EXEC) && (caps & (CAP_FS | CAP_NET)) ? ", " : "",
	    caps & CAP_FS ? "fs" : "", (caps & CAP_FS) && (caps & CAP_NET) ? ", " : "",
	    caps & CAP_NET ? "net" : "");
	if (caps == 0)
		snprintf(s, sizeof s, "none");
	return s;
}

int64_t
lua_step_deadline(const struct step_ctx *ctx, const struct lua_limits *lim)
{
	int64_t	d = step_deadline(ctx), def;

	/* without a timeout of its own a Lua step has the default limit, or
	 * its run_sequence's deadline when that comes sooner */
	if (step_node(ctx)->timeout == 0) {
		def = now_ms() + (int64_t)lim->seconds * 1000;
		if (d == 0 || def < d)
			d = def;
	}
	return d;
}

void
lua_step_limits(const struct step_ctx *ctx, struct lua_limits *out)
{
	const struct tnode	*t = step_node(ctx);

	*out = lua_default_limits;
	if (t->lua_memory_mb > 0)
		out->memory = (size_t)t->lua_memory_mb * MIB;
	if (t->lua_instructions > 0)
		out->instructions = t->lua_instructions;
}

int
lhost_step_result(struct lhost *h, struct step_ctx *ctx, int st, const char *msg,
    int code)
{
	const struct tnode	*t = step_node(ctx);
	lua_State		*L = h->L;

	if (st != LUA_OK) {
		step_log(ctx, LOG_ERROR, "%s (in step '%s' at %s:%d:%d)", msg, t->name,
		    t->loc.file, t->loc.line, t->loc.col);
		if (lhost_timed_out(h)) {
			step_timed_out(ctx);
			return STEP_RC_TIMEOUT;
		}
		return code;
	}
	switch (lua_type(L, -1)) {
	case LUA_TNIL:
		return 0;
	case LUA_TBOOLEAN:
		return lua_toboolean(L, -1) ? 0 : STEP_RC_ERROR;
	case LUA_TNUMBER:
		if (lua_isinteger(L, -1))
			return step_exit_code(lua_tointeger(L, -1));
		break;
	}
	step_log(ctx, LOG_ERROR, "a Lua step returns an exit code (an integer), true "
	    "or false, not a %s (in step '%s' at %s:%d:%d)", luaL_typename(L, -1),
	    t->name, t->loc.file, t->loc.line, t->loc.col);
	return STEP_RC_ERROR;
}

/* The ctx table of a call: name, type, file, line, dry_run. */
void
lua_push_ctx(lua_State *L, struct step_ctx *ctx)
{
	const struct tnode	*t = step_node(ctx);

	lua_createtable(L, 0, 5);
	lua_pushstring(L, t->name);
	lua_setfield(L, -2, "name");
	lua_pushstring(L, t->type->name);
	lua_setfield(L, -2, "type");
	lua_pushstring(L, t->loc.file);
	lua_setfield(L, -2, "file");
	lua_pushinteger(L, t->loc.line);
	lua_setfield(L, -2, "line");
	lua_pushboolean(L, lhost_of(L)->mode == LH_PLAN);
	lua_setfield(L, -2, "dry_run");
}
