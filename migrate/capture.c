/*
 * capture.c - capturing the users' state of a system into a store: the
 * walk, the rules, the user selection and the findings are shared; the
 * store behind it is either encrypted (capture-archive.c) or hard links
 * (capture-hardlink.c).
 */
#include "capture-int.h"
#include "../lib/faults.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
progress(struct capture *c, int force)
{
	struct timespec	now;
	double		t, mib;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t = (double)now.tv_sec + now.tv_nsec / 1e9;
	if (!force && t - c->last_progress < 1.0)
		return;
	c->last_progress = t;
	mib = (double)c->counts->bytes / (1024 * 1024);
	cap_say(c, STATE_PROGRESS, "captured %" PRIu64 " files, %.1f MiB (%.1f MiB/s)",
	    c->counts->files, mib, t > c->started ? mib / (t - c->started) : 0.0);
}

/* The catalog path of an entry: USER/REL. */
static char *
entry_path(struct capture *c, const char *rel, size_t len)
{
	return len ? xasprintf("%s/%.*s", c->user->name, (int)len, rel) :
	    xstrdup(c->user->name);
}

/* Writes the folders down to levels[last] that are not in the store yet. */
static int
emit_folders(struct capture *c, struct scan_entry *e, int last)
{
	int	i;

	for (i = 0; i <= last; i++) {
		struct scan_level	*l = &e->levels[i];
		char			*path;
		int			 r;

		if (l->mark)
			continue;
		path = entry_path(c, e->rel, l->rel_len);
		r = c->sink->folder(c, e, i, path);
		free(path);
		if (r == -1)
			return -1;
		l->mark = 1;
		c->counts->dirs++;
	}
	return 0;
}

static const char *
kind_of(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ?
	    "a character device" : S_ISBLK(m) ? "a block device" : "not a file";
}

static int
capture_entry(void *ctx, struct scan_entry *e)
{
	struct capture	*c = ctx;
	char		*path;
	int		 r;

	if (c->err != NULL)
		return -1;
	if (e->st == NULL) {
		if (e->err == ENOENT)
			return 0;
		if (e->err == ESTALE)
			return cap_finding(c, 0, e->rel, "moved while the capture ran: "
			    "the rest of this folder was not captured");
		return cap_finding(c, 1, e->rel, "cannot read: %s", strerror(e->err));
	}
	if (e->folder_end) {
		/* the home always (its mode travels), a folder the rules take
		 * even when nothing in it does (an empty folder is state too) */
		if (e->depth == 0 || e->dec.included)
			return emit_folders(c, e, e->depth);
		return 0;
	}
	if (e->pruned_at > 0 || !e->dec.included) {
		leftout_add(c->leftout, e);
		if (c->verbose)
			cap_say(c, STATE_VERBOSE, "left out ~%s/%s", c->user->name, e->rel);
		return 0;
	}
	if (e->refused != NULL)
		return cap_finding(c, 0, e->rel, "not captured%s: %s", S_ISDIR(e->st->st_mode) ?
		    ", with all below it" : "", e->refused);
	if (!S_ISREG(e->st->st_mode) && !S_ISLNK(e->st->st_mode))
		return cap_finding(c, 0, e->rel, "not captured: %s (made by the programs "
		    "that use it; FIFOs, sockets and devices are not migrated)",
		    kind_of(e->st->st_mode));
	if (emit_folders(c, e, e->depth) == -1)
		return -1;
	path = entry_path(c, e->rel, strlen(e->rel));
	r = S_ISREG(e->st->st_mode) ? c->sink->file(c, e, path) :
	    c->sink->symlink(c, e, path);
	free(path);
	if (r == 0)
		cap_say(c, STATE_VERBOSE, "captured ~%s/%s", c->user->name, e->rel);
	if (r == 0 && c->listfiles != NULL)	/* ScanState /listfiles */
		fprintf(c->listfiles, "%s/%s\n", c->user->home, e->rel);
	FAULT_SLEEP(TSI_FAULT_SLOW_FILE_MS);
	cap_stopping(c);	/* no system call: every file */
	if ((c->counts->files & 63) == 0)
		progress(c, 0);
	return c->err != NULL ? -1 : 0;
}

