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
		path = xasprintf("%s/%s", p->base_path, rel);
		esc = cat_escape(path);
		buf_addch(&j->pending, '\t');
		buf_adds(&j->pending, esc);
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

