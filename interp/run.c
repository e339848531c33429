/*
 * run.c - starting, resuming, ending and restarting runs: the state dir,
 * its lock, the initial environment, and the exit codes of engine.h.
 */
#include "engine-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/proc.h"
#include "../lib/defaults.h"

static int
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fputs("tsi: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* This process's part of the run ends for its watcher (once). */
static void
watch_end(struct engine *e)
{
	void	*w = e->watcher;

	if (w == NULL)
		return;
	e->watcher = NULL;
	e->opts->watch->end(w, &e->log);
	runlog_observe(&e->log, NULL);
}

static void
watch_start(struct engine *e)
{
	if (e->opts->watch != NULL && !e->dry_run)
		e->watcher = e->opts->watch->start(e->state_dir, &e->vars, &e->log);
}

static void
engine_release(struct engine *e)
{
	size_t	i;

	watch_end(e);

	for (i = 0; i < e->nrun_data; i++)
		e->run_data[i].release(e->run_data[i].data);
	free(e->run_data);
	runlog_close(&e->log);
	if (e->lock_fd >= 0)
		close(e->lock_fd);
	if (e->journal_fd >= 0)
		close(e->journal_fd);
	sequence_free(e->seq);
	vars_release(&e->vars);
	free(e->sequence_path);
	free(e->state_dir);
	free(e->log_dir);
	free(e->root);
	free(e->reboot_command);
	free(e->journal_path);
	free(e->status);
	free(e->rc);
	free(e->deadline);
	free(e->duration_ms);
	free(e->journal_state);
}

static void
engine_init(struct engine *e, const struct run_opts *o)
{
	memset(e, 0, sizeof *e);
	e->opts = o;
	e->dry_run = o->dry_run;
	e->lock_fd = -1;
	e->journal_fd = -1;
	vars_init(&e->vars);
	if (o->reboot_command != NULL)
		e->reboot_command = xstrdup(o->reboot_command);
}

static void
alloc_status(struct engine *e)
{
	size_t	n = e->seq->n, i;

	e->status = xmalloc(n + 1);
	memset(e->status, ST_NOT_RUN, n);
	e->status[n] = '\0';
	e->rc = xcalloc(n + 1, sizeof *e->rc);
	e->deadline = xcalloc(n + 1, sizeof *e->deadline);
	e->duration_ms = xcalloc(n + 1, sizeof *e->duration_ms);
	for (i = 0; i < n; i++)
		e->duration_ms[i] = -1;
}

static char *
absolute_dir(const char *dir)
{
	char	*real = realpath(dir, NULL);

	return real ? real : xstrdup(dir);
}

/* The state dir is 0700 (the journal holds secrets) and locked for the run. */
static int
open_state_dir(struct engine *e)
{
	const char	*dir = e->opts->state_dir ? e->opts->state_dir : DEFAULT_STATE_DIR;
	struct stat	 st;
	char		*lock;
	int		 existed = stat(dir, &st) == 0;

	if (mkdir_p(dir, 0700) == -1 || stat(dir, &st) == -1)
		return usage_error("cannot use state dir '%s': %s", dir, strerror(errno));
	/* tsi tightens only what it made: chmod of an existing /tmp would hurt */
	if (!existed && chmod(dir, 0700) == -1)
		return usage_error("cannot use state dir '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		return usage_error("state dir '%s' must be a directory of yours that "
		    "nobody else can read (the journal holds secrets): chmod 700 it, "
		    "or choose another", dir);
	e->state_dir = absolute_dir(dir);
	e->journal_path = xasprintf("%s/journal.jsonl", e->state_dir);
	lock = xasprintf("%s/lock", e->state_dir);
	e->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(lock);
	if (e->lock_fd == -1)
		return usage_error("cannot lock state dir '%s': %s", dir, strerror(errno));
	if (flock(e->lock_fd, LOCK_EX | LOCK_NB) == -1)
		return usage_error("another tsi is running with state dir '%s'", dir);
	return 0;
}

static int
open_log(struct engine *e)
{
	const char	*dir = e->opts->log_dir;

	if (dir == NULL)
		dir = e->log_dir ? e->log_dir : DEFAULT_LOG_DIR;
	if (!e->dry_run && mkdir_p(dir, 0700) == -1)
		return usage_error("cannot use log dir '%s': %s", dir, strerror(errno));
	dir = xstrdup(dir);
	free(e->log_dir);
	e->log_dir = absolute_dir(dir);
	free((char *)dir);
	if (runlog_open(&e->log, e->dry_run ? NULL : e->log_dir, &e->vars) == -1)
		return usage_error("cannot open the logs in '%s': %s", e->log_dir,
		    strerror(errno));
	return 0;
}

static void
set_builtins(struct engine *e)
{
	char	host[256] = "localhost", n[32];

	gethostname(host, sizeof host - 1);
	engine_set_var(e, "_SMSTSMachineName", host);
	engine_set_var(e, "_SMSTSLogPath", e->log_dir);
	snprintf(n, sizeof n, "%zu", e->seq->n);
	engine_set_var(e, "_SMSTSInstructionTableSize", n);
	engine_set_var(e, "_TSIRoot", e->root);
}

static int
set_initial_var(struct engine *e, const struct seq_var *v, const char *origin)
{
	enum vars_result r;
	struct diag	 d;
	char		*why;

	/* a typed variable holds a value of its type from the start */
	if ((why = typed_var_check(e->opts->steps, v->name, v->value,
	    v->secret ? TV_SECRET : 0)) != NULL) {
		diag_init(&d);
		if (v->secret || vars_always_secret(v->name, v->value))
			diag_error_quiet(&d, &v->loc, "%s", why);
		else
			diag_error(&d, &v->loc, "%s", why);
		diag_print(&d, stderr, DIAG_TEXT);
		diag_release(&d);
		free(why);
		fprintf(stderr, "tsi: nothing was run\n");
		return EXIT_USAGE;
	}
	r = vars_set(&e->vars, v->name, v->value, v->secret ? VAR_SECRET : 0);
	if (r != VARS_OK)
		return usage_error("%s: cannot set '%s': %s", origin, v->name,
		    vars_result_str(r));
	return 0;
}

/* Precedence: sequence variables < --vars-file < --var (sccm-spec.md 1.4). */
static int
apply_initial_vars(struct engine *e)
{
	const struct run_opts	*o = e->opts;
	struct seq_var		*fv = NULL;
	struct diag		 d;
	size_t			 i, nfv = 0;
	int			 r = 0;

	for (i = 0; i < e->seq->nvars && r == 0; i++)
		r = set_initial_var(e, &e->seq->vars[i], e->seq->path);
	if (r == 0 && o->vars_file != NULL) {
		diag_init(&d);
		if (vars_file_load(o->vars_file, &fv, &nfv, &d) == -1) {
			diag_print(&d, stderr, DIAG_TEXT);
			r = EXIT_USAGE;
		}
		diag_release(&d);
		for (i = 0; i < nfv && r == 0; i++)
			r = set_initial_var(e, &fv[i], o->vars_file);
		seq_vars_free(fv, nfv);
	}
	for (i = 0; i < o->ncli_vars && r == 0; i++)
		r = set_initial_var(e, &o->cli_vars[i], "--var");
	return r;
}

static void
new_run_id(struct engine *e)
{
	unsigned char	r[16] = { 0 };
	size_t		i;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		int64_t t = now_ms() ^ ((int64_t)getpid() << 20);

		memcpy(r, &t, sizeof t);
	}
	for (i = 0; i < sizeof r; i++)
		snprintf(e->run_id + 2 * i, 3, "%02x", r[i]);
	format_utc(e->started);
}

