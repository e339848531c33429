/*
 * check.c - whole-sequence checks of `tsi validate`: variables used but
 * never set, values of typed variables, and the step table's own checks.
 */
#include "seq.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* The names the sequence defines, in a struct vars for its hash index
 * (values are unused); names that are not valid variable names cannot be
 * referenced anyway and are left out. */
struct names {
	struct vars	set;
};

struct ref_ctx {
	struct names		*defined;
	struct diag		*d;
	const struct loc	*loc;
};

static void
names_add(struct names *ns, const char *name)
{
	vars_set(&ns->set, name, "1", VAR_ENGINE | VAR_UNBOUNDED);
}

static int
names_has(const struct names *ns, const char *name)
{
	return vars_get(&ns->set, name) != NULL;
}

static void
warn_undefined(struct ref_ctx *rc, const char *name, const struct loc *loc)
{
	if (names_has(rc->defined, name))
		return;
	diag_warning(rc->d, loc, "variable '%s' is never set by this sequence (set "
	    "it in 'variables', or give it with --var or --vars-file)", name);
	/* one warning per name is enough */
	names_add(rc->defined, name);
}

static void
ref_seen(void *ctx, const char *name, size_t offset)
{
	struct ref_ctx	*rc = ctx;

	(void)offset;
	warn_undefined(rc, name, rc->loc);
}

static void
scan(struct ref_ctx *rc, const char *s, const struct loc *loc)
{
	rc->loc = loc;
	vars_scan_refs(s, ref_seen, rc);
}

static void
check_cond(struct ref_ctx *rc, const struct cond *c)
{
	size_t	i;

	if (c == NULL)
		return;
	if (c->kind == COND_VARIABLE && c->op != OP_EXISTS)
		warn_undefined(rc, c->var, &c->loc);
	if (c->value != NULL && c->kind != COND_LUA)
		scan(rc, c->value, &c->loc);
	for (i = 0; i < c->n; i++)
		check_cond(rc, c->kids[i]);
}

static void
collect_defined(const struct sequence *s, const struct seq_var *known, size_t nknown,
    struct names *ns)
{
	size_t	i, j;

	for (i = 0; engine_builtin_vars[i] != NULL; i++)
		names_add(ns, engine_builtin_vars[i]);
	for (i = 0; i < s->nvars; i++)
		names_add(ns, s->vars[i].name);
	for (i = 0; i < nknown; i++)
		names_add(ns, known[i].name);
	for (i = 0; i < s->n; i++) {
		const struct tnode *t = s->nodes[i];

		for (j = 0; j < t->ndefaults; j++)
			names_add(ns, t->defaults[j].name);
		if (t->type == NULL)
			continue;
		for (j = 0; t->type->sets != NULL && t->type->sets[j] != NULL; j++)
			names_add(ns, t->type->sets[j]);
		for (j = 0; j < t->args.n; j++)
			if ((t->args.spec[j].flags & P_SETS_VAR) && t->args.v[j].str)
				names_add(ns, t->args.v[j].str);
	}
}

static void
check_typed(const struct step_table *tab, const char *name, const char *value,
    int flags, const struct loc *loc, struct diag *d)
{
	char	*why;

	if (typed_var_find(tab, name) == NULL)	/* most variables: no type */
		return;
	if (vars_always_secret(name, value))
		flags |= TV_SECRET;
	if ((why = typed_var_check(tab, name, value, flags)) == NULL)
		return;
	if (flags & TV_SECRET)
		diag_error_quiet(d, loc, "%s", why);
	else
		diag_error(d, loc, "%s", why);
	free(why);
}

/*
 * Values of typed variables known before the run (OSDDoNotLogCommand: a
 * boolean; OSDMigrateAdditionalCaptureOptions: ScanState switches) are
 * judged now, not on the endpoint in the middle of a migration
 * (sccm-spec.md pain point 9): in variables, the child sequences'
 * variables, --vars-file and --var, and literal set_variable steps.
 */
static void
check_typed_values(const struct sequence *s, const struct step_table *tab,
    const struct seq_var *known, size_t nknown, struct diag *d)
{
	size_t	i, j;

	for (i = 0; i < s->nvars; i++)
		check_typed(tab, s->vars[i].name, s->vars[i].value,
		    s->vars[i].secret ? TV_SECRET : 0, &s->vars[i].loc, d);
	for (i = 0; i < nknown; i++)
		check_typed(tab, known[i].name, known[i].value,
		    known[i].secret ? TV_SECRET : 0, &known[i].loc, d);
	for (i = 0; i < s->n; i++) {
		const struct tnode *t = s->nodes[i];
		const struct param_value *name = NULL, *value = NULL, *secret = NULL;

		for (j = 0; j < t->ndefaults; j++)
			check_typed(tab, t->defaults[j].name, t->defaults[j].value,
			    t->defaults[j].secret ? TV_SECRET : 0, &t->defaults[j].loc, d);
		for (j = 0; j < t->args.n; j++) {
			if (t->args.spec[j].flags & P_SETS_VAR)
				name = &t->args.v[j];
			else if (strcmp(t->args.spec[j].name, "value") == 0)
				value = &t->args.v[j];
			else if (strcmp(t->args.spec[j].name, "secret") == 0)
				secret = &t->args.v[j];
		}
		if (name != NULL && value != NULL && name->str != NULL &&
		    value->str != NULL && value->set)
			check_typed(tab, name->str, value->str, TV_EXPANDS |
			    (secret != NULL && secret->b ? TV_SECRET : 0), &value->loc, d);
	}
}

int
sequence_check(const struct sequence *s, const struct step_table *tab,
    const struct seq_var *known, size_t nknown, struct diag *d)
{
	struct names	ns;
	struct ref_ctx	rc = { &ns, d, NULL };
	size_t		i, j, k, errors = d->nerrors;

	vars_init(&ns.set);
	collect_defined(s, known, nknown, &ns);
	for (i = 0; i < s->n; i++) {
		const struct tnode *t = s->nodes[i];

		check_cond(&rc, t->cond);
		if (t->kind != TN_STEP)
			continue;
		for (j = 0; j < t->args.n; j++) {
			const struct param_value *pv = &t->args.v[j];

			if (t->args.spec[j].flags & P_LITERAL)
				continue;
			if (pv->str != NULL && pv->set)
				scan(&rc, pv->str, &pv->loc);
			for (k = 0; k < pv->nitems; k++)
				if (t->args.spec[j].type != P_MAP || k % 2 == 1)
					scan(&rc, pv->items[k], &pv->loc);
		}
	}
	vars_release(&ns.set);
	check_typed_values(s, tab, known, nknown, d);
	for (i = 0; tab != NULL && tab->checks != NULL && tab->checks[i] != NULL; i++)
		tab->checks[i](s, d);
	return d->nerrors > errors ? -1 : 0;
}
