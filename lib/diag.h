/*
 * diag.h - diagnostics tied to source positions.
 *
 * Every problem found in outside input is reported as FILE:LINE:COL, the
 * offending line and a caret.  Checks gather problems in a struct diag and
 * go on (up to a cap) so that one `tsi validate` shows all of them.
 *
 * Source texts are interned process-wide (source_intern) so that a struct loc
 * is just a pointer and two ints, and diagnostics can quote the line later.
 */
#ifndef TSI_DIAG_H
#define TSI_DIAG_H

#include <stdio.h>
#include <stddef.h>

#include "util.h"

struct loc {
	const char	*file;		/* interned; NULL when unknown */
	int		 line;		/* 1-based; 0 when unknown */
	int		 col;		/* 1-based */
};

enum severity {
	SEV_ERROR,
	SEV_WARNING,
	SEV_NOTE,		/* information; counted neither as error nor warning */
};

struct diag_item {
	enum severity	 sev;
	struct loc	 loc;
	char		*msg;
	int		 quiet;		/* no source line shown: it holds a secret */
	size_t		 seq;		/* insertion order, for a stable sort */
};

struct diag {
	struct diag_item	*items;
	size_t			 n, alloc;
	size_t			 nerrors, nwarnings;
	size_t			 max;		/* items kept; the rest are counted */
	size_t			 dropped;
};

enum diag_format {
	DIAG_TEXT,
	DIAG_JSON,
	DIAG_SARIF,
};

void	diag_init(struct diag *);
void	diag_release(struct diag *);
/* Both return -1 so that a check can `return diag_error(...)`. */
int	diag_error(struct diag *, const struct loc *, const char *, ...) PRINTF_LIKE(3, 4);
int	diag_warning(struct diag *, const struct loc *, const char *, ...) PRINTF_LIKE(3, 4);
void	diag_note(struct diag *, const struct loc *, const char *, ...) PRINTF_LIKE(3, 4);
/* An error about a line that holds a secret: its position, not its text. */
int	diag_error_quiet(struct diag *, const struct loc *, const char *, ...)
	    PRINTF_LIKE(3, 4);
/* Sorts by file, line and column, then prints in the given format. */
void	diag_print(struct diag *, FILE *, enum diag_format);
/* The diagnostics as text, for an error message (caller frees). */
char	*diag_text(struct diag *);
/* "2 errors, 1 warning" (static buffer). */
const char *diag_summary(const struct diag *);

/* Interns a source text (copied) under path; returns the interned path. */
const char *source_intern(const char *path, const char *text, size_t len);
/* Interns text without a copy: the registry takes text (malloc'd, NUL at
 * len) and frees it, now if the path already has a text, else at the end. */
const char *source_adopt(const char *path, char *text, size_t len);
/* Interns just a name (for locations in files whose text is not kept). */
const char *source_name(const char *path);
/* The whole interned text of a file, or NULL. */
const char *source_text(const char *file, size_t *len);
/* The text of line `line` of an interned file, without its newline. */
const char *source_line(const char *file, int line, size_t *len);
void	sources_free(void);

#endif
