/*
 * restore-int.h - the safe writer shared by restore (restore.c) and
 * extract (store-read.c): entries are written beneath a folder without
 * following any symlink, through a temporary name, and renamed into place
 * by the collision rule; every change can be journaled for undo.
 */
#ifndef TSI_RESTORE_INT_H
#define TSI_RESTORE_INT_H

#include <sys/stat.h>
#include <time.h>

#include "../lib/strmap.h"
#include "ustore.h"

/*
 * The restore journal: records that must precede what they describe (C a
 * file about to be renamed into place, R one about to be moved aside, D a
 * folder made) are written at once, with whatever is pending; E (an entry
 * done) waits for the next write.  A write(2) survives a kill; fdatasync
 * runs at most every JOURNAL_SYNC_S seconds and at the end, and what a
 * power cut takes is found again by content on the next run.
 */
#define JOURNAL_SYNC_S	2.0

struct rjournal {
	int		 fd;
	struct buf	 pending;
	double		 last_sync;
	int		 failed;
	struct buf	 last_path;	/* the last path written, for the next */
};

void	rjournal_flush(struct rjournal *, int sync);
void	rjournal_release(struct rjournal *);
/* A journal line's field, unescaped (the catalog's escapes; caller frees),
 * or NULL when it is damaged. */
char	*journal_field(char *);
/*
 * A path field: written as "N|SUFFIX" when it shares N bytes (16 or more)
 * with the path before it in the journal, so that many folders with long
 * names cost their names, not their paths, again and again; read back,
 * in the journal's order, with last holding the path before (updated).
 * The path (caller frees), or NULL when the field is damaged.
 */
char	*journal_path(char *field, struct buf *last);

struct placer {
	enum overwrite_mode	 overwrite;
	const struct state_log	*log;
	struct state_counts	*counts;
	int			 verbose;
	struct rjournal		*journal;	/* NULL: no journal (extract) */
	int			 saved_fd;	/* where replaced files go, or -1 */
	int			 skel_fd;	/* ROOT/etc/skel, or -1 */
	uint64_t		*saved_seq;	/* one counter per store */
	char			 tmp_tag[24];	/* ".tsi-restore-ID8-" */
	int			 owners;	/* apply owners (restore as root) */
	const char		*mu_from, *mu_to;	/* /mu of this user: ACL names */
	/* this computer's names, for ACL entries (NULL: extract, no ACLs) */
	const struct mig_ids	*pw, *gr;
	mode_t			 umask;		/* the process's, at the start */
	uint8_t			*io;
	/* the folder of the last entry, kept open */
	char			*dir_rel;
	int			 dir_fd;
	int			 base_fd;
	const char		*base_path;	/* for messages and the journal */
	const char		*entry_prefix;	/* "USER/" that store paths have */
	char			*fatal;		/* disk full and the like */
	/* the folders made here that the walk is still in (place-times.c) */
	struct placer_open_dir {
		size_t		 len;		/* of its path in open_path */
		struct timespec	 mtime;
	}			*open_dirs;
	size_t			 nopen_dirs, open_dirs_alloc;
	struct buf		 open_path;
	/* the folders open_parent() made for the entry: rel's first
	 * made_len bytes are the first of them (0: none made) */
	size_t			 made_len;
	/* hard-linked sets: the store paths other names link to (restore.c
	 * reads them from the catalog), and where this restore put each one's
	 * inode, relative to its user's home ("" where it did not: the names
	 * linking to it are not restored); shared by the users' placers */
	const struct strmap	*leaders;
	struct strmap		*placed;
	const struct strmap	*placed_before;	/* by earlier runs: absolute paths */
	int			 track;		/* place() records placed_at */
	char			*placed_at;
	char			**kept;		/* temporaries kept for links */
	size_t			 nkept;
};

void	placer_init(struct placer *, int base_fd, const char *base_path);
/* place-dirs.c: the walk comes to rel (the folders it left get their
 * times); a folder made here; the end of the walk; the memory. */
void	placer_times_enter(struct placer *, const char *rel);
void	placer_times_push(struct placer *, const char *rel, const struct timespec *);
void	placer_times_finish(struct placer *);
void	placer_times_release(struct placer *);
/* Removes the empty folders made on rel's path for it (p->made_len). */
void	placer_unmake(struct placer *, const char *rel);
/* Sets the times of the folders the placer made (after their files). */
void	placer_finish(struct placer *);
void	placer_release(struct placer *);
/* Writes the archive entry ae (its data read from a) as rel beneath the
 * base, owned by uid:gid when owners is on.  Returns 0 (done, skipped or
 * a finding) or -1 when the work must stop (p->fatal says why). */
int	placer_entry(struct placer *, const char *rel, struct archive *a,
	    struct archive_entry *ae, long uid, long gid, uint64_t index);
/* place-data.c: the entry's data into tmp (in dfd), then its metadata:
 * 0, 1 after a finding (not restored), -1 when the work must stop. */
int	placer_write_data(struct placer *, int dfd, const char *tmp, const char *rel,
	    struct archive *, struct archive_entry *, long uid, long gid);
/* Records a fatal write error (the disk is full ...) for rel; -1. */
int	placer_fatal_io(struct placer *, int err, const char *rel);
/* place-meta.c: owner (when owners is on), mode, user xattrs, ACLs and,
 * for files, times of ae on fd; folder: setgid and sticky are kept. */
void	placer_meta(struct placer *, int fd, const char *rel,
	    struct archive_entry *ae, long uid, long gid, int folder);
/* A hard-link store's file: linked into place instead of copied. */
int	placer_link(struct placer *, const char *rel, int src_dir, const char *src,
	    const struct stat *, struct archive_entry *, long uid, long gid,
	    uint64_t index);
/* A file whose inode another user's placer restored (from, at from_rel):
 * linked into place as rel; 1 when it cannot be (another file system:
 * the caller writes the entry's data instead). */
int	placer_link_from(struct placer *, const char *rel, struct placer *from,
	    const char *from_rel, struct archive_entry *, uint64_t index);
/* A folder that was already here keeps its metadata: a finding says how
 * the source's differed (mode, ACLs, user attributes), if it did. */
void	placer_folder_kept(struct placer *, int fd, const char *rel,
	    struct archive_entry *);
/* A copy of the store's file src (in src_dir), 0600, owned as given: for
 * what must not share an inode with the store (a crontab). */
int	placer_copy(struct placer *, const char *rel, int src_dir, const char *src,
	    long uid, long gid, uint64_t index);
/* The ACLs of ae (a folder's default ACL too), names mapped here. */
void	placer_acls(struct placer *, int fd, const char *rel, struct archive_entry *,
	    int folder);
void	placer_finding(struct placer *, const char *rel, const char *, ...)
	    PRINTF_LIKE(3, 4);
/* Journals one record ("C\tPATH" ...); paths are the base's. */
void	placer_journal(struct placer *, const char *kind, const char *rel,
	    const char *extra);
/* What tells a file apart from one that later took its name: device,
 * inode and birth time, as text for the journal. */
int	file_identity(int dfd, const char *name, char *out, size_t len);
/* Whether rel is a safe relative path: no "", ".", ".." or leading "/". */
int	rel_is_safe(const char *rel);

#endif
