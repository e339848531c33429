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
#include "../lib/curl-api.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <dlfcn.h>

#include "../lib/stop.h"
#include "../lib/proc.h"

#define EXEC_OUTPUT_MAX		(64 * 1024)
#define FILE_READ_MAX		(16u * 1024 * 1024)
#define HTTP_BODY_DEFAULT	(1024 * 1024)
#define HTTP_BODY_MAX		(16 * 1024 * 1024)
#define ARGV_MAX		4096
#define MAX_TIMEOUT_S		(30 * 86400)

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
	/* refused (a typed variable's wrong value, the log says why): the
	 * step fails, as set_variable would; the value is not repeated */
	if (step_set_var(need_ctx(L, "tsi.set"), name, value, secret) == -1)
		return luaL_error(L, "tsi.set: variable '%s' refused the value", name);
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

	/* a failure is never a success code */
	if (code == 0 || code == STEP_RC_RESTART || code < INT_MIN || code > INT_MAX)
		code = STEP_RC_ERROR;
	lua_newtable(L);
	lua_pushstring(L, msg);
	lua_setfield(L, -2, FAIL_KEY);
	lua_pushinteger(L, code);
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

/*
 * C memory that a Lua error could otherwise leak: a to-be-closed userdata
 * owns the pointer and frees it when the function returns or unwinds.
 */
static int
cbox_close(lua_State *L)
{
	void	**p = lua_touserdata(L, 1);

	free(*p);
	*p = NULL;
	return 0;
}

static void **
cbox_new(lua_State *L)
{
	void	**p = lua_newuserdatauv(L, sizeof *p, 0);

	*p = NULL;
	if (luaL_newmetatable(L, "tsi.cbox")) {
		lua_pushcfunction(L, cbox_close);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, cbox_close);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	lua_toclose(L, -1);
	return p;
}

/* Paths are relative to the sequence file's directory, as run_command's;
 * the result is a Lua string left on the stack. */
static const char *
resolve_path(lua_State *L, const char *path)
{
	const char	*base = step_base_dir(need_ctx(L, "a file helper"));

	if (path[0] == '/')
		return lua_pushstring(L, path);
	return lua_pushfstring(L, "%s/%s", base, path);
}

/* The deadline of what a call starts: the sooner of the step's and the
 * Lua call's, and of timeout seconds from now when given. */
static int64_t
call_deadline_ms(lua_State *L, lua_Integer timeout)
{
	struct lhost	*h = lhost_of(L);
	int64_t		 d = step_deadline(h->ctx), now = now_ms();

	if (h->deadline > 0 && (d == 0 || h->deadline < d))
		d = h->deadline;
	if (timeout > 0 && (d == 0 || now + timeout * 1000 < d))
		d = now + timeout * 1000;
	return d;
}

static lua_Integer
opt_timeout(lua_State *L, int idx)
{
	lua_Integer	t = luaL_optinteger(L, idx, 0);

	if (t < 0 || t > MAX_TIMEOUT_S)
		luaL_error(L, "a timeout is from 0 to %d seconds", MAX_TIMEOUT_S);
	return t;
}

