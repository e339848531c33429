/*
 * vars.h - the task-sequence environment: one case-insensitive map of
 * variables, as ConfigMgr's TSEnv.
 *
 * Rules (sccm-spec.md 1.4): names are letters, digits, '_' and '-', 1 to 256
 * characters, starting with a letter or '_'; names starting with '_' are
 * read-only for sequences (only the engine writes them, with VAR_ENGINE);
 * values are at most 4,000 characters; setting an empty value deletes the
 * variable.  Values are text: bytes that are not UTF-8 become U+FFFD when
 * set, so that a value reads the same after a journal round trip.  A secret variable's values are remembered so that every log
 * line, event and report can be redacted, even after the variable changes.
 *
 * Strings returned by vars_get() stay valid until the next change of that
 * variable.
 */
#ifndef TSI_VARS_H
#define TSI_VARS_H

#include <stddef.h>
#include <stdint.h>

#define VAR_NAME_MAX	256
#define VAR_VALUE_MAX	4000
#define VAR_REDACTED	"********"

enum {
	VAR_SECRET = 1 << 0,	/* value never appears in logs, events or reports */
	VAR_ENGINE = 1 << 1,	/* the engine itself: may write read-only names */
	VAR_UNBOUNDED = 1 << 2,	/* a name set for checks, outside the run's limits */
};

enum vars_result {
	VARS_OK = 0,
	VARS_BAD_NAME = -1,
	VARS_READ_ONLY = -2,
	VARS_TOO_LONG = -3,
	VARS_FULL = -4,		/* VARS_MAX_COUNT or VARS_MAX_BYTES reached */
};

/* The whole environment is bounded, as ConfigMgr's (1,000 variables a
 * device, 32 MB): a runaway step cannot fill memory or the journal. */
#define VARS_MAX_COUNT	10000
#define VARS_MAX_BYTES	(4u * 1024 * 1024)

struct var {
	char		*name;
	char		*value;
	uint32_t	 hash;		/* of the lowercased name */
	int		 secret;
};

struct vars {
	struct var	*v;
	size_t		 n, alloc;
	size_t		 bytes;		/* of all values */
	size_t		*index;		/* open addressing: slot -> position + 1 */
	size_t		 index_cap;	/* a power of two, at least 2 * alloc */
	char		**secrets;	/* every secret value seen in this run */
	size_t		 nsecrets;
	size_t		 secret_bytes;
};

void		 vars_init(struct vars *);
void		 vars_release(struct vars *);
const char	*vars_get(const struct vars *, const char *name);
int		 vars_is_secret(const struct vars *, const char *name);
/* Whether name holds a secret whoever sets it (ConfigMgr's passwords, and
 * OSDMigrateAdditionalRestoreOptions with /lac:PASSWORD). */
int		 vars_always_secret(const char *name, const char *value);
enum vars_result vars_set(struct vars *, const char *name, const char *value, int flags);
/* Adds a value that must be redacted (a secret param, say) without a name;
 * each of its lines too (of REDACT_FRAGMENT_MIN characters or more). */
void		 vars_add_secret(struct vars *, const char *value);
/* Parts of a secret shorter than this may show where text is cut. */
#define REDACT_FRAGMENT_MIN	4
/* Copy of s with every secret value replaced by VAR_REDACTED (caller frees). */
char		*vars_redact(const struct vars *, const char *s);
int		 vars_redact_needed(const struct vars *, const char *s);
/*
 * vars_redact() for a piece of a longer text: cut_before, it may begin
 * inside a secret, and cut_after, end inside one; a part of a secret of
 * REDACT_FRAGMENT_MIN characters or more at such a cut is masked too.
 */
char		*vars_redact_piece(const struct vars *, const char *s, size_t len,
		    int cut_before, int cut_after);
/* The length of the part of a secret (REDACT_FRAGMENT_MIN or more) that
 * s begins with (head) or ends with (!head), where text was cut; 0. */
size_t		 vars_fragment_at_cut(const struct vars *, const char *s, size_t len,
		    int head);
/* Whether s holds a secret, or (cut_before) begins with the end of one:
 * a value made of such text must be secret itself. */
int		 vars_holds_secret(const struct vars *, const char *s, int cut_before);
/* Sorted by name, for reports and tests (caller frees the array only). */
const struct var **vars_sorted(const struct vars *, size_t *n);

/* NULL when the name is valid, else why it is not (a static string). */
const char	*var_name_problem(const char *name);
int		 var_name_read_only(const char *name);
const char	*vars_result_str(enum vars_result);

/*
 * %NAME% expansion (sccm-spec.md 1.4).  "%%" is a literal '%'.  A reference
 * to a variable that is not set stays as written, as ConfigMgr does; a '%'
 * that does not start a valid reference is kept.  Expansion is one pass:
 * values are not expanded again.  Returns 0 and a malloc'd string, or -1
 * when the result would pass EXPAND_MAX bytes.
 */
#define EXPAND_MAX	(64u * 1024)
int		 vars_expand(const struct vars *, const char *s, char **out);

/* Calls fn for every %NAME% reference in s (for validation). */
typedef void	(*var_ref_fn)(void *ctx, const char *name, size_t offset);
void		 vars_scan_refs(const char *s, var_ref_fn fn, void *ctx);

#endif
