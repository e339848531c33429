/*
 * capture-meta.c - what travels with a file or folder besides its data
 * and stat: user extended attributes, POSIX ACLs (access and default,
 * named entries by name, as owners are), and findings for what does not
 * travel: security.* and trusted.* attributes (the source system's
 * policy, and file capabilities are privileges like setuid bits), file
 * flags (chattr +i, +a, ...), attributes of other namespaces.
 *
 * Extended attributes are read here rather than by libarchive so that
 * ACL names come from the root's passwd and group (not this host's) and
 * so that nothing is skipped without a word.
 */
#include "capture-int.h"

#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive_entry.h>

#define XATTR_LIST_MAX_BYTES	(64 * 1024)	/* the kernel's own limit */
#define XATTR_VALUE_MAX_BYTES	(64 * 1024)

/* The binary form of system.posix_acl_* (linux/posix_acl_xattr.h). */
#define ACL_XATTR_VERSION	2
enum { ACL_TAG_USER_OBJ = 1, ACL_TAG_USER = 2, ACL_TAG_GROUP_OBJ = 4,
	ACL_TAG_GROUP = 8, ACL_TAG_MASK = 16, ACL_TAG_OTHER = 32 };

static const struct {
	unsigned long	 flag;
	char		 letter;
	const char	*name;
} fs_flags[] = {
	{ FS_IMMUTABLE_FL, 'i', "immutable" },
	{ FS_APPEND_FL, 'a', "append only" },
	{ FS_NODUMP_FL, 'd', "no dump" },
	{ FS_NOATIME_FL, 'A', "no atime updates" },
	{ FS_COMPR_FL, 'c', "compressed" },
	{ FS_NOCOW_FL, 'C', "no copy on write" },
	{ FS_SECRM_FL, 's', "secure deletion" },
	{ FS_UNRM_FL, 'u', "undeletable" },
	{ FS_SYNC_FL, 'S', "synchronous updates" },
	{ FS_DIRSYNC_FL, 'D', "synchronous folder updates" },
	{ FS_JOURNAL_DATA_FL, 'j', "data journaling" },
	{ FS_NOTAIL_FL, 't', "no tail merging" },
	{ FS_TOPDIR_FL, 'T', "top of folder hierarchies" },
	{ FS_PROJINHERIT_FL, 'P', "project inheritance" },
};

static int
acl_tag_to_archive(unsigned tag)
{
	switch (tag) {
	case ACL_TAG_USER_OBJ:	return ARCHIVE_ENTRY_ACL_USER_OBJ;
	case ACL_TAG_USER:	return ARCHIVE_ENTRY_ACL_USER;
	case ACL_TAG_GROUP_OBJ:	return ARCHIVE_ENTRY_ACL_GROUP_OBJ;
	case ACL_TAG_GROUP:	return ARCHIVE_ENTRY_ACL_GROUP;
	case ACL_TAG_MASK:	return ARCHIVE_ENTRY_ACL_MASK;
	case ACL_TAG_OTHER:	return ARCHIVE_ENTRY_ACL_OTHER;
	default:		return -1;
	}
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Adds a system.posix_acl_* value to ae; -1 when it is not one. */
static int
add_acl(struct capture *c, struct archive_entry *ae, int type, const uint8_t *v,
    size_t n)
{
	size_t	off;

	if (n < 4 || (n - 4) % 8 != 0 || le32(v) != ACL_XATTR_VERSION)
		return -1;
	for (off = 4; off < n; off += 8) {
		unsigned	 tag = (unsigned)(v[off] | v[off + 1] << 8);
		unsigned	 perm = (unsigned)(v[off + 2] | v[off + 3] << 8) & 7;
		uint32_t	 id = le32(v + off + 4);
		int		 atag = acl_tag_to_archive(tag);
		const char	*name = NULL;

		if (atag == -1) {
			archive_entry_acl_clear(ae);	/* none rather than a part */
			return -1;
		}
		if (tag == ACL_TAG_USER)
			name = ids_name(&c->pw, id);
		else if (tag == ACL_TAG_GROUP)
			name = ids_name(&c->gr, id);
		else
			id = (uint32_t)-1;
		archive_entry_acl_add_entry(ae, type, (int)perm, atag, (int)id, name);
	}
	return 0;
}

/* Says which file flags do not travel. */
static int
check_flags(struct capture *c, int fd, const char *rel)
{
	struct buf	b = BUF_INIT;
	int		flags = 0;
	size_t		i;
	int		r = 0;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == -1)
		return 0;	/* a file system without flags */
	for (i = 0; i < ARRAY_SIZE(fs_flags); i++)
		if ((unsigned long)flags & fs_flags[i].flag)
			buf_addf(&b, "%s+%c (%s)", b.len ? ", " : "", fs_flags[i].letter,
			    fs_flags[i].name);
	if (b.len > 0)
		r = cap_finding(c, 0, rel, "file attributes %s not captured: chattr "
		    "flags are not migrated (set them again with chattr)", b.data);
	buf_release(&b);
	return r;
}

