/* report.c - LOG_DIR/report.json at the end of a run (and before a restart) */
#include "engine-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/defaults.h"

static const char *
status_name(char st, enum tnode_kind kind)
{
	switch (st) {
	case ST_SUCCEEDED:	return "succeeded";
	case ST_FAILED:
	case ST_TIMED_OUT:	return "failed";
	case ST_SKIPPED:	return "skipped";
	case ST_DISABLED:	return "disabled";
	case ST_RUNNING:	return kind == TN_GROUP ? "running" : "interrupted";
	default:		return "not_run";
	}
}

static char *
redact_filter(void *ctx, const char *s)
{
	return vars_redact(ctx, s);
}

void
report_write(struct engine *e, const char *result, int exit_code)
{
	struct buf		 b = BUF_INIT;
	struct json		 j;
	const struct var	**vs;
	size_t			 i, n;
	char			 finished[32], *path;

	format_utc(finished);
	json_init(&j, &b, 1);
	j.filter = redact_filter;
	j.filter_ctx = &e->vars;
	json_obj_begin(&j, NULL);
	json_str(&j, "tsi_version", TSI_VERSION);
	json_str(&j, "sequence", e->sequence_path);
	json_str(&j, "name", e->seq->name);
	json_str(&j, "hash", e->seq->hash);
	json_str(&j, "run_id", e->run_id);
	json_str(&j, "result", result);
	json_int(&j, "exit_code", exit_code);
	json_str(&j, "started", e->started);
	json_str(&j, "finished", finished);
	json_arr_begin(&j, "steps");
	for (i = 0; i < e->seq->n; i++) {
		const struct tnode *t = e->seq->nodes[i];
		char st = e->status[i];

		json_obj_begin(&j, NULL);
		json_int(&j, "ip", t->index);
		json_str(&j, "name", t->name);
		json_str(&j, "kind", t->kind == TN_GROUP ? "group" : "step");
		if (t->type != NULL)
			json_str(&j, "type", t->type->name);
		json_str(&j, "file", t->loc.file);
		json_int(&j, "line", t->loc.line);
		json_str(&j, "result", status_name(st, t->kind));
		if (st == ST_TIMED_OUT)
			json_bool(&j, "timed_out", 1);
		if (t->kind == TN_STEP && (st == ST_SUCCEEDED || st == ST_FAILED ||
		    st == ST_TIMED_OUT)) {
			json_int(&j, "exit_code", e->rc[i]);
			if (e->duration_ms[i] >= 0)
				json_int(&j, "duration_ms", e->duration_ms[i]);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_begin(&j, "variables");
	vs = vars_sorted(&e->vars, &n);
	for (i = 0; i < n; i++)
		json_str(&j, vs[i]->name, vs[i]->secret ? VAR_REDACTED : vs[i]->value);
	free(vs);
	json_obj_end(&j);
	json_obj_end(&j);
	buf_addch(&b, '\n');
	path = xasprintf("%s/report.json", e->log_dir);
	if (write_file_atomic(path, b.data, b.len, 0600) == -1)
		runlog_msg(&e->log, LOG_WARN, "cannot write '%s': %s", path,
		    strerror(errno));
	free(path);
	buf_release(&b);
}
