/*
 * restorer.h - shared by restore.c (the run: journal, progress, the two
 * kinds of store) and restore-users.c (who is restored, and as whom).
 */
#ifndef TSI_RESTORER_H
#define TSI_RESTORER_H

#include "restore-int.h"
#include "migrate.h"

struct ruser {			/* a user of the store, on this computer */
	const char	*name;		/* in the store */
	const char	*dest;		/* here, after /mu */
	int		 selected, ready;
	long		 uid, gid;
	char		*home;		/* host path */
	char		*prefix;	/* "NAME/" */
	int		 home_fd;
	int		 home_made;	/* by this restore: it takes the captured mode */
	struct timespec	 home_mtime;	/* set at the end, when home_made */
	struct placer	 placer;
};

struct restorer {
	const struct restore_opts	*o;
	struct usmt_opts		 uo;
	const struct state_log		*log;
	struct state_counts		*counts;
	struct ustore			 us;
	struct mig_users		 du;
	struct mig_ids			 dpw, dgr;	/* this computer's names */
	struct ruser			*users;
	size_t				 nusers;
	char				*state_dir;
	struct rjournal			 journal;
	int				 saved_fd;
	int				 skel_fd;	/* ROOT/etc/skel */
	uint64_t			 saved_seq;	/* highest in saved/ */
	uint8_t				*done;		/* bitmap of finished entries */
	size_t				 done_len;
	double				 started, last;
	int				 unlisted_said;
	char				*err;
	struct placer			 cron;		/* into CRONTAB_SPOOL */
	/* the hard-link store's entry being restored: its folder (the
	 * store's fd) and name, found without following symlinks */
	int				 hl_dir;
	const char			*hl_name;
	int				 cron_fd;	/* -1: not opened yet */
	/* hard-linked sets (encrypted stores): the store paths later names
	 * link to, where their inodes went, and the first names in one home
	 * of files that have a name in another (path -> that name) */
	struct strmap			 leaders, placed, also;
	struct strmap			 placed_before;	/* by an earlier run (P) */
};


void	rsay(struct restorer *, enum state_msg, int pct, const char *, ...)
	    PRINTF_LIKE(4, 5);
/* The folders above path (0755), as a package would make them. */
int	mkdir_parents(const char *path);
/* path (absolute, inside the root) as a path on this host (caller frees). */
char	*in_root(const char *root, const char *path);
/* Splits USER/REL; rel is NULL for the home itself (caller frees the user). */
char	*split_user(const char *path, const char **rel);
/* Decides, once per user of the store, whether and where it is restored:
 * the user here, with an open home and a placer; NULL: not restored. */
struct ruser *ruser_of(struct restorer *, const char *name);
/* The owner and group here of an entry of ru's home, by name. */
void	map_owner(struct restorer *, struct ruser *, const char *rel,
	    struct archive_entry *, long *uid, long *gid);
/* The home's own entry: the captured mode when this restore made it. */
void	restore_home(struct restorer *, struct ruser *, struct archive_entry *);
/* A file with a name in another user's home: linked to that inode; 1 when
 * it cannot be (the caller writes the data). */
int	link_across(struct restorer *, struct ruser *, const char *path,
	    const char *rel, struct archive_entry *, uint64_t index);

#endif
