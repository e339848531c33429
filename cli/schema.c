/*
 * schema.c - `tsi steps` and `tsi schema`, generated from the step table
 * so that documentation, editor completion and validation cannot drift.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/json.h"
#include "../steps/steps.h"

static const char *
flag_names(int flags, char *buf, size_t size)
{
	static const struct { int flag; const char *name; } names[] = {
		{ STEP_NEEDS_ROOT, "needs-root" },
		{ STEP_NETWORK, "network" },
		{ STEP_DESTRUCTIVE, "destructive" },
		{ STEP_MAY_RESTART, "may-restart" },
		{ STEP_NO_RERUN, "no-rerun" },
		{ STEP_INCLUDE, "inline" },
		{ STEP_LUA, "lua" },
	};
	size_t	i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].flag)
			off += (size_t)snprintf(buf + off, size - off, "%s%s",
			    off ? ", " : "", names[i].name);
	return buf;
}

/* Built-ins first, then the extensions' types. */
static const struct step_type *
nth_type(const struct ext_set *exts, size_t i)
{
	const struct step_type *const	*builtin = exts->builtins->types;
	size_t				 nbuiltin;

	for (nbuiltin = 0; builtin[nbuiltin] != NULL; nbuiltin++)
		;
	if (i < nbuiltin)
		return builtin[i];
	i -= nbuiltin;
	return i < exts->ntypes ? exts->types[i] : NULL;
}

static void
print_var_row(FILE *fp, const struct param_spec *p, const char *used_by)
{
	fprintf(fp, "    %-36s %-8s %s", p->var ? p->var : p->name,
	    param_type_name(p->type), used_by ? used_by : p->help);
	if (p->var == NULL && p->def != NULL && *p->def != '\0')
		fprintf(fp, " (default: %s)", p->def);
	fputc('\n', fp);
}

