/*
 * capture-hardlink.c - the hard-link store for a same-machine refresh:
 * STORE/data/USER/... are hard links to the users' files (no data is
 * copied), STORE/catalog lists them.  It is built as STORE.partial and
 * renamed into place when whole.  Like USMT's, it is not encrypted: the
 * files keep their own owners and modes, and the store's folders are 0700.
 */
#include "capture-int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../store/store.h"

struct hl {
	char		*tmp;
	int		 data_fd;
	FILE		*cat;
	struct buf	 line;
	uint64_t	 entries;
};

static int
hl_fail(struct capture *c, const char *what, const char *path)
{
	if (c->err == NULL)
		c->err = errno == EXDEV ? xasprintf("a hard-link store must be on the same "
		    "file system as the homes; '%s' is not (use an encrypted store)",
		    c->o->store) : errno == ENOSPC ? xasprintf("the disk is full: "
		    "cannot write the store '%s'", c->o->store) :
		    xasprintf("cannot %s '%s' in the store: %s", what, path,
		    strerror(errno));
	return -1;
}

static int
hl_open(struct capture *c, const struct buf *header)
{
	struct hl	*s = xcalloc(1, sizeof *s);
	struct stat	 st;
	uint8_t		 id[16];
	char		 idhex[33], *p;

	c->store = s;
	s->data_fd = -1;
	buf_init(&s->line, 0);
	if (lstat(c->o->store, &st) == 0 && (!S_ISDIR(st.st_mode) || !c->o->overwrite)) {
		c->err = xasprintf("the store '%s' exists; it is replaced only with /o",
		    c->o->store);
		return -1;
	}
	s->tmp = xasprintf("%s.partial", c->o->store);
	if (remove_tree(s->tmp) == -1 || mkdir(s->tmp, 0700) == -1)
		return hl_fail(c, "create", s->tmp);
	p = xasprintf("%s/%s", s->tmp, HARDLINK_DATA);
	if (mkdir(p, 0700) == -1 || (s->data_fd = open(p, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		hl_fail(c, "create", p);
		free(p);
		return -1;
	}
	free(p);
	p = xasprintf("%s/%s.partial", s->tmp, HARDLINK_CATALOG);
	s->cat = fopen(p, "wex");
	free(p);
	if (s->cat == NULL)
		return hl_fail(c, "create", "catalog");
	if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id)
		return hl_fail(c, "make an id for", "catalog");
	hex_encode(id, sizeof id, idhex);
	fwrite(header->data, 1, header->len, s->cat);
	fprintf(s->cat, "id\t%s\nkind\thardlink\n", idhex);
	return 0;
}

static int
hl_catalog(struct capture *c, struct cat_entry *ce)
{
	struct hl	*s = c->store;

	ce->uname = ids_name(&c->pw, (unsigned long)ce->uid);
	ce->gname = ids_name(&c->gr, (unsigned long)ce->gid);
	s->line.len = 0;
	cat_add_entry(&s->line, ce);
	s->entries++;
	if (fwrite(s->line.data, 1, s->line.len, s->cat) != s->line.len)
		return hl_fail(c, "write", "catalog");
	return 0;
}

/* The ACLs (and a folder's user xattrs) as catalog text: the store's
 * folders are made anew at restore, and ACL entries name users that a
 * reinstalled system may number differently. */
static char *
hl_meta(struct capture *c, int fd, const char *rel, int folder, int *fatal)
{
	struct archive_entry	*ae = archive_entry_new();
	struct buf		 dropped = BUF_INIT;
	char			*text = NULL;

	*fatal = (folder ? cap_read_meta(c, fd, rel, ae) : cap_read_acls(c, fd, rel,
	    ae)) == -1;
	if (!*fatal) {
		buf_adds(&dropped, "");
		text = entry_meta_text(ae, &dropped);
		if (dropped.len > 0)
			*fatal = cap_finding(c, 0, rel, "not captured in the hard-link "
			    "store's catalog: %s", dropped.data) == -1;
	}
	buf_release(&dropped);
	archive_entry_free(ae);
	return text;
}

static int
hl_folder(struct capture *c, struct scan_entry *e, int level, const char *path)
{
	const struct stat	*st = &e->levels[level].st;
	struct cat_entry	 ce;
	char			*rel = xstrndup(e->rel, e->levels[level].rel_len), *meta = NULL;
	int			 fd, fatal = 0, r;

	struct stat		 made;

	/* a name the store has already (a folder seen twice in a listing
	 * that changed) must be a folder: never a symlink to go through */
	if (mkdirat(((struct hl *)c->store)->data_fd, path, 0700) == -1 && errno != EEXIST) {
		free(rel);
		return hl_fail(c, "create", path);
	}
	if (fstatat(((struct hl *)c->store)->data_fd, path, &made, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISDIR(made.st_mode)) {
		/* the files below would be linked through it: no store */
		if (c->err == NULL)
			c->err = xasprintf("~%s/%s changed from a symlink into a folder "
			    "while the capture ran; no store was made", c->user->name, rel);
		free(rel);
		return -1;
	}
	if ((fd = scan_level_open(e, level)) == -1)
		fatal = cap_finding(c, 0, rel, "the folder's attributes and ACLs not "
		    "captured: %s", strerror(errno)) == -1;
	else {
		meta = hl_meta(c, fd, rel, 1, &fatal);
		close(fd);
	}
	cap_entry_from_stat(&ce, 'd', st, path, NULL);
	ce.meta = meta;
	r = fatal ? -1 : hl_catalog(c, &ce);
	free(meta);
	free(rel);
	return r;
}

/* Whether the store's file path has an access ACL: looked at through
 * /proc/self/fd (no open and close of every file); 1 where that cannot
 * tell (no /proc), so that the file is opened and read. */
static int
has_acl(struct hl *s, const char *path)
{
	char	proc[64 + PATH_MAX];

	if ((size_t)snprintf(proc, sizeof proc, "/proc/self/fd/%d/%s", s->data_fd, path) >=
	    sizeof proc)
		return 1;
	if (lgetxattr(proc, "system.posix_acl_access", NULL, 0) >= 0)
		return 1;
	return errno != ENODATA && errno != ENOTSUP;
}

/* A small file outside the homes (a crontab) copied into the store. */
static int
hl_copy(struct capture *c, struct scan_entry *e, const char *path)
{
	struct hl		*s = c->store;
	struct cat_entry	 ce;
	struct timespec		 ts[2];
	char			 buf[65536];
	ssize_t			 n;
	int			 in, out, r = 0;

	(void)mkdirat(s->data_fd, "::crontab", 0700);
	in = openat(e->dfd, e->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	out = openat(s->data_fd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	while (in != -1 && out != -1 && r == 0 && (n = read(in, buf, sizeof buf)) != 0)
		if (n < 0 || write(out, buf, (size_t)n) != n)
			r = -1;
	if (in == -1 || out == -1 || r == -1) {
		r = cap_finding(c, 1, e->rel, "cannot copy: %s", strerror(errno));
		if (in != -1)
			close(in);
		if (out != -1)
			close(out);
		return r;
	}
	ts[0] = e->st->st_atim;
	ts[1] = e->st->st_mtim;
	futimens(out, ts);
	close(in);
	close(out);
	cap_entry_from_stat(&ce, 'f', e->st, path, NULL);
	c->counts->files++;
	c->counts->bytes += ce.size;
	return hl_catalog(c, &ce);
}

static int
hl_file(struct capture *c, struct scan_entry *e, const char *path)
{
	struct hl		*s = c->store;
	struct cat_entry	 ce;
	char			*meta = NULL;
	int			 fd, fatal = 0, r;

	/* a crontab is copied: the spool is on another file system, often */
	if (strncmp(path, CRONTAB_PREFIX, strlen(CRONTAB_PREFIX)) == 0)
		return hl_copy(c, e, path);
	if (linkat(e->dfd, e->name, s->data_fd, path, 0) == -1) {
		if (errno == ENOENT)
			return cap_finding(c, 0, e->rel, "vanished while the capture ran");
		if (errno == EXDEV || errno == ENOSPC)
			return hl_fail(c, "link", path);
		return cap_finding(c, 1, e->rel, "cannot link: %s", strerror(errno));
	}
	/* most files have no ACL: one look, without opening the file */
	if (has_acl(s, path)) {
		/* by the store's name: the link is the file, whatever the home does */
		fd = openat(s->data_fd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		    O_NOATIME);
		if (fd == -1 && errno == EPERM)
			fd = openat(s->data_fd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			    O_CLOEXEC);
		if (fd != -1) {
			meta = hl_meta(c, fd, e->rel, 0, &fatal);
			close(fd);
		} else
			fatal = cap_finding(c, 0, e->rel, "its ACLs not captured: %s",
			    strerror(errno)) == -1;
	}
	cap_entry_from_stat(&ce, 'f', e->st, path, NULL);
	ce.meta = meta;
	c->counts->files++;
	c->counts->bytes += ce.size;
	r = fatal ? -1 : hl_catalog(c, &ce);
	free(meta);
	return r;
}

static int
hl_symlink(struct capture *c, struct scan_entry *e, const char *path)
{
	struct hl		*s = c->store;
	struct cat_entry	 ce;
	char			 target[PATH_MAX + 1];
	ssize_t			 n;

	if ((n = readlinkat(e->dfd, e->name, target, PATH_MAX)) == -1)
		return errno == ENOENT ? 0 : cap_finding(c, 1, e->rel, "cannot read the "
		    "symlink: %s", strerror(errno));
	target[n] = '\0';
	if (symlinkat(target, s->data_fd, path) == -1)
		return hl_fail(c, "create", path);
	{
		/* a symlink cannot be hard-linked from the home: the store's
		 * copy takes its owner and times, which restore then keeps */
		struct timespec ts[2] = { e->st->st_atim, e->st->st_mtim };

		if (geteuid() == 0)
			(void)fchownat(s->data_fd, path, e->st->st_uid, e->st->st_gid,
			    AT_SYMLINK_NOFOLLOW);
		if (utimensat(s->data_fd, path, ts, AT_SYMLINK_NOFOLLOW) == -1 &&
		    cap_finding(c, 0, e->rel, "the symlink's time not captured: %s",
		    strerror(errno)) == -1)
			return -1;
	}
	cap_entry_from_stat(&ce, 'l', e->st, path, target);
	c->counts->files++;
	return hl_catalog(c, &ce);
}

static void
hl_free(struct hl *s)
{
	if (s->cat != NULL)
		fclose(s->cat);
	if (s->data_fd != -1)
		close(s->data_fd);
	buf_release(&s->line);
	free(s->tmp);
	free(s);
}

static int
hl_finish(struct capture *c)
{
	struct hl	*s = c->store;
	char		*from, *to;
	int		 r;

	fprintf(s->cat, "end\t%llu\t%llu\n", (unsigned long long)s->entries,
	    (unsigned long long)c->counts->bytes);
	if (fflush(s->cat) != 0 || fsync(fileno(s->cat)) == -1)
		return hl_fail(c, "write", "catalog");
	if (cap_stopping(c))	/* a deadline that passed meanwhile: no store */
		return -1;
	from = xasprintf("%s/%s.partial", s->tmp, HARDLINK_CATALOG);
	to = xasprintf("%s/%s", s->tmp, HARDLINK_CATALOG);
	r = rename(from, to);
	free(from);
	free(to);
	if (r == -1 || (c->o->overwrite && remove_tree(c->o->store) == -1) ||
	    renameat2(AT_FDCWD, s->tmp, AT_FDCWD, c->o->store, RENAME_NOREPLACE) == -1)
		return hl_fail(c, "put in place", c->o->store);
	fsync_dir_of(c->o->store);
	hl_free(s);
	c->store = NULL;
	return 0;
}

static void
hl_abort(struct capture *c)
{
	struct hl	*s = c->store;

	if (s == NULL)
		return;
	if (s->tmp != NULL)
		remove_tree(s->tmp);
	hl_free(s);
	c->store = NULL;
}

const struct capture_sink hardlink_sink = {
	hl_open, hl_folder, hl_file, hl_symlink, hl_finish, hl_abort,
};
