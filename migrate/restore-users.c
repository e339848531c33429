/*
 * restore-users.c - the users of a restore: which users of the store are
 * restored and as whom (/ui /ue, /mu, /lac, the SMP association), their
 * homes (made with the captured mode), owners mapped by name, and files
 * that have names in two users' homes.
 */
#include "restorer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
rsay(struct restorer *r, enum state_msg kind, int pct, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	state_vsay(r->log, r->counts, kind, pct, fmt, ap);
	va_end(ap);
}

/* The folders above path (0755), as a package would make them. */
int
mkdir_parents(const char *path)
{
	char	*dir = path_dirname(path);
	int	 r = mkdir_p(dir, 0755);

	free(dir);
	return r;
}

char *
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
			rsay(r, STATE_FINDING, -1, "%s: owner not set: %s", ru->home,
			    strerror(errno));
		ru->home_fd = open(ru->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (ru->home_fd == -1) {
		rsay(r, STATE_FINDING, -1, "user '%s': cannot open the home %s: %s; its "
		    "files are not restored", ru->dest, ru->home, strerror(errno));
		return -1;
	}
	return 0;
}

/* Decides, once per user of the store, whether and where it is restored. */
struct ruser *
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
			rsay(r, STATE_FINDING, -1, "entries of users the store's catalog does "
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
		rsay(r, STATE_INFO, -1, "user '%s' left out by /ui or /ue", name);
		return NULL;
	}
	if (!state_user_allowed(r->o->only_users, name)) {
		rsay(r, STATE_INFO, -1, "user '%s' left out: the SMP association restores "
		    "%s only", name, r->o->only_users);
		return NULL;
	}
	if ((mu = dest_user(r, ru->dest)) == NULL) {
		if (system_account(r, ru->dest)) {
			/* never root, daemon & co. unless asked for (--all) */
			rsay(r, STATE_FINDING, -1, "user '%s' is a system account here; its "
			    "files are not restored (all_users / --all allows it)", ru->dest);
			return NULL;
		}
		if (!r->uo.lac) {
			rsay(r, STATE_FINDING, -1, "user '%s' does not exist on this computer; "
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
	ru->placer.placed_before = &r->placed_before;
	if (strcmp(ru->dest, name) != 0) {
		ru->placer.mu_from = ru->name;
		ru->placer.mu_to = ru->dest;
	}
	ru->placer.placed = &r->placed;
	ru->placer.gr = &r->dgr;
	ru->prefix = xasprintf("%s/", name);
	ru->placer.entry_prefix = ru->prefix;
	snprintf(ru->placer.tmp_tag, sizeof ru->placer.tmp_tag, ".tsi-restore-%.8s-",
	    r->us.id);
	ru->selected = ru->ready = 1;
	if (strcmp(ru->dest, name) != 0)
		rsay(r, STATE_INFO, -1, "restoring user '%s' as '%s' (/mu)", name, ru->dest);
	return ru;
}

/*
 * The owner of a restored entry here, by name: the account of that name
 * (root stays root, another user's file stays theirs); an owner without a
 * name on the source, or whose name this computer lacks, becomes the
 * home's user, with a finding.  Groups likewise, else the user's group.
 */
void
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
	if (gn != NULL && strcmp(gn, ru->name) == 0 && strcmp(ru->dest, ru->name) != 0)
		gn = NULL, *gid = ru->gid;	/* the user's own group, renamed with them */
	else if (gn == NULL || *gn == '\0') {
		if (say)
			placer_finding(&ru->placer, rel, "group gid %jd had no name on the "
			    "source computer: restored with %s's group", (intmax_t)
			    archive_entry_gid(ae), ru->dest);
	} else if (ids_id(&r->dgr, gn, &id) == 0) {
		/* a store does not give files of a home to shadow, disk, root...
		 * (a way to what those groups guard) unless system accounts are
		 * restored too */
		if (id < 1000 && !r->o->all_users && !r->uo.all) {
			if (say)
				placer_finding(&ru->placer, rel, "group '%s' is a system group "
				    "here: restored with %s's group (--all keeps it)", gn,
				    ru->dest);
		} else
			*gid = (long)id;
	} else if (say)
		placer_finding(&ru->placer, rel, "group '%s' does not exist on this "
		    "computer: restored with %s's group", gn, ru->dest);
}

/* Splits USER/REL; rel is NULL for the home itself. */
char *
split_user(const char *path, const char **rel)
{
	const char	*slash = strchr(path, '/');

	*rel = slash && slash[1] ? slash + 1 : NULL;
	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(path);
}

/* The home's own entry: its mode and attributes, when this restore made
 * the home (an existing home keeps what this computer gave it). */
void
restore_home(struct restorer *r, struct ruser *ru, struct archive_entry *ae)
{
	(void)r;
	if (archive_entry_filetype(ae) != AE_IFDIR)
		return;
	if (!ru->home_made) {
		placer_folder_kept(&ru->placer, ru->home_fd, ".", ae);
		return;
	}
	/* the home is its user's, whoever owned it on the source */
	placer_meta(&ru->placer, ru->home_fd, ".", ae, ru->uid, ru->gid, 1);
	ru->home_mtime.tv_sec = archive_entry_mtime(ae);
	ru->home_mtime.tv_nsec = archive_entry_mtime_nsec(ae);
}

/* A file that has a name in another user's home too: linked to the inode
 * restored there when both homes are on one file system; 1 when it is
 * not (the entry's own data is written: a copy). */
int
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

