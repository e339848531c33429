/* cond.c - see cond.h */
#include "cond.h"
#include "lua-host.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const group_keys[] = { "all", "any", "none" };
static const char *const leaf_keys[] = { "variable", "file_exists", "folder_exists", "os",
    "lua" };
static const char *const op_names[] = {
	[OP_EXISTS] = "exists",
	[OP_EQUALS] = "equals",
	[OP_NOT_EQUALS] = "not_equals",
	[OP_LESS] = "less",
	[OP_LESS_EQUAL] = "less_equal",
	[OP_GREATER] = "greater",
	[OP_GREATER_EQUAL] = "greater_equal",
	[OP_LIKE] = "like",
};
static const char *const os_keys[] = { "id", "version_at_least" };

static const char *const all_keys[] = {
	"all", "any", "none", "variable", "file_exists", "folder_exists", "os",
	"lua", "exists", "equals", "not_equals", "less", "less_equal", "greater",
	"greater_equal", "like",
};

void
cond_free(struct cond *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		cond_free(c->kids[i]);
	free(c->kids);
	free(c->var);
	free(c->value);
	free(c->os_id);
	free(c->os_version);
	free(c);
}

static struct cond *
cond_new(enum cond_kind kind, const struct loc *loc)
{
	struct cond	*c = xcalloc(1, sizeof *c);

	c->kind = kind;
	c->loc = *loc;
	return c;
}

static int
unknown_key(struct diag *d, const struct node *key, const char *what,
    const char *const *names, size_t n)
{
	const char	*s = str_suggest(key->str, names, n);

	if (s != NULL)
		return diag_error(d, &key->loc, "unknown key '%s' in %s (did you "
		    "mean '%s'?)", key->str, what, s);
	return diag_error(d, &key->loc, "unknown key '%s' in %s", key->str, what);
}

static int
scalar_value(struct diag *d, const struct node *key, const struct node *v,
    char **out)
{
	if (v->kind != NODE_SCALAR)
		return diag_error(d, &v->loc, "'%s' takes a single value, not %s",
		    key->str, node_kind_name(v));
	*out = xstrdup(v->str);
	return 0;
}

static struct cond *compile(const struct node *, struct diag *);

static struct cond *
compile_group(enum cond_kind kind, const struct node *key, const struct node *v,
    struct diag *d)
{
	struct cond	*c = cond_new(kind, &key->loc), *k;
	size_t		 i;
	int		 bad = 0;

	if (v->kind == NODE_MAP) {		/* a single condition is fine too */
		if ((k = compile(v, d)) == NULL) {
			cond_free(c);
			return NULL;
		}
		c->kids = xcalloc(1, sizeof *c->kids);
		c->kids[c->n++] = k;
		return c;
	}
	if (v->kind != NODE_LIST) {
		diag_error(d, &v->loc, "'%s' takes a list of conditions", key->str);
		cond_free(c);
		return NULL;
	}
	if (v->n == 0)
		diag_warning(d, &v->loc, "'%s' has no conditions", key->str);
	c->kids = xcalloc(v->n, sizeof *c->kids);
	for (i = 0; i < v->n; i++) {
		if ((k = compile(v->kids[i], d)) == NULL)
			bad = 1;
		else
			c->kids[c->n++] = k;
	}
	if (bad) {
		cond_free(c);
		return NULL;
	}
	return c;
}

