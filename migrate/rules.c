/* rules.c - migration rule packs: loading, deciding, explaining; see migrate.h */
#include "migrate.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/datadir.h"
#include "../lib/defaults.h"
#include "../lib/node.h"
#include "../lib/trusted.h"

#define EXCLUSIONS_PACK		"exclusions"

/* the whole home, less what is reinstallable: what nobody listed travels */
static const char *const default_packs[] = {
	"home",
};
/* every shipped pack, for suggestions */
static const char *const shipped_packs[] = {
	"home", "documents", "shell", "desktop", "browsers", "editors", "mail", "apps",
};
static const char *const pack_keys[] = {
	"name", "description", "components", "unconditional_exclude",
};
static const char *const component_keys[] = { "name", "include", "exclude" };

char *
rules_dir(char **tried)
{
	const char	*env = getenv("TSI_RULES_DIR");

	if (env != NULL && *env != '\0') {
		if (tried != NULL)
			*tried = xasprintf("%s ($TSI_RULES_DIR)", env);
		return xstrdup(env);
	}
	return data_dir_find("rules", 1, tried);
}

/* Literal characters: what makes a pattern specific. */
static int
literal_chars(const char *p, size_t len)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '\\' && i + 1 < len) {
			n++;
			i++;
		} else if (p[i] == '[') {
			while (i < len && p[i] != ']')
				i++;
		} else if (p[i] != '*' && p[i] != '?' && p[i] != '/')
			n++;
	}
	return n;
}

static int
add_rule(struct rule **v, size_t *n, enum rule_kind kind, const struct node *pat,
    struct rule_pack *pack, struct rule_component *comp, struct diag *d)
{
	const char	*why, *slash;
	struct rule	*r;

	if (pat->kind != NODE_SCALAR)
		return diag_error(d, &pat->loc, "a pattern is a string like '~/Documents/**'");
	if (strncmp(pat->str, "~/", 2) != 0)
		return diag_error(d, &pat->loc, "pattern '%s' does not start with '~/' "
		    "(patterns are relative to each user's home)", pat->str);
	if ((why = glob_problem(pat->str + 2)) != NULL)
		return diag_error(d, &pat->loc, "bad pattern '%s': %s", pat->str, why);
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	r = &(*v)[(*n)++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->pattern = xstrdup(pat->str);
	r->glob = r->pattern + 2;
	slash = strrchr(r->glob, '/');
	r->dir_literal = slash ? literal_chars(r->glob, (size_t)(slash - r->glob)) : 0;
	r->name_literal = literal_chars(slash ? slash + 1 : r->glob,
	    strlen(slash ? slash + 1 : r->glob));
	r->loc = pat->loc;
	r->component = comp;
	r->pack = pack;
	return 0;
}

static int
add_patterns(const struct node *list, const char *key, enum rule_kind kind,
    struct rule **v, size_t *n, struct rule_pack *pack, struct rule_component *comp,
    struct diag *d)
{
	size_t	i;
	int	r = 0;

	if (list == NULL || node_is_null(list))
		return 0;
	if (list->kind != NODE_LIST)
		return diag_error(d, &list->loc, "'%s' takes a list of patterns", key);
	for (i = 0; i < list->n; i++)
		if (add_rule(v, n, kind, list->kids[i], pack, comp, d) == -1)
			r = -1;
	return r;
}

static void
pack_free(struct rule_pack *p)
{
	size_t	i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->ncomponents; i++) {
		for (j = 0; j < p->components[i].n; j++)
			free(p->components[i].rules[j].pattern);
		free(p->components[i].rules);
		free(p->components[i].name);
	}
	for (i = 0; i < p->nunconditional; i++)
		free(p->unconditional[i].pattern);
	free(p->components);
	free(p->unconditional);
	free(p->name);
	free(p->description);
	free(p->path);
	free(p);
}

