/*
 * trusted.h - root reads code and configuration only from root's files.
 *
 * When tsi runs as root, a file it reads as code or configuration
 * (sequences and their run_sequence children, vars files, Lua extensions
 * and their folders, rule packs, smp.conf) must be owned by root and not
 * writable by group or others, and so must the folders that hold it, up
 * to /, except that a folder writable by others is fine when it is sticky
 * (/tmp): nobody else can then rename or replace root's file in it.  This
 * is the rule OpenSSH applies to its keys and configuration.  The checks
 * are made on descriptors opened one folder at a time from /, without
 * following symbolic links past the path's own resolution, and the file
 * is read from the descriptor that was checked: there is no window in
 * which another file could take its place.  As any other user, nothing is
 * checked: the files can only do what that user could.
 */
#ifndef TSI_TRUSTED_H
#define TSI_TRUSTED_H

#include <stddef.h>

#include "diag.h"

enum trusted_kind {
	TRUSTED_FILE,		/* a regular file, opened for reading */
	TRUSTED_FOLDER,		/* a folder whose every file is loaded */
};

/*
 * Opens path; as root, only when it may be trusted.  Returns the
 * descriptor, or -1 with errno set; a refusal is EPERM with *why set to
 * what is wrong, for "refusing 'PATH': WHY" (caller frees).
 */
int	trusted_open(const char *path, enum trusted_kind, char **why);
/* read_file() through trusted_open(): 0, or -1 with errno (EFBIG past
 * max) and, on a refusal, *why. */
int	read_trusted_file(const char *path, size_t max, char **out, size_t *len,
	    char **why);

/* The error of a read_trusted_file() that failed, at loc: "refusing
 * 'PATH': WHY", "file is too large (the limit is MAX bytes)" or "cannot
 * read 'PATH': ERRNO".  Frees why; returns -1. */
int	trusted_read_error(struct diag *, const struct loc *, const char *path,
	    char *why, size_t max);

#endif
