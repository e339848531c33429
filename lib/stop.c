/* stop.c - see stop.h */
#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

volatile sig_atomic_t stop_signal;
static int	pipe_r = -1, pipe_w = -1;

static void
on_signal(int sig)
{
	int	saved = errno;
	char	c = (char)sig;

	stop_signal = sig;
	if (pipe_w >= 0 && write(pipe_w, &c, 1) == -1)
		(void)0;	/* a full pipe: the flag is set anyway */
	errno = saved;
}

void
stop_catch_signals(void)
{
	struct sigaction	sa;
	int			fds[2];

	if (pipe_r == -1 && pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
		pipe_r = fds[0];
		pipe_w = fds[1];
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: a blocked poll must wake */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int
stop_signal_fd(void)
{
	return pipe_r;
}

enum stop_why
stop_check(const struct stop *s)
{
	if (stop_signal)
		return STOP_SIGNAL;
	if (s != NULL && s->deadline > 0 && now_ms() >= s->deadline)
		return STOP_DEADLINE;
	return STOP_NO;
}

int
stop_wait_ms(const struct stop *s, int cap_ms)
{
	int64_t	left;

	if (s == NULL || s->deadline == 0)
		return cap_ms;
	left = s->deadline - now_ms();
	if (left <= 0)
		return 0;
	if (cap_ms >= 0 && left > cap_ms)
		return cap_ms;
	return left > 1000000 ? 1000000 : (int)left;
}

enum stop_why
stop_sleep(const struct stop *s, int64_t ms)
{
	int64_t		until = now_ms() + ms, left;
	struct pollfd	pfd = { pipe_r, POLLIN, 0 };
	enum stop_why	why;

	while ((why = stop_check(s)) == STOP_NO && (left = until - now_ms()) > 0) {
		int wait = stop_wait_ms(s, left > 1000000 ? 1000000 : (int)left);

		/* without the pipe (no handlers), wake now and then for the flag */
		if (pipe_r < 0 && wait > 100)
			wait = 100;
		poll(&pfd, pipe_r >= 0 ? 1 : 0, wait);
	}
	return why;
}

const char *
stop_why_text(enum stop_why why)
{
	switch (why) {
	case STOP_SIGNAL:
		return "stopped by a signal";
	case STOP_DEADLINE:
		return "its time limit passed";
	default:
		return "not stopped";
	}
}
