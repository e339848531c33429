/* compile.c - sequence files to an instruction table; see seq.h */
#include "seq.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "../lib/trusted.h"

#define INCLUDE_DEPTH_MAX	16
#define NODES_MAX		100000	/* steps and groups, includes counted in */
#define KEYS_MAX		32

struct compiler {
	struct sequence		*seq;
	const struct step_table	*steps;
	struct diag		*d;
	char			*stack[INCLUDE_DEPTH_MAX];	/* real paths */
	int			 nstack;
	size_t			 alloc;
	mbedtls_sha256_context	 sha;
	int			 hash;		/* SEQ_HASH: feed the files to sha */
	int			 too_many;	/* NODES_MAX reported */
};

static int compile_steps(struct compiler *, const struct node *, int parent,
    int depth, const char *base_dir);

/* Unknown keys of map are errors, with a "did you mean" among keys (those
 * of where, or all when where is 0). */
static int
check_keys(struct diag *d, const struct node *map, const char *what,
    const struct node_key *keys, int where)
{
	const char	*names[KEYS_MAX];
	size_t		 n = 0, i;

	for (i = 0; keys[i].name != NULL && n < KEYS_MAX; i++)
		if (where == 0 || (keys[i].where & where))
			names[n++] = keys[i].name;
	return node_check_keys(d, map, what, names, n);
}

/* The whole number of key k (a row of the table) in map, within the
 * row's bounds: 1 when given, 0 when not, -1 after an error. */
static int
get_key_int(struct diag *d, const struct node *map, const struct node_key *k,
    long long *out)
{
	const struct node	*v = node_get(map, k->name);

	if (v == NULL)
		return 0;
	if (v->kind != NODE_SCALAR || str_to_ll(v->str, out) == -1 ||
	    *out < k->min || *out > k->max)
		return diag_error(d, &v->loc, "'%s' takes a whole number from %lld "
		    "to %lld", k->name, k->min, k->max);
	return 1;
}

/* The string key k (a row of the table) of map, at most as long as the
 * row says. */
static int
get_string(struct diag *d, const struct node *map, const struct node_key *k,
    char **out)
{
	const char		*key = k->name;
	const struct node	*v = node_get(map, key);
	size_t			 max = (size_t)k->max;

	if (v == NULL)
		return 0;
	if (v->kind != NODE_SCALAR)
		return diag_error(d, &v->loc, "'%s' takes a string, not %s", key,
		    node_kind_name(v));
	if (v->len > max)
		return diag_error(d, &v->loc, "'%s' is longer than %zu characters",
		    key, max);
	free(*out);
	*out = xstrdup(v->str);
	return 0;
}

static int
get_bool(struct diag *d, const struct node *map, const char *key, int *out)
{
	const struct node	*v = node_get(map, key);

	if (v == NULL)
		return 0;
	if (v->kind != NODE_SCALAR || parse_bool(v->str, out) == -1)
		return diag_error(d, &v->loc, "'%s' takes " BOOL_WORDS ", not %s%s%s",
		    key, v->kind == NODE_SCALAR ? "'" : node_kind_name(v),
		    v->kind == NODE_SCALAR ? v->str : "",
		    v->kind == NODE_SCALAR ? "'" : "");
	return 0;
}

static int
get_int(struct diag *d, const struct node *v, const char *what, long long min,
    long long max, long long *out)
{
	if (v->kind != NODE_SCALAR || str_to_ll(v->str, out) == -1 ||
	    *out < min || *out > max)
		return diag_error(d, &v->loc, "'%s' takes a whole number from %lld "
		    "to %lld", what, min, max);
	return 0;
}

static void
seq_var_add(struct seq_var **vars, size_t *n, const char *name, const char *value,
    int secret, const struct loc *loc)
{
	*vars = xreallocarray(*vars, *n + 1, sizeof **vars);
	(*vars)[*n].name = xstrdup(name);
	(*vars)[*n].value = xstrdup(value);
	(*vars)[*n].secret = secret;
	(*vars)[*n].loc = *loc;
	(*n)++;
}