static void
say_leftout(void *ctx, const char *line)
{
	cap_say(ctx, STATE_INFO, "%s", line);
}

/* The user's crontab (CRONTAB_SPOOL/USER under the root), when there is
 * one: it is the user's state, though outside the home. */
static int
capture_crontab(struct capture *c)
{
	struct scan_level	 level;
	struct scan_entry	 e;
	struct stat		 st;
	char			*dir = xasprintf("%s" CRONTAB_SPOOL, strcmp(c->o->root, "/") ?
				    c->o->root : ""), *path, *rel;
	int			 dfd, r = 0;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(dir);
	if (dfd == -1)
		return 0;
	if (fstatat(dfd, c->user->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
		memset(&level, 0, sizeof level);
		level.fd = -1;
		rel = xasprintf("(crontab %s)", CRONTAB_SPOOL);
		memset(&e, 0, sizeof e);
		e.dfd = dfd;
		e.name = c->user->name;
		e.rel = rel;
		e.st = &st;
		e.levels = &level;
		path = xasprintf(CRONTAB_PREFIX "%s", c->user->name);
		if ((r = c->sink->file(c, &e, path)) == 0)
			cap_say(c, STATE_INFO, "captured the crontab of '%s'", c->user->name);
		free(path);
		free(rel);
	}
	close(dfd);
	return r;
}

/* The catalog's header: where and when, and the users captured. */
static void
catalog_header(struct capture *c, struct buf *b, const struct mig_users *us,
    const char *selected)
{
	char	when[32];
	size_t	i;

	cat_add_field(b, CATALOG_MAGIC, "1");
	cat_add_field(b, "source", c->o->computer);
	snprintf(when, sizeof when, "%lld", (long long)time(NULL));
	cat_add_field(b, "created", when);
	cat_add_field(b, "root", c->o->root);
	for (i = 0; i < us->n; i++) {
		struct cat_user cu = { us->v[i].name, us->v[i].group, us->v[i].home,
		    us->v[i].shell, us->v[i].gecos, us->v[i].uid, us->v[i].gid };

		if (selected[i])
			cat_add_user(b, &cu);
	}
}

/* ScanState /p:FILE: what the store took, for planning space. */
static void
write_estimate(struct capture *c, const char *path)
{
	FILE	*fp = fopen(path, "we");

	if (fp == NULL) {
		cap_say(c, STATE_FINDING, "cannot write /p '%s': %s", path, strerror(errno));
		return;
	}
	fprintf(fp, "files\t%" PRIu64 "\nbytes\t%" PRIu64 "\nstore_bytes\t%" PRIu64 "\n",
	    c->counts->files, c->counts->bytes, c->counts->stored);
	fclose(fp);
}

int
state_capture(const struct capture_opts *o, const struct state_log *log,
    struct state_counts *counts, char **err)
{
	struct capture		 c;
	struct capture_opts	 opts = *o;
	struct usmt_opts	 uo;
	struct mig_users	 us;
	struct ruleset		 rs;
	struct diag		 d;
	struct buf		 head = BUF_INIT;
	struct timespec		 t0;
	char			*selected = NULL, date[11];
	size_t			 i, nsel = 0;
	int			 r = -1;

	memset(counts, 0, sizeof *counts);
	memset(&c, 0, sizeof c);
	memset(&us, 0, sizeof us);
	memset(&rs, 0, sizeof rs);
	diag_init(&d);
	if (usmt_parse(USMT_CAPTURE, o->switches ? o->switches : "", &uo, err) == -1)
		return STATE_INVALID;
	opts.overwrite |= uo.o;
	opts.hardlink |= uo.hardlink;
	opts.nocompress |= uo.nocompress;
	opts.continue_on_error |= uo.c;
	opts.verbose |= uo.verbose > 0;
	c.o = &opts;
	c.log = log;
	c.counts = counts;
	c.verbose = opts.verbose;
	c.continue_on_error = opts.continue_on_error;
	if (!opts.hardlink && opts.nrcpt == 0) {
		*err = xstrdup("an encrypted store needs at least one recipient");
		goto out;
	}
	if (users_load(opts.root, opts.all_users, &us, &d) == -1 ||
	    rules_load(&rs, opts.packs, opts.npacks, &d) == -1) {
		*err = diag_text(&d);
		r = STATE_INVALID;
		goto out;
	}
	selected = xcalloc(us.n + 1, 1);
	for (i = 0; i < us.n; i++) {
		int idle = days_idle(opts.root, &us.v[i], date);

		selected[i] = (char)usmt_user_selected(&uo, opts.computer, us.v[i].name,
		    idle, date);
		if (!selected[i])
			cap_say(&c, STATE_INFO, "user '%s' left out by /ui, /ue or /uel",
			    us.v[i].name);
		else if (!state_user_allowed(opts.only_users, us.v[i].name)) {
			selected[i] = 0;
			cap_say(&c, STATE_INFO, "user '%s' left out: the SMP association "
			    "captures %s only", us.v[i].name, opts.only_users);
		}
		nsel += (size_t)selected[i];
	}
	catalog_header(&c, &head, &us, selected);
	ids_load(opts.root, "passwd", &c.pw);
	ids_load(opts.root, "group", &c.gr);
	c.sink = opts.hardlink ? &hardlink_sink : &archive_sink;
	if (c.sink->open(&c, &head) == -1) {
		c.sink->abort(&c);
		*err = c.err ? c.err : xstrdup("cannot open the store");
		c.err = NULL;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c.started = c.last_progress = (double)t0.tv_sec + t0.tv_nsec / 1e9;
	if (uo.listfiles != NULL && (c.listfiles = fopen(uo.listfiles, "we")) == NULL)
		c.err = xasprintf("cannot write /listfiles '%s': %s", uo.listfiles,
		    strerror(errno));
	for (i = 0; i < us.n && c.err == NULL; i++) {
		if (!selected[i])
			continue;
		c.user = &us.v[i];
		cap_say(&c, STATE_INFO, "capturing user '%s' (%s)", c.user->name,
		    c.user->home);
		c.leftout = leftout_new();
		scan_home(opts.root, c.user, &rs, capture_entry, &c, NULL);
		if (c.err == NULL)
			capture_crontab(&c);
		if (c.err == NULL)
			leftout_report(c.leftout, say_leftout, &c);
		leftout_free(c.leftout);
		c.leftout = NULL;
	}
	if (c.listfiles != NULL && fclose(c.listfiles) != 0 && c.err == NULL)
		c.err = xasprintf("cannot write /listfiles '%s'", uo.listfiles);
	c.listfiles = NULL;
	/* a stop or a deadline that came after the last file still means no
	 * store: a step that timed out leaves none behind */
	cap_stopping(&c);
	if (c.err == NULL && c.sink->finish(&c) == 0) {
		if (uo.p_file != NULL)
			write_estimate(&c, uo.p_file);
		progress(&c, 1);
		cap_say(&c, STATE_INFO, "captured %" PRIu64 " files (%" PRIu64 " bytes) of "
		    "%zu users into '%s'%s", counts->files, counts->bytes, nsel,
		    opts.store, counts->findings ? "; see the findings above" : "");
		r = 0;
	} else {
		c.sink->abort(&c);
		*err = c.err ? c.err : xstrdup("the capture failed");
		c.err = NULL;
	}
out:
	free(c.err);
	ids_release(&c.pw);
	ids_release(&c.gr);
	free(selected);
	buf_release(&head);
	users_release(&us);
	rules_release(&rs);
	usmt_release(&uo);
	diag_release(&d);
	return r;
}
