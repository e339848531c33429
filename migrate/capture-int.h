/*
 * capture-int.h - shared by capture.c and the two kinds of store it
 * writes: capture-archive.c (encrypted) and capture-hardlink.c.
 */
#ifndef TSI_CAPTURE_INT_H
#define TSI_CAPTURE_INT_H

#include <stdio.h>
#include <sys/stat.h>

#include <archive_entry.h>

#include "../store/catalog.h"
#include "migrate.h"
#include "state.h"

struct capture;

/* A kind of store: open it, add folders, files and symlinks, finish. */
struct capture_sink {
	int	(*open)(struct capture *, const struct buf *catalog_header);
	/* the folder levels[level] above (or at the end of) e */
	int	(*folder)(struct capture *, struct scan_entry *e, int level,
		    const char *path);
	int	(*file)(struct capture *, struct scan_entry *, const char *path);
	int	(*symlink)(struct capture *, struct scan_entry *, const char *path);
	int	(*finish)(struct capture *);
	void	(*abort)(struct capture *);
};

struct capture {
	const struct capture_opts	*o;
	const struct state_log		*log;
	struct state_counts		*counts;
	const struct capture_sink	*sink;
	const struct mig_user		*user;		/* being captured */
	int				 verbose, continue_on_error;
	char				*err;		/* the first fatal error */
	double				 started, last_progress;
	void				*store;		/* the sink's */
	FILE				*listfiles;	/* ScanState /listfiles */
	struct mig_ids			 pw, gr;	/* the root's names */
	struct leftout			*leftout;	/* of the user being captured */
	int				 selinux_said;
};

extern const struct capture_sink archive_sink, hardlink_sink;

void	cap_say(struct capture *, enum state_msg, const char *, ...)
	    PRINTF_LIKE(3, 4);
/* -1 when the finding ends the capture (fatal and no /c), else 0. */
int	cap_finding(struct capture *, int fatal_without_c, const char *rel,
	    const char *, ...) PRINTF_LIKE(4, 5);
/* Whether the capture must stop (a signal, or an error); sets c->err. */
int	cap_stopping(struct capture *);
/* Reads fd's user xattrs and POSIX ACLs into ae, and says (findings)
 * what does not travel: file flags, security.* and trusted.* attributes.
 * -1 when a finding ends the capture. */
int	cap_read_meta(struct capture *, int fd, const char *rel,
	    struct archive_entry *ae);
/* Only the ACLs, without a word on anything else (a hard-link store's
 * file keeps its inode: only ACL names need to travel). */
int	cap_read_acls(struct capture *, int fd, const char *rel,
	    struct archive_entry *ae);
/* A catalog entry from a stat, for both kinds of store. */
void	cap_entry_from_stat(struct cat_entry *, char type, const struct stat *,
	    const char *path, const char *link);

#endif