void
seq_vars_free(struct seq_var *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

/* A map of NAME: VALUE or NAME: {value: VALUE, secret: BOOL}. */
static int
compile_vars_map(struct diag *d, const struct node *map, struct seq_var **out,
    size_t *n)
{
	static const char *const keys[] = { "value", "secret" };
	size_t			 i;
	int			 r = 0;

	if (node_is_null(map))
		return 0;
	if (map->kind != NODE_MAP)
		return diag_error(d, &map->loc, "variables are a mapping of NAME: "
		    "VALUE, not %s", node_kind_name(map));
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct node *k = map->kids[i], *v = map->kids[i + 1];
		const char *why, *value;
		int secret = 0;

		if ((why = var_name_problem(k->str)) != NULL) {
			r = diag_error(d, &k->loc, "invalid variable name '%s': %s",
			    k->str, why);
			continue;
		}
		if (var_name_read_only(k->str)) {
			r = diag_error(d, &k->loc, "variable '%s' is read-only: names "
			    "starting with '_' are set by the engine", k->str);
			continue;
		}
		if (v->kind == NODE_MAP) {
			const struct node *vv = node_get(v, "value");

			if (node_check_keys(d, v, "a variable", keys, 2) == -1 ||
			    get_bool(d, v, "secret", &secret) == -1) {
				r = -1;
				continue;
			}
			if (vv == NULL || vv->kind != NODE_SCALAR) {
				r = diag_error(d, &v->loc, "variable '%s' needs a 'value'",
				    k->str);
				continue;
			}
			v = vv;
		} else if (v->kind != NODE_SCALAR) {
			r = diag_error(d, &v->loc, "the value of variable '%s' is a "
			    "string, not %s", k->str, node_kind_name(v));
			continue;
		}
		value = node_is_null(v) ? "" : v->str;
		if (strlen(value) > VAR_VALUE_MAX) {
			r = diag_error(d, &v->loc, "the value of variable '%s' is longer "
			    "than %d characters", k->str, VAR_VALUE_MAX);
			continue;
		}
		seq_var_add(out, n, k->str, value, secret, &k->loc);
	}
	return r;
}

int
vars_file_load(const char *path, struct seq_var **out, size_t *n, struct diag *d)
{
	struct node	*root;
	struct loc	 l = { source_name(path), 0, 0 };
	char		*text, *why;
	size_t		 len;
	int		 r;

	if (read_trusted_file(path, yaml_sequence_limits.max_bytes, &text, &len,
	    &why) == -1)
		return trusted_read_error(d, &l, path, why, yaml_sequence_limits.max_bytes);
	if ((root = yaml_load_adopted(path, text, len, &yaml_sequence_limits, d)) == NULL)
		return -1;
	r = compile_vars_map(d, root, out, n);
	node_free(root);
	return r;
}

static struct tnode *
tnode_new(struct compiler *c, enum tnode_kind kind, const struct node *n,
    int parent, int depth, const char *base_dir)
{
	struct sequence	*s = c->seq;
	struct tnode	*t = xcalloc(1, sizeof *t);

	if (s->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		s->nodes = xreallocarray(s->nodes, c->alloc, sizeof *s->nodes);
	}
	t->kind = kind;
	t->index = (int)s->n;
	t->parent = parent;
	t->depth = depth;
	t->loc = n->loc;
	t->rerun_on_resume = 1;
	t->base_dir = base_dir;
	s->nodes[s->n++] = t;
	return t;
}

static int
compile_success_codes(struct compiler *c, struct tnode *t, const struct node *v)
{
	long long	 code;
	size_t		 i;
	int		 r = 0;

	if (v->kind == NODE_SCALAR) {		/* "0 3010", as ConfigMgr writes it */
		char *s = xstrdup(v->str), *tok, *save;

		for (tok = strtok_r(s, " ,", &save); tok != NULL;
		    tok = strtok_r(NULL, " ,", &save)) {
			if (str_to_ll(tok, &code) == -1 || code < INT_MIN || code > UINT_MAX) {
				r = diag_error(c->d, &v->loc, "'success_codes' holds whole "
				    "numbers, not '%s'", tok);
				break;
			}
			t->success_codes = xreallocarray(t->success_codes, t->nsuccess + 1,
			    sizeof *t->success_codes);
			t->success_codes[t->nsuccess++] = code;
		}
		free(s);
	} else if (v->kind == NODE_LIST) {
		for (i = 0; i < v->n; i++) {
			if (get_int(c->d, v->kids[i], "success_codes", INT_MIN, UINT_MAX,
			    &code) == -1) {
				r = -1;
				continue;
			}
			t->success_codes = xreallocarray(t->success_codes, t->nsuccess + 1,
			    sizeof *t->success_codes);
			t->success_codes[t->nsuccess++] = code;
		}
	} else
		r = diag_error(c->d, &v->loc, "'success_codes' takes a list of exit "
		    "codes");
	if (r == 0 && t->nsuccess == 0)
		r = diag_error(c->d, &v->loc, "'success_codes' is empty: no exit "
		    "code could ever succeed");
	return r;
}

