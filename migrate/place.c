/*
 * place.c - writing restored entries safely; see restore-int.h.
 *
 * Beneath the base (a user's home), every path component is opened with
 * O_NOFOLLOW, so a symlink planted in a home cannot send a root-run
 * restore elsewhere.  Content goes to a temporary name first and is
 * renamed into place only when whole; what is there already is kept,
 * skipped or replaced by the collision rule, and a replaced file is moved
 * aside, not deleted, so that undo can put it back.
 */
#include "restore-int.h"
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/xattr.h>
#include <unistd.h>

#define IO_SIZE		(256 * 1024)
#define RENAME_TRIES	10000

void
placer_init(struct placer *p, int base_fd, const char *base_path)
{
	memset(p, 0, sizeof *p);
	p->umask = umask(022);		/* read it back: there is no getter */
	umask(p->umask);
	p->saved_fd = p->dir_fd = p->skel_fd = -1;
	p->base_fd = base_fd;
	p->base_path = base_path;
	p->io = xmalloc(IO_SIZE);
}

static void
drop_dir(struct placer *p)
{
	if (p->dir_fd != -1)
		close(p->dir_fd);
	p->dir_fd = -1;
	free(p->dir_rel);
	p->dir_rel = NULL;
}

static int	open_parent(struct placer *, const char *, const char **, long, long);

/* Removes the temporaries kept for the names of hard-linked sets; their
 * folders keep the times they had. */
static void
remove_kept(struct placer *p)
{
	const char	*name;
	struct stat	 st;
	size_t		 i;
	int		 dfd;

	for (i = 0; i < p->nkept; i++) {
		if ((dfd = open_parent(p, p->kept[i], &name, -1, -1)) != -1 &&
		    fstat(dfd, &st) == 0 && unlinkat(dfd, name, 0) == 0) {
			struct timespec ts[2] = { { 0, UTIME_OMIT }, st.st_mtim };

			futimens(dfd, ts);
		}
		free(p->kept[i]);
	}
	free(p->kept);
	p->kept = NULL;
	p->nkept = 0;
}

void
placer_finish(struct placer *p)
{
	placer_times_finish(p);
	/* temporaries kept for the names of hard-linked sets go last; their
	 * folders keep the times they have */
	remove_kept(p);
}

void
placer_release(struct placer *p)
{
	placer_times_release(p);
	remove_kept(p);		/* a restore that stopped: they go too */
	free(p->placed_at);
	p->placed_at = NULL;
	drop_dir(p);
	free(p->io);
	free(p->fatal);
	p->io = NULL;
	p->fatal = NULL;
}

static void
verbose(struct placer *p, const char *what, const char *rel)
{
	char	*esc;

	if (!p->verbose || p->log == NULL || p->log->fn == NULL)
		return;
	esc = cat_escape(rel);
	state_say(p->log, NULL, STATE_VERBOSE, -1, "%s %s/%s", what, p->base_path, esc);
	free(esc);
}

