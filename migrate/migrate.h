/*
 * migrate.h - the user-state engine: the users of a system, and the
 * migration rules that say which files in their profiles travel.
 *
 * Users come from ROOT/etc/passwd and ROOT/etc/group (USMT's offline mode:
 * ROOT is the system being migrated).  Rule packs are YAML files of
 * components, each with include and exclude patterns relative to a user's
 * home (~/), plus unconditional excludes.  The semantics are USMT's
 * (sccm-spec.md 4.5), made explainable:
 *
 *   1. an unconditional exclude, from any pack, beats everything;
 *   2. otherwise components are independent: a file travels when any
 *      component includes it;
 *   3. within a component the most specific matching pattern wins:
 *      literal characters in the folder part first, then in the file name;
 *   4. on a tie, exclude wins;
 *   5. a component that includes nothing excludes nothing.
 *
 * rules_explain() says which rule decided and which others matched.
 */
#ifndef TSI_MIGRATE_H
#define TSI_MIGRATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../lib/diag.h"
#include "../store/fastcrypto.h"
#include "../lib/util.h"

struct mig_user {
	char		*name;
	uid_t		 uid;
	gid_t		 gid;
	char		*group;		/* primary group's name, or NULL */
	char		*home;		/* as in passwd, inside the root */
	char		*shell;
	char		*gecos;
};

struct mig_users {
	struct mig_user	*v;
	size_t		 n;
};

/* Users with uid >= 1000 (and not nobody) unless all; -1 after a diagnostic. */
int	users_load(const char *root, int all, struct mig_users *, struct diag *);
void	users_release(struct mig_users *);
/* Names and ids from ROOT/etc/passwd or ROOT/etc/group (all of them). */
struct mig_ids {
	struct { char *name; unsigned long id; } *v;
	size_t	n;
};

int	ids_load(const char *root, const char *file, struct mig_ids *);
const char *ids_name(const struct mig_ids *, unsigned long id);
int	ids_id(const struct mig_ids *, const char *name, unsigned long *id);
void	ids_release(struct mig_ids *);

/* The user whose home holds path (a path inside the root), or NULL. */
const struct mig_user *users_owner(const struct mig_users *, const char *path,
	    const char **rel);

enum rule_kind {
	RULE_INCLUDE,
	RULE_EXCLUDE,
	RULE_UNCONDITIONAL,
};

struct rule {
	enum rule_kind	 kind;
	char		*pattern;	/* as written, e.g. ~/Documents then two stars */
	const char	*glob;		/* pattern without "~/" */
	int		 dir_literal;	/* specificity of the folder part */
	int		 name_literal;	/* and of the file name */
	struct loc	 loc;
	struct rule_component *component;	/* NULL for unconditional */
	struct rule_pack *pack;
};

struct rule_component {
	char		*name;
	struct rule	*rules;
	size_t		 n;
	int		 has_include;
	struct rule_pack *pack;
};

struct rule_pack {
	char			*name;
	char			*description;
	char			*path;
	struct rule_component	*components;
	size_t			 ncomponents;
	struct rule		*unconditional;
	size_t			 nunconditional;
};

struct ruleset {
	struct rule_pack	**packs;
	size_t			  npacks;
};

/*
 * Loads packs by name (from the rules directory) or by file path, and
 * always the built-in exclusions.  names NULL or empty: the default packs.
 * Returns -1 after adding diagnostics.
 */
int	rules_load(struct ruleset *, const char *const *names, size_t n, struct diag *);
/* Checks one rule file (for tsi validate); -1 after diagnostics. */
int	rules_check_file(const char *path, struct diag *);
void	rules_release(struct ruleset *);
/* The folder of the shipped packs (the caller frees it): $TSI_RULES_DIR,
 * else the first of lib/datadir.h's places that exists, or NULL; *tried
 * (if not NULL) receives where tsi looked, for a message. */
char *rules_dir(char **tried);

struct rule_decision {
	int			 included;
	const struct rule	*by;		/* the deciding rule; NULL: no rule */
};

/* rel is the path relative to the home ("Documents/a.txt"). */
void	rules_decide(const struct ruleset *, const char *rel, struct rule_decision *);
/* The unconditional exclude that takes a folder and all below it (walks
 * need not decide file by file there), or NULL. */
const struct rule *rules_folder_excluded(const struct ruleset *, const char *rel);
/* A human explanation of the decision for rel (caller frees). */
char	*rules_explain(const struct ruleset *, const char *rel);

/* usmt.c: ScanState/LoadState switches (OSDMigrateAdditional*Options). */
enum usmt_tool {
	USMT_CAPTURE,
	USMT_RESTORE,
};

struct usmt_opts {
	char		**ui, **ue;		/* /ui, /ue patterns */
	size_t		  nui, nue;
	int		  has_uel;
	int		  uel_days;		/* -1 when /uel gave a date */
	char		  uel_date[11];		/* YYYY-MM-DD */
	int		  all, c, o, nocompress, hardlink, p, lac, lae;
	int		  verbose;		/* /v level, -1 when not given */
	char		 *listfiles, *p_file;
	struct { char *from, *to; } *mu;	/* /mu renames */
	size_t		  nmu;
	char		 *lac_password;		/* secret */
};

