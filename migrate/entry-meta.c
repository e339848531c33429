/*
 * entry-meta.c - the metadata an archive entry carries beyond stat (POSIX
 * ACLs, user extended attributes) as text, for the catalog of a hard-link
 * store, which has no archive: one "key=value" line each,
 *
 *   acl.access=user::rw-,user:carol:---:1003,group::r--,mask::rw-,other::r--
 *   acl.default=...            (libarchive's ACL text, names and ids)
 *   xattr.user.NAME=HEX        (the value, hex)
 *
 * Capture writes it from the entry cap_read_meta filled; restore turns it
 * back into an entry that placer_meta applies, as for an encrypted store.
 */
#include "migrate.h"

#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

/* a catalog line holds 64 KiB, paths 4 KiB: the text fits in the rest */
#define META_TEXT_MAX	(48 * 1024)

char *
entry_meta_text(struct archive_entry *ae, struct buf *dropped)
{
	static const struct { int type; const char *key; } acls[] = {
		{ ARCHIVE_ENTRY_ACL_TYPE_ACCESS, "acl.access" },
		{ ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, "acl.default" },
	};
	struct buf	 b = BUF_INIT;
	const char	*name;
	const void	*v;
	size_t		 n, i;
	char		*t;

	buf_adds(&b, "");
	for (i = 0; i < ARRAY_SIZE(acls); i++) {
		if (archive_entry_acl_reset(ae, acls[i].type) <= (i == 0 ? 3 : 0))
			continue;
		t = archive_entry_acl_to_text(ae, NULL, acls[i].type |
		    ARCHIVE_ENTRY_ACL_STYLE_EXTRA_ID | ARCHIVE_ENTRY_ACL_STYLE_SEPARATOR_COMMA);
		if (t != NULL && b.len + strlen(t) + 16 < META_TEXT_MAX)
			buf_addf(&b, "%s%s=%s", b.len ? "\n" : "", acls[i].key, t);
		else if (t != NULL)
			buf_addf(dropped, "%s%s ACL (too large)", dropped->len ? ", " : "",
			    i == 0 ? "access" : "default");
		free(t);
	}
	archive_entry_xattr_reset(ae);
	while (archive_entry_xattr_next(ae, &name, &v, &n) == ARCHIVE_OK) {
		if (strpbrk(name, "=\n") != NULL || b.len + strlen(name) + 2 * n + 16 >=
		    META_TEXT_MAX) {
			buf_addf(dropped, "%sattribute %s (%s)", dropped->len ? ", " : "",
			    name, strpbrk(name, "=\n") ? "its name holds '=' or a newline" :
			    "too large");
			continue;
		}
		t = xmalloc(2 * n + 1);
		hex_encode(v, n, t);
		buf_addf(&b, "%sxattr.%s=%s", b.len ? "\n" : "", name, t);
		free(t);
	}
	if (b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static int
unhex(const char *s, uint8_t *out, size_t *n)
{
	size_t	i, len = strlen(s);

	if (len % 2 != 0)
		return -1;
	for (i = 0; i < len; i += 2) {
		int hi = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : s[i] >= 'a' && s[i] <= 'f' ?
		    s[i] - 'a' + 10 : -1;
		int lo = s[i + 1] >= '0' && s[i + 1] <= '9' ? s[i + 1] - '0' :
		    s[i + 1] >= 'a' && s[i + 1] <= 'f' ? s[i + 1] - 'a' + 10 : -1;

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

static int
meta_parse(struct archive_entry *ae, const char *text);

int
entry_meta_parse(struct archive_entry *ae, const char *text)
{
	/* all or nothing: into a copy first */
	struct archive_entry	*scratch = archive_entry_clone(ae);
	int			 r = meta_parse(scratch, text);

	archive_entry_free(scratch);
	return r == 0 ? meta_parse(ae, text) : -1;
}

static int
meta_parse(struct archive_entry *ae, const char *text)
{
	char	*copy = xstrdup(text), *line, *save, *eq;
	uint8_t	*v;
	size_t	 n;
	int	 r = 0;

	for (line = strtok_r(copy, "\n", &save); line != NULL && r == 0;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((eq = strchr(line, '=')) == NULL) {
			r = -1;
			break;
		}
		*eq++ = '\0';
		if (strcmp(line, "acl.access") == 0)
			r = archive_entry_acl_from_text(ae, eq, ARCHIVE_ENTRY_ACL_TYPE_ACCESS) ==
			    ARCHIVE_OK ? 0 : -1;
		else if (strcmp(line, "acl.default") == 0)
			r = archive_entry_acl_from_text(ae, eq, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT) ==
			    ARCHIVE_OK ? 0 : -1;
		else if (strncmp(line, "xattr.", 6) == 0 && line[6] != '\0') {
			v = xmalloc(strlen(eq) / 2 + 1);
			if ((r = unhex(eq, v, &n)) == 0)
				archive_entry_xattr_add_entry(ae, line + 6, v, n);
			free(v);
		} else
			r = -1;		/* a key of a later version: say so */
	}
	free(copy);
	return r;
}
