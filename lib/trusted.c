/*
 * trusted.c - root reads code and configuration only from root's files.
 * See trusted.h.
 */
#include "trusted.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define AS_ROOT	", and tsi runs as root"

/* What is wrong with a folder on the way (NULL: nothing); name is the
 * folder's path as far as the walk got. */
static char *
folder_problem(const struct stat *st, const char *name)
{
	if (!S_ISDIR(st->st_mode))
		return xasprintf("'%s' is not a folder", name);
	if (st->st_uid != 0)
		return xasprintf("its folder '%s' is owned by uid %u, not by root"
		    AS_ROOT, name, (unsigned)st->st_uid);
	/* a group other than root's counts as others: its members could
	 * rename the file away and put theirs in its place */
	if ((st->st_mode & S_ISVTX) == 0 && ((st->st_mode & S_IWOTH) ||
	    ((st->st_mode & S_IWGRP) && st->st_gid != 0)))
		return xasprintf("its folder '%s' is writable by %s and not sticky"
		    AS_ROOT, name, st->st_mode & S_IWOTH ? "others" : "its group");
	return NULL;
}

/* What is wrong with the file itself, or the folder to be loaded whole. */
static char *
end_problem(const struct stat *st, enum trusted_kind kind)
{
	/* a FIFO only root can write to is as good as root's file */
	if (kind == TRUSTED_FILE && !S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode))
		return xstrdup("it is not a regular file");
	if (kind == TRUSTED_FOLDER && !S_ISDIR(st->st_mode))
		return xstrdup("it is not a folder");
	if (st->st_uid != 0)
		return xasprintf("it is owned by uid %u, not by root" AS_ROOT,
		    (unsigned)st->st_uid);
	/* a folder loaded whole must not take new files, sticky or not */
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return xstrdup("it is writable by group or others" AS_ROOT);
	return NULL;
}

static int
refuse(int fd, char **why, char *problem)
{
	if (fd != -1)
		close(fd);
	*why = problem;
	errno = EPERM;
	return -1;
}

int
trusted_open(const char *path, enum trusted_kind kind, char **why)
{
	int		 end_flags = (kind == TRUSTED_FOLDER ? O_DIRECTORY : 0) |
			    O_RDONLY | O_CLOEXEC;
	struct stat	 st;
	char		*real, *comp, *next, *problem, self[64];
	int		 fd, sub, saved;

	*why = NULL;
	if (geteuid() != 0)
		return open(path, end_flags);
	/* the path's own symbolic links are resolved once, here; the walk
	 * below follows none, so the folders it checks are the ones read */
	if ((real = realpath(path, NULL)) == NULL)
		return -1;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (comp = real + 1;; comp = next + 1) {
		if (fd == -1 || fstat(fd, &st) == -1)
			break;
		comp[-1] = '\0';
		problem = folder_problem(&st, real[0] != '\0' ? real : "/");
		comp[-1] = '/';
		if (problem != NULL) {
			free(real);
			return refuse(fd, why, problem);
		}
		if ((next = strchr(comp, '/')) == NULL)
			break;
		*next = '\0';
		sub = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*next = '/';
		close(fd);
		fd = sub;
	}
	if (fd != -1) {
		/* O_PATH: a FIFO is looked at before anything waits on it */
		sub = openat(fd, *comp != '\0' ? comp : ".", O_PATH | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		fd = sub;
	}
	saved = errno;
	free(real);
	if (fd == -1 && saved == ELOOP)		/* a link put in since */
		return refuse(-1, why, xstrdup("its path changed while it was "
		    "checked (a symbolic link appeared)" AS_ROOT));
	if (fd == -1) {
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1)
		return refuse(fd, why, xasprintf("cannot stat it: %s", strerror(errno)));
	if ((problem = end_problem(&st, kind)) != NULL)
		return refuse(fd, why, problem);
	/* the very file that was checked, opened for reading */
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	sub = open(self, end_flags);
	saved = errno;
	close(fd);
	errno = saved;
	return sub;
}

int
read_trusted_file(const char *path, size_t max, char **out, size_t *len, char **why)
{
	int	fd = trusted_open(path, TRUSTED_FILE, why);

	if (fd == -1)
		return -1;
	return read_fd(fd, max, out, len);
}

int
trusted_read_error(struct diag *d, const struct loc *at, const char *path, char *why,
    size_t max)
{
	int	saved = errno;

	if (why != NULL)
		diag_error(d, at, "refusing '%s': %s", path, why);
	else if (saved == EFBIG)
		diag_error(d, at, "file is too large (the limit is %zu bytes)", max);
	else
		diag_error(d, at, "cannot read '%s': %s", path, strerror(saved));
	free(why);
	return -1;
}