/* A value, read once into a buffer of the largest size allowed (a value
 * that grows between two reads must not be read past its buffer). */
static ssize_t
get_value(int fd, const char *name, uint8_t **v)
{
	ssize_t	n;

	*v = xmalloc(XATTR_VALUE_MAX_BYTES);
	if ((n = fgetxattr(fd, name, *v, XATTR_VALUE_MAX_BYTES)) < 0) {
		if (errno == ERANGE)
			errno = E2BIG;
		free(*v);
		*v = NULL;
	}
	return n;
}

static int
read_meta(struct capture *c, int fd, const char *rel, struct archive_entry *ae,
    int acls_only)
{
	char	 list[XATTR_LIST_MAX_BYTES], *name;
	uint8_t	*v = NULL;
	ssize_t	 n, k;

	if (!acls_only && check_flags(c, fd, rel) == -1)
		return -1;
	if ((n = flistxattr(fd, list, sizeof list)) <= 0)
		return n == -1 && errno != ENOTSUP && errno != ENODATA ?
		    cap_finding(c, 0, rel, "extended attributes not captured: %s",
		    strerror(errno)) : 0;
	for (name = list; name < list + n; name += strlen(name) + 1) {
		int acl = strcmp(name, "system.posix_acl_access") == 0 ?
		    ARCHIVE_ENTRY_ACL_TYPE_ACCESS : strcmp(name,
		    "system.posix_acl_default") == 0 ? ARCHIVE_ENTRY_ACL_TYPE_DEFAULT : 0;

		if (acls_only && acl == 0)
			continue;
		if (strncmp(name, "user.", 5) != 0 && acl == 0) {
			if (strcmp(name, "security.selinux") == 0) {
				/* on every file of an SELinux system: said once */
				if (!c->selinux_said)
					cap_say(c, STATE_INFO, "SELinux labels are not "
					    "captured: the destination labels files by "
					    "its own policy");
				c->selinux_said = 1;
				continue;
			}
			if (cap_finding(c, 0, rel, "extended attribute %s not captured: %s",
			    name, strncmp(name, "security.capability", 19) == 0 ?
			    "file capabilities are privileges, not migrated (like "
			    "setuid bits)" : strncmp(name, "security.", 9) == 0 ||
			    strncmp(name, "trusted.", 8) == 0 ? "security and trusted "
			    "attributes are the source system's policy" :
			    "only user.* attributes and POSIX ACLs are migrated") == -1)
				return -1;
			continue;
		}
		if ((k = get_value(fd, name, &v)) < 0) {
			if (errno == ENODATA)
				continue;	/* removed since the list */
			if (cap_finding(c, 0, rel, "extended attribute %s not captured: %s",
			    name, strerror(errno)) == -1)
				return -1;
			continue;
		}
		if (acl != 0) {
			if (add_acl(c, ae, acl, v, (size_t)k) == -1 && cap_finding(c, 0, rel,
			    "ACLs not captured: %s is not an ACL this version knows", name) == -1) {
				free(v);
				return -1;
			}
		} else
			archive_entry_xattr_add_entry(ae, name, v, (size_t)k);
		free(v);
		v = NULL;
	}
	return 0;
}

int
cap_read_meta(struct capture *c, int fd, const char *rel, struct archive_entry *ae)
{
	return read_meta(c, fd, rel, ae, 0);
}

int
cap_read_acls(struct capture *c, int fd, const char *rel, struct archive_entry *ae)
{
	return read_meta(c, fd, rel, ae, 1);
}