/* 0, or -1 with *err (caller frees) saying what is wrong. */
int	usmt_parse(enum usmt_tool, const char *text, struct usmt_opts *, char **err);
void	usmt_release(struct usmt_opts *);
int	usmt_user_matches(const char *pattern, const char *computer, const char *user);
int	usmt_user_selected(const struct usmt_opts *, const char *computer,
	    const char *user, int days_idle, const char *date);

/* scan.c: walking a user's home as a capture does: no symlink is followed,
 * and below a folder that an unconditional exclude takes whole no rule is
 * asked (its files are handed over as left out by that rule, for the
 * summary of what was left out).  Capture and restore share the limits:
 * what one takes, the other writes. */
#define SCAN_DEPTH_MAX	1024		/* folders below the home */
#define SCAN_PATH_MAX	4095		/* bytes of a path below the home */

struct scan_level {			/* a folder above an entry */
	size_t		rel_len;	/* its path is the entry's rel cut here */
	struct stat	st;
	int		mark;		/* the caller's */
	int		fd;		/* while the walk holds it open, else -1 */
};

struct scan_entry {
	int			 dfd;	/* the folder holding the entry */
	const char		*name;
	const char		*rel;	/* relative to the home */
	const struct stat	*st;	/* NULL: could not be read, see err */
	struct rule_decision	 dec;
	struct scan_level	*levels;	/* [0] the home ... [depth] its folder */
	int			 depth;
	int			 err;
	/* a folder whose entries have all been handed over: dfd is the folder
	 * itself, name ".", levels[depth] its level */
	int			 folder_end;
	/* below a folder an unconditional exclude takes whole (dec.by): that
	 * folder's rel is cut here; 0 otherwise */
	size_t			 pruned_at;
	/* not walked: a limit (SCAN_DEPTH_MAX, SCAN_PATH_MAX) says why */
	const char		*refused;
};

/* Calls fn for every file, symlink and other non-folder, for the end of
 * every folder walked, and for what could not be read or is beyond a
 * limit; fn returns -1 to stop.  Returns the unreadable count. */
typedef int (*scan_fn)(void *ctx, struct scan_entry *);
size_t	scan_home(const char *root, const struct mig_user *, const struct ruleset *,
	    scan_fn, void *ctx, int *stopped);
/* A new fd on the folder levels[i] above e (verified to be the folder the
 * walk saw), or -1 with errno. */
int	scan_level_open(const struct scan_entry *e, int i);

/* entry-meta.c: an entry's ACLs and user xattrs as text, for the catalog
 * of a hard-link store (NULL: none; caller frees; what does not fit in a
 * catalog line is named in dropped), and back, all or nothing (-1: a line
 * this version does not know, or damaged). */
struct archive_entry;
char	*entry_meta_text(struct archive_entry *, struct buf *dropped);
int	 entry_meta_parse(struct archive_entry *, const char *text);

/* sparse-hash.c: the catalog's checksum of a sparse file, over its data
 * regions and its map only (holes cost nothing): feed the data regions'
 * bytes in order with their offsets, then the size. */
struct sparse_hash {
	struct sha256_ctx	data, map;
	int64_t			start, end;	/* the data region being fed */
	int			open;
};
void	sparse_hash_init(struct sparse_hash *);
void	sparse_hash_data(struct sparse_hash *, int64_t off, const void *, size_t);
void	sparse_hash_final(struct sparse_hash *, int64_t size, char out[65]);

/* account.c: LoadState /lac: the account NAME made with useradd --prefix
 * ROOT (enabled with pw when enable, /lae); -1 after a finding. */
struct state_log;
struct state_counts;
int	account_create(const char *root, const char *name, const char *gecos,
	    const char *pw, int enable, const struct mig_ids *groups,
	    const struct state_log *, struct state_counts *);

/* leftout.c: the summary of what the rules left out of a walk. */
struct leftout;
typedef void (*leftout_line_fn)(void *ctx, const char *line);
struct leftout *leftout_new(void);
/* Counts an entry the rules left out (e->dec.by decided, or no rule). */
void	leftout_add(struct leftout *, const struct scan_entry *);
/* Says it, line by line; the last use before leftout_free. */
void	leftout_report(struct leftout *, leftout_line_fn, void *ctx);
void	leftout_free(struct leftout *);
const char *human_bytes(uintmax_t bytes, char buf[32]);

/* How many days ago the user's home last changed (-1 unknown), and that
 * day as YYYY-MM-DD, for ScanState /uel. */
int	days_idle(const char *root, const struct mig_user *, char date[11]);

/* scan.c: `tsi state estimate` and `tsi state explain` (exit codes 0 or 2).
 * switches: USMT capture switches (/ui, /ue, /uel ...), or NULL. */
int	state_estimate(const char *root, const char *const *packs, size_t npacks,
	    int all_users, const char *switches);
int	state_explain(const char *root, const char *path, const char *const *packs,
	    size_t npacks);

/* pattern.c: glob with *, ?, [...] and ** (any number of folders). */
int	glob_match(const char *pattern, const char *path);
/* NULL when the pattern is valid, else why not. */
const char *glob_problem(const char *pattern);

#endif
