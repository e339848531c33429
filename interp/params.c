/* params.c - step parameters: compile-time checks, run-time expansion */
#include "seq.h"

#include <stdlib.h>
#include <string.h>

const char *
param_type_name(enum param_type t)
{
	switch (t) {
	case P_STRING:	return "string";
	case P_BOOL:	return "boolean";
	case P_INT:	return "integer";
	case P_ENUM:	return "enum";
	case P_LIST:	return "list";
	case P_MAP:	return "map";
	}
	return "?";
}

const char *
param_parse(const struct param_spec *spec, struct param_value *v)
{
	static char	msg[256];
	size_t		i, off;

	switch (spec->type) {
	case P_BOOL:
		if (parse_bool(v->str, &v->b) == -1)
			return "must be " BOOL_WORDS;
		return NULL;
	case P_INT:
		if (str_to_ll(v->str, &v->num) == -1 || v->num < spec->min ||
		    v->num > spec->max) {
			snprintf(msg, sizeof msg, "must be a whole number from %lld "
			    "to %lld", spec->min, spec->max);
			return msg;
		}
		return NULL;
	case P_ENUM:
		for (i = 0; spec->choices[i] != NULL; i++)
			if (str_ieq(v->str, spec->choices[i]))
				return NULL;
		off = (size_t)snprintf(msg, sizeof msg, "must be one of");
		for (i = 0; spec->choices[i] != NULL && off < sizeof msg; i++)
			off += (size_t)snprintf(msg + off, sizeof msg - off, "%s '%s'",
			    i ? "," : "", spec->choices[i]);
		return msg;
	default:
		return NULL;
	}
}

static int
is_scalar_type(enum param_type t)
{
	return t != P_LIST && t != P_MAP;
}

static const struct param_spec *
spec_find(const struct param_spec *spec, const char *name, size_t *idx)
{
	size_t	i;

	for (i = 0; spec[i].name != NULL; i++)
		if (strcmp(spec[i].name, name) == 0) {
			*idx = i;
			return &spec[i];
		}
	return NULL;
}

static int
compile_value(const struct step_type *t, const struct param_spec *ps,
    const struct node *k, const struct node *v, struct param_value *pv,
    struct diag *d)
{
	const char	*why;
	char		*err = NULL;
	size_t		 i;

	pv->set = 1;
	pv->loc = v->loc;
	if (is_scalar_type(ps->type)) {
		if (v->kind != NODE_SCALAR)
			return diag_error(d, &v->loc, "parameter '%s' of '%s' takes a %s, "
			    "not %s", k->str, t->name, param_type_name(ps->type),
			    node_kind_name(v));
		pv->str = xstrdup(node_is_null(v) ? "" : v->str);
		/* %VAR% is known at run time only */
		if (!(ps->flags & P_LITERAL) && strchr(pv->str, '%') != NULL)
			return 0;
		if (ps->type != P_STRING && (why = param_parse(ps, pv)) != NULL)
			return diag_error(d, &v->loc, "parameter '%s' of '%s' %s, "
			    "not '%s'", k->str, t->name, why, pv->str);
		if (ps->check != NULL && ps->check(pv->str, &err) == -1) {
			diag_error(d, &v->loc, "parameter '%s' of '%s': %s", k->str,
			    t->name, err);
			free(err);
			return -1;
		}
		return 0;
	}
	if (node_is_null(v))
		return 0;
	if (ps->type == P_LIST) {
		if (v->kind != NODE_LIST)
			return diag_error(d, &v->loc, "parameter '%s' of '%s' takes a "
			    "list, not %s", k->str, t->name, node_kind_name(v));
		pv->items = xcalloc(v->n, sizeof *pv->items);
		for (i = 0; i < v->n; i++) {
			if (v->kids[i]->kind != NODE_SCALAR)
				return diag_error(d, &v->kids[i]->loc, "items of '%s' "
				    "are strings, not %s", k->str, node_kind_name(v->kids[i]));
			pv->items[pv->nitems++] = xstrdup(v->kids[i]->str);
		}
		return 0;
	}
	if (v->kind != NODE_MAP)
		return diag_error(d, &v->loc, "parameter '%s' of '%s' takes a "
		    "mapping, not %s", k->str, t->name, node_kind_name(v));
	pv->items = xcalloc(v->n, sizeof *pv->items);
	for (i = 0; i < v->n; i++) {
		if (v->kids[i]->kind != NODE_SCALAR)
			return diag_error(d, &v->kids[i]->loc, "values of '%s' are "
			    "strings, not %s", k->str, node_kind_name(v->kids[i]));
		pv->items[pv->nitems++] = xstrdup(v->kids[i]->str);
	}
	return 0;
}

