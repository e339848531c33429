/*
 * lua-chunk.c - Lua that is not an extension file: the inline `lua` step's
 * chunks and {lua: ...} conditions, in states of their own.
 */
#include "lua-int.h"

#include <stdlib.h>
#include <string.h>

int
lua_check_chunk(const char *name, const char *text, size_t len,
    const struct loc *loc, struct diag *d)
{
	struct lhost	*h = lhost_new(name, LH_COND, 0, lua_api_open);
	int		 st, r = 0;

	st = luaL_loadbufferx(h->L, text, len, name, "t");
	if (st != LUA_OK)
		r = diag_error(d, loc, "Lua syntax error: %s", lua_tostring(h->L, -1));
	lhost_free(h);
	return r;
}

int
lua_run_chunk(struct step_ctx *ctx, const char *name, const char *text,
    size_t len, int caps, const struct lua_limits *lim, int plan)
{
	struct lhost	*h = lhost_new(name, plan ? LH_PLAN : LH_RUN, caps, lua_api_open);
	char		*msg = NULL;
	int		 code, st, rc = 0;

	h->ctx = ctx;
	st = luaL_loadbufferx(h->L, text, len, name, "t");
	if (st != LUA_OK) {
		step_log(ctx, LOG_ERROR, "Lua syntax error: %s", lua_tostring(h->L, -1));
		lhost_free(h);
		return STEP_RC_ERROR;
	}
	lua_push_ctx(h->L, ctx);
	st = lhost_call(h, 1, lim, lua_step_deadline(ctx, lim), &msg, &code);
	rc = lhost_step_result(h, ctx, st, msg, code);
	free(msg);
	lhost_free(h);
	return rc;
}

static int
wrap_expression(const char *expr, char **out)
{
	*out = xasprintf("return (%s\n)", expr);
	return 0;
}

int
lua_check_condition(const char *expr, const struct loc *loc, struct diag *d)
{
	char	*src;
	int	 r;

	wrap_expression(expr, &src);
	r = lua_check_chunk("=condition", src, strlen(src), loc, d);
	free(src);
	return r;
}

int
lua_eval_condition(const char *expr, const struct vars *vars, struct buf *why)
{
	struct lhost	*h = lhost_new("condition", LH_COND, 0, lua_api_open);
	char		*src, *msg = NULL;
	int		 code, st, r = 0;

	h->cond_vars = vars;
	wrap_expression(expr, &src);
	st = luaL_loadbufferx(h->L, src, strlen(src), "=condition", "t");
	free(src);
	if (st == LUA_OK)
		st = lhost_call(h, 0, &lua_condition_limits,
		    now_ms() + lua_condition_limits.seconds * 1000, &msg, &code);
	else
		msg = xstrdup(lua_tostring(h->L, -1));
	if (st == LUA_OK) {
		r = lua_toboolean(h->L, -1);
		if (why)
			buf_addf(why, "Lua condition '%s' is %s", expr, r ? "true" : "false");
	} else if (why) {
		char *nl = strchr(msg, '\n');

		if (nl != NULL)		/* the traceback says nothing useful here */
			*nl = '\0';
		buf_addf(why, "Lua condition '%s' failed: %s", expr, msg);
	}
	free(msg);
	lhost_free(h);
	return r;
}
