/*
 * check-smp.c - whole-sequence checks of the State Migration Point steps
 * (sccm-spec.md 2.1): every request_state_store is released, a capture or
 * restore uses a store requested for what it does and not released yet,
 * and the steps between a request and its release let the release run.
 *
 * The steps are taken in execution order, which is the table's order
 * (run_sequence is compiled inline).  Disabled steps never run, so they
 * are left out.  Only literal parameter values are judged: %VAR% is known
 * at run time only.
 */
#include "../interp/seq.h"
#include "steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../migrate/migrate.h"
#include "../smp/smp-client.h"

#define STORE_VAR	"OSDStateStorePath"
#define SUCCEEDED_VAR	"_SMSTSLastActionSucceeded"

enum store_mode {
	MODE_UNKNOWN,		/* mode: %VAR% */
	MODE_CAPTURE,
	MODE_RESTORE,
};

struct smp_walk {
	const struct sequence	*s;
	struct diag		*d;
	const struct tnode	*open;		/* request not released yet */
	const struct tnode	*off_release;	/* a disabled release after it */
	const struct tnode	*var_req;	/* request whose store OSDStateStorePath holds */
	const struct tnode	*var_rel;	/* and the release of that store */
	const struct tnode	*last_req, *last_rel;
};

static int
is_type(const struct tnode *t, const char *name)
{
	return t->kind == TN_STEP && t->type != NULL &&
	    strcmp(t->type->name, name) == 0;
}

/* Disabled itself or in a disabled group: it never runs. */
static int
is_disabled(const struct sequence *s, const struct tnode *t)
{
	for (;;) {
		if (t->disabled)
			return 1;
		if (t->parent < 0)
			return 0;
		t = s->nodes[t->parent];
	}
}

static const char *
literal(const struct tnode *t, const char *param)
{
	const struct param_value *pv = args_get(&t->args, param);

	if (pv == NULL || !pv->set || pv->str == NULL || strchr(pv->str, '%') != NULL)
		return NULL;
	return pv->str;
}

static enum store_mode
request_mode(const struct tnode *t)
{
	const char	*m = literal(t, "mode");

	if (m == NULL)
		return MODE_UNKNOWN;
	return strcasecmp(m, "capture") == 0 ? MODE_CAPTURE : MODE_RESTORE;
}

/* No store_path of its own: the step takes OSDStateStorePath. */
static int
uses_store_var(const struct tnode *t)
{
	const struct param_value *pv = args_get(&t->args, "store_path");

	return pv == NULL || !pv->set || pv->str == NULL ||
	    strcasecmp(pv->str, "%" STORE_VAR "%") == 0;
}

/* hardlink: true or /hardlink in additional_options, when literal. */
static int
wants_hardlink(const struct tnode *t)
{
	const struct param_value	*pv = args_get(&t->args, "hardlink");
	const char			*opts = literal(t, "additional_options");
	struct usmt_opts		 o;
	char				*err = NULL;
	int				 r = 0;

	if (literal(t, "hardlink") != NULL && pv->b)
		return 1;
	/* bad switches are the step's own error (state_check_switches) */
	if (opts == NULL || usmt_parse(USMT_CAPTURE, opts, &o, &err) == -1) {
		free(err);
		return 0;
	}
	r = o.hardlink;
	usmt_release(&o);
	return r;
}

/* A step other than request_state_store that sets OSDStateStorePath. */
static int
sets_store_var(const struct tnode *t)
{
	size_t	i;

	if (t->type == NULL)
		return 0;
	for (i = 0; t->type->sets != NULL && t->type->sets[i] != NULL; i++)
		if (strcasecmp(t->type->sets[i], STORE_VAR) == 0)
			return 1;
	for (i = 0; i < t->args.n; i++)
		if ((t->args.spec[i].flags & P_SETS_VAR) && t->args.v[i].str != NULL &&
		    strcasecmp(t->args.v[i].str, STORE_VAR) == 0)
			return 1;
	return 0;
}

/* "line 12", or "other.yaml:12" when other is in another file. */
static const char *
where(const struct tnode *from, const struct tnode *other, char *buf, size_t len)
{
	if (other->loc.file != NULL && from->loc.file != NULL &&
	    strcmp(other->loc.file, from->loc.file) != 0)
		snprintf(buf, len, "%s:%d", other->loc.file, other->loc.line);
	else
		snprintf(buf, len, "line %d", other->loc.line);
	return buf;
}

