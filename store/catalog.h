/*
 * catalog.h - the catalog of a store: one text line per entry, with the
 * file's type, metadata, SHA-256 and where its archive entry starts, so
 * that list, verify and extract need not read the whole archive.  Fields
 * are separated by tabs; a backslash escapes tab, newline, backslash and
 * other control characters (\t \n \\ \xHH).  docs/store-format.md.
 */
#ifndef TSI_CATALOG_H
#define TSI_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/util.h"

#define CATALOG_MAGIC		"tsi-catalog"
#define CATALOG_VERSION		1
#define CATALOG_LINE_MAX	(64 * 1024)

enum {
	CAT_CHANGED = 1,	/* the file changed while it was read */
	CAT_SPARSE = 2,
	CAT_SPARSE_HASH = 4,	/* its SHA-256 is sparse-hash.c's */
};

struct cat_entry {
	char		 type;		/* f file, l symlink, h hard link, d folder */
	uint64_t	 frame;		/* archive frame and offset of its entry */
	uint32_t	 off;
	uint32_t	 mode;
	uint64_t	 uid, gid;
	const char	*uname, *gname;
	uint64_t	 size;
	int64_t		 mtime;
	uint32_t	 mtime_ns;
	char		 sha256[65];	/* hex, or "" */
	unsigned	 flags;
	const char	*path;		/* USER/REL */
	const char	*link;		/* symlink or hard link target, or NULL */
	/* a hard-link store's metadata beyond stat (entry-meta.c): its ACLs
	 * and a folder's user xattrs, or NULL; an optional last field */
	const char	*meta;
};

struct cat_user {
	const char	*name, *group, *home, *shell, *gecos;
	uint64_t	 uid, gid;
};

enum cat_line_kind {
	CAT_LINE_MAGIC, CAT_LINE_FIELD, CAT_LINE_USER, CAT_LINE_ENTRY, CAT_LINE_END,
};

struct cat_line {
	enum cat_line_kind	 kind;
	const char		*key, *value;		/* CAT_LINE_FIELD */
	struct cat_user		 user;
	struct cat_entry	 entry;
	uint64_t		 entries, bytes;	/* CAT_LINE_END */
};

void	cat_add_field(struct buf *, const char *key, const char *value);
void	cat_add_user(struct buf *, const struct cat_user *);
void	cat_add_entry(struct buf *, const struct cat_entry *);
void	cat_add_end(struct buf *, uint64_t entries, uint64_t bytes);
/* Parses one line (without its newline) in place; pointers point into it. */
int	cat_parse(char *line, struct cat_line *, char **err);
/* Escapes s for display (caller frees). */
char	*cat_escape(const char *s);

#endif
