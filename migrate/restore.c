/*
 * restore.c - restoring a store into the system under the root: users
 * selected by /ui /ue, renamed by /mu, created by /lac; owners mapped by
 * name (uids differ between computers); every change journaled under
 * ROOT/var/lib/tsi/restore/STORE-ID so that a killed restore resumes
 * where it stopped and `tsi state undo` can put everything back.
 */
#include "restorer.h"
#include "../lib/faults.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migrate.h"

static double
now_s(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void
progress(struct restorer *r, int force)
{
	double	t = now_s(), rate, mib = (double)r->counts->bytes / (1024 * 1024);
	double	total = (double)r->us.bytes / (1024 * 1024);
	int	pct;

	if (!force && t - r->last < 1.0)
		return;
	r->last = t;
	rate = t > r->started ? mib / (t - r->started) : 0;
	/* the total comes from the store: clamp before converting */
	pct = total > 0 && mib < total ? (int)(100 * mib / total) : 100;
	rsay(r, STATE_PROGRESS, pct > 100 ? 100 : pct, "restored %.1f of %.1f MiB "
	    "(%.1f MiB/s, %.0f s left)", mib, total, rate,
	    rate > 0 && total > mib ? (total - mib) / rate : 0.0);
}

static void
mark_done(struct restorer *r, uint64_t i)
{
	if (i / 8 >= r->done_len) {
		size_t n = (size_t)(i / 8 + 1) * 2;

		r->done = xrealloc(r->done, n);
		memset(r->done + r->done_len, 0, n - r->done_len);
		r->done_len = n;
	}
	r->done[i / 8] |= (uint8_t)(1u << (i % 8));
}

static int
is_done(const struct restorer *r, uint64_t i)
{
	return i / 8 < r->done_len && (r->done[i / 8] >> (i % 8) & 1);
}

/* "P PATH STORE-PATH": where an earlier run put the inode of a hard-linked
 * set, so that a resumed run links the set's later names to it. */
static void
placed_before(struct restorer *r, char *fields, struct buf *last)
{
	char	*tab = strchr(fields, '\t'), *abs, *store;

	if (tab == NULL)
		return;
	*tab = '\0';
	abs = journal_path(fields, last);
	store = journal_field(tab + 1);
	if (abs != NULL && store != NULL)
		strmap_set(&r->placed_before, store, abs);
	free(abs);
	free(store);
}

/* The journal of an earlier, interrupted run: which entries are done.
 * Read a line at a time: its size is not the memory's. */
static int
read_journal(struct restorer *r, const char *path)
{
	struct buf	 last = BUF_INIT;
	FILE		*f;
	char		*line = NULL, *tab;
	size_t		 cap = 0;
	ssize_t		 n;
	long long	 v;
	int		 finished = 0;

	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while ((n = getline(&line, &cap, f)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (line[0] == 'E' && line[1] == '\t' && str_to_ll(line + 2, &v) == 0 && v >= 0)
			mark_done(r, (uint64_t)v);
		else if (line[0] == 'P' && line[1] == '\t')
			placed_before(r, line + 2, &last);
		else if (line[0] != '\0' && line[1] == '\t') {
			/* any other path: the next may be written from it */
			if ((tab = strchr(line + 2, '\t')) != NULL)
				*tab = '\0';
			free(journal_path(line + 2, &last));
		} else if (strcmp(line, "done") == 0)
			finished = 1;
		else if (strcmp(line, "undone") == 0) {
			finished = 0, free(r->done), r->done = NULL, r->done_len = 0;
			strmap_release(&r->placed_before);
		}
	}
	free(line);
	fclose(f);
	buf_release(&last);
	return finished;
}

static int
open_records(struct restorer *r)
{
	char	*journal, *saved, *root_state;
	int	 finished;

	root_state = in_root(r->o->root, RESTORE_STATE_DIR);
	r->state_dir = xasprintf("%s/%s", root_state, r->us.id);
	free(root_state);
	saved = xasprintf("%s/saved", r->state_dir);
	journal = xasprintf("%s/journal", r->state_dir);
	if (mkdir_parents(r->state_dir) == -1 || (mkdir(r->state_dir, 0700) == -1 &&
	    errno != EEXIST) || (mkdir(saved, 0700) == -1 && errno != EEXIST) ||
	    (r->saved_fd = open(saved, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r->err = xasprintf("cannot make the restore records in '%s': %s",
		    r->state_dir, strerror(errno));
		free(saved);
		free(journal);
		return -1;
	}
	{
		/* saved/ names are never reused: an earlier run's originals stay */
		int		 dfd = dup(r->saved_fd);
		DIR		*dp = dfd == -1 ? NULL : fdopendir(dfd);
		struct dirent	*de;
		long long	 v;

		while (dp != NULL && (de = readdir(dp)) != NULL)
			if (str_to_ll(de->d_name, &v) == 0 && v > 0 &&
			    (uint64_t)v > r->saved_seq)
				r->saved_seq = (uint64_t)v;
		if (dp != NULL)
			closedir(dp);
		else if (dfd != -1)
			close(dfd);
	}
	finished = read_journal(r, journal);
	r->journal.fd = open(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (r->journal.fd == -1)
		r->err = xasprintf("cannot write '%s': %s", journal, strerror(errno));
	else if (r->done_len > 0 || finished)
		rsay(r, STATE_INFO, -1, "going on with an earlier restore of this store "
		    "(%s)", journal);
	free(saved);
	free(journal);
	return r->journal.fd == -1 ? -1 : 0;
}

/* After an entry: its E record, or the fatal error that stops the work. */
static void
entry_done(struct restorer *r, struct placer *p, int k, uint64_t index)
{
	char	n[24];

	if (k == -1) {
		r->err = p->fatal;
		p->fatal = NULL;
		return;
	}
	snprintf(n, sizeof n, "%" PRIu64, index);
	placer_journal(p, "E", NULL, n);
}

/* The crontab of store user name: to this computer's spool, as the user
 * it is restored as (/mu), owned by them and the group crontab, 0600, by
 * the same collision rule as files. */
static int
restore_crontab(struct restorer *r, const char *name, uint64_t index,
    struct archive_entry *ae, const struct stat *hl_st)
{
	struct ruser	*ru = ruser_of(r, name);
	unsigned long	 gid = 0;
	uint64_t	 renamed = r->counts->renamed;
	char		*spool;
	int		 k;

	if (ru == NULL || is_done(r, index))
		return 0;
	if (r->cron_fd == -1) {
		spool = in_root(r->o->root, CRONTAB_SPOOL);
		/* as Debian's cron package makes it: root:crontab 1730 */
		if (mkdir_parents(spool) == 0 && mkdir(spool, 01730) == 0) {
			ids_id(&r->dgr, "crontab", &gid);
			if (chown(spool, 0, (gid_t)gid) == -1 && geteuid() == 0)
				rsay(r, STATE_FINDING, -1, "%s: owner not set: %s", spool,
				    strerror(errno));
			chmod(spool, 01730);
		}
		r->cron_fd = open(spool, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (r->cron_fd == -1) {
			rsay(r, STATE_FINDING, -1, "the crontab of '%s' not restored: %s: %s",
			    ru->dest, spool, strerror(errno));
			free(spool);
			return 0;
		}
		placer_init(&r->cron, r->cron_fd, spool);	/* owns spool now */
		r->cron.overwrite = r->o->overwrite;
		r->cron.log = r->log;
		r->cron.counts = r->counts;
		r->cron.journal = &r->journal;
		r->cron.saved_fd = r->saved_fd;
		r->cron.saved_seq = &r->saved_seq;
		r->cron.owners = geteuid() == 0;
		r->cron.skel_fd = -1;
		snprintf(r->cron.tmp_tag, sizeof r->cron.tmp_tag, ".tsi-restore-%.8s-", r->us.id);
	}
	ids_id(&r->dgr, "crontab", &gid);
	archive_entry_set_perm(ae, 0600);
	if (hl_st != NULL ? !S_ISREG(hl_st->st_mode) : archive_entry_filetype(ae) != AE_IFREG) {
		rsay(r, STATE_FINDING, -1, "the crontab of '%s' not restored: not a file in "
		    "the store", ru->dest);
		return 0;
	}
	/* a copy, never a link: the spool is another file system, often */
	k = hl_st != NULL ? placer_copy(&r->cron, ru->dest, r->hl_dir, r->hl_name,
	    ru->uid, (long)gid, index) :
	    placer_entry(&r->cron, ru->dest, r->us.a, ae, ru->uid, (long)gid, index);
	if (k == 0 && r->counts->renamed > renamed)
		rsay(r, STATE_FINDING, -1, "%s/%s: a crontab was already here: the user's is "
		    "beside it, which cron does not read; merge the two with crontab -e",
		    r->cron.base_path, ru->dest);
	entry_done(r, &r->cron, k, index);
	return k;
}

/* One entry of either kind of store: ae its metadata (for a hard-link
 * store made from the catalog), hl_st the hard-link store's file. */
static int
restore_one(struct restorer *r, const char *path, uint64_t index,
    struct archive_entry *ae, const struct stat *hl_st)
{
	struct ruser	*ru;
	const char	*rel;
	char		*user = split_user(path, &rel);
	long		 uid, gid;
	int		 k = 0;

	if (strcmp(user, "::crontab") == 0) {
		k = rel != NULL ? restore_crontab(r, rel, index, ae, hl_st) : 0;
		free(user);
		return k;
	}
	if ((ru = ruser_of(r, user)) != NULL && !is_done(r, index)) {
		if (rel == NULL)
			restore_home(r, ru, ae);
		else if (hl_st == NULL && (k = link_across(r, ru, path, rel, ae, index)) != 1)
			;	/* linked to the same file in another user's home */
		else {
			map_owner(r, ru, rel, ae, &uid, &gid);
			k = hl_st != NULL ? placer_link(&ru->placer, rel, r->hl_dir,
			    r->hl_name, hl_st, ae, uid, gid, index) :
			    placer_entry(&ru->placer, rel, r->us.a, ae, uid, gid, index);
		}
		entry_done(r, &ru->placer, k, index);
	}
	free(user);
	return k;
}

/* After each entry: whether a signal or the step's deadline stops the
 * restore (r->err says so).  The check costs no system call. */
static int
restore_stopping(struct restorer *r, uint64_t index)
{
	enum stop_why	why;

	FAULT_KILL_AT(TSI_FAULT_KILL_RESTORE_AFTER, index);
	FAULT_SLEEP(TSI_FAULT_SLOW_FILE_MS);
	if ((why = state_stop_check(r->log)) == STOP_NO)
		return 0;
	r->err = xasprintf("the restore was stopped (%s); running it again goes on "
	    "where it stopped", stop_why_text(why));
	return 1;
}

/* The catalog's hard-linked sets, before the archive is read: which
 * entries other names link to (restore tracks where their inodes go). */
static int
read_link_sets(struct restorer *r)
{
	struct cat_line	l;
	int		k;

	while ((k = ustore_next(&r->us, &l, &r->err)) == 1) {
		if (l.entry.link == NULL || (l.entry.type != 'h' && l.entry.type != 'f'))
			continue;
		strmap_slot(&r->leaders, l.entry.link, strlen(l.entry.link));
		if (l.entry.type == 'f')
			strmap_set(&r->also, l.entry.path, l.entry.link);
	}
	return k;
}

static int
restore_archive(struct restorer *r)
{
	struct archive_entry	*ae;
	uint64_t		 index = 0;
	int			 k;

	if (read_link_sets(r) == -1 || ustore_seek(&r->us, 0, 0, &r->err) == -1)
		return -1;
	while ((k = archive_read_next_header(r->us.a, &ae)) == ARCHIVE_OK ||
	    k == ARCHIVE_WARN) {
		char *path = ustore_entry_name(ae);

		k = restore_one(r, path, index++, ae, NULL);
		free(path);
		if (k == -1)
			return -1;
		progress(r, 0);
		if (restore_stopping(r, index))
			return -1;
	}
	if (k != ARCHIVE_EOF) {
		r->err = xasprintf("the store's archive is damaged after entry %" PRIu64
		    ": %s", index, archive_error_string(r->us.a));
		return -1;
	}
	return 0;
}

/* A hard-link store's catalog entry as an archive entry: the metadata
 * restore applies to either kind of store. */
static struct archive_entry *
entry_of_catalog(const struct cat_entry *ce)
{
	struct archive_entry	*ae = archive_entry_new();

	archive_entry_copy_pathname(ae, ce->path);
	archive_entry_set_filetype(ae, ce->type == 'd' ? AE_IFDIR : ce->type == 'l' ?
	    AE_IFLNK : AE_IFREG);
	archive_entry_set_perm(ae, (mode_t)ce->mode);
	archive_entry_set_uid(ae, (la_int64_t)ce->uid);
	archive_entry_set_gid(ae, (la_int64_t)ce->gid);
	archive_entry_copy_uname(ae, ce->uname);
	archive_entry_copy_gname(ae, ce->gname);
	archive_entry_set_mtime(ae, (time_t)ce->mtime, (long)ce->mtime_ns);
	return ae;
}

static int
restore_hardlinks(struct restorer *r)
{
	struct archive_entry	*ae;
	struct cat_line		 l;
	struct stat		 st;
	uint64_t		 index = 0;
	int			 k;

	while ((k = ustore_next(&r->us, &l, &r->err)) == 1) {
		if (l.entry.type != 'd' && ((r->hl_dir = ustore_data_dir(&r->us, l.entry.path,
		    &r->hl_name)) == -1 || fstatat(r->hl_dir, r->hl_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)) {
			char *esc = cat_escape(l.entry.path);

			rsay(r, STATE_FINDING, -1, "%s: missing from the hard-link store", esc);
			free(esc);
			index++;
			continue;
		}
		ae = entry_of_catalog(&l.entry);
		if (l.entry.meta != NULL && entry_meta_parse(ae, l.entry.meta) == -1) {
			char *esc = cat_escape(l.entry.path);

			rsay(r, STATE_FINDING, -1, "%s: its ACLs and attributes in the catalog "
			    "are damaged or of a later version: not restored", esc);
			free(esc);
		}
		k = restore_one(r, l.entry.path, index++, ae, l.entry.type == 'd' ? NULL :
		    &st);
		archive_entry_free(ae);
		if (k == -1 || restore_stopping(r, index))
			return -1;
		progress(r, 0);
	}
	return k;
}

int
state_restore(const struct restore_opts *o, const struct state_log *log,
    struct state_counts *counts, char **err)
{
	struct restorer	 r;
	struct restore_opts ro;
	struct diag	 d;
	char		*abs_root;
	size_t		 i;
	int		 rc = -1;

	memset(counts, 0, sizeof *counts);
	memset(&r, 0, sizeof r);
	/* the journal records absolute paths: an undo from another folder
	 * must act on the same files */
	if ((abs_root = realpath(o->root, NULL)) == NULL) {
		*err = xasprintf("cannot use the root '%s': %s", o->root, strerror(errno));
		return -1;
	}
	ro = *o;
	ro.root = abs_root;
	o = &ro;
	r.o = o;
	r.log = log;
	r.counts = counts;
	r.journal.fd = r.saved_fd = r.cron_fd = -1;
	if (usmt_parse(USMT_RESTORE, o->switches ? o->switches : "", &r.uo, err) == -1) {
		free(abs_root);
		return -1;
	}
	buf_init(&r.journal.pending, 0);
	diag_init(&d);
	{
		char *skel = in_root(o->root, "/etc/skel");

		r.skel_fd = open(skel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		free(skel);
	}
	if ((o->in != NULL ? ustore_open_in(&r.us, o->store, o->in, o->id, &r.err) :
	    ustore_open(&r.us, o->store, o->id, &r.err)) == -1 ||
	    (!r.us.hardlink && o->id == NULL && (r.err = xstrdup("an encrypted "
	    "store needs an identity to be restored")) != NULL) ||
	    users_load(o->root, o->all_users, &r.du, &d) == -1) {
		if (r.err == NULL)
			r.err = diag_text(&d);
		goto out;
	}
	ids_load(o->root, "passwd", &r.dpw);
	ids_load(o->root, "group", &r.dgr);
	if (open_records(&r) == -1)
		goto out;
	r.started = r.last = now_s();
	if ((r.us.hardlink ? restore_hardlinks(&r) : restore_archive(&r)) == -1)
		goto out;
	for (i = 0; i < r.nusers; i++) {
		struct ruser *ru = &r.users[i];

		if (!ru->ready)
			continue;
		placer_finish(&ru->placer);
		if (ru->home_made && ru->home_mtime.tv_sec != 0) {
			struct timespec ts[2] = { { 0, UTIME_OMIT }, ru->home_mtime };

			if (futimens(ru->home_fd, ts) == -1)
				placer_finding(&ru->placer, ".", "folder time not set: %s",
				    strerror(errno));
		}
	}
	buf_adds(&r.journal.pending, "done\n");
	rjournal_flush(&r.journal, 1);
	progress(&r, 1);
	rc = counts->findings > 0 && !(o->continue_on_error || r.uo.c) ? 1 : 0;
out:

	for (i = 0; i < r.nusers; i++) {
		if (r.users[i].ready)
			placer_release(&r.users[i].placer);
		if (r.users[i].home_fd != -1)
			close(r.users[i].home_fd);
		free(r.users[i].home);
		free(r.users[i].prefix);
	}
	free(r.users);
	if (r.cron_fd != -1) {
		placer_finish(&r.cron);
		free((char *)r.cron.base_path);
		placer_release(&r.cron);
		close(r.cron_fd);
	}
	if (rc == -1)
		*err = r.err ? r.err : xstrdup("the restore failed");
	else
		free(r.err);
	if (r.journal.fd != -1) {
		rjournal_flush(&r.journal, 1);
		close(r.journal.fd);
	}
	rjournal_release(&r.journal);
	if (r.saved_fd != -1)
		close(r.saved_fd);
	if (r.skel_fd != -1)
		close(r.skel_fd);
	free(r.done);
	free(r.state_dir);
	ustore_close(&r.us);
	free(abs_root);
	users_release(&r.du);
	ids_release(&r.dpw);
	ids_release(&r.dgr);
	strmap_release(&r.leaders);
	strmap_release(&r.placed_before);
	strmap_release(&r.placed);
	strmap_release(&r.also);
	usmt_release(&r.uo);
	diag_release(&d);
	return rc;
}
