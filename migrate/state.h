/*
 * state.h - capturing users' state into a store and restoring it: the
 * engine behind `tsi state capture|restore|verify|list|extract|undo` and
 * the capture_user_state and restore_user_state steps.
 *
 * Two kinds of store:
 *   - an encrypted store, one file: a pax archive and a catalog in zstd
 *     frames, encrypted to its recipients (store/container.h);
 *   - a hard-link store, a folder on the same file system as the homes:
 *     data/USER/... hard links to the users' files, and a plain catalog.
 *     Like USMT's, it is not encrypted; it copies no data.
 */
#ifndef TSI_STATE_H
#define TSI_STATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/defaults.h"
#include "../lib/stop.h"
#include "../store/store.h"

enum state_msg {
	STATE_INFO,		/* what happened, for the log */
	STATE_VERBOSE,		/* file by file, with /v or EnableVerboseLogging */
	STATE_FINDING,		/* something not captured or restored as it was */
	STATE_PROGRESS,		/* a progress line; percent in the call */
};

struct state_log {
	void	(*fn)(void *ctx, enum state_msg, int percent, const char *msg);
	void	*ctx;
	/* when the work must stop: a signal or its step's deadline (NULL:
	 * signals only, and only where stop_catch_signals() was called) */
	const struct stop *stop;
};

/* A user's crontab lives outside the home: it travels as the store entry
 * CRONTAB_PREFIX USER (no user name holds a ':', so it never collides with
 * a user's files) and is restored, mapped by name, to the destination's
 * spool, owned by the user and the group crontab. */
#define CRONTAB_SPOOL	"/var/spool/cron/crontabs"
#define CRONTAB_PREFIX	"::crontab/"

struct state_counts {
	uint64_t	files, dirs, links, bytes, stored;
	uint64_t	created, replaced, renamed, unchanged, skipped;
	uint64_t	findings;
};

/* Where an encrypted store's bytes go instead of the file store names
 * (an SMP upload, smp/smp-client.h): write as store_sink_fn, then finish
 * once every byte is acknowledged; error says why write failed. */
struct store_out {
	store_sink_fn	 write;
	int		(*finish)(void *ctx, uint64_t *bytes, char **err);
	const char	*(*error)(void *ctx);
	void		*ctx;
};

/* Where an encrypted store is read from instead of a file (an SMP). */
struct store_in {
	store_pread_fn	 pread;
	const char	*(*error)(void *ctx);
	void		*ctx;
	uint64_t	 size;
};

struct capture_opts {
	const char		 *root, *store, *computer;
	const struct store_out	 *out;		/* NULL: the file store */
	const struct identity	 *rcpt;
	size_t			  nrcpt;
	const char *const	 *packs;
	size_t			  npacks;
	const char		 *switches;	/* ScanState switches, or NULL */
	const char		 *only_users;	/* NAME,NAME: no one else, or NULL */
	int			  all_users, hardlink, overwrite, nocompress;
	int			  continue_on_error, verbose;
};

enum overwrite_mode {
	OVERWRITE_RENAME,	/* keep the existing file, restore as "name (1).ext" */
	OVERWRITE_SKIP,
	OVERWRITE_REPLACE,
	OVERWRITE_NEWER,	/* replace only when the stored file is newer */
};

struct restore_opts {
	const char		*root, *store;	/* store: a path, or a name for in */
	const struct store_in	*in;		/* NULL: the file or folder store */
	const struct identity	*id;		/* NULL for a hard-link store */
	const char		*switches;	/* LoadState switches, or NULL */
	const char		*only_users;	/* NAME,NAME: no one else, or NULL */
	enum overwrite_mode	 overwrite;
	int			 all_users, continue_on_error, verbose;
	const char		*lac_password;	/* when not given with /lac: */
};

/* Whether a user is in an only_users list (NULL or "all": everyone) - an
 * SMP association's users, which no switch widens. */
int	state_user_allowed(const char *only_users, const char *user);

/* Formats a message for log (NULL: none); counts findings in counts. */
void	state_say(const struct state_log *, struct state_counts *, enum state_msg,
	    int percent, const char *, ...) __attribute__((format(printf, 5, 6)));
void	state_vsay(const struct state_log *, struct state_counts *, enum state_msg,
	    int percent, const char *, va_list);

/* Whether the work must stop, and why (STOP_NO to go on).  Loops ask every
 * 64 files and every STOP_CHECK_BYTES of a big file. */
#define STOP_CHECK_BYTES	(UINT64_C(64) * 1024 * 1024)
enum stop_why state_stop_check(const struct state_log *);

/* 0 done, 1 done with findings that fail the work (continue_on_error
 * off), -1 failed with *err; nothing half-written is left as complete.
 * state_capture says STATE_INVALID (with *err) when its input is wrong
 * or refused (switches, users, rule packs) and nothing was read. */
#define STATE_INVALID	(-2)
int	state_capture(const struct capture_opts *, const struct state_log *,
	    struct state_counts *, char **err);
int	state_restore(const struct restore_opts *, const struct state_log *,
	    struct state_counts *, char **err);
/* Puts back what the restore of store into root created, replaced or renamed. */
int	state_undo(const char *root, const char *store, const struct state_log *,
	    struct state_counts *, char **err);

/* The commands that print (exit codes: 0, 1 damage or not found, 2 usage). */
int	state_list(const char *store, const struct identity *, int verbose);
int	state_verify(const char *store, const struct identity *);
int	state_extract(const char *store, const struct identity *, const char *to,
	    char *const *patterns, size_t npatterns);

/* `tsi state SUBCOMMAND`, as main.c parsed it; returns the exit code. */
#define STATE_ARGS_MAX	16

struct state_args {
	const char		*root, *store, *identity, *overwrite, *to;
	const char		*recipients[STATE_ARGS_MAX];
	size_t			 nrecipients;
	const char *const	*rules;
	size_t			 nrules;
	int			 all, hardlink, verbose;
	char *const		*operands;	/* switches, patterns or a path */
	size_t			 noperands;
};

int	state_cli(const char *sub, const struct state_args *);

/* The hard-link store's data folder and catalog, and the restore records. */
#define HARDLINK_DATA		"data"
#define HARDLINK_CATALOG	"catalog"

#endif
