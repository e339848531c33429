/*
 * restore.c - restoring a store into the system under the root: users
 * selected by /ui /ue, renamed by /mu, created by /lac; owners mapped by
 * name (uids differ between computers); every change journaled under
 * ROOT/var/lib/tsi/restore/STORE-ID so that a killed restore resumes
 * where it stopped and `tsi state undo` can put everything back.
 */
#include "restore-int.h"
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

struct ruser {			/* a user of the store, on this computer */
	const char	*name;		/* in the store */
	const char	*dest;		/* here, after /mu */
	int		 selected, ready;
	long		 uid, gid;
	char		*home;		/* host path */
	char		*prefix;	/* "NAME/" */
	int		 home_fd;
	int		 home_made;	/* by this restore: it takes the captured mode */
	struct timespec	 home_mtime;	/* set at the end, when home_made */
	struct placer	 placer;
};

struct restorer {
	const struct restore_opts	*o;
	struct usmt_opts		 uo;
	const struct state_log		*log;
	struct state_counts		*counts;
	struct ustore			 us;
	struct mig_users		 du;
	struct mig_ids			 dpw, dgr;	/* this computer's names */
	struct ruser			*users;
	size_t				 nusers;
	char				*state_dir;
	struct rjournal			 journal;
	int				 saved_fd;
	int				 skel_fd;	/* ROOT/etc/skel */
	uint64_t			 saved_seq;	/* highest in saved/ */
	uint8_t				*done;		/* bitmap of finished entries */
	size_t				 done_len;
	double				 started, last;
	int				 unlisted_said;
	char				*err;
	/* hard-linked sets (encrypted stores): the store paths later names
	 * link to, where their inodes went, and the first names in one home
	 * of files that have a name in another (path -> that name) */
	struct strmap			 leaders, placed, also;
};

static void
say(struct restorer *r, enum state_msg kind, int pct, const char *fmt, ...)
    PRINTF_LIKE(4, 5);

static void
say(struct restorer *r, enum state_msg kind, int pct, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	state_vsay(r->log, r->counts, kind, pct, fmt, ap);
	va_end(ap);
}

/* The folders above path (0755), as a package would make them. */
static int
mkdir_parents(const char *path)
{
	char	*dir = path_dirname(path);
	int	 r = mkdir_p(dir, 0755);

	free(dir);
	return r;
}

static char *
in_root(const char *root, const char *path)
{
	return xasprintf("%s%s", strcmp(root, "/") ? root : "", path);
}

static const struct mig_user *
dest_user(struct restorer *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->du.n; i++)
		if (strcmp(r->du.v[i].name, name) == 0)
			return &r->du.v[i];
	return NULL;
}

/* A name this computer has as a system account (uid below 1000, nobody). */
static int
system_account(struct restorer *r, const char *name)
{
	struct mig_users	all;
	struct diag		d;
	size_t			i;
	int			found = 0;

	diag_init(&d);
	if (users_load(r->o->root, 1, &all, &d) == 0)
		for (i = 0; i < all.n && !found; i++)
			found = strcmp(all.v[i].name, name) == 0;
	users_release(&all);
	diag_release(&d);
	return found;
}

/* LoadState /lac: the account made (account.c), then this computer's
 * users and names read again. */
static int
create_account(struct restorer *r, const char *name, const struct cat_user *cu)
{
	struct diag	 d;

	if (account_create(r->o->root, name, cu->gecos, r->uo.lac_password ?
	    r->uo.lac_password : r->o->lac_password, r->uo.lae, &r->dgr, r->log,
	    r->counts) == -1)
		return -1;
	users_release(&r->du);
	ids_release(&r->dpw);
	ids_release(&r->dgr);
	diag_init(&d);
	users_load(r->o->root, r->o->all_users, &r->du, &d);
	ids_load(r->o->root, "passwd", &r->dpw);
	ids_load(r->o->root, "group", &r->dgr);
	diag_release(&d);
	return 0;
}