/* 1 when the steps' own variable list has NAME (listed once, there). */
static int
step_var_listed(const struct ext_set *exts, const char *name)
{
	const struct param_spec	*p;

	for (p = exts->builtins->vars; p != NULL && p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return 1;
	return 0;
}

/* The keys every node takes, and the typed variables: after the types. */
static void
print_nodes_and_vars(FILE *fp, const struct ext_set *exts)
{
	const struct node_key	*k, *f;
	const struct param_spec	*p;
	const struct step_type	*t;
	char			 used[256];
	size_t			 i;

	fputs("\nevery node (groups and steps)\n", fp);
	for (k = node_keys; k->name != NULL; k++) {
		fprintf(fp, "    %-18s %-13s %s", k->name, node_key_kind_name(k->kind),
		    k->help);
		if (k->kind == NK_INT)
			fprintf(fp, " (%lld to %lld)", k->min, k->max);
		if (k->def != NULL)
			fprintf(fp, " (default: %s)", k->def);
		fputs(k->where == NK_GROUP ? " (groups only)" : k->where & NK_LUA ?
		    " (Lua steps only)" : k->where & NK_RUNS ? " (steps but run_sequence)" :
		    !(k->where & NK_GROUP) ? " (steps only)" : "", fp);
		fputc('\n', fp);
		for (f = k->fields; f != NULL && f->name != NULL; f++)
			fprintf(fp, "      %-16s %-13s %s (%lld to %lld, default: %s)\n",
			    f->name, node_key_kind_name(f->kind), f->help, f->min,
			    f->max, f->def);
	}
	fputs("\nvariables with a type (a value of another type is an error)\n", fp);
	for (p = engine_typed_vars(); p->name != NULL; p++)
		print_var_row(fp, p, NULL);
	for (p = exts->builtins->vars; p != NULL && p->name != NULL; p++)
		print_var_row(fp, p, NULL);
	for (i = 0; (t = nth_type(exts, i)) != NULL; i++)
		for (p = t->params; p->name != NULL; p++)
			if (p->var != NULL && !step_var_listed(exts, p->var)) {
				snprintf(used, sizeof used, "%s of %s", p->name, t->name);
				print_var_row(fp, p, used);
			}
}

void
print_steps_text(FILE *fp, const struct ext_set *exts)
{
	const struct step_type	*t;
	const struct param_spec	*p;
	char			 flags[128];
	size_t			 i;

	for (i = 0; (t = nth_type(exts, i)) != NULL; i++) {
		fprintf(fp, "%s%s\n  %s\n", i ? "\n" : "", t->name, t->summary);
		if (t->origin != NULL)
			fprintf(fp, "  from: %s\n", t->origin);
		if (t->flags)
			fprintf(fp, "  flags: %s\n", flag_names(t->flags, flags, sizeof flags));
		for (p = t->params; p->name != NULL; p++) {
			fprintf(fp, "    %-20s %-8s %s", p->name, param_type_name(p->type),
			    p->help);
			if (p->flags & P_REQUIRED)
				fputs(" (required)", fp);
			if (p->var != NULL)
				fprintf(fp, " (variable: %s)", p->var);
			if (p->def != NULL && *p->def != '\0')
				fprintf(fp, " (default: %s)", p->def);
			if (p->flags & P_SECRET)
				fputs(" (secret)", fp);
			fputc('\n', fp);
		}
	}
	print_nodes_and_vars(fp, exts);
}

static void
param_json(struct json *j, const struct param_spec *p)
{
	size_t	i;

	json_obj_begin(j, NULL);
	json_str(j, "name", p->name);
	json_str(j, "type", param_type_name(p->type));
	json_bool(j, "required", (p->flags & P_REQUIRED) != 0);
	json_bool(j, "secret", (p->flags & P_SECRET) != 0);
	json_bool(j, "expands_variables", (p->flags & P_LITERAL) == 0);
	if (p->def != NULL)
		json_str(j, "default", p->def);
	if (p->var != NULL)
		json_str(j, "variable", p->var);
	if (p->type == P_INT) {
		json_int(j, "minimum", p->min);
		json_int(j, "maximum", p->max);
	}
	if (p->type == P_ENUM) {
		json_arr_begin(j, "choices");
		for (i = 0; p->choices[i] != NULL; i++)
			json_str(j, NULL, p->choices[i]);
		json_arr_end(j);
	}
	json_str(j, "help", p->help);
	json_obj_end(j);
}

void
print_steps_json(FILE *fp, const struct ext_set *exts)
{
	struct buf		 b = BUF_INIT;
	struct json		 j;
	const struct step_type	*t;
	const struct param_spec	*p;
	char			 flags[128];
	size_t			 i;

	json_init(&j, &b, 1);
	json_arr_begin(&j, NULL);
	for (i = 0; (t = nth_type(exts, i)) != NULL; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "name", t->name);
		json_str(&j, "summary", t->summary);
		json_str(&j, "flags", flag_names(t->flags, flags, sizeof flags));
		json_str(&j, "origin", t->origin ? t->origin : "built-in");
		json_arr_begin(&j, "params");
		for (p = t->params; p->name != NULL; p++)
			param_json(&j, p);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	fprintf(fp, "%s\n", b.data);
	buf_release(&b);
}

/* {"type": ["string", "number", "boolean"]}: what YAML scalars load as. */
static void
scalar_types(struct json *j, const char *key)
{
	json_obj_begin(j, key);
	json_arr_begin(j, "type");
	json_str(j, NULL, "string");
	json_str(j, NULL, "number");
	json_str(j, NULL, "boolean");
	json_arr_end(j);
	json_obj_end(j);
}

/* A boolean as parse_bool() reads it: true/false, yes/no, 1/0. */
static void
schema_bool(struct json *j, int var_refs)
{
	json_arr_begin(j, "type");
	json_str(j, NULL, "boolean");
	json_str(j, NULL, "integer");
	json_str(j, NULL, "string");
	json_arr_end(j);
	json_int(j, "minimum", 0);
	json_int(j, "maximum", 1);
	json_str(j, "pattern", var_refs ? "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|"
	    "[Yy][Ee][Ss]|[Nn][Oo]|[01]|.*%[^%]+%.*)$" : "^([Tt][Rr][Uu][Ee]|"
	    "[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|[01])$");
}

/* JSON Schema types: booleans and integers may also be "%VAR%" strings. */
static void
schema_type(struct json *j, const struct param_spec *p)
{
	size_t	i;

	switch (p->type) {
	case P_STRING:
		json_str(j, "type", "string");
		break;
	case P_BOOL:
		schema_bool(j, 1);
		break;
	case P_INT:
		json_arr_begin(j, "type");
		json_str(j, NULL, "integer");
		json_str(j, NULL, "string");
		json_arr_end(j);
		json_int(j, "minimum", p->min);
		json_int(j, "maximum", p->max);
		break;
	case P_ENUM:
		json_arr_begin(j, "examples");
		for (i = 0; p->choices[i] != NULL; i++)
			json_str(j, NULL, p->choices[i]);
		json_arr_end(j);
		json_str(j, "type", "string");
		break;
	case P_LIST:
		json_str(j, "type", "array");
		scalar_types(j, "items");
		break;
	case P_MAP:
		json_str(j, "type", "object");
		scalar_types(j, "additionalProperties");
		break;
	}
}

static void
ref(struct json *j, const char *key, const char *def)
{
	char	*s = xasprintf("#/$defs/%s", def);

	json_obj_begin(j, key);
	json_str(j, "$ref", s);
	json_obj_end(j);
	free(s);
}

static void
simple(struct json *j, const char *key, const char *type, const char *desc)
{
	json_obj_begin(j, key);
	json_str(j, "type", type);
	json_str(j, "description", desc);
	json_obj_end(j);
}

static void
schema_params(struct json *j, const struct step_type *t)
{
	const struct param_spec	*p;

	json_obj_begin(j, "with");
	json_str(j, "type", "object");
	json_bool(j, "additionalProperties", 0);
	json_arr_begin(j, "required");
	for (p = t->params; p->name != NULL; p++)
		if (p->flags & P_REQUIRED)
			json_str(j, NULL, p->name);
	json_arr_end(j);
	json_obj_begin(j, "properties");
	for (p = t->params; p->name != NULL; p++) {
		char *desc = p->var ? xasprintf("%s (variable: %s)", p->help, p->var) :
		    xstrdup(p->help);

		json_obj_begin(j, p->name);
		schema_type(j, p);
		json_str(j, "description", desc);
		if (p->def != NULL && *p->def != '\0')
			json_str(j, "default", p->def);
		json_obj_end(j);
		free(desc);
	}
	json_obj_end(j);
	json_obj_end(j);
}

/* One key of the node-key table as a property; t is the step type for a
 * step's keys (its name, its parameters). */
static void
schema_key(struct json *j, const struct node_key *k, const struct step_type *t)
{
	switch (k->kind) {
	case NK_CONDITION:
	case NK_CODES:
	case NK_VARIABLES:
	case NK_MAP:
		ref(j, k->name, k->kind == NK_CONDITION ? "condition" : k->kind ==
		    NK_CODES ? "success_codes" : k->kind == NK_VARIABLES ? "variables" :
		    k->name);
		return;
	case NK_WITH:
		schema_params(j, t);
		return;
	default:
		break;
	}
	json_obj_begin(j, k->name);
	switch (k->kind) {
	case NK_STRING:
		json_str(j, "type", "string");
		if (k->max > 0)
			json_int(j, "maxLength", k->max);
		break;
	case NK_BOOL:
		schema_bool(j, 0);
		break;
	case NK_INT:
		json_str(j, "type", "integer");
		json_int(j, "minimum", k->min);
		json_int(j, "maximum", k->max);
		break;
	case NK_TYPE:
		json_str(j, "const", t->name);
		break;
	case NK_STEPS:
		json_str(j, "type", "array");
		ref(j, "items", "node");
		break;
	case NK_PATHS:
		json_str(j, "type", "array");
		json_obj_begin(j, "items");
		json_str(j, "type", "string");
		json_obj_end(j);
		break;
	default:
		break;
	}
	json_str(j, "description", k->help);
	if (k->def != NULL && k->kind == NK_BOOL)
		json_bool(j, "default", strcmp(k->def, "true") == 0);
	else if (k->def != NULL && k->kind == NK_INT)
		json_int(j, "default", strtoll(k->def, NULL, 10));
	else if (k->def != NULL)
		json_str(j, "default", k->def);
	json_obj_end(j);
}

/* A group, or a step of type t: the node keys that apply to it. */
static void
schema_node(struct json *j, const char *key, const struct step_type *t)
{
	const struct node_key	*k;
	const struct param_spec	*p;
	int			 where = t ? NK_STEP : NK_GROUP;

	json_obj_begin(j, key);
	json_str(j, "type", "object");
	if (t != NULL)
		json_str(j, "description", t->summary);
	json_arr_begin(j, "required");
	json_str(j, NULL, t ? "type" : "steps");
	for (p = t ? t->params : NULL; p != NULL && p->name != NULL; p++)
		if (p->flags & P_REQUIRED) {
			json_str(j, NULL, "with");
			break;
		}
	json_arr_end(j);
	json_bool(j, "additionalProperties", 0);
	json_obj_begin(j, "properties");
	for (k = node_keys; k->name != NULL; k++)
		if ((k->where & where) && (!(k->where & NK_LUA) ||
		    (t != NULL && (t->flags & STEP_LUA))) && (!(k->where & NK_RUNS) ||
		    (t != NULL && !(t->flags & STEP_INCLUDE))))
			schema_key(j, k, t);
	json_obj_end(j);
	json_obj_end(j);
}

static void
schema_condition(struct json *j)
{
	static const char *const ops[] = { "equals", "not_equals", "less",
	    "less_equal", "greater", "greater_equal", "like" };
	size_t	i;

	json_obj_begin(j, "condition");
	json_str(j, "description", "A mapping, or a list meaning all of them.");
	json_arr_begin(j, "anyOf");
	json_obj_begin(j, NULL);
	json_str(j, "type", "array");
	ref(j, "items", "condition");
	json_obj_end(j);
	for (i = 0; i < 3; i++) {
		static const char *const g[] = { "all", "any", "none" };

		json_obj_begin(j, NULL);
		json_str(j, "type", "object");
		json_arr_begin(j, "required");
		json_str(j, NULL, g[i]);
		json_arr_end(j);
		json_bool(j, "additionalProperties", 0);
		json_obj_begin(j, "properties");
		ref(j, g[i], "condition");
		json_obj_end(j);
		json_obj_end(j);
	}
	json_obj_begin(j, NULL);
	json_str(j, "type", "object");
	json_arr_begin(j, "required");
	json_str(j, NULL, "variable");
	json_arr_end(j);
	json_int(j, "minProperties", 2);
	json_int(j, "maxProperties", 2);
	json_bool(j, "additionalProperties", 0);
	json_obj_begin(j, "properties");
	simple(j, "variable", "string", "Variable name (case-insensitive).");
	simple(j, "exists", "boolean", "Whether the variable is set.");
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		simple(j, ops[i], "string", "Numbers compare as numbers, other "
		    "values as case-insensitive strings; like takes a glob.");
	json_obj_end(j);
	json_obj_end(j);
	for (i = 0; i < 2; i++) {
		const char *k = i ? "folder_exists" : "file_exists";

		json_obj_begin(j, NULL);
		json_str(j, "type", "object");
		json_arr_begin(j, "required");
		json_str(j, NULL, k);
		json_arr_end(j);
		json_bool(j, "additionalProperties", 0);
		json_obj_begin(j, "properties");
		simple(j, k, "string", "Path under --root; %VAR% expands.");
		json_obj_end(j);
		json_obj_end(j);
	}
	for (i = 0; i < 2; i++) {	/* a file's or folder's time, in UTC */
		const char	*k = i ? "folder_modified" : "file_modified";
		size_t		 o;

		json_obj_begin(j, NULL);
		json_str(j, "type", "object");
		json_arr_begin(j, "required");
		json_str(j, NULL, k);
		json_arr_end(j);
		json_int(j, "minProperties", 2);
		json_int(j, "maxProperties", 2);
		json_bool(j, "additionalProperties", 0);
		json_obj_begin(j, "properties");
		simple(j, k, "string", "Path under --root; %VAR% expands.");
		for (o = 0; o + 1 < ARRAY_SIZE(ops); o++)	/* not like */
			simple(j, ops[o], "string", "A UTC time, YYYY-MM-DD or "
			    "YYYY-MM-DDTHH:MM:SSZ, compared with the time it was last "
			    "modified.");
		json_obj_end(j);
		json_obj_end(j);
	}
	json_obj_begin(j, NULL);
	json_str(j, "type", "object");
	json_arr_begin(j, "required");
	json_str(j, NULL, "unported");
	json_arr_end(j);
	json_bool(j, "additionalProperties", 0);
	json_obj_begin(j, "properties");
	json_obj_begin(j, "unported");
	json_str(j, "description", "A test tsi import could not convert: it cannot "
	    "be evaluated and fails its node.");
	json_str(j, "type", "object");
	json_arr_begin(j, "required");
	json_str(j, NULL, "type");
	json_arr_end(j);
	json_bool(j, "additionalProperties", 0);
	json_obj_begin(j, "properties");
	simple(j, "type", "string", "The original expression's type.");
	json_obj_begin(j, "properties");
	json_str(j, "type", "object");
	json_obj_begin(j, "additionalProperties");
	json_str(j, "type", "string");
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
	json_obj_begin(j, NULL);
	json_str(j, "type", "object");
	json_arr_begin(j, "required");
	json_str(j, NULL, "lua");
	json_arr_end(j);
	json_bool(j, "additionalProperties", 0);
	json_obj_begin(j, "properties");
	simple(j, "lua", "string", "A Lua expression, evaluated in a pure sandbox "
	    "that can read variables with tsi.get.");
	json_obj_end(j);
	json_obj_end(j);
	json_obj_begin(j, NULL);
	json_str(j, "type", "object");
	json_arr_begin(j, "required");
	json_str(j, NULL, "os");
	json_arr_end(j);
	json_bool(j, "additionalProperties", 0);
	json_obj_begin(j, "properties");
	json_obj_begin(j, "os");
	json_str(j, "type", "object");
	json_bool(j, "additionalProperties", 0);
	json_obj_begin(j, "properties");
	simple(j, "id", "string", "ID from os-release, e.g. debian.");
	simple(j, "version_at_least", "string", "Lowest VERSION_ID, compared as a dotted version.");
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
	json_arr_end(j);
	json_obj_end(j);
}

static void
schema_defs_misc(struct json *j)
{
	const struct node_key	*k, *f;

	json_obj_begin(j, "variables");
	json_str(j, "type", "object");
	json_obj_begin(j, "propertyNames");
	json_str(j, "pattern", "^[A-Za-z][A-Za-z0-9_-]{0,255}$");
	json_obj_end(j);
	json_obj_begin(j, "additionalProperties");
	json_arr_begin(j, "anyOf");
	json_obj_begin(j, NULL);
	json_arr_begin(j, "type");
	json_str(j, NULL, "string");
	json_str(j, NULL, "number");
	json_str(j, NULL, "boolean");
	json_arr_end(j);
	json_int(j, "maxLength", VAR_VALUE_MAX);
	json_obj_end(j);
	json_obj_begin(j, NULL);
	json_str(j, "type", "object");
	json_arr_begin(j, "required");
	json_str(j, NULL, "value");
	json_arr_end(j);
	json_bool(j, "additionalProperties", 0);
	json_obj_begin(j, "properties");
	simple(j, "value", "string", "The value.");
	simple(j, "secret", "boolean", "Never show the value in logs or reports.");
	json_obj_end(j);
	json_obj_end(j);
	json_arr_end(j);
	json_obj_end(j);
	json_obj_end(j);

	json_obj_begin(j, "success_codes");
	json_str(j, "description", "Exit codes that mean success; default [0, 3010].");
	json_arr_begin(j, "anyOf");
	json_obj_begin(j, NULL);
	json_str(j, "type", "array");
	json_obj_begin(j, "items");
	json_str(j, "type", "integer");
	json_obj_end(j);
	json_int(j, "minItems", 1);
	json_obj_end(j);
	json_obj_begin(j, NULL);
	json_str(j, "type", "string");
	json_str(j, "pattern", "^-?[0-9]+([ ,]+-?[0-9]+)*$");
	json_obj_end(j);
	json_arr_end(j);
	json_obj_end(j);

	/* the mappings of the node keys (retry, lua_limits), from their fields */
	for (k = node_keys; k->name != NULL; k++) {
		if (k->kind != NK_MAP)
			continue;
		json_obj_begin(j, k->name);
		json_str(j, "type", "object");
		json_str(j, "description", k->help);
		json_bool(j, "additionalProperties", 0);
		json_obj_begin(j, "properties");
		for (f = k->fields; f->name != NULL; f++)
			schema_key(j, f, NULL);
		json_obj_end(j);
		json_obj_end(j);
	}
	schema_node(j, "group", NULL);
}

void
print_schema(FILE *fp, const struct ext_set *exts)
{
	struct buf		 b = BUF_INIT;
	struct json		 j;
	const struct step_type	*t;
	const struct node_key	*k;
	size_t			 i;

	json_init(&j, &b, 1);
	json_obj_begin(&j, NULL);
	json_str(&j, "$schema", "https://json-schema.org/draft/2020-12/schema");
	json_str(&j, "title", "tsi task sequence");
	json_str(&j, "description", "Generated by `tsi schema` from the step table; "
	    "do not edit.");
	json_str(&j, "type", "object");
	json_arr_begin(&j, "required");
	json_str(&j, NULL, "steps");
	json_arr_end(&j);
	json_bool(&j, "additionalProperties", 0);
	json_obj_begin(&j, "properties");
	for (k = top_keys; k->name != NULL; k++)
		schema_key(&j, k, NULL);
	json_obj_end(&j);
	json_obj_begin(&j, "$defs");
	json_obj_begin(&j, "node");
	json_arr_begin(&j, "oneOf");
	ref(&j, NULL, "group");
	for (i = 0; (t = nth_type(exts, i)) != NULL; i++) {
		char *def = xasprintf("step_%s", t->name);

		ref(&j, NULL, def);
		free(def);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	schema_defs_misc(&j);
	schema_condition(&j);
	for (i = 0; (t = nth_type(exts, i)) != NULL; i++) {
		char *def = xasprintf("step_%s", t->name);

		schema_node(&j, def, t);
		free(def);
	}
	json_obj_end(&j);
	json_obj_end(&j);
	fprintf(fp, "%s\n", b.data);
	buf_release(&b);
}
