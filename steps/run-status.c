/*
 * run-status.c - a run's status reported to its site: the run_watch that
 * `tsi run` and `tsi resume` hand the engine (interp/engine.h).
 *
 * A computer knows its site by TSIStatusURL, or else by the first URL of
 * TSIStateMigrationPoints (as the SMP steps read it); it signs with the
 * identity of TSIIdentityDir and pins TSISMPCACert, as they do.  The run
 * log's events (interp/log.h: redacted as events.jsonl has them) become
 * the status events of the wire (smp/proto.h), which the status client
 * spools in STATE_DIR/status and sends from a thread of its own
 * (smp/status-client.h).  What the sender has to say goes to the run log
 * from the run's thread, at the next event and at the end.
 */
#include "steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../interp/engine.h"
#include "../lib/defaults.h"
#include "../smp/status-client.h"
#include "../store/fastcrypto.h"
#include "state-step.h"

struct watcher {
	struct status_client	*sc;
	struct runlog		*log;
	char			*url;
	char			 run[SMP_RUN_HEX + 1];
	long long		 steps;
};

static const struct runlog_field *
field(const struct runlog_field *f, size_t n, const char *key)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].key, key) == 0)
			return &f[i];
	return NULL;
}

static const char *
str(const struct runlog_field *f, size_t n, const char *key)
{
	const struct runlog_field	*x = field(f, n, key);

	return x != NULL && x->str != NULL ? x->str : "";
}

/* A number field: 1 with *v, or 0 when the event has none. */
static int
num(const struct runlog_field *f, size_t n, const char *key, long long *v)
{
	const struct runlog_field	*x = field(f, n, key);

	if (x == NULL || x->str != NULL)
		return 0;
	*v = x->num;
	return 1;
}

static void
say_notes(struct watcher *w)
{
	char	*m;

	while ((m = status_client_note(w->sc)) != NULL) {
		runlog_msg(w->log, LOG_INFO, "%s", m);
		free(m);
	}
}

/* The run's id on the wire: 32 hex digits (a journal of an older tsi
 * holds 16: they are hashed to 32). */
static void
set_run(struct watcher *w, const char *id)
{
	uint8_t	sum[32];
	char	hex[65];

	if (strlen(id) == SMP_RUN_HEX && strspn(id, "0123456789abcdef") == SMP_RUN_HEX) {
		memcpy(w->run, id, SMP_RUN_HEX + 1);
		return;
	}
	sha256(id, strlen(id), sum);
	hex_encode(sum, sizeof sum, hex);
	memcpy(w->run, hex, SMP_RUN_HEX);
	w->run[SMP_RUN_HEX] = '\0';
}

/* A step's place, "K/N". */
static void
place(struct watcher *w, const struct runlog_field *f, size_t n, char *out, size_t len)
{
	long long	k = 0;

	num(f, n, "step", &k);
	snprintf(out, len, "%lld/%lld", k, w->steps);
}

/* runlog_observer: each event of the run log as a status event, or none. */
static void
observe(void *ctx, const char *event, const struct runlog_field *f, size_t n)
{
	struct watcher		*w = ctx;
	struct smp_event	 e;
	char			 detail[SMP_EVENT_DETAIL_MAX + 1] = "", k[48];
	const char		*step = "", *result = "";
	long long		 v = 0, ran, failed, skipped, not_run;
	int			 is_step = strcmp(str(f, n, "kind"), "step") == 0;

	memset(&e, 0, sizeof e);
	if (strcmp(event, "run_start") == 0 || strcmp(event, "resume") == 0) {
		set_run(w, str(f, n, "run_id"));
		w->steps = num(f, n, "steps", &v) ? v : 0;
		e.kind = SMP_EV_RUN_START;
		step = str(f, n, "name");
		result = strcmp(event, "resume") == 0 ? "resumed" : "";
		snprintf(detail, sizeof detail, "%lld", w->steps);
	} else if (strcmp(event, "step_start") == 0 && is_step) {
		e.kind = SMP_EV_STEP_START;
		step = str(f, n, "name");
		place(w, f, n, detail, sizeof detail);
	} else if ((strcmp(event, "step_end") == 0 || strcmp(event, "skip") == 0) && is_step) {
		e.kind = SMP_EV_STEP_END;
		step = str(f, n, "name");
		result = strcmp(event, "skip") == 0 ? "skipped" : str(f, n, "result");
		place(w, f, n, k, sizeof k);
		if (num(f, n, "exit_code", &v))
			snprintf(detail, sizeof detail, "%s exit %lld", k, v);
		else
			snprintf(detail, sizeof detail, "%s", k);
	} else if (strcmp(event, "progress") == 0) {
		e.kind = SMP_EV_PROGRESS;
		step = str(f, n, "name");
		snprintf(detail, sizeof detail, "%s", str(f, n, "message"));
	} else if (strcmp(event, "run_end") == 0) {
		e.kind = SMP_EV_RUN_END;
		result = str(f, n, "result");
		num(f, n, "exit_code", &v);
		if (num(f, n, "steps_run", &ran) && num(f, n, "steps_failed", &failed) &&
		    num(f, n, "steps_skipped", &skipped) && num(f, n, "steps_not_run", &not_run))
			snprintf(detail, sizeof detail, "exit %lld: %lld ran (%lld failed), %lld "
			    "skipped, %lld not run", v, ran, failed, skipped, not_run);
		else
			snprintf(detail, sizeof detail, "exit %lld", v);
	} else if (strcmp(event, "restart") == 0) {
		e.kind = SMP_EV_RUN_END;
		result = "restarting";
		snprintf(detail, sizeof detail, "restarting the computer; tsi resume goes on "
		    "at instruction %lld", num(f, n, "ip", &v) ? v : 0);
	} else
		return;
	if (w->run[0] == '\0')
		return;		/* no run_start seen: not ours */
	memcpy(e.run, w->run, sizeof e.run);
	smp_event_field(e.step, SMP_EVENT_STEP_MAX, step);
	smp_event_field(e.result, SMP_EVENT_RESULT_MAX, result);
	smp_event_field(e.detail, SMP_EVENT_DETAIL_MAX, detail);
	status_client_add(w->sc, &e);
	say_notes(w);
}

