/*
 * proc.h - running a child process, the one way tsi does it.
 *
 * argv only (a shell only when the caller puts /bin/sh -c in argv), stdin
 * from /dev/null, stdout and stderr read line by line and handed to a
 * callback, the last bytes of stdout kept for output variables.  The child
 * leads its own process group so that a timeout or a stop signal kills
 * everything it started.  run_command, the reboot command and Lua's
 * tsi.exec all come through here.
 */
#ifndef TSI_PROC_H
#define TSI_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "stop.h"

/* A line is handed over without its newline; one longer than 64 KiB
 * comes in pieces, flagged so that what is cut (a secret, say) can be
 * recognised on both sides of the cut. */
enum {
	PROC_CUT_BEFORE = 1 << 0,	/* continues the piece before it */
	PROC_CUT_AFTER = 1 << 1,	/* goes on in the next piece */
};
typedef void (*proc_line_fn)(void *ctx, const char *stream, const char *line,
    size_t len, unsigned cuts);

struct proc_opts {
	char *const		 *argv;
	const char		 *cwd;		/* NULL: inherit */
	char *const		 *env_add;	/* NAME=VALUE entries added to the environment */
	int64_t			  deadline;	/* now_ms() clock; 0 for none */
	/* a signal, or the deadline of the step it runs for: kill and return */
	const struct stop	 *stop;
	proc_line_fn		  on_line;	/* NULL: output is discarded */
	void			 *ctx;
	size_t			  tail_max;	/* bytes of stdout to keep; 0 for none */
	int			  kill_grace_ms;	/* SIGTERM to SIGKILL; 0 means 2000 */
};

struct proc_result {
	int	 exit_code;	/* 128+N when killed by signal N */
	int	 signal;
	int	 timed_out;	/* the deadline, or the stop's, passed */
	int	 stopped;	/* a signal came */
	int	 exec_errno;	/* the program could not be started */
	char	*tail;		/* last tail_max bytes of stdout (caller frees) */
	int	 tail_cut;	/* stdout was longer: tail begins where it was cut */
};

/* 0 when the child ran (whatever its exit code); -1 when it could not be
 * started at all (fork or pipe failed, or exec failed: see exec_errno). */
int	proc_run(const struct proc_opts *, struct proc_result *);

/* argv as one shell-quoted line, for logs (caller frees). */
char	*proc_argv_string(char *const *argv);

#endif
