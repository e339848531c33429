/*
 * status-client.c - the spool of a computer's run events and the thread
 * that sends them to its site; see status-client.h.  One lock guards the
 * queue (the spool's unacknowledged lines, in memory too), the files and
 * the notes; the run's thread only ever appends under it, the sender
 * takes a batch under it and sends outside it.
 */
#include "client-int.h"
#include "status-client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/faults.h"

#define REQUEST_MS	3000		/* one batch's request, at most */
#define BACKOFF_MAX_MS	60000
#define NOTES_MAX	8
#define SEQ_RECORD	42		/* DIR/seq: "%020lld %020zu\n" */

struct entry {
	char		*line;		/* the wire line, with its newline */
	size_t		 len;
	char		 run[SMP_RUN_HEX + 1];
	long long	 seq, time;
	long long	 dropped;	/* > 0: a "dropped" event of that many */
};

struct status_client {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	pthread_t		 thread;
	int			 has_thread;
	char			*url, *spool_path, *tmp_path;
	int			 spool_fd, seq_fd;
	struct entry		*q;		/* oldest first */
	size_t			 nq, aq, bytes;
	size_t			 inflight;	/* q's first ones, being sent */
	size_t			 skip;		/* the spool's first lines, acknowledged */
	long long		 next_seq;
	size_t			 max_events, max_bytes;
	size_t			 dropped;	/* events lost to the bound */
	int			 said_dropping;
	int			 closing;
	int64_t			 close_by, batch_due;
	char			*notes[NOTES_MAX];
	size_t			 nnotes;
	/* the sender's own */
	struct smp_client	*client;
	struct stop		 stop;
	int64_t			 next_try, backoff;
	int			 outage;	/* a failure was said, none since */
	int			 gave_up;	/* closing, and a send failed */
};

