/* proc.c - see proc.h */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define LINE_MAX_BYTES	(64 * 1024)	/* longer lines are passed on in pieces */

struct stream {
	const char	*name;
	int		 fd;
	struct buf	 line;
};

struct run {
	const struct proc_opts	*o;
	struct proc_result	*res;
	struct stream		 s[2];
	struct buf		 tail;
	pid_t			 pid;
	int			 pidfd;
	int			 exited;
	int			 status;
};

static void
emit_line(struct run *r, struct stream *s, const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (r->o->on_line != NULL)
		r->o->on_line(r->o->ctx, s->name, p, n);
}

static void
keep_tail(struct run *r, const char *p, size_t n)
{
	size_t	max = r->o->tail_max;

	if (max == 0)
		return;
	if (n >= max) {
		buf_reset(&r->tail);
		buf_add(&r->tail, p + n - max, max);
		return;
	}
	if (r->tail.len + n > 2 * max) {
		size_t keep = max - n;

		memmove(r->tail.data, r->tail.data + r->tail.len - keep, keep);
		r->tail.len = keep;
	}
	buf_add(&r->tail, p, n);
}

/* Reads what is there; returns 0 at EOF, 1 otherwise. */
static int
read_stream(struct run *r, struct stream *s)
{
	char	chunk[8192], *nl, *p;
	ssize_t	n;
	size_t	left;

	for (;;) {
		n = read(s->fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN ? 1 : 0;
		if (n == 0)
			break;
		if (s == &r->s[0])
			keep_tail(r, chunk, (size_t)n);
		p = chunk;
		left = (size_t)n;
		while ((nl = memchr(p, '\n', left)) != NULL) {
			buf_add(&s->line, p, (size_t)(nl - p));
			emit_line(r, s, s->line.data ? s->line.data : "", s->line.len);
			buf_reset(&s->line);
			left -= (size_t)(nl - p) + 1;
			p = nl + 1;
		}
		if (left > 0 && buf_add(&s->line, p, left) == -1) {
			emit_line(r, s, s->line.data, s->line.len);
			buf_reset(&s->line);
			buf_add(&s->line, p, left);
		}
	}
	if (s->line.len > 0)
		emit_line(r, s, s->line.data, s->line.len);
	buf_reset(&s->line);
	close(s->fd);
	s->fd = -1;
	return 0;
}

static int
reap(struct run *r, int options)
{
	pid_t	p;

	if (r->exited)
		return 1;
	do
		p = waitpid(r->pid, &r->status, options);
	while (p == -1 && errno == EINTR);
	if (p == r->pid)
		r->exited = 1;
	return r->exited;
}

/* SIGTERM to the whole group, SIGKILL after the grace period. */
static void
kill_group(struct run *r)
{
	int	grace = r->o->kill_grace_ms > 0 ? r->o->kill_grace_ms : 2000;
	int64_t	until = now_ms() + grace;

	kill(-r->pid, SIGTERM);
	while (!reap(r, WNOHANG) && now_ms() < until) {
		struct pollfd pfd = { r->pidfd, POLLIN, 0 };

		if (r->pidfd >= 0)
			poll(&pfd, 1, 50);
		else
			usleep(20000);
	}
	kill(-r->pid, SIGKILL);
	reap(r, 0);
}

static void
child(const struct proc_opts *o, int out, int err, int exe)
{
	struct sigaction	sa;
	sigset_t		set;
	int			devnull, e, i;

	setpgid(0, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(devnull, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1)
		goto fail;
	if (o->cwd != NULL && chdir(o->cwd) == -1)
		goto fail;
	for (i = 0; o->env_add != NULL && o->env_add[i] != NULL; i++)
		if (putenv(o->env_add[i]) != 0)
			goto fail;
	execvp(o->argv[0], o->argv);
fail:
	e = errno;
	if (write(exe, &e, sizeof e) == -1)
		_exit(127);
	_exit(127);
}

static int
make_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

int
proc_run(const struct proc_opts *o, struct proc_result *res)
{
	struct run	r;
	int		out[2], err[2], exe[2], e = 0, i;
	ssize_t		n;

	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	r.o = o;
	r.res = res;
	buf_init(&r.tail, 0);
	if (make_pipe(out) == -1)
		return -1;
	if (make_pipe(err) == -1) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (make_pipe(exe) == -1) {
		close(out[0]); close(out[1]); close(err[0]); close(err[1]);
		return -1;
	}
	r.pid = fork();
	if (r.pid == 0)
		child(o, out[1], err[1], exe[1]);
	close(out[1]);
	close(err[1]);
	close(exe[1]);
	if (r.pid == -1) {
		res->exec_errno = errno;
		close(out[0]); close(err[0]); close(exe[0]);
		return -1;
	}
	setpgid(r.pid, r.pid);		/* also here: no race with kill(-pid) */
	do
		n = read(exe[0], &e, sizeof e);
	while (n == -1 && errno == EINTR);
	close(exe[0]);
	if (n == (ssize_t)sizeof e) {
		res->exec_errno = e;
		close(out[0]);
		close(err[0]);
		reap(&r, 0);
		res->exit_code = 127;
		return -1;
	}
	r.s[0].name = "stdout";
	r.s[0].fd = out[0];
	r.s[1].name = "stderr";
	r.s[1].fd = err[0];
	for (i = 0; i < 2; i++) {
		buf_init(&r.s[i].line, LINE_MAX_BYTES);
		fcntl(r.s[i].fd, F_SETFL, fcntl(r.s[i].fd, F_GETFL) | O_NONBLOCK);
	}
	r.pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);

	while (!r.exited) {
		struct pollfd	pfd[3];
		int		np = 0, timeout = -1, rc;

		if (o->stop != NULL && *o->stop) {
			res->stopped = 1;
			kill_group(&r);
			break;
		}
		if (o->deadline > 0) {
			int64_t left = o->deadline - now_ms();

			if (left <= 0) {
				res->timed_out = 1;
				kill_group(&r);
				break;
			}
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		for (i = 0; i < 2; i++)
			if (r.s[i].fd >= 0)
				pfd[np++] = (struct pollfd){ r.s[i].fd, POLLIN, 0 };
		if (r.pidfd >= 0)
			pfd[np++] = (struct pollfd){ r.pidfd, POLLIN, 0 };
		else if (timeout < 0 || timeout > 20)
			timeout = 20;
		rc = poll(pfd, (nfds_t)np, timeout);
		if (rc == -1 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++)
			if (r.s[i].fd >= 0)
				read_stream(&r, &r.s[i]);
		reap(&r, WNOHANG);
	}
	/* The child is gone; take what it wrote, but do not wait for pipes
	 * that something it left behind still holds open. */
	for (i = 0; i < 2; i++) {
		if (r.s[i].fd >= 0)
			read_stream(&r, &r.s[i]);
		if (r.s[i].fd >= 0) {
			if (r.s[i].line.len > 0)
				emit_line(&r, &r.s[i], r.s[i].line.data, r.s[i].line.len);
			close(r.s[i].fd);
		}
		buf_release(&r.s[i].line);
	}
	if (r.pidfd >= 0)
		close(r.pidfd);
	reap(&r, 0);
	if (WIFEXITED(r.status))
		res->exit_code = WEXITSTATUS(r.status);
	else if (WIFSIGNALED(r.status)) {
		res->signal = WTERMSIG(r.status);
		res->exit_code = 128 + res->signal;
	}
	if (o->tail_max > 0) {
		if (r.tail.len > o->tail_max) {
			memmove(r.tail.data, r.tail.data + r.tail.len - o->tail_max,
			    o->tail_max);
			r.tail.len = o->tail_max;
			r.tail.data[r.tail.len] = '\0';
		}
		res->tail = buf_detach(&r.tail);
	} else
		buf_release(&r.tail);
	return 0;
}

char *
proc_argv_string(char *const *argv)
{
	struct buf	b = BUF_INIT;
	size_t		i;
	const char	*p;

	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_addch(&b, ' ');
		if (argv[i][0] != '\0' && strspn(argv[i], "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@%+") == strlen(argv[i])) {
			buf_adds(&b, argv[i]);
			continue;
		}
		buf_addch(&b, '\'');
		for (p = argv[i]; *p != '\0'; p++) {
			if (*p == '\'')
				buf_adds(&b, "'\\''");
			else
				buf_addch(&b, *p);
		}
		buf_addch(&b, '\'');
	}
	return buf_detach(&b);
}
