/*
 * place-meta.c - a restored file's or folder's metadata: owner, mode,
 * user extended attributes, POSIX ACLs (named entries mapped by name, as
 * owners are) and times; and the findings of a restore: what cannot be
 * applied is said, with the path.
 */
#include "restore-int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "migrate.h"

#define ACL_XATTR_VERSION	2
#define ACL_ENTRIES_MAX		1024

void
placer_finding(struct placer *p, const char *rel, const char *fmt, ...)
{
	va_list	 ap;
	char	*what, *esc;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) == -1)
		what = NULL;
	va_end(ap);
	esc = cat_escape(rel);		/* a store's path may hold control characters */
	state_say(p->log, p->counts, STATE_FINDING, -1, "%s/%s: %s", p->base_path, esc,
	    what ? what : "");
	free(esc);
	free(what);
}

struct acl_ent {
	uint16_t	tag, perm;
	uint32_t	id;
};

static int
acl_tag_from_archive(int tag)
{
	switch (tag) {
	case ARCHIVE_ENTRY_ACL_USER_OBJ:	return 1;
	case ARCHIVE_ENTRY_ACL_USER:		return 2;
	case ARCHIVE_ENTRY_ACL_GROUP_OBJ:	return 4;
	case ARCHIVE_ENTRY_ACL_GROUP:		return 8;
	case ARCHIVE_ENTRY_ACL_MASK:		return 16;
	case ARCHIVE_ENTRY_ACL_OTHER:		return 32;
	default:				return -1;
	}
}

