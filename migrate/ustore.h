/*
 * ustore.h - reading either kind of store (state.h): its catalog line by
 * line, and its archive entry by entry from any entry's position.
 */
#ifndef TSI_USTORE_H
#define TSI_USTORE_H

#include <archive.h>
#include <archive_entry.h>

#include "../store/catalog.h"
#include "../store/container.h"
#include "state.h"

#define USTORE_USERS_MAX	4096

struct ustore {
	char			*path;
	int			 hardlink;
	char			 id[STORE_ID_HEX];
	/* encrypted */
	int			 fd;
	struct store_file	*sf;
	struct frame_reader	*cat_frames, *arc_frames;
	struct archive		*a;		/* reading arc_frames */
	/* hard-link */
	int			 data_fd;
	char			*dir_rel;	/* the folder ustore_data_dir opened last */
	int			 dir_fd;
	FILE			*cat_file;
	/* the catalog */
	struct buf		 line, pending;
	size_t			 pending_off;	/* pending's next line starts here */
	int			 cat_done;
	char			*source;
	struct cat_user		*users;
	char			**user_lines;	/* what users point into */
	size_t			 nusers;
	uint64_t		 entries, bytes;
	struct cat_line		 first;		/* the first entry, read ahead */
	int			 have_first;
};

/* Opens a store and reads its catalog's header (users); id NULL: keyless. */
int	ustore_open(struct ustore *, const char *path, const struct identity *, char **err);
/* An encrypted store read through in (an SMP); name is for messages. */
int	ustore_open_in(struct ustore *, const char *name, const struct store_in *,
	    const struct identity *, char **err);
void	ustore_close(struct ustore *);
/* The next catalog entry: 1, 0 at the end, -1 with *err. */
int	ustore_next(struct ustore *, struct cat_line *, char **err);
/* Positions the archive at an entry (encrypted stores); -1 with *err. */
int	ustore_seek(struct ustore *, uint64_t frame, uint32_t off, char **err);
/* A hard-link store's entry: the folder holding it, opened beneath data/
 * without following any symlink (the store holds the users' symlinks), and
 * its last component in *name; the fd is the store's (do not close).  -1
 * with errno. */
int	ustore_data_dir(struct ustore *, const char *path, const char **name);
const struct cat_user *ustore_user(const struct ustore *, const char *name);
/* An archive entry's name as the catalog writes it: tar ends folders with
 * '/', the catalog does not; "" for an entry without a name (caller frees). */
char	*ustore_entry_name(struct archive_entry *);

#endif