static const char *
step_name(const struct tnode *t)
{
	return t->name != NULL ? t->name : t->type->name;
}

static int
cond_tests_succeeded(const struct cond *c)
{
	size_t	i;

	if (c == NULL)
		return 0;
	if (c->kind == COND_VARIABLE && strcasecmp(c->var, SUCCEEDED_VAR) == 0)
		return 1;
	/* a Lua condition reads variables in code: a mention is enough */
	if (c->kind == COND_LUA && c->value != NULL &&
	    strcasestr(c->value, SUCCEEDED_VAR) != NULL)
		return 1;
	for (i = 0; i < c->n; i++)
		if (cond_tests_succeeded(c->kids[i]))
			return 1;
	return 0;
}

static void
unreleased(struct smp_walk *w, const struct tnode *next)
{
	const struct tnode	*req = w->open;
	char			 a[300], b[300], off[340] = "";
	const char		*what;

	switch (request_mode(req)) {
	case MODE_CAPTURE:
		what = " (never completed, so the destination cannot restore it)";
		break;
	case MODE_RESTORE:
		what = " (its retention timer never starts, so the SMP keeps it)";
		break;
	default:
		what = "";
		break;
	}
	if (w->off_release != NULL)
		snprintf(off, sizeof off, " (the release_state_store at %s is disabled)",
		    where(req, w->off_release, b, sizeof b));
	diag_error(w->d, &req->loc, "request_state_store at %d:%d has no matching "
	    "release_state_store after it%s%s; the SMP store stays open%s: add a "
	    "release_state_store after the step that uses the store%s",
	    req->loc.line, req->loc.col,
	    next != NULL ? ", before the next request_state_store at " : "",
	    next != NULL ? where(req, next, a, sizeof a) : "", what, off);
}

/*
 * A failure of t stops at the first node up from it with continue_on_error;
 * the release still runs when that node does not hold it.
 */
static int
release_runs(const struct sequence *s, const struct tnode *t,
    const struct tnode *rel)
{
	for (;;) {
		if (t->continue_on_error)
			return t->end <= rel->index;
		if (t->parent < 0)
			return 0;
		t = s->nodes[t->parent];
	}
}

/* ConfigMgr: every step between request and release continues on error. */
static void
check_between(struct smp_walk *w, const struct tnode *rel)
{
	const struct tnode	*req = w->open, *t;
	char			 a[300], b[300];
	int			 i;

	for (i = req->index + 1; i < rel->index; i++) {
		t = w->s->nodes[i];
		if (t->kind != TN_STEP || is_disabled(w->s, t) ||
		    release_runs(w->s, t, rel))
			continue;
		diag_warning(w->d, &t->loc, "'%s' runs between the request_state_store "
		    "at %s and the release_state_store at %s without continue_on_error: "
		    "if it fails, the release is skipped and the SMP store stays open "
		    "(set continue_on_error: true on it)", step_name(t),
		    where(t, req, a, sizeof a), where(t, rel, b, sizeof b));
	}
}

/*
 * A release after a capture should run only when the capture succeeded.
 * Conditions of groups entered after the request count; a group around
 * the request too was evaluated before the capture ran.
 */
static void
check_guard(struct smp_walk *w, const struct tnode *rel)
{
	const struct tnode	*req = w->open, *g;
	char			 a[300];
	int			 p;

	if (request_mode(req) != MODE_CAPTURE || cond_tests_succeeded(rel->cond))
		return;
	for (p = rel->parent; p > req->index; p = g->parent) {
		g = w->s->nodes[p];
		if (cond_tests_succeeded(g->cond))
			return;
	}
	diag_warning(w->d, &rel->loc, "release_state_store releases the capture store "
	    "requested at %s even when the capture failed: no condition on it tests "
	    SUCCEEDED_VAR " (the SMP refuses an incomplete store anyway); add "
	    "condition: { variable: " SUCCEEDED_VAR ", equals: \"true\" }",
	    where(rel, req, a, sizeof a));
}

