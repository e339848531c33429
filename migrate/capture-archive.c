/*
 * capture-archive.c - the encrypted store: every file goes into a pax
 * archive (libarchive: modes, owners by name and id, times, xattrs,
 * symlinks, hard links, sparse files) and a catalog line with its
 * SHA-256; both travel in zstd frames through the store's encryption into
 * STORE.partial, which becomes STORE only once it is whole and on disk.
 */
#include "capture-int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include "../store/fastcrypto.h"

#include "../lib/strmap.h"
#include "../store/container.h"

#define IO_SIZE			(256 * 1024)
#define CATALOG_FLUSH		(64 * 1024)
#define WRITEBACK_EVERY		(8u * 1024 * 1024)

struct arch {
	int				 fd;
	char				*tmp;
	uint64_t			 written, synced;
	int				 write_errno;
	struct store_writer		*sw;
	struct frame_writer		*fw;
	struct archive			*a, *disk, *sparse_disk;
	struct archive_entry_linkresolver *lr;
	const struct mig_user		*lr_user;	/* lr's sets are this user's */
	struct strmap			 seen;		/* "dev:ino" of a hard-linked
							 * file: its first USER/REL */
	struct buf			 cat;
	uint8_t				*io;
	uint64_t			 entries;
	char				*fw_err;
};

/* The store's bytes go to STORE.partial; writeback starts early so that
 * the final fdatasync has little left to do. */