/* The variable's value, or NULL when unset or empty. */
static const char *
var(const struct vars *v, const char *name)
{
	const char	*s = vars_get(v, name);

	return s != NULL && *s != '\0' ? s : NULL;
}

/* The site: TSIStatusURL, or the first of TSIStateMigrationPoints (caller
 * frees), or NULL. */
static char *
site_of(const struct vars *v)
{
	const char	*s = var(v, "TSIStatusURL"), *list;
	char		*urls[32], *url = NULL;
	size_t		 n, i;

	if (s != NULL)
		return xstrdup(s);
	if ((list = var(v, "TSIStateMigrationPoints")) == NULL)
		return NULL;
	n = state_smp_list(list, urls, 32);
	for (i = 0; i < n; i++) {
		if (i == 0)
			url = urls[0];
		else
			free(urls[i]);
	}
	return url;
}

static void *
start(const char *state_dir, const struct vars *v, struct runlog *log)
{
	struct smp_client_opts	 o;
	struct watcher		*w;
	struct runlog_observer	 obs;
	const char		*plain = var(v, "TSISMPAllowPlainHTTP");
	char			*url = site_of(v), *dir, *err = NULL;
	int			 b = 0;

	if (url == NULL) {
		runlog_msg(log, LOG_DEBUG, "status: no site (TSIStatusURL or "
		    "TSIStateMigrationPoints unset): not reported");
		return NULL;
	}
	if (!smp_is_url(url)) {
		runlog_msg(log, LOG_WARN, "status: '%s' is not an SMP's URL (such as "
		    "https://smp1:8443): the run's status is not reported", url);
		free(url);
		return NULL;
	}
	memset(&o, 0, sizeof o);
	o.identity_dir = var(v, "TSIIdentityDir") ? var(v, "TSIIdentityDir") :
	    DEFAULT_IDENTITY_DIR;
	o.cacert = var(v, "TSISMPCACert");
	o.allow_plain_http = plain != NULL && parse_bool(plain, &b) == 0 && b;
	w = xcalloc(1, sizeof *w);
	w->log = log;
	w->url = url;
	dir = xasprintf("%s/status", state_dir);
	if (status_client_open(&w->sc, dir, url, &o, &err) == -1) {
		runlog_msg(log, LOG_WARN, "status: %s: the run's status is not reported", err);
		free(err);
		free(dir);
		free(url);
		free(w);
		return NULL;
	}
	free(dir);
	runlog_msg(log, LOG_DEBUG, "status: reported to %s", url);
	say_notes(w);
	obs.event = observe;
	obs.ctx = w;
	runlog_observe(log, &obs);
	return w;
}

static void
end(void *arg, struct runlog *log)
{
	struct watcher	*w = arg;
	size_t		 kept, dropped;

	runlog_observe(log, NULL);
	kept = status_client_close(w->sc, STATUS_FLUSH_MS, &dropped);
	say_notes(w);
	if (dropped > 0)
		runlog_msg(log, LOG_INFO, "status: %zu events were dropped: the spool "
		    "had no room for them (the site is told how many)", dropped);
	if (kept > 0)
		runlog_msg(log, LOG_INFO, "status: %zu events kept to send later (the next "
		    "tsi run or tsi resume on this computer sends them)", kept);
	else
		runlog_msg(log, LOG_DEBUG, "status: every event sent to %s", w->url);
	status_client_free(w->sc);
	free(w->url);
	free(w);
}

const struct run_watch status_watch = { start, end };
