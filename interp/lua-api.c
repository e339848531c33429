/*
 * lua-api.c - the tsi table Lua steps see.  These names are a contract:
 *
 *   tsi.get(name)                 a variable's value, or nil
 *   tsi.set(name, value [, {secret = true}])   as set_variable does
 *   tsi.log(level, msg)           level: debug, info, warning, error
 *   tsi.progress(fraction, msg)   0..1, shown on the progress line
 *   tsi.exec(argv [, opts])       run a program (capability exec)
 *   tsi.read_file(path [, max])   (capability fs)
 *   tsi.write_file(path, data [, {mode = 420}])   atomic, makes parent
 *                                 folders (capability fs)
 *   tsi.exists(path)              "file", "directory", "other" or nil (fs)
 *   tsi.http{url = ..., ...}      HTTP(S) through libcurl (capability net)
 *   tsi.fail(msg [, code])        fail the step with a message
 *   tsi.restart()                 restart the computer after this step
 *   tsi.register_step{...}        only while an extension file loads
 *
 * Misuse (a bad argument, a missing capability, a change in a plan) raises
 * an error; a failure of the world (a missing file, a refused connection)
 * returns nil and a message, as Lua's io library does.
 */
#include "lua-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "engine.h"
#include "proc.h"

#define EXEC_OUTPUT_MAX		(64 * 1024)
#define FILE_READ_MAX		(16u * 1024 * 1024)
#define HTTP_BODY_DEFAULT	(1024 * 1024)
#define HTTP_BODY_MAX		(16 * 1024 * 1024)
#define ARGV_MAX		4096

static struct step_ctx *
need_ctx(lua_State *L, const char *what)
{
	struct lhost	*h = lhost_of(L);

	if (h->ctx == NULL)
		luaL_error(L, "%s is only allowed while a step runs", what);
	return h->ctx;
}

static int
api_get(lua_State *L)
{
	struct lhost	*h = lhost_of(L);
	const char	*name = luaL_checkstring(L, 1), *v;

	if (h->mode == LH_COND)
		v = vars_get(h->cond_vars, name);
	else
		v = step_var(need_ctx(L, "tsi.get"), name);
	if (v == NULL)
		lua_pushnil(L);
	else
		lua_pushstring(L, v);
	return 1;
}

