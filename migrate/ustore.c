/*
 * ustore.c - reading a store of either kind; see ustore.h.
 */
#include "ustore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long
fd_pread(void *ctx, void *p, size_t n, uint64_t off)
{
	ssize_t	k;

	do
		k = pread(*(int *)ctx, p, n, (off_t)off);
	while (k == -1 && errno == EINTR);
	return (long)k;
}

/* The next catalog line into us->line; 1, 0 at the end, -1. */
static int
next_line(struct ustore *us, char **err)
{
	const void	*p;
	const char	*nl;
	long		 k;
	int		 c;

	us->line.len = 0;
	if (us->hardlink) {
		while ((c = getc(us->cat_file)) != EOF && c != '\n') {
			if (us->line.len >= CATALOG_LINE_MAX)
				goto too_long;
			if (c == '\0') {
				*err = xstrdup("a catalog line is damaged (it holds a NUL "
				    "byte)");
				return -1;
			}
			buf_addch(&us->line, (char)c);
		}
		if (c == EOF && us->line.len == 0)
			return 0;
		buf_addch(&us->line, '\0');
		us->line.len--;
		return 1;
	}
	for (;;) {
		const char	*start = us->pending.data ? us->pending.data +
				    us->pending_off : "";
		size_t		 avail = us->pending.len - us->pending_off;

		if (avail > 0 && (nl = memchr(start, '\n', avail)) != NULL) {
			size_t n = (size_t)(nl - start);

			if (memchr(start, '\0', n) != NULL) {
				*err = xstrdup("a catalog line is damaged (it holds a NUL "
				    "byte)");
				return -1;
			}
			buf_add(&us->line, start, n);
			buf_addch(&us->line, '\0');
			us->line.len--;
			us->pending_off += n + 1;
			return 1;
		}
		if (avail >= CATALOG_LINE_MAX)
			goto too_long;
		/* what is left of the buffer moves to its front once per read */
		if (us->pending_off > 0) {
			memmove(us->pending.data, start, avail);
			us->pending.len = avail;
			us->pending_off = 0;
		}
		if ((k = frame_reader_next(us->cat_frames, &p, 65536, err)) == -1)
			return -1;
		if (k == 0)
			return us->pending.len == 0 ? 0 : (*err = xstrdup("the store's "
			    "catalog ends inside a line"), -1);
		buf_add(&us->pending, p, (size_t)k);
	}
too_long:
	*err = xstrdup("a catalog line is too long");
	return -1;
}

static la_ssize_t
archive_in(struct archive *a, void *ctx, const void **p)
{
	struct ustore	*us = ctx;
	char		*err = NULL;
	long		 k = frame_reader_next(us->arc_frames, p, 1024 * 1024, &err);

	if (k == -1) {
		archive_set_error(a, EIO, "%s", err);
		free(err);
	}
	return (la_ssize_t)k;
}

int
ustore_seek(struct ustore *us, uint64_t frame, uint32_t off, char **err)
{
	if (us->a != NULL)
		archive_read_free(us->a);
	us->a = NULL;
	if (frame_reader_seek(us->arc_frames, FRAME_ARCHIVE, frame, off, err) == -1)
		return -1;
	us->a = archive_read_new();
	archive_read_support_format_tar(us->a);
	if (archive_read_open(us->a, us, NULL, archive_in, NULL) != ARCHIVE_OK) {
		*err = xasprintf("the store's archive cannot be read: %s",
		    archive_error_string(us->a));
		return -1;
	}
	return 0;
}

