/*
 * metrics-serve.c - `tsi smp serve --metrics-listen ADDR:PORT`: GET
 * /metrics in Prometheus' text format 0.0.4 over plain HTTP, on a
 * libmicrohttpd daemon of its own beside the main server.  It is not
 * authenticated, so it shows counts only: metrics.c's counters, and this
 * node's gauges (uploads under way, stores by state, each storage
 * folder's free bytes and stores), read at most once a second with the
 * server's lock held for those reads alone.  One thread answers every
 * scrape, one at a time, at most METRICS_CONNECTIONS connections open,
 * each closed after METRICS_TIMEOUT_S of silence: scrapes cannot take
 * threads, memory or the lock from the computers the SMP serves.
 */
#include "smp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../lib/defaults.h"
#include "../lib/mhd-api.h"
#include "smp-int.h"

#define METRICS_CONNECTIONS	8
#define METRICS_TIMEOUT_S	10
#define METRICS_TYPE		"text/plain; version=0.0.4; charset=utf-8"

static const char *const store_states[] = { "uploading", "complete", "released", "deleted" };

struct smp_metrics {
	struct smp_server	*s;
	const struct mhd_api	*M;
	struct MHD_Daemon	*d;
	/* the gauges, as last read (only the daemon's one thread touches them) */
	int64_t			 read_ms;		/* 0: never */
	int			 uploads;
	int			 stores_ok;
	long long		 stores[ARRAY_SIZE(store_states)];
	int			 folder_ok[SMP_FOLDERS_MAX];
	struct smp_folder_stat	 folders[SMP_FOLDERS_MAX];
};

static void
count_state(void *ctx, const char *state, long long n)
{
	struct smp_metrics	*m = ctx;
	size_t			 i;

	for (i = 0; i < ARRAY_SIZE(store_states); i++)
		if (strcmp(state, store_states[i]) == 0)
			m->stores[i] = n;
}

/* The gauges, unless they were read less than a second ago. */
static void
read_gauges(struct smp_metrics *m)
{
	struct smp_server	*s = m->s;
	int64_t			 now = now_ms();
	size_t			 i;

	if (m->read_ms != 0 && now - m->read_ms < 1000)
		return;
	m->read_ms = now;
	memset(m->stores, 0, sizeof m->stores);
	pthread_mutex_lock(&s->lock);
	m->uploads = smp_uploading_count(s);
	m->stores_ok = db_stores_by_state(s->db, s->conf.node, count_state, m) == 0;
	for (i = 0; i < s->conf.nfolders; i++)
		m->folder_ok[i] = smp_folder_stat(s, i, &m->folders[i]) == 0;
	pthread_mutex_unlock(&s->lock);
}

/* A folder's gauge: one sample per folder that could be read. */
static void
folder_gauge(struct smp_metrics *m, struct buf *b, const char *name, const char *help,
    int bytes)
{
	size_t	i;

	smp_metrics_head(b, name, "gauge", help);
	for (i = 0; i < m->s->conf.nfolders; i++) {
		if (!m->folder_ok[i])
			continue;
		buf_addf(b, "%s{folder=\"", name);
		smp_metrics_label(b, m->s->conf.folders[i].path);
		buf_addf(b, "\"} %llu\n", bytes ? (unsigned long long)m->folders[i].free_bytes :
		    (unsigned long long)m->folders[i].clients);
	}
}