static int
api_set(lua_State *L)
{
	const char	*name = luaL_checkstring(L, 1), *value = "", *why;
	int		 secret = 0;

	lhost_no_plan(L, "tsi.set");
	if (!lua_isnoneornil(L, 2))
		value = luaL_tolstring(L, 2, NULL);
	if (lua_istable(L, 3)) {
		lua_getfield(L, 3, "secret");
		secret = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	if ((why = var_name_problem(name)) != NULL)
		return luaL_error(L, "tsi.set: invalid variable name '%s': %s", name, why);
	if (var_name_read_only(name))
		return luaL_error(L, "tsi.set: variable '%s' is read-only: names "
		    "starting with '_' are set by the engine", name);
	if (strlen(value) > VAR_VALUE_MAX)
		return luaL_error(L, "tsi.set: a variable value has at most %d "
		    "characters", VAR_VALUE_MAX);
	step_set_var(need_ctx(L, "tsi.set"), name, value, secret);
	return 0;
}

static int
api_log(lua_State *L)
{
	static const char *const levels[] = { "debug", "info", "warning", "error", NULL };
	int		level = luaL_checkoption(L, 1, NULL, levels);
	const char	*msg = luaL_checkstring(L, 2);

	step_log(need_ctx(L, "tsi.log"), (enum log_level)level, "%s", msg);
	return 0;
}

static int
api_progress(lua_State *L)
{
	double		 f = luaL_checknumber(L, 1);
	const char	*msg = luaL_optstring(L, 2, "");

	if (!(f >= 0 && f <= 1))
		return luaL_error(L, "tsi.progress: the fraction is from 0 to 1, not %f", f);
	step_progress(need_ctx(L, "tsi.progress"), f, msg);
	return 0;
}

static int
api_fail(lua_State *L)
{
	const char	*msg = luaL_checkstring(L, 1);
	lua_Integer	 code = luaL_optinteger(L, 2, STEP_RC_ERROR);

	lua_newtable(L);
	lua_pushstring(L, msg);
	lua_setfield(L, -2, FAIL_KEY);
	lua_pushinteger(L, code == 0 ? STEP_RC_ERROR : code);
	lua_setfield(L, -2, "code");
	return lua_error(L);
}

static int
api_restart(lua_State *L)
{
	lhost_no_plan(L, "tsi.restart");
	step_request_restart(need_ctx(L, "tsi.restart"));
	return 0;
}

/* Paths are relative to the sequence file's directory, as run_command's. */
static char *
resolve_path(lua_State *L, const char *path)
{
	return path_join(step_base_dir(need_ctx(L, "a file helper")), path);
}

static int
api_read_file(lua_State *L)
{
	const char	*path = luaL_checkstring(L, 1);
	lua_Integer	 max = luaL_optinteger(L, 2, FILE_READ_MAX);
	char		*full, *data;
	size_t		 len;

	lhost_need(L, CAP_FS, "tsi.read_file");
	if (max <= 0 || max > FILE_READ_MAX)
		max = FILE_READ_MAX;
	full = resolve_path(L, path);
	if (read_file(full, (size_t)max, &data, &len) == -1) {
		lua_pushnil(L);
		lua_pushfstring(L, "cannot read '%s': %s", full,
		    errno == EFBIG ? "larger than the limit" : strerror(errno));
		free(full);
		return 2;
	}
	free(full);
	lua_pushlstring(L, data, len);		/* may raise: memory budget */
	free(data);
	return 1;
}

static int
api_write_file(lua_State *L)
{
	const char	*path = luaL_checkstring(L, 1), *data;
	size_t		 len;
	lua_Integer	 mode = 0644;
	char		*full;
	int		 r;

	data = luaL_checklstring(L, 2, &len);
	lhost_need(L, CAP_FS, "tsi.write_file");
	if (lua_istable(L, 3)) {
		lua_getfield(L, 3, "mode");
		mode = luaL_optinteger(L, -1, 0644) & 07777;
		lua_pop(L, 1);
	}
	full = resolve_path(L, path);
	{
		/* like an admin's install -D: missing parent folders are made */
		char *dir = path_dirname(full);

		mkdir_p(dir, 0755);
		free(dir);
	}
	r = write_file_atomic(full, data, len, (int)mode);
	if (r == -1) {
		lua_pushnil(L);
		lua_pushfstring(L, "cannot write '%s': %s", full, strerror(errno));
		free(full);
		return 2;
	}
	step_log(need_ctx(L, "tsi.write_file"), LOG_INFO, "wrote '%s' (%zu bytes)",
	    full, len);
	free(full);
	lua_pushboolean(L, 1);
	return 1;
}

static int
api_exists(lua_State *L)
{
	const char	*path = luaL_checkstring(L, 1);
	struct stat	 st;
	char		*full;
	int		 r;

	lhost_need(L, CAP_FS, "tsi.exists");
	full = resolve_path(L, path);
	r = lstat(full, &st);
	free(full);
	if (r == -1)
		lua_pushnil(L);
	else if (S_ISREG(st.st_mode))
		lua_pushliteral(L, "file");
	else if (S_ISDIR(st.st_mode))
		lua_pushliteral(L, "directory");
	else
		lua_pushliteral(L, "other");
	return 1;
}

/* A table of strings to a NULL-terminated array (strings owned by Lua). */
static char **
string_array(lua_State *L, int idx, const char *what, int allow_empty)
{
	lua_Integer	 n, i;
	char		**v;

	luaL_checktype(L, idx, LUA_TTABLE);
	n = luaL_len(L, idx);
	if (n > ARGV_MAX || (n == 0 && !allow_empty))
		luaL_error(L, "%s: %s holds 1 to %d strings", "tsi.exec", what, ARGV_MAX);
	v = lua_newuserdatauv(L, sizeof *v * (size_t)(n + 1), 0);	/* freed by GC */
	for (i = 1; i <= n; i++) {
		lua_geti(L, idx, i);
		if (!lua_isstring(L, -1))
			luaL_error(L, "tsi.exec: %s[%d] is not a string", what, (int)i);
		v[i - 1] = (char *)lua_tostring(L, -1);
		lua_pop(L, 1);	/* still referenced by the table */
	}
	v[n] = NULL;
	return v;
}

static void
exec_line(void *ctx, const char *stream, const char *line, size_t len)
{
	step_output(ctx, stream, line, len);
}

static int
api_exec(lua_State *L)
{
	struct step_ctx		*ctx;
	struct proc_opts	 po;
	struct proc_result	 pr;
	char			**argv, **env = NULL, *cwd, *line;
	lua_Integer		 timeout = 0;
	int64_t			 deadline;
	int			 n = 0, r;

	lhost_need(L, CAP_EXEC, "tsi.exec");
	ctx = need_ctx(L, "tsi.exec");
	argv = string_array(L, 1, "argv", 0);
	memset(&po, 0, sizeof po);
	cwd = xstrdup(step_base_dir(ctx));
	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "cwd");
		if (lua_isstring(L, -1)) {
			free(cwd);
			cwd = path_join(step_base_dir(ctx), lua_tostring(L, -1));
		}
		lua_pop(L, 1);
		lua_getfield(L, 2, "timeout");
		timeout = luaL_optinteger(L, -1, 0);
		lua_pop(L, 1);
		lua_getfield(L, 2, "env");
		if (lua_istable(L, -1)) {
			env = lua_newuserdatauv(L, sizeof *env * 257, 0);
			lua_pushnil(L);
			while (n < 256 && lua_next(L, -3) != 0) {
				if (lua_type(L, -2) == LUA_TSTRING && lua_isstring(L, -1)) {
					lua_pushfstring(L, "%s=%s", lua_tostring(L, -2),
					    lua_tostring(L, -1));
					env[n++] = (char *)lua_tostring(L, -1);
					lua_insert(L, 3);	/* keep it alive */
				}
				lua_pop(L, 1);
			}
			env[n] = NULL;
		}
	}
	deadline = step_deadline(ctx);
	if (timeout > 0 && (deadline == 0 || now_ms() + timeout * 1000 < deadline))
		deadline = now_ms() + timeout * 1000;
	line = proc_argv_string(argv);
	step_log(ctx, LOG_INFO, "tsi.exec: %s", line);
	free(line);
	po.argv = argv;
	po.cwd = cwd;
	po.env_add = env;
	po.deadline = deadline;
	po.on_line = exec_line;
	po.ctx = ctx;
	po.tail_max = EXEC_OUTPUT_MAX;
	po.stop = &engine_stop_signal;
	r = proc_run(&po, &pr);
	free(cwd);
	if (r == -1) {
		free(pr.tail);
		lua_pushnil(L);
		lua_pushfstring(L, "cannot run '%s': %s", argv[0],
		    strerror(pr.exec_errno ? pr.exec_errno : errno));
		return 2;
	}
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, pr.exit_code);
	lua_setfield(L, -2, "code");
	lua_pushstring(L, pr.tail ? pr.tail : "");
	lua_setfield(L, -2, "stdout");
	lua_pushboolean(L, pr.timed_out);
	lua_setfield(L, -2, "timed_out");
	lua_pushinteger(L, pr.signal);
	lua_setfield(L, -2, "signal");
	free(pr.tail);
	return 1;
}

