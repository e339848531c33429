/*
 * convert.c - tsi import's walk: the XML read under limits, the task
 * sequence found in it (a bare <sequence>, or the one inside an
 * SmsTaskSequencePackage), its variables, groups and steps written as a
 * tsi sequence, then checked (check.c) until it validates.
 */
#include "import-int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../interp/seq.h"
#include "../interp/vars.h"

const char *
ts_source_name(enum ts_source s)
{
	return s == TS_MDT ? "MDT" : "ConfigMgr";
}

static int
is_true(const char *s)
{
	int	b;

	return s != NULL && parse_bool(s, &b) == 0 && b;
}

/* globalVarList: the sequence's variables, checked as tsi checks them. */
static void
convert_variables(struct conv *c, const struct xml_elem *list, struct yv *vars)
{
	size_t	i, j;

	for (i = 0; i < list->n; i++) {
		const struct xml_elem	*v = list->kids[i];
		const char		*name = xml_attr(v, "name"), *why;
		char			*bad = NULL, *msg = NULL;
		int			 dup = 0;

		if (strcmp(v->name, "variable") != 0 || name == NULL) {
			conv_item(c, CONV_NONE, CK_VARIABLE, v->name, v, "not a "
			    "<variable name=...>: left out");
			continue;
		}
		for (j = i + 1; j < list->n; j++)
			dup |= xml_attr(list->kids[j], "name") != NULL &&
			    str_ieq(xml_attr(list->kids[j], "name"), name);
		if (dup) {
			conv_item(c, CONV_APPROX, CK_VARIABLE, name, v, "set again "
			    "later in globalVarList: the later value is kept");
			continue;
		}
		if ((why = var_name_problem(name)) != NULL || name[0] == '_')
			msg = xasprintf("not a name tsi can set (%s): left out", why ?
			    why : "'_' names are read-only");
		else if (strlen(v->text) > VAR_VALUE_MAX)
			msg = xasprintf("a value longer than %d characters: left out",
			    VAR_VALUE_MAX);
		else if ((bad = typed_var_check(c->table, name, v->text, secret_name(name) ||
		    vars_always_secret(name, v->text) ? TV_SECRET : 0)) != NULL)
			msg = xasprintf("'%s' is not a value tsi takes (%s): left out",
			    secret_name(name) || vars_always_secret(name, v->text) ?
			    VAR_REDACTED : v->text, bad);
		if (msg != NULL) {
			/* no entry: a comment above variables: says what to do */
			yv_comment(vars, "PORT: %s: %s", name, msg);
			conv_item(c, CONV_NONE, CK_VARIABLE, name, v, msg);
		} else if (secret_name(name) && *v->text != '\0') {
			struct yv *y = yv_set(vars, name, yv_map());

			yv_set(y, "value", yv_str(v->text));
			yv_set(y, "secret", yv_bool(1));
			msg = xstrdup("a password in the task sequence, kept as a secret: "
			    "better given with --vars-file");
			yv_comment(y, "PORT: %s", msg);
			conv_item(c, CONV_APPROX, CK_VARIABLE, name, v, msg);
		} else {
			yv_set(vars, name, yv_str(v->text));
			conv_item(c, CONV_EXACT, CK_VARIABLE, name, v, NULL);
		}
		free(bad);
		free(msg);
	}
}

static const char *const group_attrs[] = {
	"name", "description", "disable", "continueOnError", "expand",
};
static const char *const step_attrs[] = {
	"type", "name", "description", "disable", "continueOnError", "runIn",
	"successCodeList", "startIn", "retryCount", "runFromNet", "timeout",
};

/* Attributes nothing reads: a note each, naming them. */
static void
unknown_attrs(const struct xml_elem *e, const char *const *known, size_t nknown,
    struct notes *notes)
{
	size_t	i, j;

	for (i = 0; i < e->nattrs; i++) {
		for (j = 0; j < nknown; j++)
			if (strcmp(e->attrs[i].name, known[j]) == 0)
				break;
		if (j == nknown)
			notes_add(notes, "attribute %s=\"%s\" has no tsi equivalent",
			    e->attrs[i].name, e->attrs[i].value);
	}
}

static void
bool_attr(const struct xml_elem *e, const char *attr, const char *key,
    struct yv *node, struct notes *notes)
{
	const char	*v = xml_attr(e, attr);
	int		 b;

