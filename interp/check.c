/* check.c - whole-sequence checks: variables used but never set */
#include "seq.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "../migrate/migrate.h"

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
collect_defined(const struct sequence *s, const struct vars *known,
    struct names *ns)
{
	size_t	i, j;

	for (i = 0; engine_builtin_vars[i] != NULL; i++)
		names_add(ns, engine_builtin_vars[i]);
	for (i = 0; i < s->nvars; i++)
		names_add(ns, s->vars[i].name);
	for (i = 0; known != NULL && i < known->n; i++)
		names_add(ns, known->v[i].name);
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

/* USMT switches known at validate time are checked now, not on the
 * endpoint in the middle of a migration (sccm-spec.md pain point 9). */
static void
check_usmt_value(const char *name, const char *value, const struct loc *loc,
    struct diag *d)
{
	struct usmt_opts	 o;
	enum usmt_tool		 tool;
	char			*err = NULL;

	if (strcasecmp(name, "OSDMigrateAdditionalCaptureOptions") == 0)
		tool = USMT_CAPTURE;
	else if (strcasecmp(name, "OSDMigrateAdditionalRestoreOptions") == 0)
		tool = USMT_RESTORE;
	else
		return;
	if (strchr(value, '%') != NULL)		/* known only at run time */
		return;
	if (usmt_parse(tool, value, &o, &err) == -1) {
		diag_error(d, loc, "%s: %s", name, err);
		free(err);
		return;
	}
	usmt_release(&o);
}

static void
check_usmt_switches(const struct sequence *s, struct diag *d)
{
	size_t	i, j;

	for (i = 0; i < s->nvars; i++)
		check_usmt_value(s->vars[i].name, s->vars[i].value, &s->vars[i].loc, d);
	for (i = 0; i < s->n; i++) {
		const struct tnode *t = s->nodes[i];
		const struct param_value *name = NULL, *value = NULL;

		for (j = 0; j < t->args.n; j++) {
			if (t->args.spec[j].flags & P_SETS_VAR)
				name = &t->args.v[j];
			else if (strcmp(t->args.spec[j].name, "value") == 0)
				value = &t->args.v[j];
		}
		if (name != NULL && value != NULL && name->str != NULL &&
		    value->str != NULL && value->set)
			check_usmt_value(name->str, value->str, &value->loc, d);
	}
}

void
sequence_check_vars(const struct sequence *s, const struct vars *known,
    struct diag *d)
{
	struct names	ns;
	struct ref_ctx	rc = { &ns, d, NULL };
	size_t		i, j, k;

	vars_init(&ns.set);
	collect_defined(s, known, &ns);
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
	check_usmt_switches(s, d);
}