/* Response bodies are capped: curl aborts when the cap would be passed. */
static size_t
http_body_write(char *p, size_t size, size_t n, void *ud)
{
	(void)size;
	return buf_add(ud, p, n) == -1 ? 0 : n;
}

/* tsi.http{url, method, headers, body, timeout, max_bytes} */
static int
api_http(lua_State *L)
{
	struct step_ctx		*ctx;
	struct curl_slist	*hdrs = NULL;
	struct buf		 body;
	CURL			*c;
	CURLcode		 res;
	const char		*url, *method = "GET", *reqbody = NULL;
	size_t			 reqlen = 0;
	lua_Integer		 timeout = 30, max = HTTP_BODY_DEFAULT;
	long			 status = 0;
	char			 err[CURL_ERROR_SIZE] = "";

	lhost_need(L, CAP_NET, "tsi.http");
	ctx = need_ctx(L, "tsi.http");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "url");
	url = luaL_checkstring(L, -1);
	lua_getfield(L, 1, "method");
	method = luaL_optstring(L, -1, "GET");
	lua_getfield(L, 1, "body");
	if (lua_isstring(L, -1))
		reqbody = lua_tolstring(L, -1, &reqlen);
	lua_getfield(L, 1, "timeout");
	timeout = luaL_optinteger(L, -1, 30);
	lua_getfield(L, 1, "max_bytes");
	max = luaL_optinteger(L, -1, HTTP_BODY_DEFAULT);
	if (max <= 0 || max > HTTP_BODY_MAX)
		max = HTTP_BODY_MAX;
	if (timeout <= 0 || timeout > 3600)
		timeout = 30;
	if ((c = curl_easy_init()) == NULL)
		return luaL_error(L, "tsi.http: cannot start libcurl");
	lua_getfield(L, 1, "headers");
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		while (lua_next(L, -2) != 0) {
			if (lua_type(L, -2) == LUA_TSTRING && lua_isstring(L, -1)) {
				char *h = xasprintf("%s: %s", lua_tostring(L, -2),
				    lua_tostring(L, -1));

				hdrs = curl_slist_append(hdrs, h);
				free(h);
			}
			lua_pop(L, 1);
		}
	}
	buf_init(&body, (size_t)max);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	if (reqbody != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, reqbody);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)reqlen);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_body_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	step_log(ctx, LOG_INFO, "tsi.http: %s %s", method, url);
	res = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	if (res != CURLE_OK) {
		int too_big = res == CURLE_WRITE_ERROR;

		buf_release(&body);
		lua_pushnil(L);
		if (too_big)
			lua_pushfstring(L, "the response is larger than %d bytes", (int)max);
		else
			lua_pushfstring(L, "%s: %s", url, err[0] ? err : curl_easy_strerror(res));
		return 2;
	}
	lua_createtable(L, 0, 2);
	lua_pushinteger(L, status);
	lua_setfield(L, -2, "status");
	lua_pushlstring(L, body.data ? body.data : "", body.len);
	lua_setfield(L, -2, "body");
	buf_release(&body);
	return 1;
}

void
lua_api_open(lua_State *L, enum lhost_mode mode)
{
	static const luaL_Reg cond_api[] = {
		{ "get", api_get },
		{ NULL, NULL },
	};
	static const luaL_Reg step_api[] = {
		{ "get", api_get },
		{ "set", api_set },
		{ "log", api_log },
		{ "progress", api_progress },
		{ "exec", api_exec },
		{ "read_file", api_read_file },
		{ "write_file", api_write_file },
		{ "exists", api_exists },
		{ "http", api_http },
		{ "fail", api_fail },
		{ "restart", api_restart },
		{ NULL, NULL },
	};

	luaL_newlib(L, step_api);
	if (mode == LH_COND) {
		lua_pop(L, 1);
		luaL_newlib(L, cond_api);
	}
	if (mode == LH_LOAD) {
		lua_pushcfunction(L, lua_register_step);
		lua_setfield(L, -2, "register_step");
	}
	lua_setglobal(L, "tsi");
}
