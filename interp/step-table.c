/*
 * step-table.c - lookups in the step table handed to interp (step.h), and
 * the variables whose values have a type.
 *
 * A typed variable is one the engine reads (OSDDoNotLogCommand), one a
 * step parameter falls back to (OSDMigrateContinueOnRestore, through the
 * row's var column) or one a step type reads (the table's vars).  Its
 * values are judged by the same row as a parameter's: a boolean is read by
 * parse_bool() and nothing else, so "maybe" is an error where it is set,
 * never a silent false.
 */
#include "seq.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"

/* The engine's own control variables (sccm-spec.md 1.6). */
static const struct param_spec engine_vars[] = {
	{ "OSDDoNotLogCommand", P_BOOL, 0, "false", 0, 0, NULL,
	    "Keep the command lines of run_command and tsi.exec out of the log.",
	    NULL, NULL },
	{ "SMSTSRebootRequested", P_BOOL, 0, NULL, 0, 0, NULL,
	    "Set by a step: restart after it.", NULL, NULL },
	{ "SMSTSRetryRequested", P_BOOL, 0, NULL, 0, 0, NULL,
	    "With SMSTSRebootRequested: run the same step again after the restart.",
	    NULL, NULL },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL, NULL },
};

const struct step_type *
step_table_find(const struct step_table *tab, const char *name)
{
	size_t	i;

	for (i = 0; tab != NULL && tab->types[i] != NULL; i++)
		if (strcmp(tab->types[i]->name, name) == 0)
			return tab->types[i];
	return NULL;
}

const char *
step_table_suggest(const struct step_table *tab, const char *name)
{
	const char	*names[128];
	size_t		 n;

	for (n = 0; tab != NULL && tab->types[n] != NULL && n < ARRAY_SIZE(names); n++)
		names[n] = tab->types[n]->name;
	return str_suggest(name, names, n);
}

/*
 * The typed variables of one table, sorted by name for a binary search
 * (tsi validate asks once for each set_variable of a big sequence).  Made
 * for the last table asked about; the rows are the table's own.
 */
#define TYPED_MAX	256

struct typed {
	const char		*name;
	const struct param_spec	*row;
};

static struct {
	const struct step_table	*tab;
	struct typed		 v[TYPED_MAX];
	size_t			 n;
} idx;

static void
idx_add(const char *name, const struct param_spec *row)
{
	size_t	i;

	for (i = 0; i < idx.n; i++)	/* the first row of a name wins */
		if (str_ieq(idx.v[i].name, name))
			return;
	if (idx.n < TYPED_MAX)
		idx.v[idx.n++] = (struct typed){ name, row };
}

static int
typed_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct typed *)a)->name, ((const struct typed *)b)->name);
}

static void
idx_build(const struct step_table *tab)
{
	const struct param_spec	*p;
	size_t			 i;

	idx.tab = tab;
	idx.n = 0;
	for (p = engine_vars; p->name != NULL; p++)
		idx_add(p->name, p);
	for (p = tab != NULL ? tab->vars : NULL; p != NULL && p->name != NULL; p++)
		idx_add(p->name, p);
	for (i = 0; tab != NULL && tab->types[i] != NULL; i++)
		for (p = tab->types[i]->params; p->name != NULL; p++)
			if (p->var != NULL)
				idx_add(p->var, p);
	qsort(idx.v, idx.n, sizeof idx.v[0], typed_cmp);
}

const struct param_spec *
typed_var_find(const struct step_table *tab, const char *name)
{
	struct typed	 key = { name, NULL }, *hit;

	if (idx.n == 0 || idx.tab != tab)
		idx_build(tab);
	hit = bsearch(&key, idx.v, idx.n, sizeof idx.v[0], typed_cmp);
	return hit != NULL ? hit->row : NULL;
}

char *
typed_var_check(const struct step_table *tab, const char *name, const char *value,
    int flags)
{
	int			 secret = (flags & TV_SECRET) || vars_always_secret(name, value);
	const struct param_spec	*p = typed_var_find(tab, name);
	struct param_value	 v;
	const char		*why;
	char			*err = NULL, *msg;

	/* an empty value deletes the variable; a set_variable's %VAR% is
	 * known at run time, where the expanded value is checked */
	if (p == NULL || *value == '\0' ||
	    ((flags & TV_EXPANDS) && strchr(value, '%') != NULL))
		return NULL;
	secret |= (p->flags & P_SECRET) != 0;
	memset(&v, 0, sizeof v);
	v.str = (char *)value;
	if ((why = param_parse(p, &v)) != NULL)
		return xasprintf("variable '%s' %s, not '%s'", name, why,
		    secret ? VAR_REDACTED : value);
	if (p->check != NULL && p->check(value, &err) == -1) {
		/* the checker may quote the value: not a secret's */
		msg = secret ? xasprintf("variable '%s' (secret) is not a valid value",
		    name) : xasprintf("variable '%s': %s", name, err);
		free(err);
		return msg;
	}
	return NULL;
}

const struct param_spec *
engine_typed_vars(void)
{
	return engine_vars;
}
