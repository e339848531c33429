/*
 * capacity.c - the storage folders: where a new capture goes (their
 * limits, max_clients and min_free), whether an upload piece still fits
 * (a floor no piece may cross), and where a store's file lies in them.
 */
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "smp-int.h"

static char *
folder_path(const struct smp_server *s, const char *folder)
{
	return folder[0] == '/' ? xstrdup(folder) : xasprintf("%s/%s", s->dir, folder);
}

/* Lock held: the folder's count comes from the database. */
int
smp_folder_stat(struct smp_server *s, size_t i, struct smp_folder_stat *st)
{
	const struct smp_folder	*f = &s->conf.folders[i];
	struct statvfs		 vfs;
	char			*path = folder_path(s, f->path);
	int			 r = statvfs(path, &vfs);

	memset(st, 0, sizeof *st);
	free(path);
	st->max_clients = f->max_clients;
	if (r == -1) {
		snprintf(st->why, sizeof st->why, "folder '%s': %s", f->path, strerror(errno));
		return -1;
	}
	st->free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	st->free_mb = st->free_bytes >> 20;
	st->total_mb = (uint64_t)vfs.f_blocks * vfs.f_frsize >> 20;
	st->need_mb = f->min_free_pct ? st->total_mb * (uint64_t)f->min_free_pct / 100 :
	    f->min_free_mb;
	if ((st->clients = db_folder_clients(s->db, s->conf.node, f->path)) < 0) {
		snprintf(st->why, sizeof st->why, "the database failed: %s",
		    smp_db_error(s->db));
		return -1;
	}
	if (st->clients >= f->max_clients)
		snprintf(st->why, sizeof st->why, "folder '%s' holds %ld stores, its "
		    "max_clients", f->path, st->clients);
	else if (st->free_mb < st->need_mb)
		snprintf(st->why, sizeof st->why, "folder '%s' has %llu MB free, below its "
		    "min_free of %llu MB", f->path, (unsigned long long)st->free_mb,
		    (unsigned long long)st->need_mb);
	else
		st->takes = 1;
	return 0;
}

/* Lock held. */
int
smp_pick_folder(struct smp_server *s, char *why, size_t whylen)
{
	struct smp_folder_stat	st;
	uint64_t		best_free = 0;
	size_t			i;
	int			best = -1;

	snprintf(why, whylen, "no storage folder is configured");
	for (i = 0; i < s->conf.nfolders; i++) {
		smp_folder_stat(s, i, &st);
		if (!st.takes)
			snprintf(why, whylen, "%s", st.why);
		else if (best == -1 || st.free_mb > best_free) {
			best = (int)i;
			best_free = st.free_mb;
		}
	}
	return best;
}

int
smp_folder_room(struct smp_server *s, const char *folder, uint64_t bytes)
{
	struct statvfs	 vfs;
	char		*path = folder_path(s, folder);
	int		 r = statvfs(path, &vfs);

	free(path);
	if (r == -1)
		return 0;	/* the write will say */
	return (uint64_t)vfs.f_bavail * vfs.f_frsize < bytes + ((uint64_t)SMP_FLOOR_MB << 20) ?
	    -1 : 0;
}

int
smp_store_files_remove(const char *dir, const char *folder, const char *id)
{
	char	*path;
	int	 k;

	/* store ids are the server's own hex; anything else is not a path to
	 * delete */
	if (folder == NULL || id == NULL || strstr(folder, "..") != NULL ||
	    strspn(id, "0123456789abcdef") != strlen(id) || *id == '\0')
		return 0;
	path = smp_store_path(dir, folder, id, 0);
	k = unlink(path) == 0;
	free(path);
	path = smp_store_path(dir, folder, id, 1);	/* an unfinished upload */
	k |= unlink(path) == 0;
	free(path);
	return k;
}

char *
smp_store_path(const char *dir, const char *folder, const char *id, int partial)
{
	return folder[0] == '/' ? xasprintf("%s/%s.tsistore%s", folder, id, partial ?
	    ".partial" : "") : xasprintf("%s/%s/%s.tsistore%s", dir, folder, id,
	    partial ? ".partial" : "");
}
