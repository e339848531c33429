/*
 * lua-ext.c - extension files: loading, tsi.register_step, and the
 * run/plan adapters that make a Lua step an ordinary struct step_type.
 */
#include "lua-int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seq.h"
#include "../lib/datadir.h"
#include "../lib/defaults.h"
#include "../lib/trusted.h"

#define EXT_FILE_MAX		(1024 * 1024)
#define EXT_STEPS_MAX		64
#define EXT_PARAMS_MAX		64

/* A step type registered from Lua. */
struct ext_step {
	struct step_type	 type;
	struct param_spec	*params;	/* NULL-name terminated */
	char			**strings;	/* everything the rows point to */
	size_t			 nstrings;
	struct ext_file		*file;
	int			 run_ref, plan_ref;	/* LUA_NOREF for none */
};

struct ext_file {
	char			*path;
	char			*real;
	struct lhost		*host;
	int			 caps;
	struct ext_step		*steps[EXT_STEPS_MAX];
	size_t			 nsteps;
	struct ext_step		*pending;	/* being registered; kept on success */
};

static const struct lua_limits load_limits = {
	.memory = 64 * 1024 * 1024,
	.instructions = 10000000,
	.seconds = 5,
};

void
ext_set_init(struct ext_set *s, const struct step_table *builtins)
{
	memset(s, 0, sizeof *s);
	s->builtins = builtins;
}

static void
ext_step_free(struct ext_step *es)
{
	size_t	i;

	for (i = 0; i < es->nstrings; i++)
		free(es->strings[i]);
	free(es->strings);
	free(es->params);
	free(es);
}

static void
ext_file_free(struct ext_file *f)
{
	size_t	i;

	for (i = 0; i < f->nsteps; i++)
		ext_step_free(f->steps[i]);
	if (f->pending != NULL)
		ext_step_free(f->pending);
	lhost_free(f->host);
	free(f->path);
	free(f->real);
	free(f);
}

void
ext_set_release(struct ext_set *s)
{
	size_t	i;

	for (i = 0; i < s->nfiles; i++)
		ext_file_free(s->files[i]);
	free(s->files);
	free(s->types);
	ext_set_init(s, s->builtins);
}

const struct step_type *
ext_set_find(const struct ext_set *s, const char *name)
{
	size_t	i;

	for (i = 0; s != NULL && i < s->ntypes; i++)
		if (strcmp(s->types[i]->name, name) == 0)
			return s->types[i];
	return NULL;
}

static const char *
keep(struct ext_step *es, const char *s)
{
	es->strings = xreallocarray(es->strings, es->nstrings + 1, sizeof *es->strings);
	return es->strings[es->nstrings++] = xstrdup(s);
}

/* Field of the table at idx as a string, or NULL; raises on a wrong type. */
static const char *
opt_string(lua_State *L, int idx, const char *field, const char *what)
{
	const char	*s = NULL;

	lua_getfield(L, idx, field);
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "tsi.register_step: %s'%s' must be a string", what, field);
		s = lua_tostring(L, -1);
	}
	lua_pop(L, 1);
	return s;
}

static int
opt_bool(lua_State *L, int idx, const char *field, const char *what)
{
	int	b = 0;

	lua_getfield(L, idx, field);
	if (!lua_isnil(L, -1)) {
		if (!lua_isboolean(L, -1))
			luaL_error(L, "tsi.register_step: %s'%s' must be true or false",
			    what, field);
		b = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return b;
}

static void
check_fields(lua_State *L, int idx, const char *const *allowed, const char *what)
{
	size_t	i;
	int	ok;

	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "tsi.register_step: %s has a key that is not a name",
			    what);
		for (ok = 0, i = 0; allowed[i] != NULL; i++)
			ok |= strcmp(allowed[i], lua_tostring(L, -2)) == 0;
		if (!ok)
			luaL_error(L, "tsi.register_step: unknown field '%s' in %s",
			    lua_tostring(L, -2), what);
		lua_pop(L, 1);
	}
}

static enum param_type
param_type_of(lua_State *L, const char *s, const char *name)
{
	static const char *const names[] = {
		"string", "boolean", "integer", "enum", "list", "map", NULL,
	};
	size_t	i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum param_type)i;
	luaL_error(L, "tsi.register_step: param '%s' has type '%s'; types are "
	    "string, boolean, integer, enum, list and map", name, s);
	return P_STRING;
}