/* The kernel wants entries by tag, then by id. */
static int
acl_order(const void *a, const void *b)
{
	const struct acl_ent *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
put_le(uint8_t *p, uint32_t v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Sets one ACL of ae (access or default) on fd, names mapped here. */
static void
apply_acl(struct placer *p, int fd, const char *rel, struct archive_entry *ae, int type)
{
	struct acl_ent	*v;
	const char	*name, *xname = type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS ?
			    "system.posix_acl_access" : "system.posix_acl_default";
	uint8_t		*bin;
	size_t		 n = 0, i;
	int		 count, t, perm, tag, qual, ktag;

	count = archive_entry_acl_reset(ae, type);
	/* an access ACL of the three entries the mode has is no ACL */
	if (count <= (type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS ? 3 : 0))
		return;
	if (p->pw == NULL || p->gr == NULL)
		return;		/* extract: no computer's names to map to */
	v = xcalloc(count < ACL_ENTRIES_MAX ? (size_t)count : ACL_ENTRIES_MAX, sizeof *v);
	while (n < ACL_ENTRIES_MAX && archive_entry_acl_next(ae, type, &t, &perm, &tag,
	    &qual, &name) == ARCHIVE_OK) {
		unsigned long id = 0;

		if ((ktag = acl_tag_from_archive(tag)) == -1)
			continue;
		if (tag == ARCHIVE_ENTRY_ACL_USER || tag == ARCHIVE_ENTRY_ACL_GROUP) {
			const char *kind = tag == ARCHIVE_ENTRY_ACL_USER ? "user" : "group";

			if (name == NULL || *name == '\0') {
				placer_finding(p, rel, "ACL entry %s:%d not restored: the "
				    "%s had no name on the source computer", kind, qual, kind);
				continue;
			}
			/* the user restored under another name (/mu), and their
			 * own group, are named as here */
			if (p->mu_from != NULL && strcmp(name, p->mu_from) == 0)
				name = p->mu_to;
			if (ids_id(tag == ARCHIVE_ENTRY_ACL_USER ? p->pw : p->gr, name,
			    &id) == -1) {
				placer_finding(p, rel, "ACL entry %s:%s not restored: no "
				    "such %s on this computer", kind, name, kind);
				continue;
			}
		}
		v[n].tag = (uint16_t)ktag;
		v[n].perm = (uint16_t)(perm & 7);
		v[n++].id = tag == ARCHIVE_ENTRY_ACL_USER || tag == ARCHIVE_ENTRY_ACL_GROUP ?
		    (uint32_t)id : UINT32_MAX;
	}
	qsort(v, n, sizeof *v, acl_order);
	bin = xmalloc(4 + 8 * n);
	put_le(bin, ACL_XATTR_VERSION, 4);
	for (i = 0; i < n; i++) {
		put_le(bin + 4 + 8 * i, v[i].tag, 2);
		put_le(bin + 6 + 8 * i, v[i].perm, 2);
		put_le(bin + 8 + 8 * i, v[i].id, 4);
	}
	if (n > 0 && fsetxattr(fd, xname, bin, 4 + 8 * n, 0) == -1)
		placer_finding(p, rel, "%s ACL not restored: %s", type ==
		    ARCHIVE_ENTRY_ACL_TYPE_ACCESS ? "access" : "default", strerror(errno));
	free(bin);
	free(v);
}

void
placer_acls(struct placer *p, int fd, const char *rel, struct archive_entry *ae,
    int folder)
{
	apply_acl(p, fd, rel, ae, ARCHIVE_ENTRY_ACL_TYPE_ACCESS);
	if (folder)
		apply_acl(p, fd, rel, ae, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT);
}

void
placer_meta(struct placer *p, int fd, const char *rel, struct archive_entry *ae,
    long uid, long gid, int folder)
{
	struct timespec	 ts[2];
	const char	*xname;
	const void	*xval;
	size_t		 xlen;
	mode_t		 perm = archive_entry_perm(ae), keep;

	if (p->owners && uid >= 0 && fchown(fd, (uid_t)uid, (gid_t)gid) == -1)
		placer_finding(p, rel, "owner not set: %s", strerror(errno));
	/* setuid and setgid files never come back: the owner is mapped by a
	 * name the store chose, and a setuid file in a home is a way to root.
	 * A folder keeps setgid (its files' group) and sticky. */
	keep = folder ? (S_ISGID | S_ISVTX | 0777) : (S_ISVTX | 0777);
	if (perm & ~keep & (S_ISUID | S_ISGID))
		placer_finding(p, rel, "restored without its %s", folder ?
		    "setuid bit" : "setuid/setgid bits");
	/* files are created with their mode: fchmod only where the umask took
	 * bits away, or for the special bits; folders always */
	if ((folder || (perm & 0777 & p->umask) != 0 || (perm & ~0777 & keep)) &&
	    fchmod(fd, perm & keep) == -1)
		placer_finding(p, rel, "mode not set: %s", strerror(errno));
	archive_entry_xattr_reset(ae);
	while (archive_entry_xattr_next(ae, &xname, &xval, &xlen) == ARCHIVE_OK) {
		/* stores this version writes hold user.* only; older ones may
		 * hold security.* and trusted.*: the destination's policy */
		if (strncmp(xname, "user.", 5) != 0) {
			placer_finding(p, rel, "extended attribute %s not restored: only "
			    "user.* attributes and ACLs are migrated", xname);
			continue;
		}
		if (fsetxattr(fd, xname, xval, xlen, 0) == -1)
			placer_finding(p, rel, "extended attribute %s not set: %s", xname,
			    strerror(errno));
	}
	/* after the mode: an access ACL sets the group bits (its mask) */
	placer_acls(p, fd, rel, ae, folder);
	if (folder)
		return;		/* times once its files are in (placer_finish) */
	ts[0].tv_sec = archive_entry_atime(ae);
	ts[0].tv_nsec = archive_entry_atime_nsec(ae);
	ts[1].tv_sec = archive_entry_mtime(ae);
	ts[1].tv_nsec = archive_entry_mtime_nsec(ae);
	if (!archive_entry_atime_is_set(ae))
		ts[0] = ts[1];
	if (futimens(fd, ts) == -1)
		placer_finding(p, rel, "times not set: %s", strerror(errno));
}

/* Whether fd has the xattr name with exactly value v. */
static int
has_xattr(int fd, const char *name, const void *v, size_t n)
{
	char	buf[4096];
	ssize_t	k = fgetxattr(fd, name, buf, sizeof buf);

	return k >= 0 && (size_t)k == n && memcmp(buf, v, n) == 0;
}

void
placer_folder_kept(struct placer *p, int fd, const char *rel, struct archive_entry *ae)
{
	struct stat	 st;
	struct buf	 b = BUF_INIT;
	const char	*xname;
	const void	*xval;
	size_t		 xlen;
	mode_t		 want = archive_entry_perm(ae) & (S_ISGID | S_ISVTX | 0777);
	int		 acl_a, acl_d;
	char		 probe[1];

	if (fstat(fd, &st) == -1)
		return;
	/* an access ACL shows in the group bits as its mask: compare the rest */
	acl_a = archive_entry_acl_count(ae, ARCHIVE_ENTRY_ACL_TYPE_ACCESS) > 3;
	acl_d = archive_entry_acl_count(ae, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT) > 0;
	if ((st.st_mode & (acl_a ? ~(mode_t)070 : ~(mode_t)0) & (S_ISGID | S_ISVTX | 0777)) !=
	    (want & (acl_a ? ~(mode_t)070 : ~(mode_t)0)))
		buf_addf(&b, "mode %04o (the source's: %04o)", (unsigned)(st.st_mode & 07777),
		    (unsigned)want);
	if (acl_a != (fgetxattr(fd, "system.posix_acl_access", probe, 0) >= 0))
		buf_addf(&b, "%saccess ACL", b.len ? ", " : "");
	if (acl_d != (fgetxattr(fd, "system.posix_acl_default", probe, 0) >= 0))
		buf_addf(&b, "%sdefault ACL", b.len ? ", " : "");
	archive_entry_xattr_reset(ae);
	while (archive_entry_xattr_next(ae, &xname, &xval, &xlen) == ARCHIVE_OK)
		if (strncmp(xname, "user.", 5) == 0 && !has_xattr(fd, xname, xval, xlen))
			buf_addf(&b, "%sattribute %s", b.len ? ", " : "", xname);
	if (b.len > 0)
		placer_finding(p, rel, "the folder was already here and keeps its own "
		    "metadata; the source's differs: %s", b.data);
	buf_release(&b);
}
