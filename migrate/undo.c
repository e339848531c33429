/*
 * undo.c - `tsi state undo`: reads the restore journal of a store under
 * the root backwards and puts back what the restore did: files it created
 * are removed, files it replaced come back from the saved folder, folders
 * it made are removed when empty, temporary files are cleaned up.  Undo
 * can itself be interrupted and run again.
 */
#include "restore-int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate.h"

/* Temporary files a killed restore left in the folder dfd (path d). */
static void
remove_temps(int dfd, const char *d, const char *tag, char **last_dir)
{
	struct dirent	*de;
	DIR		*dp;
	int		 fd;

	if (*last_dir != NULL && strcmp(*last_dir, d) == 0)
		return;
	free(*last_dir);
	*last_dir = xstrdup(d);
	if ((fd = dup(dfd)) == -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(dp)) != NULL)
		if (strncmp(de->d_name, tag, strlen(tag)) == 0)
			unlinkat(dirfd(dp), de->d_name, 0);
	closedir(dp);
}

/*
 * The folder that holds a journaled path, opened from the root without
 * following any symlink beneath it: the homes' owners can put one where a
 * restored folder was.  *name is the last component; -1 with errno.
 */
static int
parent_beneath(const char *root, const char *path, char **dir, const char **name)
{
	const char	*pre = strcmp(root, "/") ? root : "", *slash;
	size_t		 plen = strlen(pre);
	char		*rel, *c, *next;
	int		 fd, nfd;

	if (strncmp(path, pre, plen) != 0 || path[plen] != '/' ||
	    (slash = strrchr(path, '/')) == path + plen) {
		errno = EINVAL;
		return -1;
	}
	*name = slash + 1;
	*dir = xstrndup(path, (size_t)(slash - path));
	rel = xstrndup(path + plen + 1, (size_t)(slash - path - plen - 1));
	fd = open(*pre ? pre : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (c = rel; fd != -1 && c != NULL; c = next) {
		if ((next = strchr(c, '/')) != NULL)
			*next++ = '\0';
		nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
	}
	free(rel);
	return fd;
}

/* Removes one s from v: an N cancels the one C just before it, no other. */
static int
take_from_list(char **v, size_t *n, const char *s)
{
	size_t	i;

	for (i = *n; i-- > 0;)
		if (strcmp(v[i], s) == 0) {
			free(v[i]);
			v[i] = v[--*n];
			return 1;
		}
	return 0;
}

/* Whether name in dfd is still the file a C record names (records
 * without an identity: whatever is there). */
static int
same_file(int dfd, const char *name, const char *identity)
{
	char	now[80];

	if (identity == NULL || *identity == '\0')
		return 1;
	if (file_identity(dfd, name, now, sizeof now) == -1)
		return 1;	/* gone: unlink says ENOENT */
	return strcmp(now, identity) == 0;
}

int
state_undo(const char *root, const char *store, const struct state_log *log,
    struct state_counts *n, char **err)
{
	struct ustore	 us;
	char		*dir, *journal, *text, **lines = NULL, *save, *line, *t1, *t2;
	char		**paths = NULL;
	struct buf	 last = BUF_INIT;
	char		**not_created = NULL, *last_dir = NULL, tag[32];
	size_t		 nlines = 0, i, nnot = 0;
	char		*saved_path, *abs_root;
	int		 rc = -1, saved_fd = -1;

	memset(n, 0, sizeof *n);
	/* the journal's paths are absolute (restore resolved its root) */
	if ((abs_root = realpath(root, NULL)) == NULL) {
		*err = xasprintf("cannot use the root '%s': %s", root, strerror(errno));
		return -1;
	}
	root = abs_root;
	/* the store id is in the clear: no identity is needed */
	if (ustore_open(&us, store, NULL, err) == -1) {
		ustore_close(&us);
		free(abs_root);
		return -1;
	}
	dir = xasprintf("%s%s/%s", strcmp(root, "/") ? root : "", RESTORE_STATE_DIR, us.id);
	snprintf(tag, sizeof tag, ".tsi-restore-%.8s-", us.id);
	ustore_close(&us);
	journal = xasprintf("%s/journal", dir);
	saved_path = xasprintf("%s/saved", dir);
	saved_fd = open(saved_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(saved_path);
	if (read_file(journal, 1024u * 1024 * 1024, &text, NULL) == -1) {
		*err = xasprintf("no restore of this store is recorded under '%s' (%s)",
		    root, journal);
		goto out;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lines = xreallocarray(lines, nlines + 1, sizeof *lines);
		paths = xreallocarray(paths, nlines + 1, sizeof *paths);
		paths[nlines] = NULL;
		lines[nlines++] = line;
		/* paths are written from the one before: read them in order */
		if ((t1 = strchr(line, '\t')) == line + 1 && strchr("CNDRP", line[0]) != NULL) {
			if ((t2 = strchr(t1 + 1, '\t')) != NULL)
				*t2 = '\0';
			paths[nlines - 1] = journal_path(t1 + 1, &last);
			if (t2 != NULL)
				*t2 = '\t';
		}
	}
	if (nlines > 0 && strcmp(lines[nlines - 1], "undone") == 0) {
		*err = xstrdup("this restore was undone already");
		free(text);
		goto out;
	}
	for (i = nlines; i-- > 0;) {
		char		*f1 = strchr(lines[i], '\t'), *f2, *path, *pdir = NULL;
		const char	*name;
		int		 dfd;

		if (strcmp(lines[i], "undone") == 0)
			break;		/* what came before was undone already */
		if (f1 == NULL || f1 != lines[i] + 1 || strchr("CNDR", lines[i][0]) == NULL)
			continue;	/* E and the like name no path */
		*f1++ = '\0';
		if ((f2 = strchr(f1, '\t')) != NULL)
			*f2++ = '\0';
		if ((path = paths[i]) == NULL)
			continue;
		paths[i] = NULL;
		if ((dfd = parent_beneath(root, path, &pdir, &name)) == -1) {
			if (errno != ENOENT)
				state_say(log, n, STATE_FINDING, -1, "%s: left as it is: %s "
				    "(a symlink is never followed)", path, strerror(errno));
			free(pdir);
			pdir = NULL;
			free(path);
			continue;
		}
		switch (lines[i][0]) {
		case 'N':	/* the C before it did not happen */
			not_created = xreallocarray(not_created, nnot + 1, sizeof *not_created);
			not_created[nnot++] = xstrdup(path);
			break;
		case 'C':
			remove_temps(dfd, pdir, tag, &last_dir);
			if (take_from_list(not_created, &nnot, path))
				break;	/* this C's N: that create did not happen */
			if (!same_file(dfd, name, f2))
				state_say(log, n, STATE_FINDING, -1, "%s: kept: it is not the "
				    "file the restore made (replaced since)", path);
			else if (unlinkat(dfd, name, 0) == 0)
				n->created++;
			else if (errno != ENOENT)
				state_say(log, n, STATE_FINDING, -1, "%s: not removed: %s",
				    path, strerror(errno));
			break;
		case 'D':
			if (unlinkat(dfd, name, AT_REMOVEDIR) == 0)
				n->dirs++;
			else if (errno != ENOENT)
				state_say(log, n, STATE_FINDING, -1, "%s: folder kept: %s",
				    path, strerror(errno));
			break;
		case 'R':
			if (f2 != NULL && saved_fd != -1 &&
			    renameat(saved_fd, f2, dfd, name) == 0)
				n->replaced++;
			else if (f2 != NULL && errno != ENOENT)
				state_say(log, n, STATE_FINDING, -1, "%s: not put back: %s", path, strerror(errno));
			break;
		}
		close(dfd);
		free(pdir);
		pdir = NULL;
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
	state_say(log, NULL, STATE_INFO, -1, "undone: %" PRIu64 " files removed, %" PRIu64
	    " put back, %" PRIu64 " folders removed; %" PRIu64 " findings", n->created,
	    n->replaced, n->dirs, n->findings);
	rc = n->findings ? 1 : 0;
out:
	for (i = 0; i < nnot; i++)
		free(not_created[i]);
	free(not_created);
	free(last_dir);
	for (i = 0; i < nlines; i++)
		free(paths[i]);
	free(paths);
	buf_release(&last);
	free(lines);
	if (saved_fd != -1)
		close(saved_fd);
	free(journal);
	free(dir);
	free(abs_root);
	return rc;
}
