/* cond.c - see cond.h */
#include "cond.h"
#include "lua-host.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const group_keys[] = { "all", "any", "none" };
static const char *const leaf_keys[] = { "variable", "file_exists", "folder_exists", "os",
    "lua", "file_modified", "folder_modified", "unported" };
const char *const cond_op_names[] = {
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
	"lua", "file_modified", "folder_modified", "unported", "exists", "equals", "not_equals", "less", "less_equal", "greater",
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
	for (i = 0; i < c->nprops; i++)
		free(c->props[i]);
	free(c->props);
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

/*
 * The one operator of a leaf that tests a subject (variable, file_modified,
 * folder_modified): OP_* in *op, its value node in *opval.  allowed is a
 * mask of 1 << OP_*.  -1 after an error.
 */
static int
leaf_operator(const struct node *map, const char *subject, unsigned allowed,
    struct diag *d, enum cond_op *op, const struct node **opkey_out,
    const struct node **opval)
{
	const struct node	*opkey = NULL;
	const char		*names[ARRAY_SIZE(cond_op_names)];
	size_t			 i, j, nnames = 0;
	int			 bad = 0;

	for (j = 0; j < ARRAY_SIZE(cond_op_names); j++)
		if (allowed & (1u << j))
			names[nnames++] = cond_op_names[j];
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct node *k = map->kids[i];

		if (strcmp(k->str, subject) == 0)
			continue;
		for (j = 0; j < ARRAY_SIZE(cond_op_names); j++)
			if ((allowed & (1u << j)) && strcmp(k->str, cond_op_names[j]) == 0)
				break;
		if (j == ARRAY_SIZE(cond_op_names)) {
			char *what = xasprintf("a %s condition", subject);

			unknown_key(d, k, what, names, nnames);
			free(what);
			bad = 1;
			continue;
		}
		if (opkey != NULL) {
			diag_error(d, &k->loc, "a %s condition has one operator; "
			    "'%s' and '%s' both given (combine conditions with 'all')",
			    subject, opkey->str, k->str);
			bad = 1;
			continue;
		}
		opkey = *opkey_out = k;
		*opval = map->kids[i + 1];
		*op = (enum cond_op)j;
	}
	if (opkey == NULL && !bad) {
		struct buf b = BUF_INIT;

		for (j = 0; j < nnames; j++)
			buf_addf(&b, "%s%s", j == 0 ? "" : j + 1 == nnames ? " or " : ", ",
			    names[j]);
		diag_error(d, &map->loc, "%s condition has no operator (%s)", subject,
		    b.data);
		buf_release(&b);
		bad = 1;
	}
	return bad ? -1 : 0;
}

#define ALL_OPS		((1u << ARRAY_SIZE(cond_op_names)) - 1)
#define ORDER_OPS	(ALL_OPS & ~(1u << OP_EXISTS) & ~(1u << OP_LIKE))

static struct cond *
compile_variable(const struct node *map, struct diag *d)
{
	struct cond		*c;
	const struct node	*name = node_get(map, "variable"), *opkey, *opval;
	const char		*why;
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
	if (leaf_operator(map, "variable", ALL_OPS, d, &c->op, &opkey, &opval) == -1)
		bad = 1;
	else if (!bad) {
		if (scalar_value(d, opkey, opval, &c->value) == -1)
			bad = 1;
		else if (c->op == OP_EXISTS && parse_bool(c->value, &c->want) == -1) {
			diag_error(d, &opval->loc, "'exists' takes " BOOL_WORDS
			    ", not '%s'", c->value);
			bad = 1;
		}
	}
	if (bad) {
		cond_free(c);
		return NULL;
	}
	return c;
}

int
parse_utc_time(const char *s, long long *out)
{
	struct tm	tm = { 0 };
	const char	*end;
	time_t		t;

	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == 'T' || *end == ' ') {
		const char *e2 = strptime(end + 1, "%H:%M:%S", &tm);

		if (e2 == NULL && (e2 = strptime(end + 1, "%H:%M", &tm)) == NULL)
			return -1;
		end = e2;
	}
	if (*end == 'Z')
		end++;
	if (*end != '\0' || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1)
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (long long)t;
	return 0;
}

/* {file_modified: PATH, greater_equal: "2021-03-01T00:00:00Z"}: the time
 * it was last changed, in UTC (ConfigMgr's file and folder date tests). */
static struct cond *
compile_modified(const struct node *map, const char *subject, struct diag *d)
{
	const struct node	*path = node_get(map, subject), *opkey, *opval;
	struct cond		*c = cond_new(strcmp(subject, "file_modified") == 0 ?
				    COND_FILE_MODIFIED : COND_FOLDER_MODIFIED, &map->loc);
	int			 bad = 0;

	if (path->kind != NODE_SCALAR || *path->str == '\0') {
		diag_error(d, &path->loc, "'%s' takes a path", subject);
		bad = 1;
	} else
		c->value = xstrdup(path->str);
	if (leaf_operator(map, subject, ORDER_OPS, d, &c->op, &opkey, &opval) == -1)
		bad = 1;
	else if (opval->kind != NODE_SCALAR || parse_utc_time(opval->str, &c->when) == -1) {
		diag_error(d, &opval->loc, "'%s' takes a UTC time, YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM:SSZ, not '%s'", cond_op_names[c->op],
		    opval->kind == NODE_SCALAR ? opval->str : node_kind_name(opval));
		bad = 1;
	}
	if (bad) {
		cond_free(c);
		return NULL;
	}
	return c;
}

/* {unported: {type: T, properties: {K: V}}}: a test tsi import could not
 * convert; it cannot be evaluated, and `tsi validate` says so. */
static struct cond *
compile_unported(const struct node *key, const struct node *v, struct diag *d)
{
	static const char *const keys[] = { "type", "properties" };
	struct cond		*c = cond_new(COND_UNPORTED, &key->loc);
	const struct node	*type = node_get(v, "type"), *props;
	size_t			 i;

	if (v->kind != NODE_MAP || type == NULL || type->kind != NODE_SCALAR) {
		diag_error(d, &v->loc, "'unported' takes a mapping with 'type' (and "
		    "'properties')");
		cond_free(c);
		return NULL;
	}
	if (node_check_keys(d, v, "an 'unported' condition", keys, ARRAY_SIZE(keys)) == -1) {
		cond_free(c);
		return NULL;
	}
	c->value = xstrdup(type->str);
	if ((props = node_get(v, "properties")) != NULL && !node_is_null(props)) {
		if (props->kind != NODE_MAP) {
			diag_error(d, &props->loc, "'properties' takes a mapping");
			cond_free(c);
			return NULL;
		}
		c->props = xcalloc(props->n ? props->n : 1, sizeof *c->props);
		for (i = 0; i < props->n; i++) {
			if (props->kids[i]->kind != NODE_SCALAR) {
				diag_error(d, &props->kids[i]->loc, "a property's value "
				    "is text, not %s", node_kind_name(props->kids[i]));
				cond_free(c);
				return NULL;
			}
			c->props[c->nprops++] = xstrdup(props->kids[i]->str);
		}
	}
	diag_warning(d, &key->loc, "condition not ported (%s): port it to a tsi "
	    "condition; until then it fails its %s when evaluated", c->value,
	    "node");
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
	if (node_get(n, "file_modified") != NULL)
		return compile_modified(n, "file_modified", d);
	if (node_get(n, "folder_modified") != NULL)
		return compile_modified(n, "folder_modified", d);
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
	if (strcmp(key->str, "unported") == 0)
		return compile_unported(key, v, d);
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
