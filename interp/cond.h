/*
 * cond.h - conditions on groups and steps (sccm-spec.md 1.3).
 *
 * A condition is a map or a list (a list means all).  all/any/none nest to
 * any depth; leaves test a variable, a file, a folder or the OS release.
 * Compiling checks the shape and gathers errors.  Evaluating answers true
 * or false and says why in plain words, which the log and the dry run
 * print; or -1 when a test cannot be evaluated (an `unported` test that
 * tsi import left for the admin to port), and the engine then fails the
 * node: never a silent true or false.  all/any/none follow Kleene's logic,
 * so a test that cannot be evaluated matters only when the answer
 * depends on it.
 */
#ifndef TSI_COND_H
#define TSI_COND_H

#include "../lib/diag.h"
#include "../lib/node.h"
#include "vars.h"

enum cond_kind {
	COND_ALL,
	COND_ANY,
	COND_NONE,
	COND_VARIABLE,
	COND_FILE_EXISTS,
	COND_FOLDER_EXISTS,
	COND_OS,
	COND_LUA,
	COND_FILE_MODIFIED,	/* the time a file or folder was last changed */
	COND_FOLDER_MODIFIED,
	COND_UNPORTED,		/* cannot be evaluated: fails its node */
};

enum cond_op {
	OP_EXISTS,
	OP_EQUALS,
	OP_NOT_EQUALS,
	OP_LESS,
	OP_LESS_EQUAL,
	OP_GREATER,
	OP_GREATER_EQUAL,
	OP_LIKE,
};

struct cond {
	enum cond_kind	  kind;
	struct loc	  loc;
	struct cond	**kids;
	size_t		  n;
	char		 *var;		/* COND_VARIABLE */
	enum cond_op	  op;
	int		  want;		/* OP_EXISTS: true or false */
	char		 *value;	/* operand, or path for file/folder */
	char		 *os_id;	/* COND_OS */
	char		 *os_version;
	long long	  when;		/* COND_*_MODIFIED: seconds since 1970, UTC */
	char		**props;	/* COND_UNPORTED: key, value, key, value */
	size_t		  nprops;
};

/* "exists", "equals"... indexed by enum cond_op. */
extern const char *const cond_op_names[];

struct cond_env {
	const struct vars	*vars;
	const char		*root;	/* file tests and os-release are under it */
};

/* NULL after adding errors to d. */
struct cond	*cond_compile(const struct node *, struct diag *);
void		 cond_free(struct cond *);
/* 1, 0, or -1 when it cannot be evaluated; appends a one-line reason to
 * why (may be NULL). */
int		 cond_eval(const struct cond *, const struct cond_env *, struct buf *why);
/* Calls fn for every variable the condition reads (name, needs_value). */
void		 cond_vars(const struct cond *, void (*fn)(void *, const char *, int,
		    const struct loc *), void *ctx);
/* Parses a UTC time, "YYYY-MM-DD[THH:MM[:SS]][Z]"; 0 or -1. */
int		 parse_utc_time(const char *, long long *);
/* Compares dotted versions ("12.4" < "12.10"); <0, 0 or >0. */
int		 version_cmp(const char *, const char *);

#endif