	if (v == NULL || *v == '\0')
		return;
	if (parse_bool(v, &b) == -1)
		notes_add(notes, "%s=\"%s\" is not true or false: read as false", attr, v);
	else if (b)
		yv_set(node, key, yv_bool(1));
}

/* The first max bytes of s, not cutting a UTF-8 character (caller frees). */
static char *
cut_utf8(const char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n <= max)
		return xstrdup(s);
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return xstrndup(s, n);
}

/* name, description, disabled, continue_on_error, condition. */
static void
node_common(struct conv *c, const struct xml_elem *e, struct yv *node,
    const char *name, struct notes *notes)
{
	const char		*desc = xml_attr(e, "description");
	const struct xml_elem	*cond = xml_child(e, "condition");
	struct yv		*y;

	if (strlen(name) > NAME_MAX_LEN) {
		char *cut = cut_utf8(name, NAME_MAX_LEN);

		notes_add(notes, "its name is cut to %d bytes", NAME_MAX_LEN);
		yv_set(node, "name", yv_str(cut));
		free(cut);
	} else if (*name != '\0')
		yv_set(node, "name", yv_str(name));
	if (desc != NULL && *desc != '\0') {
		if (strlen(desc) > DESCRIPTION_MAX_LEN) {
			char *cut = cut_utf8(desc, DESCRIPTION_MAX_LEN);

			notes_add(notes, "its description is cut to %d bytes",
			    DESCRIPTION_MAX_LEN);
			yv_set(node, "description", yv_str(cut));
			free(cut);
		} else
			yv_set(node, "description", yv_str(desc));
	}
	size_t			 unported = c->unported_tests;

	bool_attr(e, "disable", "disabled", node, notes);
	bool_attr(e, "continueOnError", "continue_on_error", node, notes);
	if (cond != NULL && (y = convert_condition(c, cond, name)) != NULL)
		yv_set(node, "condition", y);
	if (c->unported_tests > unported && c->opts->disable_unported &&
	    yv_get(node, "disabled") == NULL) {
		yv_set(node, "disabled", yv_bool(1));
		notes_add(notes, "disabled (--disable-unported): its condition has a "
		    "test tsi cannot evaluate");
	}
}

static void convert_nodes(struct conv *, const struct xml_elem *parent, struct yv *list);

static void
finish_node(struct conv *c, const struct xml_elem *e, enum conv_kind kind,
    const char *name, enum conv_result r, struct yv *node, struct notes *notes)
{
	const char	*reason = yv_text(yv_get(yv_get(node, "with") ?
			    yv_get(node, "with") : node, "reason"));
	char		*why = notes_join(notes), *all;

	if (r == CONV_NONE && *reason != '\0') {	/* why it is unported first */
		all = xasprintf("%s%s%s", reason, why ? "; " : "", why ? why : "");
		free(why);
		why = all;
	}

	if (r == CONV_EXACT && notes->n > 0)
		r = CONV_APPROX;
	notes_comment(notes, node);
	conv_item(c, r, kind, name, e, why);
	free(why);
	notes_release(notes);
}

static void
convert_group(struct conv *c, const struct xml_elem *e, struct yv *list)
{
	struct notes	 notes = { 0 };
	struct yv	*node = yv_push(list, yv_map()), *steps;
	const char	*name = xml_attr(e, "name");
	size_t		 i;

	yv_block(node);
	if (name == NULL || *name == '\0')
		name = "(a group without a name)";
	unknown_attrs(e, group_attrs, ARRAY_SIZE(group_attrs), &notes);
	node_common(c, e, node, name, &notes);
	for (i = 0; i < e->n; i++)	/* MDT writes <action /> on groups */
		if (strcmp(e->kids[i]->name, "action") == 0 && *e->kids[i]->text != '\0')
			notes_add(&notes, "a group's <action> (%s) has no tsi "
			    "equivalent", e->kids[i]->text);
	steps = yv_set(node, "steps", yv_list());
	finish_node(c, e, CK_GROUP, name, CONV_EXACT, node, &notes);
	convert_nodes(c, e, steps);
	if (yv_len(steps) == 0)
		yv_comment(steps, "an empty group in the task sequence");
}

