/*
 * stop.h - when long work must stop: a signal, or the deadline of the
 * step it belongs to.
 *
 * stop_catch_signals() installs the handlers of SIGINT, SIGTERM and SIGHUP,
 * once, for every command that needs them (a run, `tsi state capture`): a
 * signal sets stop_signal and writes a byte to a self-pipe, so that a
 * poll() that also waits on stop_signal_fd() cannot miss it.
 *
 * A struct stop is what a piece of work is handed: its deadline, and the
 * signals.  Loops ask stop_check() (no system call: the clock is read
 * through the vDSO); waits poll stop_signal_fd() for at most stop_wait_ms().
 * A NULL struct stop means "signals only".
 */
#ifndef TSI_STOP_H
#define TSI_STOP_H

#include <signal.h>
#include <stdint.h>

enum stop_why {
	STOP_NO,
	STOP_SIGNAL,		/* SIGINT, SIGTERM or SIGHUP */
	STOP_DEADLINE,		/* the deadline passed */
};

struct stop {
	int64_t	deadline;	/* now_ms() clock; 0 for none */
};

/* The signal caught (its number), 0 until then. */
extern volatile sig_atomic_t stop_signal;

/* Installs the handlers (and ignores SIGPIPE); safe to call twice. */
void		stop_catch_signals(void);
/* The self-pipe's read end, readable once a signal came; -1 before. */
int		stop_signal_fd(void);
enum stop_why	stop_check(const struct stop *);
/* How long a wait may sleep: at most cap_ms (-1: no cap), 0 once the
 * deadline passed, -1 when there is neither cap nor deadline. */
int		stop_wait_ms(const struct stop *, int cap_ms);
/* Sleeps ms, waking at once on a signal or at the deadline; why it woke
 * early, or STOP_NO after the whole sleep. */
enum stop_why	stop_sleep(const struct stop *, int64_t ms);
/* "stopped by a signal" or "its deadline passed" (static text). */
const char	*stop_why_text(enum stop_why);

#endif