/*
 * A mapping of whole numbers (retry, lua_limits): its keys and bounds come
 * from the table's fields; out[i] gets field i when given.
 */
static int
compile_int_fields(struct compiler *c, const struct node *v, const struct node_key *k,
    long long *out)
{
	char		 what[64];
	long long	 x;
	size_t		 i;
	int		 r = 0, got;

	snprintf(what, sizeof what, "'%s'", k->name);
	if (v->kind != NODE_MAP)
		return diag_error(c->d, &v->loc, "'%s' takes a mapping with '%s' and "
		    "'%s'", k->name, k->fields[0].name, k->fields[1].name);
	if (check_keys(c->d, v, what, k->fields, 0) == -1)
		r = -1;
	for (i = 0; k->fields[i].name != NULL; i++) {
		if ((got = get_key_int(c->d, v, &k->fields[i], &x)) == -1)
			r = -1;
		else if (got == 1)
			out[i] = x;
	}
	return r;
}

static int
compile_retry(struct compiler *c, struct tnode *t, const struct node *v)
{
	long long	f[2] = { 0, 0 };	/* count, delay */

	if (compile_int_fields(c, v, &node_keys[NODE_KEY_RETRY], f) == -1)
		return -1;
	t->retry_count = (int)f[0];
	t->retry_delay = (int)f[1];
	return 0;
}

/* lua_limits: {memory_mb, instructions}, for steps written in Lua. */
static int
compile_lua_limits(struct compiler *c, struct tnode *t, const struct node *v)
{
	long long	f[2] = { 0, 0 };	/* memory_mb, instructions */

	if (!(t->type->flags & STEP_LUA))
		return diag_error(c->d, &v->loc, "'lua_limits' applies to steps "
		    "written in Lua, not to '%s'", t->type->name);
	if (compile_int_fields(c, v, &node_keys[NODE_KEY_LUA_LIMITS], f) == -1)
		return -1;
	t->lua_memory_mb = (int)f[0];
	t->lua_instructions = f[1];
	return 0;
}

/* extensions: [path.lua | dir, ...], relative to the sequence file. */
static int
compile_extensions(struct compiler *c, const struct node *v, const char *base_dir)
{
	size_t	i;
	int	r = 0;

	if (node_is_null(v))
		return 0;
	if (v->kind != NODE_LIST)
		return diag_error(c->d, &v->loc, "'extensions' takes a list of Lua "
		    "files or directories");
	for (i = 0; i < v->n; i++) {
		char *path;

		if (v->kids[i]->kind != NODE_SCALAR) {
			r = diag_error(c->d, &v->kids[i]->loc, "an extension is a path");
			continue;
		}
		path = path_join(base_dir, v->kids[i]->str);
		if (ext_set_load(c->seq->exts, path, &v->kids[i]->loc, c->d) == -1)
			r = -1;
		free(path);
	}
	return r;
}

/* Parameters that name a variable the step sets: valid and writable. */
static int
check_set_vars(struct compiler *c, struct tnode *t)
{
	size_t	i;
	int	r = 0;

	for (i = 0; i < t->args.n; i++) {
		const struct param_value *pv = &t->args.v[i];
		const char *why;

		if (!(t->args.spec[i].flags & P_SETS_VAR) || pv->str == NULL ||
		    !pv->set || strchr(pv->str, '%') != NULL)
			continue;
		if ((why = var_name_problem(pv->str)) != NULL)
			r = diag_error(c->d, &pv->loc, "invalid variable name '%s': %s",
			    pv->str, why);
		else if (var_name_read_only(pv->str))
			r = diag_error(c->d, &pv->loc, "variable '%s' is read-only: "
			    "names starting with '_' are set by the engine", pv->str);
	}
	return r;
}

