/*
 * engine-int.h - the engine's state, shared by engine.c and journal.c only.
 */
#ifndef TSI_ENGINE_INT_H
#define TSI_ENGINE_INT_H

#include <stdint.h>

#include "engine.h"

/* Per-node status letters, as kept in the journal. */
#define ST_NOT_RUN	'.'
#define ST_SUCCEEDED	'S'
#define ST_FAILED	'F'
#define ST_TIMED_OUT	'T'	/* failed: its time limit passed */
#define ST_SKIPPED	'K'	/* condition was false */
#define ST_DISABLED	'D'
#define ST_RUNNING	'R'	/* started, not finished (groups while open) */

struct engine {
	struct sequence		*seq;
	struct vars		 vars;
	struct runlog		 log;
	const struct run_opts	*opts;
	char			*sequence_path;		/* absolute */
	char			*state_dir;
	char			*log_dir;		/* absolute */
	char			*root;
	char			*reboot_command;
	char			*journal_path;
	int			 journal_fd;		/* the log, open for appends */
	int			 journal_failed;	/* a write failed: keep what is there */
	size_t			 journal_size;
	char			 run_id[40];		/* 32 hex digits */
	void			*watcher;		/* opts->watch's, until its end */
	char			 started[32];
	int			 dry_run;
	int			 lock_fd;

	int			 ip;
	int			 failed;		/* the sequence failed */
	int			 restart_pending;
	char			*status;		/* one letter per node */
	long long		*rc;			/* per node */
	int64_t			*deadline;		/* per open group with a timeout */
	int64_t			*duration_ms;		/* per node, this process */
	char			*message;		/* why the run failed, if known */

	/* step_run_data(): what step types keep for the run */
	struct run_data {
		const void	*key;
		void		*data;
		void		(*release)(void *);
	}			*run_data;
	size_t			 nrun_data;

	/* from the journal, when resuming */
	char			*journal_state;
	char			*journal_hash;
	char			*journal_sequence;
};

/* A step as its handler runs (step-ctx.c serves it). */
struct step_ctx {
	struct engine		*e;
	const struct tnode	*t;
	struct stop		 stop;		/* the step's deadline, and signals */
	int			 timed_out;
	int			 restart;
	int64_t			 last_progress;
	size_t			 output_bytes;	/* logged so far, for the cap */
};

/* step-ctx.c: an event about node t, to finish with runlog_event_end(). */
struct json	*log_step_event(struct engine *, const char *event, const struct tnode *t);

/* engine.c: runs from e->ip to the end, a restart or a stop, and says
 * which; run.c ends the run or restarts. */
enum loop_end {
	LOOP_DONE,		/* the sequence ended: succeeded or failed */
	LOOP_RESTART,		/* a restart is due before e->ip */
	LOOP_INTERRUPTED,	/* a signal stopped the step at e->ip */
};
enum loop_end engine_continue(struct engine *, int interrupted_no_rerun);
void	engine_set_var(struct engine *, const char *name, const char *value);


/* journal.c: what is known of a journal before its sequence is loaded */
struct journal_info {
	char		*sequence;
	char		*hash;
	char		*state;
	char		*started;
	char		*root;
	long long	 ip;
};
int	journal_peek(const char *path, struct journal_info *);
void	journal_info_release(struct journal_info *);

/* report.c */
void	report_write(struct engine *, const char *result, int exit_code);

#endif
