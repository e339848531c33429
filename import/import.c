/*
 * import.c - ts_import(): read, convert, check until the sequence
 * validates; and the conversion report, as text and as JSON.
 */
#include "import-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../interp/seq.h"

/* The compiler and validate's checks may refuse a step where it stands
 * (a restore inside a capture store's request and release...): each round
 * makes the steps refused unported, with the checks' message. */
#define CHECK_ROUNDS	8

static const char *const result_words[] = {
	[CONV_EXACT] = "exact", [CONV_APPROX] = "approximate",
	[CONV_NONE] = "not convertible",
};
static const char *const kind_words[] = {
	[CK_SEQUENCE] = "sequence", [CK_VARIABLE] = "variable", [CK_GROUP] = "group",
	[CK_STEP] = "step", [CK_CONDITION] = "condition",
};

static void
report_reset(struct import_report *rep)
{
	size_t	i;

	for (i = 0; i < rep->n; i++) {
		free(rep->items[i].name);
		free(rep->items[i].why);
	}
	rep->n = 0;
	memset(rep->counts, 0, sizeof rep->counts);
}

void
import_report_release(struct import_report *rep)
{
	report_reset(rep);
	free(rep->items);
	free(rep->source_why);
	memset(rep, 0, sizeof *rep);
}

/* The innermost step written at line, or NULL. */
static const struct xml_elem *
step_at_line(const struct conv *c, int line)
{
	const struct xml_elem	*best = NULL;
	int			 first, last, best_span = 0;
	size_t			 i;

	for (i = 0; i < c->nwritten; i++) {
		yv_lines(c->written[i].yv, &first, &last);
		if (line < first || line > last)
			continue;
		if (best == NULL || last - first < best_span) {
			best = c->written[i].elem;
			best_span = last - first;
		}
	}
	return best;
}

/*
 * Compiles and checks text as `tsi validate` does.  0 when it has no
 * error; 1 when every error is in a step (added to c->refused); -1 when
 * an error lies elsewhere (a fault of tsi import: d says so).
 */
static int
check_text(struct conv *c, const char *text, struct diag *d)
{
	const char	*tmp = getenv("TMPDIR");
	char		*dir, *path;
	struct diag	 check;
	struct sequence	*seq;
	size_t		 i;
	int		 r = 0;

	dir = xasprintf("%s/tsi-import-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		diag_error(d, NULL, "cannot make a temporary folder to check the "
		    "sequence in: %s", strerror(errno));
		free(dir);
		return -1;
	}
	path = xasprintf("%s/imported.yaml", dir);
	if (write_file_atomic(path, text, strlen(text), 0600) == -1) {
		diag_error(d, NULL, "cannot write '%s' to check it: %s", path,
		    strerror(errno));
		r = -1;
		goto out;
	}
	diag_init(&check);
	if ((seq = sequence_load(path, c->table, &check, 0)) != NULL) {
		sequence_check(seq, c->table, NULL, 0, &check);
		sequence_free(seq);
	}
	for (i = 0; i < check.n && r >= 0; i++) {
		const struct diag_item	*it = &check.items[i];
		const struct xml_elem	*e;

		if (it->sev != SEV_ERROR)
			continue;
		if (it->loc.file == NULL || strcmp(it->loc.file, path) != 0 ||
		    (e = step_at_line(c, it->loc.line)) == NULL) {
			diag_error(d, NULL, "tsi import wrote a sequence that does not "
			    "validate (a fault of tsi import; please report it with "
			    "the XML): line %d: %s", it->loc.line, it->msg);
			r = -1;
			break;
		}
		c->refused = xreallocarray(c->refused, c->nrefused + 1,
		    sizeof *c->refused);
		c->refused[c->nrefused].elem = e;
		c->refused[c->nrefused++].why = xasprintf("tsi validate refuses it "
		    "here: %s", it->msg);
		r = 1;
	}
	diag_release(&check);
out:
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	return r;
}