static int
api_read_file(lua_State *L)
{
	const char	*path = luaL_checkstring(L, 1), *full;
	lua_Integer	 max = luaL_optinteger(L, 2, FILE_READ_MAX);
	luaL_Buffer	 b;
	struct stat	 st;
	size_t		 got = 0;
	ssize_t		 n;
	char		*p;
	int		 fd;

	lhost_need(L, CAP_FS, "tsi.read_file");
	if (max <= 0 || max > FILE_READ_MAX)
		max = FILE_READ_MAX;
	full = resolve_path(L, path);
	if (stat(full, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size > max) {
		lua_pushnil(L);
		lua_pushfstring(L, "cannot read '%s': %s", full, errno != 0 &&
		    !S_ISREG(st.st_mode) ? strerror(errno) : !S_ISREG(st.st_mode) ?
		    "not a regular file" : "larger than the limit");
		return 2;
	}
	/* the buffer first (it may raise), then the file */
	p = luaL_buffinitsize(L, &b, (size_t)st.st_size + 1);
	if ((fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		lua_pushnil(L);
		lua_pushfstring(L, "cannot read '%s': %s", full, strerror(errno));
		return 2;
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, p + got, (size_t)st.st_size - got)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		got += (size_t)n;
	}
	close(fd);
	luaL_pushresultsize(&b, got);
	return 1;
}

static int
api_write_file(lua_State *L)
{
	const char	*path = luaL_checkstring(L, 1), *data, *full;
	size_t		 len;
	lua_Integer	 mode = 0644;
	char		*dir;
	int		 r, saved;

	data = luaL_checklstring(L, 2, &len);
	lhost_need(L, CAP_FS, "tsi.write_file");
	if (lua_istable(L, 3)) {
		lua_getfield(L, 3, "mode");
		mode = luaL_optinteger(L, -1, 0644) & 07777;
		lua_pop(L, 1);
	}
	full = resolve_path(L, path);
	/* like an admin's install -D: missing parent folders are made */
	dir = path_dirname(full);
	mkdir_p(dir, 0755);
	free(dir);
	r = write_file_atomic(full, data, len, (int)mode);
	saved = errno;
	if (r == -1) {
		lua_pushnil(L);
		lua_pushfstring(L, "cannot write '%s': %s", full, strerror(saved));
		return 2;
	}
	step_log(need_ctx(L, "tsi.write_file"), LOG_INFO, "wrote '%s' (%zu bytes)",
	    full, len);
	lua_pushboolean(L, 1);
	return 1;
}

static int
api_exists(lua_State *L)
{
	const char	*path = luaL_checkstring(L, 1), *full;
	struct stat	 st;

	lhost_need(L, CAP_FS, "tsi.exists");
	full = resolve_path(L, path);
	if (lstat(full, &st) == -1)
		lua_pushnil(L);
	else if (S_ISREG(st.st_mode))
		lua_pushliteral(L, "file");
	else if (S_ISDIR(st.st_mode))
		lua_pushliteral(L, "directory");
	else
		lua_pushliteral(L, "other");
	return 1;
}

/*
 * A table of strings (numbers are converted) to a NULL-terminated array.
 * Raw access only; every string is anchored in a table left on the stack,
 * so the array stays valid while the function runs.
 */
static char **
string_array(lua_State *L, int idx, const char *what)
{
	lua_Integer	 n, i;
	char		**v;
	int		 anchor;

	luaL_checktype(L, idx, LUA_TTABLE);
	n = (lua_Integer)lua_rawlen(L, idx);
	if (n < 1 || n > ARGV_MAX)
		luaL_error(L, "tsi.exec: %s holds 1 to %d strings", what, ARGV_MAX);
	v = lua_newuserdatauv(L, sizeof *v * (size_t)(n + 1), 0);
	lua_createtable(L, (int)n, 0);
	anchor = lua_gettop(L);
	for (i = 1; i <= n; i++) {
		int t = lua_rawgeti(L, idx, i);

		if (t != LUA_TSTRING && t != LUA_TNUMBER)
			luaL_error(L, "tsi.exec: %s[%d] is not a string", what, (int)i);
		lua_pushstring(L, lua_tostring(L, -1));
		v[i - 1] = (char *)lua_tostring(L, -1);
		lua_rawseti(L, anchor, i);
		lua_pop(L, 1);
	}
	v[n] = NULL;
	return v;
}

static int
api_exec(lua_State *L)
{
	struct step_ctx		*ctx;
	struct proc_opts	 po;
	struct proc_result	 pr;
	const char		*cwd, *cwdopt = NULL;
	char			**argv, **env = NULL;
	void			**tail;
	lua_Integer		 timeout = 0;
	int			 n = 0, r, envtab = 0;

	lhost_need(L, CAP_EXEC, "tsi.exec");
	ctx = need_ctx(L, "tsi.exec");
	if (!lua_isnoneornil(L, 2)) {		/* options before anything is made */
		luaL_checktype(L, 2, LUA_TTABLE);
		lua_getfield(L, 2, "cwd");
		cwdopt = luaL_optstring(L, -1, NULL);
		lua_getfield(L, 2, "timeout");
		timeout = opt_timeout(L, -1);
		lua_getfield(L, 2, "env");
		if (lua_istable(L, -1))
			envtab = lua_gettop(L);
	}
	argv = string_array(L, 1, "argv");
	if (envtab != 0) {
		env = lua_newuserdatauv(L, sizeof *env * 257, 0);
		lua_createtable(L, 256, 0);
		lua_pushnil(L);
		while (n < 256 && lua_next(L, envtab) != 0) {
			if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
				env[n] = (char *)lua_pushfstring(L, "%s=%s", lua_tostring(L, -2),
				    lua_tostring(L, -1));
				lua_rawseti(L, -4, ++n);	/* anchored */
			}
			lua_pop(L, 1);
		}
		env[n] = NULL;
	}
	cwd = step_base_dir(ctx);
	if (cwdopt != NULL)
		cwd = resolve_path(L, cwdopt);
	tail = cbox_new(L);
	step_log_command(ctx, "tsi.exec", argv);
	step_proc_opts(ctx, &po);
	po.argv = argv;
	po.cwd = cwd;
	po.env_add = env;
	po.deadline = call_deadline_ms(L, timeout);
	po.tail_max = EXEC_OUTPUT_MAX;
	r = proc_run(&po, &pr);
	*tail = pr.tail;
	if (pr.tail != NULL && pr.tail_cut)
		step_mask_cut_head(ctx, pr.tail);
	if (r == -1) {
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
	return 1;
}

/* Response bodies are capped: curl aborts when the cap would be passed. */
static size_t
http_body_write(char *p, size_t size, size_t n, void *ud)
{
	(void)size;
	return buf_add(ud, p, n) == -1 ? 0 : n;
}

/* A stop signal ends a transfer too. */
static int
http_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	(void)ud; (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	return stop_signal ? 1 : 0;
}

/* tsi.http{url, method, headers, body, timeout, max_bytes} */
static int
api_http(lua_State *L)
{
	struct lhost		*h = lhost_of(L);
	const struct curl_api	*api;
	const char		*why;
	struct step_ctx		*ctx;
	struct curl_slist	*hdrs = NULL;
	struct buf		 body;
	CURL			*c;
	CURLcode		 res;
	const char		*url, *method, *reqbody = NULL;
	size_t			 reqlen = 0;
	lua_Integer		 timeout, max, i, nh = 0;
	int64_t			 deadline, left;
	long			 status = 0;
	void			**box;
	char			 err[CURL_ERROR_SIZE] = "";
	int			 hdrtab, ok;

	lhost_need(L, CAP_NET, "tsi.http");
	ctx = need_ctx(L, "tsi.http");
	/* everything from Lua first: nothing below may raise while curl holds memory */
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "url");
	url = luaL_checkstring(L, -1);
	lua_getfield(L, 1, "method");
	method = luaL_optstring(L, -1, "GET");
	lua_getfield(L, 1, "body");
	if (lua_type(L, -1) == LUA_TSTRING)
		reqbody = lua_tolstring(L, -1, &reqlen);
	lua_getfield(L, 1, "timeout");
	timeout = opt_timeout(L, -1);
	if (timeout == 0)
		timeout = 30;
	lua_getfield(L, 1, "max_bytes");
	max = luaL_optinteger(L, -1, HTTP_BODY_DEFAULT);
	if (max <= 0 || max > HTTP_BODY_MAX)
		max = HTTP_BODY_MAX;
	if ((size_t)max > (h->limit > h->used ? h->limit - h->used : 0) / 2)
		return luaL_error(L, "tsi.http: max_bytes %I would pass the step's "
		    "memory limit", max);
	lua_createtable(L, 16, 0);
	hdrtab = lua_gettop(L);
	lua_getfield(L, 1, "headers");
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		while (nh < 100 && lua_next(L, -2) != 0) {
			if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
				lua_pushfstring(L, "%s: %s", lua_tostring(L, -2),
				    lua_tostring(L, -1));
				lua_rawseti(L, hdrtab, ++nh);
			}
			lua_pop(L, 1);
		}
	}
	box = cbox_new(L);
	if ((api = curl_api(&why)) == NULL) {
		lua_pushnil(L);
		lua_pushfstring(L, "HTTP is not available: cannot load libcurl (%s)", why);
		return 2;
	}
	deadline = call_deadline_ms(L, timeout);
	left = deadline - now_ms();
	if (left <= 0)
		return luaL_error(L, "tsi.http: the step's time is up");
	if ((c = api->easy_init()) == NULL)
		return luaL_error(L, "tsi.http: cannot start libcurl");
	for (i = 1; i <= nh; i++) {
		lua_rawgeti(L, hdrtab, i);
		hdrs = api->slist_append(hdrs, lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	buf_init(&body, (size_t)max);
	/* https stays https across redirects; only http and https at all */
	ok = api->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	    api->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
	    strncmp(url, "https:", 6) == 0 ? "https" : "http,https") == CURLE_OK;
	api->easy_setopt(c, CURLOPT_URL, url);
	api->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	api->easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	api->easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left);
	api->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	api->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	api->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_progress);
	if (strcmp(method, "HEAD") == 0)
		api->easy_setopt(c, CURLOPT_NOBODY, 1L);
	else
		api->easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	api->easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	api->easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	if (reqbody != NULL) {
		api->easy_setopt(c, CURLOPT_POSTFIELDS, reqbody);
		api->easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)reqlen);
	}
	api->easy_setopt(c, CURLOPT_WRITEFUNCTION, http_body_write);
	api->easy_setopt(c, CURLOPT_WRITEDATA, &body);
	res = ok ? CURLE_OK : CURLE_UNSUPPORTED_PROTOCOL;
	if (ok) {
		step_log(ctx, LOG_INFO, "tsi.http: %s %s", method, url);
		res = api->easy_perform(c);
		api->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	}
	api->easy_cleanup(c);
	api->slist_free_all(hdrs);
	*box = body.data;	/* freed by the box, whatever happens next */
	if (res != CURLE_OK) {
		lua_pushnil(L);
		if (res == CURLE_WRITE_ERROR)
			lua_pushfstring(L, "the response is larger than %I bytes", max);
		else if (res == CURLE_ABORTED_BY_CALLBACK)
			lua_pushliteral(L, "stopped by a signal");
		else
			lua_pushfstring(L, "%s: %s", url, err[0] ? err : api->easy_strerror(res));
		return 2;
	}
	lua_createtable(L, 0, 2);
	lua_pushinteger(L, status);
	lua_setfield(L, -2, "status");
	lua_pushlstring(L, body.data ? body.data : "", body.len);
	lua_setfield(L, -2, "body");
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
	lua_setglobal(L, "tsi");
}