int
rel_is_safe(const char *rel)
{
	const char	*c = rel, *slash;
	size_t		 n, depth = 0;

	/* what capture takes (scan.c's limits), restore writes */
	if (*rel == '\0' || *rel == '/' || strlen(rel) > SCAN_PATH_MAX)
		return 0;
	for (;; depth++) {
		if (depth > SCAN_DEPTH_MAX)
			return 0;
		slash = strchr(c, '/');
		n = slash ? (size_t)(slash - c) : strlen(c);
		if (n == 0 || n > 255 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (slash == NULL)
			return 1;
		c = slash + 1;
	}
}

/*
 * The folder that holds rel, made as needed (0700, owned as given); -1
 * after a finding when a component is a symlink or a file.
 */
static int
open_parent(struct placer *p, const char *rel, const char **name, long uid, long gid)
{
	const char	*slash = strrchr(rel, '/');
	char		*dir, *c, *next;
	int		 fd, nfd;

	*name = slash ? slash + 1 : rel;
	p->made_len = 0;
	if (slash == NULL)
		return p->base_fd;
	dir = xstrndup(rel, (size_t)(slash - rel));
	if (p->dir_rel != NULL && strcmp(p->dir_rel, dir) == 0) {
		free(dir);
		return p->dir_fd;
	}
	/* below the folder held open (a deep tree, folder after folder): the
	 * walk starts there, not at the home */
	c = dir;
	fd = p->base_fd;
	if (p->dir_rel != NULL && strncmp(dir, p->dir_rel, strlen(p->dir_rel)) == 0 &&
	    dir[strlen(p->dir_rel)] == '/' && (nfd = fcntl(p->dir_fd, F_DUPFD_CLOEXEC,
	    0)) != -1) {
		c = dir + strlen(p->dir_rel) + 1;
		fd = nfd;
	}
	drop_dir(p);
	for (; c != NULL; c = next) {
		if ((next = strchr(c, '/')) != NULL)
			*next++ = '\0';
		nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd == -1 && errno == ENOENT) {
			char *made = xstrndup(rel, (size_t)(c + strlen(c) - dir));

			if (mkdirat(fd, c, 0700) == 0) {
				placer_journal(p, "D", made, NULL);
				if (p->made_len == 0)
					p->made_len = strlen(made);
			}
			free(made);
			nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd != -1 && p->owners && fchown(nfd, (uid_t)uid, (gid_t)gid) == -1)
				(void)0;	/* the owner is a finding of the file */
		}
		if (fd != p->base_fd)
			close(fd);
		if (nfd == -1) {
			int saved = errno;

			if (saved == ENOSPC && p->fatal == NULL)
				p->fatal = xstrdup("the disk is full");
			placer_finding(p, rel, "not restored: a folder on its path %s",
			    saved == ELOOP || saved == ENOTDIR ? "is a symlink or a file "
			    "on this computer (never followed)" : strerror(saved));
			free(dir);
			return -1;
		}
		fd = nfd;
	}
	free(dir);
	p->dir_rel = xstrndup(rel, (size_t)(slash - rel));
	p->dir_fd = fd;
	return fd;
}

