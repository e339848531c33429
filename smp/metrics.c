/*
 * metrics.c - the main server's counters for `tsi smp serve
 * --metrics-listen` (metrics-serve.c serves them): requests by route and
 * status, the body bytes taken and sent, the answers' durations as a
 * histogram, and the database failures handlers answered.  Connection
 * threads update them with C11 atomics (relaxed: each is a count of its
 * own, no other memory hangs on it), never a lock; here too is their text
 * in Prometheus' exposition format 0.0.4.  Only counts: no name, no id.
 */
#include "smp.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "smp-int.h"

/* The route label: every enum smp_route, "other" for a request refused
 * before its route was known (or not ours: 404). */
enum {
	MR_OTHER, MR_HELLO, MR_CAPACITY, MR_REQUEST, MR_STATUS, MR_UPLOAD, MR_DOWNLOAD,
	MR_RELEASE, MR_EVENTS, MR_CONSOLE, MR_N
};
static const char *const route_names[MR_N] = {
	"other", "hello", "capacity", "request", "status", "upload", "download",
	"release", "events", "console",
};

/* The status label: 100..599 (the server sends nothing else). */
#define CODE_MIN	100
#define CODE_N		500

/* Seconds: each bucket's upper bound, and its le label.  Counted per
 * bucket, summed up as the format wants when shown. */
static const double	 bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
static const char *const bound_names[] = {
	"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
	"2.5", "5", "10",
};
#define NBOUNDS		ARRAY_SIZE(bounds)

static atomic_ullong	 requests[MR_N][CODE_N];
static atomic_ullong	 buckets[NBOUNDS + 1];		/* the last: +Inf */
static atomic_ullong	 duration_ns;			/* the histogram's sum */
static atomic_ullong	 received, sent, db_errors;

static int
route_index(enum smp_route r)
{
	switch (r) {
	case SMP_R_HELLO:	return MR_HELLO;
	case SMP_R_CAPACITY:	return MR_CAPACITY;
	case SMP_R_REQUEST:	return MR_REQUEST;
	case SMP_R_STATUS:	return MR_STATUS;
	case SMP_R_UPLOAD:	return MR_UPLOAD;
	case SMP_R_DOWNLOAD:	return MR_DOWNLOAD;
	case SMP_R_RELEASE:	return MR_RELEASE;
	case SMP_R_EVENTS:	return MR_EVENTS;
	case SMP_R_CONSOLE:	return MR_CONSOLE;
	default:		return MR_OTHER;
	}
}

static void
add(atomic_ullong *c, unsigned long long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static unsigned long long
get(atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void
smp_metrics_request(enum smp_route route, int status, double seconds, uint64_t in,
    uint64_t out)
{
	size_t	b = 0;

	if (status < CODE_MIN || status >= CODE_MIN + CODE_N)
		status = 500;
	add(&requests[route_index(route)][status - CODE_MIN], 1);
	if (seconds < 0)
		seconds = 0;
	while (b < NBOUNDS && seconds > bounds[b])
		b++;
	add(&buckets[b], 1);
	add(&duration_ns, (unsigned long long)(seconds * 1e9));
	if (in > 0)
		add(&received, in);
	if (out > 0)
		add(&sent, out);
}

void
smp_metrics_db_error(void)
{
	add(&db_errors, 1);
}

void
smp_metrics_head(struct buf *b, const char *name, const char *type, const char *help)
{
	/* help is ours: no backslash or newline to escape */
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
smp_metrics_label(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			buf_adds(b, "\\\\");
		else if (*v == '"')
			buf_adds(b, "\\\"");
		else if (*v == '\n')
			buf_adds(b, "\\n");
		else
			buf_addch(b, *v);
	}
}

static void
counter(struct buf *b, const char *name, const char *help, atomic_ullong *c)
{
	smp_metrics_head(b, name, "counter", help);
	buf_addf(b, "%s %llu\n", name, get(c));
}

void
smp_metrics_counters(struct buf *b)
{
	unsigned long long	 n, cum = 0;
	size_t			 r, code, i;

	smp_metrics_head(b, "tsi_smp_requests_total", "counter", "Requests the SMP "
	    "answered, by route and HTTP status.");
	for (r = 0; r < MR_N; r++)
		for (code = 0; code < CODE_N; code++)
			if ((n = get(&requests[r][code])) > 0)
				buf_addf(b, "tsi_smp_requests_total{route=\"%s\",code=\"%zu\"} "
				    "%llu\n", route_names[r], code + CODE_MIN, n);
	counter(b, "tsi_smp_received_bytes_total", "Request body bytes taken "
	    "(uploads, run events).", &received);
	counter(b, "tsi_smp_sent_bytes_total", "Response body bytes sent (downloads "
	    "mostly; a download cut short counts whole).", &sent);
	counter(b, "tsi_smp_database_errors_total", "Requests answered with a database "
	    "failure (500, or 503 when the site database is down).", &db_errors);
	smp_metrics_head(b, "tsi_smp_request_duration_seconds", "histogram", "Time from "
	    "a request's first line to its answer.");
	for (i = 0; i <= NBOUNDS; i++) {
		cum += get(&buckets[i]);
		buf_addf(b, "tsi_smp_request_duration_seconds_bucket{le=\"%s\"} %llu\n",
		    i < NBOUNDS ? bound_names[i] : "+Inf", cum);
	}
	/* the count is the +Inf bucket's, read once: the two always agree */
	buf_addf(b, "tsi_smp_request_duration_seconds_sum %.9f\n"
	    "tsi_smp_request_duration_seconds_count %llu\n",
	    (double)get(&duration_ns) / 1e9, cum);
}