/* The home of a user on this computer, made when missing; its fd. */
static int
open_home(struct restorer *r, struct ruser *ru, const struct mig_user *mu)
{
	ru->home = in_root(r->o->root, mu->home);
	ru->home_fd = open(ru->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ru->home_fd == -1 && errno == ENOENT && mkdir_parents(ru->home) == 0 &&
	    mkdir(ru->home, 0700) == 0) {
		ru->home_made = 1;
		if (chown(ru->home, (uid_t)ru->uid, (gid_t)ru->gid) == -1 && geteuid() == 0)
			say(r, STATE_FINDING, -1, "%s: owner not set: %s", ru->home,
			    strerror(errno));
		ru->home_fd = open(ru->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (ru->home_fd == -1) {
		say(r, STATE_FINDING, -1, "user '%s': cannot open the home %s: %s; its "
		    "files are not restored", ru->dest, ru->home, strerror(errno));
		return -1;
	}
	return 0;
}

/* Decides, once per user of the store, whether and where it is restored. */
static struct ruser *
ruser_of(struct restorer *r, const char *name)
{
	const struct mig_user	*mu;
	const struct cat_user	*cu;
	struct ruser		*ru;
	char			 host[65] = "localhost";
	size_t			 i;

	for (i = 0; i < r->nusers; i++)
		if (strcmp(r->users[i].name, name) == 0)
			return r->users[i].ready ? &r->users[i] : NULL;
	if ((cu = ustore_user(&r->us, name)) == NULL) {
		/* a crafted store may name a million: say it once, keep none */
		if (!r->unlisted_said)
			say(r, STATE_FINDING, -1, "entries of users the store's catalog does "
			    "not list (such as '%s') are not restored", name);
		r->unlisted_said = 1;
		return NULL;
	}
	r->users = xreallocarray(r->users, r->nusers + 1, sizeof *r->users);
	ru = &r->users[r->nusers++];
	memset(ru, 0, sizeof *ru);
	ru->name = cu->name;
	ru->dest = ru->name;
	ru->home_fd = -1;
	for (i = 0; i < r->uo.nmu; i++)
		if (strcmp(r->uo.mu[i].from, name) == 0)
			ru->dest = r->uo.mu[i].to;
	gethostname(host, sizeof host - 1);
	if (!r->o->all_users && !r->uo.all && !usmt_user_selected(&r->uo,
	    r->us.source ? r->us.source : host, name, 0, NULL)) {
		say(r, STATE_INFO, -1, "user '%s' left out by /ui or /ue", name);
		return NULL;
	}
	if (!state_user_allowed(r->o->only_users, name)) {
		say(r, STATE_INFO, -1, "user '%s' left out: the SMP association restores "
		    "%s only", name, r->o->only_users);
		return NULL;
	}
	if ((mu = dest_user(r, ru->dest)) == NULL) {
		if (system_account(r, ru->dest)) {
			/* never root, daemon & co. unless asked for (--all) */
			say(r, STATE_FINDING, -1, "user '%s' is a system account here; its "
			    "files are not restored (all_users / --all allows it)", ru->dest);
			return NULL;
		}
		if (!r->uo.lac) {
			say(r, STATE_FINDING, -1, "user '%s' does not exist on this computer; "
			    "its files are not restored (/lac creates missing accounts)",
			    ru->dest);
			return NULL;
		}
		if (create_account(r, ru->dest, cu) == -1 ||
		    (mu = dest_user(r, ru->dest)) == NULL)
			return NULL;
	}
	ru->uid = (long)mu->uid;
	ru->gid = (long)mu->gid;
	if (open_home(r, ru, mu) == -1)
		return NULL;
	placer_init(&ru->placer, ru->home_fd, ru->home);
	ru->placer.overwrite = r->o->overwrite;
	ru->placer.log = r->log;
	ru->placer.counts = r->counts;
	ru->placer.verbose = r->o->verbose || r->uo.verbose > 0;
	ru->placer.journal = &r->journal;
	ru->placer.saved_fd = r->saved_fd;
	ru->placer.skel_fd = r->skel_fd;
	ru->placer.saved_seq = &r->saved_seq;
	ru->placer.owners = geteuid() == 0;
	ru->placer.pw = &r->dpw;
	ru->placer.leaders = &r->leaders;
	ru->placer.placed = &r->placed;
	ru->placer.gr = &r->dgr;
	ru->prefix = xasprintf("%s/", name);
	ru->placer.entry_prefix = ru->prefix;
	snprintf(ru->placer.tmp_tag, sizeof ru->placer.tmp_tag, ".tsi-restore-%.8s-",
	    r->us.id);
	ru->selected = ru->ready = 1;
	if (strcmp(ru->dest, name) != 0)
		say(r, STATE_INFO, -1, "restoring user '%s' as '%s' (/mu)", name, ru->dest);
	return ru;
}

/*
 * The owner of a restored entry here, by name: the account of that name
 * (root stays root, another user's file stays theirs); an owner without a
 * name on the source, or whose name this computer lacks, becomes the
 * home's user, with a finding.  Groups likewise, else the user's group.
 */
static void
map_owner(struct restorer *r, struct ruser *ru, const char *rel,
    struct archive_entry *ae, long *uid, long *gid)
{
	const char	*un = archive_entry_uname(ae), *gn = archive_entry_gname(ae);
	unsigned long	 id;
	size_t		 i;
	int		 say = ru->placer.owners;

	*uid = ru->uid;
	*gid = ru->gid;
	if (un == NULL || *un == '\0') {
		if (say)
			placer_finding(&ru->placer, rel, "owner uid %jd had no name on the "
			    "source computer: restored as %s's", (intmax_t)archive_entry_uid(ae),
			    ru->dest);
	} else if (strcmp(un, ru->name) != 0) {
		for (i = 0; i < r->uo.nmu; i++)
			if (strcmp(r->uo.mu[i].from, un) == 0)
				un = r->uo.mu[i].to;
		if (ids_id(&r->dpw, un, &id) == 0)
			*uid = (long)id;
		else if (say)
			placer_finding(&ru->placer, rel, "owner '%s' does not exist on this "
			    "computer: restored as %s's", un, ru->dest);
	}
	if (gn == NULL || *gn == '\0') {
		if (say)
			placer_finding(&ru->placer, rel, "group gid %jd had no name on the "
			    "source computer: restored with %s's group", (intmax_t)
			    archive_entry_gid(ae), ru->dest);
	} else if (ids_id(&r->dgr, gn, &id) == 0)
		*gid = (long)id;
	else if (say)
		placer_finding(&ru->placer, rel, "group '%s' does not exist on this "
		    "computer: restored with %s's group", gn, ru->dest);
}

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
	say(r, STATE_PROGRESS, pct > 100 ? 100 : pct, "restored %.1f of %.1f MiB "
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

/* The journal of an earlier, interrupted run: which entries are done. */
static int
read_journal(struct restorer *r, const char *path)
{
	char		*text, *line, *save;
	long long	 v;
	int		 finished = 0;

	if (read_file(path, 1024u * 1024 * 1024, &text, NULL) == -1)
		return 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == 'E' && line[1] == '\t' && str_to_ll(line + 2, &v) == 0 && v >= 0)
			mark_done(r, (uint64_t)v);
		else if (strcmp(line, "done") == 0)
			finished = 1;
		else if (strcmp(line, "undone") == 0)
			finished = 0, free(r->done), r->done = NULL, r->done_len = 0;
	}
	free(text);
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
		say(r, STATE_INFO, -1, "going on with an earlier restore of this store "
		    "(%s)", journal);
	free(saved);
	free(journal);
	return r->journal.fd == -1 ? -1 : 0;
}

/* Splits USER/REL; rel is NULL for the home itself. */
static char *
split_user(const char *path, const char **rel)
{
	const char	*slash = strchr(path, '/');

	*rel = slash && slash[1] ? slash + 1 : NULL;
	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(path);
}

/* The home's own entry: its mode and attributes, when this restore made
 * the home (an existing home keeps what this computer gave it). */
static void
restore_home(struct restorer *r, struct ruser *ru, struct archive_entry *ae)
{
	(void)r;
	if (!ru->home_made || archive_entry_filetype(ae) != AE_IFDIR)
		return;
	/* the home is its user's, whoever owned it on the source */
	placer_meta(&ru->placer, ru->home_fd, ".", ae, ru->uid, ru->gid, 1);
	ru->home_mtime.tv_sec = archive_entry_mtime(ae);
	ru->home_mtime.tv_nsec = archive_entry_mtime_nsec(ae);
}

/* A file that has a name in another user's home too: linked to the inode
 * restored there when both homes are on one file system; 1 when it is
 * not (the entry's own data is written: a copy). */
static int
link_across(struct restorer *r, struct ruser *ru, const char *path, const char *rel,
    struct archive_entry *ae, uint64_t index)
{
	const char	*other = strmap_get(&r->also, path), *where, *orel;
	struct ruser	*ou;
	char		*ouser;
	int		 k = 1;

	if (other == NULL || (where = strmap_get(&r->placed, other)) == NULL ||
	    *where == '\0')
		return 1;
	ouser = split_user(other, &orel);
	if ((ou = ruser_of(r, ouser)) != NULL && ou != ru)
		k = placer_link_from(&ru->placer, rel, &ou->placer, where, ae, index);
	free(ouser);
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

	if ((ru = ruser_of(r, user)) != NULL && !is_done(r, index)) {
		if (rel == NULL)
			restore_home(r, ru, ae);
		else if (hl_st == NULL && (k = link_across(r, ru, path, rel, ae, index)) != 1)
			;	/* linked to the same file in another user's home */
		else {
			map_owner(r, ru, rel, ae, &uid, &gid);
			k = hl_st != NULL ? placer_link(&ru->placer, rel, r->us.data_fd, path,
			    hl_st, ae, uid, gid, index) : placer_entry(&ru->placer, rel, r->us.a,
			    ae, uid, gid, index);
		}
		if (k == -1) {
			r->err = ru->placer.fatal;
			ru->placer.fatal = NULL;
		} else {
			char n[24];

			snprintf(n, sizeof n, "%" PRIu64, index);
			placer_journal(&ru->placer, "E", NULL, n);
		}
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
		if (l.entry.type != 'd' && fstatat(r->us.data_fd, l.entry.path, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			say(r, STATE_FINDING, -1, "%s: missing from the hard-link store",
			    l.entry.path);
			index++;
			continue;
		}
		ae = entry_of_catalog(&l.entry);
		if (l.entry.meta != NULL && entry_meta_parse(ae, l.entry.meta) == -1) {
			char *esc = cat_escape(l.entry.path);

			say(r, STATE_FINDING, -1, "%s: its ACLs and attributes in the catalog "
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
	r.journal.fd = r.saved_fd = -1;
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
	if (rc == -1)
		*err = r.err ? r.err : xstrdup("the restore failed");
	else
		free(r.err);
	if (r.journal.fd != -1) {
		rjournal_flush(&r.journal, 1);
		close(r.journal.fd);
	}
	buf_release(&r.journal.pending);
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
	strmap_release(&r.placed);
	strmap_release(&r.also);
	usmt_release(&r.uo);
	diag_release(&d);
	return rc;
}