/* One param row from {type=, required=, default=, enum=, secret=, help=, min=, max=}. */
static void
param_row(lua_State *L, struct ext_step *es, struct param_spec *p, const char *name,
    int idx)
{
	static const char *const fields[] = {
		"type", "required", "default", "enum", "secret", "help", "min", "max", NULL,
	};
	const char	*type, *def, *help, *why;
	struct param_value pv;
	char		 what[300];
	lua_Integer	 n = 0, i;

	snprintf(what, sizeof what, "param '%.200s' ", name);
	if (lua_type(L, idx) != LUA_TTABLE)
		luaL_error(L, "tsi.register_step: %smust be a table", what);
	check_fields(L, idx, fields, what);
	if (var_name_problem(name) != NULL)
		luaL_error(L, "tsi.register_step: '%s' is not a valid param name", name);
	p->name = keep(es, name);
	type = opt_string(L, idx, "type", what);
	p->type = param_type_of(L, type ? type : "string", name);
	p->flags = (opt_bool(L, idx, "required", what) ? P_REQUIRED : 0) |
	    (opt_bool(L, idx, "secret", what) ? P_SECRET : 0);
	help = opt_string(L, idx, "help", what);
	p->help = keep(es, help ? help : "");
	p->min = 0;
	p->max = INT32_MAX;
	lua_getfield(L, idx, "min");
	if (lua_isinteger(L, -1))
		p->min = lua_tointeger(L, -1);
	lua_getfield(L, idx, "max");
	if (lua_isinteger(L, -1))
		p->max = lua_tointeger(L, -1);
	lua_pop(L, 2);
	lua_getfield(L, idx, "enum");
	if (p->type == P_ENUM) {
		const char **choices;

		if (lua_type(L, -1) != LUA_TTABLE || (n = luaL_len(L, -1)) < 1 || n > 64)
			luaL_error(L, "tsi.register_step: %sof type enum needs 'enum', "
			    "a list of 1 to 64 strings", what);
		choices = xcalloc((size_t)n + 1, sizeof *choices);
		/* the array itself is kept as one of the strings' slots */
		es->strings = xreallocarray(es->strings, es->nstrings + 1,
		    sizeof *es->strings);
		es->strings[es->nstrings++] = (char *)choices;
		for (i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			if (lua_type(L, -1) != LUA_TSTRING)
				luaL_error(L, "tsi.register_step: %s'enum' holds strings", what);
			choices[i - 1] = keep(es, lua_tostring(L, -1));
			lua_pop(L, 1);
		}
		p->choices = choices;
	}
	lua_pop(L, 1);
	lua_getfield(L, idx, "default");
	if (!lua_isnil(L, -1)) {
		if (p->type == P_LIST || p->type == P_MAP)
			luaL_error(L, "tsi.register_step: %sof type %s cannot have a "
			    "default", what, param_type_name(p->type));
		if (lua_isboolean(L, -1))
			def = lua_toboolean(L, -1) ? "true" : "false";
		else if (lua_isstring(L, -1))
			def = lua_tostring(L, -1);
		else {
			luaL_error(L, "tsi.register_step: %s'default' must be a "
			    "string, number or boolean", what);
			def = "";
		}
		memset(&pv, 0, sizeof pv);
		pv.str = (char *)def;
		if ((why = param_parse(p, &pv)) != NULL)
			luaL_error(L, "tsi.register_step: %sdefault '%s' %s", what, def, why);
		p->def = keep(es, def);
	}
	lua_pop(L, 1);
}

