/*
 * place-journal.c - the restore journal (restore-int.h): records written
 * before the changes they describe, synced every JOURNAL_SYNC_S seconds,
 * and the identity (device, inode, birth time) that lets undo tell a
 * restored file from one that later took its name.
 */
#include "restore-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Shorter common beginnings are written out whole. */
#define JOURNAL_SHARED_MIN	16

static double
mono_s(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

void
rjournal_flush(struct rjournal *j, int sync)
{
	const char	*p = j->pending.data;
	size_t		 n = j->pending.len;
	ssize_t		 k;
	double		 now;

	while (n > 0 && !j->failed) {
		if ((k = write(j->fd, p, n)) == -1) {
			if (errno != EINTR)
				j->failed = errno;
			continue;
		}
		p += k;
		n -= (size_t)k;
	}
	j->pending.len = 0;
	now = mono_s();
	if (sync || now - j->last_sync >= JOURNAL_SYNC_S) {
		fdatasync(j->fd);
		j->last_sync = now;
	}
}

void
placer_journal(struct placer *p, const char *kind, const char *rel, const char *extra)
{
	struct rjournal	*j = p->journal;
	char		*path, *esc;

	if (j == NULL)
		return;
	buf_adds(&j->pending, kind);
	if (rel != NULL) {
		size_t shared = 0;

		path = xasprintf("%s/%s", p->base_path, rel);
		while (shared < j->last_path.len && path[shared] == j->last_path.data[shared])
			shared++;
		buf_addch(&j->pending, '\t');
		if (shared >= JOURNAL_SHARED_MIN) {
			buf_addf(&j->pending, "%zu|", shared);
			esc = cat_escape(path + shared);
		} else
			esc = cat_escape(path);
		buf_adds(&j->pending, esc);
		buf_reset(&j->last_path);
		buf_adds(&j->last_path, path);
		free(path);
		free(esc);
	}
	if (extra != NULL) {
		buf_addch(&j->pending, '\t');
		buf_adds(&j->pending, extra);
	}
	buf_addch(&j->pending, '\n');
	if (strchr("CRDN", kind[0]) != NULL || j->pending.len >= 65536)
		rjournal_flush(j, 0);
	if (j->failed && p->fatal == NULL)
		p->fatal = xasprintf("cannot write the restore journal: %s",
		    strerror(j->failed));
}

int
file_identity(int dfd, const char *name, char *out, size_t len)
{
	struct statx	stx;

	/* inode numbers are reused at once; the birth time tells a new file
	 * from the one the restore made (0 where the file system has none) */
	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_BTIME, &stx) == -1)
		return -1;
	snprintf(out, len, "%u:%u:%ju:%jd.%u", stx.stx_dev_major, stx.stx_dev_minor,
	    (uintmax_t)stx.stx_ino, stx.stx_mask & STATX_BTIME ?
	    (intmax_t)stx.stx_btime.tv_sec : 0, stx.stx_mask & STATX_BTIME ?
	    stx.stx_btime.tv_nsec : 0);
	return 0;
}


void
rjournal_release(struct rjournal *j)
{
	buf_release(&j->pending);
	buf_release(&j->last_path);
}

char *
journal_path(char *field, struct buf *last)
{
	char		*end, *suffix, *path;
	unsigned long	 shared;

	if (field[0] == '/') {			/* a whole path */
		shared = 0;
		suffix = field;
	} else {
		errno = 0;
		shared = strtoul(field, &end, 10);
		if (errno != 0 || end == field || *end != '|' || shared > last->len)
			return NULL;
		suffix = end + 1;
	}
	if ((suffix = journal_field(suffix)) == NULL)
		return NULL;
	path = xasprintf("%.*s%s", (int)shared, last->data ? last->data : "", suffix);
	free(suffix);
	buf_reset(last);
	buf_adds(last, path);
	return path;
}

char *
journal_field(char *s)
{
	struct cat_line	l;
	char		*line = xasprintf("x\t%s", s), *err = NULL, *out = NULL;

	if (cat_parse(line, &l, &err) == 0 && l.kind == CAT_LINE_FIELD)
		out = xstrdup(l.value);
	free(err);
	free(line);
	return out;
}

