/*
 * journal.c - the run's state on disk, written before every step.
 *
 * STATE_DIR/journal.json holds what a resume needs: the sequence and its
 * hash, the instruction pointer, each node's status and exit code, and
 * every variable.  It is written atomically (temp file, fsync, rename,
 * fsync of the directory) and is 0600 in a 0700 directory: it holds the
 * values of secret variables.  JSON is valid YAML, so the journal is read
 * back with the same loader as sequences, with its own limits.
 */
#include "engine-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JOURNAL_VERSION	1

int
journal_write(struct engine *e, const char *state)
{
	struct buf		 b = BUF_INIT;
	struct json		 j;
	const struct var	**vs;
	size_t			 i, n;
	char			 key[24];
	int			 r, saved;

	json_init(&j, &b, 1);
	json_obj_begin(&j, NULL);
	json_int(&j, "version", JOURNAL_VERSION);
	json_str(&j, "state", state);
	json_str(&j, "sequence", e->sequence_path);
	json_str(&j, "hash", e->seq->hash);
	json_str(&j, "run_id", e->run_id);
	json_str(&j, "started", e->started);
	json_int(&j, "ip", e->ip);
	json_int(&j, "nodes", (long long)e->seq->n);
	json_str(&j, "log_dir", e->log_dir);
	json_str(&j, "root", e->root);
	json_str(&j, "reboot_command", e->reboot_command);
	json_str(&j, "status", e->status);
	json_obj_begin(&j, "exit_codes");
	for (i = 0; i < e->seq->n; i++) {
		if (e->rc[i] == 0)
			continue;
		snprintf(key, sizeof key, "%zu", i);
		json_int(&j, key, e->rc[i]);
	}
	json_obj_end(&j);
	json_arr_begin(&j, "variables");
	vs = vars_sorted(&e->vars, &n);
	for (i = 0; i < n; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "name", vs[i]->name);
		json_str(&j, "value", vs[i]->value);
		if (vs[i]->secret)
			json_bool(&j, "secret", 1);
		json_obj_end(&j);
	}
	free(vs);
	json_arr_end(&j);
	json_arr_begin(&j, "secrets");
	for (i = 0; i < e->vars.nsecrets; i++)
		json_str(&j, NULL, e->vars.secrets[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	buf_addch(&b, '\n');
	r = write_file_atomic(e->journal_path, b.data, b.len, 0600);
	saved = errno;
	/* the buffer held secret values */
	memset(b.data, 0, b.alloc);
	buf_release(&b);
	errno = saved;
	return r;
}

static const char *
get_str(const struct node *root, const char *key)
{
	const struct node	*v = node_get(root, key);

	return v != NULL && v->kind == NODE_SCALAR ? v->str : NULL;
}

static int
damaged(const char *path, const char *why)
{
	fprintf(stderr, "tsi: error: the journal '%s' is damaged (%s); discard it "
	    "with `tsi discard`\n", path, why);
	return -1;
}

/* Reads the journal into e (after e->seq is loaded).  -1 after a message. */
int
journal_read(struct engine *e, const char *path)
{
	struct diag		 d;
	struct node		*root, *v;
	const char		*s;
	long long		 x;
	size_t			 i, n = e->seq->n;
	int			 r = -1;

	diag_init(&d);
	root = yaml_load_file(path, &yaml_journal_limits, &d);
	if (root == NULL) {
		diag_print(&d, stderr, DIAG_TEXT);
		diag_release(&d);
		return damaged(path, "it cannot be parsed");
	}
	diag_release(&d);
	if (root->kind != NODE_MAP || (s = get_str(root, "status")) == NULL ||
	    get_str(root, "ip") == NULL || str_to_ll(get_str(root, "ip"), &x) == -1) {
		r = damaged(path, "fields are missing");
		goto out;
	}
	if (strlen(s) != n || x < 0 || x > (long long)n) {
		if (!e->opts->force) {
			r = damaged(path, "it does not match the sequence");
			goto out;
		}
		if (x > (long long)n)		/* --force on a changed sequence */
			x = (long long)n;
	}
	e->ip = (int)x;
	for (i = 0; i < n; i++)
		e->status[i] = i < strlen(s) ? s[i] : ST_NOT_RUN;
	if ((v = node_get(root, "exit_codes")) != NULL && v->kind == NODE_MAP) {
		for (i = 0; i + 1 < v->n; i += 2) {
			long long idx, rc;

			if (v->kids[i + 1]->kind == NODE_SCALAR &&
			    str_to_ll(v->kids[i]->str, &idx) == 0 &&
			    str_to_ll(v->kids[i + 1]->str, &rc) == 0 &&
			    idx >= 0 && idx < (long long)n)
				e->rc[idx] = rc;
		}
	}
	if ((v = node_get(root, "secrets")) != NULL && v->kind == NODE_LIST)
		for (i = 0; i < v->n; i++)
			if (v->kids[i]->kind == NODE_SCALAR)
				vars_add_secret(&e->vars, v->kids[i]->str);
	if ((v = node_get(root, "variables")) != NULL && v->kind == NODE_LIST) {
		for (i = 0; i < v->n; i++) {
			const char *name = get_str(v->kids[i], "name");
			const char *value = get_str(v->kids[i], "value");
			const char *secret = get_str(v->kids[i], "secret");

			if (name == NULL || value == NULL ||
			    vars_set(&e->vars, name, value, VAR_ENGINE |
			    (secret != NULL ? VAR_SECRET : 0)) != VARS_OK) {
				r = damaged(path, "a variable is invalid");
				goto out;
			}
		}
	}
	if ((s = get_str(root, "run_id")) != NULL)
		snprintf(e->run_id, sizeof e->run_id, "%s", s);
	if ((s = get_str(root, "started")) != NULL)
		snprintf(e->started, sizeof e->started, "%s", s);
	if (e->log_dir == NULL && (s = get_str(root, "log_dir")) != NULL)
		e->log_dir = xstrdup(s);
	if (e->reboot_command == NULL && (s = get_str(root, "reboot_command")) != NULL)
		e->reboot_command = xstrdup(s);
	e->journal_state = xstrdup(get_str(root, "state") ? get_str(root, "state") : "");
	r = 0;
out:
	node_free(root);
	return r;
}

void
journal_remove(struct engine *e)
{
	if (unlink(e->journal_path) == -1 && errno != ENOENT)
		runlog_msg(&e->log, LOG_WARN, "cannot remove the journal '%s': %s",
		    e->journal_path, strerror(errno));
}

/* The few fields needed before the sequence is loaded (caller frees). */
int
journal_peek(const char *path, struct journal_info *ji)
{
	struct diag	 d;
	struct node	*root;
	const char	*s;

	memset(ji, 0, sizeof *ji);
	diag_init(&d);
	root = yaml_load_file(path, &yaml_journal_limits, &d);
	diag_release(&d);
	if (root == NULL || root->kind != NODE_MAP ||
	    get_str(root, "sequence") == NULL || get_str(root, "hash") == NULL) {
		node_free(root);
		return -1;
	}
	ji->sequence = xstrdup(get_str(root, "sequence"));
	ji->hash = xstrdup(get_str(root, "hash"));
	ji->state = xstrdup((s = get_str(root, "state")) ? s : "?");
	ji->started = xstrdup((s = get_str(root, "started")) ? s : "?");
	ji->root = xstrdup((s = get_str(root, "root")) ? s : "/");
	if ((s = get_str(root, "ip")) == NULL || str_to_ll(s, &ji->ip) == -1)
		ji->ip = -1;
	node_free(root);
	return 0;
}

void
journal_info_release(struct journal_info *ji)
{
	free(ji->sequence);
	free(ji->hash);
	free(ji->state);
	free(ji->started);
	free(ji->root);
	memset(ji, 0, sizeof *ji);
}