/* Report items in document order (a node is recorded after its condition). */
static int
by_place(const void *a, const void *b)
{
	const struct conv_item	*x = a, *y = b;

	if (x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	if (x->loc.col != y->loc.col)
		return x->loc.col < y->loc.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
conv_reset(struct conv *c)
{
	free(c->written);
	c->written = NULL;
	c->nwritten = 0;
	yv_free(c->yv_doc);
	c->yv_doc = NULL;
	report_reset(c->rep);
}

char *
ts_import(const char *path, const struct import_opts *opts,
    const struct step_table *table, struct import_report *rep, struct diag *d)
{
	struct conv		 c;
	struct xml_elem		*root, *inner = NULL;
	const struct xml_elem	*seq;
	char			*text = NULL;
	size_t			 i;
	int			 round, r;

	memset(rep, 0, sizeof *rep);
	if ((root = xml_read_file(path, &xml_ts_limits, d)) == NULL)
		return NULL;
	if ((seq = find_sequence(root, &inner, d)) == NULL) {
		xml_free(inner);
		xml_free(root);
		return NULL;
	}
	memset(&c, 0, sizeof c);
	c.file = path;
	c.opts = opts;
	c.table = table;
	c.rep = rep;
	rep->source = guess_source(root, seq, &rep->source_why);
	if (opts->from != TS_AUTO && opts->from != rep->source) {
		char *why = xasprintf("--from %s (it looks like %s: %s)",
		    opts->from == TS_MDT ? "mdt" : "configmgr",
		    ts_source_name(rep->source), rep->source_why);

		free(rep->source_why);
		rep->source_why = why;
		rep->source = opts->from;
	}
	c.source = rep->source;
	for (round = 0; round < CHECK_ROUNDS; round++) {
		free(text);
		conv_reset(&c);
		text = convert_once(&c, root, seq);
		if ((r = check_text(&c, text, d)) <= 0)
			break;
	}
	if (r != 0) {
		if (r == 1)
			diag_error(d, NULL, "tsi import could not write a sequence "
			    "that validates in %d rounds (a fault of tsi import)",
			    CHECK_ROUNDS);
		free(text);
		text = NULL;
	}
	qsort(rep->items, rep->n, sizeof *rep->items, by_place);
	free(c.written);
	yv_free(c.yv_doc);
	for (i = 0; i < c.nrefused; i++)
		free(c.refused[i].why);
	free(c.refused);
	xml_free(inner);
	xml_free(root);
	return text;
}

void
import_report_print(const struct import_report *rep, FILE *f)
{
	size_t	i, k, r, total[CONV_RESULTS] = { 0 };

	for (i = 0; i < rep->n; i++) {
		const struct conv_item *it = &rep->items[i];

		fprintf(f, "%s:%d:%d: %s: %s '%s'%s%s\n", it->loc.file, it->loc.line,
		    it->loc.col, result_words[it->result], kind_words[it->kind],
		    it->name, it->why ? ": " : "", it->why ? it->why : "");
	}
	fprintf(f, "read as %s task sequence (%s)\n", rep->source == TS_MDT ?
	    "an MDT" : "a ConfigMgr", rep->source_why);
	for (k = CK_GROUP; k < CK_KINDS; k++) {
		fprintf(f, "%-10s", k == CK_GROUP ? "groups:" : k == CK_STEP ?
		    "steps:" : "conditions:");
		for (r = 0; r < CONV_RESULTS; r++) {
			fprintf(f, " %zu %s%s", rep->counts[k][r], result_words[r],
			    r + 1 < CONV_RESULTS ? "," : "\n");
			total[r] += rep->counts[k][r];
		}
	}
	fprintf(f, "%-10s %zu exact, %zu approximate, %zu not convertible\n",
	    "variables:", rep->counts[CK_VARIABLE][CONV_EXACT],
	    rep->counts[CK_VARIABLE][CONV_APPROX], rep->counts[CK_VARIABLE][CONV_NONE]);
}

void
import_report_json(const struct import_report *rep, struct json *j)
{
	size_t	i, k, r;

	json_str(j, "source", rep->source == TS_MDT ? "mdt" : "configmgr");
	json_str(j, "source_why", rep->source_why);
	json_obj_begin(j, "counts");
	for (k = 0; k < CK_KINDS; k++) {
		json_obj_begin(j, kind_words[k]);
		for (r = 0; r < CONV_RESULTS; r++)
			json_int(j, r == CONV_NONE ? "not_convertible" : result_words[r],
			    (long long)rep->counts[k][r]);
		json_obj_end(j);
	}
	json_obj_end(j);
	json_arr_begin(j, "items");
	for (i = 0; i < rep->n; i++) {
		const struct conv_item *it = &rep->items[i];

		json_obj_begin(j, NULL);
		json_str(j, "result", it->result == CONV_NONE ? "not_convertible" :
		    result_words[it->result]);
		json_str(j, "kind", kind_words[it->kind]);
		json_str(j, "name", it->name);
		json_str(j, "file", it->loc.file);
		json_int(j, "line", it->loc.line);
		json_int(j, "column", it->loc.col);
		json_str(j, "why", it->why);
		json_obj_end(j);
	}
	json_arr_end(j);
}