static void
take_function(lua_State *L, int idx, const char *field, int *ref, int required)
{
	lua_getfield(L, idx, field);
	if (lua_isnil(L, -1) && !required) {
		lua_pop(L, 1);
		*ref = LUA_NOREF;
		return;
	}
	if (lua_type(L, -1) != LUA_TFUNCTION)
		luaL_error(L, "tsi.register_step: '%s' must be a function", field);
	*ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

static int lua_ext_run(struct step_ctx *, const struct step_args *);
static int lua_ext_plan(struct step_ctx *, const struct step_args *);

/* tsi.register_step{ name = ..., summary = ..., params = {...}, run = ..., plan = ... } */
static int
register_step(lua_State *L)
{
	static const char *const fields[] = {
		"name", "summary", "params", "run", "plan", NULL,
	};
	struct lhost	*h = lhost_of(L);
	struct ext_file	*f = h->file;
	struct ext_step	*es;
	const char	*name, *summary, *c;
	size_t		 n = 0, i;

	if (h->mode != LH_LOAD || f == NULL)
		return luaL_error(L, "tsi.register_step is only allowed while an "
		    "extension file loads");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	check_fields(L, 1, fields, "the step");
	if ((name = opt_string(L, 1, "name", "")) == NULL)
		return luaL_error(L, "tsi.register_step: 'name' is required");
	for (c = name; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return luaL_error(L, "tsi.register_step: step name '%s' may hold "
			    "only a-z, 0-9 and '_'", name);
	if (*name < 'a' || *name > 'z' || strlen(name) > 64)
		return luaL_error(L, "tsi.register_step: step name '%s' starts with "
		    "a letter and has at most 64 characters", name);
	for (i = 0; i < f->nsteps; i++)
		if (strcmp(f->steps[i]->type.name, name) == 0)
			return luaL_error(L, "tsi.register_step: '%s' is registered "
			    "twice in this file", name);
	if (f->nsteps == EXT_STEPS_MAX)
		return luaL_error(L, "tsi.register_step: at most %d steps a file",
		    EXT_STEPS_MAX);
	summary = opt_string(L, 1, "summary", "");
	/* owned by the file as pending: an error below (which may be caught
	 * with pcall) leaves no half-built type behind */
	if (f->pending != NULL)
		ext_step_free(f->pending);
	es = f->pending = xcalloc(1, sizeof *es);
	es->file = f;
	es->type.name = keep(es, name);
	es->type.summary = keep(es, summary ? summary : "");
	es->type.flags = STEP_LUA;
	es->type.origin = f->path;
	es->type.impl = es;
	es->type.run = lua_ext_run;
	es->type.plan = lua_ext_plan;
	es->run_ref = es->plan_ref = LUA_NOREF;
	es->params = xcalloc(EXT_PARAMS_MAX + 1, sizeof *es->params);
	es->type.params = es->params;
	lua_getfield(L, 1, "params");
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TTABLE)
			return luaL_error(L, "tsi.register_step: 'params' must be a table");
		lua_pushnil(L);
		while (lua_next(L, 2) != 0) {
			if (lua_type(L, -2) != LUA_TSTRING)
				return luaL_error(L, "tsi.register_step: params are "
				    "named: params = { path = { type = \"string\" } }");
			if (n == EXT_PARAMS_MAX)
				return luaL_error(L, "tsi.register_step: at most %d params",
				    EXT_PARAMS_MAX);
			param_row(L, es, &es->params[n++], lua_tostring(L, -2),
			    lua_gettop(L));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	take_function(L, 1, "run", &es->run_ref, 1);
	take_function(L, 1, "plan", &es->plan_ref, 0);
	f->steps[f->nsteps++] = es;
	f->pending = NULL;
	return 0;
}

static int
read_capabilities(struct ext_file *f, struct diag *d, const struct loc *at)
{
	lua_State	*L = f->host->L;
	lua_Integer	 n, i;
	int		 r = 0;

	lua_pushglobaltable(L);
	lua_pushliteral(L, "capabilities");
	lua_rawget(L, -2);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 2);
		return 0;
	}
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 2);
		return diag_error(d, at, "'capabilities' is a list of \"exec\", \"fs\" "
		    "and \"net\"");
	}
	n = (lua_Integer)lua_rawlen(L, -1);
	for (i = 1; i <= n && n <= 16; i++) {
		const char *s;

		lua_rawgeti(L, -1, i);
		s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		if (s != NULL && strcmp(s, "exec") == 0)
			f->caps |= CAP_EXEC;
		else if (s != NULL && strcmp(s, "fs") == 0)
			f->caps |= CAP_FS;
		else if (s != NULL && strcmp(s, "net") == 0)
			f->caps |= CAP_NET;
		else
			r = diag_error(d, at, "unknown capability '%s' (capabilities are "
			    "exec, fs and net)", s ? s : "?");
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
	f->host->caps = f->caps;
	return r;
}