/* Reads the header lines up to the first entry. */
static int
read_header(struct ustore *us, char **err)
{
	struct cat_line	l;
	int		k, first = 1;

	while ((k = next_line(us, err)) == 1) {
		char *copy = xstrdup(us->line.data);

		if (cat_parse(copy, &l, err) == -1) {
			free(copy);
			return -1;
		}
		if (first && l.kind != CAT_LINE_MAGIC) {
			free(copy);
			*err = xstrdup("the store's catalog does not start as a catalog");
			return -1;
		}
		first = 0;
		if (l.kind == CAT_LINE_USER) {
			if (us->nusers == USTORE_USERS_MAX) {
				free(copy);
				*err = xstrdup("the store's catalog has too many users");
				return -1;
			}
			us->users = xreallocarray(us->users, us->nusers + 1, sizeof *us->users);
			us->user_lines = xreallocarray(us->user_lines, us->nusers + 1,
			    sizeof *us->user_lines);
			us->users[us->nusers] = l.user;
			us->user_lines[us->nusers++] = copy;
			continue;
		}
		if (l.kind == CAT_LINE_FIELD && strcmp(l.key, "source") == 0)
		{
			free(us->source);	/* a crafted catalog may say it twice */
			us->source = xstrdup(l.value);
		}
		/* the id names the restore records' folder: 32 hex digits only */
		if (l.kind == CAT_LINE_FIELD && strcmp(l.key, "id") == 0 && us->hardlink &&
		    strlen(l.value) == 32 && strspn(l.value, "0123456789abcdef") == 32)
			snprintf(us->id, sizeof us->id, "%s", l.value);
		free(copy);
		if (l.kind == CAT_LINE_ENTRY || l.kind == CAT_LINE_END) {
			/* parse again from the kept line: l points into the freed copy */
			cat_parse(us->line.data, &us->first, err);
			us->have_first = 1;
			return 0;
		}
	}
	if (k == 0)
		*err = xstrdup("the store's catalog is empty or cut short");
	return -1;
}

static int	open_encrypted(struct ustore *, store_pread_fn, void *, uint64_t,
		    const struct identity *, char **);