static int
load_components(struct rule_pack *p, const struct node *list, struct diag *d)
{
	size_t	i, j;
	int	r = 0;

	if (list->kind != NODE_LIST)
		return diag_error(d, &list->loc, "'components' takes a list");
	p->components = xcalloc(list->n + 1, sizeof *p->components);
	for (i = 0; i < list->n; i++) {
		const struct node *c = list->kids[i], *name;
		struct rule_component *rc = &p->components[p->ncomponents];

		if (c->kind != NODE_MAP) {
			r = diag_error(d, &c->loc, "a component is a mapping with 'name', "
			    "'include' and 'exclude'");
			continue;
		}
		if (node_check_keys(d, c, "a component", component_keys, 3) == -1)
			r = -1;
		name = node_get(c, "name");
		if (name == NULL || name->kind != NODE_SCALAR || name->len == 0) {
			r = diag_error(d, &c->loc, "a component needs a 'name'");
			continue;
		}
		rc->name = xstrdup(name->str);
		rc->pack = p;
		p->ncomponents++;
		if (add_patterns(node_get(c, "include"), "include", RULE_INCLUDE,
		    &rc->rules, &rc->n, p, rc, d) == -1 ||
		    add_patterns(node_get(c, "exclude"), "exclude", RULE_EXCLUDE,
		    &rc->rules, &rc->n, p, rc, d) == -1)
			r = -1;
		for (j = 0; j < rc->n; j++)
			rc->has_include |= rc->rules[j].kind == RULE_INCLUDE;
		if (!rc->has_include && rc->n > 0)
			diag_warning(d, &name->loc, "component '%s' includes nothing, so its "
			    "excludes do nothing (an exclude only limits its own "
			    "component's includes)", rc->name);
	}
	return r;
}

static struct rule_pack *
pack_load(const char *path, struct diag *d)
{
	struct rule_pack	*p;
	struct node		*root, *v;
	size_t			 errors = d->nerrors, len;
	char			*text, *name, *why;

	if (read_trusted_file(path, yaml_sequence_limits.max_bytes, &text, &len,
	    &why) == -1) {
		struct loc l = { source_name(path), 0, 0 };

		trusted_read_error(d, &l, path, why, yaml_sequence_limits.max_bytes);
		return NULL;
	}
	name = path_display(path);		/* messages name rules/x.yaml */
	root = yaml_load_string(name, text, len, &yaml_sequence_limits, d);
	free(name);
	free(text);
	if (root == NULL)
		return NULL;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	if (root->kind != NODE_MAP) {
		diag_error(d, &root->loc, "a rule pack is a mapping with 'name' and "
		    "'components'");
		goto out;
	}
	node_check_keys(d, root, "a rule pack", pack_keys, 4);
	if ((v = node_get(root, "name")) == NULL || v->kind != NODE_SCALAR || v->len == 0)
		diag_error(d, &root->loc, "a rule pack needs a 'name'");
	else
		p->name = xstrdup(v->str);
	if ((v = node_get(root, "description")) != NULL && v->kind == NODE_SCALAR)
		p->description = xstrdup(v->str);
	if ((v = node_get(root, "components")) != NULL)
		load_components(p, v, d);
	add_patterns(node_get(root, "unconditional_exclude"), "unconditional_exclude",
	    RULE_UNCONDITIONAL, &p->unconditional, &p->nunconditional, p, NULL, d);
	if (node_get(root, "components") == NULL &&
	    node_get(root, "unconditional_exclude") == NULL)
		diag_error(d, &root->loc, "a rule pack needs 'components' or "
		    "'unconditional_exclude'");
out:
	node_free(root);
	if (d->nerrors > errors) {
		pack_free(p);
		return NULL;
	}
	return p;
}

int
rules_check_file(const char *path, struct diag *d)
{
	struct rule_pack	*p = pack_load(path, d);

	pack_free(p);
	return p ? 0 : -1;
}