static struct sequence *
load_sequence(const struct engine *e, const char *path)
{
	struct diag	 d;
	struct sequence	*seq;

	diag_init(&d);
	seq = sequence_load(path, e->opts->steps, &d, SEQ_HASH);
	diag_print(&d, stderr, DIAG_TEXT);
	if (seq == NULL)
		fprintf(stderr, "tsi: %s; nothing was run\n", diag_summary(&d));
	diag_release(&d);
	return seq;
}

static void
refuse_unfinished(struct engine *e)
{
	struct journal_info	ji;

	if (journal_peek(e->journal_path, &ji) == -1) {
		usage_error("a damaged journal is in '%s'; discard it with `tsi "
		    "discard --state-dir %s`", e->state_dir, e->state_dir);
		return;
	}
	usage_error("an unfinished run of '%s' (started %s, %s at instruction "
	    "%lld) is journaled in '%s'\n  resume it:  tsi resume --state-dir %s\n"
	    "  discard it: tsi discard --state-dir %s", ji.sequence, ji.started,
	    strcmp(ji.state, "restart") == 0 ? "restarting" : "stopped", ji.ip,
	    e->state_dir, e->state_dir, e->state_dir);
	journal_info_release(&ji);
}

static int
set_root(struct engine *e, const char *root)
{
	struct stat	st;

	if (root == NULL)
		root = "/";
	if (stat(root, &st) == -1 || !S_ISDIR(st.st_mode))
		return usage_error("--root '%s' is not a directory", root);
	e->root = absolute_dir(root);
	return 0;
}