/* Where a Lua error message points: its first ":LINE:" (the chunk name
 * before it may be shortened by Lua). */
static struct loc
lua_error_loc(const char *msg, const char *path)
{
	struct loc	 l = { source_name(path), 0, 0 };
	const char	*p;

	for (p = strchr(msg, ':'); p != NULL; p = strchr(p + 1, ':')) {
		size_t n = strspn(p + 1, "0123456789");

		if (n > 0 && p[n + 1] == ':') {
			l.line = atoi(p + 1);
			break;
		}
	}
	return l;
}

static int
load_file(struct ext_set *s, const char *path, const struct loc *from,
    struct diag *d)
{
	struct ext_file	*f;
	struct loc	 at = { source_name(path), 0, 0 };
	char		*text, *name, *msg = NULL, *real, *why;
	size_t		 len, i, j;
	int		 st, code, r = 0;

	if ((real = realpath(path, NULL)) == NULL)
		return diag_error(d, from ? from : &at, "cannot read extension '%s': %s",
		    path, strerror(errno));
	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i]->real, real) == 0) {
			free(real);
			return 0;	/* listed twice: once is enough */
		}
	if (read_trusted_file(path, EXT_FILE_MAX, &text, &len, &why) == -1) {
		free(real);
		if (why != NULL) {
			r = diag_error(d, from ? from : &at, "refusing extension '%s': "
			    "%s", path, why);
			free(why);
			return r;
		}
		return diag_error(d, from ? from : &at, "cannot read extension '%s': %s",
		    path, errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
	}
	f = xcalloc(1, sizeof *f);
	name = path_display(path);
	f->path = xstrdup(source_intern(name, text, len));
	free(name);
	path = f->path;
	at.file = source_name(path);
	f->real = real;
	f->host = lhost_new(f->path, LH_LOAD, 0, lua_api_open);
	/* tsi.register_step exists while an extension file loads, only */
	lua_getglobal(f->host->L, "tsi");
	lua_pushcfunction(f->host->L, register_step);
	lua_setfield(f->host->L, -2, "register_step");
	lua_pop(f->host->L, 1);
	f->host->file = f;
	name = xasprintf("@%s", path);
	st = luaL_loadbufferx(f->host->L, text, len, name, "t");
	free(name);
	free(text);
	if (st != LUA_OK) {
		at = lua_error_loc(lua_tostring(f->host->L, -1), path);
		r = diag_error(d, &at, "Lua syntax error: %s",
		    lua_tostring(f->host->L, -1));
		ext_file_free(f);
		return r;
	}
	st = lhost_call(f->host, 0, &load_limits, now_ms() + load_limits.seconds * 1000,
	    &msg, &code);
	lua_pop(f->host->L, 1);
	if (st != LUA_OK) {
		char *nl = strchr(msg, '\n');

		if (nl != NULL)
			*nl = '\0';
		at = lua_error_loc(msg, path);
		r = diag_error(d, &at, "loading the extension failed: %s", msg);
		free(msg);
		ext_file_free(f);
		return r;
	}
	f->host->mode = LH_RUN;
	f->host->baseline = f->host->used;	/* step calls add to what loading made */
	if (f->pending != NULL) {		/* a register_step that failed under pcall */
		ext_step_free(f->pending);
		f->pending = NULL;
	}
	if (read_capabilities(f, d, &at) == -1)
		r = -1;
	if (f->nsteps == 0)
		diag_warning(d, &at, "extension registers no step types "
		    "(tsi.register_step{...})");
	for (i = 0; i < f->nsteps; i++) {
		const char *n = f->steps[i]->type.name;
		const struct step_type *other;

		if (step_table_find(s->builtins, n) != NULL)
			r = diag_error(d, &at, "Lua step '%s' in '%s' clashes with the "
			    "built-in step type '%s'", n, path, n);
		else if ((other = ext_set_find(s, n)) != NULL)
			r = diag_error(d, &at, "Lua step '%s' in '%s' clashes with '%s' "
			    "registered by '%s'", n, path, n, other->origin);
	}
	if (r == -1) {
		ext_file_free(f);
		return -1;
	}
	s->files = xreallocarray(s->files, s->nfiles + 1, sizeof *s->files);
	s->files[s->nfiles++] = f;
	for (j = 0; j < f->nsteps; j++) {
		s->types = xreallocarray(s->types, s->ntypes + 1, sizeof *s->types);
		s->types[s->ntypes++] = &f->steps[j]->type;
	}
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ext_set_load(struct ext_set *s, const char *path, const struct loc *from,
    struct diag *d)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	char		**names = NULL, *full, *why;
	size_t		 n = 0, i;
	int		 r = 0, fd;

	if (stat(path, &st) == -1) {
		struct loc at = { source_name(path), 0, 0 };

		return diag_error(d, from ? from : &at, "cannot read extension '%s': %s",
		    path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(s, path, from, d);
	/* as root, a folder whose every file is loaded must be root's alone */
	if ((fd = trusted_open(path, TRUSTED_FOLDER, &why)) == -1 && why != NULL) {
		r = diag_error(d, from, "refusing extension directory '%s': %s", path,
		    why);
		free(why);
		return r;
	}
	if (fd == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return diag_error(d, from, "cannot read extension directory '%s': %s",
		    path, strerror(errno));
	}
	while ((de = readdir(dir)) != NULL && n < 1024) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".lua") == 0 &&
		    de->d_name[0] != '.') {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		full = path_join(path, names[i]);
		if (load_file(s, full, from, d) == -1)
			r = -1;
		free(full);
		free(names[i]);
	}
	free(names);
	return r;
}