static int
sink_fd(void *ctx, const void *p, size_t n)
{
	struct arch	*s = ctx;
	ssize_t		 k;

	while (n > 0) {
		if ((k = write(s->fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			s->write_errno = errno;
			return -1;
		}
		p = (const uint8_t *)p + k;
		n -= (size_t)k;
		s->written += (uint64_t)k;
	}
	if (s->written - s->synced >= WRITEBACK_EVERY) {
		sync_file_range(s->fd, (off64_t)s->synced, (off64_t)(s->written - s->synced),
		    SYNC_FILE_RANGE_WRITE);
		s->synced = s->written;
	}
	return 0;
}

static la_ssize_t
archive_out(struct archive *a, void *ctx, const void *p, size_t n)
{
	struct arch	*s = ctx;
	char		*err = NULL;

	if (frame_writer_add(s->fw, FRAME_ARCHIVE, p, n, &err) == -1) {
		archive_set_error(a, EIO, "%s", err);
		free(s->fw_err);	/* libarchive may write again after a failure */
		s->fw_err = err;
		return -1;
	}
	return (la_ssize_t)n;
}

static int
fail_write(struct capture *c, const char *what)
{
	struct arch	*s = c->store;

	if (c->err != NULL)
		return -1;
	if (c->o->out != NULL && c->o->out->error(c->o->out->ctx) != NULL)
		c->err = xasprintf("cannot write the store '%s': %s", c->o->store,
		    c->o->out->error(c->o->out->ctx));
	else if (s->write_errno == ENOSPC)
		c->err = xasprintf("the disk is full: cannot write the store '%s'",
		    c->o->store);
	else if (s->write_errno != 0)
		c->err = xasprintf("cannot write the store '%s': %s", c->o->store,
		    strerror(s->write_errno));
	else
		c->err = xasprintf("cannot write the store '%s': %s", c->o->store, what);
	return -1;
}

static int
flush_catalog(struct capture *c, int force)
{
	struct arch	*s = c->store;
	char		*e = NULL;

	if (s->cat.len == 0 || (!force && s->cat.len < CATALOG_FLUSH))
		return 0;
	if (frame_writer_add(s->fw, FRAME_CATALOG, s->cat.data, s->cat.len, &e) == -1) {
		fail_write(c, e);
		free(e);
		return -1;
	}
	s->cat.len = 0;
	return 0;
}

static int
arch_open(struct capture *c, const struct buf *header)
{
	struct arch	*s = xcalloc(1, sizeof *s);
	struct stat	 st;
	char		*e = NULL;

	c->store = s;
	s->fd = -1;
	buf_init(&s->cat, 0);
	if (c->o->out != NULL) {
		if (store_writer_open(&s->sw, c->o->out->write, c->o->out->ctx, c->o->rcpt,
		    c->o->nrcpt, 0, &e) == -1)
			goto writer_failed;
		goto started;
	}
	if (lstat(c->o->store, &st) == 0 && (S_ISDIR(st.st_mode) || !c->o->overwrite)) {
		c->err = xasprintf("the store '%s' exists; it is replaced only with /o "
		    "(and never when it is a folder)", c->o->store);
		return -1;
	}
	s->tmp = xasprintf("%s.partial", c->o->store);
	/* made here, never opened: a STORE.partial somebody put in a shared
	 * folder is not written into; one a killed capture left (ours: a file
	 * of this user with one name) is replaced */
	s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->fd == -1 && errno == EEXIST && lstat(s->tmp, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && st.st_nlink == 1 && unlink(s->tmp) == 0)
		s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->fd == -1) {
		c->err = xasprintf("cannot create '%s': %s", s->tmp, strerror(errno));
		return -1;
	}
	if (store_writer_open(&s->sw, sink_fd, s, c->o->rcpt, c->o->nrcpt, 0, &e) == -1) {
writer_failed:
		fail_write(c, e);
		free(e);
		return -1;
	}
started:
	s->fw = frame_writer_new(s->sw, !c->o->nocompress, 0);
	buf_add(&s->cat, header->data, header->len);
	s->io = xmalloc(IO_SIZE);
	s->a = archive_write_new();
	/* extended attributes, ACLs and file flags are read by cap_read_meta
	 * (capture-meta.c); holes are looked for only in files with fewer
	 * blocks than their size (sparse_disk) */
	s->disk = archive_read_disk_new();
	archive_read_disk_set_behavior(s->disk, ARCHIVE_READDISK_NO_ACL |
	    ARCHIVE_READDISK_NO_FFLAGS | ARCHIVE_READDISK_NO_XATTR |
	    ARCHIVE_READDISK_NO_SPARSE);
	s->sparse_disk = archive_read_disk_new();
	archive_read_disk_set_behavior(s->sparse_disk, ARCHIVE_READDISK_NO_ACL |
	    ARCHIVE_READDISK_NO_FFLAGS | ARCHIVE_READDISK_NO_XATTR);
	/* full pax, not restricted: every entry's times keep their
	 * nanoseconds (restricted pax writes them only where an entry needs
	 * an extension for something else) */
	if (archive_write_set_format_pax(s->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(s->a, 0) != ARCHIVE_OK ||
	    archive_write_open2(s->a, s, NULL, archive_out, NULL, NULL) != ARCHIVE_OK) {
		c->err = xasprintf("cannot start the archive: %s", archive_error_string(s->a));
		return -1;
	}
	return 0;
}

static void
set_owner(struct capture *c, struct archive_entry *ae, const struct stat *st)
{
	archive_entry_set_uid(ae, st->st_uid);
	archive_entry_set_gid(ae, st->st_gid);
	archive_entry_copy_uname(ae, ids_name(&c->pw, st->st_uid));
	archive_entry_copy_gname(ae, ids_name(&c->gr, st->st_gid));
}

/* Writes an entry's header; records where it starts in ce. */
static int
write_header(struct capture *c, struct archive_entry *ae, struct cat_entry *ce)
{
	struct arch	*s = c->store;

	frame_writer_pos(s->fw, FRAME_ARCHIVE, &ce->frame, &ce->off);
	if (archive_write_header(s->a, ae) < ARCHIVE_WARN)
		return fail_write(c, archive_error_string(s->a));
	s->entries++;
	return 0;
}

static int
finish_entry(struct capture *c, struct cat_entry *ce)
{
	struct arch	*s = c->store;

	if (archive_write_finish_entry(s->a) < ARCHIVE_WARN)
		return fail_write(c, archive_error_string(s->a));
	ce->uname = ce->uname ? ce->uname : ids_name(&c->pw, (unsigned long)ce->uid);
	ce->gname = ce->gname ? ce->gname : ids_name(&c->gr, (unsigned long)ce->gid);
	cat_add_entry(&s->cat, ce);
	return flush_catalog(c, 0);
}

static int
arch_folder(struct capture *c, struct scan_entry *e, int level, const char *path)
{
	const struct stat	*st = &e->levels[level].st;
	struct archive_entry	*ae = archive_entry_new();
	struct cat_entry	 ce;
	char			*rel = xstrndup(e->rel, e->levels[level].rel_len);
	int			 fd, r;

	archive_entry_copy_pathname(ae, path);
	archive_entry_copy_stat(ae, st);
	set_owner(c, ae, st);
	if ((fd = scan_level_open(e, level)) == -1)
		r = cap_finding(c, 0, rel, "the folder's attributes and ACLs not "
		    "captured: %s", strerror(errno));
	else {
		r = cap_read_meta(c, fd, rel, ae);
		close(fd);
	}
	cap_entry_from_stat(&ce, 'd', st, path, NULL);
	if (r == 0)
		r = write_header(c, ae, &ce) == 0 ? finish_entry(c, &ce) : -1;
	archive_entry_free(ae);
	free(rel);
	return r;
}

static int
open_file(struct scan_entry *e)
{
	/* O_NONBLOCK: a file swapped for a FIFO since the walk must not hang
	 * the capture (the caller checks the type on the fd) */
	int	fd = openat(e->dfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME |
		    O_NONBLOCK);

	if (fd == -1 && errno == EPERM)		/* O_NOATIME: only for the owner */
		fd = openat(e->dfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK);
	return fd;
}

/* Copies size bytes of fd into the archive, hashing them; -1 fatal. */
static int
copy_data(struct capture *c, struct scan_entry *e, int fd, uint64_t size,
    struct cat_entry *ce)
{
	struct arch		*s = c->store;
	struct sha256_ctx    	 sha;
	uint8_t			 sum[32];
	ssize_t			 n;
	int			 r = 0;

	sha256_init(&sha);
	while (size > 0) {
		n = read(fd, s->io, size < IO_SIZE ? (size_t)size : IO_SIZE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* the archive pads the entry with zeros; say so */
			ce->flags |= CAT_CHANGED;
			r = n == 0 ? cap_finding(c, 0, e->rel, "shrank while it was "
			    "captured; the store has it padded with zeros") :
			    cap_finding(c, 1, e->rel, "cannot read: %s", strerror(errno));
			break;
		}
		sha256_update(&sha, s->io, (size_t)n);
		if (archive_write_data(s->a, s->io, (size_t)n) != n) {
			r = fail_write(c, archive_error_string(s->a));
			break;
		}
		size -= (uint64_t)n;
		if (size > 0 && (size & (STOP_CHECK_BYTES - 1)) < (uint64_t)n &&
		    cap_stopping(c)) {
			r = -1;		/* a big file does not delay a stop */
			break;
		}
	}
	if (size > 0 && r == 0) {	/* hash what the archive holds */
		memset(s->io, 0, IO_SIZE);
		while (size > 0) {
			size_t k = size < IO_SIZE ? (size_t)size : IO_SIZE;

			sha256_update(&sha, s->io, k);
			size -= k;
		}
	}
	sha256_final(&sha, sum);
	hex_encode(sum, sizeof sum, ce->sha256);
	return r;
}

/*
 * A file with other names: within one user's home, its later names are
 * hard links to the first; each user's first name carries the data, so
 * that every user's files restore on their own, and names the first of
 * another user's (a link across homes) for restore to link them again.
 */
static int
link_entry(struct capture *c, struct archive_entry **ae, struct archive_entry **spare,
    const struct stat *st, const char *path, struct cat_entry *ce)
{
	struct arch		*s = c->store;
	struct strmap_slot	*seen;
	char			 key[48];

	if (s->lr_user != c->user) {
		archive_entry_linkresolver_free(s->lr);
		s->lr = archive_entry_linkresolver_new();
		archive_entry_linkresolver_set_strategy(s->lr,
		    ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE);
		s->lr_user = c->user;
	}
	archive_entry_linkify(s->lr, ae, spare);
	if (*ae == NULL)
		return fail_write(c, "a hard link could not be resolved");
	if (archive_entry_hardlink(*ae) != NULL) {
		ce->type = 'h';
		ce->size = 0;
		ce->link = archive_entry_hardlink(*ae);
		return 0;
	}
	snprintf(key, sizeof key, "%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
	seen = strmap_slot(&s->seen, key, strlen(key));
	if (seen->value == NULL)
		seen->value = xstrdup(path);
	else
		ce->link = seen->value;		/* another user's first name */
	return 0;
}

/* Feeds n bytes of a hole to the archive, which keeps only the map. */
static int
write_hole(struct capture *c, uint64_t n)
{
	static uint8_t	 zero[IO_SIZE];
	struct arch	*s = c->store;

	while (n > 0) {
		size_t k = n < IO_SIZE ? (size_t)n : IO_SIZE;

		if (archive_write_data(s->a, zero, k) != (la_ssize_t)k)
			return fail_write(c, archive_error_string(s->a));
		n -= k;
	}
	return 0;
}

/*
 * A sparse file: only its data regions (the map the disk reader found
 * with SEEK_DATA/SEEK_HOLE) are read and hashed, so a hole of gigabytes
 * costs nothing; the catalog's sum is sparse-hash.c's.  -1 fatal.
 */
static int
copy_sparse(struct capture *c, struct scan_entry *e, int fd, struct archive_entry *ae,
    uint64_t size, struct cat_entry *ce)
{
	struct arch		*s = c->store;
	struct sparse_hash	 h;
	la_int64_t		 off, len;
	uint64_t		 pos = 0, since_check = 0;
	ssize_t			 n;
	int			 r = 0, shrunk = 0;

	sparse_hash_init(&h);
	archive_entry_sparse_reset(ae);
	while (r == 0 && archive_entry_sparse_next(ae, &off, &len) == ARCHIVE_OK) {
		if (len <= 0 || off < (la_int64_t)pos || (uint64_t)off + (uint64_t)len > size)
			continue;
		if ((uint64_t)off > pos && (r = write_hole(c, (uint64_t)off - pos)) == -1)
			break;
		while (len > 0 && r == 0) {
			size_t want = len < IO_SIZE ? (size_t)len : IO_SIZE;

			n = shrunk ? 0 : pread(fd, s->io, want, (off_t)off);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* the archive holds zeros from here; say so once */
				if (!shrunk) {
					ce->flags |= CAT_CHANGED;
					r = n == 0 ? cap_finding(c, 0, e->rel, "shrank while "
					    "it was captured; the store has it padded with "
					    "zeros") : cap_finding(c, 1, e->rel, "cannot read: "
					    "%s", strerror(errno));
					shrunk = 1;
				}
				memset(s->io, 0, want);
				n = (ssize_t)want;
			}
			sparse_hash_data(&h, off, s->io, (size_t)n);
			if (r == 0 && archive_write_data(s->a, s->io, (size_t)n) != n)
				r = fail_write(c, archive_error_string(s->a));
			off += n;
			len -= n;
			pos = (uint64_t)off;
			if ((since_check += (uint64_t)n) >= STOP_CHECK_BYTES) {
				since_check = 0;
				if (cap_stopping(c))
					r = -1;
			}
		}
	}
	if (r == 0 && size > pos)
		r = write_hole(c, size - pos);
	sparse_hash_final(&h, (int64_t)size, ce->sha256);
	ce->flags |= CAT_SPARSE_HASH;
	return r;
}

static int
arch_file(struct capture *c, struct scan_entry *e, const char *path)
{
	struct arch		*s = c->store;
	struct archive_entry	*ae, *spare = NULL;
	struct archive		*disk;
	struct cat_entry	 ce;
	struct stat		 st, after;
	int			 fd, r = -1;

	if ((fd = open_file(e)) == -1)
		return errno == ENOENT ? cap_finding(c, 0, e->rel, "vanished while "
		    "the capture ran") : cap_finding(c, 1, e->rel, "cannot open: %s",
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cap_finding(c, 0, e->rel, "changed into something else while "
		    "the capture ran");
	}
	ae = archive_entry_new();
	archive_entry_copy_pathname(ae, path);
	archive_entry_copy_sourcepath(ae, path);
	disk = (uintmax_t)st.st_blocks * 512 < (uintmax_t)st.st_size ? s->sparse_disk :
	    s->disk;
	if (archive_read_disk_entry_from_file(disk, ae, fd, &st) < ARCHIVE_WARN) {
		r = cap_finding(c, 1, e->rel, "cannot read its metadata: %s",
		    archive_error_string(disk));
		goto out;
	}
	set_owner(c, ae, &st);
	if (cap_read_meta(c, fd, e->rel, ae) == -1)
		goto out;
	cap_entry_from_stat(&ce, 'f', &st, path, NULL);
	if (st.st_nlink > 1 && link_entry(c, &ae, &spare, &st, path, &ce) == -1)
		goto out;
	if (archive_entry_sparse_count(ae) > 0)
		ce.flags |= CAT_SPARSE;
	if (write_header(c, ae, &ce) == -1)
		goto out;
	if (ce.type == 'f' && ((ce.flags & CAT_SPARSE) ? copy_sparse(c, e, fd, ae,
	    (uint64_t)st.st_size, &ce) : copy_data(c, e, fd, (uint64_t)st.st_size, &ce)) == -1)
		goto out;
	if (ce.type == 'f' && fstat(fd, &after) == 0 && (after.st_size != st.st_size ||
	    after.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != st.st_mtim.tv_nsec) && !(ce.flags & CAT_CHANGED)) {
		ce.flags |= CAT_CHANGED;
		if (cap_finding(c, 0, e->rel, "changed while it was captured; the store "
		    "has the version read") == -1)
			goto out;
	}
	if (finish_entry(c, &ce) == -1)
		goto out;
	c->counts->files++;
	c->counts->bytes += ce.size;
	if (ce.type == 'h')
		c->counts->links++;
	r = 0;
out:
	close(fd);
	archive_entry_free(ae);
	archive_entry_free(spare);
	return r;
}

static int
arch_symlink(struct capture *c, struct scan_entry *e, const char *path)
{
	struct archive_entry	*ae;
	struct cat_entry	 ce;
	char			 target[PATH_MAX + 1];
	ssize_t			 n;
	int			 r;

	if ((n = readlinkat(e->dfd, e->name, target, PATH_MAX)) == -1)
		return errno == ENOENT ? 0 : cap_finding(c, 1, e->rel, "cannot read the "
		    "symlink: %s", strerror(errno));
	target[n] = '\0';
	ae = archive_entry_new();
	archive_entry_copy_pathname(ae, path);
	archive_entry_copy_stat(ae, e->st);
	archive_entry_copy_symlink(ae, target);
	set_owner(c, ae, e->st);
	cap_entry_from_stat(&ce, 'l', e->st, path, target);
	r = write_header(c, ae, &ce) == 0 ? finish_entry(c, &ce) : -1;
	archive_entry_free(ae);
	if (r == 0)
		c->counts->files++;
	return r;
}

static void
arch_free(struct arch *s)
{
	archive_write_free(s->a);
	archive_read_free(s->disk);
	archive_read_free(s->sparse_disk);
	archive_entry_linkresolver_free(s->lr);
	strmap_release(&s->seen);
	frame_writer_abort(s->fw);
	store_writer_abort(s->sw);
	if (s->fd != -1)
		close(s->fd);
	buf_release(&s->cat);
	free(s->io);
	free(s->fw_err);
	free(s->tmp);
	free(s);
}

static int
arch_finish(struct capture *c)
{
	struct arch	*s = c->store;
	char		*e = NULL;
	int		 r = -1;

	if (archive_write_close(s->a) != ARCHIVE_OK) {
		fail_write(c, archive_error_string(s->a));
		return -1;
	}
	cat_add_end(&s->cat, s->entries, c->counts->bytes);
	if (flush_catalog(c, 1) == -1)
		return -1;
	r = frame_writer_finish(s->fw, s->entries, c->counts->bytes, &e);
	s->fw = NULL;
	if (r == 0) {
		r = store_writer_close(s->sw, &e);
		s->sw = NULL;
	}
	if (c->o->out != NULL) {
		/* the SMP has every byte on its disk; its release checks them */
		if (r == -1 || c->o->out->finish(c->o->out->ctx, &c->counts->stored, &e) == -1) {
			fail_write(c, e);
			free(e);
			return -1;
		}
		arch_free(s);
		c->store = NULL;
		return 0;
	}
	if (r == -1 || fdatasync(s->fd) == -1) {
		if (r == 0)
			s->write_errno = errno;
		fail_write(c, e);
		free(e);
		return -1;
	}
	c->counts->stored = s->written;
	/* a deadline that passed while the store was synced: no store */
	if (cap_stopping(c))
		return -1;
	/* whole and on disk: only now does it get its name */
	if ((c->o->overwrite ? rename(s->tmp, c->o->store) :
	    renameat2(AT_FDCWD, s->tmp, AT_FDCWD, c->o->store, RENAME_NOREPLACE)) == -1) {
		c->err = xasprintf("cannot put the store in place as '%s': %s",
		    c->o->store, strerror(errno));
		return -1;
	}
	fsync_dir_of(c->o->store);
	arch_free(s);
	c->store = NULL;
	return 0;
}

static void
arch_abort(struct capture *c)
{
	struct arch	*s = c->store;

	if (s == NULL)
		return;
	if (s->tmp != NULL && s->fd != -1)
		unlink(s->tmp);
	arch_free(s);
	c->store = NULL;
}

const struct capture_sink archive_sink = {
	arch_open, arch_folder, arch_file, arch_symlink, arch_finish, arch_abort,
};