/* Whether the files a (in adir) and b (in bdir) hold the same thing. */
static int
same_content_at(struct placer *p, int adir, const char *a, int bdir, const char *b)
{
	struct stat	sa, sb;
	char		la[4097], lb[4097];
	ssize_t		na, nb;
	int		fa, fb, same = 0;

	if (fstatat(adir, a, &sa, AT_SYMLINK_NOFOLLOW) == -1 ||
	    fstatat(bdir, b, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    (sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT) || sa.st_size != sb.st_size)
		return 0;
	if (S_ISLNK(sa.st_mode)) {
		na = readlinkat(adir, a, la, sizeof la);
		nb = readlinkat(bdir, b, lb, sizeof lb);
		return na >= 0 && na == nb && memcmp(la, lb, (size_t)na) == 0;
	}
	if (!S_ISREG(sa.st_mode))
		return 0;
	if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		return 1;
	/* O_NONBLOCK and a type check on the fds: a FIFO swapped in must not
	 * hang a root restore */
	fa = openat(adir, a, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	fb = openat(bdir, b, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fa != -1 && fb != -1 && fstat(fa, &sa) == 0 && fstat(fb, &sb) == 0 &&
	    S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode) && sa.st_size == sb.st_size)
		for (same = 1; same;) {
			size_t half = IO_SIZE / 2;

			na = read(fa, p->io, half);
			nb = na > 0 ? read(fb, p->io + half, (size_t)na) : 0;
			if (na <= 0)
				break;
			same = na == nb && memcmp(p->io, p->io + half, (size_t)na) == 0;
		}
	if (fa != -1)
		close(fa);
	if (fb != -1)
		close(fb);
	return same;
}

static int
same_content(struct placer *p, int dfd, const char *a, const char *b)
{
	return same_content_at(p, dfd, a, dfd, b);
}

/* Whether name (in dfd, restored as rel) is byte for byte the file the
 * distribution put there from its skeleton (ROOT/etc/skel/REL): not the
 * user's data. */
static int
is_skeleton(struct placer *p, int dfd, const char *name, const char *rel)
{
	const char	*sname;
	char		*dir, *c, *next;
	int		 fd, nfd, same;

	if (p->skel_fd == -1)
		return 0;
	sname = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	dir = xstrndup(rel, (size_t)(sname - rel));
	fd = dup(p->skel_fd);
	for (c = dir; fd != -1 && *c != '\0'; c = next) {
		next = strchr(c, '/');
		*next++ = '\0';
		nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
	}
	free(dir);
	if (fd == -1)
		return 0;
	same = same_content_at(p, dfd, name, fd, sname);
	close(fd);
	return same;
}

/* Moves what is at name aside into the saved folder, journaled first;
 * 1: it cannot be kept (another file system), so it must not be replaced. */
static int
save_aside(struct placer *p, int dfd, const char *name, const char *rel)
{
	char	seq[32];

	if (p->saved_fd == -1)
		return 0;
	/* the counter starts above every name in saved/ (open_records) */
	snprintf(seq, sizeof seq, "%" PRIu64, ++*p->saved_seq);
	placer_journal(p, "R", rel, seq);
	if (p->fatal != NULL)
		return -1;
	if (renameat2(dfd, name, p->saved_fd, seq, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EXDEV)
		return -1;
	placer_finding(p, rel, "not replaced: the restore records are on another "
	    "file system, so undo could not put it back");
	return 1;
}

/* "name (k).ext" as USMT names a restored file beside an existing one. */
static char *
renamed(const char *name, int k)
{
	const char	*dot = strrchr(name, '.');

	if (dot == NULL || dot == name)
		return xasprintf("%s (%d)", name, k);
	return xasprintf("%.*s (%d)%s", (int)(dot - name), name, k, dot);
}

/* rel's folder part joined with name: where a sibling of rel is. */
static char *
sibling(const char *rel, const char *name)
{
	const char	*slash = strrchr(rel, '/');

	return slash ? xasprintf("%.*s/%s", (int)(slash - rel), rel, name) :
	    xstrdup(name);
}

/* A restored inode that later names must share (a hard-linked set) was
 * not put at rel: where it is instead, a renamed or kept temporary name. */
static void
track(struct placer *p, const char *rel, const char *tmp, int kept)
{
	if (!p->track)
		return;
	free(p->placed_at);
	p->placed_at = tmp != NULL ? sibling(rel, tmp) : xstrdup(rel);
	if (kept) {
		p->kept = xreallocarray(p->kept, p->nkept + 1, sizeof *p->kept);
		p->kept[p->nkept++] = xstrdup(p->placed_at);
	}
}

/* Puts tmp (in dfd) in place as name by the collision rule. */
static int
place(struct placer *p, int dfd, const char *name, const char *tmp, const char *rel,
    time_t incoming_mtime)
{
	struct stat	 st;
	char		*cand, *crel, ino[80];
	const char	*slash;
	int		 k, skeleton;

	/* C records carry the inode, so undo removes only what the restore
	 * made, never a file that took its name later */
	if (file_identity(dfd, tmp, ino, sizeof ino) == -1)
		goto failed;
	/* the common case: nothing there; the record goes first */
	placer_journal(p, "C", rel, ino);
	if (p->fatal != NULL) {		/* no record, no change */
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) == 0) {
		track(p, rel, NULL, 0);
		p->counts->created++;
		verbose(p, "restored", rel);
		return 0;
	}
	if (errno != EEXIST || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		goto failed;
	placer_journal(p, "N", rel, NULL);	/* not created after all */
	if (same_content(p, dfd, name, tmp)) {
		/* the same bytes, but not the same file: the set's other names
		 * link to ours, kept until the end */
		if (p->track)
			track(p, rel, tmp, 1);
		else
			unlinkat(dfd, tmp, 0);
		p->counts->unchanged++;
		return 0;
	}
	/* the new computer's untouched .bashrc: the user's replaces it
	 * whatever the collision rule, saved for undo */
	skeleton = S_ISREG(st.st_mode) && is_skeleton(p, dfd, name, rel);
	switch (skeleton ? OVERWRITE_REPLACE : p->overwrite) {
	case OVERWRITE_NEWER:
		if (incoming_mtime <= st.st_mtime)
			goto skip;
		/* FALLTHROUGH */
	case OVERWRITE_REPLACE:
		if (S_ISDIR(st.st_mode)) {
			placer_finding(p, rel, "not restored: a folder is in the way");
			goto skip;
		}
		if ((k = save_aside(p, dfd, name, rel)) == 1)
			goto skip;
		if (k == -1 || renameat(dfd, tmp, dfd, name) == -1)
			goto failed;
		track(p, rel, NULL, 0);
		p->counts->replaced++;
		if (skeleton)
			state_say(p->log, NULL, STATE_INFO, -1, "%s/%s: replaced the "
			    "distribution's skeleton file (from /etc/skel, untouched) with "
			    "the user's; undo puts it back", p->base_path, rel);
		else
			verbose(p, "replaced", rel);
		return 0;
	case OVERWRITE_SKIP:
		goto skip;
	case OVERWRITE_RENAME:
		break;
	}
	slash = strrchr(rel, '/');
	for (k = 1; k < RENAME_TRIES; k++) {
		cand = renamed(name, k);
		crel = slash ? xasprintf("%.*s/%s", (int)(slash - rel), rel, cand) :
		    xstrdup(cand);
		if (fstatat(dfd, cand, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			placer_journal(p, "C", crel, ino);
			k = renameat2(dfd, tmp, dfd, cand, RENAME_NOREPLACE);
			if (k == 0)
				track(p, rel, cand, 0);
			free(cand);
			free(crel);
			if (k == -1)
				goto failed;
			p->counts->renamed++;
			verbose(p, "restored beside the existing file", rel);
			return 0;
		}
		/* our own earlier output (a resumed restore) is not renamed again */
		if (same_content(p, dfd, cand, tmp)) {
			if (p->track)
				track(p, rel, cand, 0);
			free(cand);
			free(crel);
			unlinkat(dfd, tmp, 0);
			p->counts->unchanged++;
			return 0;
		}
		free(cand);
		free(crel);
	}
	placer_finding(p, rel, "not restored: too many files named like it");
skip:
	if (p->track)	/* theirs stays; the set's other names link to ours */
		track(p, rel, tmp, 1);
	else
		unlinkat(dfd, tmp, 0);
	p->counts->skipped++;
	return 0;
failed:
	placer_finding(p, rel, "not restored: %s", strerror(errno));
	unlinkat(dfd, tmp, 0);
	return 0;
}

/* place(), recording where the inode went when rel leads a hard-linked
 * set (other names link to it). */
static int
place_tracked(struct placer *p, int dfd, const char *name, const char *tmp,
    const char *rel, time_t mtime, int may_lead)
{
	char	*path;
	int	 r;

	if (!may_lead || p->leaders == NULL || p->placed == NULL)
		return place(p, dfd, name, tmp, rel, mtime);
	path = xasprintf("%s%s", p->entry_prefix ? p->entry_prefix : "", rel);
	if (strmap_find(p->leaders, path) == NULL) {
		free(path);
		return place(p, dfd, name, tmp, rel, mtime);
	}
	p->track = 1;
	r = place(p, dfd, name, tmp, rel, mtime);
	p->track = 0;
	strmap_set(p->placed, path, p->placed_at ? p->placed_at : "");
	if (p->placed_at != NULL) {
		/* a later run (a resume) must know it too: never guess */
		char *esc = cat_escape(path);

		placer_journal(p, "P", p->placed_at, esc);
		free(esc);
	}
	free(p->placed_at);
	p->placed_at = NULL;
	free(path);
	return r;
}

int
placer_entry(struct placer *p, const char *rel, struct archive *a,
    struct archive_entry *ae, long uid, long gid, uint64_t index)
{
	const char	*name, *link;
	char		 tmp[64];
	int		 dfd, r;

	if (!rel_is_safe(rel)) {
		placer_finding(p, rel, "not restored: not a safe relative path");
		p->counts->skipped++;
		return 0;
	}
	placer_times_enter(p, rel);
	snprintf(tmp, sizeof tmp, "%s%" PRIu64, p->tmp_tag, index);
	if (p->leaders != NULL && p->placed != NULL && archive_entry_hardlink(ae) == NULL) {
		/* until it is in place, the set's other names have nothing to
		 * link to: a failure below leaves them unrestored, not linked to
		 * whatever has this name here */
		char *path = xasprintf("%s%s", p->entry_prefix ? p->entry_prefix : "", rel);

		if (strmap_find(p->leaders, path) != NULL)
			strmap_set(p->placed, path, "");
		free(path);
	}
	switch (archive_entry_hardlink(ae) ? AE_IFREG : archive_entry_filetype(ae)) {
	case AE_IFDIR:
		/* folders are made as files need them; an empty one is made here */
		if ((dfd = open_parent(p, rel, &name, uid, gid)) == -1)
			return p->fatal ? -1 : 0;
		if ((r = mkdirat(dfd, name, 0700)) == -1 && errno == EEXIST) {
			int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);

			if (fd != -1) {
				placer_folder_kept(p, fd, rel, ae);
				close(fd);
			}
		} else if (r == -1)
			placer_finding(p, rel, "folder not restored: %s", strerror(errno));
		else {
			struct timespec	mtime;
			int		fd;

			placer_journal(p, "D", rel, NULL);
			/* by fd: the name may be a symlink by now (the home's owner
			 * can rename entries of the home) */
			fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
			if (fd == -1) {
				placer_finding(p, rel, "folder changed while restored: %s",
				    strerror(errno));
				return 0;
			}
			placer_meta(p, fd, rel, ae, uid, gid, 1);
			close(fd);
			/* its time once its files are in (they change it) */
			mtime.tv_sec = archive_entry_mtime(ae);
			mtime.tv_nsec = archive_entry_mtime_nsec(ae);
			placer_times_push(p, rel, &mtime);
		}
		return 0;
	case AE_IFREG:
	case AE_IFLNK:
		break;
	default:
		placer_finding(p, rel, "not restored: FIFOs, sockets and devices are "
		    "not restored");
		p->counts->skipped++;
		return 0;
	}
	if ((dfd = open_parent(p, rel, &name, uid, gid)) == -1) {
		p->counts->skipped++;
		return p->fatal ? -1 : 0;
	}
	if ((link = archive_entry_hardlink(ae)) != NULL) {
		/* a later name of a hard-linked set: linked to the inode this
		 * restore made for the set, wherever the collision rule put it,
		 * never to a file of that name that was already here */
		const char *tname, *prefix = p->entry_prefix, *where = NULL;
		const struct strmap_slot *at = p->placed ? strmap_find(p->placed, link) : NULL;
		int tdfd;

		if (prefix == NULL || strncmp(link, prefix, strlen(prefix)) != 0) {
			placer_finding(p, rel, "not restored: a hard link to another "
			    "user's file (%s)", link);
			return 0;
		}
		if (at != NULL && (at->value == NULL || *at->value == '\0')) {
			placer_finding(p, rel, "not restored: a hard link to %s, which "
			    "was not restored", link + strlen(prefix));
			p->counts->skipped++;
			return 0;
		}
		/* not seen in this run: where an earlier run of it put the set */
		if (at == NULL) {
			const char *abs = p->placed_before ? strmap_get(p->placed_before,
			    link) : NULL;
			size_t bl = strlen(p->base_path);

			if (abs == NULL || strncmp(abs, p->base_path, bl) != 0 || abs[bl] != '/') {
				placer_finding(p, rel, "not restored: a hard link to %s, whose "
				    "place an earlier run did not record", link + strlen(prefix));
				p->counts->skipped++;
				return 0;
			}
			where = abs + bl + 1;
		} else
			where = at->value;
		if (!rel_is_safe(where)) {
			placer_finding(p, rel, "not restored: unsafe hard link target");
			return 0;
		}
		/* open_parent caches one folder: re-open the target's, then ours */
		if ((tdfd = open_parent(p, where, &tname, uid, gid)) == -1)
			return p->fatal ? -1 : 0;
		tdfd = dup(tdfd);
		if ((dfd = open_parent(p, rel, &name, uid, gid)) == -1) {
			close(tdfd);
			return p->fatal ? -1 : 0;
		}
		unlinkat(dfd, tmp, 0);
		r = linkat(tdfd, tname, dfd, tmp, 0);
		close(tdfd);
		if (r == -1) {
			placer_finding(p, rel, "hard link not restored: %s", strerror(errno));
			return 0;
		}
	} else if (archive_entry_filetype(ae) == AE_IFLNK) {
		unlinkat(dfd, tmp, 0);
		if (symlinkat(archive_entry_symlink(ae), dfd, tmp) == -1)
			return errno == ENOSPC ? placer_fatal_io(p, errno, rel) :
			    (placer_finding(p, rel, "not restored: %s", strerror(errno)), 0);
		if (p->owners && uid >= 0 && fchownat(dfd, tmp, (uid_t)uid, (gid_t)gid,
		    AT_SYMLINK_NOFOLLOW) == -1)
			placer_finding(p, rel, "owner not set: %s", strerror(errno));
		else {
			struct timespec ts[2] = { { archive_entry_mtime(ae),
			    archive_entry_mtime_nsec(ae) }, { archive_entry_mtime(ae),
			    archive_entry_mtime_nsec(ae) } };

			if (utimensat(dfd, tmp, ts, AT_SYMLINK_NOFOLLOW) == -1)
				placer_finding(p, rel, "symlink time not set: %s",
				    strerror(errno));
		}
	} else if ((r = placer_write_data(p, dfd, tmp, rel, a, ae, uid, gid)) != 0)
		return r == -1 ? -1 : 0;
	p->counts->files++;
	p->counts->bytes += (uint64_t)archive_entry_size(ae);
	return place_tracked(p, dfd, name, tmp, rel, archive_entry_mtime(ae), link == NULL);
}

int
placer_link(struct placer *p, const char *rel, int src_dir, const char *src,
    const struct stat *st, struct archive_entry *ae, long uid, long gid,
    uint64_t index)
{
	const char	*name;
	char		 tmp[64];
	int		 dfd;

	if (!rel_is_safe(rel) || (dfd = open_parent(p, rel, &name, -1, -1)) == -1) {
		p->counts->skipped++;
		return p->fatal ? -1 : 0;
	}
	snprintf(tmp, sizeof tmp, "%s%" PRIu64, p->tmp_tag, index);
	unlinkat(dfd, tmp, 0);
	if (linkat(src_dir, src, dfd, tmp, 0) == -1) {
		int saved = errno;

		placer_finding(p, rel, "not restored: %s", strerror(saved));
		placer_unmake(p, rel);	/* no folders are left for nothing */
		return saved == EXDEV || saved == ENOSPC ? placer_fatal_io(p, saved, rel) : 0;
	}
	/* the file is the one captured: its owner changes only where the
	 * names say so (a reinstalled system numbers its users anew); an
	 * unneeded chown would clear setgid bits and capabilities */
	if (p->owners && uid >= 0 && ((uid_t)uid != st->st_uid || (gid_t)gid != st->st_gid)) {
		if (fchownat(dfd, tmp, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) == -1)
			placer_finding(p, rel, "owner not set: %s", strerror(errno));
		else if (S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)))
			placer_finding(p, rel, "restored without its setuid/setgid bits "
			    "(the kernel clears them when the owner changes)");
	}
	/* ACL entries by name, for this computer's ids */
	if (ae != NULL && S_ISREG(st->st_mode) &&
	    archive_entry_acl_count(ae, ARCHIVE_ENTRY_ACL_TYPE_ACCESS) > 3) {
		int fd = openat(dfd, tmp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

		if (fd == -1)
			placer_finding(p, rel, "ACL not restored: %s", strerror(errno));
		else {
			placer_acls(p, fd, rel, ae, 0);
			close(fd);
		}
	}
	p->counts->files++;
	p->counts->bytes += S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	return place(p, dfd, name, tmp, rel, st->st_mtime);
}

int
placer_link_from(struct placer *p, const char *rel, struct placer *from,
    const char *from_rel, struct archive_entry *ae, uint64_t index)
{
	const char	*name, *fname;
	char		 tmp[64];
	int		 dfd, fdfd, r;

	if (!rel_is_safe(rel) || !rel_is_safe(from_rel) ||
	    (fdfd = open_parent(from, from_rel, &fname, -1, -1)) == -1)
		return 1;
	if ((dfd = open_parent(p, rel, &name, -1, -1)) == -1) {
		p->counts->skipped++;
		return p->fatal ? -1 : 0;
	}
	snprintf(tmp, sizeof tmp, "%s%" PRIu64, p->tmp_tag, index);
	unlinkat(dfd, tmp, 0);
	if ((r = linkat(fdfd, fname, dfd, tmp, 0)) == -1)
		return 1;	/* another file system (or a limit): a copy */
	p->counts->files++;
	p->counts->bytes += (uint64_t)archive_entry_size(ae);
	return place_tracked(p, dfd, name, tmp, rel, archive_entry_mtime(ae), 1);
}

int
placer_copy(struct placer *p, const char *rel, int src_dir, const char *src,
    long uid, long gid, uint64_t index)
{
	struct stat	 st;
	struct timespec	 ts[2];
	const char	*name;
	char		 tmp[64];
	ssize_t		 n;
	int		 dfd, in, out = -1, r = 0;

	if (!rel_is_safe(rel) || (dfd = open_parent(p, rel, &name, -1, -1)) == -1) {
		p->counts->skipped++;
		return p->fatal ? -1 : 0;
	}
	in = openat(src_dir, src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in == -1 || fstat(in, &st) == -1 || !S_ISREG(st.st_mode)) {
		placer_finding(p, rel, "not restored: not a file in the store");
		if (in != -1)
			close(in);
		return 0;
	}
	snprintf(tmp, sizeof tmp, "%s%" PRIu64, p->tmp_tag, index);
	unlinkat(dfd, tmp, 0);
	if ((out = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1)
		r = errno;
	while (r == 0 && (n = read(in, p->io, IO_SIZE)) != 0) {
		if (n < 0 || write(out, p->io, (size_t)n) != n)
			r = n < 0 ? errno : errno ? errno : EIO;
	}
	close(in);
	if (r != 0) {
		if (out != -1) {
			close(out);
			unlinkat(dfd, tmp, 0);
		}
		return r == ENOSPC ? placer_fatal_io(p, r, rel) :
		    (placer_finding(p, rel, "not restored: %s", strerror(r)), 0);
	}
	if (p->owners && uid >= 0 && fchown(out, (uid_t)uid, (gid_t)gid) == -1)
		placer_finding(p, rel, "owner not set: %s", strerror(errno));
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	futimens(out, ts);
	close(out);
	p->counts->files++;
	p->counts->bytes += (uint64_t)st.st_size;
	return place_tracked(p, dfd, name, tmp, rel, st.st_mtime, 0);
}