static int
is_path(const char *name)
{
	size_t	n = strlen(name);

	return strchr(name, '/') != NULL || (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

/* *path: the file of the pack NAME in the rules folder; else an error that
 * says where tsi looked, and -1. */
static int
unknown_pack(const char *name, struct diag *d, char **path)
{
	struct loc	 l = { NULL, 0, 0 };
	char		*tried, *dir = rules_dir(&tried);
	const char	*s;
	int		 err;

	*path = NULL;
	if (dir == NULL) {
		diag_error(d, &l, "rule pack '%s': no rule pack folder found (tsi looked "
		    "in %s; TSI_RULES_DIR names another)", name, tried);
		free(tried);
		return -1;
	}
	free(tried);
	*path = xasprintf("%s/%s.yaml", dir, name);
	if (access(*path, R_OK) == 0) {
		free(dir);
		return 0;
	}
	err = errno;
	s = str_suggest(name, shipped_packs, ARRAY_SIZE(shipped_packs));
	if (s != NULL && strcmp(s, name) == 0)	/* shipped, but not readable here */
		diag_error(d, &l, "rule pack '%s': cannot read %s: %s",
		    name, *path, strerror(err));
	else
		diag_error(d, &l, "unknown rule pack '%s'%s%s%s (tsi looked in %s)", name,
		    s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "", dir);
	free(*path);
	*path = NULL;
	free(dir);
	return -1;
}

static int
add_pack(struct ruleset *rs, const char *name, struct diag *d)
{
	struct rule_pack	*p;
	char			*path;
	size_t			 i;

	if (is_path(name))
		path = xstrdup(name);
	else if (unknown_pack(name, d, &path) == -1)
		return -1;
	p = pack_load(path, d);
	free(path);
	if (p == NULL)
		return -1;
	for (i = 0; i < rs->npacks; i++)
		if (strcmp(rs->packs[i]->name, p->name) == 0) {
			pack_free(p);		/* named twice: once is enough */
			return 0;
		}
	rs->packs = xreallocarray(rs->packs, rs->npacks + 1, sizeof *rs->packs);
	rs->packs[rs->npacks++] = p;
	return 0;
}

int
rules_load(struct ruleset *rs, const char *const *names, size_t n, struct diag *d)
{
	size_t	i;
	int	r = 0;

	memset(rs, 0, sizeof *rs);
	if (add_pack(rs, EXCLUSIONS_PACK, d) == -1)
		r = -1;
	if (n == 0) {
		names = default_packs;
		n = ARRAY_SIZE(default_packs);
	}
	for (i = 0; i < n; i++)
		if (add_pack(rs, names[i], d) == -1)
			r = -1;
	return r;
}

void
rules_release(struct ruleset *rs)
{
	size_t	i;

	for (i = 0; i < rs->npacks; i++)
		pack_free(rs->packs[i]);
	free(rs->packs);
	memset(rs, 0, sizeof *rs);
}

/* 1 when a is more specific than b: folders first, then the file name. */
static int
more_specific(const struct rule *a, const struct rule *b)
{
	if (a->dir_literal != b->dir_literal)
		return a->dir_literal > b->dir_literal;
	return a->name_literal > b->name_literal;
}

static int
same_specificity(const struct rule *a, const struct rule *b)
{
	return a->dir_literal == b->dir_literal && a->name_literal == b->name_literal;
}

/* A component's verdict on rel: its most specific match, exclude on ties. */
static const struct rule *
component_best(const struct rule_component *c, const char *rel)
{
	const struct rule	*best = NULL;
	size_t			 i;

	if (!c->has_include)
		return NULL;
	for (i = 0; i < c->n; i++) {
		const struct rule *r = &c->rules[i];

		if (!glob_match(r->glob, rel))
			continue;
		if (best == NULL || more_specific(r, best) ||
		    (same_specificity(r, best) && r->kind == RULE_EXCLUDE))
			best = r;
	}
	return best;
}

static const struct rule *
unconditional_match(const struct ruleset *rs, const char *rel)
{
	size_t	i, j;

	for (i = 0; i < rs->npacks; i++)
		for (j = 0; j < rs->packs[i]->nunconditional; j++)
			if (glob_match(rs->packs[i]->unconditional[j].glob, rel))
				return &rs->packs[i]->unconditional[j];
	return NULL;
}

void
rules_decide(const struct ruleset *rs, const char *rel, struct rule_decision *out)
{
	const struct rule	*r, *inc = NULL, *exc = NULL;
	size_t			 i, j;

	memset(out, 0, sizeof *out);
	if ((out->by = unconditional_match(rs, rel)) != NULL)
		return;
	for (i = 0; i < rs->npacks; i++) {
		for (j = 0; j < rs->packs[i]->ncomponents; j++) {
			r = component_best(&rs->packs[i]->components[j], rel);
			if (r == NULL)
				continue;
			if (r->kind == RULE_INCLUDE && (inc == NULL || more_specific(r, inc)))
				inc = r;
			if (r->kind == RULE_EXCLUDE && (exc == NULL || more_specific(r, exc)))
				exc = r;
		}
	}
	out->included = inc != NULL;
	out->by = inc != NULL ? inc : exc;
}

const struct rule *
rules_folder_excluded(const struct ruleset *rs, const char *rel)
{
	char			*a = xasprintf("%s%s\001x", rel, *rel ? "/" : "");
	char			*b = xasprintf("%s%s\001x/\001y", rel, *rel ? "/" : "");
	const struct rule	*r;

	/* only a rule that takes everything below the folder prunes it */
	if ((r = unconditional_match(rs, a)) != NULL && unconditional_match(rs, b) == NULL)
		r = NULL;
	free(a);
	free(b);
	return r;
}

static const char *
kind_name(enum rule_kind k)
{
	return k == RULE_INCLUDE ? "include" : k == RULE_EXCLUDE ? "exclude" :
	    "unconditional exclude";
}

static void
describe(struct buf *b, const struct rule *r)
{
	buf_addf(b, "%s '%s' (", kind_name(r->kind), r->pattern);
	if (r->component != NULL)
		buf_addf(b, "component '%s', ", r->component->name);
	buf_addf(b, "pack '%s', %s:%d; specificity %d/%d)", r->pack->name,
	    r->loc.file ? r->loc.file : r->pack->path, r->loc.line, r->dir_literal,
	    r->name_literal);
}

char *
rules_explain(const struct ruleset *rs, const char *rel)
{
	struct rule_decision	 dec;
	struct buf		 b = BUF_INIT;
	size_t			 i, j, k;

	rules_decide(rs, rel, &dec);
	if (dec.by == NULL)
		buf_adds(&b, "not captured: no rule includes it");
	else {
		buf_addf(&b, "%s by ", dec.included ? "captured" : "not captured");
		describe(&b, dec.by);
	}
	/* every other rule that matched, so that the decision can be checked */
	for (i = 0; i < rs->npacks; i++) {
		const struct rule_pack *p = rs->packs[i];

		for (j = 0; j < p->nunconditional; j++)
			if (&p->unconditional[j] != dec.by &&
			    glob_match(p->unconditional[j].glob, rel)) {
				buf_adds(&b, "\n  also matches ");
				describe(&b, &p->unconditional[j]);
			}
		for (j = 0; j < p->ncomponents; j++) {
			const struct rule_component *c = &p->components[j];

			for (k = 0; k < c->n; k++) {
				if (&c->rules[k] == dec.by || !glob_match(c->rules[k].glob, rel))
					continue;
				buf_adds(&b, "\n  also matches ");
				describe(&b, &c->rules[k]);
				if (!c->has_include)
					buf_adds(&b, " [its component includes nothing]");
			}
		}
	}
	return buf_detach(&b);
}
