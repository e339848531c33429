/*
 * place-data.c - a restored file's data, written into its temporary name
 * (holes kept, the declared size checked against the free space and the
 * data, a stop or deadline looked at every 64 MiB), then its metadata.
 */
#include "restore-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define BIG_FILE	(64 * 1024 * 1024)	/* checked against the free space */

int
placer_fatal_io(struct placer *p, int err, const char *rel)
{
	if (p->fatal == NULL)
		p->fatal = err == ENOSPC ? xasprintf("the disk is full (while writing "
		    "%s/%s); what was restored so far stays, and running the restore "
		    "again goes on from there", p->base_path, rel) :
		    xasprintf("cannot write %s/%s: %s", p->base_path, rel, strerror(err));
	return -1;
}

/* The temporary file; one left by a killed run is replaced. */
static int
create_tmp(int dfd, const char *tmp, mode_t mode)
{
	int	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode);

	if (fd == -1 && errno == EEXIST && unlinkat(dfd, tmp, 0) == 0)
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
	return fd;
}

int
placer_write_data(struct placer *p, int dfd, const char *tmp, const char *rel,
    struct archive *a, struct archive_entry *ae, long uid, long gid)
{
	const void	*data;
	size_t		 size;
	la_int64_t	 off, end = 0, want = archive_entry_size(ae);
	int		 sparse = archive_entry_sparse_count(ae) > 0;
	struct statvfs	 vfs;
	ssize_t		 k;
	uint64_t	 last_check = 0;
	enum stop_why	 why;
	int		 fd, r;

	/* a declared size the disk cannot hold ends the restore before a
	 * byte is written (a crafted or damaged store says anything) */
	if (!sparse && want > BIG_FILE && fstatvfs(dfd, &vfs) == 0 &&
	    (uint64_t)want > (uint64_t)vfs.f_bavail * vfs.f_frsize) {
		if (p->fatal == NULL)
			p->fatal = xasprintf("the disk is full: %s/%s needs %lld bytes, %llu "
			    "are free", p->base_path, rel, (long long)want,
			    (unsigned long long)vfs.f_bavail * vfs.f_frsize);
		return -1;
	}
	/* the permission bits now, so that mostly no fchmod is needed (a
	 * writable fd comes with O_CREAT whatever the mode) */
	fd = create_tmp(dfd, tmp, archive_entry_perm(ae) & 0777);
	if (fd == -1)
		return errno == ENOSPC ? placer_fatal_io(p, errno, rel) :
		    (placer_finding(p, rel, "not restored: %s", strerror(errno)), 1);
	while ((r = archive_read_data_block(a, &data, &size, &off)) == ARCHIVE_OK) {
		/* a big file does not delay a stop by more than 64 MiB */
		if ((uint64_t)off - last_check >= STOP_CHECK_BYTES) {
			last_check = (uint64_t)off;
			if ((why = state_stop_check(p->log)) != STOP_NO) {
				close(fd);
				unlinkat(dfd, tmp, 0);
				if (p->fatal == NULL)
					p->fatal = xasprintf("the restore was stopped (%s) in "
					    "%s/%s; running it again goes on where it stopped",
					    stop_why_text(why), p->base_path, rel);
				return -1;
			}
		}
		while (size > 0) {
			if ((k = pwrite(fd, data, size, (off_t)off)) == -1) {
				if (errno == EINTR)
					continue;
				r = errno;
				close(fd);
				unlinkat(dfd, tmp, 0);
				return placer_fatal_io(p, r, rel);
			}
			data = (const uint8_t *)data + k;
			size -= (size_t)k;
			off += k;
		}
		end = off > end ? off : end;
	}
	if (r == ARCHIVE_EOF && !sparse && end != want)
		r = ARCHIVE_FATAL;	/* less data than the header said */
	if (r != ARCHIVE_EOF) {
		close(fd);
		unlinkat(dfd, tmp, 0);
		if (p->fatal == NULL)
			p->fatal = xasprintf("the store is damaged at %s/%s: %s", p->base_path,
			    rel, archive_error_string(a) ? archive_error_string(a) :
			    "its data is shorter than its size");
		return -1;
	}
	if (end != want && ftruncate(fd, (off_t)want) == -1) {	/* a trailing hole */
		r = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		return placer_fatal_io(p, r, rel);
	}
	placer_meta(p, fd, rel, ae, uid, gid, 0);
	close(fd);
	return 0;
}

