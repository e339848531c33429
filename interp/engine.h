/*
 * engine.h - runs a compiled sequence: conditions, continue_on_error,
 * success codes, retries, timeouts, restarts, and the journal that lets
 * `tsi resume` pick up after a restart, a crash or a power cut.
 *
 * Exit codes (documented in docs/cli.md):
 *   0  the sequence succeeded        2  invalid input or usage; nothing ran
 *   1  the sequence failed           3  stopped for a restart; `tsi resume` goes on
 */
#ifndef TSI_ENGINE_H
#define TSI_ENGINE_H

#include "../lib/defaults.h"
#include "log.h"
#include "seq.h"
#include "vars.h"


/*
 * Someone who watches a run (the status reporter, steps/run-status.c):
 * start is called when a run starts or resumes, not in a dry run, once its
 * log and variables are set and before its first event; it may observe
 * the log (runlog_observe).  end is called once when this process's part
 * of the run ends (its end, a restart before the reboot command, a
 * signal), with what start returned.
 */
struct run_watch {
	void	*(*start)(const char *state_dir, const struct vars *, struct runlog *);
	void	 (*end)(void *watcher, struct runlog *);
};

struct run_opts {
	const struct step_table *steps;		/* the step types, for run and resume */
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
	const struct run_watch *watch;		/* NULL: nobody */
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