static void
log_start(struct engine *e, const char *event)
{
	struct json	*j;

	j = runlog_event_begin(&e->log, event);
	json_str(j, "sequence", e->sequence_path);
	json_str(j, "name", e->seq->name);
	json_str(j, "hash", e->seq->hash);
	json_str(j, "run_id", e->run_id);
	json_int(j, "steps", (long long)e->seq->nsteps);
	json_int(j, "ip", e->ip);
	json_bool(j, "dry_run", e->dry_run);
	runlog_event_end(&e->log);
}

static int	engine_finish(struct engine *, int interrupted);
static int	engine_restart(struct engine *);

/* What the run loop stopped for: the end, a restart or a signal. */
static int
end_or_restart(struct engine *e, enum loop_end how)
{
	switch (how) {
	case LOOP_RESTART:
		return engine_restart(e);
	case LOOP_INTERRUPTED:
		return engine_finish(e, 1);
	default:
		return engine_finish(e, 0);
	}
}

int
engine_run(const struct run_opts *o)
{
	struct engine	 e;
	struct stat	 st;
	int		 r;

	engine_init(&e, o);
	if ((e.sequence_path = realpath(o->sequence, NULL)) == NULL) {
		r = usage_error("cannot read '%s': %s", o->sequence, strerror(errno));
		goto out;
	}
	if ((e.seq = load_sequence(&e, o->sequence)) == NULL) {
		r = EXIT_USAGE;
		goto out;
	}
	if ((r = set_root(&e, o->root)) != 0)
		goto out;
	if (!e.dry_run) {
		if ((r = open_state_dir(&e)) != 0)
			goto out;
		if (lstat(e.journal_path, &st) == 0) {
			refuse_unfinished(&e);
			r = EXIT_USAGE;
			goto out;
		}
	}
	if ((r = open_log(&e)) != 0)
		goto out;
	set_builtins(&e);
	if ((r = apply_initial_vars(&e)) != 0)
		goto out;
	if (e.reboot_command == NULL)
		e.reboot_command = xstrdup(DEFAULT_REBOOT_COMMAND);
	alloc_status(&e);
	new_run_id(&e);
	runlog_msg(&e.log, LOG_INFO, "tsi %s: %s '%s' (%s), %zu step%s", TSI_VERSION,
	    e.dry_run ? "dry run of" : "running", e.seq->name, o->sequence,
	    e.seq->nsteps, e.seq->nsteps == 1 ? "" : "s");
	watch_start(&e);
	log_start(&e, "run_start");
	r = end_or_restart(&e, engine_continue(&e, 0));
out:
	engine_release(&e);
	return r;
}