int
args_compile(const struct step_type *t, const struct node *with,
    const struct loc *step_loc, struct step_args *a, struct diag *d)
{
	const struct param_spec	*ps;
	size_t			 n, i, idx;
	int			 r = 0;

	for (n = 0; t->params[n].name != NULL; n++)
		;
	a->spec = t->params;
	a->n = n;
	a->v = xcalloc(n ? n : 1, sizeof *a->v);
	if (with != NULL && !node_is_null(with) && with->kind != NODE_MAP)
		r = diag_error(d, &with->loc, "'with' takes a mapping of parameters, "
		    "not %s", node_kind_name(with));
	for (i = 0; with != NULL && with->kind == NODE_MAP && i + 1 < with->n; i += 2) {
		const struct node *k = with->kids[i], *v = with->kids[i + 1];

		if ((ps = spec_find(t->params, k->str, &idx)) == NULL) {
			const char **names = xcalloc(n + 1, sizeof *names);
			const char *s;
			size_t j;

			for (j = 0; j < n; j++)
				names[j] = t->params[j].name;
			s = str_suggest(k->str, names, n);
			free(names);
			if (s != NULL)
				r = diag_error(d, &k->loc, "unknown parameter '%s' for "
				    "'%s' (did you mean '%s'?)", k->str, t->name, s);
			else
				r = diag_error(d, &k->loc, "unknown parameter '%s' for "
				    "'%s'", k->str, t->name);
			continue;
		}
		if (compile_value(t, ps, k, v, &a->v[idx], d) == -1)
			r = -1;
	}
	for (i = 0; i < n; i++) {
		struct param_value *pv = &a->v[i];

		if (pv->set)
			continue;
		pv->loc = *step_loc;
		if (t->params[i].flags & P_REQUIRED) {
			r = diag_error(d, step_loc, "step type '%s' needs parameter '%s'",
			    t->name, t->params[i].name);
			continue;
		}
		if (t->params[i].def != NULL && is_scalar_type(t->params[i].type)) {
			pv->str = xstrdup(t->params[i].def);
			if (param_parse(&t->params[i], pv) != NULL)
				fatal("bad default for %s.%s", t->name, t->params[i].name);
		}
	}
	return r;
}

static void
value_release(struct param_value *pv)
{
	size_t	i;

	free(pv->str);
	for (i = 0; i < pv->nitems; i++)
		free(pv->items[i]);
	free(pv->items);
	memset(pv, 0, sizeof *pv);
}

void
args_release(struct step_args *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		value_release(&a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static int
expand_one(struct vars *vs, const struct param_spec *ps, const char *in,
    char **out, char **err)
{
	if (ps->flags & P_LITERAL) {
		*out = xstrdup(in);
		return 0;
	}
	if (vars_expand(vs, in, out) == -1) {
		*err = xasprintf("parameter '%s' is longer than %u bytes once "
		    "variables are expanded", ps->name, EXPAND_MAX);
		return -1;
	}
	if (ps->flags & P_SECRET)
		vars_add_secret(vs, *out);
	return 0;
}

/* A parameter the step did not give takes its variable's value (as is:
 * expansion is one pass), checked as a parameter's would be. */
static int
from_variable(const struct param_spec *ps, struct param_value *dst, struct vars *vs,
    char **err)
{
	const char	*v = ps->var != NULL ? vars_get(vs, ps->var) : NULL;
	const char	*why;
	char		*e = NULL;
	int		 secret;

	if (v == NULL || *v == '\0')
		return 0;
	secret = vars_is_secret(vs, ps->var) || (ps->flags & P_SECRET);
	free(dst->str);
	dst->str = xstrdup(v);
	dst->set = dst->from_var = 1;
	if (ps->flags & P_SECRET)
		vars_add_secret(vs, v);
	if ((why = param_parse(ps, dst)) != NULL) {
		*err = xasprintf("variable '%s' (for parameter '%s') %s, not '%s'",
		    ps->var, ps->name, why, secret ? VAR_REDACTED : v);
		return -1;
	}
	if (ps->check != NULL && ps->check(v, &e) == -1) {
		/* the checker may quote a piece of the value: not of a secret */
		*err = xasprintf("variable '%s' (for parameter '%s'): %s", ps->var,
		    ps->name, secret ? "not a valid value (it is secret: see its "
		    "definition)" : e);
		free(e);
		return -1;
	}
	return 0;
}

int
args_expand(const struct step_args *in, struct step_args *out, struct vars *vs,
    char **err)
{
	size_t		 i, j;
	const char	*why;
	char		*e = NULL;

	out->spec = in->spec;
	out->n = in->n;
	out->v = xcalloc(in->n ? in->n : 1, sizeof *out->v);
	for (i = 0; i < in->n; i++) {
		const struct param_spec *ps = &in->spec[i];
		const struct param_value *src = &in->v[i];
		struct param_value *dst = &out->v[i];

		*dst = *src;
		dst->str = NULL;
		dst->items = NULL;
		dst->nitems = 0;
		if (src->str != NULL) {
			if (expand_one(vs, ps, src->str, &dst->str, err) == -1)
				goto fail;
			if ((why = param_parse(ps, dst)) != NULL) {
				*err = xasprintf("parameter '%s' %s, not '%s'", ps->name,
				    why, dst->str);
				goto fail;
			}
			if (src->set && ps->check != NULL && ps->check(dst->str, &e) == -1) {
				*err = xasprintf("parameter '%s': %s", ps->name, e);
				free(e);
				goto fail;
			}
		}
		if (!src->set && from_variable(ps, dst, vs, err) == -1)
			goto fail;
		if (src->nitems > 0)
			dst->items = xcalloc(src->nitems, sizeof *dst->items);
		for (j = 0; j < src->nitems; j++) {
			/* map keys (even positions) are names: never expanded */
			if (ps->type == P_MAP && j % 2 == 0) {
				dst->items[dst->nitems++] = xstrdup(src->items[j]);
				continue;
			}
			if (expand_one(vs, ps, src->items[j], &dst->items[j], err) == -1)
				goto fail;
			dst->nitems++;
		}
	}
	return 0;
fail:
	args_release(out);
	return -1;
}

const char *
args_str(const struct step_args *a, size_t i, const char *def)
{
	return i < a->n && a->v[i].str != NULL ? a->v[i].str : def;
}

const struct param_value *
args_get(const struct step_args *a, const char *name)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->spec[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}