/* capture_user_state and restore_user_state. */
static void
check_user_state(struct smp_walk *w, const struct tnode *t, int capture)
{
	const struct tnode	*req = w->var_req;
	const char		*store = literal(t, "store_path");
	const char		*type = t->type->name;
	char			 a[300], b[300];
	enum store_mode		 mode;

	if (capture && store != NULL && smp_is_url(store) && wants_hardlink(t)) {
		diag_error(w->d, &t->loc, "a hard-link store cannot go to a State "
		    "Migration Point ('%s'): hard links stay on this computer's disk; "
		    "drop hardlink and /hardlink, or give a local store_path", store);
		return;
	}
	if (req == NULL || !uses_store_var(t))
		return;
	if (w->var_rel != NULL) {
		diag_error(w->d, &t->loc, "%s uses " STORE_VAR ", the SMP store requested "
		    "at %s, but the release_state_store at %s released it; move the step "
		    "before the release, request a store again before it, or give it a "
		    "store_path", type, where(t, req, a, sizeof a),
		    where(t, w->var_rel, b, sizeof b));
		return;
	}
	mode = request_mode(req);
	if (!capture && mode == MODE_CAPTURE)
		diag_error(w->d, &t->loc, "restore_user_state would restore from "
		    STORE_VAR ", the store that the request_state_store at %s asked for "
		    "with mode: capture (the SMP hands it out only once released); "
		    "request a store with mode: restore for it, or give it a store_path",
		    where(t, req, a, sizeof a));
	else if (capture && mode == MODE_RESTORE)
		diag_error(w->d, &t->loc, "capture_user_state would capture into "
		    STORE_VAR ", the store that the request_state_store at %s asked for "
		    "with mode: restore (a complete store: the SMP takes no upload into "
		    "it); request a store with mode: capture for it, or give it a "
		    "store_path",
		    where(t, req, a, sizeof a));
	else if (capture && wants_hardlink(t))
		diag_error(w->d, &t->loc, "a hard-link store cannot go to a State "
		    "Migration Point: this capture would write to " STORE_VAR ", the "
		    "SMP store requested at %s; drop hardlink and /hardlink, or give a "
		    "local store_path", where(t, req, a, sizeof a));
}

int
sequence_check_smp(const struct sequence *s, struct diag *d)
{
	struct smp_walk	 w = { s, d, NULL, NULL, NULL, NULL, NULL, NULL };
	char		 a[300], b[300];
	size_t		 errors = d->nerrors, i;

	for (i = 0; i < s->n; i++) {
		const struct tnode *t = s->nodes[i];

		if (t->kind != TN_STEP)
			continue;
		if (is_disabled(s, t)) {
			if (is_type(t, "release_state_store") && w.open != NULL &&
			    w.off_release == NULL)
				w.off_release = t;
			continue;
		}
		if (is_type(t, "request_state_store")) {
			if (w.open != NULL)
				unreleased(&w, t);
			w.open = w.var_req = w.last_req = t;
			w.off_release = w.var_rel = NULL;
		} else if (is_type(t, "release_state_store")) {
			/* a store of its own: not the one a request put in
			 * OSDStateStorePath (a local one is a no-op) */
			if (literal(t, "store_path") != NULL)
				continue;
			if (w.open == NULL && w.last_rel != NULL) {
				diag_error(d, &t->loc, "release_state_store has no open "
				    "request to release: the request_state_store at %s was "
				    "released at %s already; remove this step, or add a "
				    "request_state_store before the steps it releases",
				    where(t, w.last_req, a, sizeof a),
				    where(t, w.last_rel, b, sizeof b));
				continue;
			}
			if (w.open == NULL) {
				diag_error(d, &t->loc, "release_state_store has no "
				    "request_state_store before it: there is no SMP store "
				    "to release; add a request_state_store before the steps "
				    "that use the store, or remove this step");
				continue;
			}
			check_between(&w, t);
			check_guard(&w, t);
			if (w.var_req == w.open)
				w.var_rel = t;
			w.last_rel = t;
			w.open = NULL;
		} else if (is_type(t, "capture_user_state"))
			check_user_state(&w, t, 1);
		else if (is_type(t, "restore_user_state"))
			check_user_state(&w, t, 0);
		else if (sets_store_var(t))
			/* no longer the requested store: nothing to judge */
			w.var_req = w.var_rel = NULL;
	}
	if (w.open != NULL)
		unreleased(&w, NULL);
	return d->nerrors > errors ? -1 : 0;
}