int
engine_resume(const struct run_opts *o)
{
	struct engine		 e;
	struct journal_info	 ji;
	struct stat		 st;
	int			 r, no_rerun = 0;

	engine_init(&e, o);
	memset(&ji, 0, sizeof ji);
	if ((r = open_state_dir(&e)) != 0)
		goto out;
	if (lstat(e.journal_path, &st) == -1) {
		r = usage_error("nothing to resume: no journal in '%s'", e.state_dir);
		goto out;
	}
	if (journal_peek(e.journal_path, &ji) == -1) {
		r = usage_error("the journal '%s' is damaged; discard it with `tsi "
		    "discard --state-dir %s`", e.journal_path, e.state_dir);
		goto out;
	}
	e.sequence_path = xstrdup(ji.sequence);
	if ((e.seq = load_sequence(&e, ji.sequence)) == NULL) {
		r = usage_error("cannot resume the run of '%s'", ji.sequence);
		goto out;
	}
	if (strcmp(ji.hash, e.seq->hash) != 0 && !o->force) {
		r = usage_error("'%s' changed since the run started; resume anyway "
		    "with --force, or discard the run with `tsi discard`", ji.sequence);
		goto out;
	}
	if ((r = set_root(&e, o->root ? o->root : ji.root)) != 0)
		goto out;
	alloc_status(&e);
	if (journal_read(&e, e.journal_path) == -1) {
		r = EXIT_USAGE;
		goto out;
	}
	if ((r = open_log(&e)) != 0)
		goto out;
	set_builtins(&e);
	if (e.reboot_command == NULL)
		e.reboot_command = xstrdup(DEFAULT_REBOOT_COMMAND);
	if (strcmp(e.journal_state, "running") == 0 && e.ip < (int)e.seq->n &&
	    e.seq->nodes[e.ip]->kind == TN_STEP) {
		const struct tnode *t = e.seq->nodes[e.ip];

		no_rerun = !t->rerun_on_resume;
		if (!no_rerun)
			runlog_msg(&e.log, LOG_WARN, "resuming '%s': step %d '%s' was "
			    "interrupted; running it again", e.seq->name,
			    t->step_number, t->name);
	} else
		runlog_msg(&e.log, LOG_INFO, "resuming '%s' after a restart, at "
		    "instruction %d of %zu", e.seq->name, e.ip, e.seq->n);
	watch_start(&e);
	log_start(&e, "resume");
	r = end_or_restart(&e, engine_continue(&e, no_rerun));
out:
	journal_info_release(&ji);
	engine_release(&e);
	return r;
}

int
engine_discard(const struct run_opts *o)
{
	struct engine		e;
	struct journal_info	ji;
	int			r;

	engine_init(&e, o);
	if ((r = open_state_dir(&e)) != 0)
		goto out;
	if (journal_peek(e.journal_path, &ji) == 0) {
		printf("tsi: discarded the unfinished run of '%s' (started %s, at "
		    "instruction %lld)\n", ji.sequence, ji.started, ji.ip);
		journal_info_release(&ji);
	} else if (access(e.journal_path, F_OK) == 0)
		printf("tsi: discarded a damaged journal\n");
	else {
		printf("tsi: nothing to discard in '%s'\n", e.state_dir);
		goto out;
	}
	if (unlink(e.journal_path) == -1)
		r = usage_error("cannot remove '%s': %s", e.journal_path, strerror(errno));
out:
	engine_release(&e);
	return r;
}

/* What became of the steps: every step is in exactly one count. */
struct step_counts {
	size_t	ran, failed, skipped, not_run;
};

static void
count_steps(const struct engine *e, struct step_counts *c)
{
	size_t	i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < e->seq->n; i++) {
		if (e->seq->nodes[i]->kind != TN_STEP)
			continue;
		switch (e->status[i]) {
		case ST_SUCCEEDED:	c->ran++; break;
		case ST_FAILED:
		case ST_TIMED_OUT:	c->ran++; c->failed++; break;
		case ST_SKIPPED:
		case ST_DISABLED:	c->skipped++; break;
		default:		c->not_run++; break;
		}
	}
}

/* "1 step ran (0 failed), 2 skipped", and ", 3 not run" after a failure. */
static void
counts_text(const struct step_counts *c, int dry_run, char *out, size_t len)
{
	int	n;

	if (dry_run && c->failed > 0)	/* an unported step, say */
		n = snprintf(out, len, "%zu step%s would run (%zu would fail), %zu "
		    "skipped", c->ran, c->ran == 1 ? "" : "s", c->failed, c->skipped);
	else if (dry_run)
		n = snprintf(out, len, "%zu step%s would run, %zu skipped", c->ran,
		    c->ran == 1 ? "" : "s", c->skipped);
	else
		n = snprintf(out, len, "%zu step%s ran (%zu failed), %zu skipped", c->ran,
		    c->ran == 1 ? "" : "s", c->failed, c->skipped);
	if (c->not_run > 0 && n > 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, ", %zu not run", c->not_run);
}