static int compile_file(struct compiler *, const char *path, const struct loc *from,
    struct tnode *into);

static int
compile_step(struct compiler *c, struct tnode *t, const struct node *n,
    const char *base_dir)
{
	const struct node	*type = node_get(n, "type"), *v;
	const struct node_key	*k;
	long long		 x;
	int			 r = 0, args_bad = 0, got;

	if (type->kind != NODE_SCALAR)
		return diag_error(c->d, &type->loc, "'type' takes a step type name");
	if ((t->type = step_table_find(c->steps, type->str)) == NULL)
		t->type = ext_set_find(c->seq->exts, type->str);
	if (t->type == NULL) {
		const char *s = step_table_suggest(c->steps, type->str);

		if (s != NULL)
			return diag_error(c->d, &type->loc, "unknown step type '%s' (did "
			    "you mean '%s'?)", type->str, s);
		return diag_error(c->d, &type->loc, "unknown step type '%s' (`tsi "
		    "steps` lists them)", type->str);
	}
	if (t->name == NULL)
		t->name = xstrdup(t->type->name);
	if (t->type->flags & STEP_NO_RERUN)
		t->rerun_on_resume = 0;
	if (args_compile(t->type, node_get(n, "with"), &t->loc, &t->args, c->d) == -1)
		r = args_bad = -1;
	else if (check_set_vars(c, t) == -1)
		r = -1;
	if ((got = get_key_int(c->d, n, &node_keys[NODE_KEY_TIMEOUT], &x)) == -1)
		r = -1;
	else if (got == 1)
		t->timeout = (int)x;
	if ((v = node_get(n, "success_codes")) != NULL) {
		if (compile_success_codes(c, t, v) == -1)
			r = -1;
	} else {
		t->success_codes = xcalloc(2, sizeof *t->success_codes);
		t->success_codes[0] = 0;
		t->success_codes[1] = STEP_RC_RESTART;
		t->nsuccess = 2;
	}
	if ((v = node_get(n, "retry")) != NULL && compile_retry(c, t, v) == -1)
		r = -1;
	if (get_bool(c->d, n, "rerun_on_resume", &t->rerun_on_resume) == -1)
		r = -1;
	if ((v = node_get(n, "lua_limits")) != NULL && compile_lua_limits(c, t, v) == -1)
		r = -1;
	/* cross-parameter checks need well-formed parameters */
	if (args_bad == 0 && t->type->validate != NULL &&
	    t->type->validate(t, c->d) == -1)
		r = -1;
	for (k = node_keys; (t->type->flags & STEP_INCLUDE) && k->name != NULL; k++)
		if ((k->where & NK_RUNS) && (v = node_get(n, k->name)) != NULL)
			r = diag_error(c->d, &v->loc, "'%s' does not apply to '%s': it "
			    "runs its sequence as a group ('timeout' bounds the whole "
			    "of it)", k->name, t->type->name);
	if (r == 0 && (t->type->flags & STEP_INCLUDE)) {
		const struct param_value *path = args_get(&t->args, "path");
		char *full = path_join(base_dir, path->str);

		t->kind = TN_GROUP;
		r = compile_file(c, full, &path->loc, t);
		free(full);
	}
	return r;
}