static void
render(struct smp_metrics *m, struct buf *b)
{
	size_t	i;

	read_gauges(m);
	smp_metrics_head(b, "tsi_smp_up", "gauge", "1: the SMP serves.");
	buf_adds(b, "tsi_smp_up 1\n");
	smp_metrics_head(b, "tsi_smp_build_info", "gauge", "The SMP's version.");
	buf_adds(b, "tsi_smp_build_info{version=\"");
	smp_metrics_label(b, TSI_VERSION);
	buf_adds(b, "\"} 1\n");
	smp_metrics_counters(b);
	smp_metrics_head(b, "tsi_smp_uploads_in_progress", "gauge", "Stores an upload "
	    "(or a release's check) holds now.");
	buf_addf(b, "tsi_smp_uploads_in_progress %d\n", m->uploads);
	smp_metrics_head(b, "tsi_smp_stores", "gauge", "This node's stores by state "
	    "(none when the database cannot be read).");
	for (i = 0; m->stores_ok && i < ARRAY_SIZE(store_states); i++)
		buf_addf(b, "tsi_smp_stores{state=\"%s\"} %lld\n", store_states[i],
		    m->stores[i]);
	folder_gauge(m, b, "tsi_smp_folder_free_bytes", "Bytes free in a storage folder's "
	    "file system, for unprivileged users.", 1);
	folder_gauge(m, b, "tsi_smp_folder_stores", "Stores a storage folder holds "
	    "(every state but deleted), as max_clients counts them.", 0);
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *data, size_t *data_size, void **con_cls)
{
	static int		 seen;
	struct smp_metrics	*m = cls;
	struct MHD_Response	*resp;
	struct buf		 b;
	enum MHD_Result		 ret;
	int			 status = 200;

	(void)version;
	(void)data;
	/* answered at the head: a body, if any, is never read */
	if (*con_cls != NULL) {
		*data_size = 0;
		return MHD_YES;
	}
	*con_cls = &seen;
	buf_init(&b, 1024 * 1024);
	if (strcmp(url, "/metrics") != 0) {
		status = 404;
		buf_adds(&b, "error: no such resource: this port serves GET /metrics only\n");
	} else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = 405;
		buf_addf(&b, "error: %s is not allowed here: GET /metrics\n", method);
	} else
		render(m, &b);
	resp = m->M->create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
	buf_release(&b);
	if (resp == NULL)
		return MHD_NO;
	m->M->add_response_header(resp, "Content-Type", status == 200 ? METRICS_TYPE :
	    "text/plain; charset=utf-8");
	if (status == 405)
		m->M->add_response_header(resp, "Allow", "GET, HEAD");
	ret = m->M->queue_response(c, (unsigned)status, resp);
	m->M->destroy_response(resp);
	return ret;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("tsi smp: metrics: ", stderr);
	vfprintf(stderr, fmt, ap);
}

struct smp_metrics *
smp_metrics_start(struct smp_server *s, const char *listen, const char *port_file,
    char **err)
{
	struct sockaddr_storage		 ss;
	struct smp_metrics		*m;
	const union MHD_DaemonInfo	*info;
	const char			*why;
	char				*line;
	int				 port;
	unsigned			 flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
					    MHD_USE_ERROR_LOG;

	if (smp_listen_sockaddr(listen, "--metrics-listen", &ss, &port, err) == -1)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m = xcalloc(1, sizeof *m);
	m->s = s;
	if ((m->M = mhd_api(&why)) == NULL) {
		*err = xasprintf("cannot load libmicrohttpd: %s", why);
		free(m);
		return NULL;
	}
	errno = 0;
	m->d = m->M->start_daemon(flags, (uint16_t)port, NULL, NULL, answer, m,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
	    MHD_OPTION_END);
	if (m->d == NULL) {
		*err = xasprintf("cannot listen on %s for the metrics (--metrics-listen): %s",
		    listen, errno ? strerror(errno) : "libmicrohttpd refused to start");
		free(m);
		return NULL;
	}
	if ((info = m->M->get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT)) != NULL)
		port = info->port;
	if (port_file != NULL) {
		line = xasprintf("%d\n", port);
		if (write_file_atomic(port_file, line, strlen(line), 0644) == -1) {
			*err = xasprintf("cannot write %s: %s", port_file, strerror(errno));
			free(line);
			smp_metrics_stop(m);
			return NULL;
		}
		free(line);
	}
	fprintf(stderr, "tsi smp: metrics on plain HTTP port %d: GET /metrics\n", port);
	return m;
}

void
smp_metrics_stop(struct smp_metrics *m)
{
	if (m == NULL)
		return;
	m->M->stop_daemon(m->d);
	free(m);
}