/* Loads DIR's extensions when it is a folder; -1 on an error. */
static int
load_dir_if_there(struct ext_set *s, const char *dir, struct diag *d)
{
	struct stat	st;

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return ext_set_load(s, dir, NULL, d);
	return 0;
}

int
ext_set_load_system(struct ext_set *s, struct diag *d)
{
	const char	*dirs = getenv("TSI_EXTENSION_DIRS");
	char		*copy, *dir, *save;
	int		 r = 0;

	if (dirs == NULL) {
		/* the installed steps (PREFIX/share/tsi/steps), then the site's */
		if ((dir = data_dir_find("steps", 0, NULL)) != NULL) {
			r = load_dir_if_there(s, dir, d);
			free(dir);
		}
		return load_dir_if_there(s, SITE_EXT_DIR, d) == -1 ? -1 : r;
	}
	copy = xstrdup(dirs);
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save))
		if (load_dir_if_there(s, dir, d) == -1)
			r = -1;
	free(copy);
	return r;
}

void
ext_set_each_text(const struct ext_set *s, void (*fn)(void *, const char *, size_t),
    void *ctx)
{
	const char	*text;
	size_t		 i, len;

	for (i = 0; i < s->nfiles; i++)
		if ((text = source_text(s->files[i]->path, &len)) != NULL)
			fn(ctx, text, len);
}

void
ext_set_describe(const struct ext_set *s, struct diag *d)
{
	size_t	i, j;

	for (i = 0; i < s->nfiles; i++) {
		struct ext_file *f = s->files[i];
		struct buf b = BUF_INIT;
		struct loc at = { source_name(f->path), 0, 0 };

		for (j = 0; j < f->nsteps; j++)
			buf_addf(&b, "%s%s", j ? ", " : "", f->steps[j]->type.name);
		diag_note(d, &at, "extension registers %s; capabilities: %s",
		    b.data ? b.data : "no steps", lua_caps_string(f->caps));
		buf_release(&b);
	}
}

/* The params table: strings, booleans, integers, lists and maps. */
static void
push_params(lua_State *L, const struct step_args *a)
{
	size_t	i, j;

	lua_createtable(L, 0, (int)a->n);
	for (i = 0; i < a->n; i++) {
		const struct param_spec *p = &a->spec[i];
		const struct param_value *v = &a->v[i];

		switch (p->type) {
		case P_BOOL:
			if (v->str == NULL)
				continue;
			lua_pushboolean(L, v->b);
			break;
		case P_INT:
			if (v->str == NULL)
				continue;
			lua_pushinteger(L, v->num);
			break;
		case P_STRING:
		case P_ENUM:
			if (v->str == NULL)
				continue;
			lua_pushstring(L, v->str);
			break;
		case P_LIST:
			lua_createtable(L, (int)v->nitems, 0);
			for (j = 0; j < v->nitems; j++) {
				lua_pushstring(L, v->items[j]);
				lua_rawseti(L, -2, (lua_Integer)j + 1);
			}
			break;
		case P_MAP:
			lua_createtable(L, 0, (int)(v->nitems / 2));
			for (j = 0; j + 1 < v->nitems; j += 2) {
				lua_pushstring(L, v->items[j + 1]);
				lua_setfield(L, -2, v->items[j]);
			}
			break;
		}
		lua_setfield(L, -2, p->name);
	}
}