static int
engine_finish(struct engine *e, int interrupted)
{
	struct json		*j;
	const char		*result;
	struct step_counts	 c;
	char			 counts[160];
	int			 code;

	if (interrupted) {
		runlog_msg(&e->log, LOG_ERROR, "stopped by a signal during step '%s'; "
		    "the journal is kept: `tsi resume` runs it again",
		    e->seq->nodes[e->ip]->name);
		j = runlog_event_begin(&e->log, "run_end");
		json_str(j, "result", "interrupted");
		json_int(j, "exit_code", EXIT_INTERRUPTED);
		runlog_event_end(&e->log);
		if (!e->dry_run)
			report_write(e, "interrupted", EXIT_INTERRUPTED);
		watch_end(e);
		return EXIT_INTERRUPTED;
	}
	count_steps(e, &c);
	counts_text(&c, e->dry_run, counts, sizeof counts);
	result = e->failed ? "failed" : "succeeded";
	code = e->failed ? EXIT_FAILED : EXIT_OK;
	if (e->dry_run)
		runlog_msg(&e->log, e->failed ? LOG_ERROR : LOG_INFO, "dry run of "
		    "'%s': %s%s; nothing was changed", e->seq->name, counts,
		    e->failed ? "; the sequence would fail" : "");
	else
		runlog_msg(&e->log, e->failed ? LOG_ERROR : LOG_INFO, "sequence '%s' "
		    "%s: %s", e->seq->name, result, counts);
	j = runlog_event_begin(&e->log, "run_end");
	json_str(j, "result", result);
	json_int(j, "exit_code", code);
	json_int(j, "steps_run", (long long)c.ran);
	json_int(j, "steps_failed", (long long)c.failed);
	json_int(j, "steps_skipped", (long long)c.skipped);
	json_int(j, "steps_not_run", (long long)c.not_run);
	runlog_event_end(&e->log);
	if (!e->dry_run) {
		report_write(e, result, code);
		/* a run that stopped because its journal could not be written
		 * keeps the last good one: `tsi resume` can go on from there */
		if (!e->journal_failed)
			journal_remove(e);
	}
	watch_end(e);
	return code;
}

static void
reboot_output(void *ctx, const char *stream, const char *line, size_t len,
    unsigned cuts)
{
	runlog_output(ctx, stream, line, len, cuts);
}

static int
engine_restart(struct engine *e)
{
	struct proc_opts	 po;
	struct proc_result	 pr;
	static char		 sh[] = "/bin/sh", dash_c[] = "-c";
	char			*argv[] = { sh, dash_c, e->reboot_command, NULL };
	struct json		*j;

	if (journal_write(e, "restart") == -1) {
		runlog_msg(&e->log, LOG_ERROR, "cannot write the journal '%s' before "
		    "restarting: %s; not restarting", e->journal_path, strerror(errno));
		e->failed = 1;
		e->journal_failed = 1;
		return engine_finish(e, 0);
	}
	runlog_msg(&e->log, LOG_INFO, "restarting with '%s'; after the restart, "
	    "`tsi resume` goes on at instruction %d of %zu", e->reboot_command,
	    e->ip, e->seq->n);
	j = runlog_event_begin(&e->log, "restart");
	json_int(j, "ip", e->ip);
	json_str(j, "command", e->reboot_command);
	runlog_event_end(&e->log);
	report_write(e, "restarting", EXIT_RESTART);
	/* before the reboot command, which may end this process */
	watch_end(e);
	memset(&po, 0, sizeof po);
	po.argv = argv;
	po.on_line = reboot_output;
	po.ctx = &e->log;
	po.deadline = now_ms() + 300 * 1000;
	if (proc_run(&po, &pr) == -1 || pr.exit_code != 0)
		runlog_msg(&e->log, LOG_ERROR, "the reboot command failed (%s); "
		    "restart the computer yourself: tsi-resume.service runs `tsi "
		    "resume` at boot", pr.exec_errno ? strerror(pr.exec_errno) :
		    "non-zero exit");
	free(pr.tail);
	return EXIT_RESTART;
}
