/*
 * seq.h - a compiled task sequence.
 *
 * The compiler turns the node tree of a sequence file into a flat table of
 * groups and steps in depth-first (document) order, the instruction table
 * of ConfigMgr.  Each entry knows its parent and where its subtree ends, so
 * that the engine can run, skip and resume with an index alone.  run_sequence
 * steps are compiled inline: the child's steps become a group in the table.
 *
 * Every entry keeps its source position for diagnostics and logs.
 */
#ifndef TSI_SEQ_H
#define TSI_SEQ_H

#include <stddef.h>

#include "cond.h"
#include "../lib/diag.h"
#include "lua-host.h"
#include "step.h"

/*
 * The keys of nodes and of the top level (node-keys.c): one table that the
 * compiler checks a file against and `tsi schema` and `tsi steps` print.
 */
#define NAME_MAX_LEN		256
#define DESCRIPTION_MAX_LEN	4096
#define TIMEOUT_MAX		(30LL * 86400)
#define RETRY_COUNT_MAX		100
#define RETRY_DELAY_MAX		86400

enum node_key_kind {
	NK_STRING, NK_BOOL, NK_INT,
	NK_MAP,			/* fields holds its keys */
	NK_CONDITION, NK_STEPS, NK_TYPE, NK_WITH, NK_CODES, NK_VARIABLES, NK_PATHS,
};

enum {
	NK_GROUP = 1 << 0,	/* a key of groups */
	NK_STEP  = 1 << 1,	/* a key of steps */
	NK_LUA   = 1 << 2,	/* of steps written in Lua only */
	NK_RUNS  = 1 << 3,	/* not of run_sequence, which runs as a group */
};

struct node_key {
	const char		*name;
	enum node_key_kind	 kind;
	int			 where;		/* NK_GROUP, NK_STEP, NK_LUA, NK_RUNS */
	long long		 min, max;	/* NK_INT bounds; NK_STRING: max length */
	const char		*def;		/* default, as text; NULL for none */
	const struct node_key	*fields;	/* NK_MAP */
	const char		*help;
};

/* NULL-name terminated, in this order. */
enum {
	NODE_KEY_NAME, NODE_KEY_DESCRIPTION, NODE_KEY_DISABLED,
	NODE_KEY_CONTINUE_ON_ERROR, NODE_KEY_CONDITION, NODE_KEY_STEPS,
	NODE_KEY_TYPE, NODE_KEY_WITH, NODE_KEY_TIMEOUT, NODE_KEY_SUCCESS_CODES,
	NODE_KEY_RETRY, NODE_KEY_RERUN_ON_RESUME, NODE_KEY_LUA_LIMITS,
	NODE_KEYS
};
enum {
	TOP_KEY_NAME, TOP_KEY_DESCRIPTION, TOP_KEY_VARIABLES, TOP_KEY_EXTENSIONS,
	TOP_KEY_STEPS,
	TOP_KEYS
};
extern const struct node_key node_keys[NODE_KEYS + 1];
extern const struct node_key top_keys[TOP_KEYS + 1];
const char		*node_key_kind_name(enum node_key_kind);

enum tnode_kind {
	TN_GROUP,
	TN_STEP,
};

struct seq_var {
	char		*name;
	char		*value;
	int		 secret;
	struct loc	 loc;
};

struct tnode {
	enum tnode_kind		 kind;
	int			 index;
	int			 parent;	/* -1 at the top level */
	int			 end;		/* index after the subtree */
	int			 depth;
	char			*name;
	char			*description;
	struct loc		 loc;
	int			 disabled;
	int			 continue_on_error;
	struct cond		*cond;

	/* TN_STEP */
	const struct step_type	*type;
	struct step_args	 args;
	int			 timeout;	/* seconds, 0 for none */
	long long		*success_codes;
	size_t			 nsuccess;
	int			 retry_count;
	int			 retry_delay;	/* seconds */
	int			 rerun_on_resume;
	int			 step_number;	/* 1-based among steps */
	int			 lua_memory_mb;	/* lua_limits; 0 for the default */
	long long		 lua_instructions;

	/* TN_GROUP compiled from run_sequence */
	const char		*include_file;	/* interned path */
	struct seq_var		*defaults;	/* the child's variables */
	size_t			 ndefaults;
	const char		*base_dir;	/* directory of the file holding the node */
};

struct sequence {
	char		 *path;
	char		 *name;
	char		 *description;
	struct seq_var	 *vars;
	size_t		  nvars;
	struct tnode	**nodes;
	size_t		  n;
	size_t		  nsteps;
	char		  hash[65];	/* SHA-256 over every file compiled in */
	char		 *base_dir;
	struct ext_set	 *exts;		/* Lua extensions the steps may use */
};

/* Loads and compiles; NULL when d holds errors.  With SEQ_HASH the
 * SHA-256 of every file compiled in goes to seq->hash (for resume). */
#define SEQ_HASH	1
struct sequence	*sequence_load(const char *path, const struct step_table *,
		    struct diag *d, int flags);
void		 sequence_free(struct sequence *);

/*
 * check.c: what `tsi validate` checks beyond compiling: variables used but
 * never set (warnings), literal values of typed variables (errors), and
 * the table's whole-sequence checks.  known are the variables given with
 * --vars-file and --var (their loc says where).  -1 when it found errors.
 */
int		 sequence_check(const struct sequence *, const struct step_table *,
		    const struct seq_var *known, size_t nknown, struct diag *);

/* Parses a vars file (a YAML map of NAME: VALUE or NAME: {value, secret}). */
int		 vars_file_load(const char *path, struct seq_var **out, size_t *n,
		    struct diag *);
void		 seq_vars_free(struct seq_var *, size_t);

/* params.c: compile-time parsing of `with:` and run-time expansion. */
int		 args_compile(const struct step_type *, const struct node *with,
		    const struct loc *step_loc, struct step_args *, struct diag *);
/* Expands %VAR% in every string of in; -1 with *err set (caller frees). */
int		 args_expand(const struct step_args *in, struct step_args *out,
		    struct vars *, char **err);
void		 args_release(struct step_args *);
/* step-table.c: the row that types variable name (the engine's, a step
 * type's, or a parameter's that falls back to it); NULL when untyped. */
const struct param_spec *typed_var_find(const struct step_table *, const char *name);
/* NULL when value suits the variable's type, else why not (caller frees). */
#define TV_SECRET	1	/* the value is a secret: never quote it */
#define TV_EXPANDS	2	/* a set_variable's value: %VAR% is checked when known */
char		*typed_var_check(const struct step_table *, const char *name,
		    const char *value, int flags);
/* The engine's own typed variables (OSDDoNotLogCommand...), NULL-name ended. */
const struct param_spec *engine_typed_vars(void);
/* Checks and parses a scalar of the given type; NULL or why not (static). */
const char	*param_parse(const struct param_spec *, struct param_value *);
const char	*param_type_name(enum param_type);

#endif