/* Writes all of it: 0, or -1. */
static int
write_all(int fd, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A line for the run log.  Lock held. */
static void
note(struct status_client *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct status_client *sc, const char *fmt, ...)
{
	va_list	ap;

	if (sc->nnotes == NOTES_MAX)
		return;
	va_start(ap, fmt);
	sc->notes[sc->nnotes++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* DIR/seq: the next number and the acknowledged lines.  Lock held. */
static void
save_seq(struct status_client *sc)
{
	char	rec[SEQ_RECORD + 1];

	/* a write that fails is made good on the next open: the numbers go on
	 * from the spool's, and lines sent twice are stored once */
	snprintf(rec, sizeof rec, "%020lld %020zu\n", sc->next_seq, sc->skip);
	if (sc->seq_fd != -1)
		(void)!pwrite(sc->seq_fd, rec, SEQ_RECORD, 0);
}

static void
entry_set_line(struct entry *en, const struct smp_event *e)
{
	struct buf	b;

	buf_init(&b, 0);
	smp_event_line(&b, e);
	free(en->line);
	en->len = b.len;
	en->line = buf_detach(&b);
}

/* Appends an event to the queue (not to the file).  Lock held. */
static void
push(struct status_client *sc, const struct smp_event *e)
{
	struct entry	*en;

	if (sc->nq == sc->aq) {
		sc->aq = sc->aq ? sc->aq * 2 : 64;
		sc->q = xreallocarray(sc->q, sc->aq, sizeof *sc->q);
	}
	en = &sc->q[sc->nq++];
	memset(en, 0, sizeof *en);
	memcpy(en->run, e->run, sizeof en->run);
	en->seq = e->seq;
	en->time = e->time;
	if (e->kind == SMP_EV_DROPPED)
		en->dropped = strtoll(e->detail, NULL, 10) > 0 ? strtoll(e->detail, NULL, 10) : 1;
	entry_set_line(en, e);
	sc->bytes += en->len;
}

static void
remove_at(struct status_client *sc, size_t at, size_t n)
{
	size_t	i;

	for (i = at; i < at + n; i++) {
		sc->bytes -= sc->q[i].len;
		free(sc->q[i].line);
	}
	memmove(sc->q + at, sc->q + at + n, (sc->nq - at - n) * sizeof *sc->q);
	sc->nq -= n;
}

/* The queue's entry at as a "dropped" event of n events, numbered seq. */
static void
set_dropped(struct entry *en, long long n, long long seq, long long t)
{
	struct smp_event	e;

	memset(&e, 0, sizeof e);
	memcpy(e.run, en->run, sizeof e.run);
	e.seq = seq;
	e.time = t;
	e.kind = SMP_EV_DROPPED;
	snprintf(e.detail, sizeof e.detail, "%lld", n);
	en->dropped = n;
	en->seq = seq;
	en->time = t;
	entry_set_line(en, &e);
}

/* Drops the oldest event not being sent: it becomes (or joins the next
 * older) "dropped" event of its run.  0, or -1 when nothing can go.
 * Lock held. */
static int
drop_one(struct status_client *sc)
{
	struct entry	*a, *b;
	size_t		 p, before;

	for (p = sc->inflight; p < sc->nq; p++) {
		a = &sc->q[p];
		before = a->len;
		if (a->dropped == 0) {
			set_dropped(a, 1, a->seq, a->time);
			sc->bytes = sc->bytes - before + a->len;
			sc->dropped++;
			return 0;
		}
		if (p + 1 < sc->nq && strcmp(sc->q[p + 1].run, a->run) == 0) {
			b = &sc->q[p + 1];
			sc->dropped += b->dropped ? 0 : 1;
			set_dropped(a, a->dropped + (b->dropped ? b->dropped : 1), b->seq,
			    b->time);
			sc->bytes = sc->bytes - before + a->len;
			remove_at(sc, p + 1, 1);
			return 0;
		}
	}
	return -1;
}

/* Writes the spool anew from the queue (temporary file, rename).  Lock
 * held. */
static void
rewrite(struct status_client *sc)
{
	struct buf	b;
	size_t		i;
	int		fd;

	buf_init(&b, 0);
	for (i = 0; i < sc->nq; i++)
		buf_add(&b, sc->q[i].line, sc->q[i].len);
	fd = open(sc->tmp_path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd != -1 && write_all(fd, b.data ? b.data : "", b.len) == 0 &&
	    rename(sc->tmp_path, sc->spool_path) == 0) {
		if (sc->spool_fd != -1)
			close(sc->spool_fd);
		sc->spool_fd = fd;
		sc->skip = 0;
		save_seq(sc);
	} else if (fd != -1) {
		close(fd);
		unlink(sc->tmp_path);
	}
	buf_release(&b);
}

/* Past the bound, a tenth of it goes at once (the spool is written anew
 * once for many events).  Lock held. */
static void
make_room(struct status_client *sc)
{
	size_t	before = sc->dropped, n = sc->max_events, bytes = sc->max_bytes;

	if (sc->nq <= n && sc->bytes <= bytes)
		return;
	n -= n / 10;
	bytes -= bytes / 10;
	while ((sc->nq > n || sc->bytes > bytes) && drop_one(sc) == 0)
		;
	if (sc->dropped > before && !sc->said_dropping) {
		note(sc, "status: the spool is full (%zu events or %zu bytes wait to be "
		    "sent): the oldest are dropped, and the site is told how many",
		    sc->max_events, sc->max_bytes);
		sc->said_dropping = 1;
	}
	rewrite(sc);
}

void
status_client_add(struct status_client *sc, struct smp_event *e)
{
	pthread_mutex_lock(&sc->lock);
	e->seq = sc->next_seq++;
	if (e->time == 0)
		e->time = (long long)time(NULL);
	push(sc, e);
	save_seq(sc);
	if (sc->nq > sc->max_events || sc->bytes > sc->max_bytes)
		make_room(sc);
	else if (sc->spool_fd != -1)
		(void)write_all(sc->spool_fd, sc->q[sc->nq - 1].line, sc->q[sc->nq - 1].len);
	/* the sender waits without end on an empty spool: the first event
	 * starts its clock, the hundredth sends at once */
	if (sc->nq == 1 || sc->nq - sc->inflight == STATUS_BATCH)
		pthread_cond_signal(&sc->wake);
	pthread_mutex_unlock(&sc->lock);
}

char *
status_client_note(struct status_client *sc)
{
	char	*m = NULL;

	pthread_mutex_lock(&sc->lock);
	if (sc->nnotes > 0) {
		m = sc->notes[0];
		memmove(sc->notes, sc->notes + 1, --sc->nnotes * sizeof sc->notes[0]);
	}
	pthread_mutex_unlock(&sc->lock);
	return m;
}

/* The SMP acknowledged (or refused for good) the first n.  Lock held. */
static void
forget(struct status_client *sc, size_t n)
{
	remove_at(sc, 0, n);
	if (sc->nq == 0) {
		if (sc->spool_fd != -1 && ftruncate(sc->spool_fd, 0) == 0)
			sc->skip = 0;
		else
			sc->skip += n;
	} else
		sc->skip += n;
	save_seq(sc);
	/* the acknowledged lines are skipped when read again, until they
	 * are a good part of the file */
	if (sc->skip > 1000 && sc->skip > sc->nq)
		rewrite(sc);
}

/* One batch to the SMP: its status (0: not through), *acked. */
static int
post(struct status_client *sc, const struct buf *body, long long *acked, char **err)
{
	const char	*instead = FAULT_VALUE(TSI_FAULT_STATUS_BODY);
	char		 v[32], *text = NULL;
	size_t		 len;
	int		 st;

	*acked = -1;
	/* tests: the bytes of that file are sent instead of the batch (which
	 * the refusal they earn drops) */
	if (instead != NULL && read_file(instead, (size_t)SMP_EVENTS_MAX_BODY * 2, &text,
	    &len) == 0) {
		st = smp_call(sc->client, "POST", "/v1/events", text, len, NULL,
		    &sc->client->resp, err);
		free(text);
	} else
		st = smp_call(sc->client, "POST", "/v1/events", body->data, body->len, NULL,
		    &sc->client->resp, err);
	if (st == 200 && smp_field(sc->client->resp.data, "acknowledged", v, sizeof v) != NULL)
		*acked = strtoll(v, NULL, 10);
	return st;
}

/* What came of a batch of n.  Lock held. */
static void
took(struct status_client *sc, int st, long long acked, size_t n, const char *err)
{
	char	*a;

	if (st == 200 && acked == (long long)n) {
		forget(sc, n);
		sc->outage = 0;
		sc->backoff = 0;
		return;
	}
	a = smp_answer(st, &sc->client->resp, err ? err : "no answer");
	if (st == 400 || st == 413) {
		/* it will never pass: the batch goes, said */
		forget(sc, n);
		note(sc, "status: %s refused %zu events (%s): they are dropped", sc->url,
		    n, a);
	} else {
		if (!sc->outage)
			note(sc, "status: cannot send the run's status to %s (%s): the events "
			    "are kept and sent later", sc->url, st == 200 ?
			    "it acknowledged a part of a batch" : a);
		sc->outage = 1;
		sc->backoff = sc->backoff ? sc->backoff * 2 : STATUS_INTERVAL_MS;
		if (sc->backoff > BACKOFF_MAX_MS)
			sc->backoff = BACKOFF_MAX_MS;
		sc->next_try = now_ms() + sc->backoff;
		if (sc->closing)
			sc->gave_up = 1;
	}
	free(a);
}

/* Whether the sender has a batch to send now; else how long to wait
 * (*wait_ms, -1: until woken).  Lock held. */
static int
due(struct status_client *sc, int64_t *wait_ms)
{
	int64_t	now = now_ms(), at;

	*wait_ms = -1;
	if (sc->nq == 0)
		return 0;
	at = sc->next_try > sc->batch_due ? sc->next_try : sc->batch_due;
	if (sc->nq >= STATUS_BATCH && sc->next_try <= now)
		return 1;
	if (sc->closing)
		at = sc->next_try;
	if (at <= now)
		return 1;
	*wait_ms = at - now;
	return 0;
}

static void
timed_wait(struct status_client *sc, int64_t ms)
{
	struct timespec	ts;

	if (ms < 0) {
		pthread_cond_wait(&sc->wake, &sc->lock);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&sc->wake, &sc->lock, &ts);
}

static void *
sender(void *arg)
{
	struct status_client	*sc = arg;
	struct buf		 body;
	size_t			 n;
	long long		 acked;
	int64_t			 wait_ms, until;
	char			*err;
	int			 st;

	buf_init(&body, 0);
	pthread_mutex_lock(&sc->lock);
	for (;;) {
		if (sc->closing && (sc->nq == 0 || sc->gave_up || now_ms() >= sc->close_by))
			break;
		if (!due(sc, &wait_ms)) {
			if (sc->closing && (wait_ms < 0 || now_ms() + wait_ms >= sc->close_by))
				break;
			timed_wait(sc, wait_ms);
			continue;
		}
		buf_reset(&body);
		for (n = 0; n < sc->nq && n < SMP_EVENTS_MAX &&
		    body.len + sc->q[n].len <= SMP_EVENTS_MAX_BODY; n++)
			buf_add(&body, sc->q[n].line, sc->q[n].len);
		sc->inflight = n;
		until = now_ms() + REQUEST_MS;
		if (sc->closing && sc->close_by < until)
			until = sc->close_by;
		pthread_mutex_unlock(&sc->lock);
		sc->stop.deadline = until;
		err = NULL;
		st = post(sc, &body, &acked, &err);
		pthread_mutex_lock(&sc->lock);
		sc->inflight = 0;
		took(sc, st, acked, n, err);
		free(err);
		sc->batch_due = now_ms() + STATUS_INTERVAL_MS;
	}
	pthread_mutex_unlock(&sc->lock);
	buf_release(&body);
	return NULL;
}

/* The spool's lines, less the acknowledged ones, into the queue; a line
 * that cannot be read (cut by a crash) is left out. */
static void
load(struct status_client *sc)
{
	char			*text = NULL, *why, *p, *nl, rec[SEQ_RECORD + 1];
	struct smp_event	*ev;
	size_t			 len = 0, n, line = 0, skip = 0;
	long long		 next = 0;
	ssize_t			 got;

	got = pread(sc->seq_fd, rec, SEQ_RECORD, 0);
	if (got > 0) {
		rec[got] = '\0';
		if (sscanf(rec, "%lld %zu", &next, &skip) < 1)
			next = 0, skip = 0;
	}
	if (read_file(sc->spool_path, (size_t)STATUS_SPOOL_BYTES * 4, &text, &len) == -1)
		len = 0;
	for (p = text; p != NULL && p < text + len; p = nl + 1, line++) {
		if ((nl = memchr(p, '\n', (size_t)(text + len - p))) == NULL)
			break;
		if (line < skip)
			continue;
		if (smp_events_parse(p, (size_t)(nl + 1 - p), &ev, &n, &why) != 0) {
			free(why);
			continue;
		}
		push(sc, ev);
		if (ev->seq >= next)
			next = ev->seq + 1;
		free(ev);
	}
	free(text);
	sc->next_seq = next > 0 ? next : 1;
	sc->skip = 0;
	/* the file holds what the queue does, and only that */
	rewrite(sc);
	if (sc->nq > sc->max_events || sc->bytes > sc->max_bytes)
		make_room(sc);
}

static size_t
fault_max(size_t def)
{
	const char	*v = FAULT_VALUE(TSI_FAULT_STATUS_SPOOL_MAX);
	long long	 n;

	return v != NULL && str_to_ll(v, &n) == 0 && n > 1 ? (size_t)n : def;
}

/* The sender's client (made here, on the run's thread: libcurl is
 * loaded once, before any other thread uses it) and its thread, which
 * takes no signal (the run's thread does). */
static void
start_sender(struct status_client *sc, const struct smp_client_opts *o)
{
	struct smp_client_opts	 co = *o;
	sigset_t		 mask, old;
	char			*err = NULL;

	co.note = NULL;
	co.pool = NULL;
	co.recovery_key = NULL;		/* a store's business, not the status' */
	co.ctx = NULL;
	co.stop = &sc->stop;
	if (smp_client_new(&sc->client, sc->url, &co, &err) == -1) {
		note(sc, "status: cannot send the run's status to %s: %s; the events are "
		    "kept", sc->url, err);
		free(err);
		return;
	}
	sc->client->sign_body = 1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGPIPE);
	sigaddset(&mask, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &mask, &old);
	sc->has_thread = pthread_create(&sc->thread, NULL, sender, sc) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!sc->has_thread)
		note(sc, "status: cannot start the sender: the events are kept");
}

int
status_client_open(struct status_client **out, const char *dir, const char *url,
    const struct smp_client_opts *o, char **err)
{
	struct status_client	*sc;
	char			*seq_path;

	*out = NULL;
	if (mkdir_p(dir, 0700) == -1) {
		*err = xasprintf("cannot make the status spool folder '%s': %s", dir,
		    strerror(errno));
		return -1;
	}
	sc = xcalloc(1, sizeof *sc);
	pthread_mutex_init(&sc->lock, NULL);
	pthread_cond_init(&sc->wake, NULL);
	sc->url = xstrdup(url);
	sc->spool_path = xasprintf("%s/spool", dir);
	sc->tmp_path = xasprintf("%s/spool.tmp", dir);
	seq_path = xasprintf("%s/seq", dir);
	sc->max_events = fault_max(STATUS_SPOOL_EVENTS);
	sc->max_bytes = STATUS_SPOOL_BYTES;
	sc->spool_fd = open(sc->spool_path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	sc->seq_fd = open(seq_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(seq_path);
	if (sc->spool_fd == -1 || sc->seq_fd == -1) {
		*err = xasprintf("cannot open the status spool in '%s': %s", dir,
		    strerror(errno));
		status_client_free(sc);
		return -1;
	}
	pthread_mutex_lock(&sc->lock);
	load(sc);
	sc->batch_due = now_ms() + STATUS_INTERVAL_MS;
	pthread_mutex_unlock(&sc->lock);
	start_sender(sc, o);
	*out = sc;
	return 0;
}

size_t
status_client_close(struct status_client *sc, int64_t ms, size_t *dropped)
{
	size_t	left;

	pthread_mutex_lock(&sc->lock);
	sc->closing = 1;
	sc->close_by = now_ms() + ms;
	sc->next_try = 0;	/* one more try, whatever the back-off said */
	pthread_cond_signal(&sc->wake);
	pthread_mutex_unlock(&sc->lock);
	if (sc->has_thread)
		pthread_join(sc->thread, NULL);
	sc->has_thread = 0;
	pthread_mutex_lock(&sc->lock);
	left = sc->nq;
	*dropped = sc->dropped;
	pthread_mutex_unlock(&sc->lock);
	return left;
}

void
status_client_free(struct status_client *sc)
{
	size_t	i;

	if (sc == NULL)
		return;
	if (sc->has_thread) {
		size_t d;

		status_client_close(sc, 0, &d);
	}
	smp_client_free(sc->client);
	for (i = 0; i < sc->nq; i++)
		free(sc->q[i].line);
	free(sc->q);
	for (i = 0; i < sc->nnotes; i++)
		free(sc->notes[i]);
	if (sc->spool_fd != -1)
		close(sc->spool_fd);
	if (sc->seq_fd != -1)
		close(sc->seq_fd);
	pthread_mutex_destroy(&sc->lock);
	pthread_cond_destroy(&sc->wake);
	free(sc->url);
	free(sc->spool_path);
	free(sc->tmp_path);
	free(sc);
}
