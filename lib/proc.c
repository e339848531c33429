/* proc.c - see proc.h */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
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
	int		 cut;		/* the last piece handed over was partial */
};

struct run {
	const struct proc_opts	*o;
	struct proc_result	*res;
	struct stream		 s[2];
	struct buf		 tail;
	uint64_t		 stdout_bytes;
	pid_t			 pid;
	int			 pidfd;
	int			 exited;
	int			 status;
};

static void
emit(struct run *r, struct stream *s, const char *p, size_t n, int partial)
{
	unsigned	cuts = (s->cut ? PROC_CUT_BEFORE : 0) |
			    (partial ? PROC_CUT_AFTER : 0);

	if (!partial && n > 0 && p[n - 1] == '\r')
		n--;
	s->cut = partial;
	if (r->o->on_line != NULL)
		r->o->on_line(r->o->ctx, s->name, p, n, cuts);
}

static void
emit_line(struct run *r, struct stream *s, const char *p, size_t n)
{
	emit(r, s, p, n, 0);
}

/* Adds bytes to the line being read; a line past LINE_MAX_BYTES is handed
 * over in pieces, none of it lost. */
static void
take(struct run *r, struct stream *s, const char *p, size_t n)
{
	if (n == 0 || buf_add(&s->line, p, n) == 0)
		return;
	emit(r, s, s->line.data, s->line.len, 1);
	buf_reset(&s->line);
	buf_add(&s->line, p, n);
}

static void
keep_tail(struct run *r, const char *p, size_t n)
{
	size_t	max = r->o->tail_max;

	if (max == 0)
		return;
	r->stdout_bytes += n;
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

/* Reads what is there, at most READ_BURST bytes so that a chatty child
 * cannot keep tsi from its deadline; returns 0 at EOF, 1 otherwise. */
#define READ_BURST	(64 * 1024)

static int
read_stream(struct run *r, struct stream *s)
{
	char	chunk[8192], *nl, *p;
	ssize_t	n;
	size_t	left, burst = 0;

	for (;;) {
		if (burst >= READ_BURST && !r->exited)
			return 1;
		n = read(s->fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN ? 1 : 0;
		if (n == 0)
			break;
		burst += (size_t)n;
		if (s == &r->s[0])
			keep_tail(r, chunk, (size_t)n);
		p = chunk;
		left = (size_t)n;
		while ((nl = memchr(p, '\n', left)) != NULL) {
			take(r, s, p, (size_t)(nl - p));
			emit_line(r, s, s->line.data ? s->line.data : "", s->line.len);
			buf_reset(&s->line);
			left -= (size_t)(nl - p) + 1;
			p = nl + 1;
		}
		take(r, s, p, left);
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

extern char **environ;

static int
make_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

/* environ, less the names env_add sets, plus env_add (caller frees the array). */
static char **
build_envp(char *const *env_add)
{
	size_t	 n = 0, k = 0, i, j;
	char	**envp;

	while (environ[n] != NULL)
		n++;
	while (env_add != NULL && env_add[k] != NULL)
		k++;
	envp = xcalloc(n + k + 1, sizeof *envp);
	for (i = 0, n = 0; environ[i] != NULL; i++) {
		size_t len = strcspn(environ[i], "=");

		for (j = 0; j < k; j++)
			if (strncmp(env_add[j], environ[i], len) == 0 &&
			    env_add[j][len] == '=')
				break;
		if (j == k)
			envp[n++] = environ[i];
	}
	for (j = 0; j < k; j++)
		envp[n++] = env_add[j];
	return envp;
}

/*
 * Whether argv[0] can be run, looked up as execvp would.  posix_spawn
 * reports exec failures too, but only where vfork semantics hold (not
 * under valgrind, say); a missing program or working directory is the
 * common mistake, so it is found here, with a plain errno.
 */
static int
check_runnable(const char *prog, const char *cwd)
{
	const char	*path, *p, *end;
	char		*full;
	int		 r;

	if (*prog == '\0')
		return ENOENT;
	if (cwd != NULL && access(cwd, X_OK) == -1)
		return errno;
	if (strchr(prog, '/') != NULL) {
		if (prog[0] != '/' && cwd != NULL) {
			full = path_join(cwd, prog);
			r = access(full, X_OK);
			free(full);
		} else
			r = access(prog, X_OK);
		return r == -1 ? errno : 0;
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		full = end == p ? xasprintf("./%s", prog) :
		    xasprintf("%.*s/%s", (int)(end - p), p, prog);
		r = access(full, X_OK);
		free(full);
		if (r == 0)
			return 0;
		if (*end == '\0')
			return ENOENT;
	}
}

/*
 * posix_spawn, which glibc runs with vfork semantics: a fork() of a process
 * that maps as many libraries as tsi costs more than the commands it runs.
 * The child leads its own process group, starts with default signal
 * dispositions and an empty mask, reads /dev/null and writes to our pipes.
 * Returns 0 or an errno (exec or chdir failure included).
 */
static int
spawn(const struct proc_opts *o, int out, int err, pid_t *pid)
{
	posix_spawn_file_actions_t	fa;
	posix_spawnattr_t		attr;
	sigset_t			set;
	char				**envp;
	int				r;

	if ((r = check_runnable(o->argv[0], o->cwd)) != 0)
		return r;
	envp = build_envp(o->env_add);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, err, 2);
	if (o->cwd != NULL)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	sigemptyset(&set);
	posix_spawnattr_setsigmask(&attr, &set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGCHLD);
	posix_spawnattr_setsigdefault(&attr, &set);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK);
	r = posix_spawnp(pid, o->argv[0], &fa, &attr, o->argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	return r;
}

int
proc_run(const struct proc_opts *o, struct proc_result *res)
{
	struct run	r;
	struct stop	until = { o->deadline };
	enum stop_why	why;
	int		out[2], err[2], e, i;

	/* the sooner of the call's own deadline and its step's */
	if (o->stop != NULL && o->stop->deadline > 0 &&
	    (until.deadline == 0 || o->stop->deadline < until.deadline))
		until.deadline = o->stop->deadline;
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
	e = spawn(o, out[1], err[1], &r.pid);
	close(out[1]);
	close(err[1]);
	if (e != 0) {
		res->exec_errno = e;
		res->exit_code = 127;
		close(out[0]);
		close(err[0]);
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
		struct pollfd	pfd[4];
		int		np = 0, timeout = -1, rc;

		why = stop_check(&until);
		if (why != STOP_NO) {
			res->stopped = why == STOP_SIGNAL;
			res->timed_out = why == STOP_DEADLINE;
			kill_group(&r);
			break;
		}
		timeout = stop_wait_ms(&until, -1);
		for (i = 0; i < 2; i++)
			if (r.s[i].fd >= 0)
				pfd[np++] = (struct pollfd){ r.s[i].fd, POLLIN, 0 };
		if (r.pidfd >= 0)
			pfd[np++] = (struct pollfd){ r.pidfd, POLLIN, 0 };
		else if (timeout < 0 || timeout > 20)
			timeout = 20;
		/* a stop signal that lands just before poll still wakes it */
		if (stop_signal_fd() >= 0)
			pfd[np++] = (struct pollfd){ stop_signal_fd(), POLLIN, 0 };
		rc = poll(pfd, (nfds_t)np, timeout);
		if (rc == -1 && errno != EINTR) {
			kill_group(&r);
			break;
		}
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
		res->tail_cut = r.stdout_bytes > o->tail_max;
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
