/*
 * engine.h - runs a compiled sequence: conditions, continue_on_error,
 * success codes, retries, timeouts, restarts, and the journal that lets
 * `tsi resume` pick up after a restart, a crash or a power cut.
 *
 * Exit codes (documented in README.md):
 *   0  the sequence succeeded        2  invalid input or usage; nothing ran
 *   1  the sequence failed           3  stopped for a restart; `tsi resume` goes on
 */
#ifndef TSI_ENGINE_H
#define TSI_ENGINE_H

#include "log.h"
#include "seq.h"
#include "vars.h"

#define EXIT_OK		0
#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_RESTART	3
#define EXIT_INTERRUPTED 130

#define DEFAULT_STATE_DIR	"/var/lib/tsi"
#define DEFAULT_LOG_DIR		"/var/log/tsi"
#define DEFAULT_REBOOT_COMMAND	"systemctl reboot"

struct run_opts {
	const char	*sequence;		/* run only */
	const char	*state_dir;
	const char	*log_dir;
	const char	*root;
	const char	*reboot_command;
	const char	*vars_file;
	struct seq_var	*cli_vars;		/* --var, in order */
	size_t		 ncli_vars;
	int		 dry_run;
	int		 force;			/* resume: accept a changed sequence */
};

/* Names the engine sets (read-only), for validation. */
extern const char *const engine_builtin_vars[];

int	engine_run(const struct run_opts *);
int	engine_resume(const struct run_opts *);
/* Drops an unfinished run's journal. */
int	engine_discard(const struct run_opts *);

/* journal.c */
struct engine;
int	journal_write(struct engine *, const char *state);
int	journal_read(struct engine *, const char *path);
void	journal_remove(struct engine *);

#endif