static int
compile_node(struct compiler *c, const struct node *n, int parent, int depth,
    const char *base_dir)
{
	const struct node	*steps, *type, *cond;
	struct tnode		*t;
	size_t			 i;
	int			 r = 0;

	if (n->kind != NODE_MAP)
		return diag_error(c->d, &n->loc, "a step is a mapping with 'name' and "
		    "'type' (or 'steps' for a group), not %s", node_kind_name(n));
	if (c->seq->n >= NODES_MAX) {
		/* run_sequence can multiply a small file: say it once */
		if (!c->too_many)
			diag_error(c->d, &n->loc, "the sequence has more than %d steps "
			    "and groups (run_sequence included)", NODES_MAX);
		c->too_many = 1;
		return -1;
	}
	if (check_keys(c->d, n, "a step", node_keys, 0) == -1)
		r = -1;
	steps = node_get(n, "steps");
	type = node_get(n, "type");
	if (steps != NULL && type != NULL)
		return diag_error(c->d, &type->loc, "a node has either 'steps' (a group) "
		    "or 'type' (a step), not both");
	if (steps == NULL && type == NULL)
		return diag_error(c->d, &n->loc, "a node needs 'type' (a step) or "
		    "'steps' (a group)");
	t = tnode_new(c, steps ? TN_GROUP : TN_STEP, n, parent, depth, base_dir);
	if (get_string(c->d, n, &node_keys[NODE_KEY_NAME], &t->name) == -1 ||
	    get_string(c->d, n, &node_keys[NODE_KEY_DESCRIPTION], &t->description) == -1 ||
	    get_bool(c->d, n, "disabled", &t->disabled) == -1 ||
	    get_bool(c->d, n, "continue_on_error", &t->continue_on_error) == -1)
		r = -1;
	if ((cond = node_get(n, "condition")) != NULL &&
	    (t->cond = cond_compile(cond, c->d)) == NULL)
		r = -1;
	if (steps != NULL) {
		for (i = 0; node_keys[i].name != NULL; i++) {
			const struct node *k = node_get(n, node_keys[i].name);

			if (k != NULL && !(node_keys[i].where & NK_GROUP))
				r = diag_error(c->d, &k->loc, "'%s' applies to steps, "
				    "not to groups", node_keys[i].name);
		}
		if (t->name == NULL)
			t->name = xstrdup("(group)");
		if (compile_steps(c, steps, t->index, depth + 1, base_dir) == -1)
			r = -1;
	} else if (compile_step(c, t, n, base_dir) == -1)
		r = -1;
	t->end = (int)c->seq->n;
	return r;
}

static int
compile_steps(struct compiler *c, const struct node *steps, int parent, int depth,
    const char *base_dir)
{
	size_t	i;
	int	r = 0;

	if (node_is_null(steps))
		return 0;
	if (steps->kind != NODE_LIST)
		return diag_error(c->d, &steps->loc, "'steps' takes a list of steps, "
		    "not %s", node_kind_name(steps));
	for (i = 0; i < steps->n; i++)
		if (compile_node(c, steps->kids[i], parent, depth, base_dir) == -1)
			r = -1;
	return r;
}

/*
 * Compiles one file.  into is NULL for the main sequence, else the
 * run_sequence node that becomes the group holding the child's steps.
 */
static int
compile_file(struct compiler *c, const char *path, const struct loc *from,
    struct tnode *into)
{
	struct node	*root;
	char		*real, *dir, *text, *why;
	const char	*base_dir;
	size_t		 len;
	int		 i, r = 0;
	struct loc	 l = { source_name(path), 0, 0 };

