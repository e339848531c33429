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

#include "smp-int.h"

static char *
folder_path(const struct smp_server *s, const char *folder)
{
	return folder[0] == '/' ? xstrdup(folder) : xasprintf("%s/%s", s->dir, folder);
}

/* Lock held: the folders' counts come from the database. */
int
smp_pick_folder(struct smp_server *s, char *why, size_t whylen)
{
	const struct smp_folder	*f;
	struct statvfs		 vfs;
	uint64_t		 freemb, best_free = 0, need;
	long			 n;
	size_t			 i;
	int			 best = -1;
	char			*path;

	snprintf(why, whylen, "no storage folder is configured");
	for (i = 0; i < s->conf.nfolders; i++) {
		f = &s->conf.folders[i];
		path = folder_path(s, f->path);
		if (statvfs(path, &vfs) == -1) {
			snprintf(why, whylen, "folder '%s': %s", f->path, strerror(errno));
			free(path);
			continue;
		}
		free(path);
		freemb = (uint64_t)vfs.f_bavail * vfs.f_frsize >> 20;
		need = f->min_free_pct ? ((uint64_t)vfs.f_blocks * vfs.f_frsize >> 20) *
		    (uint64_t)f->min_free_pct / 100 : f->min_free_mb;
		if ((n = db_folder_clients(s->db, s->conf.node, f->path)) < 0) {
			snprintf(why, whylen, "the database failed: %s", smp_db_error(s->db));
			continue;
		}
		if (n >= f->max_clients)
			snprintf(why, whylen, "folder '%s' holds %ld stores, its max_clients",
			    f->path, n);
		else if (freemb < need)
			snprintf(why, whylen, "folder '%s' has %llu MB free, below its "
			    "min_free of %llu MB", f->path, (unsigned long long)freemb,
			    (unsigned long long)need);
		else if (best == -1 || freemb > best_free) {
			best = (int)i;
			best_free = freemb;
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

char *
smp_store_path(const char *dir, const char *folder, const char *id, int partial)
{
	return folder[0] == '/' ? xasprintf("%s/%s.tsistore%s", folder, id, partial ?
	    ".partial" : "") : xasprintf("%s/%s/%s.tsistore%s", dir, folder, id,
	    partial ? ".partial" : "");
}