static struct cond *
compile_variable(const struct node *map, struct diag *d)
{
	struct cond		*c;
	const struct node	*name = node_get(map, "variable"), *opkey = NULL, *opval = NULL;
	const char		*why;
	size_t			 i, j;
	int			 bad = 0;

	c = cond_new(COND_VARIABLE, &map->loc);
	if (name->kind != NODE_SCALAR) {
		diag_error(d, &name->loc, "'variable' takes a variable name");
		bad = 1;
	} else if ((why = var_name_problem(name->str)) != NULL) {
		diag_error(d, &name->loc, "invalid variable name '%s': %s", name->str, why);
		bad = 1;
	} else
		c->var = xstrdup(name->str);
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct node *k = map->kids[i];

		if (strcmp(k->str, "variable") == 0)
			continue;
		for (j = 0; j < ARRAY_SIZE(op_names); j++)
			if (strcmp(k->str, op_names[j]) == 0)
				break;
		if (j == ARRAY_SIZE(op_names)) {
			unknown_key(d, k, "a variable condition", op_names,
			    ARRAY_SIZE(op_names));
			bad = 1;
			continue;
		}
		if (opkey != NULL) {
			diag_error(d, &k->loc, "a variable condition has one operator; "
			    "'%s' and '%s' both given (combine conditions with 'all')",
			    opkey->str, k->str);
			bad = 1;
			continue;
		}
		opkey = k;
		opval = map->kids[i + 1];
		c->op = (enum cond_op)j;
	}
	if (opkey == NULL && !bad) {
		diag_error(d, &map->loc, "variable condition on '%s' has no operator "
		    "(exists, equals, not_equals, less, less_equal, greater, "
		    "greater_equal or like)", name->str);
		bad = 1;
	}
	if (opkey != NULL && !bad) {
		if (scalar_value(d, opkey, opval, &c->value) == -1)
			bad = 1;
		else if (c->op == OP_EXISTS) {
			if (parse_bool(c->value, &c->want) == -1) {
				diag_error(d, &opval->loc, "'exists' takes " BOOL_WORDS
				    ", not '%s'", c->value);
				bad = 1;
			}
		}
	}
	if (bad) {
		cond_free(c);
		return NULL;
	}
	return c;
}

static struct cond *
compile_os(const struct node *key, const struct node *v, struct diag *d)
{
	struct cond	*c = cond_new(COND_OS, &key->loc);
	size_t		 i, j;
	int		 bad = 0;

	if (v->kind != NODE_MAP || v->n == 0) {
		diag_error(d, &v->loc, "'os' takes a mapping with 'id' and/or "
		    "'version_at_least'");
		cond_free(c);
		return NULL;
	}
	for (i = 0; i + 1 < v->n; i += 2) {
		const struct node *k = v->kids[i], *val = v->kids[i + 1];
		char **dst;

		for (j = 0; j < ARRAY_SIZE(os_keys); j++)
			if (strcmp(k->str, os_keys[j]) == 0)
				break;
		if (j == ARRAY_SIZE(os_keys)) {
			unknown_key(d, k, "an 'os' condition", os_keys, ARRAY_SIZE(os_keys));
			bad = 1;
			continue;
		}
		dst = j == 0 ? &c->os_id : &c->os_version;
		if (scalar_value(d, k, val, dst) == -1)
			bad = 1;
	}
	if (bad) {
		cond_free(c);
		return NULL;
	}
	return c;
}

/* {lua: "expression"}: checked for syntax now, evaluated in a pure sandbox. */
static struct cond *
compile_lua(const struct node *key, const struct node *v, struct diag *d)
{
	struct cond	*c = cond_new(COND_LUA, &key->loc);

	if (scalar_value(d, key, v, &c->value) == -1 ||
	    lua_check_condition(c->value, &v->loc, d) == -1) {
		cond_free(c);
		return NULL;
	}
	return c;
}

static struct cond *
compile(const struct node *n, struct diag *d)
{
	const struct node	*key, *v;
	size_t			 i;

	if (n->kind == NODE_LIST) {
		struct node fake_key = *n;

		fake_key.str = (char *)"all";
		return compile_group(COND_ALL, &fake_key, n, d);
	}
	if (n->kind != NODE_MAP || n->n == 0) {
		diag_error(d, &n->loc, "a condition is a mapping or a list of "
		    "conditions, not %s", node_is_null(n) ? "empty" : node_kind_name(n));
		return NULL;
	}
	if (node_get(n, "variable") != NULL)
		return compile_variable(n, d);
	for (i = 0; i + 1 < n->n; i += 2) {
		size_t j, known = 0;

		for (j = 0; j < ARRAY_SIZE(group_keys); j++)
			known |= strcmp(n->kids[i]->str, group_keys[j]) == 0;
		for (j = 0; j < ARRAY_SIZE(leaf_keys); j++)
			known |= strcmp(n->kids[i]->str, leaf_keys[j]) == 0;
		if (!known) {
			unknown_key(d, n->kids[i], "a condition", all_keys,
			    ARRAY_SIZE(all_keys));
			return NULL;
		}
	}
	if (n->n > 2) {
		diag_error(d, &n->kids[2]->loc, "a condition mapping holds one test; "
		    "combine '%s' and '%s' with 'all', 'any' or 'none'",
		    n->kids[0]->str, n->kids[2]->str);
		return NULL;
	}
	key = n->kids[0];
	v = n->kids[1];
	if (strcmp(key->str, "all") == 0)
		return compile_group(COND_ALL, key, v, d);
	if (strcmp(key->str, "any") == 0)
		return compile_group(COND_ANY, key, v, d);
	if (strcmp(key->str, "none") == 0)
		return compile_group(COND_NONE, key, v, d);
	if (strcmp(key->str, "os") == 0)
		return compile_os(key, v, d);
	if (strcmp(key->str, "lua") == 0)
		return compile_lua(key, v, d);
	/* file_exists or folder_exists */
	struct cond *c = cond_new(strcmp(key->str, "file_exists") == 0 ?
	    COND_FILE_EXISTS : COND_FOLDER_EXISTS, &key->loc);

	if (scalar_value(d, key, v, &c->value) == -1 || *c->value == '\0') {
		if (c->value != NULL)
			diag_error(d, &v->loc, "'%s' takes a path", key->str);
		cond_free(c);
		return NULL;
	}
	return c;
}