	if (from == NULL)
		from = &l;
	if ((real = realpath(path, NULL)) == NULL)
		return diag_error(c->d, from, "cannot read '%s': %s", path,
		    strerror(errno));
	for (i = 0; i < c->nstack; i++) {
		if (strcmp(c->stack[i], real) != 0)
			continue;
		free(real);
		return diag_error(c->d, from, "run_sequence: include cycle: '%s' "
		    "is already being run by an enclosing sequence", path);
	}
	if (c->nstack == INCLUDE_DEPTH_MAX) {
		free(real);
		return diag_error(c->d, from, "run_sequence: more than %d nested "
		    "sequences", INCLUDE_DEPTH_MAX);
	}
	if (read_trusted_file(path, yaml_sequence_limits.max_bytes, &text, &len,
	    &why) == -1) {
		free(real);
		return trusted_read_error(c->d, errno == EFBIG ? &l : from, path, why,
		    yaml_sequence_limits.max_bytes);
	}
	if (c->hash)
		mbedtls_sha256_update_ret(&c->sha, (const unsigned char *)text, len);
	root = yaml_load_adopted(path, text, len, &yaml_sequence_limits, c->d);
	if (root == NULL) {
		free(real);
		return -1;
	}
	c->stack[c->nstack++] = real;
	dir = path_dirname(real);
	base_dir = source_name(dir);
	free(dir);
	if (root->kind != NODE_MAP) {
		r = diag_error(c->d, &root->loc, "a sequence file is a mapping with "
		    "'name' and 'steps', not %s", node_kind_name(root));
		goto out;
	}
	if (check_keys(c->d, root, "a sequence", top_keys, 0) == -1)
		r = -1;
	if (into == NULL) {
		if (get_string(c->d, root, &top_keys[TOP_KEY_NAME], &c->seq->name) == -1 ||
		    get_string(c->d, root, &top_keys[TOP_KEY_DESCRIPTION],
		    &c->seq->description) == -1)
			r = -1;
		c->seq->base_dir = xstrdup(base_dir);
	}
	if (node_get(root, "extensions") != NULL &&
	    compile_extensions(c, node_get(root, "extensions"), base_dir) == -1)
		r = -1;
	if (node_get(root, "variables") != NULL &&
	    compile_vars_map(c->d, node_get(root, "variables"),
	    into ? &into->defaults : &c->seq->vars,
	    into ? &into->ndefaults : &c->seq->nvars) == -1)
		r = -1;
	if (node_get(root, "steps") == NULL)
		r = diag_error(c->d, &root->loc, "a sequence needs 'steps'");
	else if (compile_steps(c, node_get(root, "steps"), into ? into->index : -1,
	    into ? into->depth + 1 : 0, base_dir) == -1)
		r = -1;
	if (into != NULL)
		into->include_file = source_name(path);
out:
	free(c->stack[--c->nstack]);
	node_free(root);
	return r;
}

/* A changed extension changes the sequence, for resume's hash check. */
static void
hash_text(void *ctx, const char *text, size_t len)
{
	mbedtls_sha256_update_ret(ctx, (const unsigned char *)text, len);
}

struct sequence *
sequence_load(const char *path, const struct step_table *steps, struct diag *d,
    int flags)
{
	struct compiler	 c;
	unsigned char	 sum[32];
	size_t		 i, errors = d->nerrors;
	int		 nsteps = 0;

	memset(&c, 0, sizeof c);
	c.seq = xcalloc(1, sizeof *c.seq);
	c.seq->path = xstrdup(path);
	c.steps = steps;
	c.d = d;
	c.hash = flags & SEQ_HASH;
	c.seq->exts = xcalloc(1, sizeof *c.seq->exts);
	ext_set_init(c.seq->exts, steps);
	mbedtls_sha256_init(&c.sha);
	mbedtls_sha256_starts_ret(&c.sha, 0);
	ext_set_load_system(c.seq->exts, d);
	compile_file(&c, path, NULL, NULL);
	if (c.hash)
		ext_set_each_text(c.seq->exts, hash_text, &c.sha);
	mbedtls_sha256_finish_ret(&c.sha, sum);
	mbedtls_sha256_free(&c.sha);
	for (i = 0; i < 32; i++)
		snprintf(c.seq->hash + 2 * i, 3, "%02x", sum[i]);
	for (i = 0; i < c.seq->n; i++)
		if (c.seq->nodes[i]->kind == TN_STEP)
			c.seq->nodes[i]->step_number = ++nsteps;
	c.seq->nsteps = (size_t)nsteps;
	if (c.seq->name == NULL)
		c.seq->name = xstrdup(path);
	if (d->nerrors > errors) {
		sequence_free(c.seq);
		return NULL;
	}
	return c.seq;
}

void
sequence_free(struct sequence *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		struct tnode *t = s->nodes[i];

		free(t->name);
		free(t->description);
		cond_free(t->cond);
		args_release(&t->args);
		free(t->success_codes);
		seq_vars_free(t->defaults, t->ndefaults);
		free(t);
	}
	free(s->nodes);
	seq_vars_free(s->vars, s->nvars);
	free(s->path);
	free(s->name);
	free(s->description);
	free(s->base_dir);
	if (s->exts != NULL)
		ext_set_release(s->exts);
	free(s->exts);
	free(s);
}
