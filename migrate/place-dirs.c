/*
 * place-dirs.c - the folders a restore makes: their times, set when the
 * walk leaves each folder (its files change its time until then), and
 * their removal when the entry they were made for could not be placed.
 *
 * A store lists a folder's whole subtree right after the folder, so the
 * folders still open are the ancestors of the current entry: a stack that
 * holds one path (the deepest open folder's) and, per level, where its
 * name ends and its time.  Memory is the depth of one path, not the
 * number of folders: a store of many folders with long names costs what
 * its longest path does.  A store in another order only gets some folder
 * times wrong.
 */
#include "restore-int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* rel beneath the base, as a folder, following no symbolic link (the
 * home's owner can swap a folder for one while the restore runs). */
static int
open_folder(const struct placer *p, const char *rel)
{
	struct open_how	how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, p->base_fd, rel, &how, sizeof how);
}

static void
close_top(struct placer *p)
{
	struct placer_open_dir	*top = &p->open_dirs[--p->nopen_dirs];
	struct timespec		 ts[2] = { { 0, UTIME_OMIT }, top->mtime };
	char			*rel = p->open_path.data;
	int			 fd;

	rel[top->len] = '\0';
	p->open_path.len = top->len;
	if ((fd = open_folder(p, rel)) == -1 || futimens(fd, ts) == -1)
		placer_finding(p, rel, "folder time not set: %s", strerror(errno));
	if (fd != -1)
		close(fd);
}

void
placer_times_enter(struct placer *p, const char *rel)
{
	size_t	len;

	while (p->nopen_dirs > 0) {
		len = p->open_dirs[p->nopen_dirs - 1].len;
		if (strncmp(rel, p->open_path.data, len) == 0 && rel[len] == '/')
			return;		/* inside the deepest open folder */
		close_top(p);
	}
}

void
placer_times_push(struct placer *p, const char *rel, const struct timespec *mtime)
{
	if (p->nopen_dirs == p->open_dirs_alloc) {
		p->open_dirs_alloc = p->open_dirs_alloc ? 2 * p->open_dirs_alloc : 16;
		p->open_dirs = xreallocarray(p->open_dirs, p->open_dirs_alloc,
		    sizeof *p->open_dirs);
	}
	/* rel is inside every open folder: its path extends theirs */
	buf_reset(&p->open_path);
	buf_adds(&p->open_path, rel);
	p->open_dirs[p->nopen_dirs].len = p->open_path.len;
	p->open_dirs[p->nopen_dirs++].mtime = *mtime;
}

void
placer_times_finish(struct placer *p)
{
	while (p->nopen_dirs > 0)
		close_top(p);
}

void
placer_unmake(struct placer *p, const char *rel)
{
	char	*dir = xstrdup(rel), *slash;
	int	 fd;

	if (p->made_len == 0) {
		free(dir);
		return;
	}
	/* the folder held open may be one of them */
	if (p->dir_fd != -1)
		close(p->dir_fd);
	p->dir_fd = -1;
	free(p->dir_rel);
	p->dir_rel = NULL;
	/* deepest first, up to the first one made; each only if empty */
	while ((slash = strrchr(dir, '/')) != NULL && (size_t)(slash - dir) >= p->made_len) {
		*slash = '\0';
		if ((fd = open_folder(p, dir)) == -1)
			break;
		close(fd);
		if (unlinkat(p->base_fd, dir, AT_REMOVEDIR) == -1)
			break;
	}
	p->made_len = 0;
	free(dir);
}

void
placer_times_release(struct placer *p)
{
	free(p->open_dirs);
	p->open_dirs = NULL;
	p->nopen_dirs = p->open_dirs_alloc = 0;
	buf_release(&p->open_path);
}