struct cond *
cond_compile(const struct node *n, struct diag *d)
{
	return compile(n, d);
}

int
version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			char *ea, *eb;
			unsigned long long x = strtoull(a, &ea, 10);
			unsigned long long y = strtoull(b, &eb, 10);

			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a == '\0' || *b == '\0')	/* "12" < "12.1" */
			return *a == '\0' ? -1 : 1;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return tolower((unsigned char)*a) < tolower((unsigned char)*b) ? -1 : 1;
		a++;
		b++;
	}
	return 0;
}

static char *
expand_or_copy(const struct cond_env *env, const char *s)
{
	char	*out;

	if (vars_expand(env->vars, s, &out) == -1)
		return xstrdup(s);
	return out;
}

static char *
rooted(const struct cond_env *env, const char *path)
{
	if (env->root == NULL || strcmp(env->root, "/") == 0)
		return xstrdup(path);
	return xasprintf("%s/%s", env->root, path[0] == '/' ? path + 1 : path);
}

/* Value of KEY= in the root's os-release (caller frees), or NULL. */
static char *
os_release_get(const struct cond_env *env, const char *key)
{
	static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };
	char		*text = NULL, *line, *save, *out = NULL, *path;
	size_t		 i, klen = strlen(key);

	for (i = 0; i < ARRAY_SIZE(paths) && text == NULL; i++) {
		path = rooted(env, paths[i]);
		if (read_file(path, 64 * 1024, &text, NULL) == -1)
			text = NULL;
		free(path);
	}
	if (text == NULL)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line != NULL && out == NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen) != 0 || line[klen] != '=')
			continue;
		char *v = line + klen + 1;
		size_t n = strlen(v);

		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		out = xstrndup(v, n);
	}
	free(text);
	return out;
}

/* Numbers as numbers; then booleans as booleans (one meaning of true:
 * "yes" equals "true"); then case-insensitive text. */
static int
compare(const char *a, const char *b)
{
	double	x, y;
	int	p, q;

	if (str_to_num(a, &x) == 0 && str_to_num(b, &y) == 0)
		return x < y ? -1 : x > y;
	if (parse_bool(a, &p) == 0 && parse_bool(b, &q) == 0)
		return p - q;
	return strcasecmp(a, b);
}

static int
eval_variable(const struct cond *c, const struct cond_env *env, struct buf *why)
{
	const char	*val = vars_get(env->vars, c->var);
	char		*want;
	int		 r, cmp;

	if (c->op == OP_EXISTS) {
		r = (val != NULL) == c->want;
		if (why)
			buf_addf(why, "variable '%s' is %s", c->var, val ? "set" : "not set");
		return r;
	}
	if (val == NULL) {
		if (why)
			buf_addf(why, "variable '%s' is not set", c->var);
		return c->op == OP_NOT_EQUALS;
	}
	want = expand_or_copy(env, c->value);
	cmp = compare(val, want);
	switch (c->op) {
	case OP_EQUALS:		r = cmp == 0; break;
	case OP_NOT_EQUALS:	r = cmp != 0; break;
	case OP_LESS:		r = cmp < 0; break;
	case OP_LESS_EQUAL:	r = cmp <= 0; break;
	case OP_GREATER:	r = cmp > 0; break;
	case OP_GREATER_EQUAL:	r = cmp >= 0; break;
	case OP_LIKE:		r = fnmatch(want, val, FNM_CASEFOLD) == 0; break;
	default:		r = 0; break;
	}
	if (why)
		buf_addf(why, "variable '%s' is '%s', which %s %s '%s'", c->var, val,
		    r ? "satisfies" : "fails", op_names[c->op], want);
	free(want);
	return r;
}

