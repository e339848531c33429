/*
 * undo.c - `tsi state undo`: reads the restore journal of a store under
 * the root backwards and puts back what the restore did: files it created
 * are removed, files it replaced come back from the saved folder, folders
 * it made are removed when empty, temporary files are cleaned up.  Undo
 * can itself be interrupted and run again.
 */
#include "ustore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate.h"

/* The journal's path field, unescaped in place (the catalog's escapes). */
static char *
field_path(char *s)
{
	struct cat_line	l;
	char		*line = xasprintf("x\t%s", s), *err = NULL, *out = NULL;

	if (cat_parse(line, &l, &err) == 0 && l.kind == CAT_LINE_FIELD)
		out = xstrdup(l.value);
	free(err);
	free(line);
	return out;
}

static void
finding(const struct state_log *log, struct state_counts *n, const char *fmt,
    const char *path, const char *why)
{
	char	*msg = xasprintf(fmt, path, why);

	n->findings++;
	if (log != NULL && log->fn != NULL)
		log->fn(log->ctx, STATE_FINDING, -1, msg);
	free(msg);
}

static int
in_list(char **v, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* Temporary files a killed restore left in the folder of path. */
static void
remove_temps(const char *path, const char *tag, char **last_dir)
{
	const char	*slash = strrchr(path, '/');
	char		*d = xstrndup(path, slash ? (size_t)(slash - path) : 0);
	struct dirent	*de;
	DIR		*dp;

	if (*last_dir != NULL && strcmp(*last_dir, d) == 0) {
		free(d);
		return;
	}
	free(*last_dir);
	*last_dir = d;
	if ((dp = opendir(d)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL)
		if (strncmp(de->d_name, tag, strlen(tag)) == 0)
			unlinkat(dirfd(dp), de->d_name, 0);
	closedir(dp);
}

int
state_undo(const char *root, const char *store, const struct state_log *log,
    struct state_counts *n, char **err)
{
	struct ustore	 us;
	char		*dir, *journal, *text, **lines = NULL, *save, *line, *msg;
	char		**not_created = NULL, *last_dir = NULL, tag[32];
	size_t		 nlines = 0, i, nnot = 0;
	int		 rc = -1;

	memset(n, 0, sizeof *n);
	/* the store id is in the clear: no identity is needed */
	if (ustore_open(&us, store, NULL, err) == -1)
		return -1;
	dir = xasprintf("%s%s/%s", strcmp(root, "/") ? root : "", RESTORE_STATE_DIR, us.id);
	snprintf(tag, sizeof tag, ".tsi-restore-%.8s-", us.id);
	ustore_close(&us);
	journal = xasprintf("%s/journal", dir);
	if (read_file(journal, 1024u * 1024 * 1024, &text, NULL) == -1) {
		*err = xasprintf("no restore of this store is recorded under '%s' (%s)",
		    root, journal);
		goto out;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lines = xreallocarray(lines, nlines + 1, sizeof *lines);
		lines[nlines++] = line;
	}
	if (nlines > 0 && strcmp(lines[nlines - 1], "undone") == 0) {
		*err = xstrdup("this restore was undone already");
		free(text);
		goto out;
	}
	for (i = nlines; i-- > 0;) {
		char	*f1 = strchr(lines[i], '\t'), *f2, *path, *saved;

		if (f1 == NULL)
			continue;
		*f1++ = '\0';
		if ((f2 = strchr(f1, '\t')) != NULL)
			*f2++ = '\0';
		if ((path = field_path(f1)) == NULL)
			continue;
		switch (lines[i][0]) {
		case 'N':	/* the C before it did not happen */
			not_created = xreallocarray(not_created, nnot + 1, sizeof *not_created);
			not_created[nnot++] = xstrdup(path);
			break;
		case 'C':
			remove_temps(path, tag, &last_dir);
			if (in_list(not_created, nnot, path))
				break;
			if (unlink(path) == 0)
				n->created++;
			else if (errno != ENOENT)
				finding(log, n, "%s: not removed: %s", path, strerror(errno));
			break;
		case 'D':
			if (rmdir(path) == 0)
				n->dirs++;
			else if (errno != ENOENT)
				finding(log, n, "%s: folder kept: %s", path, strerror(errno));
			break;
		case 'R':
			saved = f2 ? xasprintf("%s/saved/%s", dir, f2) : NULL;
			if (saved != NULL && rename(saved, path) == 0)
				n->replaced++;
			else if (saved != NULL && errno != ENOENT)
				finding(log, n, "%s: not put back: %s", path, strerror(errno));
			free(saved);
			break;
		}
		free(path);
	}
	free(text);
	text = xasprintf("undone\n");
	{
		int fd = open(journal, O_WRONLY | O_APPEND | O_CLOEXEC);

		if (fd != -1) {
			if (write(fd, text, strlen(text)) == -1)
				(void)0;
			fdatasync(fd);
			close(fd);
		}
	}
	free(text);
	msg = xasprintf("undone: %" PRIu64 " files removed, %" PRIu64 " put back, %"
	    PRIu64 " folders removed; %" PRIu64 " findings", n->created, n->replaced,
	    n->dirs, n->findings);
	if (log != NULL && log->fn != NULL)
		log->fn(log->ctx, STATE_INFO, -1, msg);
	free(msg);
	rc = n->findings ? 1 : 0;
out:
	for (i = 0; i < nnot; i++)
		free(not_created[i]);
	free(not_created);
	free(last_dir);
	free(lines);
	free(journal);
	free(dir);
	return rc;
}
