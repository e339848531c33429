/*
 * journal.c - the run's state on disk, written before every step.
 *
 * STATE_DIR/journal.jsonl holds what a resume needs: the sequence and its
 * hash, the instruction pointer, each node's status and exit code, and
 * every variable.  It is an append-only log of whole states, one JSON
 * object a line: before each step the engine appends a line and calls
 * fdatasync, which costs one disk flush instead of the three of a
 * temporary file, a rename and a directory sync.  A power cut can tear
 * only the line being written; readers take the last line that parses.
 * When the log grows past a bound it is rewritten with just its last
 * state (temporary file, fsync, rename, fsync of the directory).
 *
 * The file is 0600 in a 0700 directory: it holds the values of secret
 * variables.  JSON is valid YAML, so lines are read back with the same
 * loader as sequences, under the journal's own limits.
 */
#include "engine-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_VERSION		2
#define JOURNAL_COMPACT_MIN	(1024 * 1024)	/* rewrite the log past this size... */
#define JOURNAL_COMPACT_RATIO	16		/* ...and this many states, */
#define JOURNAL_COMPACT_MAX	(32u << 20)	/* or before it passes this */

/* One state as one line of compact JSON. */
static void
journal_line(struct engine *e, const char *state, struct buf *b)
{
	struct json		 j;
	const struct var	**vs;
	size_t			 i, n;
	char			 key[24];

	json_init(&j, b, 0);
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
	buf_addch(b, '\n');
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Where the last complete line ends: a torn tail (a power cut in the
 * middle of an append) is cut off, or the next append would be glued to
 * it and lost with it. */
static off_t
complete_size(int fd, off_t size)
{
	char	buf[4096];
	off_t	end = size, at;
	ssize_t	n, i;

	while (end > 0) {
		at = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
		if ((n = pread(fd, buf, (size_t)(end - at), at)) <= 0)
			return size;
		for (i = n - 1; i >= 0; i--)
			if (buf[i] == '\n')
				return at + i + 1;
		end = at;
	}
	return 0;
}

static int
open_log(struct engine *e)
{
	struct stat	st;
	off_t		keep;

	e->journal_fd = open(e->journal_path, O_RDWR | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (e->journal_fd == -1 || fstat(e->journal_fd, &st) == -1)
		return -1;
	keep = complete_size(e->journal_fd, st.st_size);
	if (keep < st.st_size && ftruncate(e->journal_fd, keep) == -1)
		return -1;
	e->journal_size = (size_t)keep;
	return 0;
}

int
journal_write(struct engine *e, const char *state)
{
	struct buf	b = BUF_INIT;
	int		r = 0, saved, created = 0;

	journal_line(e, state, &b);
	if (e->journal_fd >= 0 && e->journal_size > JOURNAL_COMPACT_MIN &&
	    (e->journal_size > JOURNAL_COMPACT_RATIO * b.len ||
	    e->journal_size + b.len > JOURNAL_COMPACT_MAX)) {
		/* a fresh log holding only this state, swapped in atomically */
		close(e->journal_fd);
		e->journal_fd = -1;
		r = write_file_atomic(e->journal_path, b.data, b.len, 0600);
		if (r == 0)
			r = open_log(e);
		goto out;
	}
	if (e->journal_fd < 0) {
		created = access(e->journal_path, F_OK) == -1;
		if (open_log(e) == -1) {
			r = -1;
			goto out;
		}
	}
	if (write_all(e->journal_fd, b.data, b.len) == -1 ||
	    fdatasync(e->journal_fd) == -1) {
		saved = errno;
		/* no torn line for a later append to run into */
		if (ftruncate(e->journal_fd, (off_t)e->journal_size) == -1)
			(void)0;
		errno = saved;
		r = -1;
		goto out;
	}
	e->journal_size += b.len;
	if (created) {		/* the new file's name must survive a power cut too */
		char *dir = path_dirname(e->journal_path);
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		free(dir);
		if (dfd == -1 || fsync(dfd) == -1)
			r = -1;
		if (dfd != -1)
			close(dfd);
	}
out:
	saved = errno;
	/* the buffer held secret values */
	memset(b.data, 0, b.alloc);
	buf_release(&b);
	errno = saved;
	return r;
}

/*
 * The last state in the log: the last line that parses as a mapping with a
 * sequence and a hash.  Lines before it are history; a torn last line (a
 * power cut mid-append) is passed over.  NULL when there is none.
 */
static struct node *
last_state(const char *path)
{
	struct diag	 d;
	struct node	*root = NULL;
	char		*text;
	size_t		 len, end, start;

	if (read_file(path, yaml_journal_limits.max_bytes, &text, &len) == -1)
		return NULL;
	end = len;
	while (root == NULL && end > 0) {
		while (end > 0 && text[end - 1] != '\n')	/* an unfinished line */
			end--;
		if (end == 0)
			break;
		for (start = end - 1; start > 0 && text[start - 1] != '\n'; start--)
			;
		diag_init(&d);
		root = yaml_load_string(path, text + start, end - start,
		    &yaml_journal_limits, &d);
		diag_release(&d);
		if (root != NULL && (root->kind != NODE_MAP ||
		    node_get(root, "sequence") == NULL || node_get(root, "hash") == NULL)) {
			node_free(root);
			root = NULL;
		}
		end = start;
	}
	free(text);
	return root;
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
	struct node		*root, *v;
	const char		*s;
	long long		 x;
	size_t			 i, n = e->seq->n;
	int			 r = -1;

	if ((root = last_state(path)) == NULL)
		return damaged(path, "it holds no complete state");
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
	if (e->journal_fd >= 0)
		close(e->journal_fd);
	e->journal_fd = -1;
	if (unlink(e->journal_path) == -1 && errno != ENOENT)
		runlog_msg(&e->log, LOG_WARN, "cannot remove the journal '%s': %s",
		    e->journal_path, strerror(errno));
}

/* The few fields needed before the sequence is loaded (caller frees). */
int
journal_peek(const char *path, struct journal_info *ji)
{
	struct node	*root;
	const char	*s;

	memset(ji, 0, sizeof *ji);
	root = last_state(path);
	if (root == NULL || get_str(root, "sequence") == NULL ||
	    get_str(root, "hash") == NULL) {
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