static const char *
refusal_of(const struct conv *c, const struct xml_elem *e)
{
	size_t	i;

	for (i = 0; i < c->nrefused; i++)
		if (c->refused[i].elem == e)
			return c->refused[i].why;
	return NULL;
}

/* timeout, successCodeList, retryCount, runIn, runFromNet. */
static void
step_attrs_common(const struct xml_elem *e, struct yv *node, int unported,
    struct notes *notes)
{
	const char	*timeout = xml_attr(e, "timeout"), *codes = xml_attr(e,
			    "successCodeList"), *retry = xml_attr(e, "retryCount");
	const char	*run_in = xml_attr(e, "runIn"), *net = xml_attr(e, "runFromNet");
	long long	 n;

	if (timeout != NULL && *timeout != '\0') {
		if (str_to_ll(timeout, &n) == -1 || n < 0)
			notes_add(notes, "timeout=\"%s\" is not a number of seconds: no "
			    "timeout", timeout);
		else if (n > TIMEOUT_MAX) {
			notes_add(notes, "timeout=\"%s\" is cut to %lld seconds", timeout,
			    TIMEOUT_MAX);
			yv_set(node, "timeout", yv_int(TIMEOUT_MAX));
		} else if (n > 0)
			yv_set(node, "timeout", yv_int(n));
	}
	if (codes != NULL && !unported) {
		struct yv	*list = yv_list();
		char		*copy = xstrdup(codes), *tok, *save;
		int		 bad = 0, def = 1, k = 0;

		for (tok = strtok_r(copy, " \t\n,;", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\n,;", &save), k++) {
			if (str_to_ll(tok, &n) == -1) {
				bad = 1;
				break;
			}
			def &= (k == 0 && n == 0) || (k == 1 && n == 3010);
			yv_push(list, yv_int(n));
		}
		if (bad || yv_len(list) == 0) {
			notes_add(notes, "successCodeList=\"%s\" is not a list of exit "
			    "codes: tsi's default (0 3010) applies", codes);
			yv_free(list);
		} else if (def && yv_len(list) == 2)
			yv_free(list);		/* tsi's default */
		else
			yv_set(node, "success_codes", list);
		free(copy);
	}
	if (retry != NULL && *retry != '\0' && strcmp(retry, "0") != 0) {
		if (str_to_ll(retry, &n) == -1 || n < 0 || n > RETRY_COUNT_MAX)
			notes_add(notes, "retryCount=\"%s\" is not 0 to %d: no retry",
			    retry, RETRY_COUNT_MAX);
		else if (!unported) {
			struct yv *r = yv_set(node, "retry", yv_map());

			yv_set(r, "count", yv_int(n));
			notes_add(notes, "retryCount=%lld: tsi retries at once (retry.delay"
			    " 0); ConfigMgr's wait between attempts is not in the XML", n);
		}
	}
	if (run_in != NULL && str_ieq(run_in, "WinPE"))
		notes_add(notes, "runIn=WinPE: tsi has no Windows PE phase; the step "
		    "runs in the installed system");
	if (is_true(net))
		notes_add(notes, "runFromNet=true: tsi has no packages or "
		    "distribution points");
}

static void
convert_step(struct conv *c, const struct xml_elem *e, struct yv *list)
{
	struct notes		 notes = { 0 };
	struct yv		*node = yv_push(list, yv_map());
	const char		*name = xml_attr(e, "name"), *refused;
	const char		*type = xml_attr(e, "type");
	enum conv_result	 r;
	size_t			 i;

	yv_block(node);
	if (name == NULL || *name == '\0')
		name = type != NULL && *type != '\0' ? type : "(a step without a name)";
	if (strcmp(e->name, "step") == 0)
		unknown_attrs(e, step_attrs, ARRAY_SIZE(step_attrs), &notes);
	node_common(c, e, node, name, &notes);
	for (i = 0; i < e->n; i++) {
		const char *k = e->kids[i]->name;

		if (strcmp(k, "condition") != 0 && strcmp(k, "action") != 0 &&
		    strcmp(k, "defaultVarList") != 0)
			notes_add(&notes, "element <%s> has no tsi equivalent", k);
	}
	if ((refused = refusal_of(c, e)) != NULL) {
		make_unported(c, e, node, refused);
		r = CONV_NONE;
	} else if (strcmp(e->name, "subtasksequence") == 0) {
		make_unported(c, e, node, "Run Task Sequence: import the child task "
		    "sequence with tsi import too and run it with run_sequence");
		r = CONV_NONE;
	} else
		r = convert_action(c, e, node, &notes);
	step_attrs_common(e, node, r == CONV_NONE, &notes);
	if (r == CONV_NONE && c->opts->disable_unported && yv_get(node, "disabled") == NULL)
		yv_set(node, "disabled", yv_bool(1));
	c->written = xreallocarray(c->written, c->nwritten + 1, sizeof *c->written);
	c->written[c->nwritten].elem = e;
	c->written[c->nwritten++].yv = node;
	finish_node(c, e, CK_STEP, name, r, node, &notes);
}

static void
convert_nodes(struct conv *c, const struct xml_elem *parent, struct yv *list)
{
	size_t	i;

	for (i = 0; i < parent->n; i++) {
		const struct xml_elem *e = parent->kids[i];

		if (strcmp(e->name, "group") == 0)
			convert_group(c, e, list);
		else if (strcmp(e->name, "step") == 0 ||
		    strcmp(e->name, "subtasksequence") == 0)
			convert_step(c, e, list);
		else if (strcmp(e->name, "condition") != 0 && strcmp(e->name,
		    "action") != 0 && strcmp(e->name, "defaultVarList") != 0 &&
		    strcmp(e->name, "globalVarList") != 0 && strcmp(e->name,
		    "referenceList") != 0)
			conv_item(c, CONV_NONE, CK_GROUP, e->name, e, "an element tsi "
			    "import does not know: left out, with all it holds");
	}
}

/* Steps without a type, and BDD_* steps (the reader bounds the depth). */
static void
count_steps(const struct xml_elem *e, size_t *typeless, size_t *bdd)
{
	const char	*t;
	size_t		 i;

	if (strcmp(e->name, "step") == 0) {
		t = xml_attr(e, "type");
		*typeless += t == NULL;
		*bdd += t != NULL && strncmp(t, "BDD_", 4) == 0;
	}
	for (i = 0; i < e->n; i++)
		count_steps(e->kids[i], typeless, bdd);
}

/*
 * Which tool wrote it, for the report's words and the unported steps:
 * ConfigMgr exports name packages (referenceList) and have version 3.10
 * and later; MDT's ts.xml has steps without a type and BDD_* steps.
 */
enum ts_source
guess_source(const struct xml_elem *root, const struct xml_elem *seq, char **why)
{
	const char		*version = xml_attr(seq, "version");
	size_t			 typeless = 0, bdd = 0;

	if (strcmp(root->name, "SmsTaskSequencePackage") == 0) {
		*why = xstrdup("an SmsTaskSequencePackage export");
		return TS_CONFIGMGR;
	}
	if (xml_child(seq, "referenceList") != NULL) {
		*why = xstrdup("it names packages in a referenceList");
		return TS_CONFIGMGR;
	}
	if (version != NULL && version_cmp(version, "3.10") >= 0) {
		*why = xasprintf("sequence version %s", version);
		return TS_CONFIGMGR;
	}
	count_steps(seq, &typeless, &bdd);
	if (typeless > 0 || bdd > 0) {
		*why = xasprintf("%zu step%s without a type and %zu BDD_ step%s, as "
		    "in MDT's ts.xml", typeless, typeless == 1 ? "" : "s", bdd,
		    bdd == 1 ? "" : "s");
		return TS_MDT;
	}
	*why = xstrdup("nothing MDT's own");
	return TS_CONFIGMGR;
}

/* The <sequence> of the document, or NULL after an error. */
const struct xml_elem *
find_sequence(const struct xml_elem *root, struct xml_elem **inner, struct diag *d)
{
	const struct xml_elem	*data;
	size_t			 i;

	*inner = NULL;
	if (strcmp(root->name, "sequence") == 0)
		return root;
	if (strcmp(root->name, "SmsTaskSequencePackage") != 0) {
		diag_error(d, &root->loc, "not a task sequence: the document is <%s>; "
		    "tsi import reads <sequence> (a ConfigMgr export, MDT's ts.xml) "
		    "or <SmsTaskSequencePackage>", root->name);
		return NULL;
	}
	if ((data = xml_child(root, "SequenceData")) == NULL &&
	    (data = xml_child(root, "Sequence")) == NULL) {
		diag_error(d, &root->loc, "an SmsTaskSequencePackage without "
		    "SequenceData: it holds no task sequence");
		return NULL;
	}
	if (xml_child(data, "sequence") != NULL)
		return xml_child(data, "sequence");
	/* the sequence as escaped text, as some exports write it */
	for (i = 0; data->text[i] == ' ' || data->text[i] == '\n' ||
	    data->text[i] == '\t' || data->text[i] == '\r'; i++)
		;
	if (strncmp(data->text + i, "<sequence", 9) != 0 &&
	    strncmp(data->text + i, "<?xml", 5) != 0) {
		diag_error(d, &data->loc, "<%s> holds no <sequence>", data->name);
		return NULL;
	}
	if ((*inner = xml_read_mem(data->loc.file, data->text, strlen(data->text),
	    &xml_ts_limits, d)) == NULL)
		return NULL;
	if (strcmp((*inner)->name, "sequence") != 0) {
		diag_error(d, &(*inner)->loc, "<%s> holds <%s>, not a <sequence>",
		    data->name, (*inner)->name);
		return NULL;
	}
	return *inner;
}

/* One whole conversion into text (caller frees). */
char *
convert_once(struct conv *c, const struct xml_elem *root, const struct xml_elem *seq)
{
	struct yv		*doc = yv_map(), *vars, *steps;
	const struct xml_elem	*list, *refs;
	const char		*name = xml_attr(seq, "name"), *desc = xml_attr(seq,
				    "description");
	struct buf		 out = BUF_INIT;
	struct notes		 notes = { 0 };
	char			*why;

	yv_block(doc);
	yv_comment(doc, "Imported by tsi import from %s (%s task sequence: %s).",
	    c->file, ts_source_name(c->source), c->rep->source_why);
	yv_comment(doc, "Lines marked PORT: say what to port by hand; `tsi validate` "
	    "warns about every unported step and condition.");
	if (name == NULL && strcmp(root->name, "SmsTaskSequencePackage") == 0)
		name = xml_child(root, "Name") ? xml_child(root, "Name")->text : NULL;
	if (desc == NULL && strcmp(root->name, "SmsTaskSequencePackage") == 0)
		desc = xml_child(root, "Description") ?
		    xml_child(root, "Description")->text : NULL;
	if (name != NULL && *name != '\0') {
		char *cut = cut_utf8(name, NAME_MAX_LEN);

		if (strlen(name) > NAME_MAX_LEN)
			notes_add(&notes, "its name is cut to %d bytes", NAME_MAX_LEN);
		yv_set(doc, "name", yv_str(cut));
		free(cut);
	} else {			/* the file's name, without folder and .xml */
		const char *base = strrchr(c->file, '/') ? strrchr(c->file, '/') + 1 :
		    c->file;
		size_t n = strlen(base);

		if (n > 4 && str_ieq(base + n - 4, ".xml"))
			n -= 4;
		yv_set(doc, "name", yv_strf("%.*s", (int)n, base));
	}
	if (desc != NULL && *desc != '\0') {
		char *cut = cut_utf8(desc, DESCRIPTION_MAX_LEN);

		if (strlen(desc) > DESCRIPTION_MAX_LEN)
			notes_add(&notes, "its description is cut to %d bytes",
			    DESCRIPTION_MAX_LEN);
		yv_set(doc, "description", yv_str(cut));
		free(cut);
	}
	if ((refs = xml_child(seq, "referenceList")) != NULL && refs->n > 0)
		notes_add(&notes, "referenceList names %zu packages, applications "
		    "or images: tsi has no packages; what the steps run must be "
		    "on the computer", refs->n);
	if ((list = xml_child(seq, "globalVarList")) != NULL) {
		vars = yv_set(doc, "variables", yv_map());
		convert_variables(c, list, vars);
	}
	steps = yv_set(doc, "steps", yv_list());
	convert_nodes(c, seq, steps);
	if (yv_len(steps) == 0)
		notes_add(&notes, "the task sequence has no steps");
	notes_comment(&notes, doc);
	why = notes_join(&notes);
	conv_item(c, notes.n ? CONV_APPROX : CONV_EXACT, CK_SEQUENCE,
	    yv_text(yv_get(doc, "name")), seq, why);
	free(why);
	notes_release(&notes);
	yv_write(&out, doc);
	c->yv_doc = doc;
	return buf_detach(&out);
}
