/* cond-eval.c - evaluating conditions; see cond.h */
#include "cond.h"
#include "lua-host.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

/* Whether a comparison's result (<0, 0, >0) satisfies an ordering operator. */
static int
order_holds(enum cond_op op, int cmp)
{
	switch (op) {
	case OP_EQUALS:		return cmp == 0;
	case OP_NOT_EQUALS:	return cmp != 0;
	case OP_LESS:		return cmp < 0;
	case OP_LESS_EQUAL:	return cmp <= 0;
	case OP_GREATER:	return cmp > 0;
	case OP_GREATER_EQUAL:	return cmp >= 0;
	default:		return 0;
	}
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
	r = c->op == OP_LIKE ? fnmatch(want, val, FNM_CASEFOLD) == 0 :
	    order_holds(c->op, cmp);
	if (why)
		buf_addf(why, "variable '%s' is '%s', which %s %s '%s'", c->var, val,
		    r ? "satisfies" : "fails", cond_op_names[c->op], want);
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

static void
format_time(long long t, char out[32])
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 32, "%lld", t);
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
eval_modified(const struct cond *c, const struct cond_env *env, struct buf *why)
{
	struct stat	 st;
	char		*path = expand_or_copy(env, c->value), *full = rooted(env, path);
	int		 folder = c->kind == COND_FOLDER_MODIFIED, r = 0, cmp;
	char		 was[32], want[32];

	format_time(c->when, want);
	if (leaves_root(env, path) || stat(full, &st) == -1 ||
	    (folder ? !S_ISDIR(st.st_mode) : S_ISDIR(st.st_mode))) {
		if (why)
			buf_addf(why, "%s '%s' does not exist", folder ? "folder" :
			    "file", path);
	} else {
		cmp = (long long)st.st_mtime < c->when ? -1 : (long long)st.st_mtime > c->when;
		r = order_holds(c->op, cmp);
		format_time((long long)st.st_mtime, was);
		if (why)
			buf_addf(why, "%s '%s' was modified %s, which %s %s %s", folder ?
			    "folder" : "file", path, was, r ? "satisfies" : "fails",
			    cond_op_names[c->op], want);
	}
	free(path);
	free(full);
	return r;
}

static int
eval_unported(const struct cond *c, struct buf *why)
{
	size_t	i;

	if (why == NULL)
		return -1;
	buf_addf(why, "condition not ported: %s", c->value);
	for (i = 0; i + 1 < c->nprops; i += 2)
		buf_addf(why, "%s%s=%s", i == 0 ? " (" : ", ", c->props[i], c->props[i + 1]);
	if (c->nprops > 0)
		buf_adds(why, ")");
	buf_adds(why, " cannot be evaluated");
	return -1;
}

/*
 * all, any and none in Kleene's three-valued logic: a test that cannot be
 * evaluated (-1) decides only when the others leave the answer open.  The
 * reason given is the deciding test's, else every test's.
 */
static int
eval_group(const struct cond *c, const struct cond_env *env, struct buf *why)
{
	int	decide = c->kind == COND_ALL ? 0 : 1;	/* the value that ends it */
	int	unknown = 0, r;
	size_t	i;
	struct buf all = BUF_INIT, unknown_why = BUF_INIT;

	for (i = 0; i < c->n; i++) {
		struct buf sub = BUF_INIT;

		r = cond_eval(c->kids[i], env, &sub);
		if (r == decide) {
			if (why)
				buf_addf(why, "%s%s", c->kind == COND_NONE ? "'none' fails: " :
				    "", sub.data ? sub.data : "");
			buf_release(&sub);
			buf_release(&all);
			buf_release(&unknown_why);
			return c->kind == COND_ANY ? 1 : 0;
		}
		if (r == -1 && !unknown++)
			buf_adds(&unknown_why, sub.data ? sub.data : "");
		buf_addf(&all, "%s%s", i ? "; " : "", sub.data ? sub.data : "");
		buf_release(&sub);
	}
	if (unknown) {
		if (why)
			buf_adds(why, unknown_why.data);
		r = -1;
	} else {
		if (why && c->kind == COND_ANY)
			buf_addf(why, "no condition of 'any' holds: %s", all.data ? all.data : "");
		else if (why && all.data)
			buf_adds(why, all.data);
		r = c->kind == COND_ANY ? 0 : 1;
	}
	buf_release(&all);
	buf_release(&unknown_why);
	return r;
}

int
cond_eval(const struct cond *c, const struct cond_env *env, struct buf *why)
{
	switch (c->kind) {
	case COND_VARIABLE:
		return eval_variable(c, env, why);
	case COND_FILE_EXISTS:
	case COND_FOLDER_EXISTS:
		return eval_path(c, env, why);
	case COND_FILE_MODIFIED:
	case COND_FOLDER_MODIFIED:
		return eval_modified(c, env, why);
	case COND_OS:
		return eval_os(c, env, why);
	case COND_LUA:
		return lua_eval_condition(c->value, env->vars, why);
	case COND_UNPORTED:
		return eval_unported(c, why);
	case COND_ALL:
	case COND_ANY:
	case COND_NONE:
		return eval_group(c, env, why);
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