/* A path with a ".." component could leave --root. */
static int
leaves_root(const struct cond_env *env, const char *path)
{
	const char	*p = path;

	if (env->root == NULL || strcmp(env->root, "/") == 0)
		return 0;
	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return 1;
		p += 2;
	}
	return 0;
}

static int
eval_path(const struct cond *c, const struct cond_env *env, struct buf *why)
{
	struct stat	 st;
	char		*path = expand_or_copy(env, c->value), *full = rooted(env, path);
	int		 folder = c->kind == COND_FOLDER_EXISTS, r;

	r = !leaves_root(env, path) && stat(full, &st) == 0 &&
	    (folder ? S_ISDIR(st.st_mode) : !S_ISDIR(st.st_mode));
	if (why)
		buf_addf(why, "%s '%s' %s", folder ? "folder" : "file", path,
		    r ? "exists" : "does not exist");
	free(path);
	free(full);
	return r;
}

static int
eval_os(const struct cond *c, const struct cond_env *env, struct buf *why)
{
	char	*id = os_release_get(env, "ID");
	char	*ver = os_release_get(env, "VERSION_ID");
	int	 r = 1;

	if (c->os_id != NULL && (id == NULL || !str_ieq(id, c->os_id)))
		r = 0;
	if (c->os_version != NULL &&
	    (ver == NULL || version_cmp(ver, c->os_version) < 0))
		r = 0;
	if (why)
		buf_addf(why, "the OS is '%s' version '%s'", id ? id : "unknown",
		    ver ? ver : "unknown");
	free(id);
	free(ver);
	return r;
}

int
cond_eval(const struct cond *c, const struct cond_env *env, struct buf *why)
{
	size_t	i;
	int	r;

	switch (c->kind) {
	case COND_VARIABLE:
		return eval_variable(c, env, why);
	case COND_FILE_EXISTS:
	case COND_FOLDER_EXISTS:
		return eval_path(c, env, why);
	case COND_OS:
		return eval_os(c, env, why);
	case COND_LUA:
		return lua_eval_condition(c->value, env->vars, why);
	case COND_ALL:
		/* the first false one says why */
		for (i = 0; i < c->n; i++) {
			struct buf sub = BUF_INIT;

			r = cond_eval(c->kids[i], env, &sub);
			if (!r || i + 1 == c->n) {
				if (why && sub.data)
					buf_adds(why, sub.data);
				buf_release(&sub);
				return r;
			}
			buf_release(&sub);
		}
		return 1;
	case COND_ANY:
	case COND_NONE:
		for (i = 0; i < c->n; i++) {
			struct buf sub = BUF_INIT;

			r = cond_eval(c->kids[i], env, &sub);
			if (r) {
				if (why)
					buf_addf(why, "%s%s", c->kind == COND_NONE ?
					    "'none' fails: " : "", sub.data ? sub.data : "");
				buf_release(&sub);
				return c->kind == COND_ANY;
			}
			if (why)
				buf_addf(why, "%s%s", i ? "; " : (c->kind == COND_ANY ?
				    "no condition of 'any' holds: " : ""),
				    sub.data ? sub.data : "");
			buf_release(&sub);
		}
		return c->kind == COND_NONE;
	}
	return 0;
}

void
cond_vars(const struct cond *c, void (*fn)(void *, const char *, int,
    const struct loc *), void *ctx)
{
	size_t	i;

	if (c == NULL)
		return;
	if (c->kind == COND_VARIABLE)
		fn(ctx, c->var, c->op != OP_EXISTS, &c->loc);
	for (i = 0; i < c->n; i++)
		cond_vars(c->kids[i], fn, ctx);
}