struct call {
	struct step_ctx		*ctx;
	const struct step_args	*args;
	int			 ref;
	int			 plan;
};

/* A plan's result as one string of lines, read raw (no metamethods). */
static void
plan_to_string(lua_State *L)
{
	luaL_Buffer	b;
	lua_Integer	i, n;
	int		t = lua_gettop(L);

	if (lua_type(L, -1) == LUA_TSTRING)
		return;
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_pushnil(L);
		return;
	}
	n = (lua_Integer)lua_rawlen(L, -1);
	luaL_buffinit(L, &b);
	for (i = 1; i <= n && i <= 1000; i++) {
		lua_rawgeti(L, t, i);
		if (lua_type(L, -1) == LUA_TSTRING) {
			luaL_addvalue(&b);
			luaL_addchar(&b, '\n');
		} else
			lua_pop(L, 1);
	}
	luaL_pushresult(&b);
	lua_remove(L, -2);
}

/* Everything that touches the state runs here, inside the protected call:
 * building ctx and params can raise (memory), and so can a plan's table. */
static int
call_trampoline(lua_State *L)
{
	struct call	*c = lua_touserdata(L, 1);

	lua_rawgeti(L, LUA_REGISTRYINDEX, c->ref);
	lua_push_ctx(L, c->ctx);
	push_params(L, c->args);
	lua_call(L, 2, 1);
	if (c->plan)
		plan_to_string(L);
	return 1;
}

static int
call_step(struct step_ctx *ctx, const struct step_args *a, int plan)
{
	const struct tnode	*t = step_node(ctx);
	const struct ext_step	*es = t->type->impl;
	struct lhost		*h = es->file->host;
	lua_State		*L = h->L;
	struct lua_limits	 lim;
	struct call		 c = { ctx, a, plan ? es->plan_ref : es->run_ref, plan };
	int64_t			 deadline;
	char			*msg = NULL, *lines, *line, *save;
	int			 st, code, rc = 0;

	lua_step_limits(ctx, &lim);
	deadline = lua_step_deadline(ctx, &lim);
	h->mode = plan ? LH_PLAN : LH_RUN;
	h->ctx = ctx;
	lua_pushcfunction(L, call_trampoline);
	lua_pushlightuserdata(L, &c);
	st = lhost_call(h, 1, &lim, deadline, &msg, &code);
	if (st == LUA_OK && plan) {
		if (lua_type(L, -1) == LUA_TSTRING) {
			lines = xstrdup(lua_tostring(L, -1));
			for (line = strtok_r(lines, "\n", &save); line != NULL;
			    line = strtok_r(NULL, "\n", &save))
				step_plan(ctx, "%s", line);
			free(lines);
		} else
			step_plan(ctx, "run Lua step '%s'", t->type->name);
	} else
		rc = lhost_step_result(h, ctx, st, msg, code);
	lua_pop(L, 1);
	h->ctx = NULL;
	free(msg);
	/* steady memory between calls: small states make this cheap */
	lua_gc(L, LUA_GCSTEP, 0);
	return rc;
}

static int
lua_ext_run(struct step_ctx *ctx, const struct step_args *a)
{
	return call_step(ctx, a, 0);
}

static int
lua_ext_plan(struct step_ctx *ctx, const struct step_args *a)
{
	const struct ext_step	*es = step_node(ctx)->type->impl;

	if (es->plan_ref == LUA_NOREF) {
		step_plan(ctx, "run Lua step '%s' (%s; capabilities: %s)",
		    es->type.name, es->type.origin, lua_caps_string(es->file->caps));
		return 0;
	}
	return call_step(ctx, a, 1);
}