int
ustore_open(struct ustore *us, const char *path, const struct identity *id, char **err)
{
	struct stat	st;
	char		*p;

	memset(us, 0, sizeof *us);
	us->fd = us->data_fd = us->dir_fd = -1;
	us->path = xstrdup(path);
	buf_init(&us->line, 0);
	buf_init(&us->pending, 0);
	if (stat(path, &st) == -1) {
		*err = xasprintf("cannot open the store '%s': %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		us->hardlink = 1;
		p = xasprintf("%s/%s", path, HARDLINK_CATALOG);
		us->cat_file = fopen(p, "re");
		free(p);
		p = xasprintf("%s/%s", path, HARDLINK_DATA);
		us->data_fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(p);
		if (us->cat_file == NULL || us->data_fd == -1) {
			*err = xasprintf("'%s' is not a complete hard-link store (no catalog "
			    "or data)", path);
			return -1;
		}
		if (read_header(us, err) == -1)
			return -1;
		if (us->id[0] == '\0') {
			*err = xasprintf("the hard-link store '%s' has no valid id", path);
			return -1;
		}
		return 0;
	}
	if ((us->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*err = xasprintf("cannot open the store '%s': %s", path, strerror(errno));
		return -1;
	}
	return open_encrypted(us, fd_pread, &us->fd, (uint64_t)st.st_size, id, err);
}

int
ustore_open_in(struct ustore *us, const char *name, const struct store_in *in,
    const struct identity *id, char **err)
{
	memset(us, 0, sizeof *us);
	us->fd = us->data_fd = us->dir_fd = -1;
	us->path = xstrdup(name);
	buf_init(&us->line, 0);
	buf_init(&us->pending, 0);
	if (open_encrypted(us, in->pread, in->ctx, in->size, id, err) == 0)
		return 0;
	if (in->error(in->ctx) != NULL) {	/* the network's reason beats the store's */
		free(*err);
		*err = xstrdup(in->error(in->ctx));
	}
	return -1;
}

static int
open_encrypted(struct ustore *us, store_pread_fn rd, void *ctx, uint64_t size,
    const struct identity *id, char **err)
{
	if (store_file_open(&us->sf, rd, ctx, size, id, err) == -1)
		return -1;
	store_file_id(us->sf, us->id);
	if (id == NULL)
		return 0;
	if (frame_reader_open(&us->cat_frames, us->sf, err) == -1 ||
	    frame_reader_open(&us->arc_frames, us->sf, err) == -1)
		return -1;
	us->entries = frame_reader_entries(us->cat_frames);
	us->bytes = frame_reader_bytes(us->cat_frames);
	if (frame_reader_seek(us->cat_frames, FRAME_CATALOG, 0, 0, err) == -1)
		return -1;
	return read_header(us, err);
}

int
ustore_next(struct ustore *us, struct cat_line *l, char **err)
{
	int	k;

	for (;;) {
		if (us->cat_done)
			return 0;
		if (us->have_first) {
			us->have_first = 0;
			*l = us->first;
		} else {
			if ((k = next_line(us, err)) <= 0) {
				if (k == 0)
					*err = xstrdup("the store's catalog has no end line");
				return -1;
			}
			if (cat_parse(us->line.data, l, err) == -1)
				return -1;
		}
		if (l->kind == CAT_LINE_END) {
			us->cat_done = 1;
			if (us->hardlink) {
				us->entries = l->entries;
				us->bytes = l->bytes;
			}
			return 0;
		}
		if (l->kind == CAT_LINE_ENTRY)
			return 1;
	}
}

const struct cat_user *
ustore_user(const struct ustore *us, const char *name)
{
	size_t	i;

	for (i = 0; i < us->nusers; i++)
		if (strcmp(us->users[i].name, name) == 0)
			return &us->users[i];
	return NULL;
}

void
ustore_close(struct ustore *us)
{
	size_t	i;

	if (us->a != NULL)
		archive_read_free(us->a);
	frame_reader_free(us->cat_frames);
	frame_reader_free(us->arc_frames);
	store_file_free(us->sf);
	if (us->fd != -1)
		close(us->fd);
	if (us->data_fd != -1)
		close(us->data_fd);
	if (us->dir_fd != -1)
		close(us->dir_fd);
	free(us->dir_rel);
	us->dir_rel = NULL;
	us->dir_fd = -1;
	if (us->cat_file != NULL)
		fclose(us->cat_file);
	for (i = 0; i < us->nusers; i++)
		free(us->user_lines[i]);
	free(us->user_lines);
	free(us->users);
	free(us->source);
	free(us->path);
	buf_release(&us->line);
	buf_release(&us->pending);
}

char *
ustore_entry_name(struct archive_entry *ae)
{
	const char	*name = archive_entry_pathname(ae);
	size_t		 n = name ? strlen(name) : 0;

	while (n > 1 && name[n - 1] == '/')
		n--;
	return name ? xstrndup(name, n) : xstrdup("");
}

int
ustore_data_dir(struct ustore *us, const char *path, const char **name)
{
	const char	*slash = strrchr(path, '/');
	char		*dir, *c, *next;
	int		 fd, nfd;

	*name = slash ? slash + 1 : path;
	if (slash == NULL)
		return us->data_fd;
	dir = xstrndup(path, (size_t)(slash - path));
	if (us->dir_rel != NULL && strcmp(us->dir_rel, dir) == 0) {
		free(dir);
		return us->dir_fd;
	}
	if (us->dir_fd != -1)
		close(us->dir_fd);
	free(us->dir_rel);
	us->dir_rel = NULL;
	us->dir_fd = -1;
	fd = fcntl(us->data_fd, F_DUPFD_CLOEXEC, 0);
	for (c = dir; c != NULL && fd != -1; c = next) {
		if ((next = strchr(c, '/')) != NULL)
			*next++ = '\0';
		if (*c == '\0' || strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
			close(fd);
			fd = -1;
			errno = EINVAL;
			break;
		}
		nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
	}
	if (fd == -1) {
		free(dir);
		return -1;
	}
	/* dir was cut in place: keep the path as given */
	free(dir);
	us->dir_rel = xstrndup(path, (size_t)(slash - path));
	us->dir_fd = fd;
	return fd;
}
